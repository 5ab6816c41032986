// Faults on the lab's real hosts: sshd killed before and during a run, a link set down mid-run,
// Ctrl-C, an interrupted file transfer, hostile values, and become without a sudo password.
// Every wait is bounded; only the lab's own hosts are touched.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labExec, labUp, sshdStartCommand, type Lab } from '../../lab/lab.ts';
import { killSshd, labInventory, restartSshd, useLab } from './use-lab.ts';
import { linkName, netnsName } from '../../lab/config.ts';
import { background, ROOT, skiff, taskDone } from '../helpers.ts';
import { connectSsh } from '../../src/transport/ssh.ts';
import { writeFileAtomic } from '../../tasks/lib/files.ts';

const FAULTS = 'test/lab/playbooks/faults.yml';
const RETRY = join(ROOT, '.skiff/retry/faults.retry');
let lab: Lab | undefined;
let inv = '';
const tmp = mkdtempSync(join(tmpdir(), 'skiff-faults-'));
const figures = { faults: 0, injections: 0 };

function report(file: string) {
  return JSON.parse(readFileSync(file, 'utf8')) as { recap: Record<string, { ok: number; changed: number; failed: number; unreachable: boolean }>; results: { host: string; task: string; status: string }[] };
}

/** skiff run in the background, with a hook on its stdout; returns the child and its completion. */
async function resetFaultsDir() {
  await Promise.all(lab!.hosts.map((h) => labExec(h.name, 'rm -rf /srv/skiff-faults /srv/skiff-hostile')));
  rmSync(RETRY, { force: true });
}

const guard = useLab(test, 'fault tests', {}, async (l) => {
  lab = l;
  inv = join(tmp, 'hosts.yml');
  writeFileSync(inv, labInventory(l, '    connect_timeout: 5\n'));
});

test.after(async () => {
  if (!guard.lab()) return;
  // leave the lab as we found it: every sshd up, every link up
  for (const h of lab!.hosts) {
    execFileSync('ip', ['link', 'set', linkName(h.name), 'up']);
    if (!(await labExec(h.name, 'ss -ltn | grep -q ":22 "')).stdout && (await labExec(h.name, 'ss -ltn | grep -q ":22 "')).code !== 0) await restartSshd(h.name);
  }
  console.log(`  faults survived: ${figures.faults}, injection attempts blocked: ${figures.injections}`);
});

test('sshd killed before the run: the others finish, exit 4, the retry file names it, the rerun completes it', async () => {
  if (!guard.lab()) return;
  await resetFaultsDir();
  const lost = lab!.hosts[3].name;
  assert.ok(killSshd(lost) >= 1);
  const r = await skiff(['run', FAULTS, '-i', inv, '--report', join(tmp, 'b.json')], { timeoutMs: 90_000 });
  assert.is(r.code, 4, r.stdout + r.stderr);
  const rep = report(join(tmp, 'b.json'));
  assert.ok(rep.recap[lost].unreachable);
  for (const h of lab!.hosts) if (h.name !== lost) assert.is(rep.recap[h.name].changed, 4, `${h.name} finished`);
  assert.is(readFileSync(RETRY, 'utf8'), `${lost}\n`);
  await restartSshd(lost);
  const again = await skiff(['run', FAULTS, '-i', inv, '--limit', `@${RETRY}`, '--report', join(tmp, 'b2.json')]);
  assert.is(again.code, 0, again.stdout + again.stderr);
  assert.equal(Object.keys(report(join(tmp, 'b2.json')).recap), [lost]);
  figures.faults++;
});

