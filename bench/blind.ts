// `npm run bench -- --scenario blind [--sizes 50M,2G,10G]` (issue #23): how long each Prometheus is
// blind while thanos.yml runs, for TSDBs of several sizes. Per size, on a fresh default lab:
//   - prom2 (start-all.sh without -d: its TSDB in aprom's anonymous volume, the one thanos.yml moves)
//     gets a TSDB of about SIZE: one real block made by promtool (`tsdb create-blocks-from
//     openmetrics`), its chunks directory padded with chunk segment files that carry the real
//     segment header and zeros. Prometheus opens them (it checks each segment's header) and never
//     reads what no index entry points to: bytes a copy must move like any others, without hours of
//     generating samples. The padding is made with aprom stopped, before anything is measured;
//   - thanos.yml runs as an operator runs it, while every aprom's /-/ready is polled every 0.5 s from
//     the controller, and the run's events file is read as it grows (the copy's phases, time-stamped);
//   - then, per host: seconds not ready (the longest stretch), restarts (aprom's Id or StartedAt
//     changed), scrapes the 20 s job missed (longest gap between samples / 20 - 1, read once samples
//     after the run exist), the WAL replay of the new aprom (its log), series at a fixed instant before
//     and after. For prom2: the copy time with aprom up (blocks) and down (what changed since), and
//     whether the blocks were hard-linked.
// Disk is checked first: a size that would leave less than 5 GB free is not run (said so).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_HOSTS, asOperator, labUp, labExec, LAB_DIR, type Lab } from '../lab/lab.ts';
import { seriesAt } from '../test/lab/prom-api.ts';

const PROMTOOL = join(LAB_DIR, 'cache/prometheus3/root/usr/bin/promtool');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface BlindHost {
  host: string;
  notReadyS: number;
  restarts: number;
  recreated: boolean;
  missedScrapes: number | undefined;
  longestGapS: number | undefined;
  walReplayS: number | undefined;
  seriesBefore: number;
  seriesAfter: number;
}

export interface BlindRow {
  size: string;
  bytes: number;
  tsdbBytes: number;
  runS: number;
  exit: number;
  copyUpS: number | undefined;
  copyDownS: number | undefined;
  linked: boolean | undefined;
  hosts: BlindHost[];
  skipped?: string;
}

export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMG])?$/i.exec(s.trim());
  if (!m) throw new Error(`--sizes: expected sizes like 50M,2G, got ${s}`);
  return Math.round(Number(m[1]) * { K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[(m[2] ?? 'M').toUpperCase() as 'K' | 'M' | 'G']);
}

/** A command on a lab host as its operator (prom3 runs rootless Podman: its containers are the operator's). */
async function sh(host: string, cmd: string, timeoutMs = 600_000): Promise<string> {
  const r = await labExec(host, asOperator(DEFAULT_HOSTS.find((h) => h.name === host)!, cmd), { timeoutMs });
  if (r.code !== 0) throw new Error(`${host}: ${cmd.slice(0, 120)}...: exit ${r.code}: ${r.stderr.trim().slice(-600)}`);
  return r.stdout;
}

/** OpenMetrics text: 200 series x 120 samples a minute apart, two days ago (one 2h block, never compacted with the head's). */
function openMetrics(): string {
  const start = Math.floor(Date.now() / 1000 / 7200) * 7200 - 2 * 86400;
  const lines = ['# TYPE skiff_bench_fill gauge'];
  for (let s = 0; s < 200; s++) for (let i = 0; i < 120; i++) lines.push(`skiff_bench_fill{series="${s}"} ${Math.sin(s + i) * 1000} ${start + i * 60}`);
  return lines.join('\n') + '\n# EOF\n';
}

