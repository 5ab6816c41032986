// Ansible's pip, without virtualenvs: installs, upgrades or removes Python packages with the pip of the
// host's Python (`ansible_python_interpreter`, the one Ansible's module runs under: `python -m
// pip.__main__`), or of `executable`. What is installed is read with `pip list --format=freeze`, as
// Ansible's check mode reads it; a package already there (state present) or not there (absent) is ok
// without running pip install, so a host with no network passes a role that only makes sure of it.
// The virtualenv options, editable and umask are refused by name (spec.ts): skiff does not create venvs.
import * as v from 'valibot';
import { shJoin } from '../../src/transport/quote.ts';
import { TaskFailure, type TaskContext, type TaskType } from '../../src/engine/task-type.ts';

const Text = v.pipe(v.union([v.string(), v.number()], 'expected a text'), v.transform(String));
// Ansible's type list: a string is split at its commas (a version range is put back together below)
const Names = v.pipe(
  v.union([v.array(Text), v.string(), v.number()], 'expected a package name or a list of them'),
  v.transform((x) => (Array.isArray(x) ? x : String(x).split(','))),
);
const STATE_ARGS = { present: ['install'], absent: ['uninstall', '-y'], latest: ['install', '-U'], forcereinstall: ['install', '-U', '--force-reinstall'] } as const;
const schema = v.strictObject({
  name: v.optional(Names),
  version: v.optional(Text),
  state: v.optional(v.picklist(Object.keys(STATE_ARGS) as (keyof typeof STATE_ARGS)[]), 'present'),
  requirements: v.optional(Text),
  extra_args: v.optional(Text),
  chdir: v.optional(Text),
  executable: v.optional(Text),
});
type Params = v.InferOutput<typeof schema>;

/** pip's canonical name of a distribution (PEP 503): lower case, runs of `-_.` as one `-`. */
export const canonicalName = (n: string) => n.toLowerCase().replace(/[-_.]+/g, '-');

const OPS = /^(~=|===|==|!=|<=|>=|<|>)/;
/** One requirement, as Ansible's Package reads it: a name, extras, version specifiers. */
export interface Requirement {
  text: string;
  name: string;
  specs: [string, string][];
}
export function parseRequirement(text: string): Requirement {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$/.exec(text);
  if (!m) return { text, name: canonicalName(text.trim()), specs: [] };
  const specs = m[3]
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s): [string, string] => {
      const op = OPS.exec(s)?.[1] ?? '==';
      return [op, s.slice(op.length).trim()];
    });
  return { text, name: canonicalName(m[1]), specs };
}

/** A comma-split list put back together: `['django>1.1', '<2', 'six']` is django>1.1,<2 and six (Ansible's _recover_package_name). */
export function recoverNames(names: string[]): string[] {
  const out: string[] = [];
  for (const n of names.flatMap((x) => x.split(','))) {
    if (out.length && OPS.test(n.trim())) out[out.length - 1] += `,${n}`;
    else out.push(n);
  }
  return out;
}