test('sshd killed during the run: the in-flight host is unreachable, the others finish, nothing is applied twice', async () => {
  if (!guard.lab()) return;
  await resetFaultsDir();
  const lost = lab!.hosts[1].name;
  let killed = false;
  const { done } = background(['run', FAULTS, '-i', inv, '-e', 'slow_seconds=4', '--report', join(tmp, 'd.json')], (out) => {
    if (!killed && taskDone(out, 'first', lost)) {
      killed = true;
      killSshd(lost);
    }
  });
  const r = await done;
  assert.ok(killed, 'the host was broken mid-run');
  assert.is(r.code, 4, r.out);
  const rep = report(join(tmp, 'd.json'));
  assert.ok(rep.recap[lost].unreachable);
  assert.is(rep.results.find((x) => x.host === lost && x.task === 'first')?.status, 'changed');
  for (const h of lab!.hosts) if (h.name !== lost) assert.is(rep.recap[h.name].changed, 4);
  assert.is(readFileSync(RETRY, 'utf8'), `${lost}\n`);
  await restartSshd(lost);
  const again = await skiff(['run', FAULTS, '-i', inv, '--limit', `@${RETRY}`, '--report', join(tmp, 'd2.json')]);
  assert.is(again.code, 0, again.stdout + again.stderr);
  const rep2 = report(join(tmp, 'd2.json'));
  assert.equal(Object.keys(rep2.recap), [lost]);
  assert.is(rep2.results.find((x) => x.task === 'first')?.status, 'ok', 'what was applied before the fault is not applied again');
  figures.faults++;
});

test('a link set down mid-run: the run does not hang, the host is declared unreachable', async () => {
  if (!guard.lab()) return;
  await resetFaultsDir();
  const lost = lab!.hosts[2].name;
  let down = false;
  const { done } = background(['run', FAULTS, '-i', inv, '-e', 'slow_seconds=3', '--report', join(tmp, 'n.json')], (out) => {
    if (!down && taskDone(out, 'first', lost)) {
      down = true;
      execFileSync('ip', ['link', 'set', linkName(lost), 'down']);
    }
  });
  const r = await done;
  execFileSync('ip', ['link', 'set', linkName(lost), 'up']);
  assert.ok(down);
  assert.not.ok(r.killed, 'skiff ended by itself (keepalive), not by the test timeout');
  assert.is(r.code, 4, r.out);
  assert.ok(report(join(tmp, 'n.json')).recap[lost].unreachable);
  console.log(`  link down mid-run: host declared unreachable, run ended after ${r.ms} ms`);
  figures.faults++;
});

