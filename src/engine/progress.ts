// A running task's progress reports (TaskContext.progress) turned into `progress` events. Tasks may
// report as often as is handy for them (a copy loop prints every second or two, a poll on every try);
// an operator needs no more than ~2 updates a second, and a JSON event log should not be flooded, so
// reports are throttled per task run: the first goes out at once, later ones at most every
// PROGRESS_INTERVAL_MS, and the newest one waiting is sent when the interval is over, or at once when
// a report of another step comes (the last state of a step is never lost). Nothing is sent once the task ended: no progress after its result.
// The rate (bytes/s) is over the last RATE_WINDOW_MS of reports, so it follows a copy that slows down.
import type { ProgressEvent } from './events.ts';
import type { ProgressReport } from './task-type.ts';

export const PROGRESS_INTERVAL_MS = 500;
/** the step a report is of: its text without its numbers ("try 3 of 120" and "try 4 of 120" are one) */
const stepOf = (text: string) => text.replace(/\d+(?:\.\d+)?/g, '#');
export const RATE_WINDOW_MS = 5000;
/** a rate over less than this is noise (two reports a few ms apart) */
const MIN_RATE_SPAN_MS = 1000;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(t: unknown): void;
}

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (t) => clearTimeout(t as NodeJS.Timeout),
};

export interface ProgressChannel {
  report(p: ProgressReport): void;
  /** the task is over: drop what is waiting, ignore later reports */
  end(): void;
}

export interface ProgressWhere {
  host: string;
  play: string;
  task: string;
}

/**
 * `clean` is applied to the text before it leaves (the host's secrets masked, hidden under no_log),
 * as the engine does for results.
 */
export function progressChannel(where: ProgressWhere, send: (e: ProgressEvent) => void, clean: (text: string) => string, clock: Clock = realClock): ProgressChannel {
  let lastSent = -Infinity;
  let waiting: ProgressEvent | undefined;
  let timer: unknown;
  let ended = false;
  const samples: { t: number; done: number }[] = [];
  let lastTotal: number | undefined;

  const rateOf = (p: ProgressReport, t: number): number | undefined => {
    if (p.unit !== 'bytes' || p.done === undefined) return undefined;
    // another step, or the count went back: earlier samples say nothing about this one
    if (p.total !== lastTotal || (samples.length && p.done < samples[samples.length - 1].done)) samples.length = 0;
    lastTotal = p.total;
    samples.push({ t, done: p.done });
    while (samples.length > 2 && samples[1].t <= t - RATE_WINDOW_MS) samples.shift();
    const first = samples[0];
    const span = t - first.t;
    return span >= MIN_RATE_SPAN_MS ? ((p.done - first.done) * 1000) / span : undefined;
  };

  const flush = (): void => {
    timer = undefined;
    if (ended || !waiting) return;
    const e = waiting;
    waiting = undefined;
    lastSent = clock.now();
    send(e);
  };

  return {
    report(p) {
      if (ended) return;
      const t = clock.now();
      // another step: the last state of the one waiting goes out first (a quick copy's bytes, a quick
      // stop), so every step is seen; repeats of one step are what the interval thins out
      if (waiting && stepOf(waiting.text) !== stepOf(clean(p.text))) {
        const e = waiting;
        waiting = undefined;
        lastSent = t;
        send(e);
      }
      const rate = rateOf(p, t);
      waiting = {
        kind: 'progress',
        ...where,
        text: clean(p.text),
        ...(p.done !== undefined ? { done: p.done } : {}),
        ...(p.total !== undefined ? { total: p.total } : {}),
        ...(p.unit ? { unit: p.unit } : {}),
        ...(rate !== undefined ? { rate: Math.round(rate) } : {}),
      };
      if (t - lastSent >= PROGRESS_INTERVAL_MS) flush();
      else timer ??= clock.setTimeout(flush, lastSent + PROGRESS_INTERVAL_MS - t);
    },
    end() {
      ended = true;
      waiting = undefined;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
