// A Python action plugin (a playbook's or role's action_plugins/NAME.py, a collection's
// plugins/action/NAME.py) run as Ansible's TaskExecutor runs it: inside the controller's ansible-core,
// the plugin's class given a Task of the task's action and arguments, a PlayContext, a DataLoader, a
// Templar of the task's variables and ansible-core's plugin loaders. Its connection is a proxy: a
// ConnectionBase whose exec_command, put_file and fetch_file ask skiff (a JSON line on the process's
// stdout, the answer on its stdin), and skiff runs them on the host through the task's own connection,
// become included (the proxy has no become plugin: a sudoable command becomes as skiff's own commands
// do). So ActionBase's own machinery works unchanged: _execute_module builds the AnsiballZ payload and
// pipes it through exec_command, _low_level_execute_command, _make_tmp_path, _transfer_data. The
// plugin's result is the task's, as TaskExecutor reads it (failed, a non-zero rc, changed, skipped).
// Each run is one Python process (importing ansible ~1 s): plugins keep state in their module, as they
// do in Ansible's per-task worker process.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as v from 'valibot';
import { shq } from '../../src/transport/quote.ts';
import { UnreachableError } from '../../src/transport/types.ts';
import { TaskFailure, TemplateFailure, type TaskContext, type TaskType } from '../../src/engine/task-type.ts';
import { CONTROLLER_PYTHON } from './core-modules.ts';
import { collectionsEnv, playbookPaths } from '../../src/playbook/collections.ts';
import { floatJson } from '../../src/template/py-float.ts';
import { PY_FLOATS, fromWire, wire } from '../../src/template/py-plugins.ts';
import { taskVariables } from '../../src/lookup/python-lookup.ts';
import { runVaultSecrets } from '../../src/lookup/base.ts';
import { untracked } from '../../src/template/unsafe.ts';
import { interpreterOf } from './python-module.ts';

