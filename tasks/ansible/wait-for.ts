// Ansible's wait_for: the host waits until a TCP port answers (or stops answering), or a file exists
// (with a line matching search_regex) or is gone. One remote loop, not one round trip per try. Reads
// only: never changed; check mode skips it, since what it waits for may not be there yet.
import * as v from 'valibot';
import { shq } from '../../src/transport/quote.ts';
import { TaskFailure, type TaskType } from '../../src/engine/task-type.ts';
import { HostPath, Regex } from '../lib/schema.ts';
import { toolsOn } from '../lib/host-tools.ts';

const Seconds = v.pipe(v.union([v.number(), v.pipe(v.string(), v.regex(/^\d+$/, 'expected a number of seconds'))]), v.transform(Number), v.minValue(0, 'expected a number of seconds'));

const schema = v.pipe(
  v.strictObject({
    host: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9.:_-]+$/, 'expected a host name or address')), '127.0.0.1'),
    port: v.optional(v.pipe(v.union([v.number(), v.string()]), v.transform(Number), v.integer('expected a port number'), v.minValue(1), v.maxValue(65535))),
    path: v.optional(HostPath),
    state: v.optional(v.picklist(['started', 'present', 'stopped', 'absent'], 'expected started, present, stopped or absent (drained is not supported by skiff)'), 'started'),
    /** seconds to wait in all */
    timeout: v.optional(Seconds, 300),
    /** seconds before the first check */
    delay: v.optional(Seconds, 0),
    /** seconds between checks */
    sleep: v.optional(Seconds, 1),
    connect_timeout: v.optional(Seconds, 5),
    search_regex: v.optional(Regex),
    msg: v.optional(v.string()),
  }),
  v.check((p) => (p.port === undefined) !== (p.path === undefined) || (p.port === undefined && p.path === undefined), 'expected port or path, not both'),
  v.check((p) => p.search_regex === undefined || p.path !== undefined, 'expected path with search_regex (skiff reads no port banner)'),
);
type Params = v.InferOutput<typeof schema>;

/** The shell loop: exit 0 when the condition holds, 1 on timeout; prints the seconds waited. Pure. */
export function waitScript(p: Params, probe: 'bash' | 'nc'): string {
  const up = p.state === 'started' || p.state === 'present';
  let test: string;
  if (p.path !== undefined) test = p.search_regex !== undefined ? `grep -Eq -- ${shq(p.search_regex)} ${shq(p.path)} 2>/dev/null` : `[ -e ${shq(p.path)} ]`;
  else if (p.port !== undefined)
    test =
      probe === 'bash'
        ? `timeout ${p.connect_timeout} bash -c 'exec 3<>"/dev/tcp/$0/$1"' ${shq(p.host)} ${p.port} 2>/dev/null`
        : `nc -z -w ${p.connect_timeout} ${shq(p.host)} ${p.port} 2>/dev/null`;
  else test = 'true'; // neither: Ansible just sleeps for the timeout (a plain delay)
  const cond = p.port === undefined && p.path === undefined ? 'false' : up ? test : `! { ${test}; }`;
  return [
    `start=$(date +%s); sleep ${p.delay}`,
    `while :; do`,
    `  if ${cond}; then echo $(( $(date +%s) - start )); exit 0; fi`,
    `  if [ $(( $(date +%s) - start )) -ge ${p.timeout} ]; then echo $(( $(date +%s) - start )); exit ${p.port === undefined && p.path === undefined ? 0 : 1}; fi`,
    `  sleep ${p.sleep}`,
    `done`,
  ].join('\n');
}

export const waitFor: TaskType<Params> = {
  name: 'ansible.builtin.wait_for',
  hostPaths: ['path'],
  summary: 'wait on the host until a port answers (or stops), or a file appears (matching search_regex) or goes',
  schema,
  async plan(ctx, p) {
    const what = p.port !== undefined ? `${p.host}:${p.port}` : p.path !== undefined ? `file ${p.path}` : `${p.timeout} s`;
    if (ctx.check) return { changes: [], skip: true, note: `would wait for ${what}` };
    let probe: 'bash' | 'nc' = 'bash';
    if (p.port !== undefined) {
      const have = await toolsOn(ctx.conn, ['bash', 'timeout', 'nc']);
      if (!(have.has('bash') && have.has('timeout'))) {
        if (!have.has('nc')) throw new TaskFailure(`wait_for: no bash (with timeout) or nc on ${ctx.conn.host} to try ${what} with`);
        probe = 'nc';
      }
    }
    const r = await ctx.conn.exec(waitScript(p, probe), { timeoutMs: (p.timeout + p.delay + p.connect_timeout + 30) * 1000 });
    const elapsed = Number(r.stdout.trim().split('\n').pop()) || 0;
    const result: Record<string, unknown> = { elapsed, state: p.state, ...(p.port !== undefined ? { port: p.port } : {}), ...(p.path !== undefined ? { path: p.path } : {}) };
    if (r.code !== 0) {
      const gone = p.state === 'stopped' || p.state === 'absent';
      throw new TaskFailure(p.msg ?? `Timeout when waiting for ${gone ? `${what} to ${p.port !== undefined ? 'stop' : 'be absent'}` : what}${p.search_regex !== undefined ? ` to match ${JSON.stringify(p.search_regex)}` : ''} (after ${elapsed} s)`, result);
    }
    return { changes: [], result };
  },
  async apply() {},
};
