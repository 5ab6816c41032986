// Pure plan/compare tests for the container helper and the Thanos tasks: data in -> changes out.
// The recreate script itself runs against a fake `podman` (a shell script keeping state in files).
import { upstreamFile } from '../lab/upstream.ts';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as v from 'valibot';
import YAML from 'yaml';
import {
  PinnedImage,
  compareContainer,
  createArgv,
  inspectScript,
  normalizeInspect,
  parseInspectOutput,
  parseMount,
  parsePort,
  planWanted,
  recreateScript,
  specFromFacts,
  imageDefaults,
  type ContainerFacts,
  type ContainerSpec,
} from '../../tasks/lib/container.ts';
import { externalLabels, flagValue, hostPathOf, hostUrl, setFlag, tsdbPath, withDatasourceUrl, withExternalLabels } from '../../tasks/lib/prometheus.ts';
import { sidecarView, startAllOptions, templateOf, wantedPrometheusArgs } from '../../tasks/prepare-prometheus.ts';
import { querySpec, storeEndpoints, storeFlag, thanosVersion } from '../../tasks/run-query.ts';
import { runSidecar, sidecarSpec } from '../../tasks/run-sidecar.ts';
import { planDatasourceEdits } from '../../tasks/patch-datasource.ts';
import { thanosProblems } from '../../tasks/verify-thanos.ts';
import { TaskFailure, type TaskContext } from '../../src/engine/task-type.ts';
import { loadInventory } from '../../src/inventory/load.ts';
import { hostVars } from '../../src/inventory/vars.ts';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => JSON.parse(readFileSync(join(here, 'fixtures', name), 'utf8')) as unknown[];
// captured from the lab: `podman container inspect aprom` (podman 4.3.1), and a container created with
// bridge networking, ports, a named volume, a read-only :z bind, env, label, restart policy, extra host
const podmanAprom = fixture('podman-inspect-aprom.json');
const podmanBridge = fixture('podman-inspect-bridge.json');
// written from docker's documented inspect format: Scylla Monitoring's aprom on docker (bridge,
// -p 9090:9090, :Z binds, the official image's anonymous VOLUME /prometheus)
const dockerAprom = fixture('docker-inspect-aprom.json');

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
// inspect normalization

test('podman inspect (lab aprom): name, image, args without entrypoint, host network, bind mount', () => {
  const f = normalizeInspect(podmanAprom);
  assert.is(f.format, 'podman');
  assert.is(f.name, 'aprom');
  assert.is(f.image, 'localhost/prometheus:lab');
  assert.equal(f.args, ['--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/prometheus', '--web.listen-address=0.0.0.0:9090']);
  assert.is(f.network, 'host');
  assert.is(f.user, '65534:65534');
  assert.is(f.restart, 'no');
  assert.equal(f.labels, {});
  assert.is(f.running, true);
  assert.equal(f.ports, []);
  assert.equal(f.mounts.map((m) => [m.kind, m.source, m.target, m.ro]), [['bind', '/srv/prometheus/prometheus.yml', '/etc/prometheus/prometheus.yml', false]]);
  assert.is(f.env.container, 'podman');
});

test('podman inspect (bridge): ports with host ip and udp, named volume, ro bind with z, labels, restart, extra hosts', () => {
  const f = normalizeInspect(podmanBridge);
  assert.is(f.name, 'skiff-fixture');
  assert.is(f.network, 'bridge');
  assert.equal(f.ports.map((p) => `${p.hostIp}|${p.hostPort}|${p.containerPort}|${p.proto}`), ['127.0.0.1|19090|9090|tcp', '|19091|9091|udp']);
  const vol = f.mounts.find((m) => m.target === '/data')!;
  assert.equal([vol.kind, vol.source, vol.ro], ['volume', 'skiffvol', false]);
  const bind = f.mounts.find((m) => m.target === '/x')!;
  assert.equal([bind.kind, bind.source, bind.ro, bind.options.includes('z')], ['bind', '/srv/prometheus', true, true]);
  assert.equal(f.labels, { a: 'b' });
  assert.is(f.env.FOO, 'bar');
  assert.is(f.restart, 'unless-stopped');
  assert.equal(f.extraHosts, ['foo:1.2.3.4']);
  assert.is(f.running, false);
  assert.is(f.status, 'created');
  assert.equal(f.args, ['--config.file=/x/prometheus.yml']);
});

