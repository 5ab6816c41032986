// Ansible's assemble (plugins/action/assemble.py, whose flow this follows): one file made of the files
// of a directory (the fragments), sorted by name, a delimiter between them. With remote_src (the
// default) the directory is on the host and Ansible's own module does the work there, run as Ansible
// runs it (python-module.ts). With remote_src: false the directory is on the controller (files/ of the
// role or playbook): the file is assembled here and put on the host as copy puts its content. Not in
// check mode (skipped, as Ansible's action).
import * as v from 'valibot';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Bool, HostPath, Mode, Owner, PyStr, UNSAFE_WRITES } from '../lib/schema.ts';
import { TaskFailure, type TaskContext, type TaskType } from '../../src/engine/task-type.ts';
import { pyRe } from '../lib/pyre.ts';
import { applyPut, planPut, type PutState } from './put-file.ts';
import { pythonModule } from './python-module.ts';
import { coreModulePath } from './core-modules.ts';
import { findSource } from './source.ts';

const schema = v.strictObject({
  src: v.pipe(PyStr, v.minLength(1, 'src and dest are required')),
  dest: HostPath,
  delimiter: v.optional(PyStr),
  remote_src: v.optional(Bool, true),
  regexp: v.optional(PyStr),
  ignore_hidden: v.optional(Bool, false),
  backup: v.optional(Bool, false),
  /** a command that checks the new file (%s) before it replaces dest */
  validate: v.optional(PyStr),
  ...UNSAFE_WRITES,
  /** dest a link: write the file it leads to */
  follow: v.optional(Bool),
  /** vault-encrypted fragments: skiff reads them as they are */
  decrypt: v.optional(Bool, true),
  mode: v.optional(Mode),
  owner: v.optional(Owner),
  group: v.optional(Owner),
});
type Params = v.InferOutput<typeof schema>;

/** Python's codecs.escape_decode: backslash escapes (\n, \t, \\, \xhh, octal) made the bytes they name. */
export function escapeDecode(s: Buffer): Buffer {
  const text = s.toString('latin1');
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"', '\n': '' };
  const out = text.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|[\s\S])/g, (all, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8) & 0xff);
    return simple[e] ?? all;
  });
  return Buffer.from(out, 'latin1');
}

/**
 * The assembled file from a directory of the controller, byte for byte as Ansible's
 * _assemble_from_fragments: a newline after a fragment that has none before the next, the delimiter
 * (unescaped, then a newline) between fragments.
 */
export function assembleFragments(dir: string, p: { delimiter?: string; regexp?: string; ignore_hidden?: boolean }): Buffer {
  const re = p.regexp === undefined ? undefined : pyRe(p.regexp);
  const parts: Buffer[] = [];
  let delimiter: Buffer | undefined = p.delimiter === undefined ? undefined : Buffer.from(p.delimiter, 'utf8');
  let delimit = false;
  let addNewline = false;
  // Python sorts names by code point
  const names = readdirSync(dir).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const f of names) {
    if (re && !re.test(f)) continue;
    const path = join(dir, f);
    const isFile = (() => {
      try {
        return statSync(path).isFile();
      } catch {
        return false;
      }
    })();
    if (!isFile || (p.ignore_hidden && f.startsWith('.'))) continue;
    const content = readFileSync(path);
    if (addNewline) parts.push(Buffer.from('\n'));
    if (delimit && delimiter?.length) {
      // Ansible unescapes the (already unescaped) delimiter again for each fragment, and always adds a
      // newline after it (its check compares a byte with b'\n', which never holds on Python 3)
      const d = escapeDecode(delimiter);
      delimiter = d;
      parts.push(d, Buffer.from('\n'));
    }
    parts.push(content);
    delimit = true;
    addNewline = !content.subarray(-1).equals(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

interface State {
  put?: PutState;
  plan?: Awaited<ReturnType<TaskType['plan']>>;
}

/** Ansible's assemble module run on the host, with the task's arguments (less decrypt, which the action takes). */
function remoteModule(): TaskType<Record<string, unknown>> {
  const path = coreModulePath('assemble');
  if (!path) throw new TaskFailure("assemble with remote_src runs Ansible's assemble module: it needs ansible-core on the controller (/usr/bin/python3 -c 'import ansible')");
  return pythonModule('ansible.legacy.assemble', path);
}

const moduleArgs = (p: Params): Record<string, unknown> => {
  const { decrypt: _, ...rest } = p;
  return Object.fromEntries(Object.entries(rest).filter(([, x]) => x !== undefined));
};

export const assemble: TaskType<Params, State> = {
  name: 'ansible.builtin.assemble',
  summary: "a file made of a directory's fragments, sorted by name (Ansible's assemble; remote_src: false for a directory on the controller)",
  schema,
  hostPaths: ['dest'],
  async plan(ctx, p) {
    if (ctx.check) return { changes: [], skip: true, note: 'not run in check mode', result: { msg: 'check mode is not supported for this task.' } };
    if (p.remote_src) return { changes: [`assemble ${p.dest} from ${p.src} on the host`] };
    const dir = findDir(ctx, p.src);
    const text = assembleFragments(dir, p);
    const plan = await planPut(ctx, { dest: p.dest, mode: p.mode, owner: p.owner, group: p.group, backup: p.backup, force: true, follow: p.follow }, text);
    return { ...plan, state: { put: plan.state } };
  },
  async apply(ctx, p, plan) {
    if (p.remote_src) return (await remoteModule().apply(ctx, moduleArgs(p), { changes: [] })) ?? {};
    const put = plan.state!.put!;
    const out = await applyPut(ctx, { dest: p.dest, mode: p.mode, owner: p.owner, group: p.group, backup: p.backup, force: true, validate: p.validate, validated: 'lines', unsafe_writes: p.unsafe_writes } as Parameters<typeof applyPut>[1], { ...plan, state: put });
    return { ...out, src: p.src };
  },
};

/** The controller's directory `src`, looked up as Ansible's _find_needle('files', src). */
function findDir(ctx: TaskContext, src: string): string {
  let path: string;
  try {
    path = findSource(ctx, 'files', src, true);
  } catch (e) {
    throw new TaskFailure((e as Error).message);
  }
  if (!statSync(path).isDirectory()) throw new TaskFailure(`Source (${path}) is not a directory`);
  return path;
}
