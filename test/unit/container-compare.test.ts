// tasks/lib/container/compare.ts: the wanted container against the one that runs, field by field.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseMount, parsePort, type ContainerSpec } from '../../tasks/lib/container/spec.ts';
import { normalizeInspect } from '../../tasks/lib/container/inspect.ts';
import { compareContainer } from '../../tasks/lib/container/compare.ts';
import { aprom, dockerAprom, podmanBridge, same } from './container-fixtures.ts';

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

test.run();
