// playbooks/thanos.yml and thanos-rollback.yml against a fresh lab: monitoring + prom1..3, each a
// Scylla Monitoring host started by the real start-all.sh (prom1 `-d` and prom2 data in the
// container, on their own Docker engines; prom3 `-l -d` on rootless Podman as `scylla`; Prometheus 3,
// Grafana and Thanos stand-ins), run as a user runs skiff: `node bin/skiff.mjs run ... -i inventory/lab`.
//   (a) --check --diff: every step pending, nothing changed (files byte for byte, containers)
//   (b) first run: exit 0, verified, no series lost (count at a fixed time, before == after)
//   (c) second run: 0 changed
//   (d) Grafana (agraf) serves the query's URL
//   (e) rollback, then thanos again: clean, and a further run is 0 changed
//   (i) kill-all.sh + start-all.sh, with the printed options (no drift) and without (drift reported,
//       repaired, no series lost, nothing orphaned)
//   (j) Scylla's own sidecar1 (start-all.sh --thanos-sc) is refused by name, never a port collision
// npx tsx node_modules/uvu/bin.js test/lab thanos
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_HOSTS, type HostSpec, asOperator, killAllCommand, labCanStart, labExec, labUp, startAllCommand, type Lab } from '../../lab/lab.ts';
import { killSshd, restartSshd } from './use-lab.ts';
import { seriesAt as seriesAtAddress } from './prom-api.ts';
import { ROOT, skiff, type CliResult } from '../helpers.ts';
import { shq } from '../../src/transport/quote.ts';

const INV = 'inventory/lab';
const PROMS = ['prom1', 'prom2', 'prom3'];
const MON = 'monitoring';
const QUERY_URL = 'http://10.213.0.10:10904';
const PROM_URL = 'http://10.213.0.10:9090';
const THANOS_IMAGE = 'docker.io/thanosio/thanos:v0.39.1';
const GRAFANA_IMAGE = 'docker.io/grafana/grafana:12.2.0';
/** where the lab's inventory puts (or finds) each TSDB: prom1 and prom3 run start-all.sh -d with it */
const DATA_DIR = 'srv/prometheus-data';
const tmp = mkdtempSync(join(tmpdir(), 'skiff-thanos-'));
let lab: Lab | undefined;
let skip = '';
let setupError: unknown;
/** series counts per Prometheus at T0, before the first run */
const before: Record<string, number> = {};
let T0 = 0;
let pristine: Record<string, string> = {};
const timings: string[] = [];
/** block uploads on: set by (f) and kept by the tests after it (/var/tmp: prom3's operator may write there) */
const BUCKET = '/var/tmp/thanos-bucket';
const OBJSTORE = JSON.stringify({ thanos_objstore: { type: 'FILESYSTEM', config: { directory: BUCKET } } });
/** thanos_objstore_file per host, as inventory/lab sets it (prom3's operator cannot write /srv) */
const objstoreFile = (h: string) => (h === 'prom3' ? '/home/scylla/thanos/objstore.yml' : '/srv/thanos/objstore.yml');

interface Report {
  recap: Record<string, { ok: number; changed: number; failed: number; skipped: number; unreachable: boolean }>;
  results: { host: string; task: string; type: string; status: string; changes: string[]; diff?: string; msg?: string; ms: number }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const addr = (h: string) => lab!.hosts.find((x) => x.name === h)!.address;

async function run(playbook: string, name: string, extra: string[] = []): Promise<{ r: CliResult; rep: Report }> {
  const file = join(tmp, `${name}.json`);
  const r = await skiff(['run', `playbooks/${playbook}.yml`, '-i', INV, '--report', file, ...extra], { timeoutMs: 600_000 });
  timings.push(`${name}: ${(r.ms / 1000).toFixed(1)} s (exit ${r.code})`);
  const rep = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Report) : { recap: {}, results: [] };
  return { r, rep };
}

const changedTotal = (rep: Report) => Object.values(rep.recap).reduce((n, x) => n + x.changed, 0);
const failedTotal = (rep: Report) => Object.values(rep.recap).reduce((n, x) => n + x.failed + (x.unreachable ? 1 : 0), 0);

