// The module payloads of a run, built by one Python process of the controller's ansible-core that
// stays up while the run needs it: importing ansible costs seconds, building a payload milliseconds.
// Requests are a JSON line each; each answer is a status byte ('1' payload, '0' error text), a 4-byte
// big-endian length and that many bytes, in request order. A module's payload is a JSON line (its
// style and shebang, as modify_module says them) and then the module's bytes: an AnsiballZ script for
// a new-style module, the file itself (its shebang maybe rewritten) for the others.
import { dirname, join } from 'node:path';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { TaskFailure } from '../../src/engine/task-type.ts';
import { CONTROLLER_PYTHON } from './core-modules.ts';
import { collectionsEnv, playbookPaths } from '../../src/playbook/collections.ts';
import { floatJson } from '../../src/template/py-float.ts';

const SERVER = `
import json, os, shlex, shutil, struct, sys
from ansible import constants as C
from ansible.executor.module_common import modify_module
from ansible.plugins.loader import module_utils_loader
from ansible.utils.collection_loader import AnsibleCollectionConfig
from ansible.template import Templar
from ansible.parsing.dataloader import DataLoader
templar = Templar(loader=DataLoader())
out = sys.stdout.buffer
# ansible-core caches a module's zip by its name for the process: another file of the same name (two
# plays' library/hello.py) must not get the first one's
paths = {}
books = []
def args_file(style, args):
    # the arguments file of a module that is not new-style, as ActionBase._execute_module writes it
    if style == 'old':
        return ''.join('%s=%s ' % (k, shlex.quote(str(v))) for k, v in args.items()).encode()
    return json.dumps(args).encode()
for line in sys.stdin:
    r = json.loads(line)
    if 'style' in r:
        data = args_file(r['style'], r['args'])
        out.write(b'1' + struct.pack('>I', len(data)) + data)
        out.flush()
        continue
    # module_utils/ beside the module's playbook or role: on the loader's path, as Ansible adds them when it loads those
    for d in r.get('mu_dirs', []):
        if os.path.isdir(d):
            module_utils_loader.add_directory(d)
    # collections/ beside the playbooks: ansible-playbook adds each playbook's directory to the collection
    # finder (cli/playbook.py), so a module's ansible_collections.* imports find them
    if r.get('playbooks') and r['playbooks'] != books:
        books = r['playbooks']
        AnsibleCollectionConfig.playbook_paths = books
    if paths.setdefault(r['name'], r['path']) != r['path']:
        paths[r['name']] = r['path']
        shutil.rmtree(os.path.join(C.DEFAULT_LOCAL_TMP, 'ansiballz_cache'), ignore_errors=True)
    try:
        data, style, shebang = modify_module(r['name'], r['path'], r['args'], templar, task_vars=r['vars'], module_compression='ZIP_DEFLATED')
        data = json.dumps({'style': style, 'shebang': shebang}).encode() + b'\\n' + data
        ok = b'1'
    except Exception as e:
        data, ok = str(e).encode(), b'0'
    out.write(ok + struct.pack('>I', len(data)) + data)
    out.flush()
`;

interface Waiting {
  resolve(b: Buffer): void;
  reject(e: Error): void;
  what: string;
}

let child: ChildProcessWithoutNullStreams | undefined;
const waiting: Waiting[] = [];
let pending = Buffer.alloc(0);

function fail(e: Error): void {
  child = undefined;
  for (const w of waiting.splice(0)) w.reject(new TaskFailure(`could not build the module ${w.what}: it needs ansible-core on the controller (${CONTROLLER_PYTHON} -c 'import ansible'): ${e.message}`));
}

/** The process, started on first use; it keeps the run alive only while a payload is awaited. */
function server(): ChildProcessWithoutNullStreams {
  if (child) return child;
  // the run's collection roots (collections.ts), not what this process would read for itself
  const c = spawn(CONTROLLER_PYTHON, ['-c', SERVER], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...collectionsEnv() } });
  let stderr = '';
  c.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  c.on('error', fail);
  c.on('exit', (code) => fail(new Error(stderr.trim().split('\n').pop() || `exited ${code}`)));
  c.stdout.on('data', (d: Buffer) => {
    pending = Buffer.concat([pending, d]);
    while (pending.length >= 5 && pending.length >= 5 + pending.readUInt32BE(1)) {
      const n = pending.readUInt32BE(1);
      const ok = pending[0] === 0x31;
      const body = pending.subarray(5, 5 + n);
      pending = pending.subarray(5 + n);
      const w = waiting.shift()!;
      if (ok) w.resolve(Buffer.from(body));
      // ansible-core's own words are the task's msg, as its TaskExecutor makes an AnsibleError the result
      else w.reject(new TaskFailure(body.toString()));
    }
    if (!waiting.length) idle(c, true);
  });
  child = c;
  return c;
}

/** An idle server does not keep Node's event loop alive (the run ends; the process goes with it). */
function idle(c: ChildProcessWithoutNullStreams, yes: boolean): void {
  for (const s of [c.stdin, c.stdout, c.stderr] as unknown as { ref(): void; unref(): void }[]) if (yes) s.unref(); else s.ref();
  if (yes) c.unref();
  else c.ref();
}

function ask(request: Record<string, unknown>, what: string): Promise<Buffer> {
  const c = server();
  return new Promise((resolve, reject) => {
    waiting.push({ resolve, reject, what });
    idle(c, false);
    // a whole float reaches the module as a float (`2.0`), as Ansible's json.dumps of its args writes it
    c.stdin.write(`${floatJson(request)}\n`);
  });
}

/**
 * How Ansible runs a module (module_common's module_style): `new` (AnsibleModule and the like) as an
 * AnsiballZ script with its arguments inside; `old` with a file of key=value arguments as argv[1];
 * `non_native_want_json` (WANT_JSON in it) and `binary` with a file of JSON arguments.
 */
export type ModuleStyle = 'new' | 'old' | 'non_native_want_json' | 'binary';

export interface Payload {
  style: ModuleStyle;
  /** `#!interpreter args` the module runs under (the host's Python for python ones); null for a binary */
  shebang: string | null;
  data: Buffer;
}

/**
 * The payload for this module and these arguments, as Ansible's action plugin builds it. `vars`: the
 * host's ansible_<name>_interpreter vars (a module's `#!/usr/bin/env bash` runs under
 * ansible_env_interpreter when it is set, its `#!/usr/bin/python` under ansible_python_interpreter).
 * `playbook`: the playbook's directory, whose collections/ the module's imports may come from.
 */
export async function buildPayload(name: string, path: string, args: Record<string, unknown>, vars: Record<string, string>, playbook?: string): Promise<Payload> {
  // a module of X/library/ may import X/module_utils/ (a playbook's or a role's own)
  const mu_dirs = [join(dirname(dirname(path)), 'module_utils')];
  const playbooks = [...new Set([...(playbook ? [playbook] : []), ...playbookPaths()])];
  const body = await ask({ name, path, args, vars, mu_dirs, playbooks }, `${name} (${path})`);
  const nl = body.indexOf(0x0a);
  const head = JSON.parse(body.subarray(0, nl).toString()) as { style: ModuleStyle; shebang: string | null };
  return { ...head, data: body.subarray(nl + 1) };
}

/** The arguments file of a module that is not new-style (key=value words for `old`, else JSON), as Ansible writes it. */
export function argsFile(style: Exclude<ModuleStyle, 'new'>, args: Record<string, unknown>): Promise<Buffer> {
  return ask({ style, args }, `arguments (${style})`);
}