test('podman 5 reports Entrypoint as an array: same args', () => {
  const j = structuredClone(podmanAprom) as Record<string, any>[];
  j[0].Config.Entrypoint = ['/bin/prometheus'];
  assert.equal(normalizeInspect(j).args, normalizeInspect(podmanAprom).args);
});

test('docker inspect: "/name", Config.Image, default network = bridge, ports, anonymous volume, Z binds', () => {
  const f = normalizeInspect(dockerAprom);
  assert.is(f.format, 'docker');
  assert.is(f.name, 'aprom');
  assert.is(f.image, 'prom/prometheus:v2.54.1');
  assert.is(f.network, 'bridge');
  assert.is(f.user, 'nobody');
  assert.is(f.restart, 'unless-stopped');
  assert.equal(f.extraHosts, []);
  assert.equal(f.ports, [{ hostIp: '', hostPort: '9090', containerPort: '9090', proto: 'tcp' }]);
  assert.equal(f.args, ['--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/prometheus', '--web.listen-address=0.0.0.0:9090']);
  const anon = f.mounts.find((m) => m.target === '/prometheus')!;
  assert.is(anon.kind, 'anonymous');
  const rules = f.mounts.find((m) => m.target === '/etc/prometheus/prom_rules')!;
  assert.equal([rules.kind, rules.options], ['bind', ['Z']]);
});

test('docker entrypoint + cmd: args are what followed the image', () => {
  const j = structuredClone(dockerAprom) as Record<string, any>[];
  j[0].Config.Entrypoint = ['/bin/thanos'];
  j[0].Path = '/bin/thanos';
  j[0].Args = ['sidecar', '--tsdb.path=/prometheus'];
  assert.equal(normalizeInspect(j).args, ['sidecar', '--tsdb.path=/prometheus']);
  // an image without entrypoint: the program itself is the first arg
  j[0].Config.Entrypoint = null;
  j[0].Path = 'sh';
  j[0].Args = ['-c', 'echo hi'];
  assert.equal(normalizeInspect(j).args, ['sh', '-c', 'echo hi']);
});

test('inspect output: missing container, image defaults, wanted image, leftovers', () => {
  const none = parseInspectOutput('[]\n--skiff-sep--\n[]\n--skiff-sep--\nmissing\n--skiff-sep--\n');
  assert.is(none.facts, undefined);
  assert.is(none.wantedImagePresent, false);
  const img = [{ Config: { Env: ['PATH=/bin', 'container=podman'], Labels: { maintainer: 'x' } } }];
  const some = parseInspectOutput(`${JSON.stringify(podmanAprom)}\n--skiff-sep--\n${JSON.stringify(img)}\n--skiff-sep--\npresent\n--skiff-sep--\naprom-skiff-old\n`);
  assert.is(some.facts!.name, 'aprom');
  assert.equal(some.image, { env: { PATH: '/bin', container: 'podman' }, labels: { maintainer: 'x' } });
  assert.is(some.wantedImagePresent, true);
  assert.equal(some.leftovers, ['aprom-skiff-old']);
  // the script quotes every name it is given
  assert.match(inspectScript('podman', "a'b", 'img:1'), `'a'\\''b'`);
});

// ---------------------------------------------------------------------------------------------
// compare

const aprom = () => normalizeInspect(podmanAprom);
const same = (f: ContainerFacts): ContainerSpec => specFromFacts(f, { env: f.env, labels: f.labels });

test('compare: a container equals its own spec (no recreate when nothing differs)', () => {
  assert.equal(compareContainer(same(aprom()), aprom()), []);
  const d = normalizeInspect(dockerAprom);
  assert.equal(compareContainer(same(d), d), []);
});

test('compare: names each difference', () => {
  const f = aprom();
  const w = same(f);
  w.args = [...w.args, '--web.enable-lifecycle'];
  w.mounts = [...w.mounts, parseMount('/srv/prometheus/data:/prometheus:z')];
  w.image = 'localhost/prometheus:lab2';
  w.user = '0';
  assert.equal(compareContainer(w, f), [
    'image: localhost/prometheus:lab -> localhost/prometheus:lab2',
    'args: + --web.enable-lifecycle',
    'mounts: + /srv/prometheus/data:/prometheus',
    'user: 65534:65534 -> 0',
  ]);
  const w2 = same(f);
  w2.args = [...w2.args].reverse();
  assert.match(compareContainer(w2, f)[0], /^args: order /);
  const w3 = same(f);
  w3.args = w3.args.filter((a) => !a.startsWith('--web.listen'));
  assert.equal(compareContainer(w3, f), ['args: - --web.listen-address=0.0.0.0:9090']);
});

