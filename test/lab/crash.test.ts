// Crash safety of thanos.yml's most dangerous step, on the real-Scylla lab: prom2 (start-all.sh
// without -d) has its TSDB copied out of aprom's volume and aprom recreated with the mount. skiff is
// SIGKILLed (no handler runs: an OOM kill, a controller losing power) at chosen remote commands
// (SKIFF_FAULT, src/transport/fault-hook.ts), or the host's dockerd is restarted (as systemctl
// restart does it) in the middle of the recreate. After each fault, from the host as start-all.sh left it:
//   --check right after it reports pending work exactly when the completing run then changes something;
//   the completing run (one plain rerun) succeeds; the series at a fixed instant are all still there;
//   one data directory, no half copy, no aprom-skiff-* container, no lock held; a further run: 0 changed.
// `npm test` runs a bounded sample of fault points; `npm run faults` (SKIFF_CRASH_ALL=1) runs every one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_HOSTS, DOCKERD_START, dockerdPid, killAllCommand, labExec, startAllCommand } from '../../lab/lab.ts';
import { hostDir } from '../../lab/config.ts';
import { useLab } from './use-lab.ts';
import { seriesAt as seriesAtAddress } from './prom-api.ts';
import { skiff } from '../helpers.ts';
import { shq } from '../../src/transport/quote.ts';

