// The benchmark's chart: median wall time against host count, one line per contender and mode,
// both axes logarithmic (2..500 hosts, and times from ~100 ms to minutes). Hand-written SVG from
// the summary (pure): no dependency, and it diffs as text.
import type { Stat } from './summary.ts';

/** the plot area inside the SVG (user units); exported for the test that checks placement */
export const PLOT = { left: 70, right: 560, top: 40, bottom: 400, width: 760, height: 460 };

const COLOR: Record<string, string> = { skiff: '#1f77b4', ansible: '#d62728', mitogen: '#ff7f0e', floor: '#2ca02c', 'floor-tsx': '#8c564b' };
const DASH: Record<string, string> = { cold: '', warm: '7 4', check: '2 4' };

export interface Point {
  series: string;
  hosts: number;
  ms: number;
  x: number;
  y: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const seriesName = (s: Stat) => (s.contender.startsWith('floor') ? s.contender : `${s.contender} ${s.mode}`);

/** log10 domain [lo, hi] -> [a, b]; a one-value domain is widened to a factor of 2 each way */
function logScale(lo: number, hi: number, a: number, b: number): (v: number) => number {
  let l = Math.log10(lo);
  let h = Math.log10(hi);
  if (h - l < 1e-9) {
    l -= Math.log10(2);
    h += Math.log10(2);
  }
  return (v) => a + ((Math.log10(v) - l) / (h - l)) * (b - a);
}

/** Where every measured median goes (failed-only series have no median and are left out). */
export function chartPoints(stats: Stat[]): { points: Point[]; hostTicks: number[]; msDecades: number[] } {
  const ok = stats.filter((s) => Number.isFinite(s.medianMs) && s.medianMs > 0);
  const hostTicks = [...new Set(ok.map((s) => s.hosts))].sort((a, b) => a - b);
  if (!ok.length) return { points: [], hostTicks, msDecades: [] };
  // whole decades of milliseconds, so that the grid lines read 100 ms, 1 s, 10 s, ...
  const lo = 10 ** Math.floor(Math.log10(Math.min(...ok.map((s) => s.medianMs))));
  let hi = 10 ** Math.ceil(Math.log10(Math.max(...ok.map((s) => s.medianMs))));
  if (hi <= lo) hi = lo * 10;
  const msDecades: number[] = [];
  for (let d = lo; d <= hi * 1.0001; d *= 10) msDecades.push(Math.round(d));
  const x = logScale(hostTicks[0], hostTicks.at(-1)!, PLOT.left, PLOT.right);
  const y = logScale(lo, hi, PLOT.bottom, PLOT.top); // larger times higher up
  const points = ok.map((s) => ({ series: seriesName(s), hosts: s.hosts, ms: s.medianMs, x: x(s.hosts), y: y(s.medianMs) }));
  return { points, hostTicks, msDecades };
}

const r1 = (v: number) => Math.round(v * 10) / 10;
const msLabel = (ms: number) => (ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`); // decades: 100 s, not 1.67 min

export function chartSvg(stats: Stat[], title: string): string {
  const { points, hostTicks, msDecades } = chartPoints(stats);
  const xOf = new Map(points.map((p) => [p.hosts, p.x]));
  const lo = msDecades[0];
  const hi = msDecades.at(-1);
  const yDecade = lo && hi ? logScale(lo, hi, PLOT.bottom, PLOT.top) : () => PLOT.bottom;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${PLOT.width} ${PLOT.height}" width="${PLOT.width}" height="${PLOT.height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${PLOT.left}" y="22" font-size="14">${esc(title)}</text>`);
  // grid and axes
  for (const d of msDecades) {
    const y = r1(yDecade(d));
    out.push(`<line x1="${PLOT.left}" y1="${y}" x2="${PLOT.right}" y2="${y}" stroke="#ddd"/><text x="${PLOT.left - 6}" y="${y + 4}" text-anchor="end">${msLabel(d)}</text>`);
  }
  for (const h of hostTicks) {
    const x = r1(xOf.get(h)!);
    out.push(`<line x1="${x}" y1="${PLOT.top}" x2="${x}" y2="${PLOT.bottom}" stroke="#ddd"/><text x="${x}" y="${PLOT.bottom + 16}" text-anchor="middle">${h}</text>`);
  }
  out.push(`<rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.right - PLOT.left}" height="${PLOT.bottom - PLOT.top}" fill="none" stroke="#444"/>`);
  out.push(`<text x="${(PLOT.left + PLOT.right) / 2}" y="${PLOT.bottom + 36}" text-anchor="middle">hosts (log scale)</text>`);
  out.push(`<text transform="translate(16 ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)" text-anchor="middle">median wall time (log scale)</text>`);
  // one polyline per series, points in host order, and a legend entry
  const series = [...new Set(points.map((p) => p.series))];
  series.forEach((name, i) => {
    const [contender, mode = 'warm'] = name.split(' ');
    const color = COLOR[contender] ?? '#000';
    const dash = DASH[mode] ? ` stroke-dasharray="${DASH[mode]}"` : '';
    const ps = points.filter((p) => p.series === name).sort((a, b) => a.hosts - b.hosts);
    out.push(`<g data-series="${esc(name)}">`);
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${ps.map((p) => `${r1(p.x)},${r1(p.y)}`).join(' ')}"/>`);
    for (const p of ps) out.push(`<circle cx="${r1(p.x)}" cy="${r1(p.y)}" r="3.5" fill="${color}" data-hosts="${p.hosts}" data-ms="${p.ms}"><title>${esc(name)}: ${p.hosts} hosts, ${p.ms} ms</title></circle>`);
    const ly = PLOT.top + 8 + i * 20;
    out.push(`<line x1="${PLOT.right + 16}" y1="${ly}" x2="${PLOT.right + 46}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/><text x="${PLOT.right + 52}" y="${ly + 4}">${esc(name)}</text>`);
    out.push('</g>');
  });
  if (!points.length) out.push(`<text x="${PLOT.left + 10}" y="${PLOT.top + 20}">nothing measured</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
