// The benchmark's records and their summary: one Stat per host count, contender and mode (pure).
export type Contender = 'skiff' | 'ansible' | 'mitogen' | 'floor' | 'floor-tsx';
export type Mode = 'cold' | 'warm' | 'check';
export const CONTENDERS: Contender[] = ['skiff', 'ansible', 'mitogen', 'floor', 'floor-tsx'];
export const MODES: Mode[] = ['cold', 'warm', 'check'];

export interface RunRecord {
  hosts: number;
  round: number;
  contender: Contender;
  mode: Mode;
  ms: number;
  /** max(peak of the sampled tree RSS sum, /usr/bin/time %M) in MiB */
  peakMB: number;
  treeRssMB: number;
  treePssMB: number;
  maxRssMB: number;
  maxProcs: number;
  /** CPU seconds (user + sys) of the run's processes that were waited for (/usr/bin/time) */
  cpuS: number;
  /** peak of the open file descriptors of the run's processes (summed), sampled */
  peakFds: number;
  ok: boolean;
  problems: string[];
  /** per host, kept only when the run failed (at 500 hosts, 40 runs of recaps would be megabytes) */
  recap?: Record<string, { ok: number; changed: number; failed: number; unreachable: number }>;
  /** skiff only: how bin/skiff.mjs started it */
  launcher?: 'bundle' | 'tsx';
}

export interface Stat {
  hosts: number;
  contender: Contender;
  mode: Mode;
  n: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  peakMB: number;
  peakPssMB: number;
  peakFds: number;
  /** median CPU seconds of the successful runs: against medianMs, how many cores the controller kept busy */
  cpuS: number;
  failures: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const k = Math.floor(s.length / 2);
  return s.length % 2 ? s[k] : Math.round((s[k - 1] + s[k]) / 2);
}

/**
 * Per host count, contender and mode: wall time median/min/max over the rounds, peaks over them.
 * Failed runs are counted, and left out of the times: a run cut short is not a fast run.
 */
export function stats(records: RunRecord[]): Stat[] {
  const out: Stat[] = [];
  const counts = [...new Set(records.map((r) => r.hosts))].sort((a, b) => a - b);
  for (const hosts of counts) {
    for (const contender of CONTENDERS) {
      for (const mode of MODES) {
        const all = records.filter((r) => r.hosts === hosts && r.contender === contender && r.mode === mode);
        if (!all.length) continue;
        const ok = all.filter((r) => r.ok);
        const ms = ok.map((r) => r.ms);
        out.push({
          hosts,
          contender,
          mode,
          n: ok.length,
          medianMs: ms.length ? median(ms) : NaN,
          minMs: ms.length ? Math.min(...ms) : NaN,
          maxMs: ms.length ? Math.max(...ms) : NaN,
          peakMB: Math.max(...all.map((r) => r.peakMB)),
          peakPssMB: Math.max(...all.map((r) => r.treePssMB)),
          peakFds: Math.max(...all.map((r) => r.peakFds)),
          cpuS: ok.length ? median(ok.map((r) => r.cpuS * 1000)) / 1000 : NaN,
          failures: all.length - ok.length,
        });
      }
    }
  }
  return out;
}

export function table(st: Stat[]): string {
  const head = ['hosts', 'contender', 'mode', 'runs', 'median ms', 'min ms', 'max ms', 'CPU s', 'peak MB (RSS)', 'peak MB (PSS)', 'peak fds', 'failed'];
  const n = (x: number) => (Number.isNaN(x) ? '-' : String(x));
  const rows = st.map((s) => [String(s.hosts), s.contender, s.contender.startsWith('floor') ? '-' : s.mode, String(s.n), n(s.medianMs), n(s.minMs), n(s.maxMs), Number.isNaN(s.cpuS) ? '-' : s.cpuS.toFixed(1), s.peakMB.toFixed(1), s.peakPssMB.toFixed(1), String(s.peakFds), String(s.failures)]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 1 || i === 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [line(head), w.map((k) => '-'.repeat(k)).join('  '), ...rows.map(line)].join('\n');
}
