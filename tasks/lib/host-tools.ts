// Which of a set of programs a host has: modules that drive a host's own tools (apt-get, systemctl,
// useradd, curl, tar) say which one is missing, by name, instead of failing on "command not found".
import { shq } from '../../src/transport/quote.ts';
import type { Connection } from '../../src/transport/types.ts';
import { TaskFailure } from '../../src/engine/task-type.ts';

/** The subset of `names` found on the host's PATH (one round trip). */
export async function toolsOn(conn: Connection, names: string[]): Promise<Set<string>> {
  const r = await conn.exec(names.map((n) => `command -v ${shq(n)} >/dev/null 2>&1 && echo ${shq(n)}`).join('; ') + '; true');
  return new Set(r.stdout.split('\n').filter((l) => names.includes(l)));
}

/** Fails as `MODULE: no TOOL on HOST` unless the host has every one of `names`. */
export async function needTools(conn: Connection, module: string, names: string[], why = ''): Promise<void> {
  const have = await toolsOn(conn, names);
  const missing = names.filter((n) => !have.has(n));
  if (missing.length) throw new TaskFailure(`${module}: no ${missing.join(' or ')} on ${conn.host}${why ? ` (${why})` : ''}`);
}
