// Ansible's script (plugins/action/script.py, whose flow this follows): a script on the controller
// (files/ of the role or playbook, as copy finds src) is copied to a temporary directory on the host and
// run there by the host's shell, with the arguments written after its name. creates/removes (a path on
// the host, no glob) skip it; chdir must be absolute. In check mode it is skipped, unless creates or
// removes were given (then, not skipped by them, it is changed without running): a script cannot say
// what it would change.
import * as v from 'valibot';
import { basename } from 'node:path';
import { readFileSync } from 'node:fs';
import { PyStr } from '../lib/schema.ts';
import { shq } from '../../src/transport/quote.ts';
import { TaskFailure, type TaskContext, type TaskType } from '../../src/engine/task-type.ts';
import { lowLevelResult, shlexSplit } from '../lib/commands.ts';
import { findSource } from './source.ts';

const schema = v.pipe(
  v.strictObject({
    /** the free form: the script's name, then its arguments (`script: x.sh -a 1`) */
    _raw_params: v.optional(v.nullable(PyStr)),
    /** the same, as a parameter (Ansible's Task moves it to _raw_params) */
    cmd: v.optional(v.nullable(PyStr)),
    creates: v.optional(PyStr),
    removes: v.optional(PyStr),
    chdir: v.optional(PyStr),
    /** the program that runs the script (`executable: python3`): its path or a name on the host's PATH */
    executable: v.optional(PyStr),
    /** vault-encrypted scripts: skiff reads scripts as they are */
    decrypt: v.optional(v.unknown()),
  }),
  v.check((p) => p._raw_params == null || p.cmd == null, "expected the script in cmd or in the free form, not both (Ansible: the 'cmd' argument cannot be used when other raw parameters are specified)"),
  v.transform(({ _raw_params, cmd, decrypt: _, ...p }) => ({ ...p, line: (_raw_params ?? cmd ?? '').trim() })),
);
type Params = v.InferOutput<typeof schema>;

interface State {
  /** the script on the controller */
  source: string;
  /** the line after the script's name, as written (its quoting kept) */
  line: string;
  first: string;
}

/** `test -e` on the host, as Ansible's _remote_file_exists: the path as written (relative: from the login directory). */
async function exists(ctx: TaskContext, path: string): Promise<boolean> {
  return (await ctx.conn.exec(`test -e ${shq(path)}`)).code === 0;
}

export const script: TaskType<Params, State> = {
  name: 'ansible.builtin.script',
  summary: "copy a script from files/ to the host and run it there (Ansible's script), unless creates exists or removes is missing",
  noModule: true,
  schema,
  shortKey: '_raw_params',
  async plan(ctx, p) {
    if (p.creates && (await exists(ctx, p.creates))) return { changes: [], skip: true, note: `${p.creates} exists`, result: { msg: `${p.creates} exists, matching creates option` } };
    if (p.removes && !(await exists(ctx, p.removes))) return { changes: [], skip: true, note: `${p.removes} does not exist`, result: { msg: `${p.removes} does not exist, matching removes option` } };
    if (p.chdir && !p.chdir.startsWith('/')) throw new TaskFailure(`chdir ${p.chdir} must be an absolute path for a Unix-aware remote node`);
    const parts = shlexSplit(p.line);
    if (parts === null) throw new TaskFailure('No closing quotation');
    if (!parts.length) throw new TaskFailure('script: expected the name of a script (the free form, or cmd)');
    const source = findSource(ctx, 'files', parts[0]);
    const state = { source, line: p.line, first: parts[0] };
    if (ctx.check) {
      // Ansible: with creates/removes, that they did not skip it means it would run; without, it cannot tell
      if (p.creates || p.removes) return { changes: [`run the script ${parts[0]}`], state, result: {} };
      return { changes: [], skip: true, note: 'not run in check mode', result: { msg: 'Check mode is not supported for this task.' } };
    }
    return { changes: [`run the script ${parts[0]}`], state };
  },
  async apply(ctx, p, plan) {
    const { source, line, first } = plan.state!;
    const up = await ctx.conn.exec(`set -e; umask 077; d=$(mktemp -d "\${TMPDIR:-/tmp}/ansible-tmp-XXXXXXXX"); cat > "$d"/${shq(basename(source))}; chmod u+x "$d"/${shq(basename(source))}; printf '%s' "$d"`, { stdin: readFileSync(source) });
    if (up.code !== 0) throw new TaskFailure(`could not copy the script ${source} to the host: ${up.stderr.trim() || `exit ${up.code}`}`);
    const dir = up.stdout.trim();
    const tmpSrc = `${dir}/${basename(source)}`;
    // Ansible replaces the script's name, as written, with its path on the host (every occurrence, as
    // Python's str.replace), so the arguments keep their quoting
    const target = line.split(first).join(tmpSrc);
    const cmd = p.executable ? `${p.executable} ${target}` : target;
    const cd = p.chdir ? `cd ${p.chdir} && ` : '';
    const r = await ctx.conn.exec(`trap 'rm -rf -- ${shq(dir)}' EXIT; ${cd}${cmd}`);
    const result = { ...lowLevelResult(r), changed: true };
    if (r.code !== 0) throw new TaskFailure('non-zero return code', result);
    return result;
  },
};