test('compare: only env keys and labels skiff sets; image ones are ignored', () => {
  const f = normalizeInspect(podmanBridge);
  const w: ContainerSpec = { ...same(f), env: { FOO: 'bar' }, labels: { a: 'b' } };
  assert.equal(compareContainer(w, f), []);
  assert.equal(compareContainer({ ...w, env: { FOO: 'baz', NEW: '1' } }, f), ['env: FOO changed', 'env: NEW added']);
  assert.equal(compareContainer({ ...w, labels: { a: 'c' } }, f), ['labels: a: b -> c']);
  // docker's image labels (maintainer, org.opencontainers...) are not compared unless asked for
  const d = normalizeInspect(dockerAprom);
  assert.equal(compareContainer({ ...same(d), labels: {} , env: {} }, d), []);
});

test('compare: host network publishes nothing (podman drops ports): ports not compared', () => {
  const f = aprom();
  assert.equal(compareContainer({ ...same(f), ports: [parsePort('10911:10911')], network: 'host' }, f), []);
  const d = normalizeInspect(dockerAprom);
  assert.equal(compareContainer({ ...same(d), ports: [parsePort('9091:9090')] }, d), ['ports: + 9091:9090', 'ports: - 9090:9090']);
  // docker's "default" network is the bridge
  assert.equal(compareContainer({ ...same(d), network: 'bridge' }, d), []);
  assert.equal(compareContainer({ ...same(d), network: 'host' }, d), ['network: bridge -> host']);
});

test('compare: images with and without docker.io/library, a mount that moved, ro', () => {
  const d = normalizeInspect(dockerAprom);
  assert.equal(compareContainer({ ...same(d), image: 'docker.io/prom/prometheus:v2.54.1' }, d), []);
  const w = same(d);
  w.mounts = w.mounts.map((m) => (m.target === '/etc/prometheus/prom_rules' ? { ...m, source: '/elsewhere', ro: true } : m));
  assert.equal(compareContainer(w, d), ['mounts: /opt/scylla-monitoring/prometheus/prom_rules:/etc/prometheus/prom_rules -> /elsewhere:/etc/prometheus/prom_rules:ro']);
  // the image's anonymous volume is not "a mount skiff removes" ...
  assert.not.ok(compareContainer(same(d), d).some((c) => c.includes('/prometheus')));
  // ... but a bind wanted on its target replaces it
  const w2 = same(d);
  w2.mounts.push(parseMount('/data:/prometheus:z'));
  assert.equal(compareContainer(w2, d), [`mounts: ${d.mounts.find((m) => m.target === '/prometheus')!.source}:/prometheus -> /data:/prometheus`]);
});

test('planWanted: create / recreate / start / nothing; pull named when the image is missing', () => {
  const f = aprom();
  const spec = same(f);
  assert.equal(planWanted('podman', spec, { leftovers: [], wantedImagePresent: false }).changes, ['pull localhost/prometheus:lab', 'create container aprom']);
  assert.equal(planWanted('podman', spec, { leftovers: [], facts: f, image: { env: f.env, labels: {} } }), { changes: [], action: 'none' });
  const stopped = { ...f, running: false, status: 'exited' };
  assert.equal(planWanted('podman', spec, { leftovers: [], facts: stopped }).action, 'start');
  const r = planWanted('podman', { ...spec, args: [...spec.args, '--web.enable-lifecycle'] }, { leftovers: [], facts: f, image: { env: f.env, labels: {} } });
  assert.is(r.action, 'recreate');
  assert.equal(r.changes, ['recreate container aprom: args: + --web.enable-lifecycle']);
  assert.match(r.diff!, /\+.*--web\.enable-lifecycle/);
});

// ---------------------------------------------------------------------------------------------
// args building

