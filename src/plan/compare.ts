// Pure: a host's planned steps against the same check run made again at apply time, and the plan's
// age. A host whose check run now differs in any task (another change, a change no longer needed, a
// task that now fails or is skipped, another item of a loop) has drifted: it is not applied.
import type { TaskResult } from '../engine/events.ts';
import type { Step } from './schema.ts';

/** A result as the plan keeps it: what was shown to the reviewer (already masked by the engine), no timings. */
export function stepOf(r: TaskResult): Step {
  const s: Step = { play: r.play, task: r.task, type: r.type, status: r.status, changes: r.changes };
  if (r.title !== undefined && r.title !== r.task) s.title = r.title;
  if (r.at !== undefined) s.at = r.at;
  if (r.diff !== undefined) s.diff = r.diff;
  if (r.labels !== undefined) s.labels = r.labels;
  if (r.handler) s.handler = true;
  if (r.delegatedTo !== undefined) s.delegatedTo = r.delegatedTo;
  if (r.ignored) s.ignored = true;
  if (r.rescued) s.rescued = true;
  if (r.msg !== undefined) s.msg = r.msg;
  return s;
}

/** Each host's steps, in the order the run gave its results. */
export function stepsByHost(results: readonly TaskResult[], hosts: readonly string[]): Record<string, Step[]> {
  const out: Record<string, Step[]> = Object.fromEntries(hosts.map((h) => [h, [] as Step[]]));
  for (const r of results) (out[r.host] ??= []).push(stepOf(r));
  return out;
}

/** How a step is named to people: its title (templated name), where it is written, its loop items. */
export function stepName(s: Step): string {
  const name = s.title ?? s.task;
  const items = s.labels?.length ? ` (items ${s.labels.map((l) => JSON.stringify(l)).join(', ')})` : '';
  return `${name || s.type}${s.at ? ` [${s.at}]` : ''}${items}`;
}

/** The part of a step that says which task it is: another task in its place is drift. */
const identity = (s: Step) => JSON.stringify([s.at, s.play, s.task, s.title, s.type, s.labels ?? null, !!s.handler, s.delegatedTo ?? null]);

/** The part that says what it would do. msg is not in it: a debug's message or a failure's words may vary. */
const outcome = (s: Step) => JSON.stringify([s.status, s.changes, s.diff ?? null, !!s.ignored, !!s.rescued]);

/** What a step would do, in a few words: its change lines, else its status. */
export function described(s: Step | undefined): string {
  if (!s) return 'no such task';
  if (s.status === 'changed' && s.changes.length) return s.changes.join('; ');
  if (s.status === 'changed') return 'changed';
  if (s.status === 'ok') return 'nothing to do';
  if (s.status === 'skipped') return 'skipped';
  return `${s.status}${s.msg ? `: ${s.msg.split('\n')[0]}` : ''}`;
}

export interface Drift {
  host: string;
  /** the first task that differs, as planned (or as now, when the plan had no task there) */
  task: string;
  planned: string;
  now: string;
}

/**
 * The first difference between the planned steps and the steps of the check run made now, or none.
 * Same status and same changes but another diff counts too (the file's content would differ).
 */
export function driftOf(host: string, planned: readonly Step[], now: readonly Step[]): Drift | undefined {
  for (let i = 0; i < Math.max(planned.length, now.length); i++) {
    const p = planned[i];
    const n = now[i];
    if (p && n && identity(p) === identity(n) && outcome(p) === outcome(n)) continue;
    const task = stepName(p ?? n!);
    if (p && n && identity(p) !== identity(n)) return { host, task, planned: `${stepName(p)}: ${described(p)}`, now: `${stepName(n)}: ${described(n)}` };
    const planned_ = described(p);
    const now_ = described(n);
    // the same words for another outcome: the diff (file content) or the status flags differ
    if (planned_ === now_) return { host, task, planned: `${planned_} (as reviewed)`, now: `${now_}, with another diff or result` };
    return { host, task, planned: planned_, now: now_ };
  }
  return undefined;
}

/** A host the plan cannot apply whatever its state: it failed or was unreachable when planned. */
export function failedInPlan(host: string, planned: readonly Step[]): Drift | undefined {
  const bad = planned.find((s) => (s.status === 'failed' && !s.ignored && !s.rescued) || s.status === 'unreachable');
  if (!bad) return undefined;
  return { host, task: stepName(bad), planned: described(bad), now: 'not applied: the plan holds no reviewed change past a failure (plan again once it is fixed)' };
}

export const formatDrift = (d: Drift) => `${d.host}: ${d.task}: planned '${d.planned}' at review, now '${d.now}'`;

/** "24h", "90m", "2d", "30s" or a number of seconds: milliseconds, or undefined when it is none of those. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$/.exec(text);
  if (!m) return undefined;
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit * 1000;
}

/** Why a plan made at `created` is too old at `now` for `maxAgeMs`, or nothing. */
export function tooOld(created: string, now: Date, maxAgeMs: number): string | undefined {
  const age = now.getTime() - new Date(created).getTime();
  if (age < 0) return `it was made in the future (${created}): the clock of the machine that made it is ahead`;
  if (age <= maxAgeMs) return undefined;
  return `it was made ${humanAge(age)} ago (${created}), more than --max-age ${humanAge(maxAgeMs)}: plan again and review it`;
}

export function humanAge(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 360) / 10}h`;
  return `${Math.round(s / 8640) / 10}d`;
}
