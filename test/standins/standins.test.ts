// Tests of the Thanos and Grafana stand-ins, run directly with node on loopback (no podman, no lab)
// against real Prometheus servers (/usr/bin/prometheus) started here on free loopback ports.
// Without /usr/bin/prometheus the tests that need it are skipped (with a printed reason), except
// under CI=true where that is a failure. Every wait is bounded.
//
//   npx tsx node_modules/uvu/bin.js test/standins '\.test\.ts$'
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bundleStandins } from './build.ts';

const PROM_BIN = process.env.STANDINS_PROMETHEUS || '/usr/bin/prometheus'; // override: to test the skip path
const HAVE_PROM = existsSync(PROM_BIN);
const IS_ROOT = process.getuid?.() === 0;

// ---------------------------------------------------------------------------------------------
// helpers

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

interface Proc {
  child: ChildProcess;
  out: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(argv: string[], opts: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number } = {}): Proc {
  const child = spawn(argv[0], argv.slice(1), {
    env: { ...process.env, ...(opts.env ?? {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
    uid: opts.uid,
    gid: opts.gid,
  });
  children.add(child);
  let buf = '';
  child.stdout?.on('data', (b: Buffer) => (buf += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (buf += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
    child.on('error', () => resolve({ code: 127, signal: null }));
  });
  return { child, out: () => buf, exited };
}

async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const t = setTimeout(() => p.child.kill('SIGKILL'), 5000);
  await p.exited;
  clearTimeout(t);
}

/** Runs to completion within timeoutMs (killed and reported otherwise). */
async function runToExit(argv: string[], timeoutMs: number, opts: Parameters<typeof start>[1] = {}) {
  const t0 = Date.now();
  const p = start(argv, opts);
  let timedOut = false;
  const t = setTimeout(() => {
    timedOut = true;
    p.child.kill('SIGKILL');
  }, timeoutMs);
  const r = await p.exited;
  clearTimeout(t);
  if (timedOut) throw new Error(`${argv.join(' ')} did not exit within ${timeoutMs} ms; output:\n${p.out()}`);
  return { code: r.code, out: p.out(), ms: Date.now() - t0 };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const r = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
  return { status: r.status, body: await r.text() };
}

async function getJSON<T = any>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const r = await get(url, headers);
  return JSON.parse(r.body) as T;
}

/** Polls until check() returns a value (not undefined), at most timeoutMs. */
async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, p?: Proc): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}${p ? `\noutput:\n${p.out()}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---------------------------------------------------------------------------------------------
// fixtures

let tmp = '';
let THANOS = '';
let GRAFANA = '';
interface Prom {
  port: number;
  url: string;
  dir: string;
  proc: Proc;
}
const proms: Record<'a' | 'b' | 'c', Prom | null> = { a: null, b: null, c: null };
const running: Proc[] = [];

async function startProm(name: string, port: number, cfg: string, extraFlags: string[]): Promise<Prom> {
  const dir = join(tmp, `prom-${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'prometheus.yml'), cfg);
  const proc = start([
    PROM_BIN,
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    ...extraFlags,
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`prometheus ${name} ready`, 30_000, async () => ((await get(`${url}/-/ready`)).status === 200 ? true : undefined), proc);
  return { port, url, dir, proc };
}

const sharedScrape = (targetPort: number) => `scrape_configs:
  - job_name: shared
    scrape_interval: 1s
    static_configs:
      - targets: ['127.0.0.1:${targetPort}']
`;

// uvu 0.5 swallows errors thrown by a before() hook (its runner returns from `finally`) and then
// reports success: so setup errors are kept here and rethrown by every test.
let setupError: Error | null = null;
let promSetupError: Error | null = null;

test.before(async () => {
  try {
    await setup();
  } catch (e) {
    setupError = e as Error;
  }
});

async function setup(): Promise<void> {
  const tb = Date.now();
  tmp = mkdtempSync(join(tmpdir(), 'standins-test-'));
  chmodSync(tmp, 0o755); // the unreadable-dir test runs the stand-in as uid 1001
  const bins = await bundleStandins(join(tmp, 'bin'));
  THANOS = bins.thanos;
  GRAFANA = bins.grafana;
  if (!HAVE_PROM) {
    if (process.env.CI === 'true') promSetupError = new Error(`${PROM_BIN} is missing (CI=true: not skipping)`);
    else console.log(`\n  note: ${PROM_BIN} is missing: skipping the tests that need a real Prometheus`);
    return;
  }
  try {
    await startProms();
  } catch (e) {
    promSetupError = e as Error;
  }
  if (process.env.STANDINS_TIMING) console.log(`  setup: ${Date.now() - tb} ms`);
}