test('createArgv: ports before the image, none with host network, every value one argv element', () => {
  const spec: ContainerSpec = {
    name: 'sidecar',
    image: 'quay.io/thanos/thanos:v0.39.2',
    args: ['sidecar', "--prometheus.url=http://x:9090/'; rm -rf /"],
    env: { A: 'b c' },
    labels: { l: '1' },
    mounts: [parseMount('/srv/prometheus/data:/prometheus:z')],
    ports: [parsePort('10911:10911'), parsePort('10912:10912')],
    network: 'bridge',
    user: '65534:65534',
    restart: 'unless-stopped',
  };
  const a = createArgv('docker', spec, 'sidecar-skiff-new');
  assert.equal(a, [
    'docker', 'create', '--name', 'sidecar-skiff-new', '--user', '65534:65534', '--network', 'bridge', '--restart', 'unless-stopped',
    '-e', 'A=b c', '--label', 'l=1', '-v', '/srv/prometheus/data:/prometheus:z', '-p', '10911:10911', '-p', '10912:10912',
    'quay.io/thanos/thanos:v0.39.2', 'sidecar', "--prometheus.url=http://x:9090/'; rm -rf /",
  ]);
  assert.ok(a.indexOf('-p') < a.indexOf(spec.image), 'ports before the image');
  assert.not.ok(createArgv('podman', { ...spec, network: 'host' }).includes('-p'));
  // the script quotes them: sh reads back exactly the same words
  const script = recreateScript({ engine: 'docker', spec, exists: false, stopTimeout: 30, readyTimeout: 5 });
  const line = script.split('\n').find((l) => l.includes("'create'"))!;
  const cmd = line.slice(line.indexOf("'docker'"), line.indexOf(' >/dev/null'));
  const echoed = spawnSync('sh', ['-c', `for a in ${cmd}; do printf '%s\\n' "$a"; done`], { encoding: 'utf8' }).stdout.trim().split('\n');
  assert.equal(echoed, a);
});

test('mount and port parsing', () => {
  assert.equal(parseMount('/a/b/:/c:ro,z'), { source: '/a/b/', target: '/c', ro: true, options: ['z'], kind: 'bind' });
  assert.is(parseMount('vol:/c').kind, 'volume');
  assert.throws(() => parseMount('/a'));
  assert.throws(() => parseMount('/a:rel'));
  assert.equal(parsePort('127.0.0.1:1:2/udp'), { hostIp: '127.0.0.1', hostPort: '1', containerPort: '2', proto: 'udp' });
  assert.throws(() => parsePort('9090'), /HOST_PORT/);
});

test('PinnedImage: refuses :latest and untagged images; a registry port is not a tag', () => {
  const ok = (s: string) => v.safeParse(PinnedImage, s).success;
  assert.ok(ok('quay.io/thanos/thanos:v0.39.2'));
  assert.ok(ok('localhost/thanos-standin:lab'));
  assert.ok(ok('localhost:5000/thanos:v1'));
  assert.ok(ok('quay.io/thanos/thanos@sha256:' + 'a'.repeat(64)));
  assert.not.ok(ok('quay.io/thanos/thanos:latest'));
  assert.not.ok(ok('quay.io/thanos/thanos'));
  assert.not.ok(ok('localhost:5000/thanos'));
});

// ---------------------------------------------------------------------------------------------
// the recreate script, against a fake podman

const FAKE_PODMAN = `#!/bin/sh
# fake podman: containers are files $FAKE/c/<name> holding "<id> <status>"; images $FAKE/i/<ref>
echo "$*" >> "$FAKE/log"
st() { cat "$FAKE/c/$1" 2>/dev/null; }
img() { echo "$1" | tr '/:' '__'; }
cmd=$1; shift
case "$cmd" in
container)
  sub=$1; shift
  if [ "$1" = -f ]; then f=$2; shift 2; s=$(st "$1") || exit 125; [ -n "$s" ] || exit 125
    case "$f" in *Running*) [ "\${s#* }" = running ] && echo true || echo false;; *) echo sha256:img;; esac; exit 0; fi
  s=$(st "$1"); [ -n "$s" ] || { echo "Error: no container with name or ID \\"$1\\" found: no such container" >&2; exit 125; }
  echo "[{\\"Id\\":\\"\${s%% *}\\"}]";;
image) [ -e "$FAKE/i/$(img "$2")" ] || exit 125;;
pull) [ -n "$FAIL_PULL" ] && { echo "pull failed" >&2; exit 125; }; touch "$FAKE/i/$(img "$1")";;
create)
  [ -n "$FAIL_CREATE" ] && { echo "create failed" >&2; exit 125; }
  [ "$1" = --name ] || exit 2; [ -e "$FAKE/c/$2" ] && { echo "name in use" >&2; exit 125; }
  echo "new$$ created" > "$FAKE/c/$2";;
stop) [ "$1" = -t ] && shift 2; s=$(st "$1") || exit 125; echo "\${s%% *} exited" > "$FAKE/c/$1";;
start)
  s=$(st "$1") || exit 125; id=\${s%% *}
  case "$id" in new*) [ -n "$FAIL_START" ] && { echo "start failed" >&2; exit 125; }; [ -n "$DIES" ] && { echo "$id exited" > "$FAKE/c/$1"; exit 0; };; esac
  echo "$id running" > "$FAKE/c/$1";;
rename) [ -e "$FAKE/c/$2" ] && exit 125; mv "$FAKE/c/$1" "$FAKE/c/$2";;
rm) [ "$1" = -f ] && shift; rm -f "$FAKE/c/$1";;
logs) echo "level=error msg=\\"fake failure\\"";;
cp) [ -n "$FAIL_CP" ] && exit 1; mkdir -p "$2" && echo data > "$2/chunk";;
*) echo "fake podman: $cmd?" >&2; exit 2;;
esac
`;

