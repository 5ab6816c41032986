// Tests of the Thanos and Grafana stand-ins, run directly with node on loopback (no podman, no lab)
// against real Prometheus servers (/usr/bin/prometheus) started here on free loopback ports.
// Without /usr/bin/prometheus the tests that need it are skipped (with a printed reason), except
// under CI=true where that is a failure. Every wait is bounded.
//
//   npx tsx node_modules/uvu/bin.js test/standins '\.test\.ts$'
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GRAFANA_IMAGE, THANOS_IMAGE, buildStandinImages, bundleStandins } from './build.ts';

const PROM_BIN = process.env.STANDINS_PROMETHEUS || '/usr/bin/prometheus'; // override: to test the skip path
const HAVE_PROM = existsSync(PROM_BIN);
const IS_ROOT = process.getuid?.() === 0;
// Scylla Monitoring 4.12.1 as published (read at test time, never copied into the repo)
const SCYLLA_TGZ = process.env.STANDINS_SCYLLA_TGZ || '/work/shared/upstream/scylla-monitoring-4.12.1.tar.gz';
const SCYLLA_DIR = 'scylla-monitoring-4.12.1';
const HAVE_SCYLLA = existsSync(SCYLLA_TGZ);
const scyllaFile = (path: string) => execFileSync('tar', ['-xzOf', SCYLLA_TGZ, `${SCYLLA_DIR}/${path}`], { encoding: 'utf8' });
const scyllaTest = (name: string, fn: () => Promise<void>) =>
  HAVE_SCYLLA || process.env.CI === 'true' ? test(name, fn) : test.skip(`${name} (no ${SCYLLA_TGZ})`, fn);

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
  assert.match(r.out, 'thanos, version 0.39.1 (stand-in)');
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