/** prom2's TSDB grown to about `bytes`: aprom stopped, a promtool block padded, aprom started again. */
async function fill(host: string, bytes: number): Promise<number> {
  const om = join(LAB_DIR, 'bench-fill.om');
  writeFileSync(om, openMetrics());
  const seg = 512 * 1024 ** 2;
  const script = [
    'set -e',
    `docker stop -t 120 aprom >/dev/null`,
    `vol=$(docker inspect -f '{{range .Mounts}}{{if eq .Destination "/prometheus"}}{{.Name}}{{end}}{{end}}' aprom)`,
    `d=$(docker volume inspect -f '{{.Mountpoint}}' "$vol")`,
    `t=$(mktemp -d "$d/skiff-fill.XXXXXX")`,
    `${PROMTOOL} tsdb create-blocks-from openmetrics ${om} "$t/out" >/dev/null`,
    `b=$(ls "$t/out" | head -1); c="$t/out/$b/chunks"`,
    `have=$(du -sb "$d/data" | cut -f1); want=${bytes}; i=2`,
    // each a chunk segment file as Prometheus writes them: magic 0x85BD40DD, format 1, 3 bytes padding
    `while [ $((have + $(du -sb "$t/out" | cut -f1))) -lt $want ]; do left=$((want - have - $(du -sb "$t/out" | cut -f1))); n=$((left < ${seg} ? left : ${seg})); f=$(printf '%s/%06d' "$c" $i); { printf '\\205\\275\\100\\335\\001\\000\\000\\000'; head -c $n /dev/zero; } > "$f"; i=$((i+1)); done`,
    `chown -R 65534:65534 "$t/out/$b" && mv "$t/out/$b" "$d/data/" && rm -rf "$t"`,
    `docker start aprom >/dev/null`,
    `i=0; until curl -sf -m 2 http://127.0.0.1:9090/-/ready >/dev/null; do i=$((i+1)); [ $i -lt 300 ] || exit 1; sleep 1; done`,
    `du -sb "$d/data" | cut -f1`,
  ].join('\n');
  return Number((await sh(host, script, 1_800_000)).trim());
}

/** The longest stretch of consecutive "not ready" polls, in seconds. */
export function longestFalse(polls: { t: number; ok: boolean }[]): number {
  let worst = 0;
  let from: number | undefined;
  for (const p of polls) {
    if (!p.ok && from === undefined) from = p.t;
    if (p.ok && from !== undefined) {
      worst = Math.max(worst, p.t - from);
      from = undefined;
    }
  }
  if (from !== undefined) worst = Math.max(worst, polls.at(-1)!.t - from);
  return worst / 1000;
}

