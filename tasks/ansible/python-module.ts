// A playbook's own Python module (library/NAME.py beside the playbook or in the role, as Ansible finds
// it): skiff cannot know what it does, so it runs it as Ansible does. The controller's ansible-core
// builds the module's AnsiballZ payload (module_common.modify_module: the module with the
// module_utils it imports and its arguments, one self-contained Python script), which is piped to the
// host's Python, as Ansible's pipelining does; the module's JSON on stdout is the task's result.
// ansible-core must be installed on the controller for this (Debian: apt install ansible-core); a
// playbook that uses no such module never needs it. Action plugins (action_plugins/NAME.py) run inside
// Ansible's own process and stay refused.
import { randomInt } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import * as v from 'valibot';
import { shq } from '../../src/transport/quote.ts';
import { TaskFailure, TemplateFailure, type TaskContext, type TaskType } from '../../src/engine/task-type.ts';
import type { Connection } from '../../src/transport/types.ts';
import { CONTROLLER_PYTHON, coreModulePath } from './core-modules.ts';
import { argsFile, buildPayload, type Payload } from './payload-builder.ts';
import { evaluate } from '../../src/template/expr.ts';
import { parseJsonFloats } from '../../src/template/py-float.ts';
import { isDiscoveryMode } from '../../src/engine/interpreter-discovery.ts';


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
 * The module's JSON from its stdout as Ansible's _filter_non_json_lines (objects only) finds it: from
 * the first line that starts with `{` to the last that ends with `}`; undefined when there is none or
 * it is not a JSON object. `junk`: Ansible's warning for non-blank lines after it.
 */
export function moduleOutput(stdout: string): { result: Record<string, unknown>; junk?: string } | undefined {
  const lines = stdout.split(/\r\n|\r|\n/);
  if (lines.at(-1) === '') lines.pop();
  const start = lines.findIndex((l) => l.trim().startsWith('{'));
  if (start < 0) return undefined;
  let end = lines.length;
  while (end > start && !lines[end - 1].trim().endsWith('}')) end--;
  if (end === start) return undefined;
  try {
    // as Python's json.loads: a whole float (stat's mtime 1677742435.0) stays a float, shown as one
    const result = parseJsonFloats(lines.slice(start, end).join('\n')) as Record<string, unknown> | null;
    if (!result || typeof result !== 'object' || Array.isArray(result)) return undefined;
    const trailing = lines.slice(end);
    return trailing.some((l) => l.trim()) ? { result, junk: `Module invocation had junk after the JSON data: ${trailing.join('\n')}` } : { result };
  } catch {
    return undefined;
  }
}

/** The module's JSON from its stdout, junk lines before and after left out; undefined when there is none. */
export const moduleJson = (stdout: string) => moduleOutput(stdout)?.result;

/**
 * The host's Python for modules: ansible_python_interpreter as the task sees it (its vars too), or
 * the one discovered for the host when it asks for discovery (auto...); /usr/bin/python3 when unset.
 */
export function interpreterOf(ctx: Pick<TaskContext, 'vars' | 'scope'>): string {
  let v: unknown = ctx.vars.ansible_python_interpreter;
  try {
    if (ctx.scope) v = evaluate('ansible_python_interpreter', ctx.scope);
  } catch {
    // not defined in the task's scope: the host's, if any
  }
  if (isDiscoveryMode(v)) {
    const facts = ctx.vars.ansible_facts as Record<string, unknown> | undefined;
    v = facts?.discovered_interpreter_python;
  }
  return typeof v === 'string' && v ? v : '/usr/bin/python3';
}
const word = (interpreter: string) => interpreter.replace(/[^\w./-]/g, '');

/**
 * The interpreter vars Ansible's _get_shebang reads for the module in `path`: the host's Python
 * (discovered when it asks for it), and ansible_<name>_interpreter for a module whose shebang's
 * interpreter is <name> (`#!/bin/bash` runs under ansible_bash_interpreter when it is set).
 */