// Every flag of `thanos sidecar --help` / `thanos query --help` v0.39.1 (docs/components/*.md at
// tag v0.39.1) and the hidden ones of cmd/thanos/*.go, with a valid value: all must parse. `--help`
// after them makes the stand-in exit 0 once the whole line has parsed (a parse error exits 2).
const COMMON_FLAGS = [
  '--log.level=debug',
  '--log.format=json',
  '--debug.name=x',
  '--tracing.config-file=/nonexistent.yml',
  '--tracing.config=type: JAEGER',
  '--enable-auto-gomemlimit',
  '--auto-gomemlimit.ratio=0.8',
  '--http-address=0.0.0.0:1',
  '--http-grace-period=1s',
  '--http.config=',
  '--grpc-address=0.0.0.0:2',
  '--grpc-server-tls-cert=/c.pem',
  '--grpc-server-tls-key=/k.pem',
  '--grpc-server-tls-client-ca=',
  '--grpc-server-tls-min-version=1.2',
  '--grpc-server-max-connection-age=30m',
  '--grpc-grace-period=1s',
  '--request.logging-config-file=/r.yml',
  '--request.logging-config=x',
  '--store.limits.request-series=10',
  '--store.limits.request-samples=10',
];
const SIDECAR_FLAGS = [
  '--prometheus.url=http://p:9090',
  '--prometheus.ready_timeout=1m',
  '--prometheus.get_config_interval=10s',
  '--prometheus.get_config_timeout=10s',
  '--prometheus.http-client-file=/h.yml',
  '--prometheus.http-client=x',
  '--tsdb.path=/data',
  '--reloader.config-file=/p.yml',
  '--reloader.config-envsubst-file=/o.yml',
  '--reloader.rule-dir=/r1',
  '--reloader.rule-dir=/r2',
  '--reloader.watch-interval=1m',
  '--reloader.retry-interval=1s',
  '--reloader.method=signal',
  '--reloader.process-name=prometheus',
  '--objstore.config-file=/b.yml',
  '--objstore.config=type: FILESYSTEM',
  '--shipper.upload-compacted',
  '--no-shipper.ignore-unequal-block-size',
  '--shipper.allow-out-of-order-uploads',
  '--shipper.skip-corrupted-blocks',
  '--hash-func=SHA256',
  '--shipper.meta-file-name=m.json',
  '--min-time=-1d',
];
const QUERY_FLAGS = [
  '--grpc-client-tls-secure',
  '--grpc-client-tls-skip-verify',
  '--grpc-client-tls-cert=/c',
  '--grpc-client-tls-key=/k',
  '--grpc-client-tls-ca=/ca',
  '--grpc-client-server-name=s',
  '--grpc-compression=snappy',
  '--web.route-prefix=/x',
  '--web.external-prefix=/y',
  '--web.prefix-header=X-Forwarded-Prefix',
  '--web.disable-cors',
  '--query.timeout=1m',
  '--query.promql-engine=thanos',
  '--query.disable-fallback',
  '--query.enable-x-functions',
  '--query.mode=distributed',
  '--query.max-concurrent=2',
  '--query.lookback-delta=5m',
  '--no-query.dynamic-lookback-delta',
  '--query.max-concurrent-select=2',
  '--query.conn-metric.label=external_labels',
  '--deduplication.func=chain',
  '--query.replica-label=cluster',
  '--query.replica-label=replica',
  '--query.partition-label=region',
  '--query.distributed-with-overlapping-interval',
  '--query.instant.default.max_source_resolution=1h',
  '--query.metadata.default-time-range=1h',
  '--selector-label=a="b"',
  '--query.auto-downsampling',
  '--no-query.partial-response',
  '--no-rule.partial-response',
  '--no-target.partial-response',
  '--no-metric-metadata.partial-response',
  '--no-exemplar.partial-response',
  '--query.active-query-path=/q',
  '--enable-feature=promql-experimental-functions',
  '--query.default-evaluation-interval=30s',
  '--query.default-step=5s',
  '--store.response-timeout=10s',
  '--grpc.proxy-strategy=lazy',
  '--query.lazy-retrieval-max-buffered-responses=5',
  '--selector.relabel-config-file=/s.yml',
  '--selector.relabel-config=x',
  '--alert.query-url=http://q',
  '--query.telemetry.request-duration-seconds-quantiles=0.5',
  '--query.telemetry.request-samples-quantiles=100',
  '--query.telemetry.request-series-seconds-quantiles=10',
  '--query.tenant-header=T',
  '--query.default-tenant-id=t',
  '--query.tenant-certificate-field=organization',
  '--query.enforce-tenancy',
  '--query.tenant-label-name=tenant',
  '--store.sd-dns-interval=10s',
  '--store.sd-dns-resolver=golang',
  '--store.unhealthy-timeout=1m',
  '--endpoint.info-timeout=2s',
  '--endpoint.sd-config-file=/e.yml',
  '--endpoint.sd-config=endpoints: []',
  '--endpoint.sd-config-reload-interval=1m',
  '--store.sd-files=/f.yml',
  '--store.sd-interval=1m',
  '--endpoint=a:10901',
  '--endpoint=dns+b:10901',
  '--endpoint-group=g:10901',
  '--endpoint-strict=s:10901',
  '--endpoint-group-strict=gs:10901',
];

test('every flag of thanos sidecar / query v0.39.1 (hidden ones too) is accepted', async () => {
  let r = await runToExit(['node', THANOS, 'sidecar', ...COMMON_FLAGS, ...SIDECAR_FLAGS, '--help'], 10_000);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, 'usage: thanos sidecar');
  assert.not.match(r.out, '--debug.name', 'hidden flags are not listed, as in kingpin');
  r = await runToExit(['node', THANOS, 'query', ...COMMON_FLAGS, ...QUERY_FLAGS, '--help'], 10_000);
  assert.is(r.code, 0, r.out);
  // value types are checked as kingpin does
  for (const bad of ['--query.max-concurrent=x', '--grpc-server-tls-min-version=1.4', '--query.promql-engine=mimir', '--grpc-grace-period=1x']) {
    r = await runToExit(['node', THANOS, 'query', bad], 10_000);
    assert.is(r.code, 2, `${bad}: ${r.out}`);
  }
  // sidecar flags are not query flags and vice versa
  r = await runToExit(['node', THANOS, 'query', '--tsdb.path=/x'], 10_000);
  assert.is(r.code, 2);
  r = await runToExit(['node', THANOS, 'sidecar', '--endpoint=a:1'], 10_000);
  assert.is(r.code, 2);
});