async function startProms(): Promise<void> {
  const [pa, pb, pc] = [await freePort(), await freePort(), await freePort()];
  // a and b: an HA pair (same target, replica r1/r2); a with compaction disabled (min = max = 2h)
  // as Thanos uploads require, b with Prometheus' default block durations; c without external labels
  const [a, b, c] = await Promise.all([
    startProm(
      'a',
      pa,
      `global:\n  external_labels:\n    cluster: lab\n    replica: r1\n${sharedScrape(pa)}`,
      ['--storage.tsdb.min-block-duration=2h', '--storage.tsdb.max-block-duration=2h'],
    ),
    startProm('b', pb, `global:\n  external_labels:\n    cluster: lab\n    replica: r2\n${sharedScrape(pa)}`, []),
    startProm('c', pc, `global:\n  scrape_interval: 1s\n${sharedScrape(pc)}`, []),
  ]);
  Object.assign(proms, { a, b, c });
  for (const p of [a, b]) {
    await waitFor(`first scrape in ${p.url}`, 20_000, async () => {
      const r = await getJSON(`${p.url}/api/v1/query?query=up`);
      return r.data.result.length > 0 ? true : undefined;
    });
  }
}

let t0 = 0;
test.before.each(() => {
  t0 = Date.now();
  if (setupError) throw setupError;
});
test.after.each((ctx) => {
  if (process.env.STANDINS_TIMING) console.log(`  ${Date.now() - t0} ms  ${(ctx as { __test__?: string }).__test__ ?? ''}`);
});

