// Comparing one target's playbook runs under ansible-core and under skiff, run by run: the i-th call
// of ansible-playbook in one is the i-th in the other (runme.sh makes the same calls in the same order
// while the outcomes agree). A run agrees when both tools exit alike (0, or the same non-zero class)
// and, where both succeeded, every host's recap counts are equal: a recap that differs under equal exit
// codes is a *silent* difference, the kind a user would not notice and the one that matters most.

export interface Recap {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

export interface RunRecord {
  rc: number;
  argv: string[];
  /** host -> counts, from the PLAY RECAP both tools print */
  recap: Record<string, Recap>;
  stdout: string;
  stderr: string;
}

export interface TargetResult {
  target: string;
  ansible?: { pass: boolean; runs: number; tasks: number };
  skiff?: { pass: boolean; runs: number; tasks: number; internalErrors: number };
  /** runs ansible-core made in a passing target, and how many of them skiff matched */
  ansibleRuns: number;
  agreed: number;
  silent: number;
  difference?: string;
  /** ansible-core's runs (without their output), for a later --ansible-from */
  ansibleOutcome?: { rc: number; runs: RunRecord[] };
}

const RECAP_LINE = /^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)\s+rescued=(\d+)\s+ignored=(\d+)/;

/** Every PLAY RECAP line of a run's output (colour codes removed). */
export function parseRecap(out: string): Record<string, Recap> {
  const r: Record<string, Recap> = {};
  for (const raw of out.split('\n')) {
    const m = raw.replace(/\x1b\[[0-9;]*m/g, '').trim().match(RECAP_LINE);
    if (!m) continue;
    const [ok, changed, unreachable, failed, skipped, rescued, ignored] = m.slice(2).map(Number);
    r[m[1]] = { ok, changed, unreachable, failed, skipped, rescued, ignored };
  }
  return r;
}

const tasks = (runs: RunRecord[]) => runs.reduce((n, r) => n + Object.values(r.recap).reduce((m, c) => m + c.ok + c.failed + c.skipped, 0), 0);

/** The line that says why a skiff run failed: its first error, else its last line. */
export function firstError(run: RunRecord): string {
  const lines = `${run.stderr}\n${run.stdout}`.split('\n').map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').trim()).filter(Boolean);
  const hit = lines.find((l) => /^(fatal|failed:|ERROR|error|internal error)|: (error|expected|unknown|cannot|no such|refused|not supported)|^argv:|^\S+:\d+:\d+/i.test(l));
  // the run's temporary copy of the targets is left out of paths: targets/x/tasks/main.yml:3:5
  return (hit ?? lines.at(-1) ?? '(no output)').replace(/\/\S*?\/conformance-[^/]+\//g, '').slice(0, 220);
}

const sameRecap = (a: Record<string, Recap>, b: Record<string, Recap>) => {
  const hosts = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const h of hosts) {
    const x = a[h], y = b[h];
    if (!x || !y) return `host ${h} only in ${x ? 'ansible' : 'skiff'}'s recap`;
    for (const k of ['ok', 'changed', 'failed', 'skipped', 'rescued', 'ignored', 'unreachable'] as const)
      if (x[k] !== y[k]) return `${h} ${k}: ansible ${x[k]}, skiff ${y[k]}`;
  }
  return '';
};

const rcClass = (rc: number) => (rc === 0 ? 'ok' : 'failed');

type Outcome = { rc: number; runs: RunRecord[] };

export function compareTarget(target: string, ans?: Outcome, sk?: Outcome): TargetResult {
  const res: TargetResult = { target, ansibleRuns: 0, agreed: 0, silent: 0 };
  if (ans) res.ansible = { pass: ans.rc === 0, runs: ans.runs.length, tasks: tasks(ans.runs) };
  if (sk)
    res.skiff = {
      pass: sk.rc === 0,
      runs: sk.runs.length,
      tasks: tasks(sk.runs),
      internalErrors: sk.runs.filter((r) => r.rc === 1 || /internal error/.test(r.stderr)).length,
    };
  if (!ans || !sk) return res;
  if (ans.rc === 0) res.ansibleRuns = ans.runs.length;
  for (let i = 0; i < ans.runs.length; i++) {
    const a = ans.runs[i], s = sk.runs[i];
    let diff = '';
    if (!s) diff = `run ${i + 1} (${a.argv.join(' ')}) not reached`;
    else if (rcClass(a.rc) !== rcClass(s.rc)) diff = `run ${i + 1}: ansible rc ${a.rc}, skiff rc ${s.rc}: ${firstError(s)}`;
    else if (a.rc === 0) {
      const d = sameRecap(a.recap, s.recap);
      if (d) {
        diff = `run ${i + 1} silent: ${d}`;
        res.silent++;
      }
    }
    if (!diff && ans.rc === 0) res.agreed++;
    if (diff && !res.difference) res.difference = diff;
  }
  if (!res.difference && sk.runs.length > ans.runs.length) res.difference = `skiff made ${sk.runs.length} runs, ansible ${ans.runs.length}`;
  if (!res.difference && ans.rc !== sk.rc) res.difference = `target exit: ansible ${ans.rc}, skiff ${sk.rc}`;
  return res;
}

export function formatTable(results: TargetResult[]): string {
  const yes = (p?: { pass: boolean }) => (p ? (p.pass ? 'pass' : 'FAIL') : '-');
  const rows = ['| target | ansible-core 2.14 | skiff | runs agreed | tasks (ansible / skiff) | first difference |', '|---|---|---|---|---|---|'];
  for (const r of results)
    rows.push(
      `| ${r.target} | ${yes(r.ansible)} | ${yes(r.skiff)} | ${r.agreed}/${r.ansibleRuns} | ${r.ansible?.tasks ?? '-'} / ${r.skiff?.tasks ?? '-'} | ${(r.difference ?? '').replace(/\|/g, '\\|')} |`,
    );
  return rows.join('\n');
}

export function summary(results: TargetResult[]): string {
  const both = results.filter((r) => r.ansible && r.skiff);
  const aPass = both.filter((r) => r.ansible!.pass);
  const sPass = aPass.filter((r) => r.skiff!.pass);
  const runs = both.reduce((n, r) => n + r.ansibleRuns, 0);
  const agreed = both.reduce((n, r) => n + r.agreed, 0);
  const silent = both.reduce((n, r) => n + r.silent, 0);
  const internal = both.reduce((n, r) => n + (r.skiff?.internalErrors ?? 0), 0);
  const pct = runs ? ((100 * agreed) / runs).toFixed(1) : '0.0';
  return [
    `targets: ansible-core passes ${aPass.length}/${both.length}; skiff passes ${sPass.length} of those`,
    `playbook runs of the targets ansible-core passes: ${runs}; skiff agrees on ${agreed} (${pct}%)`,
    `silent differences (same exit, other recap): ${silent}; skiff internal errors: ${internal}`,
  ].join('\n');
}
