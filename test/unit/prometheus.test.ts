// Pure plan tests for the Thanos tasks and the Prometheus helper: data in -> changes out. The
// container helper's own tests are in container-*.test.ts, one per module of tasks/lib/container/.
import { upstreamFile } from '../../lab/upstream.ts';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import YAML from 'yaml';
import { parseMount, parsePort } from '../../tasks/lib/container/spec.ts';
import { normalizeInspect } from '../../tasks/lib/container/inspect.ts';
import { createArgv } from '../../tasks/lib/container/argv.ts';
import { externalLabels, flagValue, hostPathOf, hostUrl, setFlag, tsdbPath, withDatasourceUrl, withExternalLabels } from '../../tasks/lib/prometheus.ts';
import { sidecarView, startAllOptions, templateOf, wantedPrometheusArgs } from '../../tasks/prepare-prometheus.ts';
import { querySpec, storeEndpoints, storeFlag, thanosVersion } from '../../tasks/run-query.ts';
import { runSidecar, sidecarSpec } from '../../tasks/run-sidecar.ts';
import { planDatasourceEdits } from '../../tasks/patch-datasource.ts';
import { thanosProblems } from '../../tasks/verify-thanos.ts';
import { TaskFailure, type TaskContext } from '../../src/engine/task-type.ts';
import { loadInventory } from '../../src/inventory/load.ts';
import { hostVars } from '../../src/inventory/vars.ts';
import { aprom, dockerAprom } from './container-fixtures.ts';