test.after(async () => {
  await Promise.all([...running, ...Object.values(proms).flatMap((p) => (p ? [p.proc] : []))].map(stop));
  for (const c of children) c.kill('SIGKILL');
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const promTest = (name: string, fn: () => Promise<void>) =>
  HAVE_PROM || process.env.CI === 'true'
    ? test(name, async () => {
        if (promSetupError) throw promSetupError;
        await fn();
      })
    : test.skip(name, fn);

async function sidecar(prom: Prom, extra: string[] = [], tsdb = join(prom.dir, 'data')) {
  const [grpc, httpPort] = [await freePort(), await freePort()];
  const proc = start(
    [
      'node',
      THANOS,
      'sidecar',
      `--tsdb.path=${tsdb}`,
      `--prometheus.url=${prom.url}`,
      `--grpc-address=127.0.0.1:${grpc}`,
      `--http-address=127.0.0.1:${httpPort}`,
      ...extra,
    ],
  );
  running.push(proc);
  const http = `http://127.0.0.1:${httpPort}`;
  return { proc, grpc: `127.0.0.1:${grpc}`, http };
}

// ---------------------------------------------------------------------------------------------
// command line

test('thanos --version', async () => {
  const r = await runToExit(['node', THANOS, '--version'], 10_000);
  assert.is(r.code, 0);
  assert.match(r.out, 'thanos, version 0.39.2 (stand-in)');
});

test('a -p argument (ports given after the image) exits 2 like kingpin', async () => {
  for (const args of [
    ['sidecar', '--tsdb.path=/x', '-p', '10912:10912'],
    ['-p', '10912:10912', 'sidecar'],
  ]) {
    const r = await runToExit(['node', THANOS, ...args], 10_000);
    assert.is(r.code, 2, r.out);
    assert.match(r.out, "unknown short flag '-p'");
  }
});

test('unknown flags exit 2; --store is gone from query (removed in 0.38)', async () => {
  let r = await runToExit(['node', THANOS, 'query', '--store=127.0.0.1:10901'], 10_000);
  assert.is(r.code, 2);
  assert.match(r.out, "unknown long flag '--store'");
  r = await runToExit(['node', THANOS, 'sidecar', '--prometheus.url', 'http://x:9090', '--tsdb-path=/x'], 10_000);
  assert.is(r.code, 2);
  assert.match(r.out, "unknown long flag '--tsdb-path'");
  r = await runToExit(['node', THANOS, 'sidecar', '--log.level=verbose'], 10_000);
  assert.is(r.code, 2);
  r = await runToExit(['node', THANOS, 'compact'], 10_000);
  assert.is(r.code, 2);
  r = await runToExit(['node', THANOS, 'sidecar', 'extra-arg'], 10_000);
  assert.is(r.code, 2);
  assert.match(r.out, 'unexpected extra-arg');
});

// ---------------------------------------------------------------------------------------------
// sidecar + query against real Prometheus servers

promTest('sidecars + query: stores listed, external labels added, replica label deduplicated', async () => {
  const a = await sidecar(proms.a!);
  const b = await sidecar(proms.b!);
  const [qg, qh] = [await freePort(), await freePort()];
  const q = start([
    'node',
    THANOS,
    'query',
    `--http-address=127.0.0.1:${qh}`,
    `--grpc-address=127.0.0.1:${qg}`,
    `--endpoint=${a.grpc}`,
    '--endpoint',
    b.grpc,
    '--query.replica-label=replica',
  ], { env: { THANOS_STANDIN_ENDPOINT_POLL_MS: '1000' } });
  running.push(q);
  const Q = `http://127.0.0.1:${qh}`;

  await waitFor('sidecar a ready', 15_000, async () => ((await get(`${a.http}/-/ready`)).status === 200 ? true : undefined), a.proc);
  assert.is((await get(`${a.http}/-/healthy`)).status, 200);
  assert.match((await get(`${a.http}/metrics`)).body, 'thanos_sidecar_prometheus_up 1');
  // the HTTP port is not the StoreAPI port
  assert.is((await get(`${a.http}/info`)).status, 404);

  const stores = await waitFor(
    'both sidecars in /api/v1/stores with lastError null',
    15_000,
    async () => {
      const r = await getJSON(`${Q}/api/v1/stores`);
      const list = (r.data.sidecar ?? []) as Array<{ name: string; lastError: string | null }>;
      return list.length === 2 && list.every((s) => s.lastError === null) ? list : undefined;
    },
    q,
  );
  const byName = Object.fromEntries(stores.map((s: any) => [s.name, s]));
  assert.equal(byName[a.grpc].labelSets, [{ cluster: 'lab', replica: 'r1' }]);
  assert.equal(byName[b.grpc].labelSets, [{ cluster: 'lab', replica: 'r2' }]);
  assert.type(byName[a.grpc].lastCheck, 'string');

  const up = await getJSON(`${Q}/api/v1/query?query=${encodeURIComponent('up{job="shared"}')}`);
  assert.is(up.status, 'success');
  assert.is(up.data.resultType, 'vector');
  assert.is(up.data.result.length, 1, JSON.stringify(up));
  assert.equal(up.data.result[0].metric, { __name__: 'up', instance: `127.0.0.1:${proms.a!.port}`, job: 'shared', cluster: 'lab' });
  assert.is(up.data.result[0].value[1], '1');

  // POST works too; dedup=false keeps both replicas
  const raw = await (
    await fetch(`${Q}/api/v1/query`, {
      method: 'POST',
      body: new URLSearchParams({ query: 'up{job="shared"}', dedup: 'false' }),
      signal: AbortSignal.timeout(5000),
    })
  ).json();
  assert.equal(raw.data.result.map((s: any) => s.metric.replica).sort(), ['r1', 'r2']);

  // matchers on external labels select the right store, as in Thanos
  const r2 = await getJSON(`${Q}/api/v1/query?dedup=false&query=${encodeURIComponent('up{job="shared",replica="r2"}')}`);
  assert.equal(r2.data.result.map((s: any) => s.metric.replica), ['r2']);
  const none = await getJSON(`${Q}/api/v1/query?query=${encodeURIComponent('up{cluster="elsewhere"}')}`);
  assert.equal(none.data.result, []);

  // range queries are merged the same way
  const now = Math.floor(Date.now() / 1000);
  const range = await getJSON(`${Q}/api/v1/query_range?query=${encodeURIComponent('up{job="shared"}')}&start=${now - 30}&end=${now}&step=5`);
  assert.is(range.data.resultType, 'matrix');
  assert.is(range.data.result.length, 1);
  assert.not.ok('replica' in range.data.result[0].metric);

  // bad PromQL is reported as Prometheus does
  const bad = await get(`${Q}/api/v1/query?query=${encodeURIComponent('up{')}`);
  assert.is(bad.status, 400);
  assert.match(bad.body, 'bad_data');

  // a stopped sidecar shows up with its error, and the query still answers from the other
  await stop(a.proc);
  await waitFor(
    'stopped sidecar reported with lastError',
    15_000,
    async () => {
      const r = await getJSON(`${Q}/api/v1/stores`);
      const s = (r.data.sidecar as any[]).find((x) => x.name === a.grpc);
      return s && typeof s.lastError === 'string' ? true : undefined;
    },
    q,
  );
  const after = await getJSON(`${Q}/api/v1/query?query=${encodeURIComponent('up{job="shared"}')}`);
  assert.is(after.data.result.length, 1);
  await Promise.all([stop(b.proc), stop(q)]);
});

promTest('sidecar exits 1 when Prometheus has no external labels', async () => {
  const s = await sidecar(proms.c!);
  const r = await waitFor('exit', 15_000, async () => (s.proc.child.exitCode !== null ? s.proc.child.exitCode : undefined), s.proc);
  assert.is(r, 1);
  assert.match(s.proc.out(), 'no external labels configured on Prometheus server');
});

promTest('sidecar exits 1 when the TSDB dir is not readable by its uid', async () => {
  const dir = join(tmp, 'private-tsdb');
  mkdirSync(dir, { recursive: true });
  const [grpc, httpPort] = [await freePort(), await freePort()];
  const argv = ['node', THANOS, 'sidecar', `--tsdb.path=${dir}`, `--prometheus.url=${proms.a!.url}`, `--grpc-address=127.0.0.1:${grpc}`, `--http-address=127.0.0.1:${httpPort}`];
  let r;
  if (IS_ROOT) {
    chmodSync(dir, 0o700); // owned by root, as when Prometheus' volume is chmod 700
    r = await runToExit(argv, 15_000, { uid: 1001, gid: 1001 });
  } else {
    chmodSync(dir, 0o000);
    r = await runToExit(argv, 15_000);
  }
  assert.is(r.code, 1, r.out);
  assert.match(r.out, 'permission denied');
  // and readable: it starts (as root here, or as the owner)
  chmodSync(dir, 0o755);
});

test('sidecar exits 1 when Prometheus is unreachable (after --prometheus.ready_timeout)', async () => {
  const dead = await freePort();
  const [grpc, httpPort] = [await freePort(), await freePort()];
  mkdirSync(join(tmp, 'tsdb-x'), { recursive: true });
  const r = await runToExit(
    [
      'node',
      THANOS,
      'sidecar',
      `--tsdb.path=${join(tmp, 'tsdb-x')}`,
      `--prometheus.url=http://127.0.0.1:${dead}`,
      `--grpc-address=127.0.0.1:${grpc}`,
      `--http-address=127.0.0.1:${httpPort}`,
      '--prometheus.ready_timeout=1s',
    ],
    15_000,
  );
  assert.is(r.code, 1, r.out);
  assert.match(r.out, 'ECONNREFUSED');
  assert.match(r.out, 'context deadline exceeded');
  assert.ok(r.ms >= 900 && r.ms < 10_000, `took ${r.ms} ms`);
});

test('sidecar exits 1 when Prometheus goes away for longer than the heartbeat limit', async () => {
  // a fake Prometheus that serves its config, then disappears
  const fake = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ status: 'success', data: { yaml: 'global:\n  external_labels:\n    replica: x\n' } }));
  });
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
  const port = (fake.address() as net.AddressInfo).port;
  mkdirSync(join(tmp, 'tsdb-y'), { recursive: true });
  const [grpc, httpPort] = [await freePort(), await freePort()];
  const p = start(
    [
      'node',
      THANOS,
      'sidecar',
      `--tsdb.path=${join(tmp, 'tsdb-y')}`,
      `--prometheus.url=http://127.0.0.1:${port}`,
      `--grpc-address=127.0.0.1:${grpc}`,
      `--http-address=127.0.0.1:${httpPort}`,
      '--prometheus.get_config_interval=300ms',
    ],
    { env: { THANOS_STANDIN_UNREACHABLE_EXIT_AFTER: '1s' } },
  );
  running.push(p);
  await waitFor('ready', 10_000, async () => ((await get(`http://127.0.0.1:${httpPort}/-/ready`)).status === 200 ? true : undefined), p);
  fake.closeAllConnections();
  await new Promise<void>((r) => fake.close(() => r()));
  const code = await waitFor('exit after Prometheus went away', 15_000, async () => p.child.exitCode ?? undefined, p);
  assert.is(code, 1);
  assert.match(p.out(), 'unreachable');
});

