// Progress of long steps: the engine's channel (throttle, rate, masking), what runs report through it
// (until retries, tasks), and how reporters show it (formatProgress, the plain lines).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ProgressEvent, RunEvent } from '../../src/engine/events.ts';
import { progressChannel, PROGRESS_INTERVAL_MS, type Clock } from '../../src/engine/progress.ts';
import { play, playbook } from './engine-harness.ts';

/** A clock the test moves by hand: timers fire only when advance() passes them. */
function fakeClock(): Clock & { advance(ms: number): void } {
  let t = 1_000_000;
  let timers: { at: number; fn: () => void }[] = [];
  return {
    now: () => t,
    setTimeout(fn, ms) {
      const timer = { at: t + ms, fn };
      timers.push(timer);
      return timer;
    },
    clearTimeout(x) {
      timers = timers.filter((y) => y !== x);
    },
    advance(ms) {
      const end = t + ms;
      for (;;) {
        const next = timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!next) break;
        timers = timers.filter((x) => x !== next);
        t = next.at;
        next.fn();
      }
      t = end;
    },
  };
}

const where = { host: 'prom1', play: 'thanos', task: 'copy' };

test('channel: the first report at once, then at most one per interval, the newest waiting one sent when it is over', () => {
  const clock = fakeClock();
  const sent: ProgressEvent[] = [];
  const ch = progressChannel(where, (e) => sent.push(e), (s) => s, clock);
  ch.report({ text: 'a' });
  assert.equal(sent.map((e) => e.text), ['a']);
  assert.equal(sent[0], { kind: 'progress', host: 'prom1', play: 'thanos', task: 'copy', text: 'a' });
  clock.advance(100);
  ch.report({ text: 'b' });
  clock.advance(100);
  ch.report({ text: 'c' });
  assert.equal(sent.map((e) => e.text), ['a'], 'nothing more within the interval');
  clock.advance(PROGRESS_INTERVAL_MS);
  assert.equal(sent.map((e) => e.text), ['a', 'c'], 'b was superseded by c, which is sent when the interval is over');
  // 40 reports a second for 3 s: about two a second go out
  for (let i = 0; i < 120; i++) {
    clock.advance(25);
    ch.report({ text: `n${i}` });
  }
  const n = sent.length - 2;
  assert.ok(n >= 5 && n <= 7, `${n} events for 3 s of reports`);
  assert.is(sent.at(-1)!.text.startsWith('n'), true);
});

test('channel: nothing after end(), not even the report that was waiting', () => {
  const clock = fakeClock();
  const sent: string[] = [];
  const ch = progressChannel(where, (e) => sent.push(e.text), (s) => s, clock);
  ch.report({ text: 'first' });
  ch.report({ text: 'waiting' });
  ch.end();
  clock.advance(10_000);
  ch.report({ text: 'late' });
  clock.advance(10_000);
  assert.equal(sent, ['first']);
});

test('channel: bytes/s over the last few seconds, follows a slowdown; reset when the total changes', () => {
  const clock = fakeClock();
  const sent: ProgressEvent[] = [];
  const ch = progressChannel(where, (e) => sent.push(e), (s) => s, clock);
  const MB = 1_000_000;
  ch.report({ text: 'copying', done: 0, total: 1000 * MB, unit: 'bytes' });
  assert.is(sent[0].rate, undefined, 'no rate from one report');
  // 100 MB/s for 10 s, one report a second
  for (let s = 1; s <= 10; s++) {
    clock.advance(1000);
    ch.report({ text: 'copying', done: s * 100 * MB, total: 1000 * MB, unit: 'bytes' });
  }
  assert.is(sent.at(-1)!.rate, 100 * MB);
  assert.equal([sent.at(-1)!.done, sent.at(-1)!.total, sent.at(-1)!.unit], [1000 * MB, 1000 * MB, 'bytes']);
  // then 10 MB/s: within the window the rate is the new one
  for (let s = 1; s <= 6; s++) {
    clock.advance(1000);
    ch.report({ text: 'copying', done: 1000 * MB + s * 10 * MB, total: 1000 * MB, unit: 'bytes' });
  }
  assert.is(sent.at(-1)!.rate, 10 * MB);
  clock.advance(1000);
  ch.report({ text: 'next step', done: 5 * MB, total: 50 * MB, unit: 'bytes' });
  assert.is(sent.at(-1)!.rate, undefined, 'a new total is a new step: no rate carried over');
  clock.advance(1000);
  ch.report({ text: 'counting', done: 3, total: 9 });
  assert.is(sent.at(-1)!.rate, undefined, 'a rate for bytes only');
});

test('channel: the text goes through the cleaner (secrets masked)', () => {
  const sent: string[] = [];
  const ch = progressChannel(where, (e) => sent.push(e.text), (s) => s.replaceAll('hunter2', '****'), fakeClock());
  ch.report({ text: 'logging in with hunter2' });
  assert.equal(sent, ['logging in with ****']);
});

const progressOf = (events: RunEvent[]) => events.filter((e): e is ProgressEvent => e.kind === 'progress');

test('engine: until retries say the attempt, the attempts in all and the delay; never after the result', async () => {
  const o = await play({ playbook: playbook(`- name: flaky\n  probe: {id: f, fail_times: 2}\n  until: result.failed == false\n  retries: 4\n  delay: 7`) });
  assert.equal(o.lines, ['a flaky changed']);
  const p = progressOf(o.events);
  assert.ok(p.length >= 1);
  assert.equal({ ...p[0], text: undefined }, { kind: 'progress', host: 'a', play: 'all', task: 'flaky', text: undefined });
  assert.is(p[0].text, 'attempt 1 of 5: until result.failed == false not met, next in 7 s');
  const resultAt = o.events.findIndex((e) => e.kind === 'result');
  assert.ok(o.events.slice(resultAt).every((e) => e.kind !== 'progress'), 'no progress after the result');
});

test('engine: a task\'s progress text is masked like its result; all of it under no_log', async () => {
  const hosts = 'all:\n  hosts:\n    a: {connection: local, api_token: t0ps3cret}\n';
  const o = await play({ playbook: playbook(`- {name: talk, probe: {id: x, say: "using {{ api_token }} now"}}`), hosts });
  assert.equal(progressOf(o.events).map((e) => e.text), ['using ******** now']);
  const hidden = await play({ playbook: playbook(`- {name: talk, probe: {id: x, say: "plain words"}, no_log: true}`), hosts });
  assert.equal(progressOf(hidden.events).map((e) => e.text), ['(hidden: no_log)']);
});

test.run();
