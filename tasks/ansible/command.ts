// Ansible's command and shell (modules/command.py, whose flow this follows step by step). command runs
// its words without a shell (the line split as Python's shlex does, each word quoted), so `{{ }}` values
// and `$`, `|`, `>` stay data; shell gives the text to `/bin/sh -c` as written (Ansible's semantics:
// quote values yourself with `| quote`). Free form as Ansible reads it: `command: ./x --y creates=/z
// chdir=/w` (split when the task is loaded). What Ansible refuses only when the module runs (no command,
// both a command and argv, a chdir that is not there) fails the task then, with its msg and rc.
import * as v from 'valibot';
import { Bool, PyStr } from '../lib/schema.ts';
import { shExpandWord, shJoin, shq } from '../../src/transport/quote.ts';
import { TaskFailure, type TaskContext, type TaskType } from '../../src/engine/task-type.ts';
import { factsOf, fileReads } from '../lib/files.ts';
import { commandResult, shlexSplit } from '../lib/commands.ts';


const entries = {
  /** the free form (`command: ls -l`), as Ansible names it */
  _raw_params: v.optional(v.nullable(PyStr)),
  cmd: v.optional(v.nullable(PyStr)),
  argv: v.optional(v.array(v.pipe(v.union([v.string(), v.number()]), v.transform(String)))),
  chdir: v.optional(PyStr),
  /** shell: the shell that runs the line; command: ignored with Ansible's warning */
  executable: v.optional(PyStr),
  /** skipped when this path (a glob) exists (relative paths: under chdir) */
  creates: v.optional(PyStr),
  /** skipped when this path (a glob) does not exist */
  removes: v.optional(PyStr),
  stdin: v.optional(PyStr),
  stdin_add_newline: v.optional(Bool, true),
  /** strip trailing \r and \n from stdout and stderr */
  strip_empty_ends: v.optional(Bool, true),
};

// the free form's options (creates=, chdir=...) were taken out of it when the task was loaded, before
// templating, as Ansible does (src/playbook/kv.ts): what is left is the command line
const free = <T extends { _raw_params?: string | null; cmd?: string | null }>({ _raw_params, cmd, ...p }: T) => ({ ...p, cmd: (_raw_params ?? cmd) || undefined });
const oneForm = <T extends { _raw_params?: string | null; cmd?: string | null }>() =>
  v.check<T, string>((p) => p._raw_params == null || p.cmd == null, "expected the command in cmd or in the free form, not both (Ansible: the 'cmd' argument cannot be used when other raw parameters are specified)");