// ---------------------------------------------------------------------------------------------
// object storage

test('objstore config: unreadable or unknown type exits 1, without printing the config', async () => {
  const secret = 'SeCrEt-AKIA-1234';
  const f = join(tmp, 'bucket-bad.yml');
  for (const [content, expect] of [
    [`type: S4\nconfig:\n  secret_key: ${secret}\n`, 'unsupported bucket type: S4'],
    [`type: FILESYSTEM\nconfig:\n  secret_key: ${secret}: [\n`, 'parsing config YAML file'],
    [`type: FILESYSTEM\nconfig:\n  directory: /x\nsecret: ${secret}\n`, 'field secret not found'],
    [`type: FILESYSTEM\nconfig:\n  secret_key: ${secret}\n`, 'missing directory for filesystem bucket'],
  ]) {
    writeFileSync(f, content);
    const r = await runToExit(['node', THANOS, 'sidecar', `--objstore.config-file=${f}`, '--tsdb.path=/nonexistent'], 10_000);
    assert.is(r.code, 1, r.out);
    assert.match(r.out, expect);
    assert.not.match(r.out, secret);
  }
  const r = await runToExit(['node', THANOS, 'sidecar', `--objstore.config-file=${join(tmp, 'nope.yml')}`], 10_000);
  assert.is(r.code, 1);
  assert.match(r.out, 'no such file or directory');
});