const parts = (s: string) => s.split(/[.+-]/).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
function cmpVersion(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

/** Whether an installed version meets the specifiers (PEP 440's operators, on dotted releases). */
export function satisfies(version: string, specs: [string, string][]): boolean {
  return specs.every(([op, want]) => {
    if ((op === '==' || op === '!=') && want.endsWith('.*')) {
      const prefix = want.slice(0, -2);
      const eq = version === prefix || version.startsWith(`${prefix}.`);
      return op === '==' ? eq : !eq;
    }
    const c = cmpVersion(version, want);
    switch (op) {
      case '==':
      case '===':
        return c === 0;
      case '!=':
        return c !== 0;
      case '<=':
        return c <= 0;
      case '>=':
        return c >= 0;
      case '<':
        return c < 0;
      case '>':
        return c > 0;
      default: {
        // ~=X.Y.Z: >= X.Y.Z and == X.Y.*
        const prefix = want.split('.').slice(0, -1).join('.');
        return c >= 0 && (version === prefix || version.startsWith(`${prefix}.`));
      }
    }
  });
}

/** Whether `pip list --format=freeze` output has a distribution meeting the requirement (Ansible's _is_present). */
export function isPresent(req: Requirement, freeze: string): boolean {
  return freeze.split('\n').some((line) => {
    if (!line.includes('==')) return false;
    const [name, version] = line.split('==');
    return canonicalName(name) === req.name && satisfies(version.trim(), req.specs);
  });
}

/** The packages a task asks for, each with `version` added (Ansible's checks of the two, with its messages). */
export function requirements(p: Params): Requirement[] {
  const reqs = recoverNames(p.name ?? []).map(parseRequirement);
  if (p.version === undefined) return reqs;
  if (reqs.length > 1) throw new TaskFailure("'version' argument is ambiguous when installing multiple package distributions. Please specify version restrictions next to each package in 'name' argument.");
  if (reqs[0].specs.length) throw new TaskFailure("The 'version' argument conflicts with any version specifier provided along with a package name. Please keep the version specifier, but remove the 'version' argument.");
  // Ansible's Package(name, version): a bare version is ==version
  const text = OPS.test(p.version) ? `${reqs[0].text}${p.version}` : `${reqs[0].text}==${p.version}`;
  return [parseRequirement(text)];
}

async function pipArgv(ctx: TaskContext, p: Params): Promise<string[]> {
  if (p.executable === undefined) {
    const py = ctx.vars.ansible_python_interpreter;
    return [typeof py === 'string' && py !== '' ? py : '/usr/bin/python3', '-m', 'pip.__main__'];
  }
  if (p.executable.startsWith('/')) return [p.executable];
  const r = await ctx.conn.exec(`command -v ${shJoin([p.executable])}`);
  if (r.code !== 0 || r.stdout.trim() === '') throw new TaskFailure(`Unable to find any of ${p.executable} to use.  pip needs to be installed.`);
  return [r.stdout.trim()];
}

interface State {
  pip: string[];
  cmd: string[];
  chdir: string;
}

const cdTo = (dir: string) => `cd ${shJoin([dir])} && `;

export const pip: TaskType<Params, State> = {
  name: 'ansible.builtin.pip',
  summary: "install, upgrade or remove Python packages with the pip of the host's Python (virtualenvs through Ansible's own pip module)",
  schema,
  shortKey: 'name',
  async plan(ctx, p) {
    if (p.name === undefined && p.requirements === undefined) throw new TaskFailure('one of the following is required: name, requirements');
    if (p.name !== undefined && p.requirements !== undefined) throw new TaskFailure('parameters are mutually exclusive: name|requirements');
    if (p.state === 'latest' && p.version !== undefined) throw new TaskFailure('version is incompatible with state=latest');
    const reqs = requirements(p);
    const pipCmd = await pipArgv(ctx, p);
    // Ansible runs pip in a temporary directory unless told (privilege escalation may not read the cwd)
    const chdir = p.chdir ?? '/tmp';
    const cmd = [...pipCmd, ...STATE_ARGS[p.state], ...(p.extra_args !== undefined ? shSplit(p.extra_args) : []), ...(p.name !== undefined ? reqs.map((r) => r.text) : ['-r', p.requirements!])];
    const state: State = { pip: pipCmd, cmd, chdir };
    const would = [shJoin(cmd)];
    // what Ansible cannot tell without running pip: a change
    if (p.extra_args !== undefined || p.requirements !== undefined || p.state === 'latest' || p.state === 'forcereinstall') return { changes: would, state, result: {} };
    const list = [...pipCmd, 'list', '--format=freeze'];
    const r = await ctx.conn.exec(`${cdTo(chdir)}LANG=C LC_ALL=C LC_MESSAGES=C ${shJoin(list)}`);
    if (r.code !== 0) throw new TaskFailure(`${r.stdout ? `stdout: ${r.stdout}` : ''}${r.stderr ? `\n:stderr: ${r.stderr}` : ''}`, { cmd: list.join(' ') });
    const lines = r.stdout.split('\n').filter((l) => l && !l.startsWith('You are using') && !l.startsWith('You should consider'));
    const missing = reqs.some((q) => isPresent(q, lines.join('\n')) !== (p.state === 'present'));
    // Ansible's check-mode result; outside check mode the same when nothing is to do
    const result = ctx.check ? { cmd: list.join(' '), stdout: r.stdout, stderr: r.stderr } : { cmd: list.join(' '), name: p.name, version: p.version ?? null, state: p.state, requirements: null, virtualenv: null, stdout: r.stdout, stderr: r.stderr };
    return { changes: missing ? would : [], state, result };
  },
  async apply(ctx, p, plan) {
    const { cmd, chdir } = plan.state!;
    const r = await ctx.conn.exec(`${cdTo(chdir)}${shJoin(cmd)}`);
    // pip uninstall of a package that is not there exits 1: not a failure (Ansible's)
    const notThere = r.code === 1 && p.state === 'absent' && (r.stdout.includes('not installed') || r.stderr.includes('not installed'));
    if (r.code !== 0 && !notThere) throw new TaskFailure(`${r.stdout ? `stdout: ${r.stdout}` : ''}${r.stderr ? `\n:stderr: ${r.stderr}` : ''}`, { cmd });
    return { cmd, name: p.name ?? null, version: p.version ?? null, state: p.state, requirements: p.requirements ?? null, virtualenv: null, stdout: r.stdout, stderr: r.stderr };
  },
};

/** Python's shlex.split, for extra_args: words, with '...' and "..." quoting and backslashes. */
export function shSplit(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:\\.|[^"\\])*)"|'([^']*)'|\\(.)|(\s+)|([^\s"'\\]+)/g;
  let word: string | undefined;
  for (const m of s.matchAll(re)) {
    if (m[4] !== undefined) {
      if (word !== undefined) out.push(word);
      word = undefined;
      continue;
    }
    word = (word ?? '') + (m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2] ?? m[3] ?? m[5]);
  }
  if (word !== undefined) out.push(word);
  return out;
}
