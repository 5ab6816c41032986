// bench/chart.ts: where the medians land on the log-log chart, read back from the SVG it writes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PLOT, chartSvg } from '../../bench/chart.ts';
import type { Contender, Mode, Stat } from '../../bench/summary.ts';

const stat = (hosts: number, contender: Contender, mode: Mode, medianMs: number): Stat => ({
  hosts, contender, mode, n: 3, medianMs, minMs: medianMs, maxMs: medianMs, peakMB: 80, peakPssMB: 40, peakFds: 30, cpuS: 1, failures: 0,
});

/** every circle of a series: hosts, ms, cx, cy */
function circles(svg: string, series: string) {
  const g = new RegExp(`<g data-series="${series}">([\\s\\S]*?)</g>`).exec(svg);
  assert.ok(g, `no series ${series} in\n${svg}`);
  return [...g![1].matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"[^>]*data-hosts="(\d+)" data-ms="([\d.]+)"/g)].map((m) => ({ cx: Number(m[1]), cy: Number(m[2]), hosts: Number(m[3]), ms: Number(m[4]) }));
}

test('log-log placement: 2 -> 200 hosts span the x axis, 100 ms -> 10 s the y axis, 20 hosts and 1 s in the middle', () => {
  const svg = chartSvg([stat(2, 'skiff', 'warm', 100), stat(20, 'skiff', 'warm', 1000), stat(200, 'skiff', 'warm', 10_000)], 't');
  const [a, b, c] = circles(svg, 'skiff warm');
  const midX = (PLOT.left + PLOT.right) / 2;
  const midY = (PLOT.top + PLOT.bottom) / 2;
  assert.equal([a.hosts, b.hosts, c.hosts], [2, 20, 200]);
  assert.equal([a.cx, b.cx, c.cx], [PLOT.left, midX, PLOT.right]);
  // the longest time is at the top: y grows downwards in SVG
  assert.equal([a.cy, b.cy, c.cy], [PLOT.bottom, midY, PLOT.top]);
});

test('each contender and mode is its own series on the shared axes; floors have no mode', () => {
  const svg = chartSvg(
    [stat(2, 'skiff', 'cold', 100), stat(200, 'skiff', 'cold', 1000), stat(2, 'ansible', 'warm', 1000), stat(2, 'floor', 'warm', 100), stat(200, 'floor', 'warm', 1000)],
    't',
  );
  const [ansible] = circles(svg, 'ansible warm');
  const [skiff2, skiff200] = circles(svg, 'skiff cold');
  const floors = circles(svg, 'floor');
  // the same count lines up; 1000 ms is the top decade, 100 ms the bottom one
  assert.is(ansible.cx, skiff2.cx);
  assert.is(ansible.cy, PLOT.top);
  assert.is(skiff2.cy, PLOT.bottom);
  assert.is(skiff200.cy, ansible.cy);
  assert.equal(floors.map((p) => [p.cx, p.cy]), [[skiff2.cx, skiff2.cy], [skiff200.cx, skiff200.cy]]);
  assert.ok(/<polyline[^>]*points="70,400 560,40"/.test(svg.split('data-series="skiff cold"')[1]), 'the line goes through the points in host order');
});

test('times between decades sit by their logarithm; the axis widens to whole decades', () => {
  // 300 ms and 3000 ms: the axis is 100 ms .. 10 s, log10(3) of the way up each decade
  const svg = chartSvg([stat(2, 'skiff', 'warm', 300), stat(20, 'skiff', 'warm', 3000)], 't');
  const [a, b] = circles(svg, 'skiff warm');
  const decade = (PLOT.bottom - PLOT.top) / 2;
  assert.ok(Math.abs(a.cy - (PLOT.bottom - Math.log10(3) * decade)) < 0.1, String(a.cy));
  assert.ok(Math.abs(b.cy - (PLOT.bottom - (1 + Math.log10(3)) * decade)) < 0.1, String(b.cy));
  for (const label of ['100 ms', '1 s', '10 s']) assert.ok(svg.includes(`>${label}</text>`), label);
  // whole decades above a minute read as seconds too
  const long = chartSvg([stat(2, 'skiff', 'warm', 300), stat(20, 'skiff', 'warm', 90_000)], 't');
  for (const label of ['100 ms', '1 s', '10 s', '100 s']) assert.ok(long.includes(`>${label}</text>`), label);
});

test('a series whose every run failed (no median) is left out; nothing measured says so', () => {
  const svg = chartSvg([stat(2, 'skiff', 'warm', 500), stat(2, 'mitogen', 'warm', NaN)], 't');
  assert.not.ok(svg.includes('data-series="mitogen warm"'));
  assert.is(circles(svg, 'skiff warm').length, 1);
  assert.ok(chartSvg([], 't').includes('nothing measured'));
});

test('the title is escaped', () => {
  assert.ok(chartSvg([], 'a <b> & "c"').includes('a &lt;b&gt; &amp; &quot;c&quot;'));
});

test.run();
