// Progress of long remote scripts: they print marker lines on stdout (`skiff-step: ...`,
// `skiff-wait: ...`, `skiff-copied: ...`) that the connection streams (ExecOptions.onStdout) while
// they run, turned here into TaskContext.progress reports. One remote command either way: following
// the script costs no extra round trip.
import type { ProgressReport } from '../../src/engine/task-type.ts';

export type Say = (p: ProgressReport) => void;

/** An onStdout handler calling `onLine` with each complete line (chunks split lines anywhere). */
export function byLine(onLine: (line: string) => void): (chunk: string) => void {
  let rest = '';
  return (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const l of lines) onLine(l);
  };
}

/** onStdout for a script whose marker lines `parse` turns into reports; undefined when nobody listens. */
export function following(say: Say | undefined, parse: (line: string) => ProgressReport | undefined): ((chunk: string) => void) | undefined {
  if (!say) return undefined;
  return byLine((line) => {
    const p = parse(line);
    if (p) say(p);
  });
}

/**
 * Pure: `skiff-wait: N [LAST]` (try N failed, LAST the HTTP status it got) of a loop of `tries` a
 * second apart: what is waited for and the time left ("about": a try that hangs takes longer).
 */
export function waitLine(line: string, what: string, tries: number): ProgressReport | undefined {
  const m = /^skiff-wait: (\d+)(?: (\S*))?$/.exec(line);
  if (!m) return undefined;
  const n = Number(m[1]);
  const last = m[2] === undefined ? '' : ` (last answer: ${m[2] && m[2] !== '000' ? m[2] : 'none'})`;
  return { text: `waiting for ${what}${last}: try ${n} of ${tries}, about ${Math.max(0, tries - n)} s left` };
}

/** Pure: `skiff-copied: DONE TOTAL` (TOTAL `?` when the source's size is unknown) as bytes done/total. */
export function copiedLine(line: string, text: string): ProgressReport | undefined {
  const m = /^skiff-copied: (\d*) (\d+|\?)$/.exec(line);
  if (!m) return undefined;
  return { text, done: Number(m[1] || 0), ...(m[2] !== '?' ? { total: Number(m[2]) } : {}), unit: 'bytes' };
}