const commandSchema = v.pipe(v.strictObject(entries), oneForm(), v.transform(free));
const shellSchema = v.pipe(
  v.strictObject({ ...entries, executable: v.optional(v.pipe(v.string(), v.regex(/^\//, 'expected the absolute path of a shell'))) }),
  oneForm(),
  v.transform(free),
);
type Params = v.InferOutput<typeof commandSchema>;

const under = (p: Params, path: string) => (path.startsWith('/') || !p.chdir ? path : `${p.chdir.replace(/\/$/, '')}/${path}`);

/** A glob pattern as a shell word: its metacharacters left for the shell, every other character quoted. */
const globWord = (pattern: string) => [...pattern].map((c) => (/[*?[\]A-Za-z0-9_/.,:=+@%-]/.test(c) ? c : shq(c))).join('');

/** Python's str(datetime.now()) and str(timedelta): Ansible's start, end and delta */
const pyDate = (d: Date) => {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}000`;
};
const pyDelta = (ms: number) => `${Math.floor(ms / 3600000)}:${String(Math.floor(ms / 60000) % 60).padStart(2, '0')}:${String(Math.floor(ms / 1000) % 60).padStart(2, '0')}.${String(ms % 1000).padStart(3, '0')}000`;

/**
 * The module's params as AnsibleModule returns them in every result (`invocation`): the callback shows
 * them from -vvv (runme.sh scripts grep them: no_log) and register drops them. `cmd` is `_raw_params`
 * there (Ansible's Task moves it before the module runs).
 */
const invocation = (p: Params, shell: boolean) => ({
  module_args: { _raw_params: p.cmd ?? null, _uses_shell: shell, argv: p.argv ?? null, chdir: p.chdir ?? null, creates: p.creates ?? null, executable: p.executable ?? null, removes: p.removes ?? null, stdin: p.stdin ?? null, stdin_add_newline: p.stdin_add_newline, strip_empty_ends: p.strip_empty_ends },
});

/** What Ansible's command module always returns (its `r`), before it runs anything. */
const base = (cmd: unknown, warnings: string[], invoked: ReturnType<typeof invocation>) => ({ stdout: '', stderr: '', rc: null as number | null, cmd, start: null, end: null, delta: null, msg: '', ...(warnings.length ? { warnings } : {}), invocation: invoked });

/** Does the glob (after chdir) match anything? Fails as Ansible's os.chdir when chdir is not a directory. */
async function matches(ctx: TaskContext, p: Params, pattern: string | undefined, r: Record<string, unknown>): Promise<boolean | undefined> {
  const cd = p.chdir ? `cd -P -- ${shq(p.chdir)} 2>/dev/null || { echo nochdir; exit 0; }; ` : '';
  if (pattern === undefined && !cd) return undefined;
  // a plain absolute path: what this run would have left there (check mode), or read ahead
  if (pattern !== undefined && !cd && !/[*?[]/.test(pattern) && pattern.startsWith('/')) return (await factsOf(ctx, pattern)).exists;
  const test = pattern === undefined ? 'echo no' : `for f in ${globWord(pattern)}; do if [ -e "$f" ] || [ -L "$f" ]; then echo yes; exit 0; fi; done; echo no`;
  const out = (await ctx.conn.exec(`${cd}${test}`)).stdout.trim();
  if (out === 'nochdir') throw new TaskFailure(`Unable to change directory before execution: [Errno 2] No such file or directory: b'${p.chdir}'`, { ...r, failed: true });
  return pattern === undefined ? undefined : out === 'yes';
}

const chdir = (p: Params) => (p.chdir ? `cd -P -- ${shq(p.chdir)} && ` : '');
/**
 * command's program looked up as Python's execvp looks it up (a path with a slash as it is, else each
 * $PATH directory), before the line runs: a program that is not there, or not executable, is the
 * module's OSError (rc = errno, no output; targets command_nonexisting), not the shell's "not found".
 */
const EXEC_FAILED = 'skiff-command-exec-failed-errno-';
function execGuard(word: string): string {
  const fail = (errno: number) => `{ printf '%s\\n' ${EXEC_FAILED}${errno} >&2; exit 127; }`;
  return (
    `w=${shExpandWord(word)}; case $w in */*) [ -e "$w" ] || ${fail(2)}; { [ -x "$w" ] && [ ! -d "$w" ]; } || ${fail(13)};; ` +
    `*) f=; IFS=:; for d in $PATH; do [ -x "\${d:-.}/$w" ] && [ ! -d "\${d:-.}/$w" ] && { f=1; break; }; done; unset IFS; [ -n "$f" ] || ${fail(2)};; esac; `
  );
}

/** The module's failure when its program could not be run (run_command's OSError), if that is what happened. */
function execFailure(r: { code: number; stderr: string }, words: string[]): Record<string, unknown> | undefined {
  const m = r.code === 127 ? new RegExp(`^${EXEC_FAILED}(\\d+)\n?$`).exec(r.stderr) : null;
  if (!m) return undefined;
  const errno = Number(m[1]);
  const what = errno === 2 ? 'No such file or directory' : 'Permission denied';
  // run_command's _clean_args: the words joined, each as Python's shlex.quote gives it
  const quote = (s: string) => (s === '' ? "''" : /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'"'"'`)}'`);
  return { rc: errno, stdout: '', stderr: '', stdout_lines: [], stderr_lines: [], cmd: words.map(quote).join(' '), msg: `[Errno ${errno}] ${what}: b'${words[0]}'`, changed: false };
}

const stdinOf = (p: Params) => (p.stdin === undefined ? undefined : p.stdin + (p.stdin_add_newline ? '\n' : ''));

function makeCommand(name: string, summary: string, schema: TaskType<Params>['schema'], shell: boolean): TaskType<Params> {
  const words = (p: Params) => (p.cmd !== undefined ? shlexSplit(p.cmd) : p.argv);
  const line = (p: Params) => (shell ? `${p.executable ?? '/bin/sh'} -c ${shq(p.cmd!)}` : shJoin(words(p)!));
  // what runs: command's words with $VAR and ~ expanded on the host, as Ansible's run_command does
  const runLine = (p: Params) => (shell ? line(p) : words(p)!.map(shExpandWord).join(' '));
  const warnings = (p: Params) => (!shell && p.executable ? [`As of Ansible 2.4, the parameter 'executable' is no longer supported with the 'command' module. Not using '${p.executable}'.`] : []);
  return {
    name,
    summary,
    schema,
    shortKey: '_raw_params',
    reads: (p) => fileReads(...[p.creates, p.removes].filter((x): x is string => x !== undefined && x.startsWith('/') && !/[*?[]/.test(x))),
    async plan(ctx, p) {
      const r = base(null, warnings(p), invocation(p, shell));
      if ((p.cmd === undefined || p.cmd.trim() === '') && !p.argv?.length) throw new TaskFailure('no command given', { ...r, rc: 256 });
      if (p.cmd !== undefined && p.argv?.length) throw new TaskFailure('only command or argv can be given, not both', { ...r, rc: 256 });
      if (!shell && words(p) === null) throw new TaskFailure('No closing quotation', r);
      const cmd = shell && p.cmd !== undefined ? p.cmd : words(p);
      Object.assign(r, { cmd });
      const would = ctx.check ? 'Would' : 'Did';
      const creates = p.creates === undefined ? undefined : under(p, p.creates);
      const removes = p.removes === undefined ? undefined : under(p, p.removes);
      const found = await matches(ctx, p, creates, r);
      if (creates !== undefined && found) {
        const stdout = `skipped, since ${p.creates} exists`;
        return { changes: [], note: stdout, result: { ...r, rc: 0, msg: `${would} not run command since '${p.creates}' exists`, stdout, stdout_lines: [stdout], stderr_lines: [] } };
      }
      if (removes !== undefined && !(await matches(ctx, p, removes, r))) {
        const stdout = `skipped, since ${p.removes} does not exist`;
        return { changes: [], note: stdout, result: { ...r, rc: 0, msg: `${would} not run command since '${p.removes}' does not exist`, stdout, stdout_lines: [stdout], stderr_lines: [] } };
      }
      // a command cannot say what it would change: not run in check mode, skipped; with creates/removes
      // (not met) it is changed there, as Ansible's
      const wouldRun = { ...r, rc: 0, msg: 'Command would have run if not in check mode', stdout_lines: [], stderr_lines: [] };
      if (ctx.check && p.creates === undefined && p.removes === undefined) return { changes: [], skip: true, note: `not run in check mode: ${line(p)}`, result: wouldRun };
      return { changes: [`run: ${line(p)}`], result: ctx.check ? wouldRun : r };
    },
    // async: the same command line, run as a background job whose result file has this result's fields
    background(_ctx, p, plan) {
      const { cmd, warnings } = plan.result as { cmd: unknown; warnings?: string[] };
      return { line: `${chdir(p)}${runLine(p)}`, stdin: stdinOf(p), base: { cmd, ...(warnings ? { warnings } : {}) }, stripEnds: p.strip_empty_ends };
    },
    async apply(ctx, p, plan) {
      const cd = chdir(p);
      const stdin = stdinOf(p);
      const start = new Date();
      const r = await ctx.conn.exec(`${cd}${shell ? '' : execGuard(words(p)![0])}${runLine(p)}`, { stdin });
      const end = new Date();
      const unrun = shell ? undefined : execFailure(r, words(p)!);
      if (unrun) {
        // fail_json's fields only: the module never timed a run
        const { start: _s, end: _e, delta: _d, ...rest } = plan.result as Record<string, unknown>;
        throw new TaskFailure(String(unrun.msg), { ...rest, ...unrun });
      }
      const out = commandResult(r);
      if (!p.strip_empty_ends) {
        const lines = (x: string) => (x === '' ? [] : x.replace(/\r?\n$/, '').split(/\r?\n/));
        Object.assign(out, { stdout: r.stdout, stderr: r.stderr, stdout_lines: lines(r.stdout), stderr_lines: lines(r.stderr) });
      }
      const result = { ...plan.result, ...out, start: pyDate(start), end: pyDate(end), delta: pyDelta(end.getTime() - start.getTime()), msg: '' };
      if (r.code !== 0) throw new TaskFailure('non-zero return code', { ...result, msg: 'non-zero return code', changed: true });
      return result;
    },
  };
}

export const commandType = makeCommand('ansible.builtin.command', 'run a program without a shell (Ansible\'s command), unless creates exists or removes is missing', commandSchema, false);

export const shellType = makeCommand('ansible.builtin.shell', 'run a shell command line through /bin/sh -c (Ansible\'s shell), unless creates exists or removes is missing', shellSchema, true);