const SERVER = `
import base64, json, os, sys, traceback
# the plugin's print() and Display's lines must not be taken for a message: those go to stderr
out = os.fdopen(os.dup(1), 'w')
os.dup2(2, 1)
from ansible import constants as C
from ansible.errors import AnsibleError, AnsibleConnectionFailure
from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text
from ansible.parsing.dataloader import DataLoader
from ansible.parsing.vault import VaultSecret
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.plugins.connection import ConnectionBase
import ansible.plugins.loader as plugin_loader
from ansible.plugins.loader import add_all_plugin_dirs, action_loader, connection_loader, get_shell_plugin
import ansible
from ansible.template import Templar
from ansible.utils.collection_loader import AnsibleCollectionConfig

def ask(req):
    out.write(json.dumps(req) + '\\n')
    out.flush()
    line = sys.stdin.readline()
    if not line:
        sys.exit(1)
    return json.loads(line)

class Connection(ConnectionBase):
    # the task's own connection, in skiff: its commands run where the task runs
    transport = 'skiff'
    has_pipelining = True

    def _connect(self):
        self._connected = True
        return self

    def get_option(self, option, hostvars=None):
        # modules are piped to the host's Python (ActionBase._is_pipelining_enabled), as skiff pipes them
        if option == 'pipelining':
            return True
        raise KeyError(option)

    def exec_command(self, cmd, in_data=None, sudoable=True):
        a = ask({'exec': to_text(cmd, errors='surrogate_or_strict'), 'stdin': base64.b64encode(to_bytes(in_data)).decode() if in_data is not None else None, 'sudoable': sudoable})
        if 'unreachable' in a:
            raise AnsibleConnectionFailure(a['unreachable'])
        if 'error' in a:
            raise AnsibleError(a['error'])
        return a['rc'], to_bytes(a['stdout'], errors='surrogate_or_strict'), to_bytes(a['stderr'], errors='surrogate_or_strict')

    def put_file(self, in_path, out_path):
        a = ask({'put': to_text(in_path), 'to': to_text(out_path)})
        if a.get('error'):
            raise AnsibleError(a['error'])

    def fetch_file(self, in_path, out_path):
        a = ask({'fetch': to_text(in_path), 'to': to_text(out_path)})
        if a.get('error'):
            raise AnsibleError(a['error'])

    def reset(self):
        # the task's connection closed; the next command opens a new one (reboot waits for the host this way)
        a = ask({'reset': True})
        if a.get('error'):
            raise AnsibleConnectionFailure(a['error'])

    def close(self):
        self._connected = False

${PY_FLOATS}
def plain(v):
    if isinstance(v, bytes):
        return v.decode('utf-8', 'surrogateescape')
    try:
        return dict(v)
    except (TypeError, ValueError):
        pass
    try:
        return list(iter(v))
    except TypeError:
        return str(v)

def run(r):
    for d in r['dirs']:
        if os.path.isdir(d):
            add_all_plugin_dirs(d)
    AnsibleCollectionConfig.playbook_paths = r['playbooks']
    loader = DataLoader()
    loader.set_basedir(r['basedir'])
    loader.set_vault_secrets([(s['id'], VaultSecret(base64.b64decode(s['password']))) for s in r['vault']])
    task_vars = r['vars']
    templar = Templar(loader=loader, variables=task_vars)
    task = Task()
    task.action = r['action']
    task.resolved_action = r['action']
    task.args = r['args']
    task.check_mode = r['check']
    task.diff = r['diff']
    task.environment = []
    task.collections = r['collections']
    search = r['search']
    # the task's role and file directories, where _find_needle looks for files/ and templates/
    task.get_search_path = lambda: list(search)
    pc = PlayContext()
    pc.check_mode = r['check']
    pc.diff = r['diff']
    pc.remote_addr = r['host']
    shell_type = task_vars.get('ansible_shell_type')
    pc.shell = templar.template(shell_type) if shell_type else None
    conn = None
    # a connection plugin of the playbook's (connection_plugins/NAME.py) the task names: the plugin is
    # Ansible's to run, as it runs it (skiff's own tasks have only its local and ssh connections)
    name = task_vars.get('ansible_connection')
    if isinstance(name, str) and name not in ('local', 'ssh', 'smart', 'ansible.builtin.local', 'ansible.builtin.ssh'):
        found = connection_loader.find_plugin_with_context(name)
        if found.resolved and not found.plugin_resolved_path.startswith(os.path.dirname(ansible.__file__) + os.sep):
            conn = connection_loader.get(name, pc, None)
    if conn is None:
        shell = get_shell_plugin(shell_type=pc.shell or 'sh', executable=task_vars.get('ansible_shell_executable') or C.DEFAULT_EXECUTABLE)
        conn = Connection(pc, None, shell=shell)
        # the connection plugin skiff's connection stands for: reboot refuses a local one (it would reboot the controller)
        conn.transport = r['transport']
    # the shell's options from the task's variables (remote_tmp...), as TaskExecutor sets them
    opts = {}
    for k in C.config.get_plugin_vars('shell', conn._shell._load_name):
        if k in task_vars:
            opts[k] = templar.template(task_vars[k])
    conn._shell.set_options(var_options=opts)
    # TaskExecutor's _get_action_handler_with_module_context: the action plugin the module's routing
    # names, else one of the task's name, else its network family's (eos_facts: eos)
    collection, _, module_name = r['action'].rpartition('.')
    prefix = module_name.split('_')[0]
    network = '%s.%s' % (collection, prefix) if collection else prefix
    module = plugin_loader.module_loader.find_plugin_with_context(r['action'])
    if module.resolved and module.action_plugin:
        handler_name = module.action_plugin
    elif action_loader.has_plugin(r['action']):
        handler_name = r['action']
    elif prefix in C.NETWORK_GROUP_MODULES and action_loader.has_plugin(network):
        handler_name = network
    else:
        handler_name = 'ansible.legacy.normal'
    handler = action_loader.get(handler_name, task=task, connection=conn, play_context=pc, loader=loader, templar=templar, shared_loader_obj=plugin_loader)
    if handler is None:
        return {'failed': True, 'msg': "the handler '%s' was not found" % handler_name}
    # TaskExecutor's run of the handler and what it makes of its errors
    try:
        try:
            result = handler.run(task_vars=task_vars)
        finally:
            handler.cleanup()
    except AnsibleConnectionFailure as e:
        return {'unreachable': True, 'msg': to_text(e)}
    except AnsibleError as e:
        return {'failed': True, 'msg': to_text(e, nonstring='simplerepr')}
    if not isinstance(result, dict):
        return {'failed': True, 'msg': 'the action plugin %s returned %s, not a dict' % (r['action'], type(result).__name__)}
    if 'failed' not in result:
        # rc is here for backwards compatibility and modules that use it instead of 'failed'
        result['failed'] = 'rc' in result and result['rc'] not in [0, '0']
    result.setdefault('changed', False)
    return result

r = json.loads(sys.stdin.readline())
try:
    result = run(r)
except Exception as e:
    result = {'failed': True, 'msg': 'Unexpected failure during module execution: %s' % to_native(e), 'exception': traceback.format_exc(), 'stdout': '', 'stderr': ''}
try:
    text = json.dumps({'result': floats(result)}, default=plain)
except Exception as e:
    text = json.dumps({'result': {'failed': True, 'msg': 'skiff cannot take the result of the action plugin %s: %s' % (r['action'], to_native(e))}})
out.write(text + '\\n')
out.flush()
`;