test('Ctrl-C: in-flight commands end, recap and retry file are written, no temp file is left on a host', async () => {
  if (!guard.lab()) return;
  await resetFaultsDir();
  let sent = false;
  const { done } = background(['run', FAULTS, '-i', inv, '-e', 'slow_seconds=20'], (out, child) => {
    if (!sent && lab!.hosts.every((h) => taskDone(out, 'first', h.name))) {
      sent = true;
      setTimeout(() => child.kill('SIGINT'), 300);
    }
  });
  const r = await done;
  assert.ok(sent);
  assert.is(r.code, 130, r.out);
  assert.match(r.out, 'PLAY RECAP');
  assert.ok(r.ms < 20_000, `ended before the 20 s command would have (${r.ms} ms)`);
  const retry = readFileSync(RETRY, 'utf8').trim().split('\n').sort();
  assert.equal(retry, lab!.hosts.map((h) => h.name).sort());
  for (const h of lab!.hosts) {
    const left = await labExec(h.name, 'ls -A /srv/skiff-faults');
    assert.not.match(left.stdout, '.skiff.', `no temp file on ${h.name}`);
    assert.not.match(left.stdout, 'last');
  }
  // the remote `sleep 20` was ended, not left running (bounded wait for the kill to land)
  let sleeping: string[] = [];
  for (let i = 0; i < 30; i++) {
    sleeping = lab!.hosts.filter((h) =>
      execFileSync('ip', ['netns', 'pids', netnsName(h.name)], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .some((p) => {
          try {
            return readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('sleep\u000020');
          } catch {
            return false;
          }
        }),
    ).map((h) => h.name);
    if (!sleeping.length) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(sleeping, [], 'in-flight commands ended on every host');
  figures.faults++;
});

test('an interrupted transfer never leaves a half-written file or a temp file', async () => {
  if (!guard.lab()) return;
  const h = lab!.hosts[0];
  await labExec(h.name, 'mkdir -p /srv/skiff-faults && printf old > /srv/skiff-faults/big');
  const big = 'x'.repeat(8 * 1024 * 1024);
  for (const delay of [5, 30, 120]) {
    const conn = await connectSsh({ host: h.name, address: h.address, port: 22, user: 'root', privateKeyFile: lab!.keyFile, become: false, knownHostsFile: lab!.knownHostsFile, acceptNewHostKeys: false, connectTimeoutMs: 5000 });
    const w = writeFileAtomic(conn, '/srv/skiff-faults/big', big).catch((e) => e);
    await new Promise((r) => setTimeout(r, delay));
    await conn.close();
    await w;
    let content = '';
    for (let i = 0; i < 30; i++) {
      content = (await labExec(h.name, 'ls -A /srv/skiff-faults; wc -c < /srv/skiff-faults/big')).stdout;
      if (!content.includes('.skiff.')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.not.match(content, '.skiff.', `temp file removed (cut after ${delay} ms)`);
    const size = Number(content.trim().split('\n').pop());
    assert.ok(size === 3 || size === big.length, `the file is whole, old or new: ${size} bytes (cut after ${delay} ms)`);
    figures.faults++;
  }
});

test('hostile values reach the host as data: no marker file appears', async () => {
  if (!guard.lab()) return;
  await resetFaultsDir();
  const h = lab!.hosts[0];
  const evils = [
    '; touch /tmp/pwned-1 #',
    '$(touch /tmp/pwned-2)',
    '`touch /tmp/pwned-3`',
    "'; touch /tmp/pwned-4; '",
    '"; touch /tmp/pwned-5; "',
    'a\ntouch /tmp/pwned-6\n',
    '|| touch /tmp/pwned-7 &',
  ];
  for (const [i, evil] of evils.entries()) {
    const vars = join(tmp, `evil${i}.json`);
    writeFileSync(vars, JSON.stringify({ evil, evil_name: evil.replace(/[/\n]/g, '_') }));
    const r = await skiff(['run', 'test/lab/playbooks/hostile.yml', '-i', inv, '--limit', h.name, '-e', `@${vars}`]);
    assert.is(r.code, 0, r.stdout + r.stderr);
    for (const f of ['via-command', 'via-argv', 'via-content']) {
      const got = await labExec(h.name, `cat /srv/skiff-hostile/${f}`);
      assert.is(got.stdout, evil, `${f} holds the literal value`);
    }
    figures.injections += 5;
  }
  const markers = await labExec(h.name, 'ls /tmp | grep pwned || true');
  assert.is(markers.stdout.trim(), '', 'no marker file on the host');
  for (let i = 1; i <= 7; i++) assert.not.ok(existsSync(`/tmp/pwned-${i}`), 'no marker file on the controller');
});

test('become uses sudo -n: a password prompt fails clearly, NOPASSWD works', async () => {
  if (!guard.lab()) return;
  const h = lab!.hosts[2];
  const setup = await labExec(
    h.name,
    `id skiffer >/dev/null 2>&1 || useradd -m -s /bin/sh skiffer; mkdir -p /home/skiffer/.ssh && cp /root/.ssh/authorized_keys /home/skiffer/.ssh/ && chown -R skiffer /home/skiffer/.ssh && echo 'skiffer ALL=(ALL) ALL' > /etc/sudoers.d/skiffer && chmod 0440 /etc/sudoers.d/skiffer && passwd -d skiffer >/dev/null 2>&1; usermod -p '*' skiffer`,
  );
  assert.is(setup.code, 0, setup.stderr);
  const binv = join(tmp, 'become.yml');
  writeFileSync(binv, `all:\n  hosts:\n    ${h.name}: {address: ${h.address}, user: skiffer, become: true, private_key_file: ${lab!.keyFile}, known_hosts_file: ${lab!.knownHostsFile}}\n`);
  const pb = join(tmp, 'become-pb.yml');
  writeFileSync(pb, `- hosts: all\n  tasks:\n    - content: {path: /srv/skiff-become, content: "as root\\n"}\n`);
  const r = await skiff(['run', pb, '-i', binv]);
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stdout, /sudo/);
  assert.match(r.stdout, /password/);
  await labExec(h.name, `echo 'skiffer ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/skiffer`);
  const ok = await skiff(['run', pb, '-i', binv]);
  assert.is(ok.code, 0, ok.stdout + ok.stderr);
  const owner = await labExec(h.name, 'stat -c %U /srv/skiff-become');
  assert.is(owner.stdout.trim(), 'root');
  // a play's become, as in Ansible: on where the inventory does not ask for it, off where it does
  const plain = join(tmp, 'plain.yml');
  writeFileSync(plain, readFileSync(binv, 'utf8').replace('become: true, ', ''));
  const on = join(tmp, 'become-play.yml');
  writeFileSync(on, `- hosts: all\n  become: true\n  tasks:\n    - content: {path: /srv/skiff-become-play, content: "as root\\n"}\n`);
  const r1 = await skiff(['run', on, '-i', plain]);
  assert.is(r1.code, 0, r1.stdout + r1.stderr);
  assert.is((await labExec(h.name, 'stat -c %U /srv/skiff-become-play')).stdout.trim(), 'root');
  const off = join(tmp, 'no-become-play.yml');
  writeFileSync(off, `- hosts: all\n  become: false\n  tasks:\n    - content: {path: /home/skiffer/skiff-own, content: "as skiffer\\n"}\n`);
  const r2 = await skiff(['run', off, '-i', binv]);
  assert.is(r2.code, 0, r2.stdout + r2.stderr);
  assert.is((await labExec(h.name, 'stat -c %U /home/skiffer/skiff-own')).stdout.trim(), 'skiffer');
});

test("a handler notified under become to a user the play creates is kept through the login (Ansible's keyword_inheritance), and a later run runs it", async () => {
  if (!guard.lab()) return;
  const h = lab!.hosts[2];
  await labExec(h.name, 'userdel -r skifflater 2>/dev/null; rm -rf /home/skiffer/.cache/skiff /root/.cache/skiff; true');
  const plain = join(tmp, 'plain-handlers.yml');
  writeFileSync(plain, `all:\n  hosts:\n    ${h.name}: {address: ${h.address}, user: skiffer, private_key_file: ${lab!.keyFile}, known_hosts_file: ${lab!.knownHostsFile}}\n`);
  const play = (tail: string) => `- hosts: all
  become: true
  become_user: skifflater
  tasks:
    - command: useradd -m skifflater
      args: {creates: /home/skifflater}
      become_user: root
      notify: delete test user
${tail}  handlers:
    - name: delete test user
      command: userdel -r skifflater
      become_user: root
`;
  const failing = join(tmp, 'inherit-fail.yml');
  writeFileSync(failing, play('    - fail: {msg: stopped before the handlers}\n'));
  const r1 = await skiff(['run', failing, '-i', plain]);
  assert.is(r1.code, 2, r1.stdout + r1.stderr);
  assert.not.match(r1.stdout + r1.stderr, 'internal error');
  // the notification is kept on the host, under the login's own home
  const kept = await labExec(h.name, 'stat -c %U /home/skiffer/.cache/skiff/handlers/* && id -u skifflater');
  assert.is(kept.code, 0, kept.stderr);
  assert.match(kept.stdout, /^skiffer\n/);
  const completing = join(tmp, 'inherit-ok.yml');
  writeFileSync(completing, play(''));
  const r2 = await skiff(['run', completing, '-i', plain]);
  assert.is(r2.code, 0, r2.stdout + r2.stderr);
  assert.match(r2.stdout, 'RUNNING HANDLER [delete test user]');
  assert.is((await labExec(h.name, 'id -u skifflater')).code, 1, 'the handler deleted the user');
  assert.is((await labExec(h.name, 'ls -A /home/skiffer/.cache/skiff/handlers')).stdout.trim(), '', 'no pending marker left');
});

test.run();
