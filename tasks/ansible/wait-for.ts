// Ansible's wait_for: the host waits until a TCP port answers (or stops answering, or has no active
// connections left: drained), or a file exists or is gone. One remote loop, not one round trip per try;
// a file's search_regex (a Python pattern) is searched from the controller. Reads only: never changed;
// check mode skips it, since what it waits for may not be there yet.
import * as v from 'valibot';
import { shq } from '../../src/transport/quote.ts';
import { TaskFailure, type TaskContext, type TaskType } from '../../src/engine/task-type.ts';
import { HostPath, PyStr } from '../lib/schema.ts';
import { pyRe } from '../lib/pyre.ts';
import { toolsOn } from '../lib/host-tools.ts';

const Seconds = v.pipe(v.union([v.number(), v.pipe(v.string(), v.regex(/^\d+$/, 'expected a number of seconds'))]), v.transform(Number), v.minValue(0, 'expected a number of seconds'));

/** Ansible's active_connection_states: the TCP states /proc/net/tcp writes as these hex ids. */
const CONN_STATES: Record<string, string> = { ESTABLISHED: '01', SYN_SENT: '02', SYN_RECV: '03', FIN_WAIT1: '04', FIN_WAIT2: '05', TIME_WAIT: '06' };
const Words = v.pipe(
  v.union([v.array(v.union([v.string(), v.number()])), v.string()]),
  v.transform((x) => (Array.isArray(x) ? x.map(String) : x.split(',').map((w) => w.trim()))),
);

const schema = v.pipe(
  v.strictObject({
    host: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9.:_-]+$/, 'expected a host name or address')), '127.0.0.1'),
    port: v.optional(v.pipe(v.union([v.number(), v.string()]), v.transform(Number), v.integer('expected a port number'), v.minValue(1), v.maxValue(65535))),
    path: v.optional(HostPath),
    state: v.optional(v.picklist(['started', 'present', 'stopped', 'absent', 'drained'], 'expected started, present, stopped, absent or drained'), 'started'),
    /** seconds to wait in all */
    timeout: v.optional(Seconds, 300),
    /** seconds before the first check */
    delay: v.optional(Seconds, 0),
    /** seconds between checks */
    sleep: v.optional(Seconds, 1),
    connect_timeout: v.optional(Seconds, 5),
    /** a Python pattern (re.MULTILINE) searched for in the file's bytes */
    search_regex: v.optional(PyStr),
    /** drained: connections from these hosts do not count */
    exclude_hosts: v.optional(Words),
    /** drained: the TCP states of a connection that is still active */
    active_connection_states: v.optional(Words, ['ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'SYN_RECV', 'SYN_SENT', 'TIME_WAIT']),
    msg: v.optional(v.string()),
  }),
  v.check((p) => (p.port === undefined) !== (p.path === undefined) || (p.port === undefined && p.path === undefined), 'port and path parameter can not both be passed to wait_for'),
  v.check((p) => p.search_regex === undefined || p.path !== undefined, 'expected path with search_regex (skiff reads no port banner)'),
  v.check((p) => p.path === undefined || p.state !== 'stopped', 'state=stopped should only be used for checking a port in the wait_for module'),
  v.check((p) => p.path === undefined || p.state !== 'drained', 'state=drained should only be used for checking a port in the wait_for module'),
  v.check((p) => p.port !== undefined || p.state !== 'drained', 'state=drained: expected the port whose connections are to drain'),
  v.check((p) => p.exclude_hosts === undefined || p.state === 'drained', 'exclude_hosts should only be with state=drained'),
  v.check((p) => p.active_connection_states.every((c) => Object.hasOwn(CONN_STATES, c)), 'unknown active_connection_state defined: expected ' + Object.keys(CONN_STATES).join(', ')),
);
type Params = v.InferOutput<typeof schema>;

/** Hundredths of a second on the host's clock (its uptime; date's seconds where there is none), as `now`. */
const NOW = `now() { if read u _ < /proc/uptime 2>/dev/null; then echo "\${u%.*}\${u#*.}"; else echo $(( $(date +%s) * 100 )); fi; }`;

/**
 * An address as /proc/net/tcp* writes it (Ansible's _convert_host_to_hex): each 4 bytes a little-endian
 * word in upper-case hex; an IPv4 address also as its IPv4-mapped IPv6 one. Keys `4:HEX`, `6:HEX`.
 */
