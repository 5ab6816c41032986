// What limits the next step (1000+ hosts), from what the run measured (pure): skiff's peak memory,
// peak open fds and wall time per host between the two largest counts, carried on linearly to the
// next count, against the bounds that would stop it there (the 250 MB target, the fd soft limit
// skiff inherits, the machine's memory for the lab's hosts).
import type { Stat } from './summary.ts';

export interface LimitsInput {
  stats: Stat[];
  next: number;
  floor: 'floor' | 'floor-tsx';
  fdSoft: number;
  fdHard: number;
  /** PSS (MiB) of the idle lab's hosts (sshd + anchor each), how many, and what the machine still has */
  lab?: { hosts: number; mb: number; availableMB: number };
  memTargetMB: number;
}

export interface Projection {
  what: string;
  /** per host, between the two largest counts */
  perHost: number;
  projected: number;
  bound?: number;
  over: boolean;
}

/** value at `next`, carried on from the two largest counts of (hosts, value) */
function carry(pts: [number, number][], next: number): { perHost: number; projected: number } | undefined {
  const s = pts.filter(([, v]) => Number.isFinite(v)).sort((a, b) => a[0] - b[0]);
  if (s.length < 2) return undefined;
  const [[n1, v1], [n2, v2]] = s.slice(-2);
  const perHost = (v2 - v1) / (n2 - n1);
  return { perHost, projected: v2 + perHost * (next - n2) };
}

export function nextStep(input: LimitsInput): { projections: Projection[]; lines: string[] } {
  const { stats: st, next } = input;
  const skiff = st.filter((s) => s.contender === 'skiff');
  const counts = [...new Set(skiff.map((s) => s.hosts))].sort((a, b) => a - b);
  const peakAt = (h: number, f: (s: Stat) => number) => Math.max(...skiff.filter((s) => s.hosts === h).map(f));
  const series = (f: (s: Stat) => number) => counts.map((h) => [h, peakAt(h, f)] as [number, number]);
  const timeOf = (c: string, m: string) => st.filter((s) => s.contender === c && s.mode === m).map((s) => [s.hosts, s.medianMs] as [number, number]);
  const projections: Projection[] = [];
  const add = (what: string, c: ReturnType<typeof carry>, bound?: number) => {
    if (c) projections.push({ what, ...c, bound, over: bound !== undefined && c.projected >= bound });
  };
  add('skiff peak RSS (MB)', carry(series((s) => s.peakMB), next), input.memTargetMB);
  add('skiff peak open fds', carry(series((s) => s.peakFds), next), input.fdSoft);
  add('skiff warm wall time (ms)', carry(timeOf('skiff', 'warm'), next));
  add(`${input.floor} wall time (ms)`, carry(timeOf(input.floor, 'warm'), next));
  if (input.lab) {
    const perHost = input.lab.mb / input.lab.hosts;
    // what the machine has left with the current hosts up, against what the extra hosts would take
    const extra = perHost * (next - input.lab.hosts);
    projections.push({ what: 'idle lab hosts memory (MB PSS, sshd + anchor per host)', perHost, projected: perHost * next, bound: input.lab.availableMB + input.lab.mb, over: extra >= input.lab.availableMB });
  }

  const f = (v: number) => (Math.abs(v) >= 100 ? String(Math.round(v)) : v.toFixed(2));
  const lines = [`next step, ${next} hosts (linear from the two largest counts measured${counts.length ? `: ${counts.slice(-2).join(' and ')}` : ''}):`];
  if (!projections.length) lines.push('  not enough host counts measured (needs two)');
  else if (counts.at(-1)! < 100) lines.push(`  (from ${counts.at(-1)} hosts, fixed costs dominate: read these as a rough bound only)`);
  for (const p of projections) lines.push(`  ${p.over ? 'OVER ' : '     '}${p.what}: ${f(p.perHost)}/host -> ${f(p.projected)}${p.bound !== undefined ? ` (bound ${f(p.bound)})` : ''}`);
  const warm = projections.find((p) => p.what.startsWith('skiff warm'));
  const fl = projections.find((p) => p.what.startsWith(input.floor));
  if (warm && fl) lines.push(`  skiff warm / floor at ${next}: ${(warm.projected / fl.projected).toFixed(2)}x (the time per extra host is what 2 cores spend on SSH handshakes and commands, on both sides)`);
  // is skiff's own process the bottleneck? its CPU time against its wall time, at the largest count
  const top = skiff.find((s) => s.hosts === counts.at(-1) && s.mode === 'warm');
  if (top && Number.isFinite(top.cpuS) && Number.isFinite(top.medianMs)) {
    lines.push(`  skiff's own CPU, warm at ${top.hosts} hosts: ${top.cpuS.toFixed(1)} s in ${(top.medianMs / 1000).toFixed(1)} s (${((top.cpuS * 1000) / top.medianMs).toFixed(2)} of a core; node runs one thread of JavaScript)`);
  }
  lines.push(`  fd limits skiff inherits: soft ${input.fdSoft}, hard ${input.fdHard}`);
  const over = projections.filter((p) => p.over);
  lines.push(over.length ? `  first limit: ${over.map((p) => p.what).join(', ')}` : '  no bound crossed: the limit is wall time (CPU)');
  return { projections, lines };
}
