// community.docker.docker_container and containers.podman.podman_container: Ansible's parameters as
// skiff's ContainerSpec (data), refusals through the loader (file:line:col, before any host), and
// plan/apply of the container task they run on: against a captured docker inspect (fake host) and a
// fake podman keeping containers in files (never this machine's engines).
import * as v from 'valibot';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dockerContainer, podmanContainer, type Mapped } from '../../tasks/ansible/docker-container.ts';
import { specOf } from '../../tasks/container.ts';
import { fakeCtx, fakeHost } from './fake-host.ts';
import { fakeHost as fakePodman } from './fake-podman.ts';
import { dockerAprom, podmanBridge } from './container-fixtures.ts';
import { play, playbook } from './engine-harness.ts';
import type { Connection } from '../../src/transport/types.ts';

const mapped = (t: typeof dockerContainer, params: unknown) => v.parse(t.schema, params) as Mapped;
const spec = (t: typeof dockerContainer, params: unknown) => specOf(mapped(t, params).container);

test('docker_container: Ansible parameters as a ContainerSpec (command shlex-split, networks, etc_hosts, ports alias)', () => {
  const m = mapped(dockerContainer, {
    name: 'web',
    image: 'nginx:1.27.2',
    command: `nginx -g 'daemon off;'`,
    env: { MODE: 'prod', EMPTY: '' },
    labels: { tier: 'front', build: 42 },
    volumes: ['/srv/www:/usr/share/nginx/html:ro', 'cache:/var/cache/nginx'],
    ports: ['8080:80', '127.0.0.1:8443:443/udp'],
    networks: [{ name: 'frontnet' }],
    user: 101,
    restart_policy: 'unless-stopped',
    etc_hosts: { db: '10.0.0.5' },
    stop_timeout: 10,
  });
  assert.is(m.container.engine, 'docker');
  assert.is(m.container.stop_timeout, 10);
  assert.equal([m.restart, m.recreate, m.pull], [false, false, 'missing']);
  const s = specOf(m.container);
  assert.equal(s.args, ['nginx', '-g', 'daemon off;']);
  assert.equal(s.env, { MODE: 'prod', EMPTY: '' });
  assert.equal(s.labels, { tier: 'front', build: '42' });
  assert.equal(s.mounts.map((x) => [x.source, x.target, x.ro, x.kind]), [['/srv/www', '/usr/share/nginx/html', true, 'bind'], ['cache', '/var/cache/nginx', false, 'volume']]);
  assert.equal(s.ports, [{ hostIp: '', hostPort: '8080', containerPort: '80', proto: 'tcp' }, { hostIp: '127.0.0.1', hostPort: '8443', containerPort: '443', proto: 'udp' }]);
  assert.is(s.network, 'frontnet');
  assert.is(s.user, '101');
  assert.is(s.restart, 'unless-stopped');
  assert.equal(s.extraHosts, ['db:10.0.0.5']);
  // a list command stays as written; network_mode default is docker's bridge; unset = not compared
  assert.equal(spec(dockerContainer, { name: 'x', image: 'a:1', command: ['sh', '-c', 'echo "$A"'], network_mode: 'default' }).args, ['sh', '-c', 'echo "$A"']);
  assert.is(spec(dockerContainer, { name: 'x', image: 'a:1', network_mode: 'default' }).network, 'bridge');
  assert.is(spec(dockerContainer, { name: 'x', image: 'a:1' }).network, undefined);
  assert.equal(mapped(dockerContainer, { name: 'x', image: 'a:1', restart: true, recreate: true, pull: false }), { ...mapped(dockerContainer, { name: 'x', image: 'a:1' }), restart: true, recreate: true });
  assert.is(mapped(dockerContainer, { name: 'x', state: 'absent' }).container.state, 'absent');
});