promTest('with uploads, unequal min/max block durations exit 1', async () => {
  const f = join(tmp, 'bucket.yml');
  writeFileSync(f, `type: FILESYSTEM\nconfig:\n  directory: ${join(tmp, 'bucket-b')}\n`);
  const s = await sidecar(proms.b!, [`--objstore.config-file=${f}`]);
  const code = await waitFor('exit', 15_000, async () => s.proc.child.exitCode ?? undefined, s.proc);
  assert.is(code, 1);
  assert.match(s.proc.out(), 'Compaction needs to be disabled (storage.tsdb.min-block-duration = storage.tsdb.max-block-duration)');
  // without uploads the same Prometheus is fine
  const ok = await sidecar(proms.b!);
  await waitFor('ready', 15_000, async () => ((await get(`${ok.http}/-/ready`)).status === 200 ? true : undefined), ok.proc);
  await stop(ok.proc);
});

promTest('shipper copies completed blocks to a FILESYSTEM bucket with the external labels', async () => {
  const tsdb = join(tmp, 'tsdb-ship');
  const ulid = '01HZZZZZZZZZZZZZZZZZZZZZZZ';
  mkdirSync(join(tsdb, ulid, 'chunks'), { recursive: true });
  writeFileSync(join(tsdb, ulid, 'chunks', '000001'), 'chunkdata');
  writeFileSync(join(tsdb, ulid, 'index'), 'indexdata');
  writeFileSync(join(tsdb, ulid, 'meta.json'), JSON.stringify({ ulid, minTime: 1, maxTime: 2, version: 1, compaction: { level: 1 } }));
  mkdirSync(join(tsdb, '01HYYYYYYYYYYYYYYYYYYYYYYY.tmp-for-creation'), { recursive: true }); // incomplete: ignored
  mkdirSync(join(tsdb, '01HXXXXXXXXXXXXXXXXXXXXXXX'), { recursive: true }); // no meta.json yet: ignored
  const bucket = join(tmp, 'bucket-a');
  const f = join(tmp, 'bucket-a.yml');
  writeFileSync(f, `type: FILESYSTEM\nconfig:\n  directory: ${bucket}\n`);
  const s = await sidecar(proms.a!, [`--objstore.config-file=${f}`], tsdb);
  await waitFor('block in bucket', 15_000, async () => (existsSync(join(bucket, ulid, 'meta.json')) ? true : undefined), s.proc);
  const meta = JSON.parse(readFileSync(join(bucket, ulid, 'meta.json'), 'utf8'));
  assert.equal(meta.thanos.labels, { cluster: 'lab', replica: 'r1' });
  assert.is(readFileSync(join(bucket, ulid, 'chunks', '000001'), 'utf8'), 'chunkdata');
  const shipper = await waitFor('thanos.shipper.json', 5000, async () =>
    existsSync(join(tsdb, 'thanos.shipper.json')) ? JSON.parse(readFileSync(join(tsdb, 'thanos.shipper.json'), 'utf8')) : undefined,
  );
  assert.equal(shipper.uploaded, [ulid]);
  assert.not.ok(existsSync(join(bucket, '01HXXXXXXXXXXXXXXXXXXXXXXX')));
  await stop(s.proc);
});