function interpreterVars(ctx: Pick<TaskContext, 'vars' | 'scope'>, path: string): Record<string, string> {
  const out: Record<string, string> = { ansible_python_interpreter: interpreterOf(ctx) };
  const first = firstLine(path);
  const name = first?.startsWith('#!') ? basename(first.slice(2).trim().split(/\s+/)[0] ?? '') : '';
  if (!name || name === 'python') return out;
  const key = `ansible_${name}_interpreter`;
  const inScope = ctx.scope?.(key);
  const value = inScope?.found ? inScope.value : ctx.vars[key];
  // a value still to be rendered is not the interpreter's path (modify_module would template it against no vars)
  if (typeof value === 'string' && !value.includes('{')) out[key] = value;
  return out;
}

/** playbook_dir: a magic variable of the task's scope (the host's vars do not hold it) */
function playbookDir(ctx: Pick<TaskContext, 'vars' | 'scope'>): string | undefined {
  const inScope = ctx.scope?.('playbook_dir');
  const v = inScope?.found ? inScope.value : ctx.vars.playbook_dir;
  return typeof v === 'string' ? v : undefined;
}

function firstLine(path: string): string | undefined {
  try {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(1024);
      const n = readSync(fd, buf, 0, buf.length, 0);
      return buf.subarray(0, n).toString('latin1').split('\n')[0];
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

type Ctx = Pick<TaskContext, 'vars' | 'conn' | 'check' | 'diff' | 'warn' | 'scope'>;

/**
 * A new remote tmp dir as Ansible's _make_tmp_path makes it (under remote_tmp, `ansible-tmp-` in its
 * name), for a module that is not piped to its interpreter; `what` says what it is for.
 */
async function makeTmp(conn: Connection, what: string): Promise<string> {
  const made = await conn.exec(`umask 77 && mkdir -p "$HOME/.ansible/tmp" && mktemp -d "$HOME/.ansible/tmp/ansible-tmp-$(date +%s)-XXXXXXXXXX"`);
  const tmp = made.stdout.trim();
  if (made.code !== 0 || !tmp.startsWith('/')) throw new TaskFailure(`could not make a temporary directory on the host for ${what}: ${made.stderr.trim()}`);
  return tmp;
}

async function putFile(conn: Connection, path: string, data: Buffer, what: string): Promise<void> {
  const put = await conn.exec(`cat >${shq(path)} && chmod u+x ${shq(path)}`, { stdin: data });
  if (put.code !== 0) throw new TaskFailure(`could not put ${what} on the host: ${put.stderr.trim()}`);
}

/**
 * A module that is not new-style put in `tmp` as Ansible's _execute_module transfers it: the module as
 * AnsiballZ_<file name>, its arguments in `args` (key=value words or JSON, by its style), both
 * executable. Returns the two paths.
 */
async function putModule(ctx: Ctx, name: string, path: string, payload: Payload, args: Record<string, unknown>, tmp: string): Promise<{ module: string; args: string }> {
  if (payload.style === 'new') throw new Error('a new-style module is piped, not put');
  // an error of the action, not of the module: failed and msg only, as Ansible's AnsibleError there
  if (!payload.shebang && payload.style !== 'binary') throw new TemplateFailure(`module (${name}) is missing interpreter line`);
  const module = `${tmp}/AnsiballZ_${basename(path)}`;
  const argsPath = `${tmp}/args`;
  // the module sees the tmp dir it runs from (Ansible's _ansible_tmpdir when it is not piped)
  const text = await argsFile(payload.style, { ...args, _ansible_tmpdir: `${tmp}/` });
  await putFile(ctx.conn, module, payload.data, `the module ${name}`);
  await putFile(ctx.conn, argsPath, text, `the arguments of the module ${name}`);
  return { module, args: argsPath };
}

/** The interpreter of a shebang (`#!/usr/bin/env bash` -> `/usr/bin/env bash`), as Ansible's command line has it. */
const interpreterLine = (shebang: string | null) => (shebang ?? '').replace('#!', '').trim();

/**
 * The task's result from what the module printed, as Ansible's _parse_returned_data and TaskExecutor
 * make it: a TaskFailure with Ansible's MODULE FAILURE shape when there is no JSON object; else failed
 * when it says `failed` or a non-zero `rc` (the exit status itself does not count), changed only when
 * it says so. Junk after the JSON is Ansible's warning.
 */
export function moduleResult(r: { code: number; stdout: string; stderr: string }, shebang: string | null, warn?: (text: string) => void): Record<string, unknown> {
  const out = moduleOutput(r.stdout);
  if (!out) {
    const interpreter = shebang === null ? undefined : shebang.replace(/^[!#]+/, '');
    const missing = interpreter !== undefined && [r.stderr, r.stdout].some((s) => s.includes(`${interpreter}: No such file or directory`) || s.includes(`${interpreter}: not found`));
    const exception = r.stderr.startsWith('Traceback') ? r.stderr : r.stdout.startsWith('Traceback') ? r.stdout : undefined;
    const msg = `${missing ? 'The module failed to execute correctly, you probably need to set the interpreter.' : 'MODULE FAILURE'}\nSee stdout/stderr for the exact error`;
    throw new TaskFailure(msg, { module_stdout: r.stdout, module_stderr: r.stderr, ...(exception ? { exception } : {}), rc: r.code });
  }
  if (out.junk) warn?.(out.junk);
  const result = out.result;
  for (const k of Object.keys(result)) if (k.startsWith('_ansible_')) delete result[k];
  // facts an action may set but a module may not (ActionBase._remove_internal_keys): the interpreter it
  // found, which would be run as the host's Python (test_prevent_injection.yml's bogus_facts)
  const facts = result.ansible_facts;
  if (facts && typeof facts === 'object' && !Array.isArray(facts)) for (const k of Object.keys(facts)) if (/^(ansible_)?discovered_interpreter_/.test(k)) delete (facts as Record<string, unknown>)[k];
  // Ansible splits them for the module (ActionBase._execute_module)
  for (const k of ['stdout', 'stderr'] as const) if (k in result && !(`${k}_lines` in result)) result[`${k}_lines`] = String(result[k] || '').split(/\r\n|\r|\n/).filter((l, i, a) => i < a.length - 1 || l !== '');
  const failed = 'failed' in result ? !!result.failed : 'rc' in result && result.rc !== 0 && result.rc !== '0';
  if (failed) throw new TaskFailure(typeof result.msg === 'string' ? result.msg : 'MODULE FAILURE', result);
  // a module that does not say is not changed (TaskExecutor's default)
  return { ...result, changed: result.changed === true };
}

/** Runs the module on the host: its result, or a TaskFailure with Ansible's MODULE FAILURE shape. */
async function runModule(ctx: Ctx, name: string, path: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
  const args = { ...params, ...internalArgs(ctx, name) };
  const payload = await buildPayload(name, path, args, interpreterVars(ctx, path), playbookDir(ctx));
  // a new-style module is piped to its interpreter, as Ansible's pipelining does: an AnsiballZ payload
  // to the host's Python, a JSON-args one (<<INCLUDE_ANSIBLE_MODULE_JSON_ARGS>>) to its shebang's
  if (payload.style === 'new') {
    const line = interpreterLine(payload.shebang);
    const python = basename(line.split(/\s+/)[0] ?? '').startsWith('python');
    return moduleResult(await ctx.conn.exec(python || !line ? `${word(interpreterOf(ctx))} -` : line, { stdin: payload.data }), payload.shebang, ctx.warn);
  }
  // the others run from a tmp dir with their arguments file as argv[1], through their shebang's interpreter
  const tmp = await makeTmp(ctx.conn, `the module ${name}`);
  try {
    const put = await putModule(ctx, name, path, payload, args, tmp);
    const line = [interpreterLine(payload.shebang), shq(put.module), shq(put.args)].filter((w) => w).join(' ');
    return moduleResult(await ctx.conn.exec(line), payload.shebang, ctx.warn);
  } finally {
    await ctx.conn.exec(`rm -f -r ${shq(tmp)} >/dev/null 2>&1`).catch(() => undefined);
  }
}

/**
 * `async:` as Ansible's _execute_module runs it (wrap_async): the module's payload and ansible-core's
 * own async_wrapper are put in a new remote tmp dir (its name has `-tmp-`, so the wrapper removes it
 * when the job is over), and the wrapper is run: it forks the module off, writes the job's result file
 * under ANSIBLE_ASYNC_DIR (started, then the module's JSON or its failure), kills it at the time limit,
 * and says the jid it made (`j<random>.<pid>`) and the result file. A module that is not new-style
 * gets its arguments file as the wrapper's last word (the wrapper runs it through its shebang).
 */
export async function startModuleJob(ctx: Ctx, name: string, path: string, params: Record<string, unknown>, dir: string, limitS: number): Promise<{ jid: string; resultsFile: string }> {
  const wrapper = coreModulePath('async_wrapper');
  if (!wrapper) throw new TaskFailure(`async needs ansible-core's async_wrapper on the controller (${CONTROLLER_PYTHON} -c 'import ansible')`);
  const interpreter = interpreterOf(ctx);
  const vars = interpreterVars(ctx, path);
  const args = { ...params, ...internalArgs(ctx, name) };
  const [module, wrap] = await Promise.all([buildPayload(name, path, args, vars, playbookDir(ctx)), buildPayload('ansible.legacy.async_wrapper', wrapper, {}, vars)]);
  const tmp = await makeTmp(ctx.conn, 'the async job');
  // the wrapper removes the tmp dir once the job is over; before it starts, skiff does
  const dropTmp = () => ctx.conn.exec(`rm -rf ${shq(tmp)}`).catch(() => undefined);
  let file: string;
  let argsPath = '_';
  try {
    if (module.style === 'new') {
      file = `${tmp}/AnsiballZ_${basename(path)}`;
      await putFile(ctx.conn, file, module.data, `the module ${name} for the async job`);
    } else ({ module: file, args: argsPath } = await putModule(ctx, name, path, module, args, tmp));
  } catch (e) {
    await dropTmp();
    throw e;
  }
  // Ansible's jid: j + a random number; the wrapper adds . and its pid
  const jid = `j${randomInt(0, 999999999999)}`;
  const r = await ctx.conn.exec(`cat >${shq(`${tmp}/async_wrapper.py`)} && ANSIBLE_ASYNC_DIR=${shq(dir)} ${word(interpreter)} ${shq(`${tmp}/async_wrapper.py`)} ${jid} ${limitS} ${shq(file)} ${argsPath === '_' ? '_' : shq(argsPath)}`, { stdin: wrap.data });
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
export async function ansibleFacts(conn: Connection, interpreter: string, subset: string[], opts: { factPath?: string; timeout?: number; filter?: string[] } = {}): Promise<Record<string, unknown>> {
  const setup = coreModulePath('setup');
  if (!setup) throw new TaskFailure(`this play reads facts only Ansible's setup module gathers (gather_subset ${subset.join(',')}): it needs ansible-core on the controller (${CONTROLLER_PYTHON} -c 'import ansible')`);
  const result = await runModule({ vars: { ansible_python_interpreter: interpreter }, conn, check: false, diff: false }, 'ansible.builtin.setup', setup, { gather_subset: subset, gather_timeout: opts.timeout ?? 10, filter: opts.filter ?? [], fact_path: opts.factPath ?? '/etc/ansible/facts.d' });
  const facts = (result.ansible_facts ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(facts).map(([k, x]) => [k.startsWith('ansible_') && k !== 'ansible_local' ? k.slice(8) : k, x]));
}