type Ctx = Pick<TaskContext, 'host' | 'conn' | 'check' | 'diff' | 'vars' | 'scope' | 'dir' | 'warn' | 'transport' | 'resetConnection' | 'collections'>;

interface Ask {
  exec?: string;
  stdin?: string | null;
  put?: string;
  fetch?: string;
  to?: string;
  reset?: boolean;
  result?: Record<string, unknown>;
}

/** One request of the plugin's connection, run on the host: its answer. */
async function answer(ctx: Ctx, a: Ask): Promise<Record<string, unknown>> {
  if (a.exec !== undefined) {
    const r = await ctx.conn.exec(a.exec, a.stdin ? { stdin: Buffer.from(a.stdin, 'base64') } : {});
    return { rc: r.code, stdout: r.stdout, stderr: r.stderr };
  }
  if (a.put !== undefined && a.to !== undefined) {
    let data: Buffer;
    try {
      data = readFileSync(a.put);
    } catch (e) {
      return { error: `file or module does not exist: ${a.put} (${(e as Error).message})` };
    }
    const r = await ctx.conn.exec(`cat >${shq(a.to)}`, { stdin: data });
    return r.code === 0 ? {} : { error: `failed to transfer file to ${a.to}: ${r.stderr.trim()}` };
  }
  if (a.fetch !== undefined && a.to !== undefined) {
    const r = await ctx.conn.exec(`base64 <${shq(a.fetch)}`);
    if (r.code !== 0) return { error: `failed to transfer file ${a.fetch}: ${r.stderr.trim()}` };
    writeFileSync(a.to, Buffer.from(r.stdout, 'base64'));
    return {};
  }
  if (a.reset) {
    await ctx.resetConnection?.();
    return {};
  }
  return { error: 'skiff does not know this request of the connection' };
}

/** local or ssh: the connection plugin skiff's connection is (ssh where the task's connection cannot be worked out: it fails when it is used) */
function transportOf(ctx: Ctx): string {
  try {
    return ctx.transport?.() ?? 'ssh';
  } catch {
    return 'ssh';
  }
}

