// Progress of long steps: the engine's channel (throttle, rate, masking), what runs report through it
// (until retries, tasks), and how reporters show it (formatProgress, the plain lines).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ProgressEvent, RunEvent } from '../../src/engine/events.ts';
import { progressChannel, PROGRESS_INTERVAL_MS, type Clock } from '../../src/engine/progress.ts';
import { describe } from '../../src/report/progress.ts';
import { play, playbook } from './engine-harness.ts';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { ProgressReport } from '../../src/engine/task-type.ts';
import { withEnvironment } from '../../src/engine/environment.ts';
import { connectLocal } from '../../src/transport/local.ts';
import { copiedLine, following, waitLine } from '../../tasks/lib/progress.ts';
import { recreate } from '../../tasks/lib/container/recreate.ts';
import { copyScript } from '../../tasks/lib/tsdb-copy.ts';
import { answerOf } from '../../tasks/wait-http.ts';
import { aprom, same } from './container-fixtures.ts';
import { formatProgress, plainProgress } from '../../src/report/progress.ts';
import { skiff } from '../helpers.ts';
import { fakeHost } from './fake-podman.ts';

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
  ch.report({ text: 'a 1' });
  clock.advance(100);
  ch.report({ text: 'a 2' });
  assert.equal(sent.map((e) => e.text), ['a'], 'nothing more within the interval');
  clock.advance(PROGRESS_INTERVAL_MS);
  assert.equal(sent.map((e) => e.text), ['a', 'a 2'], 'a 1 was superseded by a 2 (the same step), which is sent when the interval is over');
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


// ------------------------------------------------------------------------------ what tasks report

test('marker lines: waits say what, the last answer, the try and the time left; copies say bytes', () => {
  assert.equal(waitLine('skiff-wait: 3 503', 'http://x/-/ready to answer 2xx', 60), { text: 'waiting for http://x/-/ready to answer 2xx (last answer: 503): try 3 of 60, about 57 s left' });
  assert.equal(waitLine('skiff-wait: 1 000', 'x', 5)?.text, 'waiting for x (last answer: none): try 1 of 5, about 4 s left');
  assert.equal(waitLine('skiff-wait: 2', 'the new aprom to be ready', 3)?.text, 'waiting for the new aprom to be ready: try 2 of 3, about 1 s left');
  assert.is(waitLine('200', 'x', 5), undefined);
  assert.equal(copiedLine('skiff-copied: 4096 81920', 'copying'), { text: 'copying', done: 4096, total: 81920, unit: 'bytes' });
  assert.equal(copiedLine('skiff-copied:  ?', 'copying'), { text: 'copying', done: 0, unit: 'bytes' }, 'destination not there yet, size of the source unknown');
  assert.is(answerOf('skiff-wait: 1 503\nskiff-wait: 2 503\n200\nskiff-wait: in the body\n'), '200\nskiff-wait: in the body\n');
  const lines: string[] = [];
  const feed = following((p) => lines.push(p.text), (l) => (l.startsWith('#') ? { text: l.slice(1) } : undefined))!;
  feed('#a\nnoise\n#b');
  feed('c\n#');
  assert.equal(lines, ['a', 'bc'], 'lines split across chunks are joined; a partial last line waits');
});

/** Runs `fn` with a local connection whose commands see `env` (a fake engine first in PATH). */
async function onFakeHost<T>(env: Record<string, string>, fn: (conn: ReturnType<typeof connectLocal>) => Promise<T>): Promise<T> {
  const lc = connectLocal('fake', false);
  try {
    return await fn(withEnvironment(lc, env));
  } finally {
    await lc.close();
  }
}