test('flags the stand-in does not implement (route prefix, reloader, file SD...) exit 1 instead of being ignored', async () => {
  for (const [cmd, flag] of [
    ['query', '--web.route-prefix=/thanos'],
    ['query', '--store.sd-files=/f.yml'],
    ['query', '--query.mode=distributed'],
    ['sidecar', '--reloader.config-file=/etc/prometheus/prometheus.yml'],
    ['sidecar', '--min-time=-1d'],
  ]) {
    const r = await runToExit(['node', THANOS, cmd, flag, '--http-address=127.0.0.1:0', '--grpc-address=127.0.0.1:0'], 10_000);
    assert.is(r.code, 1, `${flag}: ${r.out}`);
    assert.match(r.out, `flag --${flag.slice(2).split('=')[0]} is accepted by Thanos 0.39.1 but not implemented by the Thanos stand-in`);
  }
  // the defaults themselves are fine
  const r = await runToExit(['node', THANOS, 'query', '--query.mode=local', '--web.route-prefix=', '--http-address=127.0.0.1:0', '--grpc-address=127.0.0.1:0', '--no-such'], 10_000);
  assert.is(r.code, 2); // (stopped by --no-such: parse errors come first)
});

test("Scylla Monitoring's start-thanos.sh query line: --store exits 2 (removed in 0.38), the rest starts", async () => {
  // as in start-thanos.sh with `-S a:10911`
  const scylla = ['query', '--debug.name=query0', '--grpc-address=127.0.0.1:0', '--grpc-grace-period=1s', '--http-address=127.0.0.1:0', '--http-grace-period=1s', '--query.promql-engine=thanos', '--query.replica-label=cluster'];
  const r = await runToExit(['node', THANOS, ...scylla, '--store=a:10911'], 10_000);
  assert.is(r.code, 2);
  assert.match(r.out, "unknown long flag '--store'");
  // without -S: no store flag, the query starts (and logs with name=query0, from --debug.name)
  const [qg, qh] = [await freePort(), await freePort()];
  const argv = scylla.map((a) => (a.startsWith('--grpc-address') ? `--grpc-address=127.0.0.1:${qg}` : a.startsWith('--http-address') ? `--http-address=127.0.0.1:${qh}` : a));
  const q = start(['node', THANOS, ...argv]);
  running.push(q);
  await waitFor('query ready', 10_000, async () => ((await get(`http://127.0.0.1:${qh}/-/ready`)).status === 200 ? true : undefined), q);
  const stores = await getJSON(`http://127.0.0.1:${qh}/api/v1/stores`);
  assert.equal(stores, { status: 'success', data: {} });
  assert.match(q.out(), 'name=query0');
  assert.match((await get(`http://127.0.0.1:${qh}/metrics`)).body, 'version="0.39.1"');
  await stop(q);
});