test('podman_container: its own spellings (label, volume, publish, network as a string), env values through str(), command split on spaces', () => {
  const m = mapped(podmanContainer, {
    name: 'aprom',
    image: 'docker.io/prom/prometheus:v2.54.1',
    command: '--config.file=/etc/prometheus/prometheus.yml  --web.enable-lifecycle',
    env: { A: 'x', DEBUG: true, PORT: 9090 },
    label: { app: 'prom' },
    volume: ['/srv/prom:/prometheus:Z'],
    publish: ['9090:9090'],
    network: 'host',
    user: '2000:2000',
    userns: 'keep-id',
    restart_policy: 'always',
    add_hosts: { gw: 'host-gateway' },
    force_restart: true,
  });
  assert.is(m.container.engine, 'podman');
  assert.is(m.restart, true);
  const s = specOf(m.container);
  assert.equal(s.args, ['--config.file=/etc/prometheus/prometheus.yml', '--web.enable-lifecycle']);
  assert.equal(s.env, { A: 'x', DEBUG: 'True', PORT: '9090' });
  assert.equal(s.labels, { app: 'prom' });
  assert.equal(s.mounts.map((x) => [x.source, x.target, x.options]), [['/srv/prom', '/prometheus', ['Z']]]);
  assert.equal(s.ports.map((p) => `${p.hostPort}:${p.containerPort}`), ['9090:9090']);
  assert.is(s.network, 'host');
  assert.equal([s.user, s.restart, s.extraHosts], ['2000:2000', 'always', ['gw:host-gateway']]);
  // aliases reach the same fields
  assert.equal(spec(podmanContainer, { name: 'a', image: 'b:1', labels: { k: 'v' }, volumes: ['/a:/b'], ports: ['1:2'], network_mode: ['n1'] }), spec(podmanContainer, { name: 'a', image: 'b:1', label: { k: 'v' }, volume: ['/a:/b'], publish: ['1:2'], network: ['n1'] }));
});

test('refused before any host, with file:line:col: unsupported parameters by name, states skiff cannot honour, unpinned images, env non-strings, bare ports, two networks', async () => {
  const o = await play({
    playbook: playbook(`- community.docker.docker_container:
    name: web
    image: nginx:1.27.2
    privileged: true
    comparisons: {image: ignore}
- docker_container: {name: web, image: nginx}
- docker_container: {name: web, image: "nginx:latest"}
- community.docker.docker_container: {name: web, image: "nginx:1", state: present}
- community.docker.docker_container: {name: web, image: "nginx:1", env: {PORT: 8080, DEBUG: yes}}
- community.docker.docker_container: {name: web, image: "nginx:1", published_ports: ["80"]}
- community.docker.docker_container: {name: web, image: "nginx:1", networks: [{name: a}, {name: b}]}
- community.docker.docker_container: {name: web, image: "nginx:1", networks: [{name: a, ipv4_address: 10.0.0.2}]}
- community.docker.docker_container: {name: web, image: "nginx:1", pull: always}
- containers.podman.podman_container: {name: web, image: "nginx:1", cap_add: [NET_ADMIN], state: stopped}
- podman_container: {name: web, image: "nginx:1", network: [a, b], label: {a: b}, labels: {c: d}}
- community.docker.docker_container: {name: web, image: "nginx:1", imgae: x}
- docker_container: {name: web, image: "nginx:1", networks: [{name: a}], network_mode: host}`),
  });
  assert.is(o.code, 'bad-input');
  const p = o.problems;
  const at = (re: RegExp) => assert.ok(p.some((x) => re.test(x)), `${re} in:\n${p.join('\n')}`);
  at(/play\d+\.yml:6:\d+: privileged is a parameter of community\.docker\.docker_container not supported by skiff/);
  at(/play\d+\.yml:7:\d+: .*comparisons is a parameter of community\.docker\.docker_container not supported by skiff: skiff compares image, command/);
  at(/play\d+\.yml:8:\d+: .*image: got "nginx", expected a pinned image NAME:TAG .*an untagged image is :latest/);
  at(/play\d+\.yml:9:\d+: .*image: got "nginx:latest", expected a pinned tag, not :latest/);
  at(/play\d+\.yml:10:\d+: .*state: got "present", expected started or absent \(present and stopped leave a container created but not running/);
  at(/play\d+\.yml:11:\d+: .*env\.PORT: got 8080, expected a string: a value YAML reads as a number or boolean must be quoted/);
  at(/env\.DEBUG: got true, expected a string/);
  at(/play\d+\.yml:12:\d+: .*published_ports\.0: got "80", expected HOST_PORT:CONTAINER_PORT: a bare container port is published on a random host port/);
  at(/play\d+\.yml:13:\d+: .*networks: .*expected one network/);
  at(/play\d+\.yml:14:\d+: .*ipv4_address is a parameter of community\.docker\.docker_container not supported by skiff/);
  at(/play\d+\.yml:15:\d+: .*pull: got "always", expected missing, never or false/);
  at(/play\d+\.yml:19:\d+: network_mode: got "host", expected network_mode to be the network of networks:/);
  at(/play\d+\.yml:16:\d+: .*cap_add is a parameter of containers\.podman\.podman_container not supported by skiff/);
  at(/play\d+\.yml:16:\d+: .*state: got "stopped", expected started or absent/);
  at(/play\d+\.yml:17:\d+: labels: got \{"c":"d"\}, expected label or its alias labels, once/);
  at(/play\d+\.yml:17:\d+: network: got \["a","b"\], expected one network/);
  // a typo is an unknown parameter, and the refused names are not offered as what was meant
  const typo = p.find((x) => /unknown parameter "imgae"/.test(x));
  assert.ok(typo, p.join('\n'));
  assert.match(typo!, /expected one of name, image, state, command/);
  assert.not.match(typo!, /privileged/);
});

test('accepted as Ansible users write them: FQCN and short names, collections defaults written out', async () => {
  const o = await play({
    playbook: playbook(`- community.docker.docker_container:
    name: web
    image: "nginx:1.27.2"
    env: {A: "1"}
    published_ports: ["127.0.0.1:8080:80"]
    restart_policy: "no"
    detach: true
    keep_volumes: true
  when: false
- docker_container: {name: web, state: absent}
  when: false
- containers.podman.podman_container: {name: p, image: "quay.io/prometheus/prometheus:v2.54.1", network: host, env: {X: 1}}
  when: false
- podman_container: {name: p, state: absent}
  when: false`),
  });
  assert.equal(o.problems, []);
});

// ---------------------------------------------------------------------------------------------
// plan/apply

/** A host that answers the container inspect script with the captured docker inspect of aprom. */
function dockerHost() {
  const image = [{ Config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Labels: { maintainer: 'The Prometheus Authors <prometheus-developers@googlegroups.com>', 'org.opencontainers.image.source': 'https://github.com/prometheus/prometheus' } } }];
  const out = `${JSON.stringify(dockerAprom)}\n--skiff-sep--\n${JSON.stringify(image)}\n--skiff-sep--\npresent\n--skiff-sep--\n`;
  return fakeHost([[/container inspect/, { stdout: out }]]);
}

