// The AnsiballZ payloads of a run, built by one Python process of the controller's ansible-core that
// stays up while the run needs it: importing ansible costs seconds, building a payload milliseconds.
// Requests are a JSON line each; each answer is a status byte ('1' payload, '0' error text), a 4-byte
// big-endian length and that many bytes, in request order.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { TaskFailure } from '../../src/engine/task-type.ts';
import { CONTROLLER_PYTHON } from './core-modules.ts';

const SERVER = `
import json, os, shutil, struct, sys
from ansible import constants as C
from ansible.executor.module_common import modify_module
from ansible.template import Templar
from ansible.parsing.dataloader import DataLoader
templar = Templar(loader=DataLoader())
out = sys.stdout.buffer
# ansible-core caches a module's zip by its name for the process: another file of the same name (two
# plays' library/hello.py) must not get the first one's
paths = {}
for line in sys.stdin:
    r = json.loads(line)
    if paths.setdefault(r['name'], r['path']) != r['path']:
        paths[r['name']] = r['path']
        shutil.rmtree(os.path.join(C.DEFAULT_LOCAL_TMP, 'ansiballz_cache'), ignore_errors=True)
    try:
        data, style, shebang = modify_module(r['name'], r['path'], r['args'], templar, task_vars={'ansible_python_interpreter': r['interpreter']}, module_compression='ZIP_DEFLATED')
        if style != 'new':
            raise Exception('skiff runs new-style Python modules (AnsibleModule) only: %s is %s' % (r['path'], style))
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
  for (const w of waiting.splice(0)) w.reject(new TaskFailure(`could not build the Python module ${w.what}: it needs ansible-core on the controller (${CONTROLLER_PYTHON} -c 'import ansible'): ${e.message}`));
}

/** The process, started on first use; it keeps the run alive only while a payload is awaited. */
function server(): ChildProcessWithoutNullStreams {
  if (child) return child;
  const c = spawn(CONTROLLER_PYTHON, ['-c', SERVER], { stdio: ['pipe', 'pipe', 'pipe'] });
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
      else w.reject(new TaskFailure(`could not build the Python module ${w.what}: ${body.toString()}`));
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

/** The payload for this module and these arguments, as Ansible's action plugin builds it. */
export function buildPayload(name: string, path: string, args: Record<string, unknown>, interpreter: string): Promise<Buffer> {
  const c = server();
  return new Promise((resolve, reject) => {
    waiting.push({ resolve, reject, what: `${name} (${path})` });
    idle(c, false);
    c.stdin.write(`${JSON.stringify({ name, path, args, interpreter })}\n`);
  });
}
