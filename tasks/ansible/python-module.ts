// A playbook's own Python module (library/NAME.py beside the playbook or in the role, as Ansible finds
// it): skiff cannot know what it does, so it runs it as Ansible does. The controller's ansible-core
// builds the module's AnsiballZ payload (module_common.modify_module: the module with the
// module_utils it imports and its arguments, one self-contained Python script), which is piped to the
// host's Python, as Ansible's pipelining does; the module's JSON on stdout is the task's result.
// ansible-core must be installed on the controller for this (Debian: apt install ansible-core); a
// playbook that uses no such module never needs it. Action plugins (action_plugins/NAME.py) run inside
// Ansible's own process and stay refused.
import { randomInt } from 'node:crypto';
import { basename } from 'node:path';
import * as v from 'valibot';
import { shq } from '../../src/transport/quote.ts';
import { TaskFailure, type TaskContext, type TaskType } from '../../src/engine/task-type.ts';
import type { Connection } from '../../src/transport/types.ts';
import { CONTROLLER_PYTHON, coreModulePath } from './core-modules.ts';
import { buildPayload } from './payload-builder.ts';


/** What Ansible's action plugin adds to every module's arguments (ActionBase._update_module_args). */
function internalArgs(ctx: Pick<TaskContext, 'check' | 'diff'>, name: string): Record<string, unknown> {
  return {
    _ansible_check_mode: ctx.check,
    _ansible_no_log: false,
    _ansible_debug: false,
    _ansible_diff: ctx.diff ?? false,
    _ansible_verbosity: 0,
    _ansible_version: '2.14.18',
    _ansible_module_name: name,
    _ansible_syslog_facility: 'LOG_USER',
    _ansible_selinux_special_fs: ['fuse', 'nfs', 'vboxsf', 'ramfs', '9p', 'vfat'],
    _ansible_string_conversion_action: 'warn',
    _ansible_socket: null,
    _ansible_shell_executable: '/bin/sh',
    _ansible_keep_remote_files: false,
    _ansible_tmpdir: null,
    _ansible_remote_tmp: '~/.ansible/tmp',
  };
}

/**
 * The module's JSON from its stdout, junk lines before and after left out (Ansible's
 * _filter_non_json_lines); undefined when there is none.
 */
export function moduleJson(stdout: string): Record<string, unknown> | undefined {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.trimStart().startsWith('{'));
  if (start < 0) return undefined;
  for (let end = lines.length; end > start; end--) {
    if (!lines[end - 1].trimEnd().endsWith('}')) continue;
    try {
      const j = JSON.parse(lines.slice(start, end).join('\n'));
      if (j && typeof j === 'object' && !Array.isArray(j)) return j;
    } catch {
      // a shorter span may be the JSON
    }
  }
  return undefined;
}

/** The host's Python for modules (ansible_python_interpreter), as a word safe in a command line. */
const interpreterOf = (vars: Record<string, unknown>) => (typeof vars.ansible_python_interpreter === 'string' ? vars.ansible_python_interpreter : '/usr/bin/python3');
const word = (interpreter: string) => interpreter.replace(/[^\w./-]/g, '');

/** Runs the module on the host: its result, or a TaskFailure with Ansible's MODULE FAILURE shape. */
async function runModule(ctx: Pick<TaskContext, 'vars' | 'conn' | 'check' | 'diff'>, name: string, path: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
  const interpreter = interpreterOf(ctx.vars);
  const payload = await buildPayload(name, path, { ...params, ...internalArgs(ctx, name) }, interpreter);
  const r = await ctx.conn.exec(`${word(interpreter)} -`, { stdin: payload });
  const result = moduleJson(r.stdout);
  if (!result) {
    throw new TaskFailure('MODULE FAILURE\nSee stdout/stderr for the exact error', { module_stdout: r.stdout, module_stderr: r.stderr, rc: r.code });
  }
  for (const k of Object.keys(result)) if (k.startsWith('_ansible_')) delete result[k];
  if (result.failed === true || (r.code !== 0 && result.failed === undefined)) throw new TaskFailure(typeof result.msg === 'string' ? result.msg : 'MODULE FAILURE', { ...result, ...(r.code !== 0 ? { rc: r.code } : {}) });
  // a module that does not say is not changed (TaskExecutor's default)
  return { ...result, changed: result.changed === true };
}

/**
 * `async:` as Ansible's _execute_module runs it (wrap_async): the module's payload and ansible-core's
 * own async_wrapper are put in a new remote tmp dir (its name has `-tmp-`, so the wrapper removes it
 * when the job is over), and the wrapper is run: it forks the module off, writes the job's result file
 * under ANSIBLE_ASYNC_DIR (started, then the module's JSON or its failure), kills it at the time limit,
 * and says the jid it made (`j<random>.<pid>`) and the result file.
 */