/** aprom as Scylla Monitoring runs it on docker, written as a docker_container task. */
const apromTask = {
  name: 'aprom',
  image: 'prom/prometheus:v2.54.1',
  command: ['--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/prometheus', '--web.listen-address=0.0.0.0:9090'],
  env: { SCYLLA_MONITORING: '1' },
  volumes: [
    '/opt/scylla-monitoring/prometheus/build/prometheus.yml:/etc/prometheus/prometheus.yml:Z',
    '/opt/scylla-monitoring/prometheus/prom_rules:/etc/prometheus/prom_rules:Z',
    '/opt/scylla-monitoring/prometheus/scylla_servers.yml:/etc/scylla.d/prometheus/scylla_servers.yml:Z',
  ],
  published_ports: ['9090:9090'],
  user: 'nobody',
  restart_policy: 'unless-stopped',
};

test('docker_container plan: equal to the running container = no change, registered as Ansible does (container.Id, State.Running)', async () => {
  const host = dockerHost();
  const plan = await dockerContainer.plan(fakeCtx(host, true), mapped(dockerContainer, apromTask));
  assert.equal(plan.changes, []);
  const c = plan.result!.container as { Id: string; Name: string; State: { Running: boolean } };
  assert.equal([c.Id.slice(0, 12), c.Name, c.State.Running], ['7b1f0e5c2d8a', '/aprom', true]);
  assert.ok(host.cmds.every((x) => !/ (create|stop|rm|rename|restart) /.test(x)), 'nothing but reads');
});

