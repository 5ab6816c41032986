// The `thanos` scenario: playbooks/thanos.yml on a fresh default lab (monitoring + prom1..3, Scylla
// Monitoring started by its own start-all.sh), run as an operator runs it, as test/lab/thanos.test.ts
// does: `node bin/skiff.mjs run playbooks/thanos.yml -i inventory/lab --report FILE`. Timed: the
// first run (everything to do), then `rounds` times a rerun (nothing to do) and a check (--check).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { labUp } from '../lab/lab.ts';
import { measure } from './measure.ts';
import { median } from './summary.ts';

export type ThanosMode = 'first' | 'rerun' | 'check';

export interface ThanosRun {
  mode: ThanosMode;
  round: number;
  ms: number;
  peakMB: number;
  peakFds: number;
  changed: number;
  ok: boolean;
  problems: string[];
}

export interface ThanosResult {
  runs: ThanosRun[];
  labUpSeconds: number;
  firstMs: number;
  rerunMs: number;
  checkMs: number;
}

interface Report {
  recap: Record<string, { ok: number; changed: number; failed: number; unreachable: boolean }>;
}

export async function thanosScenario(o: { repo: string; skiffRoot: string; work: string; rounds: number; timeoutMs: (ms: number) => number; log: (s: string) => void; stopped: () => boolean }): Promise<ThanosResult> {
  const t0 = Date.now();
  o.log('thanos: bringing up a fresh default lab (replaces any other) ...');
  const lab = await labUp({ fresh: true });
  const labUpSeconds = Math.round((Date.now() - t0) / 100) / 10;
  const hosts = lab.hosts.map((h) => h.name);
  const runs: ThanosRun[] = [];

  const one = async (mode: ThanosMode, round: number): Promise<ThanosRun> => {
    const report = join(o.work, `thanos-${mode}-${round}.json`);
    rmSync(report, { force: true });
    const args = [process.execPath, join(o.skiffRoot, 'bin', 'skiff.mjs'), 'run', 'playbooks/thanos.yml', '-i', 'inventory/lab', '--report', report];
    if (mode === 'check') args.push('--check');
    // the first run starts containers and waits for them: minutes are possible on a busy machine
    const m = await measure(args, { cwd: o.repo, env: { ...process.env, CI: 'true' }, timeoutMs: o.timeoutMs(mode === 'first' ? 600_000 : 120_000) });
    const problems: string[] = [];
    if (m.timedOut) problems.push(`timed out after ${Math.round(m.ms)} ms`);
    if (m.code !== 0) problems.push(`skiff exited ${m.code ?? m.signal}: ${(m.stdout + m.stderr).trim().slice(-1500)}`);
    let changed = 0;
    if (existsSync(report)) {
      const rep = JSON.parse(readFileSync(report, 'utf8')) as Report;
      for (const h of hosts) {
        const r = rep.recap[h];
        if (!r) problems.push(`${h}: missing from the recap`);
        else if (r.failed || r.unreachable) problems.push(`${h}: failed=${r.failed} unreachable=${r.unreachable}`);
        else changed += r.changed;
      }
    } else problems.push(`no report ${report}`);
    // the first run has everything to do; after it, nothing is left to do or to plan
    if (mode === 'first' && !problems.length && changed === 0) problems.push('the first run changed nothing: the lab was not fresh');
    if (mode !== 'first' && changed !== 0) problems.push(`${mode} reported changed=${changed}, expected 0`);
    const run = { mode, round, ms: Math.round(m.ms), peakMB: Math.round(Math.max(m.peakTreeRssKB, m.maxRssKB) / 102.4) / 10, peakFds: m.peakFds, changed, ok: problems.length === 0, problems };
    o.log(`thanos ${mode.padEnd(5)} round ${round}: ${String(run.ms).padStart(6)} ms, changed ${changed}, peak ${run.peakMB} MB${run.ok ? '' : `  FAILED: ${problems.join('; ').slice(0, 600)}`}`);
    return run;
  };

  runs.push(await one('first', 1));
  for (let round = 1; round <= o.rounds && !o.stopped(); round++) {
    runs.push(await one('rerun', round));
    if (!o.stopped()) runs.push(await one('check', round));
  }
  const med = (mode: ThanosMode) => {
    const ms = runs.filter((r) => r.mode === mode && r.ok).map((r) => r.ms);
    return ms.length ? median(ms) : NaN;
  };
  return { runs, labUpSeconds, firstMs: med('first'), rerunMs: med('rerun'), checkMs: med('check') };
}
