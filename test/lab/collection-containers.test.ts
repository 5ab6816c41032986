// community.docker.docker_container and containers.podman.podman_container on the lab's real engines
// (Docker as root on prom1, the operator's rootless Podman on prom3): created as written, a rerun
// changes nothing, --check shows a change without making it, a changed env recreates the container,
// state absent removes it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { asOperator, labExec } from '../../lab/lab.ts';
import { DEFAULT_HOSTS } from '../../lab/config.ts';
import { upstreamImages } from '../../lab/upstream.ts';
import { useLab } from './use-lab.ts';
import { skiff } from '../helpers.ts';

const guard = useLab(test, 'collection container modules lab test');
const PLAYBOOK = 'test/lab/playbooks/collection-containers.yml';
const prom3 = DEFAULT_HOSTS.find((h) => h.name === 'prom3')!;

async function inspect(host: 'prom1' | 'prom3'): Promise<{ id: string; running: boolean; env: string[]; labels: Record<string, string>; ports: unknown; restart: string } | undefined> {
  const cmd = host === 'prom1' ? 'docker inspect skiff-dc' : 'podman inspect skiff-pc';
  const r = await labExec(host, host === 'prom3' ? asOperator(prom3, cmd) : cmd);
  if (r.code !== 0) return undefined;
  const c = JSON.parse(r.stdout)[0];
  return { id: c.Id, running: c.State.Running, env: c.Config.Env, labels: c.Config.Labels, ports: c.HostConfig.PortBindings, restart: c.HostConfig.RestartPolicy.Name };
}

async function run(cenv: string, cstate: string, extra: string[] = []) {
  const { prometheus } = await upstreamImages();
  const r = await skiff(['run', PLAYBOOK, '-i', 'inventory/lab', '-e', `image=${prometheus}`, '-e', `cenv=${cenv}`, '-e', `cstate=${cstate}`, ...extra], { timeoutMs: 300_000 });
  assert.is(r.code, 0, r.stdout + r.stderr);
  return Number(r.stdout.match(/^prom1\s*:.*changed=(\d+)/m)?.[1]) + Number(r.stdout.match(/^prom3\s*:.*changed=(\d+)/m)?.[1]);
}

test('docker_container and podman_container: create, rerun unchanged, check, recreate on a changed env, remove', async () => {
  if (!guard.lab()) return;
  await run('one', 'absent');
  assert.is(await run('one', 'started'), 2);
  const first = { prom1: (await inspect('prom1'))!, prom3: (await inspect('prom3'))! };
  for (const [h, c] of Object.entries(first)) {
    assert.ok(c?.running, `${h}: running`);
    assert.ok(c.env.includes('WHICH=one'), `${h}: env ${c.env}`);
    assert.is(c.labels.team, 'sre');
  }
  assert.equal(first.prom1.ports, { '9399/tcp': [{ HostIp: '127.0.0.1', HostPort: '9399' }] });
  // the lab's Podman puts containers on the host's network (its containers.conf, see lab/host.ts), where
  // nothing is published: Podman drops -p there, and skiff does not compare ports on a host network
  assert.equal(first.prom3.ports, {});
  assert.is(first.prom1.restart, 'unless-stopped');
  assert.is(first.prom3.restart, 'always');
  assert.is(await run('one', 'started'), 0);
  assert.is(await run('two', 'started', ['--check']), 2);
  assert.is((await inspect('prom1'))!.id, first.prom1.id, '--check recreated nothing');
  assert.is((await inspect('prom3'))!.id, first.prom3.id, '--check recreated nothing');
  assert.is(await run('two', 'started'), 2);
  for (const h of ['prom1', 'prom3'] as const) {
    const c = (await inspect(h))!;
    assert.ok(c.running && c.id !== first[h].id && c.env.includes('WHICH=two'), `${h}: recreated with the new env`);
  }
  assert.is(await run('two', 'started'), 0);
  assert.is(await run('two', 'absent'), 2);
  assert.is(await inspect('prom1'), undefined);
  assert.is(await inspect('prom3'), undefined);
});

test.run();