/** A fake Prometheus answering /api/v1/status/config with external labels (for tests that need no real one). */
async function fakeProm(labels = 'replica: x'): Promise<{ url: string; close: () => Promise<void> }> {
  const srv = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ status: 'success', data: { yaml: `global:\n  external_labels:\n    ${labels}\n` } }));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(srv.address() as net.AddressInfo).port}`,
    close: async () => {
      srv.closeAllConnections();
      await new Promise<void>((r) => srv.close(() => r()));
    },
  };
}

test("Scylla Monitoring's start-thanos-sc.sh sidecar line starts without a TSDB dir (no uploads)", async () => {
  const prom = await fakeProm();
  const [grpc, httpPort] = [await freePort(), await freePort()];
  // the argument list of start-thanos-sc.sh (NAME=1), addresses on loopback; /data/prom1 is not there
  const s = start([
    'node', THANOS, 'sidecar', '--debug.name=1', `--grpc-address=127.0.0.1:${grpc}`, '--grpc-grace-period=1s',
    `--http-address=127.0.0.1:${httpPort}`, '--http-grace-period=1s', `--prometheus.url=${prom.url}`, `--tsdb.path=${join(tmp, 'no-such-dir', 'prom1')}`,
  ]);
  running.push(s);
  await waitFor('sidecar ready', 10_000, async () => ((await get(`http://127.0.0.1:${httpPort}/-/ready`)).status === 200 ? true : undefined), s);
  assert.match(s.out(), 'name=1');
  const info = await getJSON(`http://127.0.0.1:${grpc}/info`);
  assert.equal(info.labelSets, [{ replica: 'x' }]);
  assert.is(info.tls, false);
  await stop(s);
  await prom.close();
});

