// bench/targets.ts: issue #11's targets, PASS/MISS/N/A from a run's summary.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluateTargets, targetLine, type Target } from '../../bench/targets.ts';
import type { Contender, Mode, Stat } from '../../bench/summary.ts';

const stat = (hosts: number, contender: Contender, mode: Mode, medianMs: number, peakMB = 80): Stat => ({
  hosts, contender, mode, n: 3, medianMs, minMs: medianMs, maxMs: medianMs, peakMB, peakPssMB: peakMB / 2, peakFds: hosts + 20, cpuS: 1, failures: 0,
});
const byName = (ts: Target[], start: string) => {
  const t = ts.find((x) => x.name.startsWith(start));
  assert.ok(t, `no target ${start}`);
  return t!;
};

/** a run that meets every target by a margin */
function good(): Stat[] {
  return [
    stat(20, 'skiff', 'warm', 500), stat(20, 'skiff', 'cold', 800), stat(20, 'floor', 'warm', 400), stat(20, 'floor-tsx', 'warm', 900),
    stat(20, 'mitogen', 'warm', 5000), stat(20, 'ansible', 'warm', 40_000),
    stat(200, 'skiff', 'warm', 2500), stat(200, 'skiff', 'cold', 5000), stat(200, 'floor', 'warm', 2000),
    stat(500, 'skiff', 'warm', 7000, 200), stat(500, 'skiff', 'cold', 12_000, 240), stat(500, 'floor', 'warm', 5000),
  ];
}

test('a run that meets every target: eight PASS lines, each with its figure', () => {
  const ts = evaluateTargets({ stats: good(), floor: 'floor', thanos: { rerunMs: 800 } });
  assert.is(ts.length, 8);
  assert.equal(ts.map((t) => t.verdict), Array(8).fill('PASS'), ts.map(targetLine).join('\n'));
  assert.is(byName(ts, 'warm <= 1.3x the ssh2 floor at 20').value, 500 / 400);
  assert.is(byName(ts, 'warm >= 5x faster than Ansible+Mitogen').value, 10);
  assert.is(byName(ts, 'warm >= 60x faster than ansible-playbook').value, 80);
  assert.is(byName(ts, '500 hosts: controller peak').value, 240); // the peak over every mode at 500
  assert.match(targetLine(byName(ts, 'cold <= 3x')), /^PASS  cold <= 3x the ssh2 floor at 200 hosts: 2\.50x: skiff cold 5000 ms \/ floor 2000 ms$/);
});

test('each bound is where the issue puts it: just over it is a MISS', () => {
  const st = good().map((s) => ({ ...s }));
  const set = (h: number, c: Contender, m: Mode, ms: number, mb?: number) => {
    const s = st.find((x) => x.hosts === h && x.contender === c && x.mode === m)!;
    s.medianMs = ms;
    if (mb !== undefined) s.peakMB = mb;
  };
  set(20, 'skiff', 'warm', 521); // 1.3025x the floor's 400; 9.6x mitogen's 5000; 76.8x ansible's
  set(200, 'skiff', 'cold', 6001); // 3.0005x
  set(500, 'skiff', 'warm', 7501, 250); // 1.5002x; exactly 250 MB is not < 250
  const ts = evaluateTargets({ stats: st, floor: 'floor', thanos: { rerunMs: 1000 } });
  assert.is(byName(ts, 'warm <= 1.3x the ssh2 floor at 20').verdict, 'MISS');
  assert.is(byName(ts, 'cold <= 3x').verdict, 'MISS');
  assert.is(byName(ts, '500 hosts: warm').verdict, 'MISS');
  assert.is(byName(ts, '500 hosts: controller peak').verdict, 'MISS');
  assert.is(byName(ts, 'thanos.yml rerun').verdict, 'MISS'); // 1000 ms is not under 1 s
  assert.is(byName(ts, 'warm >= 5x faster than Ansible+Mitogen').verdict, 'PASS');
  set(20, 'mitogen', 'warm', 2600); // 4.99x
  assert.is(byName(evaluateTargets({ stats: st, floor: 'floor' }), 'warm >= 5x faster than Ansible+Mitogen').verdict, 'MISS');
});

test('the floor is the one started as skiff was: floor-tsx when skiff ran from its sources', () => {
  const ts = evaluateTargets({ stats: good(), floor: 'floor-tsx' });
  const t = byName(ts, 'warm <= 1.3x the ssh2 floor at 20');
  assert.is(t.value, 500 / 900);
  assert.match(t.detail, /floor-tsx/);
  // floor-tsx was not measured at 200 hosts
  assert.is(byName(ts, 'warm <= 1.3x the ssh2 floor at 200').verdict, 'N/A');
});

test('only judged at its own host count: a smoke run at 2 hosts is N/A everywhere, and says why', () => {
  const ts = evaluateTargets({ stats: [stat(2, 'skiff', 'warm', 300), stat(2, 'floor', 'warm', 200), stat(2, 'ansible', 'warm', 9000)], floor: 'floor' });
  assert.equal(ts.map((t) => t.verdict), Array(8).fill('N/A'));
  assert.is(byName(ts, 'warm <= 1.3x the ssh2 floor at 20').detail, 'skiff warm not measured at 20 hosts');
  assert.is(byName(ts, '500 hosts: controller peak').detail, 'skiff not measured at 500 hosts');
  assert.is(byName(ts, 'thanos.yml rerun').detail, 'the thanos scenario did not run');
});

test('skiff failing every run is a MISS; the other side failing is N/A (nothing to compare with)', () => {
  const st = good().map((s) => (s.hosts === 500 && s.contender === 'skiff' && s.mode === 'warm' ? { ...s, medianMs: NaN, n: 0, failures: 3 } : s));
  const withMitogenFailed = good().map((s) => (s.contender === 'mitogen' ? { ...s, medianMs: NaN } : s));
  assert.is(byName(evaluateTargets({ stats: st, floor: 'floor' }), '500 hosts: warm').verdict, 'MISS');
  assert.is(byName(evaluateTargets({ stats: withMitogenFailed, floor: 'floor' }), 'warm >= 5x faster than Ansible+Mitogen').verdict, 'N/A');
  assert.is(byName(evaluateTargets({ stats: good(), floor: 'floor', thanos: { rerunMs: NaN } }), 'thanos.yml rerun').verdict, 'MISS');
});

test.run();