/** Every file under the host dirs the playbooks may touch, read from the root namespace. */
function files(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of lab!.hosts) {
    for (const top of ['prometheus-data', 'scylla-monitoring', 'thanos']) {
      const base = join(h.dir, 'srv', top);
      const walk = (p: string) => {
        if (!existsSync(p)) return;
        // a live TSDB changes by itself: only what skiff writes there counts
        const rel = p.slice(base.length);
        if (top === 'prometheus-data' && rel !== '' && rel !== '/skiff-start-all.txt') return;
        const st = lstatSync(p);
        out[`${h.name}:${p.slice(join(h.dir, 'srv').length)}`] = `${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.mtimeMs} ${st.isFile() ? createHash('sha256').update(readFileSync(p)).digest('hex') : ''}`;
        if (st.isDirectory()) for (const f of readdirSync(p)) walk(join(p, f));
      };
      walk(base);
    }
  }
  return out;
}

const spec = (h: string) => DEFAULT_HOSTS.find((x) => x.name === h)!;

/**
 * `cmd` on a host as its operator: root with Docker, `scylla` with rootless Podman on prom3, where
 * `docker` is Podman (as start-all.sh sees it), so the same docker commands read every host.
 */
async function sh(host: string, cmd: string): Promise<string> {
  const r = await labExec(host, asOperator(spec(host), cmd), { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`${host}: ${cmd}: exit ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Container names + ids and their full inspect JSON, per host. */
async function containers(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const h of lab!.hosts) {
    out[`${h.name}:ps`] = await sh(h.name, `docker ps -a --format '{{.Names}} {{.ID}}' | sort`);
    const raw = await sh(h.name, `ids=$(docker ps -aq); [ -z "$ids" ] || docker inspect $ids`);
    // docker lists Mounts in map order (it varies between two inspects of the same container)
    const all = (raw.trim() ? JSON.parse(raw) : []) as { Mounts?: { Destination: string }[] }[];
    for (const c of all) c.Mounts?.sort((x, y) => x.Destination.localeCompare(y.Destination));
    out[`${h.name}:inspect`] = JSON.stringify(all, null, 1);
  }
  return out;
}

const names = async (h: string) => (await sh(h, `docker ps -a --format '{{.Names}}'`)).split('\n').filter(Boolean).sort();
const inspect = async (h: string, c: string, fmt: string) => (await sh(h, `docker inspect ${c} --format '${fmt}'`)).trim();
const hostDirOf = (h: string) => lab!.hosts.find((x) => x.name === h)!.dir;


/** count of series of one lab Prometheus at time t (0 = now) */
const seriesAt = (host: string, t: number) => seriesAtAddress(addr(host), t);

/**
 * The longest stretch without a sample of `up{job="scylla"}` (scraped every 20 s by Scylla
 * Monitoring's config, recorded even though no Scylla answers) in [from, to], in seconds: what a
 * restart of aprom costs in scrapes. Reads the raw samples (a range selector at `to`).
 */
async function longestSampleGap(host: string, from: number, to: number): Promise<{ gap: number; samples: number }> {
  const q = `up{job="scylla"}[${Math.ceil(to - from)}s]`;
  const res = await fetch(`http://${addr(host)}:9090/api/v1/query?query=${encodeURIComponent(q)}&time=${to}`, { signal: AbortSignal.timeout(5000) });
  const body = (await res.json()) as { data: { result: { values: [number, string][] }[] } };
  const ts = body.data.result.flatMap((s) => s.values.map(([t]) => t)).sort((a, b) => a - b);
  let gap = 0;
  for (let i = 1; i < ts.length; i++) gap = Math.max(gap, ts[i] - ts[i - 1]);
  return { gap, samples: ts.length };
}

/** the first run's window, for the scrape gap measured once samples after it exist */
let firstRun: { t1: number; t2: number } | undefined;

/** agraf's datasources, as Grafana serves them (basic auth admin/admin), fetched on monitoring. */
async function grafanaDatasources(): Promise<{ name: string; url: string }[]> {
  let last = '';
  for (let i = 0; i < 30; i++) {
    const r = await labExec(MON, `curl -s -f -m 5 -u admin:admin http://127.0.0.1:3000/api/datasources`, { timeoutMs: 20_000 });
    if (r.code === 0) return JSON.parse(r.stdout);
    last = `curl exit ${r.code} ${r.stderr}`;
    await sleep(1000);
  }
  throw new Error(`agraf /api/datasources: ${last}`);
}

const agrafStartedAt = async () => JSON.parse(await sh(MON, `curl -s -m 5 http://127.0.0.1:3000/api/standin/info`)).startedAt as string;

test.before(async () => {
  try {
    const can = await labCanStart();
    if (!can.ok) {
      if (process.env.CI === 'true') throw new Error(`lab cannot start under CI: ${can.reason}`);
      skip = can.reason;
      console.log(`  SKIP thanos lab tests: ${skip}`);
      return;
    }
    const t = Date.now();
    lab = await labUp({ fresh: true });
    timings.push(`fresh lab: ${((Date.now() - t) / 1000).toFixed(1)} s`);
    for (const img of [THANOS_IMAGE, GRAFANA_IMAGE]) {
      if (!lab.images.includes(img)) throw new Error(`the lab has no ${img} (test/standins/build.ts)`);
    }
    pristine = files();
  } catch (e) {
    setupError = e;
  }
});

test.after(() => {
  if (timings.length) console.log(`  timings: ${timings.join('; ')}`);
});

const ready = () => {
  if (setupError) throw setupError;
  return !skip;
};

test('(a) --check --diff on the fresh lab: every step pending, nothing changed', async () => {
  if (!ready()) return;
  const f0 = files();
  const c0 = await containers();
  const { r, rep } = await run('thanos', 'check', ['--check', '--diff']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  for (const h of PROMS) {
    const tasks = rep.results.filter((x) => x.host === h);
    assert.equal(
      tasks.map((x) => `${x.type}:${x.status}`),
      ['prepare-prometheus:changed', 'run-sidecar:changed', 'debug:ok'],
      `${h}: ${r.stdout}`,
    );
  }
  const mon = rep.results.filter((x) => x.host === 'monitoring').map((x) => `${x.type}:${x.status}`);
  assert.equal(mon, ['run-query:changed', 'verify-thanos:skipped', 'patch-datasource:changed', 'container:changed']);
  // the diff shows what would change
  assert.match(r.stdout, '+-v /srv/prometheus-data:/prometheus/data:z');
  assert.match(r.stdout, 'start-all.sh -d /srv/prometheus-data -l');
  assert.match(r.stdout, '+    prometheus: prom2');
  assert.match(r.stdout, '+  url: http://10.213.0.10:10904');
  // the hosts already on -d: the labels made live by a reload, never a restart (prom2 is recreated)
  for (const h of ['prom1', 'prom3']) {
    const ch = rep.results.find((x) => x.host === h && x.type === 'prepare-prometheus')!.changes.join('\n');
    assert.match(ch, 'reload aprom (POST /-/reload, no restart)', h);
    assert.match(ch, '(in place: the same inode, which the container has mounted; checked with promtool first)', h);
    assert.not.match(ch, /restart aprom|recreate/, h);
  }
  assert.match(r.stdout, '+--endpoint=10.213.0.13:10911');
  assert.match(r.stdout, 'PLAY RECAP');
  // and nothing changed: host files byte for byte (and mode, owner, mtime), containers and their inspect
  assert.equal(files(), f0, 'host files unchanged');
  assert.equal(await containers(), c0, 'containers unchanged');
});

/**
 * A finished block of history in prom2's volume (made by the image's promtool, two days back), as a
 * Prometheus that has run for a while has: the move's copy-before-stop brings it over while aprom runs.
 * Returns its start (seconds) and id.
 */
async function historyBlock(): Promise<{ at: number; id: string }> {
  const at = Math.floor(Date.now() / 1000 / 7200) * 7200 - 2 * 86400;
  const om = ['# TYPE skiff_history gauge', ...Array.from({ length: 30 }, (_, i) => `skiff_history{n="${i % 3}"} ${i} ${at + i * 60}`), '# EOF', ''].join('\n');
  const out = await sh(
    'prom2',
    `set -e; printf '%s' ${shq(om)} > /tmp/h.om; ` +
      `docker cp /tmp/h.om aprom:/tmp/h.om; docker exec aprom promtool tsdb create-blocks-from openmetrics /tmp/h.om /prometheus/data >/dev/null; ` +
      `docker exec aprom ls /prometheus/data | grep -E '^[0-9A-Z]{26}$' | head -1`,
  );
  return { at, id: out.trim() };
}

test('(b) first run: exit 0, verified, no series lost', async () => {
  if (!ready()) return;
  const history = await historyBlock();
  assert.match(history.id, /^[0-9A-Z]{26}$/, 'a block in prom2\'s volume');
  // a fixed instant, with samples from several scrapes before it (a fresh Prometheus takes ~10 s to
  // apply its scrape config, so wait for its first samples first)
  for (const h of PROMS) await seriesAt(h, 0);
  await sleep(6000);
  T0 = Math.floor(Date.now() / 1000) - 1;
  for (const h of PROMS) before[h] = await seriesAt(h, T0);
  const ids0: Record<string, string> = {};
  for (const h of PROMS) ids0[h] = await inspect(h, 'aprom', '{{.Id}} {{.State.StartedAt}}');
  // the config file aprom has mounted alone: its inode (written in place, not replaced)
  const CONFIG = 'srv/scylla-monitoring/prometheus/build/prometheus.yml';
  const ino0: Record<string, number> = {};
  for (const h of PROMS) ino0[h] = statSync(join(hostDirOf(h), CONFIG)).ino;
  const t1 = Date.now() / 1000;
  const events = join(tmp, 'first.ndjson');
  const { r, rep } = await run('thanos', 'first', ['--events', events]);
  const t2 = Date.now() / 1000;
  firstRun = { t1, t2 };
  assert.is(r.code, 0, r.stdout + r.stderr);
  // the longest step reports its progress: prom2's TSDB copied out of its container, bytes of a total
  const copy = readFileSync(events, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.kind === 'progress' && e.host === 'prom2' && e.unit === 'bytes');
  assert.ok(copy.length > 0, 'progress of the TSDB copy on prom2');
  assert.ok(copy.every((e) => e.total > 0), `a total known from the source: ${JSON.stringify(copy)}`);
  assert.match(copy[0].text, /TSDB/);
  // issue #23: prom2's blocks went over while aprom ran, before its graceful stop, then what changed since
  const steps = readFileSync(events, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.kind === 'progress' && e.host === 'prom2').map((e) => e.text as string);
  const pre = steps.findIndex((t) => t.startsWith('copying the TSDB of aprom (its blocks, while it runs)'));
  // the stop, or the sync that only runs after it: a quick stop's own report may be throttled away
  // (engine/progress.ts sends the newest report of each half second)
  const stop = steps.findIndex((t, i) => i > pre && (t.startsWith('stopping aprom') || (t.startsWith('copying the TSDB of aprom') && !t.includes('while it runs'))));
  assert.ok(pre >= 0 && stop > pre, `blocks copied before the stop: ${steps.join(' | ')}`);
  // the block is in the data directory, linked to the volume's where both are on one filesystem and
  // mount, and Prometheus serves its history from there
  const moved = join(hostDirOf('prom2'), DATA_DIR, history.id);
  assert.ok(existsSync(join(moved, 'meta.json')), `${history.id} moved`);
  console.log(`  prom2's history block ${history.id}: ${statSync(join(moved, 'index')).nlink > 1 ? 'hard-linked' : 'copied'} from the volume while aprom ran`);
  const q = await fetch(`http://${addr('prom2')}:9090/api/v1/query?query=${encodeURIComponent('count(skiff_history)')}&time=${history.at + 600}`);
  assert.is(((await q.json()) as { data: { result: { value: [number, string] }[] } }).data.result[0]?.value[1], '3', 'the moved history is served');
  assert.is(failedTotal(rep), 0);
  for (const h of PROMS) assert.is(rep.recap[h].changed, 2, `${h}: ${r.stdout}`);
  // at most one recreate of aprom per host (prom2: its data moved), a restart where only labels changed
  const matrix: string[] = [];
  for (const h of PROMS) {
    // podman's StartedAt has spaces in it ("2026-11-26 07:20:34.52 +0000 UTC")
    const idAndStart = (s: string) => [s.slice(0, s.indexOf(' ')), s.slice(s.indexOf(' ') + 1)];
    const [id0, started0] = idAndStart(ids0[h]);
    const [id1, started1] = idAndStart(await inspect(h, 'aprom', '{{.Id}} {{.State.StartedAt}}'));
    const recreated = id0 !== id1 ? 1 : 0;
    assert.is(recreated, h === 'prom2' ? 1 : 0, `${h}: aprom recreates`);
    if (h !== 'prom2') {
      // issue #23: the hosts already on -d get their labels through a reload: no restart, and the file
      // the container reads kept its inode
      assert.is(started1, started0, `${h}: aprom not restarted`);
      assert.is(statSync(join(hostDirOf(h), CONFIG)).ino, ino0[h], `${h}: prometheus.yml written in place`);
      assert.match(readFileSync(join(hostDirOf(h), CONFIG), 'utf8'), `prometheus: ${h}`);
    }
    matrix.push(`${h} (start-all.sh ${DEFAULT_HOSTS.find((x) => x.name === h)!.startAll!.join(' ') || '(no options)'}): recreates ${recreated}, restarts ${recreated ? 0 : started0 !== started1 ? 1 : 0}`);
  }
  console.log(`  first run ${(t2 - t1).toFixed(1)} s: ${matrix.join('; ')}`);
  const verify = rep.results.find((x) => x.type === 'verify-thanos')!;
  assert.is(verify.status, 'ok', verify.msg);
  assert.match(verify.msg!, 'up from prom1, prom2, prom3');
  const after: Record<string, number> = {};
  for (const h of PROMS) {
    after[h] = await seriesAt(h, T0);
    assert.ok(before[h] > 0, `${h} had series before`);
    assert.is(after[h], before[h], `${h}: series at ${T0} before and after the move`);
    // the TSDB is on the host, in start-all.sh -d's layout, owned by aprom's own user (who keeps
    // writing it; the sidecar runs as the same user)
    assert.match(await inspect(h, 'aprom', '{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}'), '/srv/prometheus-data:/prometheus/data');
    const uid = Number((await sh(h, `docker exec aprom id -u`)).trim());
    assert.is(lstatSync(join(hostDirOf(h), DATA_DIR, 'wal')).uid, uid, `${h}: data owned by aprom's user`);
    assert.is(await inspect(h, 'sidecar', '{{.Config.User}}'), `${uid}:${uid}`);
    // the same user on the host too (rootless Podman: only with aprom's --userns=keep-id)
    const hostUid = async (c: string) => (await sh(h, `stat -c %u /proc/$(docker inspect -f '{{.State.Pid}}' ${c})`)).trim();
    assert.is(await hostUid('sidecar'), await hostUid('aprom'), `${h}: sidecar and aprom are one user on the host`);
    assert.is(await inspect(h, 'sidecar', '{{.HostConfig.NetworkMode}}'), await inspect(h, 'aprom', '{{.HostConfig.NetworkMode}}'), `${h}: sidecar on aprom's network`);
    assert.match(readFileSync(join(hostDirOf(h), DATA_DIR, 'skiff-start-all.txt'), 'utf8'), 'START_ALL_OPTIONS="-d /srv/prometheus-data');
    assert.match(readFileSync(join(hostDirOf(h), 'srv/scylla-monitoring/prometheus/prometheus.yml.template'), 'utf8'), `prometheus: ${h}`);
    assert.equal(await names(h), ['agraf', 'aprom', 'sidecar']);
  }
  console.log(`  series at T0 per Prometheus, before -> after: ${PROMS.map((h) => `${h} ${before[h]} -> ${after[h]}`).join(', ')}`);
  const slow = rep.results.filter((x) => x.ms > 3000).map((x) => `${x.host}/${x.type} ${(x.ms / 1000).toFixed(1)} s`);
  console.log(`  first run: ${slow.join(', ')}`);
});

test('(c) second run: 0 changed; --check agrees', async () => {
  if (!ready()) return;
  const { r, rep } = await run('thanos', 'second');
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.is(changedTotal(rep), 0, r.stdout);
  const c = await run('thanos', 'second-check', ['--check', '--detailed-exitcode']);
  assert.is(c.r.code, 0, `nothing pending: ${c.r.stdout}`);
  // the scrape gap of the first run (a figure, not asserted): the longest time without a sample
  // (every 20 s when nothing restarts) from 60 s before it to 60 s after it, once those exist
  const { t1, t2 } = firstRun!;
  await sleep(Math.max(0, (t2 + 65 - Date.now() / 1000) * 1000));
  const gaps: string[] = [];
  for (const h of PROMS) {
    const g = await longestSampleGap(h, t1 - 60, t2 + 60);
    gaps.push(`${h} ${g.samples >= 2 ? `${g.gap.toFixed(1)} s` : 'not measurable'} (${g.samples} samples)`);
  }
  console.log(`  scrape gap in the first run (longest interval between samples of a 20 s job, ${(t2 - t1).toFixed(0)} s run): ${gaps.join(', ')}`);
});

test('(d) Grafana serves the query URL for the prometheus datasource; alertmanager untouched', async () => {
  if (!ready()) return;
  const ds = await grafanaDatasources();
  assert.is(ds.find((d) => d.name === 'prometheus')?.url, QUERY_URL);
  assert.is(ds.find((d) => d.name === 'alertmanager')?.url, 'http://127.0.0.1:9093', 'start-all.sh --no-alertmanager');
  const template = readFileSync(join(lab!.hosts.find((x) => x.name === MON)!.dir, 'srv/scylla-monitoring/grafana/datasource.yml'), 'utf8');
  assert.match(template, `url: ${QUERY_URL}`);
  assert.match(template, 'url: http://AM_ADDRESS');
  // through Thanos, Grafana's queries get every Prometheus (dedup off: one series per replica)
  const q = await sh(MON, `curl -s -m 10 '${QUERY_URL}/api/v1/query?query=up&dedup=false'`);
  const replicas = new Set((JSON.parse(q).data.result as { metric: Record<string, string> }[]).map((s) => s.metric.prometheus));
  assert.equal([...replicas].sort(), PROMS);
});

test('(e) rollback, then thanos again: clean; a further run is 0 changed', async () => {
  if (!ready()) return;
  const startedBefore = await agrafStartedAt();
  const rb = await run('thanos-rollback', 'rollback');
  assert.is(rb.r.code, 0, rb.r.stdout + rb.r.stderr);
  for (const h of PROMS) assert.equal(await names(h), ['agraf', 'aprom'], `${h}: sidecar removed, Prometheus kept`);
  assert.equal(await names(MON), ['agraf', 'aprom']);
  assert.is((await grafanaDatasources()).find((d) => d.name === 'prometheus')?.url, PROM_URL);
  assert.is.not(await agrafStartedAt(), startedBefore, 'agraf restarted');
  // Scylla's template is back to what was unpacked, byte for byte; the generated file points at Prometheus
  const mon = hostDirOf(MON);
  const f = 'srv/scylla-monitoring/grafana/datasource.yml';
  assert.is(pristine[`${MON}:/${f.slice('srv/'.length)}`].split(' ').pop(), createHash('sha256').update(readFileSync(join(mon, f))).digest('hex'), f);
  assert.match(readFileSync(join(mon, 'srv/scylla-monitoring/grafana/provisioning/datasources/datasource.yaml'), 'utf8'), `url: ${PROM_URL}`);
  // Prometheus and its data untouched: the old samples are still there
  for (const h of PROMS) assert.is(await seriesAt(h, T0), before[h], `${h} after rollback`);
  const rb2 = await run('thanos-rollback', 'rollback-again');
  assert.is(rb2.r.code, 0);
  assert.is(changedTotal(rb2.rep), 0, `rollback is idempotent: ${rb2.r.stdout}`);

  const again = await run('thanos', 'again');
  assert.is(again.r.code, 0, again.r.stdout + again.r.stderr);
  for (const h of PROMS) {
    assert.is(again.rep.recap[h].changed, 1, `${h}: only the sidecar comes back (Prometheus kept its data dir, flag, labels): ${again.r.stdout}`);
  }
  assert.is((await grafanaDatasources()).find((d) => d.name === 'prometheus')?.url, QUERY_URL);
  const last = await run('thanos', 'final');
  assert.is(last.r.code, 0);
  assert.is(changedTotal(last.rep), 0, last.r.stdout);
  for (const h of PROMS) assert.is(await seriesAt(h, T0), before[h], `${h} at the end`);
});

test('(f) block uploads (FILESYSTEM objstore): compaction off in the same kind of safe recreate, secret never shown', async () => {
  if (!ready()) return;
  const objstore = OBJSTORE;
  const up = await run('thanos', 'objstore', ['-e', objstore, '--diff']);
  assert.is(up.r.code, 0, up.r.stdout + up.r.stderr);
  for (const h of PROMS) {
    const tasks = up.rep.results.filter((x) => x.host === h).map((x) => `${x.type}:${x.status}`);
    assert.equal(tasks, ['prepare-prometheus:changed', 'run-sidecar:changed', 'debug:ok'], h);
    const args = await inspect(h, 'aprom', '{{range .Args}}{{.}} {{end}}');
    assert.match(args, '--storage.tsdb.min-block-duration=2h --storage.tsdb.max-block-duration=2h');
    const uid = Number((await sh(h, `docker exec aprom id -u`)).trim());
    assert.is((await sh(h, `stat -c '%a %u' ${objstoreFile(h)}`)).trim(), `600 ${uid}`);
    assert.match(await sh(h, 'docker logs sidecar 2>&1'), 'successfully validated prometheus flags');
    assert.match(readFileSync(join(hostDirOf(h), DATA_DIR, 'skiff-start-all.txt'), 'utf8'), '-b --storage.tsdb.min-block-duration=2h -b --storage.tsdb.max-block-duration=2h');
    assert.is(await seriesAt(h, T0), before[h], `${h}: no series lost by the second recreate`);
  }
  // the objstore var is secret: its values appear nowhere in the output or the report
  const report = readFileSync(join(tmp, 'objstore.json'), 'utf8');
  for (const text of [up.r.stdout, up.r.stderr, report]) assert.not.match(text, BUCKET);
  assert.match(up.r.stdout, '(secret content hidden)');
  const again = await run('thanos', 'objstore-again', ['-e', objstore]);
  assert.is(again.r.code, 0, again.r.stdout);
  assert.is(changedTotal(again.rep), 0, again.r.stdout);
});

test('(g) a recreate that fails (image not to be had) leaves the old container running', async () => {
  if (!ready()) return;
  const ids = Object.fromEntries(await Promise.all(PROMS.map(async (h) => [h, await inspect(h, 'sidecar', '{{.Id}} {{.State.Running}}')])));
  const bad = await run('thanos', 'bad-image', ['-e', OBJSTORE, '-e', 'thanos_image=docker.io/thanosio/thanos:v0.40.0-no-such-image', '-e', 'thanos_version=0.40.0', '--limit', 'prometheus']);
  assert.is(bad.r.code, 2, bad.r.stdout + bad.r.stderr);
  for (const h of PROMS) {
    assert.is(bad.rep.results.find((x) => x.host === h && x.type === 'run-sidecar')?.status, 'failed', h);
    assert.is(await inspect(h, 'sidecar', '{{.Id}} {{.State.Running}}'), ids[h], `${h}: the same sidecar, still running`);
    assert.equal(await names(h), ['agraf', 'aprom', 'sidecar'], `${h}: no leftover container`);
  }
  const fine = await run('thanos', 'after-bad-image', ['-e', OBJSTORE]);
  assert.is(fine.r.code, 0, fine.r.stdout);
  assert.is(changedTotal(fine.rep), 0, fine.r.stdout);
});

test('(h) one Prometheus host down: the others finish, the retry-file rerun completes it', async () => {
  if (!ready()) return;
  const rb = await run('thanos-rollback', 'rollback-before-down');
  assert.is(rb.r.code, 0, rb.r.stdout);
  assert.ok(killSshd('prom2') >= 1);
  let restarted = false;
  try {
    const down = await run('thanos', 'one-down');
    assert.is(down.r.code, 4, down.r.stdout + down.r.stderr);
    assert.ok(down.rep.recap.prom2.unreachable);
    for (const h of ['prom1', 'prom3']) assert.equal(await names(h), ['agraf', 'aprom', 'sidecar'], `${h} finished`);
    // the query cannot see prom2: verification fails, so Grafana is not switched to it
    assert.is(down.rep.recap.monitoring.failed, 1, down.r.stdout);
    assert.is((await grafanaDatasources()).find((d) => d.name === 'prometheus')?.url, PROM_URL);
    // the monitoring play's only host failed: the run ends there, as Ansible's does (no hosts left), so
    // prom1 and prom3 did not get to the last play either: the retry file names them too (work left)
    const retry = readFileSync(join(ROOT, '.skiff/retry/thanos.retry'), 'utf8').trim().split('\n').sort();
    assert.equal(retry, ['monitoring', 'prom1', 'prom2', 'prom3']);
    await restartSshd('prom2');
    restarted = true;
    const again = await run('thanos', 'retry', ['--limit', '@.skiff/retry/thanos.retry']);
    assert.is(again.r.code, 0, again.r.stdout + again.r.stderr);
    assert.equal(Object.keys(again.rep.recap).sort(), ['monitoring', 'prom1', 'prom2', 'prom3']);
    assert.equal(await names('prom2'), ['agraf', 'aprom', 'sidecar']);
    assert.is((await grafanaDatasources()).find((d) => d.name === 'prometheus')?.url, QUERY_URL);
    const all = await run('thanos', 'after-retry');
    assert.is(changedTotal(all.rep), 0, all.r.stdout);
  } finally {
    if (!restarted) await restartSshd('prom2');
  }
});

/** kill-all.sh then start-all.sh, as the host's operator runs them. */
async function rerunStartAll(s: HostSpec): Promise<void> {
  const r = await labExec(s.name, `${killAllCommand(s)}; ${startAllCommand(s, '/tmp/rerun.log')}`, { timeoutMs: 240_000 });
  if (r.code !== 0) throw new Error(`${s.name}: start-all.sh exit ${r.code}: ${(await labExec(s.name, 'tail -n 20 /tmp/rerun.log')).stdout}`);
}

test('(i) kill-all.sh + start-all.sh: with the printed options nothing drifts; without -d the drift is reported and repaired, no series lost', async () => {
  if (!ready()) return;
  // prom1 (Docker, root) and prom3 (rootless Podman, -l): the operator reruns Scylla's scripts with
  // the options skiff printed (its -d, and the -b block flags that (f) turned on)
  for (const h of ['prom1', 'prom3']) {
    const opts = /START_ALL_OPTIONS="([^"]*)"/.exec(readFileSync(join(hostDirOf(h), DATA_DIR, 'skiff-start-all.txt'), 'utf8'))![1];
    assert.match(opts, '-b --storage.tsdb.min-block-duration=2h');
    await rerunStartAll({ ...spec(h), startAll: opts.split(' ') });
  }
  // prom2: the operator reruns start-all.sh as before, without -d: a new, empty TSDB in the container
  await rerunStartAll(spec('prom2'));
  const c = await run('thanos', 'drift-check', ['--check', '--detailed-exitcode', '--limit', 'prometheus']);
  assert.is(c.r.code, 8, `drift pending: ${c.r.stdout}`);
  for (const h of ['prom1', 'prom3']) assert.is(c.rep.recap[h].changed, 0, `${h} rerun with the printed options: nothing to repair: ${c.r.stdout}`);
  const p2 = c.rep.results.find((x) => x.host === 'prom2' && x.type === 'prepare-prometheus')!;
  assert.is(p2.status, 'changed');
  assert.match(p2.changes.join('\n'), 'no longer mounts it');
  const fix = await run('thanos', 'drift-repair');
  assert.is(fix.r.code, 0, fix.r.stdout + fix.r.stderr);
  for (const h of PROMS) assert.is(await seriesAt(h, T0), before[h], `${h}: series at T0 after kill-all/start-all and repair`);
  // nothing orphaned: the history is mounted again, the minutes written meanwhile set aside, not deleted
  assert.match(await inspect('prom2', 'aprom', '{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}'), '/srv/prometheus-data:/prometheus/data');
  assert.ok(readdirSync(join(hostDirOf('prom2'), 'srv')).some((n) => n.startsWith('prometheus-data.skiff-interim-')), 'interim TSDB set aside');
  const again = await run('thanos', 'drift-after');
  assert.is(changedTotal(again.rep), 0, again.r.stdout);
});

test("(j) Scylla's own sidecar1 (start-all.sh --thanos-sc) is named and refused, never a port collision", async () => {
  if (!ready()) return;
  await sh('prom3', `docker create --name sidecar1 ${THANOS_IMAGE} sidecar >/dev/null`);
  try {
    const r = await run('thanos', 'scylla-sidecar1', ['--limit', 'prom3']);
    assert.is(r.r.code, 2, r.r.stdout);
    const sc = r.rep.results.find((x) => x.type === 'run-sidecar')!;
    assert.is(sc.status, 'failed');
    assert.match(sc.msg!, 'sidecar1');
    assert.match(sc.msg!, '--thanos-sc');
  } finally {
    await sh('prom3', 'docker rm -f sidecar1 >/dev/null');
  }
});

test.run();