export function procAddrs(ip: string): string[] {
  const word = (bytes: number[]) => [...bytes].reverse().map((b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
  const v4 = ip.match(/^(\d+)\.(\d+)\.(\d+)\.(\d+)$/);
  if (v4) {
    const b = v4.slice(1).map(Number);
    return [`4:${word(b)}`, `6:0000000000000000FFFF0000${word(b)}`];
  }
  const bytes = ipv6Bytes(ip);
  if (!bytes) return [];
  const words = [0, 4, 8, 12].map((i) => word(bytes.slice(i, i + 4)));
  return [`6:${words.join('')}`];
}

function ipv6Bytes(ip: string): number[] | undefined {
  const [head, tail, more] = ip.split('::');
  if (more !== undefined) return undefined;
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  if (all.length !== 8 || !all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 255]);
}

/**
 * Shell counting the active TCP connections to `port` (Ansible's LinuxTCPConnectionInfo): those in
 * /proc/net/tcp and tcp6 whose local port it is, in one of `states`, on one of `ips` (or any address,
 * when the host is 0.0.0.0 or ::), from no address of `exclude`. Pure.
 */
export function activeConnections(port: number, ips: string[], exclude: string[], states: string[]): string {
  const words = (xs: string[]) => ` ${xs.join(' ')} `;
  const prog = [
    'FNR == 1 { fam = FILENAME ~ /6$/ ? 6 : 4; next }',
    '{ split($2, l, ":"); split($3, r, ":") }',
    'l[2] != port || index(states, " " $4 " ") == 0 || index(ex, " " fam ":" r[1] " ") { next }',
    'index(ips, " " fam ":" l[1] " ") || index(ips, fam == 6 ? " 6:00000000000000000000000000000000 " : " 4:00000000 ") || (fam == 6 && substr(l[1], 1, 24) == "0000000000000000FFFF0000" && index(ips, " 6:0000000000000000FFFF000000000000 ")) { n++ }',
    'END { print n + 0 }',
  ].join('\n');
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return `count() { set --; for f in /proc/net/tcp /proc/net/tcp6; do [ -f "$f" ] && set -- "$@" "$f"; done; [ $# -gt 0 ] || { echo 0; return; }; awk -v port=${hexPort} -v states=${shq(words(states.map((s) => CONN_STATES[s])))} -v ips=${shq(words(ips))} -v ex=${shq(words(exclude))} ${shq(prog)} "$@"; }`;
}

/**
 * The shell loop, as the module's: sleep `delay`, then try until the condition holds (exit 0) or
 * `timeout` seconds from the start have passed (exit 1; 0 with nothing to wait for, a plain sleep);
 * prints the hundredths of a second it took. `drained` the shell function counting connections. Pure.
 */
export function waitScript(p: Params, probe: 'bash' | 'nc', drained?: string): string {
  // nothing to wait for: the module sleeps the timeout after the delay, a plain pause
  if (p.port === undefined && p.path === undefined && p.state !== 'drained') return [NOW, `start=$(now); sleep ${p.delay}; sleep ${p.timeout}; echo $(( $(now) - start ))`].join('\n');
  const up = p.state === 'started' || p.state === 'present';
  let test: string;
  if (p.state === 'drained') test = '[ "$(count)" = 0 ]';
  else if (p.path !== undefined) test = `[ -e ${shq(p.path)} ]`;
  else
    test =
      probe === 'bash'
        ? `timeout ${p.connect_timeout} bash -c 'exec 3<>"/dev/tcp/$0/$1"' ${shq(p.host)} ${p.port} 2>/dev/null`
        : `nc -z -w ${p.connect_timeout} ${shq(p.host)} ${p.port} 2>/dev/null`;
  const cond = up || p.state === 'drained' ? test : `! { ${test}; }`;
  return [
    NOW,
    ...(drained ? [drained] : []),
    `start=$(now); sleep ${p.delay}; end=$(( start + ${p.timeout * 100} ))`,
    `while [ "$(now)" -lt "$end" ]; do`,
    `  if ${cond}; then echo $(( $(now) - start )); exit 0; fi`,
    `  sleep ${p.sleep}`,
    `done`,
    `echo $(( $(now) - start )); exit 1`,
  ].join('\n');
}

/** Ansible's failure text when the wait times out, as the module words each case. */
function timeoutMessage(p: Params): string {
  const at = `${p.host}:${p.port}`;
  if (p.state === 'drained') return `Timeout when waiting for ${at} to drain`;
  if (p.state === 'stopped' || p.state === 'absent') return p.port !== undefined ? `Timeout when waiting for ${at} to stop.` : `Timeout when waiting for ${p.path} to be absent.`;
  if (p.port !== undefined) return p.search_regex !== undefined ? `Timeout when waiting for search string ${p.search_regex} in ${at}` : `Timeout when waiting for ${at}`;
  return p.search_regex !== undefined ? `Timeout when waiting for search string ${p.search_regex} in ${p.path}` : `Timeout when waiting for file ${p.path}`;
}

/** The search_regex as the module compiles it: Python's re, MULTILINE added to any flags it leads with. */
function searchRe(pattern: string): RegExp {
  const lead = pattern.match(/^\(\?([aiLmsux]+)\)/);
  try {
    return pyRe(lead ? `(?${lead[1]}m)${pattern.slice(lead[0].length)}` : `(?m)${pattern}`);
  } catch (e) {
    throw new TaskFailure(`Invalid regular expression: ${(e as Error).message}`);
  }
}

/**
 * A file with a search_regex: tried from the controller, the file's bytes read each time and searched
 * as the module searches them (a Python pattern, on bytes: the text read as latin1), its groups kept.
 * Elapsed seconds, and the match (undefined on timeout).
 */
async function searchFile(ctx: TaskContext, p: Params, re: RegExp): Promise<{ elapsed: number; match?: RegExpExecArray }> {
  const sleep = (s: number) => (ctx.sleep ? ctx.sleep(s * 1000) : new Promise<void>((ok) => setTimeout(ok, s * 1000)));
  const start = Date.now();
  if (p.delay) await sleep(p.delay);
  const end = start + p.timeout * 1000;
  const path = shq(p.path!);
  while (Date.now() < end) {
    const r = await ctx.conn.exec(`if [ -e ${path} ]; then echo y; base64 < ${path} 2>/dev/null || true; else echo n; fi`);
    if (r.code === 0 && r.stdout.startsWith('y')) {
      const match = re.exec(Buffer.from(r.stdout.slice(1).replace(/\s+/g, ''), 'base64').toString('latin1'));
      if (match) return { elapsed: Math.floor((Date.now() - start) / 1000), match };
    }
    await sleep(p.sleep);
  }
  return { elapsed: Math.floor((Date.now() - start) / 1000) };
}

/** The host's addresses for `host` (its resolver's, as the module's getaddrinfo), as procAddrs keys. */
async function hostAddrs(ctx: TaskContext, host: string): Promise<string[]> {
  if (/^[\d.]+$/.test(host) || host.includes(':')) return procAddrs(host);
  const r = await ctx.conn.exec(`getent ahosts ${shq(host)}`);
  if (r.code !== 0) throw new TaskFailure(`wait_for: cannot resolve ${host} on ${ctx.conn.host}`);
  return [...new Set(r.stdout.split('\n').map((l) => l.split(/\s+/)[0]).filter(Boolean))].flatMap(procAddrs);
}

export const waitFor: TaskType<Params> = {
  name: 'ansible.builtin.wait_for',
  hostPaths: ['path'],
  summary: 'wait on the host until a port answers, stops or drains, or a file appears (matching search_regex) or goes',
  schema,
  async plan(ctx, p) {
    const what = p.port !== undefined ? `${p.host}:${p.port}` : p.path !== undefined ? `file ${p.path}` : `${p.timeout} s`;
    if (ctx.check) return { changes: [], skip: true, note: `would wait for ${what}` };
    // the module's result: every key, those that do not apply null or empty
    const result = (elapsed: number, m?: RegExpExecArray) => {
      const text = (x: string | undefined) => (x === undefined ? null : Buffer.from(x, 'latin1').toString('utf8'));
      return {
        state: p.state, port: p.port ?? null, search_regex: p.search_regex ?? null, path: p.path ?? null, elapsed,
        match_groups: m ? m.slice(1).map(text) : [],
        match_groupdict: m?.groups ? Object.fromEntries(Object.entries(m.groups).map(([k, x]) => [k, text(x)])) : {},
      };
    };
    if (p.path !== undefined && p.search_regex !== undefined && (p.state === 'started' || p.state === 'present')) {
      const found = await searchFile(ctx, p, searchRe(p.search_regex));
      if (!found.match) throw new TaskFailure(p.msg ?? timeoutMessage(p), { elapsed: found.elapsed });
      return { changes: [], result: result(found.elapsed, found.match) };
    }
    let probe: 'bash' | 'nc' = 'bash';
    let drained: string | undefined;
    if (p.state === 'drained') drained = activeConnections(p.port!, await hostAddrs(ctx, p.host), (await Promise.all((p.exclude_hosts ?? []).map((h) => hostAddrs(ctx, h)))).flat(), p.active_connection_states);
    else if (p.port !== undefined) {
      const have = await toolsOn(ctx.conn, ['bash', 'timeout', 'nc']);
      if (!(have.has('bash') && have.has('timeout'))) {
        if (!have.has('nc')) throw new TaskFailure(`wait_for: no bash (with timeout) or nc on ${ctx.conn.host} to try ${what} with`);
        probe = 'nc';
      }
    }
    const r = await ctx.conn.exec(waitScript(p, probe, drained), { timeoutMs: (p.timeout + p.delay + p.connect_timeout + 30) * 1000 });
    // whole seconds, as the module's timedelta.seconds
    const elapsed = Math.floor((Number(r.stdout.trim().split('\n').pop()) || 0) / 100);
    if (r.code !== 0) throw new TaskFailure(p.msg ?? timeoutMessage(p), { elapsed });
    return { changes: [], result: result(elapsed) };
  },
  async apply() {},
};