function fakeHost(containers: Record<string, string>, images: string[] = ['localhost/prometheus:lab']) {
  const d = mkdtempSync(join(tmpdir(), 'skiff-fake-podman-'));
  mkdirSync(join(d, 'bin'));
  mkdirSync(join(d, 'c'));
  mkdirSync(join(d, 'i'));
  writeFileSync(join(d, 'bin', 'podman'), FAKE_PODMAN);
  chmodSync(join(d, 'bin', 'podman'), 0o755);
  writeFileSync(join(d, 'bin', 'curl'), '#!/bin/sh\nprintf "${CURL_CODE:-200}"\n');
  chmodSync(join(d, 'bin', 'curl'), 0o755);
  writeFileSync(join(d, 'log'), '');
  for (const [n, s] of Object.entries(containers)) writeFileSync(join(d, 'c', n), s + '\n');
  for (const i of images) writeFileSync(join(d, 'i', i.replace(/[/:]/g, '_')), '');
  const run = (script: string, env: Record<string, string> = {}) =>
    spawnSync('sh', ['-c', script], { encoding: 'utf8', env: { ...process.env, PATH: `${join(d, 'bin')}:${process.env.PATH}`, FAKE: d, ...env }, timeout: 60_000 });
  const state = () => Object.fromEntries(readdirSync(join(d, 'c')).map((n) => [n, readFileSync(join(d, 'c', n), 'utf8').trim()]));
  const log = () => readFileSync(join(d, 'log'), 'utf8').trim().split('\n');
  return { dir: d, run, state, log };
}

const apromSpec = (): ContainerSpec => ({ ...same(aprom()), args: [...aprom().args, '--web.enable-lifecycle'] });

test('recreate: create new, stop old gracefully, swap names, start, remove old', () => {
  const h = fakeHost({ aprom: 'old1 running' });
  const r = h.run(recreateScript({ engine: 'podman', spec: apromSpec(), exists: true, stopTimeout: 30, readyUrl: 'http://127.0.0.1:9090/-/ready', readyTimeout: 3 }));
  assert.is(r.status, 0, r.stderr);
  assert.equal(Object.keys(h.state()), ['aprom']);
  assert.match(h.state().aprom, /^new\d+ running$/);
  const verbs = h.log().map((l) => l.split(' ').slice(0, 2).join(' ')).filter((l) => !l.startsWith('container inspect') && !l.startsWith('image'));
  assert.equal(verbs, ['rm -f', 'create --name', 'stop -t', 'rename aprom', 'rename aprom-skiff-new', 'start aprom', 'rm aprom-skiff-old']);
  assert.ok(h.log().includes('stop -t 30 aprom'));
});

test('recreate: start fails -> new removed, old renamed back and started, exit 16', () => {
  const h = fakeHost({ aprom: 'old1 running' });
  const r = h.run(recreateScript({ engine: 'podman', spec: apromSpec(), exists: true, stopTimeout: 30, readyTimeout: 3 }), { FAIL_START: '1' });
  assert.is(r.status, 16);
  assert.equal(h.state(), { aprom: 'old1 running' });
});