/** The plugin's result dict, as TaskExecutor has it (failed and changed always there). */
export async function runAction(ctx: Ctx, name: string, file: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const vars = untracked(() => (ctx.scope ? taskVariables(ctx.scope) : { ...ctx.vars }));
  // the host's Python as skiff knows it: no interpreter discovery through the proxy
  vars.ansible_python_interpreter = interpreterOf(ctx);
  const pb = typeof vars.playbook_dir === 'string' ? vars.playbook_dir : dirname(file);
  const taskDir = ctx.dir ?? pb;
  // the directory holding action_plugins/ (or a collection's plugins/action/: found by its FQCN anyway),
  // the task's role's and the playbook's, as ansible-playbook adds them (add_all_plugin_dirs)
  const dirs = [...new Set([dirname(dirname(file)), taskDir, pb])];
  const request = {
    action: name,
    args: wire(args),
    vars: wire(vars),
    check: ctx.check,
    diff: ctx.diff ?? false,
    host: ctx.host,
    transport: transportOf(ctx),
    collections: ctx.collections ?? [],
    dirs,
    search: [...new Set([taskDir, pb])],
    basedir: taskDir,
    playbooks: [...new Set([pb, ...playbookPaths()])],
    vault: runVaultSecrets().map((s) => ({ id: s.id, password: s.password.toString('base64') })),
  };
  const child = spawn(CONTROLLER_PYTHON, ['-c', SERVER], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...collectionsEnv() } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
    // ansible-core's warnings and the plugin's own output, as Ansible's worker shows them
    process.stderr.write(d);
  });
  const done = new Promise<Record<string, unknown>>((resolve, reject) => {
    let pending = '';
    let result: Record<string, unknown> | undefined;
    let chain = Promise.resolve();
    child.on('error', (e) => reject(new TaskFailure(`the action plugin ${name} runs in ansible-core on the controller (${CONTROLLER_PYTHON} -c 'import ansible'), which failed: ${e.message}`)));
    child.on('close', (code) =>
      chain.then(() => {
        if (result) resolve(result);
        else reject(new TaskFailure(`the action plugin ${name} (${file}) stopped (${code}) without a result: ${stderr.trim().split('\n').slice(-3).join('\n')}`));
      }),
    );
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      for (let i; (i = pending.indexOf('\n')) >= 0; ) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 1);
        const a = fromWire(line) as Ask;
        if (a.result) {
          result = a.result;
          continue;
        }
        // one request at a time: the plugin waits for each answer
        chain = chain.then(async () => {
          let reply: Record<string, unknown>;
          try {
            reply = await answer(ctx, a);
          } catch (e) {
            // the host cannot be reached (Ansible's AnsibleConnectionFailure), or its connection cannot be had in skiff
            reply = e instanceof UnreachableError ? { unreachable: e.message } : { error: (e as Error).message };
          }
          child.stdin.write(`${JSON.stringify(reply)}\n`);
        });
      }
    });
  });
  child.stdin.on('error', () => undefined);
  child.stdin.write(`${floatJson(request)}\n`);
  const result = await done;
  child.stdin.end();
  return result;
}

/** What skiff's engine makes of the result: a failure thrown with it, `_ansible_` keys left out. */
function taskResult(host: string, result: Record<string, unknown>): Record<string, unknown> {
  const out = Object.fromEntries(Object.entries(result).filter(([k]) => !k.startsWith('_ansible_')));
  // the host is unreachable, as TaskExecutor takes an AnsibleConnectionFailure
  if (out.unreachable === true) throw new UnreachableError(host, typeof out.msg === 'string' ? out.msg : 'unreachable');
  if (out.failed === true) {
    // only failed and msg: the plugin's error as TaskExecutor words an AnsibleError
    const keys = Object.keys(out).filter((k) => k !== 'failed' && k !== 'msg');
    if (!keys.length) throw new TemplateFailure(String(out.msg ?? 'MODULE FAILURE'), out);
    throw new TaskFailure(typeof out.msg === 'string' ? out.msg : 'MODULE FAILURE', out);
  }
  return out;
}

function bypassesHostLoop(file: string): boolean {
  try {
    return file.endsWith('.py') && /^\s+BYPASS_HOST_LOOP\s*=\s*True\b/m.test(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

/** The task type of the action plugin in `file`, run by the name the task gives (short or FQCN). */
export function pythonAction(name: string, file: string): TaskType<Record<string, unknown>, Record<string, unknown>> {
  return {
    name,
    // a plugin class that bypasses the host loop (BYPASS_HOST_LOOP = True): on the batch's first host alone
    // (read from its file: a class that inherits the flag is not seen)
    ...(bypassesHostLoop(file) ? { once: true } : {}),
    summary: `the Python action plugin ${file}, run inside the controller's ansible-core as Ansible runs it`,
    schema: v.pipe(v.nullish(v.record(v.string(), v.unknown()), {}), v.transform((p) => p ?? {})),
    // `async:` is refused by name: the plugin's async support needs Ansible's own polling of it
    noAsync: true,
    // the host is reached only when the plugin runs a command there (ConnectionBase connects on its
    // first exec_command): a plugin that only looks at its task and variables never needs it
    lazyConnection: true,
    // the plugin runs once, when the task is planned (in check mode too, as the plugin decides what
    // check mode means); apply gives its result
    async plan(ctx, p) {
      const result = taskResult(ctx.host, await runAction(ctx, name, file, p));
      const changed = result.changed === true;
      return { changes: changed ? [`${name} changed`] : [], skip: result.skipped === true, result: { ...result, changed }, state: result };
    },
    apply: async (_ctx, _p, plan) => plan.state as Record<string, unknown>,
  };
}
