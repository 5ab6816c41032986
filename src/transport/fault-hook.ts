// A test hook for crash-safety: SKIFF_FAULT makes this process die by SIGKILL (no handler runs,
// nothing is flushed: as an OOM kill or a power cut of the controller would) at a chosen remote
// command, so the fault harness (test/lab/crash.test.ts) can hit every step of a migration
// without guessing with sleeps. Unset, connections are returned as they are.
//   SKIFF_FAULT=count           print "skiff-fault: command N: <first line>" on stderr for each one
//   SKIFF_FAULT=after:N         SIGKILL once the N-th remote command (counted over all hosts) returned
//   SKIFF_FAULT=during:N:MS     SIGKILL MS milliseconds after the N-th remote command started
import type { Connection } from './types.ts';

export type Fault = { kind: 'count' } | { kind: 'after'; n: number } | { kind: 'during'; n: number; ms: number };

/** Pure: the fault an SKIFF_FAULT value asks for; undefined when unset; throws on a bad value. */
export function parseFault(s: string | undefined): Fault | undefined {
  if (!s) return undefined;
  if (s === 'count') return { kind: 'count' };
  let m = /^after:(\d+)$/.exec(s);
  if (m && Number(m[1]) > 0) return { kind: 'after', n: Number(m[1]) };
  m = /^during:(\d+):(\d+)$/.exec(s);
  if (m && Number(m[1]) > 0) return { kind: 'during', n: Number(m[1]), ms: Number(m[2]) };
  throw new Error(`SKIFF_FAULT=${s}: expected count, after:N or during:N:MS (N >= 1)`);
}

let counter = 0;

export function withFaultHook(conn: Connection, fault = parseFault(process.env.SKIFF_FAULT)): Connection {
  if (!fault) return conn;
  const die = () => process.kill(process.pid, 'SIGKILL');
  return {
    host: conn.host,
    close: (o) => conn.close(o),
    async exec(cmd, opts) {
      const n = ++counter;
      if (fault.kind === 'count') process.stderr.write(`skiff-fault: command ${n} on ${conn.host}: ${cmd.split('\n')[0].slice(0, 120)}\n`);
      if (fault.kind === 'during' && fault.n === n) setTimeout(die, fault.ms);
      const r = await conn.exec(cmd, opts);
      if (fault.kind === 'after' && fault.n === n) die();
      return r;
    },
  };
}