test('recreate: new container dies or never gets ready -> rolled back, logs shown', () => {
  const h = fakeHost({ aprom: 'old1 running' });
  const r = h.run(recreateScript({ engine: 'podman', spec: apromSpec(), exists: true, stopTimeout: 30, readyTimeout: 3 }), { DIES: '1' });
  assert.is(r.status, 16);
  assert.match(r.stderr, /fake failure/);
  assert.equal(h.state(), { aprom: 'old1 running' });
  const h2 = fakeHost({ aprom: 'old1 running' });
  const r2 = h2.run(recreateScript({ engine: 'podman', spec: apromSpec(), exists: true, stopTimeout: 30, readyUrl: 'http://127.0.0.1:9090/-/ready', readyTimeout: 2 }), { CURL_CODE: '503' });
  assert.is(r2.status, 16);
  assert.match(r2.stderr, /not ready at http:\/\/127\.0\.0\.1:9090\/-\/ready \(last answer: 503\)/);
  assert.equal(h2.state(), { aprom: 'old1 running' });
});

test('recreate: create or pull fails -> the old container is untouched (never stopped)', () => {
  const h = fakeHost({ aprom: 'old1 running' });
  const r = h.run(recreateScript({ engine: 'podman', spec: apromSpec(), exists: true, stopTimeout: 30, readyTimeout: 3 }), { FAIL_CREATE: '1' });
  assert.is(r.status, 12);
  assert.equal(h.state(), { aprom: 'old1 running' });
  assert.not.ok(h.log().some((l) => l.startsWith('stop')));
  const h2 = fakeHost({ aprom: 'old1 running' }, []);
  const r2 = h2.run(recreateScript({ engine: 'podman', spec: apromSpec(), exists: true, stopTimeout: 30, readyTimeout: 3 }), { FAIL_PULL: '1' });
  assert.is(r2.status, 11);
  assert.equal(h2.state(), { aprom: 'old1 running' });
  assert.ok(h2.log().includes('pull localhost/prometheus:lab'));
});

test('recreate: a leftover NAME-skiff-old stops everything (exit 10)', () => {
  const h = fakeHost({ aprom: 'old1 running', 'aprom-skiff-old': 'old0 exited' });
  const r = h.run(recreateScript({ engine: 'podman', spec: apromSpec(), exists: true, stopTimeout: 30, readyTimeout: 3 }));
  assert.is(r.status, 10);
  assert.equal(h.state(), { aprom: 'old1 running', 'aprom-skiff-old': 'old0 exited' });
});

test('recreate with a copy step (ensure-external-dir): copy fails -> old started again, copy set aside', () => {
  const h = fakeHost({ aprom: 'old1 running' });
  const data = join(h.dir, 'data');
  const script = recreateScript({
    engine: 'podman',
    spec: apromSpec(),
    exists: true,
    stopTimeout: 30,
    readyTimeout: 3,
    beforeCreate: `mkdir -p '${data}'`,
    afterStop: `podman cp aprom:/prometheus/. '${data}/'`,
    onRollback: `[ -n "$(ls -A '${data}')" ] && mv '${data}' '${data}.skiff-failed-x'`,
  });
  const ok = h.run(script);
  assert.is(ok.status, 0, ok.stderr);
  assert.ok(existsSync(join(data, 'chunk')));
  const h2 = fakeHost({ aprom: 'old1 running' });
  const data2 = join(h2.dir, 'data');
  const r = h2.run(script.replaceAll(data, data2), { FAIL_CP: '1' });
  assert.is(r.status, 14);
  assert.equal(h2.state(), { aprom: 'old1 running' });
  // start fails after a good copy: the copy is moved aside, never deleted
  const h3 = fakeHost({ aprom: 'old1 running' });
  const data3 = join(h3.dir, 'data');
  const r3 = h3.run(script.replaceAll(data, data3), { FAIL_START: '1' });
  assert.is(r3.status, 16);
  assert.equal(h3.state(), { aprom: 'old1 running' });
  assert.ok(existsSync(join(`${data3}.skiff-failed-x`, 'chunk')));
});

test('recreate without an old container: created under -skiff-new, renamed, started', () => {
  const h = fakeHost({});
  const r = h.run(recreateScript({ engine: 'podman', spec: { ...apromSpec(), name: 'sidecar' }, exists: false, stopTimeout: 30, readyTimeout: 3 }));
  assert.is(r.status, 0, r.stderr);
  assert.equal(Object.keys(h.state()), ['sidecar']);
  assert.match(h.state().sidecar, /running$/);
});

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

test('image defaults read from image inspect', () => {
  assert.equal(imageDefaults([{ Config: { Env: ['A=1'], Labels: null } }]), { env: { A: '1' }, labels: {} });
});

test.run();
