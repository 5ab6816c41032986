// A playbook's own Python module (library/NAME.py beside the playbook or in the role, as Ansible finds
// it): skiff cannot know what it does, so it runs it as Ansible does. The controller's ansible-core
// builds the module's AnsiballZ payload (module_common.modify_module: the module with the
// module_utils it imports and its arguments, one self-contained Python script), which is piped to the
// host's Python, as Ansible's pipelining does; the module's JSON on stdout is the task's result.
// ansible-core must be installed on the controller for this (Debian: apt install ansible-core); a
// playbook that uses no such module never needs it. Action plugins (action_plugins/NAME.py) run inside
// Ansible's own process and stay refused.
import * as v from 'valibot';
import { spawnSync } from 'node:child_process';
import { TaskFailure, type TaskContext, type TaskType } from '../../src/engine/task-type.ts';

/** The controller's Python that has ansible-core (Debian's; the one on PATH may be another). */
export const CONTROLLER_PYTHON = process.env.SKIFF_ANSIBLE_PYTHON ?? '/usr/bin/python3';

// stdin: {name, path, args, interpreter}; stdout: the payload, as Ansible's action plugin builds it
const BUILD = `
import json, sys
from ansible.executor.module_common import modify_module
from ansible.template import Templar
from ansible.parsing.dataloader import DataLoader
r = json.load(sys.stdin)
data, style, shebang = modify_module(r['name'], r['path'], r['args'], Templar(loader=DataLoader()), task_vars={'ansible_python_interpreter': r['interpreter']}, module_compression='ZIP_DEFLATED')
if style != 'new':
    sys.exit('skiff runs new-style Python modules (AnsibleModule) only: %s is %s' % (r['path'], style))
sys.stdout.buffer.write(data)
`;

/** The payload for this module and these arguments, built by the controller's ansible-core. */
export function buildPayload(name: string, path: string, args: Record<string, unknown>, interpreter: string): Buffer {
  const r = spawnSync(CONTROLLER_PYTHON, ['-c', BUILD], { input: JSON.stringify({ name, path, args, interpreter }), maxBuffer: 64 << 20 });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : r.stderr.toString().trim().split('\n').pop();
    throw new TaskFailure(`could not build the Python module ${name} (${path}): it needs ansible-core on the controller (${CONTROLLER_PYTHON} -c 'import ansible'): ${why}`);
  }
  return r.stdout;
}

/** What Ansible's action plugin adds to every module's arguments (ActionBase._update_module_args). */
function internalArgs(ctx: TaskContext, name: string): Record<string, unknown> {
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

/** Runs the module on the host: its result, or a TaskFailure with Ansible's MODULE FAILURE shape. */
async function runModule(ctx: TaskContext, name: string, path: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
  const interpreter = typeof ctx.vars.ansible_python_interpreter === 'string' ? ctx.vars.ansible_python_interpreter : '/usr/bin/python3';
  const payload = buildPayload(name, path, { ...params, ...internalArgs(ctx, name) }, interpreter);
  const r = await ctx.conn.exec(`${interpreter.replace(/[^\w./-]/g, '')} -`, { stdin: payload });
  const result = moduleJson(r.stdout);
  if (!result) {
    throw new TaskFailure('MODULE FAILURE\nSee stdout/stderr for the exact error', { module_stdout: r.stdout, module_stderr: r.stderr, rc: r.code });
  }
  for (const k of Object.keys(result)) if (k.startsWith('_ansible_')) delete result[k];
  if (result.failed === true || (r.code !== 0 && result.failed === undefined)) throw new TaskFailure(typeof result.msg === 'string' ? result.msg : 'MODULE FAILURE', { ...result, ...(r.code !== 0 ? { rc: r.code } : {}) });
  // a module that does not say is not changed (TaskExecutor's default)
  return { ...result, changed: result.changed === true };
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
  };
}
