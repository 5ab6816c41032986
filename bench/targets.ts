// Issue #11's targets, computed from the summary (pure): PASS, MISS, or N/A when the run did not
// measure what a target needs (its host count was not in --hosts, a contender was skipped). A
// target is only ever judged at its own host count: 200 hosts say nothing about 20.
import type { Contender, Mode, Stat } from './summary.ts';

export interface ThanosTimes {
  /** median wall time of the reruns (nothing to do), ms; NaN when none succeeded */
  rerunMs: number;
}

export interface TargetInput {
  stats: Stat[];
  /** the floor started as skiff was: 'floor' (plain node, skiff's bundle) or 'floor-tsx' */
  floor: 'floor' | 'floor-tsx';
  thanos?: ThanosTimes;
}

export interface Target {
  name: string;
  verdict: 'PASS' | 'MISS' | 'N/A';
  /** the measured figure, in the target's unit (x or MB or ms) */
  value?: number;
  /** what was compared, or why it is N/A */
  detail: string;
}

type Pick = { ms: number; stat: Stat } | { missing: string };

function pick(st: Stat[], hosts: number, contender: Contender, mode: Mode): Pick {
  const s = st.find((x) => x.hosts === hosts && x.contender === contender && x.mode === mode);
  if (!s) return { missing: `${contender} ${contender.startsWith('floor') ? '' : `${mode} `}not measured at ${hosts} hosts` };
  return { ms: s.medianMs, stat: s };
}

const fmt = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

/** a/b <= limit (slower by at most limit), or b/a >= factor (faster by at least factor) */
function ratioTarget(name: string, a: Pick, b: Pick, aName: string, bName: string, want: { atMost: number } | { fasterBy: number }): Target {
  if ('missing' in a) return { name, verdict: 'N/A', detail: a.missing };
  if ('missing' in b) return { name, verdict: 'N/A', detail: b.missing };
  // the side whose every run failed cannot be compared; skiff failing is a miss, the other an N/A
  if (Number.isNaN(a.ms)) return { name, verdict: 'MISS', detail: `every ${aName} run failed` };
  if (Number.isNaN(b.ms)) return { name, verdict: 'N/A', detail: `every ${bName} run failed` };
  if ('atMost' in want) {
    const r = a.ms / b.ms;
    return { name, verdict: r <= want.atMost ? 'PASS' : 'MISS', value: r, detail: `${r.toFixed(2)}x: ${aName} ${fmt(a.ms)} / ${bName} ${fmt(b.ms)}` };
  }
  const r = b.ms / a.ms;
  return { name, verdict: r >= want.fasterBy ? 'PASS' : 'MISS', value: r, detail: `${r.toFixed(1)}x faster: ${aName} ${fmt(a.ms)}, ${bName} ${fmt(b.ms)}` };
}

export function evaluateTargets(input: TargetInput): Target[] {
  const { stats: st, floor } = input;
  const skiff = (h: number, m: Mode) => pick(st, h, 'skiff', m);
  const fl = (h: number) => pick(st, h, floor, 'warm');
  const out: Target[] = [
    ratioTarget('warm <= 1.3x the ssh2 floor at 20 hosts', skiff(20, 'warm'), fl(20), 'skiff warm', floor, { atMost: 1.3 }),
    ratioTarget('warm <= 1.3x the ssh2 floor at 200 hosts', skiff(200, 'warm'), fl(200), 'skiff warm', floor, { atMost: 1.3 }),
    ratioTarget('cold <= 3x the ssh2 floor at 200 hosts', skiff(200, 'cold'), fl(200), 'skiff cold', floor, { atMost: 3 }),
    ratioTarget('warm >= 5x faster than Ansible+Mitogen at 20 hosts', skiff(20, 'warm'), pick(st, 20, 'mitogen', 'warm'), 'skiff', 'mitogen', { fasterBy: 5 }),
    ratioTarget('warm >= 60x faster than ansible-playbook at 20 hosts', skiff(20, 'warm'), pick(st, 20, 'ansible', 'warm'), 'skiff', 'ansible', { fasterBy: 60 }),
    ratioTarget('500 hosts: warm <= 1.5x the ssh2 floor (same run)', skiff(500, 'warm'), fl(500), 'skiff warm', floor, { atMost: 1.5 }),
  ];

  const at500 = st.filter((s) => s.hosts === 500 && s.contender === 'skiff');
  const peak = Math.max(0, ...at500.map((s) => s.peakMB));
  out.push(
    at500.length
      ? { name: '500 hosts: controller peak < 250 MB', verdict: peak < 250 ? 'PASS' : 'MISS', value: peak, detail: `skiff's peak RSS ${peak.toFixed(1)} MB over ${at500.map((s) => s.mode).join('/')}` }
      : { name: '500 hosts: controller peak < 250 MB', verdict: 'N/A', detail: 'skiff not measured at 500 hosts' },
  );

  const name = 'thanos.yml rerun (nothing to do) under 1 s on the default lab';
  const t = input.thanos;
  if (!t) out.push({ name, verdict: 'N/A', detail: 'the thanos scenario did not run' });
  else if (Number.isNaN(t.rerunMs)) out.push({ name, verdict: 'MISS', detail: 'every rerun failed' });
  else out.push({ name, verdict: t.rerunMs < 1000 ? 'PASS' : 'MISS', value: t.rerunMs, detail: `median rerun ${fmt(t.rerunMs)}` });
  return out;
}

export const targetLine = (t: Target) => `${t.verdict.padEnd(4)}  ${t.name}: ${t.detail}`;
