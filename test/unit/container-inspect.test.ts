// tasks/lib/container/inspect.ts: both engines' inspect JSON -> one shape of facts, and the output of
// the one-round-trip inspect script.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { imageDefaults, inspectScript, normalizeInspect, parseInspectOutput, unmodelled } from '../../tasks/lib/container/inspect.ts';
import { compareContainer, specFromFacts } from '../../tasks/lib/container/compare.ts';
import { createArgv } from '../../tasks/lib/container/argv.ts';
import { dockerAprom, podmanAprom, podmanBridge, podmanKeepId } from './container-fixtures.ts';

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

test('rootless podman --userns=keep-id (start-all.sh as a non-root operator): read from the id mappings, kept by a recreate', () => {
  const f = normalizeInspect(podmanKeepId);
  assert.is(f.userns, 'keep-id', 'UsernsMode says "private": only the mappings tell');
  assert.is(f.user, '2000:2000');
  assert.equal(unmodelled(podmanKeepId), [], 'keep-id is modelled: a recreate may proceed');
  const spec = specFromFacts(f, { env: {}, labels: {} });
  assert.ok(createArgv('podman', spec).includes('--userns=keep-id'), 'recreated with it');
  assert.equal(compareContainer(spec, f), []);
  assert.equal(compareContainer({ ...spec, userns: '' }, f), ['userns: keep-id -> (default)']);
  // without keep-id (no mappings) the default; other mappings cannot be recreated: named, refused
  assert.is(normalizeInspect(podmanAprom).userns, '');
  const other = structuredClone(podmanKeepId) as { HostConfig: { IDMappings: { UidMap: string[] } } }[];
  other[0].HostConfig.IDMappings.UidMap = ['0:1:65536'];
  assert.is(normalizeInspect(other).userns, '');
  assert.equal(unmodelled(other), ['user namespace mappings 0:1:65536']);
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

test('image defaults read from image inspect', () => {
  assert.equal(imageDefaults([{ Config: { Env: ['A=1'], Labels: null } }]), { env: { A: '1' }, labels: {} });
});

test("inspect's Mounts in any order (a Go map's): the same mounts, in -v order (HostConfig.Binds), then by target, so a plan's diff is the same each time", () => {
  const fixture = structuredClone(podmanBridge) as unknown;
  const raw = (Array.isArray(fixture) ? fixture[0] : fixture) as { Mounts: unknown[]; HostConfig: { Binds?: unknown } };
  assert.ok(raw.Mounts.length > 1, 'a fixture with more than one mount');
  const a = normalizeInspect(raw).mounts.map((m) => m.target);
  const shuffled = { ...raw, Mounts: [...raw.Mounts].reverse() };
  assert.equal(normalizeInspect(shuffled).mounts.map((m) => m.target), a);
  const binds = ['/a:/z-first:z', '/b:/m-second'];
  const mounts = [
    { Type: 'volume', Name: 'f'.repeat(64), Destination: '/anon' },
    { Type: 'bind', Source: '/b', Destination: '/m-second', RW: true },
    { Type: 'bind', Source: '/a', Destination: '/z-first', RW: true, Mode: 'z' },
  ];
  const f = normalizeInspect({ ...raw, Mounts: mounts, HostConfig: { ...raw.HostConfig, Binds: binds } });
  assert.equal(f.mounts.map((m) => m.target), ['/z-first', '/m-second', '/anon']);
});

test.run();