// ---------------------------------------------------------------------------------------------
// grafana

async function grafana(prov: string) {
  const port = await freePort();
  const p = start(['node', GRAFANA, '--http-addr', '127.0.0.1', `--http-port=${port}`], { env: { GF_PATHS_PROVISIONING: prov } });
  running.push(p);
  return { p, url: `http://127.0.0.1:${port}` };
}

const ADMIN = { Authorization: 'Basic ' + Buffer.from('admin:admin').toString('base64') };

test('grafana: datasources loaded at start, health, auth, malformed files exit 1', async () => {
  const prov = join(tmp, 'grafana-prov');
  mkdirSync(join(prov, 'datasources'), { recursive: true });
  const file = join(prov, 'datasources', 'thanos.yaml');
  writeFileSync(
    file,
    'apiVersion: 1\ndatasources:\n  - name: Thanos\n    type: prometheus\n    access: proxy\n    url: http://127.0.0.1:10904\n    isDefault: true\n    jsonData:\n      timeInterval: 20s\n',
  );
  writeFileSync(join(prov, 'datasources', 'notes.txt'), 'not yaml: [');
  const g = await grafana(prov);
  const health = await waitFor<any>('grafana health', 10_000, async () => getJSON(`${g.url}/api/health`), g.p);
  assert.is(health.database, 'ok');
  assert.is((await get(`${g.url}/api/datasources`)).status, 401);
  const list = await getJSON(`${g.url}/api/datasources`, ADMIN);
  assert.is(list.length, 1);
  assert.is(list[0].name, 'Thanos');
  assert.is(list[0].type, 'prometheus');
  assert.is(list[0].url, 'http://127.0.0.1:10904');
  assert.is(list[0].isDefault, true);
  assert.equal(list[0].jsonData, { timeInterval: '20s' });

  // a changed file is not seen until a restart
  writeFileSync(file, 'apiVersion: 1\ndatasources:\n  - name: Thanos\n    type: prometheus\n    url: http://127.0.0.1:19999\n');
  assert.is((await getJSON(`${g.url}/api/datasources`, ADMIN))[0].url, 'http://127.0.0.1:10904');
  await stop(g.p);
  const g2 = await grafana(prov);
  const list2 = await waitFor<any>('grafana restarted', 10_000, async () => getJSON(`${g2.url}/api/datasources`, ADMIN), g2.p);
  assert.is(list2[0].url, 'http://127.0.0.1:19999');
  assert.is(list2[0].isDefault, false);
  await stop(g2.p);

  const bad = [
    'apiVersion: 1\ndatasources:\n  - name: A\n    type: prometheus\n   url: x\n', // bad indentation
    'apiVersion: 1\ndatasources:\n  name: A\n', // not a list
    'apiVersion: 1\ndatasources:\n  - name: A\n    type: prometheus\n    isDefault: true\n  - name: B\n    type: prometheus\n    isDefault: true\n',
    'apiVersion: 1\ndatasources:\n  - type: prometheus\n', // no name
  ];
  for (const content of bad) {
    writeFileSync(file, content);
    const port = await freePort();
    const r = await runToExit(['node', GRAFANA, '--http-addr=127.0.0.1', `--http-port=${port}`], 10_000, { env: { GF_PATHS_PROVISIONING: prov } });
    assert.is(r.code, 1, `${content}\n${r.out}`);
  }
});

test.run();