test('recreate: the steps on the host are reported as they happen: pull, create, stop, swap, start, readiness tries, removal', async () => {
  const h = fakeHost({ aprom: 'old1 running' }, []);
  // not ready twice, then ready
  writeFileSync(join(h.dir, 'bin', 'curl'), '#!/bin/sh\nn=$(cat "$FAKE/curl-n" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$FAKE/curl-n"; [ $n -le 2 ] && printf 503 || printf 200\n');
  const said: ProgressReport[] = [];
  const spec = { ...same(aprom()), args: [...aprom().args, '--web.enable-lifecycle'] };
  const url = 'http://127.0.0.1:9090/-/ready';
  await onFakeHost({ PATH: `${join(h.dir, 'bin')}:${process.env.PATH}`, FAKE: h.dir, XDG_RUNTIME_DIR: h.dir }, (conn) =>
    recreate(conn, { engine: 'podman', spec, exists: true, stopTimeout: 30, readyUrl: url, readyTimeout: 5, progress: (p) => said.push(p) }),
  );
  assert.match(h.state().aprom, /^new\d+ running$/);
  assert.equal(said.map((p) => p.text), [
    'pulling image localhost/prometheus:lab',
    'creating the new aprom',
    'stopping aprom (gracefully: up to 30 s)',
    'swapping the old and new aprom',
    'starting the new aprom',
    `waiting for the new aprom to be ready at ${url} (last answer: 503): try 1 of 5, about 4 s left`,
    `waiting for the new aprom to be ready at ${url} (last answer: 503): try 2 of 5, about 3 s left`,
    'removing the old aprom',
  ]);
});

test('TSDB copy: bytes copied so far of the source\'s size, measured on the host; the copy itself intact', async () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-copy-'));
  const vol = join(d, 'volumes', 'abc');
  mkdirSync(join(vol, 'data', 'wal'), { recursive: true });
  for (const n of ['1', '2', '3']) writeFileSync(join(vol, 'data', `chunk${n}`), Buffer.alloc(200_000, n));
  writeFileSync(join(vol, 'data', 'wal', '0001'), 'wal');
  // a fake engine whose cp is slow (one file every 0.4 s) so the copy is seen under way
  mkdirSync(join(d, 'bin'));
  writeFileSync(join(d, 'bin', 'podman'), `#!/bin/sh
case "$1" in
volume) echo "${vol}";;
container) echo "<no value>";;
cp) for f in "${vol}"/data/*; do cp -R "$f" "$3"; sleep 0.4; done;;
esac
`);
  chmodSync(join(d, 'bin', 'podman'), 0o755);
  const total = Number(spawnSync('du', ['-sb', join(vol, 'data')], { encoding: 'utf8' }).stdout.split('\t')[0]);
  const mounts = [{ source: 'abc', target: '/prometheus', ro: false, options: [], kind: 'anonymous' as const }];
  const run = (m: typeof mounts, dest: string) => {
    const said: ProgressReport[] = [];
    return onFakeHost({ PATH: `${join(d, 'bin')}:${process.env.PATH}` }, async (conn) => {
      const r = await conn.exec(copyScript('podman', { name: 'aprom', mounts: m }, '/prometheus/data', dest), { onStdout: following((p) => said.push(p), (l) => copiedLine(l, 'copying')) });
      return { r, said };
    });
  };
  const { r, said } = await run(mounts, join(d, 'copy'));
  assert.is(r.code, 0, r.stderr);
  assert.ok(said.length >= 1, 'at least one report while copying');
  assert.ok(said.every((p) => p.total === total && p.unit === 'bytes'), JSON.stringify(said));
  const dones = said.map((p) => p.done!);
  assert.equal(dones, [...dones].sort((a, b) => a - b), 'never going back');
  assert.ok(dones.every((x) => x <= total));
  assert.equal(readdirSync(join(d, 'copy')).sort(), ['chunk1', 'chunk2', 'chunk3', 'wal']);
  assert.is(readFileSync(join(d, 'copy', 'chunk2')).length, 200_000);
  // in the container's own layer, with an engine that cannot say where it is: bytes without a total
  const inLayer = await run([], join(d, 'copy2'));
  assert.is(inLayer.r.code, 0, inLayer.r.stderr);
  assert.ok(inLayer.said.length >= 1 && inLayer.said.every((p) => p.total === undefined && p.done !== undefined));
});