async function ready(address: string): Promise<boolean> {
  try {
    return (await fetch(`http://${address}:9090/-/ready`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

async function gapOf(address: string, from: number, to: number): Promise<number | undefined> {
  const q = `up{job="scylla"}[${Math.ceil(to - from)}s]`;
  try {
    const res = await fetch(`http://${address}:9090/api/v1/query?query=${encodeURIComponent(q)}&time=${to}`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { data: { result: { values: [number, string][] }[] } };
    const ts = body.data.result.flatMap((s) => s.values.map(([t]) => t)).sort((a, b) => a - b);
    if (ts.length < 2) return undefined;
    let gap = 0;
    for (let i = 1; i < ts.length; i++) gap = Math.max(gap, ts[i] - ts[i - 1]);
    return gap;
  } catch {
    return undefined;
  }
}

async function oneSize(size: string, bytes: number, repo: string, log: (s: string) => void): Promise<BlindRow> {
  const free = (() => {
    const st = statfsSync(LAB_DIR);
    return st.bavail * st.bsize;
  })();
  // the volume, a copy where linking fails, and 5 GB to spare
  if (free - 2 * bytes < 5 * 1024 ** 3) return { size, bytes, tsdbBytes: 0, runS: 0, exit: -1, copyUpS: undefined, copyDownS: undefined, linked: undefined, hosts: [], skipped: `needs ${(2 * bytes / 1024 ** 3).toFixed(1)} GB + 5 GB free, ${(free / 1024 ** 3).toFixed(1)} GB free` };
  log(`blind ${size}: a fresh default lab ...`);
  const lab: Lab = await labUp({ fresh: true });
  const proms = lab.hosts.filter((h) => h.name.startsWith('prom'));
  log(`blind ${size}: growing prom2's TSDB to about ${size} ...`);
  const tsdbBytes = await fill('prom2', bytes);
  // samples before a fixed instant, from several scrapes
  for (const h of proms) await seriesAt(h.address, 0);
  await sleep(45_000);
  const t0 = Math.floor(Date.now() / 1000) - 1;
  const before: Record<string, number> = {};
  const ids: Record<string, string> = {};
  for (const h of proms) {
    before[h.name] = await seriesAt(h.address, t0);
    ids[h.name] = (await sh(h.name, `docker inspect -f '{{.Id}} {{.State.StartedAt}}' aprom`)).trim();
  }
  const events = join(LAB_DIR, `bench-blind-${size}.ndjson`);
  writeFileSync(events, '');
  const polls: Record<string, { t: number; ok: boolean }[]> = Object.fromEntries(proms.map((h) => [h.name, []]));
  const phases: { t: number; text: string }[] = [];
  let seen = 0;
  const t1 = Date.now();
  const child = spawn(process.execPath, [join(repo, 'bin/skiff.mjs'), 'run', 'playbooks/thanos.yml', '-i', 'inventory/lab', '--events', events], { cwd: repo, env: { ...process.env, CI: 'true' }, stdio: 'ignore' });
  const exit = new Promise<number>((r) => child.on('exit', (code) => r(code ?? -1)));
  let done = false;
  void exit.then(() => (done = true));
  // bounded: at most 30 minutes of polls
  for (let i = 0; i < 3600 && !done; i++) {
    const t = Date.now();
    const oks = await Promise.all(proms.map((h) => ready(h.address)));
    proms.forEach((h, k) => polls[h.name].push({ t, ok: oks[k] }));
    const text = readFileSync(events, 'utf8');
    for (const line of text.slice(seen).split('\n')) {
      if (!line.endsWith('}')) continue;
      const e = JSON.parse(line) as { kind: string; host?: string; text?: string };
      if (e.kind === 'progress' && e.host === 'prom2' && e.text) phases.push({ t, text: e.text });
    }
    seen = text.lastIndexOf('\n') + 1;
    await sleep(Math.max(0, 500 - (Date.now() - t)));
  }
  if (!done) child.kill('SIGTERM');
  const code = await exit;
  const t2 = Date.now();
  // after the run, until every aprom answers again (bounded), for the not-ready figure's end
  for (let i = 0; i < 120; i++) {
    const t = Date.now();
    const oks = await Promise.all(proms.map((h) => ready(h.address)));
    proms.forEach((h, k) => polls[h.name].push({ t, ok: oks[k] }));
    if (oks.every(Boolean)) break;
    await sleep(500);
  }
  const at = (re: RegExp) => phases.find((p) => re.test(p.text))?.t;
  const up0 = at(/its blocks, while it runs/);
  const stop = at(/^stopping aprom/);
  const down0 = at(/^copying the TSDB of aprom$/) ?? at(/^copying the TSDB of aprom/);
  const swap = at(/^swapping the old and new aprom/);
  const copyUpS = up0 !== undefined && stop !== undefined ? (stop - up0) / 1000 : undefined;
  const copyDownS = (down0 ?? stop) !== undefined && swap !== undefined ? (swap - (down0 ?? stop)!) / 1000 : undefined;
  let linked: boolean | undefined;
  try {
    linked = Number((await sh('prom2', `f=$(ls -d /srv/prometheus-data/*/chunks/000002 2>/dev/null | head -1); [ -n "$f" ] && stat -c %h "$f" || echo 0`)).trim()) > 1;
  } catch {
    linked = undefined;
  }
  log(`blind ${size}: run ${((t2 - t1) / 1000).toFixed(1)} s (exit ${code}); waiting 65 s for samples after it ...`);
  await sleep(65_000);
  const hosts: BlindHost[] = [];
  for (const h of proms) {
    const now = (await sh(h.name, `docker inspect -f '{{.Id}} {{.State.StartedAt}}' aprom`)).trim();
    const [id0, s0] = [ids[h.name].slice(0, ids[h.name].indexOf(' ')), ids[h.name].slice(ids[h.name].indexOf(' ') + 1)];
    const [id1, s1] = [now.slice(0, now.indexOf(' ')), now.slice(now.indexOf(' ') + 1)];
    const gap = await gapOf(h.address, t1 / 1000 - 60, t2 / 1000 + 60);
    const logs = await labExec(h.name, asOperator(DEFAULT_HOSTS.find((x) => x.name === h.name)!, `docker logs aprom 2>&1 | grep -i 'WAL replay completed' | tail -1`), { timeoutMs: 30_000 });
    const m = /total_replay_duration=([\d.]+)(ms|s|µs)/.exec(logs.stdout);
    const walReplayS = m ? Number(m[1]) / (m[2] === 'ms' ? 1000 : m[2] === 'µs' ? 1e6 : 1) : undefined;
    hosts.push({
      host: h.name,
      notReadyS: longestFalse(polls[h.name]),
      restarts: id0 === id1 && s0 !== s1 ? 1 : 0,
      recreated: id0 !== id1,
      longestGapS: gap,
      missedScrapes: missedOf(gap),
      walReplayS: id0 !== id1 || s0 !== s1 ? walReplayS : undefined,
      seriesBefore: before[h.name],
      seriesAfter: await seriesAt(h.address, t0),
    });
  }
  return { size, bytes, tsdbBytes, runS: (t2 - t1) / 1000, exit: code, copyUpS, copyDownS, linked, hosts };
}

/**
 * Scrapes of the 20 s job that did not happen in a gap between two samples: the slots strictly inside
 * it (a sample a few ms late is no missed scrape). Not round(gap / 20) - 1: after a restart the scrape
 * phase changes (Prometheus seeds it with the hostname and the external labels), so a 45 s gap
 * holds two missed slots.
 */
export const missedOf = (gap: number | undefined): number | undefined => (gap === undefined ? undefined : Math.max(0, Math.ceil(gap / 20 - 0.05) - 1));

const f1 = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(1));

export function blindTable(rows: BlindRow[]): string {
  const out = ['| TSDB (prom2) | host | not ready (s) | restarts | recreated | missed scrapes (longest gap) | WAL replay (s) | copy, aprom up (s) | copy, aprom down (s) | blocks linked | series at T0 before -> after |', '|---|---|---|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    if (r.skipped) {
      out.push(`| ${r.size} | - | not run: ${r.skipped} | | | | | | | | |`);
      continue;
    }
    for (const h of r.hosts) {
      const p2 = h.host === 'prom2';
      out.push(`| ${r.size} (${(r.tsdbBytes / 1024 ** 2).toFixed(0)} MB) | ${h.host} | ${f1(h.notReadyS)} | ${h.restarts} | ${h.recreated ? 'yes' : 'no'} | ${h.missedScrapes ?? '-'} (${f1(h.longestGapS)} s) | ${f1(h.walReplayS)} | ${p2 ? f1(r.copyUpS) : ''} | ${p2 ? f1(r.copyDownS) : ''} | ${p2 ? (r.linked === undefined ? '-' : r.linked ? 'yes' : 'no') : ''} | ${h.seriesBefore} -> ${h.seriesAfter} |`);
    }
  }
  return out.join('\n');
}

/** A text chart: prom2's seconds not ready per size, one bar each. */
export function blindChart(rows: BlindRow[]): string {
  const ran = rows.filter((r) => !r.skipped);
  const worst = Math.max(1, ...ran.map((r) => r.hosts.find((h) => h.host === 'prom2')?.notReadyS ?? 0));
  return ran
    .map((r) => {
      const s = r.hosts.find((h) => h.host === 'prom2')?.notReadyS ?? 0;
      return `${r.size.padStart(5)} | ${'#'.repeat(Math.max(1, Math.round((s / worst) * 50)))} ${s.toFixed(1)} s not ready (prom2)`;
    })
    .join('\n');
}

export async function blindMain(o: { repo: string; sizes: string; out: string; log: (s: string) => void }): Promise<number> {
  if (!existsSync(PROMTOOL)) throw new Error(`${PROMTOOL} is missing: bring the lab up once (npm run lab -- up) to fetch Prometheus 3's tools`);
  const rows: BlindRow[] = [];
  for (const size of o.sizes.split(',').map((s) => s.trim())) {
    const row = await oneSize(size, parseSize(size), o.repo, o.log);
    rows.push(row);
    o.log(row.skipped ? `blind ${size}: not run: ${row.skipped}` : `blind ${size}: done`);
    mkdirSync(join(o.out, '..'), { recursive: true });
    writeFileSync(o.out, JSON.stringify({ date: new Date().toISOString(), rows }, null, 2) + '\n');
  }
  process.stdout.write(`\n${blindTable(rows)}\n\n${blindChart(rows)}\n`);
  return rows.some((r) => !r.skipped && (r.exit !== 0 || r.hosts.some((h) => h.seriesAfter !== h.seriesBefore))) ? 1 : 0;
}
