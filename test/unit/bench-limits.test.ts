// bench/limits.ts: what would stop the next step (1000 hosts), carried on from the two largest counts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nextStep } from '../../bench/limits.ts';
import type { Contender, Mode, Stat } from '../../bench/summary.ts';

const stat = (hosts: number, contender: Contender, mode: Mode, medianMs: number, peakMB: number, peakFds: number): Stat => ({
  hosts, contender, mode, n: 3, medianMs, minMs: medianMs, maxMs: medianMs, peakMB, peakPssMB: peakMB / 2, peakFds, cpuS: medianMs / 2000, failures: 0,
});

const run = [
  stat(20, 'skiff', 'warm', 600, 75, 45),
  stat(200, 'skiff', 'cold', 9000, 120, 420),
  stat(200, 'skiff', 'warm', 4000, 110, 410),
  stat(500, 'skiff', 'cold', 20_000, 200, 1020), // the peaks are the largest over the modes
  stat(500, 'skiff', 'warm', 10_000, 180, 1010),
  stat(200, 'floor', 'warm', 3000, 60, 205),
  stat(500, 'floor', 'warm', 7500, 90, 505),
];

test('per host from the two largest counts, carried on to 1000: memory over 250 MB is the first limit', () => {
  const { projections, lines } = nextStep({ stats: run, next: 1000, floor: 'floor', fdSoft: 20_000, fdHard: 20_000, memTargetMB: 250, lab: { hosts: 500, mb: 650, availableMB: 20_000 } });
  const p = (w: string) => projections.find((x) => x.what.startsWith(w))!;
  // (200 - 120) / 300 hosts, then 500 more hosts
  assert.ok(Math.abs(p('skiff peak RSS').perHost - 80 / 300) < 1e-9);
  assert.ok(Math.abs(p('skiff peak RSS').projected - (200 + (80 / 300) * 500)) < 1e-9);
  assert.ok(p('skiff peak RSS').over);
  assert.is(p('skiff peak open fds').projected, 1020 + 2 * 500);
  assert.not.ok(p('skiff peak open fds').over);
  assert.is(p('skiff warm wall time').projected, 10_000 + 20 * 500);
  assert.is(p('floor wall time').projected, 7500 + 15 * 500);
  assert.is(p('idle lab hosts memory').projected, 1300);
  assert.not.ok(p('idle lab hosts memory').over);
  assert.ok(lines.some((l) => /first limit: skiff peak RSS/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /skiff warm \/ floor at 1000: 1\.33x/.test(l)), lines.join('\n'));
  // skiff's CPU against its wall time at the largest count: 5 s of CPU in 10 s is half a core
  assert.ok(lines.some((l) => /skiff's own CPU, warm at 500 hosts: 5\.0 s in 10\.0 s \(0\.50 of a core/.test(l)), lines.join('\n'));
});

test('a low fd soft limit is reported as what stops it; no bound crossed means wall time', () => {
  const low = nextStep({ stats: run, next: 1000, floor: 'floor', fdSoft: 1024, fdHard: 4096, memTargetMB: 1000 });
  assert.ok(low.lines.some((l) => /first limit: skiff peak open fds/.test(l)), low.lines.join('\n'));
  const none = nextStep({ stats: run, next: 1000, floor: 'floor', fdSoft: 65_536, fdHard: 65_536, memTargetMB: 1000 });
  assert.ok(none.lines.some((l) => /no bound crossed: the limit is wall time/.test(l)), none.lines.join('\n'));
});

test('one host count is not enough to carry anything on', () => {
  const r = nextStep({ stats: run.filter((s) => s.hosts === 500), next: 1000, floor: 'floor', fdSoft: 1024, fdHard: 1024, memTargetMB: 250 });
  assert.equal(r.projections, []);
  assert.ok(r.lines.some((l) => l.includes('not enough host counts')));
});

test.run();