test('wait-http: each failed try is reported with the last answer and the time left', async () => {
  let n = 0;
  const server = createServer((_, res) => {
    n++;
    res.writeHead(n <= 2 ? 503 : 200).end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/ready`;
  try {
    const o = await play({ playbook: playbook(`- {name: wait, wait-http: {url: "${url}", timeout: 10}}`) });
    assert.equal(o.lines, ['a wait ok']);
    const texts = progressOf(o.events).map((e) => e.text);
    assert.is(texts[0], `waiting for ${url} (last answer: 503): try 1 of 10, about 9 s left`);
    assert.ok(texts.length <= 2);
  } finally {
    server.close();
  }
});

// ------------------------------------------------------------------------------------ reporters

test('formatProgress: text, bytes done / total and rate as an operator reads them; other counts plain', () => {
  assert.is(formatProgress({ text: 'copying TSDB', done: 3_200_000_000, total: 41_000_000_000, unit: 'bytes', rate: 180_400_000 }), 'copying TSDB 3.2 GB / 41.0 GB, 180 MB/s');
  assert.is(formatProgress({ text: 'copying', done: 512, unit: 'bytes', rate: 4_500_000 }), 'copying 512 B, 4.5 MB/s');
  assert.is(formatProgress({ text: 'hosts', done: 3, total: 10 }), 'hosts 3 / 10');
  assert.is(formatProgress({ text: 'attempt 2 of 4' }), 'attempt 2 of 4');
});

test('plain output: a progress line per host at most every few seconds, the first at once', () => {
  const out: string[] = [];
  const p = plainProgress({ tty: false, diff: false, verbose: false, color: false, out: (s) => out.push(s), progressEveryMs: 60_000 });
  const ev = (host: string, text: string): ProgressEvent => ({ kind: 'progress', host, play: 'p', task: 'copy', text });
  p.listen(ev('prom1', 'one'));
  p.listen(ev('prom1', 'two'));
  p.listen(ev('prom2', 'other host'));
  assert.equal(out, ['progress: [prom1] copy: one', 'progress: [prom2] copy: other host']);
});

test('a run without a terminal prints progress lines; --events has the progress events', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-progress-cli-'));
  writeFileSync(join(dir, 'inv.yml'), 'all:\n  hosts:\n    h1: {connection: local}\n');
  writeFileSync(join(dir, 'pb.yml'), `- hosts: all\n  tasks:\n    - name: wait for flag\n      shell: "test -e flag || { touch flag; exit 1; }"\n      register: r\n      until: r.rc == 0\n      retries: 3\n      delay: 1\n      changed_when: false\n`);
  const r = await skiff(['run', 'pb.yml', '-i', 'inv.yml', '--events', 'ev.ndjson'], { cwd: dir, env: { HOME: dir, ANSIBLE_CONFIG: '' } });
  assert.is(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, 'progress: [h1] wait for flag: attempt 1 of 4: until r.rc == 0 not met, next in 1 s\n');
  const events = readFileSync(join(dir, 'ev.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const p = events.filter((e) => e.kind === 'progress');
  assert.is(p.length, 1);
  assert.is(p[0].host, 'h1');
  assert.is(p[0].task, 'wait for flag');
  assert.is(typeof p[0].time, 'string');
});


test('notes (how a host is reached) are shown under -v only', () => {
  for (const verbose of [false, true]) {
    const lines: string[] = [];
    const p = plainProgress({ tty: false, diff: false, verbose, color: false, out: (s) => lines.push(s) });
    p.listen({ kind: 'note', host: 'prom1', text: 'prom1: one exec per command (the persistent session did not start: x)' });
    assert.equal(lines, verbose ? ['note: prom1: one exec per command (the persistent session did not start: x)'] : []);
  }
});

test('a result line shows the diff with --diff, or without it for a task that says diff: true', () => {
  const r = { host: 'a', play: 'p', task: 't', type: 'content', status: 'changed' as const, changes: ['write /f'], diff: '+new', ms: 1 };
  const o = { diff: false, verbose: false, color: false };
  assert.not.match(describe(r, o), '+new');
  assert.match(describe(r, { ...o, diff: true }), '    +new');
  assert.match(describe({ ...r, showDiff: true }, o), '    +new');
});

test("channel: a report of another step sends the last state of the one waiting first: a step quicker than the interval is still seen", () => {
  const clock = fakeClock();
  const sent: string[] = [];
  const ch = progressChannel(where, (e) => sent.push(`${e.text}${e.done !== undefined ? ` ${e.done}/${e.total}` : ''}`), (s) => s, clock);
  ch.report({ text: 'copying the TSDB of aprom', done: 0, total: 10, unit: 'bytes' });
  clock.advance(50);
  ch.report({ text: 'copying the TSDB of aprom', done: 10, total: 10, unit: 'bytes' });
  clock.advance(50);
  ch.report({ text: 'stopping aprom' });
  clock.advance(50);
  ch.report({ text: 'starting the new aprom' });
  assert.equal(sent, ['copying the TSDB of aprom 0/10', 'copying the TSDB of aprom 10/10', 'stopping aprom']);
  clock.advance(PROGRESS_INTERVAL_MS);
  assert.equal(sent.at(-1), 'starting the new aprom');
});

test.run();