test('docker_container plan: a different env plans a recreate (the key named, not its value); restart: true restarts an unchanged one; recreate: true recreates it', async () => {
  const host = dockerHost();
  const plan = await dockerContainer.plan(fakeCtx(host, true), mapped(dockerContainer, { ...apromTask, env: { SCYLLA_MONITORING: 's3cr3t' } }));
  assert.equal(plan.changes, ['recreate container aprom: env: SCYLLA_MONITORING changed']);
  assert.not.match(plan.diff!, /s3cr3t/);
  assert.equal((await dockerContainer.plan(fakeCtx(host, true), mapped(dockerContainer, { ...apromTask, restart: true }))).changes, ['restart container aprom (restart: true)']);
  const re = await dockerContainer.plan(fakeCtx(host, true), mapped(dockerContainer, { ...apromTask, recreate: true }));
  assert.equal(re.changes, ['recreate container aprom (recreate: true)']);
  assert.is(re.state!.inner!.action, 'recreate');
  // restart with a difference: the recreate starts it anyway (Ansible restarts only an unchanged container)
  assert.equal((await dockerContainer.plan(fakeCtx(host, true), mapped(dockerContainer, { ...apromTask, user: 'root', restart: true }))).changes, ['recreate container aprom: user: nobody -> root']);
});

/** A Connection running scripts on this machine with the fake podman first in PATH. */
function podmanConn(h: ReturnType<typeof fakePodman>): Connection {
  return { host: 'p1', async exec(cmd) { const r = h.run(cmd); return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr }; }, async close() {} };
}

test('podman_container apply on a fake podman: absent -> created and running (pulled first), registered with its Id; absent removes it; pull: never fails naming the image', async () => {
  const h = fakePodman({}, []);
  const ctx = fakeCtx(podmanConn(h));
  const p = mapped(podmanContainer, { name: 'web', image: 'nginx:1.27.2', publish: ['8080:80'] });
  const plan = await podmanContainer.plan(ctx, p);
  assert.equal(plan.changes, ['pull nginx:1.27.2', 'create container web']);
  const out = (await podmanContainer.apply(ctx, p, plan)) as { container: { Id: string } };
  assert.match(h.state().web, /^new\d+ running$/);
  assert.is(out.container.Id, h.state().web.split(' ')[0]);
  assert.ok(h.log().some((l) => l.startsWith('create --name web-skiff-new') && l.includes('-p 8080:80') && l.endsWith('nginx:1.27.2')), h.log().join('\n'));
  const gone = mapped(podmanContainer, { name: 'web', state: 'absent' });
  const rm = await podmanContainer.plan(ctx, gone);
  // the fake podman's inspect says nothing of State: it reads as not running
  assert.equal(rm.changes, ['remove container web']);
  await podmanContainer.apply(ctx, gone, rm);
  assert.equal(h.state(), {});
  assert.equal((await podmanContainer.plan(ctx, gone)).changes, []);
  const never = fakePodman({}, []);
  const err = await podmanContainer.plan(fakeCtx(podmanConn(never)), mapped(podmanContainer, { name: 'web', image: 'nginx:1.27.2', pull: 'never' })).catch((e: Error) => e.message);
  assert.is(err, 'image nginx:1.27.2 is not on p1 and pull is never');
});

test('podman_container force_restart: an existing container is restarted as it is, differences aside (as the module does); registered from its inspect', async () => {
  const out = `${JSON.stringify(podmanBridge)}\n--skiff-sep--\n[]\n--skiff-sep--\nunknown\n--skiff-sep--\n`;
  const host = fakeHost([[/container inspect/, { stdout: out }]]);
  const p = mapped(podmanContainer, { name: 'skiff-fixture', image: 'localhost/other:2', force_restart: true });
  const plan = await podmanContainer.plan(fakeCtx(host), p);
  assert.equal(plan.changes, ['restart container skiff-fixture (force_restart)']);
  assert.is((plan.result!.container as { Id: string }).Id.slice(0, 12), '61b9e1e1683f');
  await podmanContainer.apply(fakeCtx(host), p, plan);
  assert.ok(host.cmds.some((c) => c.includes("'podman' restart -t 30 'skiff-fixture'")), host.cmds.join('\n'));
  assert.not.ok(host.cmds.some((c) => c.includes(' create ')), 'not recreated');
});

test.run();