const throwsFailure = (fn: () => unknown, re: RegExp) => {
  try {
    fn();
  } catch (e) {
    assert.instance(e, TaskFailure);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable('expected a TaskFailure');
};

// ---------------------------------------------------------------------------------------------
// Prometheus flags and paths

test('flags: both forms read; setFlag replaces any form once, keeps the place', () => {
  assert.is(flagValue(['--a=1'], 'a'), '1');
  assert.is(flagValue(['--a', '2'], 'a'), '2');
  assert.is(flagValue(['--a', '--b'], 'a'), true);
  assert.is(flagValue(['--b'], 'a'), undefined);
  assert.equal(setFlag(['--x', '--a', '1', '--y'], 'a', '2'), ['--x', '--a=2', '--y']);
  assert.equal(setFlag(['--a=1', '--a=3'], 'a', '2'), ['--a=2']);
  assert.equal(setFlag(['--x'], 'web.enable-lifecycle'), ['--x', '--web.enable-lifecycle']);
  assert.is(tsdbPath(['--storage.tsdb.path', '/data']), '/data');
  // start-all.sh replaces the image's CMD: Prometheus' own default data/ under the working directory
  assert.is(tsdbPath([]), '/prometheus/data');
  assert.is(tsdbPath([], '/srv/p'), '/srv/p/data');
  assert.is(tsdbPath(['--storage.tsdb.path=tsdb/'], '/prometheus'), '/prometheus/tsdb');
  assert.is(tsdbPath(['--storage.tsdb.path=/prometheus'], '/x'), '/prometheus');
});

test('paths and URLs from a container: covering bind mount, host network vs published port', () => {
  const m = [parseMount('/srv/p:/prometheus'), parseMount('/srv/cfg:/etc/prometheus')];
  assert.equal(hostPathOf(m, '/prometheus').hostPath, '/srv/p');
  assert.equal(hostPathOf(m, '/prometheus/wal/').hostPath, '/srv/p/wal');
  assert.equal(hostPathOf(m, '/etc/prometheus/prometheus.yml').hostPath, '/srv/cfg/prometheus.yml');
  assert.equal(hostPathOf(m, '/prom'), {});
  assert.is(hostUrl(aprom()), 'http://127.0.0.1:9090');
  assert.is(hostUrl(normalizeInspect(dockerAprom)), 'http://127.0.0.1:9090');
  const f = { ...normalizeInspect(dockerAprom), ports: [parsePort('10.0.0.5:19090:9090')] };
  assert.is(hostUrl(f), 'http://10.0.0.5:19090');
  assert.is(hostUrl({ ...f, ports: [] }), undefined);
});

// ---------------------------------------------------------------------------------------------
// prepare-prometheus (pure parts; the plan itself runs against the lab)

test('prepare-prometheus: lifecycle flag added once; block durations for uploads; nothing when present', () => {
  assert.equal(wantedPrometheusArgs(['--config.file=/c'], { disable_compaction: false, block_duration: '2h' }), ['--config.file=/c', '--web.enable-lifecycle']);
  const startAll = ['--web.enable-lifecycle', '--enable-feature=promql-experimental-functions', '--config.file=/etc/prometheus/prometheus.yml'];
  assert.equal(wantedPrometheusArgs(startAll, { disable_compaction: false, block_duration: '2h' }), startAll);
  assert.equal(wantedPrometheusArgs(startAll, { disable_compaction: true, block_duration: '2h' }), [...startAll, '--storage.tsdb.min-block-duration=2h', '--storage.tsdb.max-block-duration=2h']);
  assert.equal(wantedPrometheusArgs(['--web.enable-lifecycle=true', '--storage.tsdb.min-block-duration=2h', '--storage.tsdb.max-block-duration=2h'], { disable_compaction: true, block_duration: '2h' }), [
    '--web.enable-lifecycle=true',
    '--storage.tsdb.min-block-duration=2h',
    '--storage.tsdb.max-block-duration=2h',
  ]);
});

test('prepare-prometheus: the start-all.sh options that keep the result (what start-all.sh passes itself is left out)', () => {
  const startAll = ['--web.enable-lifecycle', '--enable-feature=promql-experimental-functions', '--config.file=/etc/prometheus/prometheus.yml'];
  assert.is(startAllOptions('/srv/d', startAll, 'monitor-net'), '-d /srv/d');
  assert.is(startAllOptions('/srv/d', [...startAll, '--storage.tsdb.min-block-duration=2h'], 'host'), '-d /srv/d -l -b --storage.tsdb.min-block-duration=2h');
});

test('prepare-prometheus: the template start-all.sh regenerates prometheus.yml from', () => {
  assert.is(templateOf('/opt/sm/prometheus/build/prometheus.yml'), '/opt/sm/prometheus/prometheus.yml.template');
  assert.is(templateOf('/opt/sm/prometheus/build/stack/2/prometheus.yml'), '/opt/sm/prometheus/prometheus.yml.template');
  assert.is(templateOf('/etc/prometheus/prometheus.yml'), undefined);
});

test('prepare-prometheus: the sidecar joins a user-defined network and reaches Prometheus by name, or localhost on the host network', () => {
  const f = normalizeInspect(dockerAprom);
  assert.equal(sidecarView({ ...f, network: 'monitor-net' }), { network: 'monitor-net', prometheus_url: 'http://aprom:9090' });
  assert.equal(sidecarView({ ...f, network: 'host' }), { network: 'host', prometheus_url: 'http://127.0.0.1:9090' });
  assert.is(sidecarView({ ...f, network: 'bridge' }), undefined, 'the default bridge has no names: the inventory says how');
});

// ---------------------------------------------------------------------------------------------
// YAML edits

const PROM_YML = `# Scylla Monitoring prometheus.yml
global:
  scrape_interval: 20s # By default, scrape targets every 20 seconds.
  scrape_timeout: 15s
  external_labels:
    monitor: 'scylla-monitor'

scrape_configs:
- job_name: scylla
  honor_labels: false
  file_sd_configs:
    - files:
      - /etc/scylla.d/prometheus/scylla_servers.yml
`;

test('external labels: added under global, comments/quoting/layout kept, idempotent', () => {
  const out = withExternalLabels(PROM_YML, { prometheus: 'prom1' });
  assert.is(out, PROM_YML.replace("    monitor: 'scylla-monitor'\n", "    monitor: 'scylla-monitor'\n    prometheus: prom1\n"));
  assert.is(withExternalLabels(out, { prometheus: 'prom1' }), out);
  assert.equal(externalLabels(out), { monitor: 'scylla-monitor', prometheus: 'prom1' });
  const changed = withExternalLabels(out, { prometheus: 'prom2' });
  assert.equal(externalLabels(changed), { monitor: 'scylla-monitor', prometheus: 'prom2' });
  // the lab's file: no external_labels yet, indented sequences
  const lab = "global:\n  scrape_interval: 5s\n  evaluation_interval: 5s\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ['localhost:9090']\n";
  assert.is(withExternalLabels(lab, { prometheus: 'prom1' }), lab.replace('evaluation_interval: 5s\n', 'evaluation_interval: 5s\n  external_labels:\n    prometheus: prom1\n'));
  // no global at all
  assert.equal(externalLabels(withExternalLabels('scrape_configs: []\n', { a: 'b' })), { a: 'b' });
});

test('external labels: a changed value keeps its quoting; flow maps and empty global go through the Document API', () => {
  const q = "global:\n  external_labels:\n    prometheus: \"old\"\n    dc: dc1\n";
  assert.is(withExternalLabels(q, { prometheus: 'prom1' }), "global:\n  external_labels:\n    prometheus: \"prom1\"\n    dc: dc1\n");
  const flow = 'global: {scrape_interval: 5s, external_labels: {dc: dc1}}\n';
  assert.equal(externalLabels(withExternalLabels(flow, { prometheus: 'p' })), { dc: 'dc1', prometheus: 'p' });
  const empty = 'global:\nscrape_configs: []\n';
  const e = withExternalLabels(empty, { prometheus: 'p' });
  assert.equal(YAML.parse(e), { global: { external_labels: { prometheus: 'p' } }, scrape_configs: [] });
  // values that YAML would read as something else stay strings
  assert.equal(externalLabels(withExternalLabels('global:\n  scrape_interval: 5s\n', { replica: '1', flag: 'yes' })), { replica: '1', flag: 'yes' });
  assert.match(withExternalLabels('global:\n  scrape_interval: 5s\n', { replica: '1' }), `replica: "1"`);
  throwsFailure(() => withExternalLabels('- a\n', { a: 'b' }), /map at the top/);
  throwsFailure(() => withExternalLabels('global: [1]\n', { a: 'b' }), /global is not a map/);
});

// Scylla Monitoring's own grafana/datasource.yml, read from the release in ../shared/upstream
const DATASOURCE_TEMPLATE = await upstreamFile('grafana/datasource.yml');

test('datasource url: only that value changes, placeholders of the others kept, idempotent', () => {
  const out = withDatasourceUrl(DATASOURCE_TEMPLATE, 'prometheus', 'http://10.213.0.10:10904')!;
  assert.is(out, DATASOURCE_TEMPLATE.replace('url: http://DB_ADDRESS', 'url: http://10.213.0.10:10904'));
  assert.is(withDatasourceUrl(out, 'prometheus', 'http://10.213.0.10:10904'), out);
  assert.is(withDatasourceUrl(out, 'prometheus', 'http://DB_ADDRESS'), DATASOURCE_TEMPLATE);
  assert.is(withDatasourceUrl(DATASOURCE_TEMPLATE, 'nope', 'http://x'), undefined);
  // quoted urls stay quoted
  const q = DATASOURCE_TEMPLATE.replace('url: http://DB_ADDRESS', 'url: "http://DB_ADDRESS"');
  assert.ok(withDatasourceUrl(q, 'prometheus', 'http://a:1')!.includes('url: "http://a:1"'));
});

test('patch-datasource: template and generated files, template_url for the template', () => {
  const gen = DATASOURCE_TEMPLATE.replace('DB_ADDRESS', '10.213.0.10:9090').replace('AM_ADDRESS', '10.213.0.10:9093');
  const files = [
    { path: '/s/grafana/datasource.yml', content: DATASOURCE_TEMPLATE },
    { path: '/s/grafana/provisioning/datasources/datasource.yaml', content: gen },
    { path: '/s/grafana/provisioning/datasources/other.yml', content: 'apiVersion: 1\ndatasources:\n- name: loki\n  url: http://loki\n' },
  ];
  const edits = planDatasourceEdits(files, '/s/grafana/datasource.yml', { name: 'prometheus', url: 'http://10.213.0.10:10904' });
  assert.equal(edits.map((e) => e.path), ['/s/grafana/datasource.yml', '/s/grafana/provisioning/datasources/datasource.yaml']);
  assert.ok(edits[0].after.includes('url: http://10.213.0.10:10904'));
  assert.ok(edits[1].after.includes('url: http://10.213.0.10:9093'), 'alertmanager untouched');
  // rollback: template back to the placeholder
  const back = planDatasourceEdits(edits.map((e) => ({ path: e.path, content: e.after })), '/s/grafana/datasource.yml', { name: 'prometheus', url: 'http://10.213.0.10:9090', template_url: 'http://DB_ADDRESS' });
  assert.is(back[0].after, DATASOURCE_TEMPLATE);
  assert.is(back[1].after, gen);
  throwsFailure(() => planDatasourceEdits([{ path: '/s/grafana/datasource.yml' }], '/s/grafana/datasource.yml', { name: 'prometheus', url: 'http://x' }), /missing/);
  throwsFailure(() => planDatasourceEdits([files[0]], '/s/grafana/datasource.yml', { name: 'prometheus', url: 'http://x' }), /provisioning/);
});

// ---------------------------------------------------------------------------------------------
// query and sidecar

function invCtx(): Pick<TaskContext, 'inventory' | 'hostvars'> {
  const d = mkdtempSync(join(tmpdir(), 'skiff-inv-'));
  writeFileSync(
    join(d, 'hosts.yml'),
    `all:\n  children:\n    prometheus:\n      children:\n        dc2: {hosts: {prom-b: {address: 10.0.2.1}, prom-c: {sidecar_grpc_port: 20911}}}\n        dc1: {hosts: {prom-a: {address: 10.0.1.1}}}\n    monitoring:\n      hosts: {mon: {address: 10.0.0.1}}\n`,
  );
  const inventory = loadInventory(d).inventory!;
  const hostvars = Object.fromEntries(inventory.hosts.map((h) => [h, hostVars(inventory, h).vars]));
  return { inventory, hostvars };
}

test('query endpoints: every host of the group (children too), address var or name, sorted', () => {
  const ctx = invCtx();
  assert.equal(storeEndpoints(ctx, 'prometheus', 10911), ['10.0.1.1:10911', '10.0.2.1:10911', 'prom-c:20911']);
  throwsFailure(() => storeEndpoints(ctx, 'nope', 10911), /not a group/);
});

test('thanos version -> --endpoint (>= 0.24) or --store', () => {
  assert.equal(thanosVersion('quay.io/thanos/thanos:v0.39.2'), [0, 39, 2]);
  assert.equal(thanosVersion('localhost/thanos-standin:lab', '0.22.0'), [0, 22, 0]);
  assert.is(thanosVersion('localhost/thanos-standin:lab'), undefined);
  assert.is(storeFlag([0, 23, 0]), '--store');
  assert.is(storeFlag([0, 24, 0]), '--endpoint');
  assert.is(storeFlag([1, 0, 0]), '--endpoint');
  assert.is(storeFlag(undefined), '--endpoint');
  const base = { name: 'thanos-query', engine: 'podman' as const, stores_group: 'prometheus', store_port: 10911, replica_label: 'prometheus', http_port: 10904, grpc_port: 10903, extra_args: [], stop_timeout: 30, ready_timeout: 60 };
  const eps = ['10.0.1.1:10911', '10.0.2.1:10911'];
  const q = querySpec({ ...base, image: 'quay.io/thanos/thanos:v0.39.2' }, eps);
  assert.equal(q.args, ['query', '--http-address=0.0.0.0:10904', '--grpc-address=0.0.0.0:10903', '--query.replica-label=prometheus', '--endpoint=10.0.1.1:10911', '--endpoint=10.0.2.1:10911']);
  assert.equal(querySpec({ ...base, image: 'quay.io/thanos/thanos:v0.22.0' }, eps).args.slice(4), ['--store=10.0.1.1:10911', '--store=10.0.2.1:10911']);
  assert.equal(q.ports.map((p) => `${p.hostPort}:${p.containerPort}`), ['10903:10903', '10904:10904']);
});

const sidecarParams = {
  name: 'sidecar',
  engine: 'docker' as const,
  image: 'quay.io/thanos/thanos:v0.39.2',
  data_dir: '/srv/prometheus/data',
  tsdb_path: '/prometheus',
  prometheus_url: 'http://10.0.0.5:9090',
  user: '65534:65534',
  userns: '' as const,
  grpc_port: 10911,
  http_port: 10912,
  objstore_file: '/etc/thanos/objstore.yml',
  extra_args: [],
  stop_timeout: 30,
  ready_timeout: 60,
};

test('sidecar: args, --user 65534, data mount, ports before the image; objstore adds file + bucket mounts', () => {
  const s = sidecarSpec(sidecarParams);
  assert.equal(s.args, ['sidecar', '--tsdb.path=/prometheus', '--prometheus.url=http://10.0.0.5:9090', '--grpc-address=0.0.0.0:10911', '--http-address=0.0.0.0:10912']);
  const a = createArgv('docker', s);
  assert.equal(a.slice(a.indexOf('--user'), a.indexOf('--user') + 2), ['--user', '65534:65534']);
  assert.ok(a.lastIndexOf('-p') < a.indexOf('quay.io/thanos/thanos:v0.39.2'));
  assert.not.ok(a.some((x) => x.startsWith('--userns')), 'no --userns unless aprom has one');
  // next to a rootless Podman aprom (start-all.sh: -u UID:GID --userns=keep-id): the same user namespace
  const k = createArgv('podman', sidecarSpec({ ...sidecarParams, user: '2000:2000', userns: 'keep-id' }));
  assert.ok(k.includes('--userns=keep-id') && k.indexOf('--userns=keep-id') < k.indexOf('quay.io/thanos/thanos:v0.39.2'), k.join(' '));
  const o = sidecarSpec({ ...sidecarParams, objstore: { type: 'FILESYSTEM', config: { directory: '/srv/thanos-bucket' } } });
  assert.ok(o.args.includes('--objstore.config-file=/etc/thanos/objstore.yml'));
  assert.equal(o.mounts.map((m) => `${m.source}:${m.target}${m.ro ? ':ro' : ''}`), ['/srv/prometheus/data:/prometheus', '/etc/thanos/objstore.yml:/etc/thanos/objstore.yml:ro', '/srv/thanos-bucket:/srv/thanos-bucket']);
});

test('sidecar plan: objstore content never in the diff; 0600 file, then the container', async () => {
  const secret = 's3cr3t-key-value';
  const calls: string[] = [];
  const conn = {
    host: 'h',
    async exec(cmd: string) {
      calls.push(cmd);
      if (cmd.includes("-f '{{.State.Status}}' 'sidecar1'")) return { code: 1, stdout: '', stderr: 'no such container' };
      if (cmd.includes('container inspect')) return { code: 0, stdout: '[]\n--skiff-sep--\n[]\n--skiff-sep--\npresent\n--skiff-sep--\n', stderr: '' };
      return { code: 0, stdout: 'missing\n', stderr: '' };
    },
    async close() {},
  };
  const ctx = { host: 'h', conn, vars: {}, hostvars: {}, check: true, secrets: [] } as unknown as TaskContext;
  const p = v.parse(runSidecar.schema, { ...sidecarParams, objstore: { type: 'S3', config: { bucket: 'b', secret_key: secret } } });
  const plan = await runSidecar.plan(ctx, p);
  assert.equal(plan.changes, ['create /etc/thanos/objstore.yml (mode 0600, owner 65534)', 'create container sidecar']);
  assert.match(plan.diff!, /\(secret content hidden\)/);
  assert.ok(calls.some((c) => c.includes("'sidecar1'")), "Scylla's own sidecar1 is looked for");
  assert.not.match(plan.diff!, secret);
  assert.not.ok(calls.some((c) => c.includes(secret)), 'the plan sends no secret anywhere');
  assert.equal(YAML.parse((plan.state as { objstore: { content: string } }).objstore.content).config.secret_key, secret);
  // uploads off again: the old file (credentials) goes
  const conn2 = { ...conn, async exec(cmd: string) { return cmd.includes('container inspect') ? conn.exec(cmd) : { code: 0, stdout: 'regular file|600|65534|65534|nobody|nogroup\n', stderr: '' }; } };
  const off = await runSidecar.plan({ ...ctx, conn: conn2 } as TaskContext, v.parse(runSidecar.schema, { ...sidecarParams, objstore: null }));
  assert.equal(off.changes, ['remove /etc/thanos/objstore.yml (no objstore: uploads off)', 'create container sidecar']);
});

// ---------------------------------------------------------------------------------------------
// verify

test('verify-thanos: names missing stores, failing stores and missing replicas', () => {
  const stores = { status: 'success', data: { sidecar: [{ name: '10.0.0.1:10911', lastError: null }, { name: '10.0.0.2:10911', lastError: 'connection refused' }] } };
  const up = { data: { result: [{ metric: { __name__: 'up', prometheus: 'prom1' } }, { metric: { prometheus: 'prom1' } }] } };
  assert.equal(thanosProblems(stores, up, ['10.0.0.1:10911', '10.0.0.2:10911', '10.0.0.3:10911'], ['prom1', 'prom2'], 'prometheus'), {
    missingStores: ['10.0.0.3:10911'],
    failing: ['10.0.0.2:10911 (connection refused)'],
    missingReplicas: ['prom2'],
    seen: ['prom1'],
  });
  const ok = thanosProblems({ data: { sidecar: [{ name: 'a:1', lastError: null }] } }, { data: { result: [{ metric: { prometheus: 'p' } }] } }, ['a:1'], ['p'], 'prometheus');
  assert.equal([ok.missingStores, ok.failing, ok.missingReplicas], [[], [], []]);
});

test.run();