export async function startModuleJob(ctx: Pick<TaskContext, 'vars' | 'conn' | 'check' | 'diff'>, name: string, path: string, params: Record<string, unknown>, dir: string, limitS: number): Promise<{ jid: string; resultsFile: string }> {
  const wrapper = coreModulePath('async_wrapper');
  if (!wrapper) throw new TaskFailure(`async needs ansible-core's async_wrapper on the controller (${CONTROLLER_PYTHON} -c 'import ansible')`);
  const interpreter = interpreterOf(ctx.vars);
  const [module, wrap] = await Promise.all([buildPayload(name, path, { ...params, ...internalArgs(ctx, name) }, interpreter), buildPayload('ansible.legacy.async_wrapper', wrapper, {}, interpreter)]);
  // Ansible's remote_tmp (~/.ansible/tmp) and its tmp dir name
  const made = await ctx.conn.exec(`umask 77 && mkdir -p "$HOME/.ansible/tmp" && mktemp -d "$HOME/.ansible/tmp/ansible-tmp-$(date +%s)-XXXXXXXXXX"`);
  const tmp = made.stdout.trim();
  if (made.code !== 0 || !tmp.startsWith('/')) throw new TaskFailure(`could not make a temporary directory on the host for the async job: ${made.stderr.trim()}`);
  const file = `AnsiballZ_${basename(path)}`;
  // the wrapper removes the tmp dir once the job is over; before it starts, skiff does
  const dropTmp = () => ctx.conn.exec(`rm -rf ${shq(tmp)}`).catch(() => undefined);
  const put = await ctx.conn.exec(`cat >${shq(`${tmp}/${file}`)}`, { stdin: module });
  if (put.code !== 0) {
    await dropTmp();
    throw new TaskFailure(`could not put the module on the host for the async job: ${put.stderr.trim()}`);
  }
  // Ansible's jid: j + a random number; the wrapper adds . and its pid
  const jid = `j${randomInt(0, 999999999999)}`;
  const r = await ctx.conn.exec(`cat >${shq(`${tmp}/async_wrapper.py`)} && ANSIBLE_ASYNC_DIR=${shq(dir)} ${word(interpreter)} ${shq(`${tmp}/async_wrapper.py`)} ${jid} ${limitS} ${shq(`${tmp}/${file}`)} _`, { stdin: wrap });
  const out = moduleJson(r.stdout);
  if (!out || out.failed) {
    await dropTmp();
    throw new TaskFailure(typeof out?.msg === 'string' ? out.msg : 'MODULE FAILURE\nSee stdout/stderr for the exact error', out ?? { module_stdout: r.stdout, module_stderr: r.stderr, rc: r.code });
  }
  return { jid: String(out.ansible_job_id), resultsFile: String(out.results_file) };
}

/** The task type of the module in `path`: any arguments (the module checks them, as in Ansible). */
export function pythonModule(name: string, path: string): TaskType<Record<string, unknown>> {
  return {
    name,
    summary: `the playbook's Python module ${path}, run as Ansible runs it`,
    schema: v.pipe(v.nullish(v.record(v.string(), v.unknown()), {}), v.transform((p) => p ?? {})),
    async plan(ctx, p) {
      // the module decides what it would change: in check mode it runs with _ansible_check_mode (a
      // module without check-mode support skips itself there, as under Ansible)
      if (!ctx.check) return { changes: [`run the Python module ${name}`] };
      const result = await runModule(ctx, name, path, p);
      return { changes: result.changed === true ? [`${name} would change`] : [], skip: result.skipped === true, result };
    },
    // changed or ok, as the module's result says
    apply: (ctx, p) => runModule(ctx, name, path, p),
    startJob: (ctx, p, dir, limitS) => startModuleJob(ctx, name, path, p, dir, limitS),
  };
}

/**
 * Ansible's setup module run on the host for these gather_subset collectors: its facts without the
 * `ansible_` prefix (VariableManager's namespace_facts). Registry.ansibleFacts.
 */
export async function ansibleFacts(conn: Connection, interpreter: string, subset: string[], opts: { factPath?: string; timeout?: number } = {}): Promise<Record<string, unknown>> {
  const setup = coreModulePath('setup');
  if (!setup) throw new TaskFailure(`this play reads facts only Ansible's setup module gathers (gather_subset ${subset.join(',')}): it needs ansible-core on the controller (${CONTROLLER_PYTHON} -c 'import ansible')`);
  const result = await runModule({ vars: { ansible_python_interpreter: interpreter }, conn, check: false, diff: false }, 'ansible.builtin.setup', setup, { gather_subset: subset, gather_timeout: opts.timeout ?? 10, filter: [], fact_path: opts.factPath ?? '/etc/ansible/facts.d' });
  const facts = (result.ansible_facts ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(facts).map(([k, x]) => [k.startsWith('ansible_') && k !== 'ansible_local' ? k.slice(8) : k, x]));
}
