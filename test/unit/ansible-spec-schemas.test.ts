// skiff's schemas of Ansible's modules against Ansible's own argument specs (tasks/ansible/ansible-spec.json,
// generated from Debian's ansible-core by `npm run ansible-spec`), option by option: every parameter skiff
// takes is an option (or alias) of that module, a choice skiff takes is one of Ansible's, a default is
// Ansible's, and a module with a required option is refused without it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as v from 'valibot';
import { TASK_TYPES } from '../../tasks/index.ts';
import { moduleSpec, type OptionSpec } from '../../tasks/ansible/spec.ts';
import { schemaEntries, type TaskType } from '../../src/engine/task-type.ts';

/**
 * Parameters skiff takes that the module's own spec lacks, each because Ansible takes them too at run
 * time: an action plugin passes them on to the module it runs (shell -> command, package -> apt,
 * service -> systemd), or the free form arrives as _raw_params.
 */
const PASSED_ON: Record<string, string[]> = {
  'ansible.builtin.command': ['cmd'], // command.py reads `cmd` in its free-form handling (args: cmd:)
  'ansible.builtin.shell': ['_raw_params', 'argv', 'strip_empty_ends'], // the shell action runs command
  'ansible.builtin.package': ['allow_downgrade'], // passed on to the backend (apt, dnf)
  'ansible.builtin.service': ['daemon_reload', 'masked', 'scope', 'no_block'], // passed on to systemd
  'ansible.builtin.gather_facts': ['gather_subset', 'filter', 'fact_path', 'gather_timeout'], // passed on to setup (gather_facts' action gives setup the task's arguments)
  'ansible.builtin.script': ['_raw_params'], // the free form (its doc's free_form)
  'ansible.builtin.raw': ['_raw_params'],
  'ansible.builtin.assemble': ['follow', 'decrypt'], // read (follow) and popped (decrypt) by the assemble action
  'ansible.builtin.validate_argument_spec': ['validate_args_context'], // read by its action; Role._create_validation_task passes it
};
/** Options the module's doc says are required that its action plugin does not ask for: Ansible runs the task without them. */
const NOT_ASKED: Record<string, string[]> = {
  'ansible.builtin.set_stats': ['data'], // set_stats without arguments sets no stats, and is ok
  // package's action checks nothing: the manager's module does (apt takes update_cache alone: the CIS roles' prelim)
  'ansible.builtin.package': ['name', 'state'],
};
const passedOn = (t: TaskType, k: string) => PASSED_ON[t.name.replace(/^ansible\.legacy\./, 'ansible.builtin.')]?.includes(k);

type Schema = { type?: string; wrapped?: Schema; default?: unknown; pipe?: Schema[]; options?: unknown[] };
const unwrap = (s: Schema | undefined): Schema | undefined => {
  while (s && (s.type === 'optional' || s.type === 'nullish' || s.type === 'exact_optional')) s = s.wrapped;
  return s?.pipe ? unwrap(s.pipe[0]) : s;
};
const defaultOf = (s: Schema) => (s.type === 'optional' || s.type === 'nullish' ? (typeof s.default === 'function' ? (s.default as () => unknown)() : s.default) : undefined);
/** Ansible's value in the form skiff keeps it: booleans from yes/no, a list of one as its item. */
const normal = (x: unknown): unknown => (x === 'yes' || x === 'true' ? true : x === 'no' || x === 'false' ? false : Array.isArray(x) && x.length === 1 ? x[0] : x);

function ansibleTypes(): { t: TaskType; options: Record<string, OptionSpec>; entries: Record<string, Schema> }[] {
  const out = [];
  const seen = new Set<TaskType>();
  for (const t of TASK_TYPES.values()) {
    if (seen.has(t)) continue;
    seen.add(t);
    const spec = moduleSpec(t.name);
    const entries = schemaEntries(t.schema) as Record<string, Schema> | undefined;
    if (spec && entries && Object.keys(entries).length) out.push({ t, options: spec.options, entries });
  }
  return out;
}

const byName = (options: Record<string, OptionSpec>) => {
  const m = new Map<string, OptionSpec>();
  for (const [n, o] of Object.entries(options)) for (const a of [n, ...(o.aliases ?? [])]) m.set(a, o);
  return m;
};

test('the comparison covers the modules skiff has (a registry change cannot empty it)', () => {
  const names = ansibleTypes().map((x) => x.t.name);
  for (const m of ['ansible.builtin.file', 'ansible.builtin.copy', 'ansible.builtin.lineinfile', 'ansible.builtin.stat', 'ansible.builtin.command', 'ansible.builtin.apt', 'ansible.builtin.uri']) assert.ok(names.includes(m), m);
  assert.ok(names.length >= 20, `${names.length} modules`);
});

test("every parameter skiff takes is an option or alias of Ansible's module (or passed on to the module it runs)", () => {
  const odd: string[] = [];
  for (const { t, options, entries } of ansibleTypes()) {
    const known = byName(options);
    for (const k of Object.keys(entries)) if (!known.has(k) && !passedOn(t, k)) odd.push(`${t.name}: ${k}`);
  }
  assert.equal(odd, []);
});

test("a choice skiff takes is one of Ansible's", () => {
  const odd: string[] = [];
  for (const { t, options, entries } of ansibleTypes()) {
    const known = byName(options);
    for (const [k, s] of Object.entries(entries)) {
      const u = unwrap(s);
      const choices = known.get(k)?.choices?.map(String);
      if (u?.type !== 'picklist' || !choices) continue;
      for (const c of u.options!.map(String)) if (!choices.includes(c)) odd.push(`${t.name}: ${k}=${c} (Ansible: ${choices.join(', ')})`);
    }
  }
  assert.equal(odd, []);
});

test("a default skiff fills in is Ansible's", () => {
  const odd: string[] = [];
  for (const { t, options, entries } of ansibleTypes()) {
    const known = byName(options);
    for (const [k, s] of Object.entries(entries)) {
      const mine = defaultOf(s);
      const theirs = known.get(k)?.default;
      if (mine === undefined || theirs === undefined || theirs === null) continue;
      if (JSON.stringify(normal(mine)) !== JSON.stringify(normal(theirs))) odd.push(`${t.name}: ${k} skiff ${JSON.stringify(mine)}, Ansible ${JSON.stringify(theirs)}`);
    }
  }
  assert.equal(odd, []);
});

test('a module with a required option is refused without any of its names', () => {
  const odd: string[] = [];
  for (const { t, options } of ansibleTypes()) {
    const required = Object.entries(options).filter(([n, o]) => o.required && !NOT_ASKED[t.name.replace(/^ansible\.legacy\./, 'ansible.builtin.')]?.includes(n));
    if (!required.length) continue;
    if (v.safeParse(t.schema, {}).success) odd.push(`${t.name}: {} accepted, Ansible requires ${required.map(([n]) => n).join(', ')}`);
  }
  assert.equal(odd, []);
});

test.run();
