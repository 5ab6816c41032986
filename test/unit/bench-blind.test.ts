// bench/blind.ts (issue #23's figures): the pure parts that turn polls into figures.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { blindChart, blindTable, longestFalse, missedOf, parseSize, type BlindRow } from '../../bench/blind.ts';

test('sizes: 50M, 2G, 10G, 512K; anything else refused', () => {
  assert.is(parseSize('50M'), 50 * 1024 ** 2);
  assert.is(parseSize('2G'), 2 * 1024 ** 3);
  assert.is(parseSize('10g'), 10 * 1024 ** 3);
  assert.is(parseSize('512K'), 512 * 1024);
  assert.throws(() => parseSize('10 GB'), /--sizes/);
});

test('not ready: the longest stretch of failed polls, also one still open at the end', () => {
  const p = (t: number, ok: boolean) => ({ t, ok });
  assert.is(longestFalse([p(0, true), p(500, false), p(1000, false), p(1500, true), p(2000, false), p(2500, true)]), 1);
  assert.is(longestFalse([p(0, true), p(500, true)]), 0);
  assert.is(longestFalse([p(0, true), p(500, false), p(3500, false)]), 3);
});

test('table and chart: a row per host, prom2 carries the copy figures; a size not run says why', () => {
  const host = (h: string, s: number) => ({ host: h, notReadyS: s, restarts: 0, recreated: h === 'prom2', missedScrapes: h === 'prom2' ? 1 : 0, longestGapS: h === 'prom2' ? 35 : 20, walReplayS: h === 'prom2' ? 0.2 : undefined, seriesBefore: 10, seriesAfter: 10 });
  const rows: BlindRow[] = [
    { size: '50M', bytes: 50 * 1024 ** 2, tsdbBytes: 52 * 1024 ** 2, runS: 40, exit: 0, copyUpS: 0.5, copyDownS: 0.3, linked: false, hosts: [host('prom1', 0), host('prom2', 6), host('prom3', 0)] },
    { size: '10G', bytes: 10 * 1024 ** 3, tsdbBytes: 0, runS: 0, exit: -1, copyUpS: undefined, copyDownS: undefined, linked: undefined, hosts: [], skipped: 'needs 20.0 GB + 5 GB free, 12.0 GB free' },
  ];
  const t = blindTable(rows).split('\n');
  assert.is(t.length, 2 + 3 + 1);
  assert.match(t[3], /^\| 50M \(52 MB\) \| prom2 \| 6\.0 \| 0 \| yes \| 1 \(35\.0 s\) \| 0\.2 \| 0\.5 \| 0\.3 \| no \| 10 -> 10 \|$/);
  assert.match(t[2], /\| prom1 \| 0\.0 \| 0 \| no \| 0 \(20\.0 s\) \| - \|  \|  \|  \| 10 -> 10 \|$/);
  assert.match(t[5], 'not run: needs 20.0 GB');
  assert.match(blindChart(rows), /^  50M \| #{50} 6\.0 s not ready \(prom2\)$/);
});

test('missed scrapes of the 20 s job: the slots strictly inside the longest gap', () => {
  assert.is(missedOf(20.017), 0);
  assert.is(missedOf(34.9), 1);
  assert.is(missedOf(36.2), 1);
  assert.is(missedOf(44.8), 2, 'a phase shift after the restart');
  assert.is(missedOf(undefined), undefined);
});

test.run();
