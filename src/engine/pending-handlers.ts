// Handler notifications that survive a failed or interrupted run (Ansible loses them:
// ansible/ansible#10498). They are kept on the host itself, since the controller may be what died:
// one marker file per notified handler, written before the notifying change is applied and removed
// once the handler has run. A later run of a play that has that handler runs it even when nothing
// notifies it again. In check mode they are only read.
import { shq } from '../transport/quote.ts';
import type { Connection } from '../transport/types.ts';
import type { FactSource } from './task-type.ts';

/**
 * The markers' directory on the host: the login's own cache (survives a reboot, unlike /run). A user
 * without a home it can write (nobody: /nonexistent) keeps them in /tmp/skiff-handlers-UID, its own
 * (0700, and used only when that user owns it: -O).
 */
const HOME_DIR = '"$HOME/.cache/skiff/handlers"';
const TMP_DIR = '"/tmp/skiff-handlers-$(id -u)"';
/** sh that sets $d to the directory the markers are in (reading: nothing is made) */
const FIND = `d=${HOME_DIR}; [ -d "$d" ] || d=${TMP_DIR}; [ -d "$d" ] && [ ! -O "$d" ] && d=/nonexistent/skiff; `;
/** sh that sets $d to the directory the markers go in, made if need be */
const MAKE = `d=${HOME_DIR}; mkdir -p "$d" 2>/dev/null || { d=${TMP_DIR}; (umask 077 && mkdir -p "$d") && [ -O "$d" ] || { echo "$d is not this user's" >&2; exit 1; }; }; `;

/** Pure: a handler name as a file name (hex of its UTF-8: any name, no path tricks). */
export const markerOf = (handler: string) => Buffer.from(handler, 'utf8').toString('hex');
export const handlerOf = (marker: string) => (/^([0-9a-f]{2})+$/.test(marker) ? Buffer.from(marker, 'hex').toString('utf8') : undefined);

/** The markers on the host, as a fact: the engine reads it with the play's other facts (read-ahead.ts). */
export const PENDING_MARKERS: FactSource<null> = {
  key: () => 'handlers:pending',
  script: () => `(${FIND}ls -1 "$d" 2>/dev/null) || true`,
  parse: (out) => new Map([['handlers:pending', out.split('\n')]]),
};

/** Names of the handlers pending on the host, among `handlers` (the play's); `ahead`: the markers read ahead. */
export async function readPending(conn: Connection, handlers: string[], ahead?: string[]): Promise<Set<string>> {
  if (!handlers.length) return new Set();
  const lines = ahead ?? (await conn.exec(PENDING_MARKERS.script([null]))).stdout.split('\n');
  const on = new Set(lines.map(handlerOf).filter((x): x is string => x !== undefined));
  return new Set(handlers.filter((h) => on.has(h)));
}

/** Records that `handlers` must run; fails loudly (a notification that cannot be kept is not silently dropped). */
export async function markPending(conn: Connection, handlers: string[]): Promise<void> {
  if (!handlers.length) return;
  const files = handlers.map((h) => `"$d"/${shq(markerOf(h))}`).join(' ');
  const r = await conn.exec(`${MAKE}touch ${files}`);
  if (r.code !== 0) throw new Error(`cannot record the pending handlers ${handlers.join(', ')} on ${conn.host}: ${r.stderr.trim()}`);
}

export async function clearPending(conn: Connection, handlers: string[]): Promise<void> {
  if (!handlers.length) return;
  await conn.exec(`${FIND}rm -f ${handlers.map((h) => `"$d"/${shq(markerOf(h))}`).join(' ')}`);
}