const H = 'prom2';
const SPEC = DEFAULT_HOSTS.find((h) => h.name === H)!;
const ADDR = SPEC.address;
const TEMPLATE = '/srv/scylla-monitoring/prometheus/prometheus.yml.template';
const ALL = process.env.SKIFF_CRASH_ALL === '1';
const tmp = mkdtempSync(join(tmpdir(), 'skiff-crash-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const figures: string[] = [];
let pristineTemplate = '';

const guard = useLab(test, 'crash tests', { fresh: true }, async () => {
  pristineTemplate = readFileSync(join(hostDir(H), 'srv', TEMPLATE.slice('/srv/'.length)), 'utf8');
});

async function sh(cmd: string, timeoutMs = 240_000): Promise<string> {
  const r = await labExec(H, cmd, { timeoutMs });
  if (r.code !== 0) throw new Error(`${H}: ${cmd.slice(0, 200)}: exit ${r.code}: ${r.stderr.trim().slice(-500)}`);
  return r.stdout;
}

/** count of series of prom2's Prometheus at time t (0 = now) */
const seriesAt = (t: number) => seriesAtAddress(ADDR, t);

/** prom2 as start-all.sh leaves it, before thanos.yml: returns a fixed instant T0 and its series count. */
async function reset(): Promise<{ t0: number; count: number }> {
  // the template thanos.yml adds the labels to, as unpacked (read from the root namespace)
  writeFileSync(join(hostDir(H), 'srv', TEMPLATE.slice('/srv/'.length)), pristineTemplate);
  await sh(
    `${killAllCommand(SPEC)}; docker rm -f sidecar aprom-skiff-new aprom-skiff-old >/dev/null 2>&1; ` +
      `rm -rf /srv/prometheus-data /srv/prometheus-data.skiff-* /srv/thanos; ${startAllCommand(SPEC, '/tmp/crash-start-all.log')}`,
  );
  await seriesAt(0);
  await sleep(3000);
  const t0 = Math.floor(Date.now() / 1000) - 1;
  return { t0, count: await seriesAt(t0) };
}

const playbook = (extra: string[], env: Record<string, string> = {}) =>
  skiff(['run', 'playbooks/thanos.yml', '-i', 'inventory/lab', '--limit', H, ...extra], { timeoutMs: 600_000, env });

function report(file: string): { recap: Record<string, { changed: number; failed: number }> } {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** After a fault: check, complete, and every invariant. */
async function recoverAndVerify(label: string, t0: number, count: number): Promise<void> {
  const check = await playbook(['--check', '--detailed-exitcode']);
  assert.ok(check.code === 0 || check.code === 8, `${label}: --check after the fault: exit ${check.code}\n${check.stdout}${check.stderr}`);
  const rep = join(tmp, `${label.replace(/\W+/g, '-')}.json`);
  const done = await playbook(['--report', rep]);
  assert.is(done.code, 0, `${label}: the completing run\n${done.stdout}${done.stderr}`);
  const changed = report(rep).recap[H].changed;
  assert.is(check.code === 8, changed > 0, `${label}: --check said ${check.code === 8 ? 'pending' : 'nothing pending'}, the completing run changed ${changed}\n${check.stdout}`);
  assert.is(await seriesAt(t0), count, `${label}: series at ${t0}`);
  assert.is((await sh('ls -d /srv/prometheus-data*')).trim(), '/srv/prometheus-data', `${label}: one data directory, no half copy`);
  assert.ok((await sh('ls /srv/prometheus-data')).includes('wal'), `${label}: the TSDB is in it`);
  assert.is((await sh(`docker ps -a --format '{{.Names}}' | sort`)).trim(), 'agraf\naprom\nsidecar', `${label}: containers`);
  assert.match(await sh(`docker inspect aprom --format '{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}'`), '/srv/prometheus-data:/prometheus/data');
  await sh('for l in "$HOME"/.cache/skiff/*.lock; do [ -e "$l" ] || continue; flock -n "$l" true || { echo "held: $l" >&2; exit 1; }; done');
  const again = await playbook([]);
  assert.is(again.code, 0, again.stdout);
  assert.match(again.stdout, new RegExp(`${H}\\s*: ok=\\d+\\s+changed=0 `), `${label}: a further run changes nothing\n${again.stdout}`);
}

/** The remote commands of a first run on prom2, in order (SKIFF_FAULT=count). */
let commands: string[] = [];

test('the remote commands of a first run are known (fault points)', async () => {
  if (!guard.lab()) return;
  const { t0, count } = await reset();
  const r = await playbook([], { SKIFF_FAULT: 'count' });
  assert.is(r.code, 0, r.stdout + r.stderr);
  commands = r.stderr.split('\n').filter((l) => l.startsWith('skiff-fault: command ')).map((l) => l.replace(/^skiff-fault: command \d+ on \S+: /, ''));
  assert.ok(commands.length > 5, r.stderr);
  assert.ok(commands.some((c) => c.startsWith("trap '' PIPE HUP")), 'the recreate script is among them');
  assert.is(await seriesAt(t0), count);
  figures.push(`${commands.length} remote commands in a first run on ${H}`);
});

/** fault points: after each command (all, or a sample), and during the recreate at several offsets */
function points(): string[] {
  const rec = commands.findIndex((c) => c.startsWith("trap '' PIPE HUP")) + 1;
  if (!ALL) return ['after:1', `during:${rec}:1500`, `after:${rec}`];
  const after = commands.map((_, i) => `after:${i + 1}`).slice(0, -1);
  return [...after, ...[300, 1000, 2000, 4000].map((ms) => `during:${rec}:${ms}`)];
}

test('skiff SIGKILLed at each fault point: the next run finishes the job, nothing lost', async () => {
  if (!guard.lab()) return;
  assert.ok(commands.length, 'fault points known');
  const tried: string[] = [];
  for (const p of points()) {
    const { t0, count } = await reset();
    const r = await playbook([], { SKIFF_FAULT: p });
    assert.is(r.code, null, `${p}: skiff was killed (exit ${r.code})\n${r.stdout}${r.stderr}`);
    await recoverAndVerify(p, t0, count);
    tried.push(p);
  }
  figures.push(`SIGKILL: ${tried.length} fault points (${tried.join(' ')}), nothing lost in any`);
});

test("the host's dockerd restarted in the middle of the recreate: the next run finishes the job", async () => {
  if (!guard.lab()) return;
  const { t0, count } = await reset();
  const run = playbook([]);
  // bounded: wait for the recreate to be under way (the new container exists), then kill dockerd
  let hit = false;
  for (let i = 0; i < 300 && !hit; i++) {
    hit = (await labExec(H, `docker container inspect aprom-skiff-new >/dev/null 2>&1`)).code === 0;
    if (!hit) await sleep(100);
  }
  assert.ok(hit, 'the recreate started');
  const pid = dockerdPid(H);
  assert.ok(pid, 'dockerd pid');
  // as `systemctl restart docker` does it: SIGTERM (dockerd stops its containers and containerd),
  // then a new dockerd once the old one is gone (a zombie: the host's anchor never reaps)
  process.kill(pid!, 'SIGTERM');
  const gone = () => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
    } catch {
      return true;
    }
  };
  for (let i = 0; i < 600 && !gone(); i++) await sleep(100);
  assert.ok(gone(), 'dockerd stopped within 60 s');
  // in a session of its own: it must outlive the labExec that starts it
  await sh(`setsid sh -c ${shq(DOCKERD_START)}`);
  let up = false;
  for (let i = 0; i < 60 && !up; i++) {
    up = (await labExec(H, 'docker info >/dev/null 2>&1')).code === 0;
    if (!up) await sleep(500);
  }
  assert.ok(up, 'dockerd is back');
  const r = await run;
  figures.push(`dockerd restarted mid-recreate: that run exited ${r.code}`);
  await recoverAndVerify('dockerd-restart', t0, count);
});

test('prom1 (start-all.sh -d): skiff killed right after prometheus.yml was written in place: the next run reloads, never restarts', async () => {
  if (!guard.lab()) return;
  const P = 'prom1';
  const spec = DEFAULT_HOSTS.find((h) => h.name === P)!;
  const on = async (cmd: string) => {
    const r = await labExec(P, cmd, { timeoutMs: 240_000 });
    if (r.code !== 0) throw new Error(`${P}: ${cmd.slice(0, 200)}: exit ${r.code}: ${r.stderr.trim().slice(-500)}`);
    return r.stdout;
  };
  const tpl = join(hostDir(P), 'srv', TEMPLATE.slice('/srv/'.length));
  // untouched so far: the tests above run on prom2 alone
  const pristine = readFileSync(tpl, 'utf8');
  const resetP = async () => {
    writeFileSync(tpl, pristine);
    await on(`${killAllCommand(spec)}; docker rm -f sidecar >/dev/null 2>&1; ${startAllCommand(spec, '/tmp/crash-start-all.log')}`);
    await seriesAtAddress(spec.address, 0);
  };
  const runP = (env: Record<string, string>, extra: string[] = []) => skiff(['run', 'playbooks/thanos.yml', '-i', 'inventory/lab', '--limit', P, ...extra], { timeoutMs: 600_000, env });
  const labelsLive = async () => JSON.stringify(await (await fetch(`http://${spec.address}:9090/api/v1/status/config`)).json()).includes('prometheus: prom1');
  await resetP();
  const counted = await runP({ SKIFF_FAULT: 'count' });
  assert.is(counted.code, 0, counted.stdout + counted.stderr);
  const cmds = counted.stderr.split('\n').filter((l) => l.startsWith('skiff-fault: command '));
  // the first command that starts `set -e` on prom1 is the in-place write of prometheus.yml (the
  // plan's reads come before it; the template, written atomically after it, starts the same way)
  const write = cmds.findIndex((l) => / on \S+: set -e$/.test(l)) + 1;
  assert.ok(write > 0, cmds.join('\n'));
  await resetP();
  const started0 = (await on(`docker inspect -f '{{.State.StartedAt}}' aprom`)).trim();
  const killed = await runP({ SKIFF_FAULT: `after:${write}` });
  assert.is(killed.code, null, `killed: ${killed.stdout}${killed.stderr}`);
  const cfg = readFileSync(join(hostDir(P), 'srv/scylla-monitoring/prometheus/build/prometheus.yml'), 'utf8');
  const written = cfg.includes('prometheus: prom1');
  // written but not live yet: pending work the next run must not forget
  const check = await runP({}, ['--check', '--detailed-exitcode']);
  if (written && !(await labelsLive())) assert.is(check.code, 8, `pending reload shown by --check\n${check.stdout}`);
  const done = await runP({});
  assert.is(done.code, 0, done.stdout + done.stderr);
  assert.ok(await labelsLive(), 'labels live after the completing run');
  assert.is((await on(`docker inspect -f '{{.State.StartedAt}}' aprom`)).trim(), started0, 'aprom never restarted');
  const again = await runP({});
  assert.match(again.stdout, /prom1\s*: ok=\d+\s+changed=0 /, again.stdout);
  figures.push(`prom1 killed after command ${write} (prometheus.yml ${written ? 'written in place' : 'not yet written'}): the next run made the labels live with a reload, no restart`);
});

test.after(() => {
  if (figures.length) console.log(`  crash figures: ${figures.join('; ')}`);
});

test.run();
