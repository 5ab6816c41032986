// The lab itself: every default host answers SSH on its own address, with its own host key
// (from .lab/known_hosts), and runs its own `aprom`, started by the real start-all.sh: on its own
// dockerd as root, or (prom3) on rootless Podman as the operator `scylla`, whom skiff logs in as.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'ssh2';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Lab, type LabHost, asOperator, labCanStart, labExec, labUp, sshdPid } from '../../lab/lab.ts';

/** Runs one command over SSH, verifying the host key against the lab's known_hosts. */
function sshExec(lab: Lab, host: LabHost, cmd: string): Promise<{ code: number; stdout: string }> {
  const known = readFileSync(lab.knownHostsFile, 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .find(([addr]) => addr === host.address);
  assert.ok(known, `known_hosts has ${host.address}`);
  return new Promise((resolve, reject) => {
    const c = new Client();
    const timer = setTimeout(() => {
      c.end();
      reject(new Error(`ssh ${host.name}: timed out`));
    }, 15_000);
    c.on('ready', () => {
      c.exec(cmd, (err, stream) => {
        if (err) return reject(err);
        let stdout = '';
        let code = -1;
        stream.on('data', (b: Buffer) => (stdout += b.toString()));
        stream.stderr.resume();
        stream.on('exit', (c2: number) => (code = c2));
        stream.on('close', () => {
          clearTimeout(timer);
          c.end();
          resolve({ code, stdout });
        });
      });
    });
    c.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    c.connect({
      host: host.address,
      port: 22,
      username: host.user,
      privateKey: readFileSync(lab.keyFile),
      hostVerifier: (key: Buffer) => key.toString('base64') === known![2],
      readyTimeout: 10_000,
    });
  });
}

const can = await labCanStart();

if (!can.ok && process.env.CI !== 'true') {
  console.log(`lab tests skipped: ${can.reason}`);
  test.skip('lab hosts (cannot start here)', () => {});
} else {
  let lab: Lab;

  test('the lab can start here', () => {
    assert.ok(can.ok, can.ok ? '' : `lab cannot start: ${can.reason}`);
  });

  test('labUp brings up the default hosts', async () => {
    // fresh: the hosts as start-all.sh leaves them (a demo or an earlier run may have applied thanos.yml)
    lab = await labUp({ fresh: true });
    assert.equal(
      lab.hosts.map((h) => `${h.name}=${h.address}`),
      ['monitoring=10.213.0.10', 'prom1=10.213.0.11', 'prom2=10.213.0.12', 'prom3=10.213.0.13'],
    );
    // the images start-all.sh runs, under the names Scylla Monitoring's versions.sh pins
    assert.ok(lab.images.includes('docker.io/prom/prometheus:v3.6.0'), lab.images.join(', '));
  });

  test('each host answers SSH on its own address and runs its own aprom', async () => {
    const containerIds = new Set<string>();
    for (const h of lab.hosts) {
      const r = await sshExec(lab, h, `hostname; id -un; docker ps --filter name=^aprom$ --format '{{.ID}} {{.Names}}'`);
      assert.is(r.code, 0, `${h.name}: exit code`);
      const [hostname, user, ps] = r.stdout.trim().split('\n');
      assert.is(hostname, h.name);
      assert.is(user, h.user);
      const [id, name] = (ps ?? '').split(' ');
      assert.is(name, 'aprom', `${h.name}: aprom in docker ps`);
      assert.not.ok(containerIds.has(id), `${h.name}: container ${id} seen on another host`);
      containerIds.add(id);
      const ready = await fetch(`http://${h.address}:9090/-/ready`, { signal: AbortSignal.timeout(5000) });
      assert.is(ready.status, 200, `${h.name}: aprom ready`);
    }
  });

  test("aprom is what start-all.sh runs: Prometheus 3, TSDB at /prometheus/data (-d DIR mounted there), Scylla's labels only", async () => {
    for (const h of lab.hosts) {
      const build = await (await fetch(`http://${h.address}:9090/api/v1/status/buildinfo`)).json();
      assert.match(build.data.version, /^3\./, `${h.name}: Prometheus 3`);
      const flags = await (await fetch(`http://${h.address}:9090/api/v1/status/flags`)).json();
      assert.is(flags.data['storage.tsdb.path'], 'data/', `${h.name}: upstream's default TSDB path`);
      const cfg = await (await fetch(`http://${h.address}:9090/api/v1/status/config`)).json();
      assert.match(cfg.data.yaml, 'monitor: scylla-monitor');
      assert.not.match(cfg.data.yaml, 'prometheus: ');
      const mounts = await labExec(h.name, asOperator(h.spec, `docker inspect aprom --format '{{range .Mounts}}{{.Type}}:{{.Source}}:{{.Destination}} {{end}}{{.HostConfig.NetworkMode}}'`));
      const wantsD = h.name === 'prom1' || h.name === 'prom3';
      assert.is(mounts.stdout.includes('bind:/srv/prometheus-data:/prometheus/data'), wantsD, `${h.name}: ${mounts.stdout}`);
      assert.match(mounts.stdout.trim(), h.name === 'prom3' ? / host$/ : / monitor-net$/);
    }
  });

  test('prom3 runs Scylla Monitoring as start-all.sh does on rootless Podman: aprom as the operator, keep-id', async () => {
    const h = lab.hosts.find((x) => x.name === 'prom3')!;
    assert.is(h.spec.engine, 'podman');
    const r = await labExec(h.name, asOperator(h.spec, `docker --help | grep -c podman; docker inspect aprom --format '{{.Config.CreateCommand}}'; docker exec aprom id -u`));
    assert.is(r.code, 0, r.stderr);
    const [isPodman, create, uid] = r.stdout.trim().split('\n');
    assert.ok(Number(isPodman) > 0, 'docker is podman there (start-all.sh checks docker --help)');
    assert.match(create, '--userns=keep-id');
    assert.is(Number(uid), h.spec.user!.uid, 'aprom runs as the operator');
    // and its process belongs to the operator on the host, not to root or a subordinate id
    const owner = await labExec(h.name, `stat -c %u /proc/$(pgrep -u ${h.spec.user!.uid} -f prometheus.debian | head -1)`);
    assert.is(Number(owner.stdout.trim()), h.spec.user!.uid, owner.stderr);
  });

  test('labExec sees the host files that are in .lab/hosts/<h>/srv', async () => {
    const h = lab.hosts.find((x) => x.name === 'monitoring')!;
    const r = await labExec(h.name, 'cat /srv/scylla-monitoring/grafana/provisioning/datasources/datasource.yaml');
    assert.is(r.code, 0, r.stderr);
    const direct = readFileSync(join(h.dir, 'srv/scylla-monitoring/grafana/provisioning/datasources/datasource.yaml'), 'utf8');
    assert.is(r.stdout, direct);
    // start-all.sh writes aprom's address on monitor-net
    assert.match(direct, /url: http:\/\/\d+\.\d+\.\d+\.\d+:9090/);
  });

  test('a second labUp reuses the healthy lab', async () => {
    const before = lab.hosts.map((h) => sshdPid(h.name));
    const t0 = Date.now();
    const again = await labUp();
    assert.ok(Date.now() - t0 < 10_000, `fast path took ${Date.now() - t0} ms`);
    assert.equal(again.hosts.map((h) => sshdPid(h.name)), before);
  });
}

test.run();
