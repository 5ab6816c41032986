// The read-ahead: the facts that many tasks will plan from (files, containers: every FactSource the
// reads name), read in ONE command on the host instead of one round trip per task. Each source's
// script runs in a subshell of its own between two marker lines, so one that fails (an engine not
// installed) costs only its own facts: those tasks then read for themselves, as without a read-ahead.
import { randomBytes } from 'node:crypto';
import type { Connection } from '../transport/types.ts';
import type { FactRead, FactSource } from './task-type.ts';

/** Pure: the reads grouped by source, one query per distinct key (first come first). */
export function groupReads(reads: FactRead[]): Map<FactSource, Map<string, unknown>> {
  const out = new Map<FactSource, Map<string, unknown>>();
  for (const r of reads) {
    const qs = out.get(r.source) ?? out.set(r.source, new Map()).get(r.source)!;
    const key = r.source.key(r.query);
    if (!qs.has(key)) qs.set(key, r.query);
  }
  return out;
}

/** Pure: one script for every group; `mark` must not occur in any output (a random word). */
export function readAheadScript(groups: Map<FactSource, Map<string, unknown>>, mark: string): string {
  return [...groups]
    .map(([source, qs], i) => `echo '${mark} ${i}'\n(\n${source.script([...qs.values()])}\n)\nrc=$?; echo; echo "${mark} ${i} $rc"`)
    .join('\n');
}

/** Pure: the facts by key from the script's output; the sections of scripts that failed are left out. */
export function parseReadAhead(stdout: string, groups: Map<FactSource, Map<string, unknown>>, mark: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  [...groups].forEach(([source, qs], i) => {
    const start = stdout.indexOf(`${mark} ${i}\n`);
    const end = stdout.indexOf(`\n${mark} ${i} `, start);
    if (start < 0 || end < 0 || !stdout.startsWith(`\n${mark} ${i} 0\n`, end)) return;
    const body = stdout.slice(start + `${mark} ${i}\n`.length, end); // the script's own output, exactly
    try {
      for (const [k, v] of source.parse(body, [...qs.values()])) out.set(k, v);
    } catch {
      /* unreadable: the tasks read for themselves */
    }
  });
  return out;
}

/** Reads these facts in one command; what could not be read is simply not in the result. */
export async function readAhead(conn: Connection, reads: FactRead[]): Promise<Map<string, unknown>> {
  const groups = groupReads(reads);
  if (!groups.size) return new Map();
  const mark = `@@skiff-facts-${randomBytes(6).toString('hex')}`;
  const r = await conn.exec(readAheadScript(groups, mark), { timeoutMs: 120_000 });
  return parseReadAhead(r.stdout, groups, mark);
}