test('gRPC TLS flags: cert without key exits 1; a TLS sidecar is usable only by a query with --grpc-client-tls-secure', async () => {
  let r = await runToExit(['node', THANOS, 'sidecar', '--grpc-server-tls-cert=/etc/hostname', '--http-address=127.0.0.1:0', '--grpc-address=127.0.0.1:0'], 10_000);
  assert.is(r.code, 1, r.out);
  assert.match(r.out, 'both server key and certificate must be provided');
  r = await runToExit(['node', THANOS, 'sidecar', `--grpc-server-tls-cert=${join(tmp, 'nope.pem')}`, `--grpc-server-tls-key=${join(tmp, 'nope.key')}`, '--http-address=127.0.0.1:0', '--grpc-address=127.0.0.1:0'], 10_000);
  assert.is(r.code, 1, r.out);
  assert.match(r.out, 'no such file or directory');

  const prom = await fakeProm();
  writeFileSync(join(tmp, 'tls.pem'), 'not checked by the stand-in\n');
  const [grpc, httpPort] = [await freePort(), await freePort()];
  const s = start(['node', THANOS, 'sidecar', `--grpc-address=127.0.0.1:${grpc}`, `--http-address=127.0.0.1:${httpPort}`, `--prometheus.url=${prom.url}`, `--grpc-server-tls-cert=${join(tmp, 'tls.pem')}`, `--grpc-server-tls-key=${join(tmp, 'tls.pem')}`]);
  running.push(s);
  await waitFor('TLS sidecar ready', 10_000, async () => ((await get(`http://127.0.0.1:${httpPort}/-/ready`)).status === 200 ? true : undefined), s);
  const queries: Proc[] = [];
  const urls: string[] = [];
  for (const secure of [false, true]) {
    const [qg, qh] = [await freePort(), await freePort()];
    const q = start(['node', THANOS, 'query', `--grpc-address=127.0.0.1:${qg}`, `--http-address=127.0.0.1:${qh}`, `--endpoint=127.0.0.1:${grpc}`, ...(secure ? ['--grpc-client-tls-secure'] : [])], { env: { THANOS_STANDIN_ENDPOINT_POLL_MS: '500' } });
    running.push(q);
    queries.push(q);
    urls.push(`http://127.0.0.1:${qh}`);
  }
  await waitFor('secure query lists the TLS sidecar', 10_000, async () => {
    const list = (await getJSON(`${urls[1]}/api/v1/stores`)).data.sidecar ?? [];
    return list.length === 1 && list[0].lastError === null ? true : undefined;
  }, queries[1]);
  const plain = await waitFor('plain query reports the handshake failure', 10_000, async () => {
    const eps = await getJSON(`${urls[0]}/api/v1/standin/endpoints`);
    const text = JSON.stringify(eps);
    return text.includes('TLS') ? eps : undefined;
  }, queries[0]);
  assert.ok(plain);
  assert.equal((await getJSON(`${urls[0]}/api/v1/stores`)).data, {}, 'never answered: not listed, as in Thanos');
  await Promise.all([...queries, s].map(stop));
  await prom.close();
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

promTest('unreadable TSDB dir: with uploads exit 1; without uploads (TSDB not needed) the sidecar starts', async () => {
  const dir = join(tmp, 'private-tsdb');
  mkdirSync(dir, { recursive: true });
  const bucketFile = join(tmp, 'bucket-private.yml');
  writeFileSync(bucketFile, `type: FILESYSTEM\nconfig:\n  directory: ${join(tmp, 'bucket-private')}\n`);
  const as: { uid?: number; gid?: number } = {};
  if (IS_ROOT) {
    chmodSync(dir, 0o700); // owned by root, as when Prometheus' volume is chmod 700
    Object.assign(as, { uid: 1001, gid: 1001 });
  } else chmodSync(dir, 0o000);
  const argv = async (extra: string[]) => {
    const [grpc, httpPort] = [await freePort(), await freePort()];
    return { httpPort, argv: ['node', THANOS, 'sidecar', `--tsdb.path=${dir}`, `--prometheus.url=${proms.a!.url}`, `--grpc-address=127.0.0.1:${grpc}`, `--http-address=127.0.0.1:${httpPort}`, ...extra] };
  };
  const withUploads = await argv([`--objstore.config-file=${bucketFile}`]);
  const r = await runToExit(withUploads.argv, 15_000, as);
  assert.is(r.code, 1, r.out);
  assert.match(r.out, 'permission denied');
  const plain = await argv([]);
  const p = start(plain.argv, as);
  running.push(p);
  await waitFor('sidecar without uploads ready', 15_000, async () => ((await get(`http://127.0.0.1:${plain.httpPort}/-/ready`)).status === 200 ? true : undefined), p);
  await stop(p);
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

async function grafana(prov: string, env: Record<string, string> = {}) {
  const port = await freePort();
  const p = start(['node', GRAFANA, '--http-addr', '127.0.0.1', `--http-port=${port}`], { env: { GF_PATHS_PROVISIONING: prov, ...env } });
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
  assert.equal(health, { database: 'ok', version: '12.2.0', commit: 'stand-in' });
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

const basic = (user: string, pass: string) => ({ Authorization: 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64') });

/** The environment start-grafana.sh passes with Scylla's defaults (no -a, no --auth, anonymous on). */
const SCYLLA_GRAFANA_ENV = {
  GF_AUTH_BASIC_ENABLED: 'false',
  GF_AUTH_ANONYMOUS_ENABLED: 'true',
  GF_AUTH_ANONYMOUS_ORG_ROLE: 'Admin',
  GF_PANELS_DISABLE_SANITIZE_HTML: 'true',
  GF_SECURITY_ADMIN_PASSWORD: 'admin',
  GF_ANALYTICS_GOOGLE_ANALYTICS_UA_ID: '',
  GF_ANALYTICS_REPORTING_ENABLED: 'false',
  GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
  GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: 'false',
  GF_SECURITY_ANGULAR_SUPPORT_ENABLED: 'false',
  GF_DATABASE_WAL: 'true',
  GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS: 'scylladb-scylla-datasource',
  GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: '/var/lib/grafana/dashboards/ver_2025.1/scylla-overview.2025.1.json',
  GF_SERVER_ENABLE_GZIP: 'true',
  GF_USERS_DEFAULT_THEME: 'light',
};

/**
 * A provisioning dir as Scylla Monitoring 4.12.1 generates it: grafana-datasource.sh's seds of
 * grafana/datasource.yml (DB_ADDRESS, AM_ADDRESS), its copy of datasource.scylla.yml, and
 * generate-dashboards.sh's seds of grafana/load.yaml (NAME, FOLDER, VERSION). Test-only change: the
 * provider path /var/lib/grafana/dashboards/... is pointed at a directory under tmp.
 */
function scyllaProvisioning(name: string): { prov: string; dashDir: string } {
  const prov = join(tmp, name);
  const dashDir = join(tmp, `${name}-dashboards`, 'ver_2025.1');
  mkdirSync(join(prov, 'datasources'), { recursive: true });
  mkdirSync(join(prov, 'dashboards'), { recursive: true });
  mkdirSync(dashDir, { recursive: true });
  const ds = scyllaFile('grafana/datasource.yml').replace('DB_ADDRESS', 'aprom:9090').replace('AM_ADDRESS', 'aalert:9093');
  writeFileSync(join(prov, 'datasources', 'datasource.yaml'), ds);
  writeFileSync(join(prov, 'datasources', 'datasource.scylla.yml'), scyllaFile('grafana/datasource.scylla.yml'));
  const load = scyllaFile('grafana/load.yaml').replace('NAME', 'scylla-2025.1').replace('FOLDER', 'scylla-2025.1').replace('VERSION', 'ver_2025.1');
  writeFileSync(join(prov, 'dashboards', 'load.scylla-2025.1.yaml'), load.replace('/var/lib/grafana/dashboards/', `${join(tmp, `${name}-dashboards`)}/`));
  writeFileSync(join(dashDir, 'scylla-overview.2025.1.json'), JSON.stringify({ uid: 'overview-2025-1', title: 'Overview', tags: ['2025.1'], panels: [] }));
  writeFileSync(join(dashDir, 'broken.json'), '{ not json'); // logged and skipped, as Grafana does
  return { prov, dashDir };
}

scyllaTest("grafana: Scylla's generated provisioning (null values, scylla datasource, dashboards) and start-grafana.sh's env", async () => {
  const { prov } = scyllaProvisioning('grafana-scylla');
  // the file really has the empty keys that real Grafana reads as null
  const generated = readFileSync(join(prov, 'datasources', 'datasource.yaml'), 'utf8');
  assert.match(generated, /^ {2}isDefault: *$/m);
  assert.match(generated, /^ {2}password: *$/m);
  const g = await grafana(prov, SCYLLA_GRAFANA_ENV);
  // start-grafana.sh waits with `curl -f http://localhost:3000/api/org` (no credentials)
  const org = await waitFor<any>('/api/org', 10_000, async () => {
    const r = await get(`${g.url}/api/org`);
    return r.status === 200 ? JSON.parse(r.body) : undefined;
  }, g.p);
  assert.is(org.id, 1);
  assert.is(org.name, 'Main Org.');
  assert.is((await get(`${g.url}/api/health`)).status, 200);
  // anonymous Admin: with or without credentials (basic auth is disabled: the header is not even read)
  for (const h of [{}, ADMIN, basic('admin', 'wrong')]) {
    const list = await getJSON(`${g.url}/api/datasources`, h);
    assert.equal(list.map((d: any) => d.name), ['alertmanager', 'prometheus', 'scylla-datasource']);
  }
  const list = await getJSON(`${g.url}/api/datasources`, ADMIN);
  const by = Object.fromEntries(list.map((d: any) => [d.name, d]));
  assert.is(by.prometheus.url, 'http://aprom:9090');
  assert.is(by.prometheus.isDefault, true);
  assert.equal(by.prometheus.jsonData, { timeInterval: '20s' });
  assert.is(by.alertmanager.url, 'http://aalert:9093');
  assert.is(by.alertmanager.isDefault, false); // null -> default
  assert.is(by.alertmanager.basicAuth, false);
  assert.is(by.alertmanager.user, '');
  assert.is(by['scylla-datasource'].type, 'scylladb-scylla-datasource');

  // dashboards: the provider's folder and its dashboard; start-grafana.sh --support-dashboard's calls
  const folders = await getJSON(`${g.url}/api/search?type=dash-folder`, ADMIN);
  assert.equal(folders.map((f: any) => [f.title, f.type]), [['scylla-2025.1', 'dash-folder']]);
  const dashes = await getJSON(`${g.url}/api/search?query=overview`, ADMIN);
  assert.equal(dashes.map((d: any) => [d.uid, d.type, d.folderTitle]), [['overview-2025-1', 'dash-db', 'scylla-2025.1']]);
  assert.match(g.p.out(), 'broken.json');
  const perm = await fetch(`${g.url}/api/folders/${folders[0].uid}/permissions`, {
    method: 'POST',
    headers: { ...ADMIN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ items: [{ role: 'Editor', permission: 2 }] }),
  });
  assert.is(perm.status, 200);
  assert.is((await fetch(`${g.url}/api/folders//permissions`, { method: 'POST', headers: ADMIN, body: '{"items":[]}' })).status, 404);

  // load-grafana.sh's calls: POST /api/datasources, POST /api/dashboards/db
  const post = (path: string, body: unknown) =>
    fetch(`${g.url}${path}`, { method: 'POST', headers: { ...ADMIN, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  let r = await post('/api/datasources', { name: 'thanos', type: 'prometheus', url: 'http://thanos:10904', access: 'proxy', basicAuth: false });
  assert.is(r.status, 200);
  r = await post('/api/datasources', { name: 'thanos', type: 'prometheus', url: 'http://x' });
  assert.is(r.status, 409);
  assert.ok((await getJSON(`${g.url}/api/datasources`)).some((d: any) => d.name === 'thanos'));
  r = await post('/api/dashboards/db', { dashboard: { uid: 'extra', title: 'Extra' }, overwrite: true });
  assert.is(r.status, 200);
  assert.is(((await r.json()) as any).status, 'success');
  r = await post('/api/dashboards/db', { dashboard: { uid: 'extra', title: 'Extra' } });
  assert.is(r.status, 412);
  assert.equal((await getJSON(`${g.url}/api/search?query=extra`)).map((d: any) => d.uid), ['extra']);
  await stop(g.p);
});

test('grafana: auth as Grafana 12 (anonymous, basic, empty GF_* = default, roles)', async () => {
  const prov = join(tmp, 'grafana-auth');
  mkdirSync(join(prov, 'datasources'), { recursive: true });
  writeFileSync(join(prov, 'datasources', 'd.yaml'), 'apiVersion: 1\ndatasources:\n  - name: P\n    type: prometheus\n    url: http://p:9090\n');
  const check = async (env: Record<string, string>, expect: Array<[string, Record<string, string>, number]>) => {
    const g = await grafana(prov, env);
    await waitFor('health', 10_000, async () => ((await get(`${g.url}/api/health`)).status === 200 ? true : undefined), g.p);
    for (const [path, headers, status] of expect) {
      assert.is((await get(`${g.url}${path}`, headers)).status, status, `${JSON.stringify(env)} ${path} ${JSON.stringify(headers)}`);
    }
    await stop(g.p);
  };
  // Grafana's defaults: basic on, anonymous off, admin/admin; an EMPTY variable is no override
  await check({ GF_SECURITY_ADMIN_PASSWORD: '', GF_AUTH_ANONYMOUS_ENABLED: '', GF_AUTH_BASIC_ENABLED: '' }, [
    ['/api/org', {}, 401],
    ['/api/org', ADMIN, 200],
    ['/api/datasources', ADMIN, 200],
    ['/api/datasources', basic('admin', ''), 401],
    ['/api/health', {}, 200],
  ]);
  await check({ GF_SECURITY_ADMIN_PASSWORD: 's3cret' }, [
    ['/api/org', ADMIN, 401],
    ['/api/datasources', basic('admin', 's3cret'), 200],
  ]);
  // anonymous Viewer (Grafana's default role): may read the org and search, not list datasources;
  // a failed basic login falls through to anonymous, as Grafana's authn does
  await check({ GF_AUTH_ANONYMOUS_ENABLED: 'true' }, [
    ['/api/org', {}, 200],
    ['/api/search', {}, 200],
    ['/api/datasources', {}, 403],
    ['/api/datasources', basic('admin', 'wrong'), 403],
    ['/api/datasources', ADMIN, 200],
  ]);
  // basic auth disabled and anonymous off: nothing but /api/health
  await check({ GF_AUTH_BASIC_ENABLED: 'false' }, [
    ['/api/org', ADMIN, 401],
    ['/api/health', {}, 200],
  ]);
});

test('grafana: dashboard providers: bad YAML exits 1, a missing dashboards path does not', async () => {
  const prov = join(tmp, 'grafana-dash');
  mkdirSync(join(prov, 'dashboards'), { recursive: true });
  const file = join(prov, 'dashboards', 'load.yaml');
  writeFileSync(file, `apiVersion: 1\nproviders:\n- name: x\n  folder: F\n  type: file\n  options:\n    path: ${join(tmp, 'no-such-dashboards')}\n`);
  const g = await grafana(prov);
  await waitFor('health', 10_000, async () => ((await get(`${g.url}/api/health`)).status === 200 ? true : undefined), g.p);
  assert.equal((await getJSON(`${g.url}/api/search?type=dash-db`, ADMIN)), []);
  await stop(g.p);
  for (const bad of ['apiVersion: 1\nproviders:\n  name: x\n', 'apiVersion: 1\nproviders:\n- name: x\n   folder: y\n']) {
    writeFileSync(file, bad);
    const port = await freePort();
    const r = await runToExit(['node', GRAFANA, '--http-addr=127.0.0.1', `--http-port=${port}`], 10_000, { env: { GF_PATHS_PROVISIONING: prov } });
    assert.is(r.code, 1, `${bad}\n${r.out}`);
  }
});

// ---------------------------------------------------------------------------------------------
// images

test('images: the names Scylla Monitoring 4.12.1 runs, and --change instructions docker import accepts', async () => {
  assert.is(THANOS_IMAGE, 'docker.io/thanosio/thanos:v0.39.1');
  assert.is(GRAFANA_IMAGE, 'docker.io/grafana/grafana:12.2.0');
  if (HAVE_SCYLLA) {
    const versions = scyllaFile('versions.sh');
    assert.match(versions, `THANOS_VERSION="${THANOS_IMAGE.split(':')[1]}"`);
    assert.match(versions, `GRAFANA_VERSION="${GRAFANA_IMAGE.split(':')[1]}"`);
    assert.match(scyllaFile('start-thanos-sc.sh'), 'docker.io/thanosio/thanos:$THANOS_VERSION');
    assert.match(scyllaFile('start-grafana.sh'), 'docker.io/grafana/grafana:$GRAFANA_VERSION');
  }
  const images = await buildStandinImages(join(tmp, 'images'));
  assert.equal(images.map((i) => i.image).sort(), [GRAFANA_IMAGE, THANOS_IMAGE].sort());
  // `docker import --change` (moby's validCommitCommands) accepts only these
  const DOCKER_OK = ['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'ONBUILD', 'USER', 'VOLUME', 'WORKDIR', 'LABEL'];
  for (const img of images) {
    for (const c of img.changes) assert.ok(DOCKER_OK.includes(c.split(' ')[0]), `${img.image}: ${c}`);
  }
  const by = Object.fromEntries(images.map((i) => [i.image, i]));
  assert.ok(by[THANOS_IMAGE].changes.includes('USER 1001'));
  assert.equal(by[THANOS_IMAGE].entrypoint, ['/bin/thanos']);
  assert.ok(by[GRAFANA_IMAGE].changes.includes('USER 472'));
  assert.ok(by[GRAFANA_IMAGE].changes.includes('WORKDIR /usr/share/grafana'));
  assert.ok(by[GRAFANA_IMAGE].changes.includes('ENV GF_PATHS_PROVISIONING=/etc/grafana/provisioning'));
  const listing = execFileSync('tar', ['-tvf', by[THANOS_IMAGE].tar], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.match(listing, / bin\/thanos\n/);
  assert.match(listing, / usr\/bin\/node\n/);
});

test.run();
