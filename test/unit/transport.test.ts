// Transport tests: local.ts against real child processes, ssh.ts against a real OpenSSH sshd that
// this file starts on 127.0.0.1 (random port, own host keys, foreground child, killed at the end).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { connectLocal } from '../../src/transport/local.ts';
import { shq } from '../../src/transport/quote.ts';
import { connectSsh, type SshOptions } from '../../src/transport/ssh.ts';
import { HostKeyMismatchError, UnreachableError, type Connection, type SshTarget } from '../../src/transport/types.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with what `p` settles to, or rejects after `ms` so no test can hang. */
function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what}: not settled within ${ms} ms`)), ms);
    }),
  ]);
}

async function rejection(p: Promise<unknown>, ms = 15_000): Promise<Error> {
  try {
    await within(ms, p, 'expected rejection');
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection, got a result');
}

/** Live (non-zombie) members of a process group. Zombies count for kill(0), and a container's PID 1
 * may never reap orphans, so ask ps. */
function liveInGroup(pgid: number): string[] {
  const ps = spawnSync('ps', ['-eo', 'pgid=,stat=,args='], { encoding: 'utf8' }).stdout;
  return ps.split('\n').filter((l) => {
    const [g, stat] = l.trim().split(/\s+/);
    return Number(g) === pgid && !stat.startsWith('Z');
  });
}

/**
 * onStdout delivers output while the command runs: the command prints "ready", then waits (bounded:
 * 100 x 50 ms) for a file that only the callback creates on seeing "ready". Without streaming it
 * would end with "no-go". A UTF-8 character split across two writes arrives whole, and a callback
 * that throws changes nothing.
 */
async function streamsStdout(c: Connection, scratch: string): Promise<void> {
  const go = join(scratch, `go-${Math.random().toString(36).slice(2)}`);
  let seen = '';
  const r = await within(15_000, c.exec(`echo ready; i=0; while [ ! -e ${shq(go)} ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done; [ -e ${shq(go)} ] && echo go || echo no-go`, {
    onStdout(chunk) {
      seen += chunk;
      if (seen.includes('ready\n')) writeFileSync(go, '');
    },
  }), 'streamed exec');
  assert.is(r.stdout, 'ready\ngo\n', 'the callback saw "ready" before the command ended');
  assert.is(seen, r.stdout, 'every chunk delivered, in order');
  let joined = '';
  const split = await c.exec(`printf '\\303'; sleep 0.2; printf '\\251\\n'`, { onStdout: (x) => (joined += x) });
  assert.is(split.stdout, 'é\n');
  assert.is(joined, 'é\n', 'no replacement characters at the split');
  const thrown = await c.exec('echo a; echo b', { onStdout: () => { throw new Error('progress bug'); } });
  assert.equal(thrown, { code: 0, stdout: 'a\nb\n', stderr: '' });
}

// ---------------------------------------------------------------------------------------------- local

const local = suite('local');
let lc: Connection;
local.before(() => {
  lc = connectLocal('localhost', false);
});
local.after(() => lc.close());

local('exit codes, stdout and stderr', async () => {
  assert.equal(await lc.exec('true'), { code: 0, stdout: '', stderr: '' });
  assert.equal(await lc.exec('echo out; echo err >&2; exit 3'), { code: 3, stdout: 'out\n', stderr: 'err\n' });
  assert.is((await lc.exec('kill -TERM $$')).code, 143); // 128 + SIGTERM
});

local('stdin is written then closed; without stdin, stdin is empty', async () => {
  assert.is((await lc.exec('cat', { stdin: 'a\nb\n' })).stdout, 'a\nb\n');
  assert.is((await lc.exec('wc -c', { stdin: Buffer.alloc(300_000, 0x61) })).stdout.trim(), '300000');
  assert.is((await within(5000, lc.exec('cat'), 'cat without stdin')).stdout, '');
  assert.is((await lc.exec('true', { stdin: 'x'.repeat(1 << 20) })).code, 0); // EPIPE ignored
});

local('hostile strings pass through exec literally', async () => {
  const v = `a'b"c $(echo no) \`echo no\` \n;$HOME`;
  assert.is((await lc.exec(`printf %s ${shq(v)}`)).stdout, v);
});

local('timeout: code 124, whole process group killed, bounded', async () => {
  const t0 = Date.now();
  const r = await within(5000, lc.exec('echo $$; sleep 30 & sleep 30; wait', { timeoutMs: 300 }), 'timeout');
  const ms = Date.now() - t0;
  assert.is(r.code, 124);
  assert.match(r.stderr, /timed out after 300 ms/);
  assert.ok(ms < 2500, `took ${ms} ms`);
  const pgid = Number(r.stdout.trim());
  assert.ok(pgid > 1);
  assert.equal(liveInGroup(pgid), [], 'background sleep must be killed too');
});

local('close() rejects a running command with UnreachableError and later execs too', async () => {
  const c = connectLocal('l2', false);
  const p = rejection(c.exec('sleep 30'), 3000);
  await sleep(100);
  await c.close();
  await c.close(); // idempotent
  const e = await p;
  assert.instance(e, UnreachableError);
  assert.instance(await rejection(c.exec('true')), UnreachableError);
});

local('onStdout: output arrives while the command runs, whole UTF-8 characters, callback errors ignored', async () => {
  await streamsStdout(lc, mkdtempSync(join(tmpdir(), 'skiff-stream-')));
});

local('become as root runs the command directly (no sudo needed)', async () => {
  if (process.getuid?.() !== 0) return console.log('  (not root: become test skipped)');
  const c = connectLocal('l3', true);
  assert.is((await c.exec('id -u')).stdout.trim(), '0');
  await c.close();
});

local.run();

// ------------------------------------------------------------------------------------------------ ssh

const SSHD = '/usr/sbin/sshd';
const ssh = suite('ssh');
// sshd needs its privilege separation directory, which only root can create
const sshdMissing = !existsSync(SSHD)
  ? `${SSHD} not found`
  : spawnSync('ssh-keygen', ['-?']).error !== undefined
    ? 'ssh-keygen not found'
    : process.getuid?.() !== 0 && !existsSync('/run/sshd')
      ? '/run/sshd missing and not root'
      : '';
const haveSshd = sshdMissing === '';
if (!haveSshd) {
  if (process.env.CI === 'true') throw new Error(`ssh tests cannot run with CI=true: ${sshdMissing}`);
  console.log(`transport.test: ssh tests skipped: ${sshdMissing}`);
}

const dir = mkdtempSync(join(tmpdir(), 'skiff-ssh-'));
let sshd: ChildProcess | undefined;
let sshdLog = '';
let port = 0;
const user = userInfo().username;
let hostFp = ''; // SHA256 fingerprint of the ed25519 host key, from ssh-keygen -l
const pub = (name: string) => readFileSync(join(dir, `${name}.pub`), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');

function keygen(...args: string[]): string {
  const r = spawnSync('ssh-keygen', args, { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`ssh-keygen ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const p = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return p;
}

let khN = 0;
/** A fresh known_hosts path (in a not-yet-existing directory) with the given lines, if any. */
function knownHosts(lines?: string[]): string {
  const d = join(dir, `kh${khN++}`);
  const f = join(d, 'known_hosts');
  if (lines) {
    mkdirSync(d);
    writeFileSync(f, lines.map((l) => `${l}\n`).join(''));
  }
  return f;
}

function target(over: Partial<SshTarget>): SshTarget {
  return {
    host: 'testhost',
    address: '127.0.0.1',
    port,
    user,
    privateKeyFile: join(dir, 'client'),
    become: false,
    knownHostsFile: knownHosts(),
    acceptNewHostKeys: false,
    connectTimeoutMs: 5000,
    ...over,
  };
}

const open: Connection[] = [];
async function connect(t: SshTarget, opts?: SshOptions): Promise<Connection> {
  const c = await within(10_000, connectSsh(t, opts), 'connectSsh');
  open.push(c);
  return c;
}

ssh.before(async () => {
  if (!haveSshd) return;
  for (const [name, type] of [['host_ed25519', 'ed25519'], ['host_ecdsa', 'ecdsa'], ['client', 'ed25519'], ['other', 'ed25519']]) {
    keygen('-q', '-t', type, '-f', join(dir, name), '-N', '', '-C', name);
  }
  hostFp = keygen('-l', '-E', 'sha256', '-f', join(dir, 'host_ed25519.pub')).split(/\s+/)[1];
  writeFileSync(join(dir, 'authorized_keys'), `${pub('client')}\n`);
  // a fake sudo on the session PATH: logs its argv, runs the command, or asks for a password
  mkdirSync(join(dir, 'bin'));
  writeFileSync(
    join(dir, 'bin', 'sudo'),
    `#!/bin/sh\nfor a in "$@"; do printf '<%s>' "$a"; done > ${dir}/sudo.argv\n` +
      `if [ -e ${dir}/sudo.password ]; then echo 'sudo: a password is required' >&2; exit 1; fi\n` +
      `[ "$1" = -n ] && shift\nexec "$@"\n`,
  );
  chmodSync(join(dir, 'bin', 'sudo'), 0o755);
  // a head that fails while head.broken exists: a host where the persistent session cannot start
  writeFileSync(join(dir, 'bin', 'head'), `#!/bin/sh\n[ -e ${dir}/head.broken ] && { echo 'head: broken' >&2; exit 1; }\nexec /usr/bin/head "$@"\n`);
  chmodSync(join(dir, 'bin', 'head'), 0o755);
  port = await freePort();
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${dir}/host_ed25519`,
      `HostKey ${dir}/host_ecdsa`,
      `AuthorizedKeysFile ${dir}/authorized_keys`,
      'PidFile none',
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'MaxSessions 10',
      // Debian's bash sources ~/.bashrc for ssh commands only when SHLVL is unset: this keeps the
      // machine's ~/.bashrc (slow pyenv init here) out of the tests, and keeps our kills of timed-out
      // sessions from interrupting it (an interrupted `pyenv rehash` leaves a stale lock behind).
      `SetEnv PATH=${dir}/bin:/usr/local/bin:/usr/bin:/bin SHLVL=1`,
      'LogLevel INFO',
    ].join('\n') + '\n',
  );
  if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  process.once('exit', () => sshd?.exitCode === null && sshd.kill('SIGKILL')); // even if the run dies early
  // under coreutils `timeout` when present, so even a killed test run leaves no sshd behind for long
  // (timeout passes our SIGTERM on to sshd)
  const args = [SSHD, '-D', '-e', '-f', join(dir, 'sshd_config')];
  const bounded = spawnSync('timeout', ['--version']).status === 0;
  sshd = spawn(bounded ? 'timeout' : args[0], bounded ? ['300', ...args] : args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  await within(
    10_000,
    new Promise<void>((resolve, reject) => {
      sshd!.stderr!.on('data', (b: Buffer) => {
        sshdLog += b.toString();
        if (sshdLog.includes(`Server listening on 127.0.0.1 port ${port}`)) resolve();
      });
      sshd!.on('exit', (code) => reject(new Error(`sshd exited (${code}): ${sshdLog}`)));
    }),
    'sshd start',
  );
});

ssh.after(async () => {
  await Promise.all(open.map((c) => within(5000, c.close(), 'close')));
  if (sshd && sshd.exitCode === null) {
    const exited = new Promise((r) => sshd!.once('exit', r));
    sshd.kill('SIGTERM');
    await within(3000, exited, 'sshd exit').catch(() => sshd!.kill('SIGKILL'));
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Registers an ssh test that is skipped (with the reason printed once) when sshd is unavailable. */
function sshTest(name: string, fn: () => Promise<void>): void {
  ssh(name, async () => {
    if (haveSshd) await fn();
  });
}

sshTest('unknown host key without accept: refused, says how to accept, shows the fingerprint', async () => {
  const t = target({});
  const e = await rejection(connectSsh(t));
  assert.instance(e, UnreachableError);
  assert.not.instance(e, HostKeyMismatchError);
  assert.match(e.message, '--accept-new-host-keys');
  assert.match(e.message, hostFp);
  assert.not.ok(existsSync(t.knownHostsFile), 'nothing written');
});

let acceptedFile = '';
sshTest('unknown + acceptNewHostKeys: line appended (0600, dir created); then known without accept', async () => {
  const t = target({ acceptNewHostKeys: true });
  const c = await connect(t);
  assert.is((await c.exec('echo ok')).stdout, 'ok\n');
  const text = readFileSync(t.knownHostsFile, 'utf8');
  assert.is(text, `[127.0.0.1]:${port} ${pub('host_ed25519')}\n`);
  assert.is(statSync(t.knownHostsFile).mode & 0o777, 0o600);
  // OpenSSH itself accepts the file we wrote, with strict checking
  const r = spawnSync(
    'ssh',
    ['-p', String(port), '-i', join(dir, 'client'), '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes',
      '-o', `UserKnownHostsFile=${t.knownHostsFile}`, '-o', 'GlobalKnownHostsFile=/dev/null', `${user}@127.0.0.1`, 'echo viassh'],
    { encoding: 'utf8', timeout: 15_000 },
  );
  if (r.error === undefined) assert.is(r.stdout, 'viassh\n', r.stderr);
  acceptedFile = t.knownHostsFile;
  const c2 = await connect(target({ knownHostsFile: acceptedFile }));
  assert.is((await c2.exec('echo again')).stdout, 'again\n');
  assert.is(readFileSync(acceptedFile, 'utf8'), text, 'nothing appended the second time');
});

sshTest('accept appends after a last line that has no newline', async () => {
  const f = knownHosts();
  mkdirSync(join(f, '..'));
  writeFileSync(f, `otherhost ${pub('other')}`);
  await connect(target({ knownHostsFile: f, acceptNewHostKeys: true }));
  assert.is(readFileSync(f, 'utf8'), `otherhost ${pub('other')}\n[127.0.0.1]:${port} ${pub('host_ed25519')}\n`);
});

sshTest('exec: stdout, stderr, exit codes, stdin, hostile strings; timings', async () => {
  const t0 = performance.now();
  const c = await connect(target({ knownHostsFile: acceptedFile }));
  const connectMs = performance.now() - t0;
  assert.equal(await c.exec('echo out; echo err >&2; exit 7'), { code: 7, stdout: 'out\n', stderr: 'err\n' });
  assert.is((await c.exec('cat', { stdin: 'in\nput' })).stdout, 'in\nput');
  assert.is((await c.exec('wc -c', { stdin: Buffer.alloc(500_000, 0x62) })).stdout.trim(), '500000');
  assert.is((await within(5000, c.exec('cat'), 'cat without stdin')).stdout, '');
  const v = `a'b"c $(touch ${dir}/pwned) \`touch ${dir}/pwned\` \n;$HOME`;
  assert.is((await c.exec(`printf %s ${shq(v)}`)).stdout, v);
  assert.not.ok(existsSync(join(dir, 'pwned')));
  assert.is((await c.exec('echo "$0"')).stdout, 'sh\n', 'runs under sh -c whatever the login shell');
  const n = 20;
  const rtt = async (x: Connection) => {
    const t1 = performance.now();
    for (let i = 0; i < n; i++) await x.exec('true');
    return ((performance.now() - t1) / n).toFixed(1);
  };
  const channels = await connect(target({ knownHostsFile: acceptedFile }), { sessions: 0 });
  console.log(`  ssh loopback: connect ${connectMs.toFixed(0)} ms, round trip (avg of ${n}) ${await rtt(c)} ms in a session, ${await rtt(channels)} ms with an exec channel each`);
});

sshTest('12 concurrent execs on one connection succeed (channel semaphore, MaxSessions 10)', async () => {
  const c = await connect(target({ knownHostsFile: acceptedFile }));
  const t0 = performance.now();
  const rs = await within(20_000, Promise.all([...Array(12).keys()].map((i) => c.exec(`sleep 0.3; echo ${i}`))), '12 execs');
  rs.forEach((r, i) => assert.equal(r, { code: 0, stdout: `${i}\n`, stderr: '' }));
  console.log(`  12 x 'sleep 0.3' over 8 channels: ${(performance.now() - t0).toFixed(0)} ms`);
  // and the limit is real: without it, sshd refuses the sessions past MaxSessions (once the bounded
  // retries of a refused open, ~1.5 s, run out: the commands here outlast them)
  const unlimited = await connect(target({ knownHostsFile: acceptedFile }), { maxChannels: 12, sessions: 0 });
  const settled = await within(20_000, Promise.allSettled([...Array(12).keys()].map(() => unlimited.exec('sleep 3'))), 'unlimited');
  const failed = settled.filter((s) => s.status === 'rejected') as PromiseRejectedResult[];
  assert.ok(failed.length > 0, 'expected sshd to refuse sessions past MaxSessions');
  assert.match(String(failed[0].reason.message), /cannot open a session channel/);
});

sshTest('wrong key for [127.0.0.1]:PORT: HostKeyMismatchError with fingerprint, even with accept', async () => {
  for (const accept of [false, true]) {
    const f = knownHosts([`[127.0.0.1]:${port} ${pub('other')}`]);
    const e = await rejection(connectSsh(target({ knownHostsFile: f, acceptNewHostKeys: accept })));
    assert.instance(e, HostKeyMismatchError);
    assert.match(e.message, hostFp);
    assert.is((e as HostKeyMismatchError).fingerprint, hostFp);
    assert.is((e as HostKeyMismatchError).knownHostsFile, f);
    assert.is(readFileSync(f, 'utf8'), `[127.0.0.1]:${port} ${pub('other')}\n`, 'file untouched');
  }
});

/** A jump hop to the same sshd: the second handshake runs over a stream forwarded through the first. */
const hop = (over: Partial<SshTarget> = {}) => ({ host: 'bastion', address: '127.0.0.1', port, user, privateKeyFile: join(dir, 'client'), knownHostsFile: acceptedFile, acceptNewHostKeys: false, connectTimeoutMs: 5000, ...over });
const accepted = () => (sshdLog.match(/Accepted publickey/g) ?? []).length;

sshTest('through a jump host (twice, and two hops): each hop checked, one connection per hop for every host behind it', async () => {
  const before = accepted();
  const a = await connect(target({ knownHostsFile: acceptedFile, jumps: [hop()] }));
  assert.is((await a.exec('echo through')).stdout, 'through\n');
  const b = await connect(target({ host: 'other', knownHostsFile: acceptedFile, jumps: [hop()] }));
  assert.is((await b.exec('echo again')).stdout, 'again\n');
  // the jump host was logged in to once, each target once (sshd's own log)
  assert.is(accepted() - before, 3);
  const two = await connect(target({ knownHostsFile: acceptedFile, jumps: [hop(), hop({ host: 'inner' })] }));
  assert.is((await two.exec('echo two')).stdout, 'two\n');
});

sshTest("a jump host's changed key is refused like any other, and the error names the hop", async () => {
  const f = knownHosts([`[127.0.0.1]:${port} ${pub('other')}`]);
  const e = await rejection(connectSsh(target({ knownHostsFile: acceptedFile, jumps: [hop({ knownHostsFile: f, acceptNewHostKeys: true })] })));
  assert.instance(e, HostKeyMismatchError);
  assert.match(e.message, 'bastion');
  const refused = await rejection(connectSsh(target({ knownHostsFile: acceptedFile, jumps: [hop({ privateKeyFile: join(dir, 'other') })] })));
  assert.instance(refused, UnreachableError);
  assert.match(refused.message, /jump host bastion \(.*@127\.0\.0\.1:\d+\)/);
});

sshTest('host name look-up: a match by name is enough; a mismatch by name refuses', async () => {
  const byName = knownHosts([`[testhost]:${port} ${pub('host_ed25519')}`]);
  await connect(target({ knownHostsFile: byName }));
  const conflicting = knownHosts([`[127.0.0.1]:${port} ${pub('host_ed25519')}`, `[testhost]:${port} ${pub('other')}`]);
  assert.instance(await rejection(connectSsh(target({ knownHostsFile: conflicting }))), HostKeyMismatchError);
});

sshTest('@revoked host key is refused as a mismatch', async () => {
  const f = knownHosts([`[127.0.0.1]:${port} ${pub('host_ed25519')}`, `@revoked * ${pub('host_ed25519')}`]);
  assert.instance(await rejection(connectSsh(target({ knownHostsFile: f, acceptNewHostKeys: true }))), HostKeyMismatchError);
});

sshTest('hashed known_hosts (ssh-keygen -H) matches', async () => {
  const f = knownHosts([`[127.0.0.1]:${port} ${pub('host_ed25519')}`]);
  keygen('-H', '-f', f);
  assert.match(readFileSync(f, 'utf8'), /^\|1\|/);
  const c = await connect(target({ knownHostsFile: f }));
  assert.is((await c.exec('echo hashed')).stdout, 'hashed\n');
});

sshTest('a host known only by its ECDSA key negotiates ECDSA (no spurious "unknown")', async () => {
  const f = knownHosts([`[127.0.0.1]:${port} ${pub('host_ecdsa')}`]);
  const c = await connect(target({ knownHostsFile: f }));
  assert.is((await c.exec('echo ecdsa')).stdout, 'ecdsa\n');
});

sshTest('become: runs `sudo -n sh -c CMD`; a sudo password prompt is a clear error', async () => {
  for (const sessions of [0, undefined]) {
    const c = await connect(target({ knownHostsFile: acceptedFile, become: true }), { sessions });
    assert.is((await c.exec(`echo 'it''s'`)).stdout, 'its\n');
    const argv = readFileSync(join(dir, 'sudo.argv'), 'utf8');
    // with a session, sudo runs once: for the helper, which then runs every command as root
    if (sessions === 0) assert.is(argv, `<-n><sh><-c><echo 'it''s'>`);
    else assert.match(argv, /^<-n><sh><-c><__skiff_h=/);
    writeFileSync(join(dir, 'sudo.argv'), '');
    assert.is((await c.exec('echo again')).stdout, 'again\n');
    assert.is(readFileSync(join(dir, 'sudo.argv'), 'utf8'), sessions === 0 ? `<-n><sh><-c><echo again>` : '', 'no second sudo');
    writeFileSync(join(dir, 'sudo.password'), '');
    const notes: string[] = [];
    const c2 = await connect(target({ knownHostsFile: acceptedFile, become: true }), { sessions, onNote: (n) => notes.push(n) });
    const e = await rejection(c2.exec('true'));
    assert.match(e.message, /become: sudo needs a password on testhost/);
    if (sessions !== 0) assert.match(notes.join(''), /testhost: one exec per command .*sudo: a password is required/);
    rmSync(join(dir, 'sudo.password'));
  }
});

sshTest('a host where the session helper cannot start: one exec per command, said once in a note', async () => {
  writeFileSync(join(dir, 'head.broken'), '');
  try {
    const notes: string[] = [];
    const c = await connect(target({ knownHostsFile: acceptedFile }), { onNote: (n) => notes.push(n) });
    for (let i = 0; i < 3; i++) assert.equal(await c.exec('echo out; echo err >&2; exit 3'), { code: 3, stdout: 'out\n', stderr: 'err\n' });
    assert.is(notes.length, 1, notes.join('\n'));
    assert.match(notes[0], /^testhost: one exec per command \(the persistent session did not start: .*skiff-session-unusable/);
  } finally {
    rmSync(join(dir, 'head.broken'));
  }
});

sshTest('timeout: code 124, bounded, remote command ended', async () => {
  const c = await connect(target({ knownHostsFile: acceptedFile }));
  const t0 = Date.now();
  const r = await within(5000, c.exec('sleep 31.4159', { timeoutMs: 300 }), 'timeout');
  assert.is(r.code, 124);
  assert.match(r.stderr, /timed out after 300 ms/);
  assert.ok(Date.now() - t0 < 2500, `took ${Date.now() - t0} ms`);
  const left = spawnSync('pgrep', ['-f', 'sleep 31.4159'], { encoding: 'utf8' }).stdout.trim();
  assert.is(left, '', 'remote sleep still running');
  assert.is((await c.exec('echo still-usable')).stdout, 'still-usable\n');
  // 12 at once, all timing out: every one is killed, and no session slot is left taken
  const rs = await within(20_000, Promise.all([...Array(12).keys()].map(() => c.exec('sleep 32.718', { timeoutMs: 300 }))), '12 timeouts');
  assert.equal(rs.map((r) => r.code), Array(12).fill(124));
  assert.is(spawnSync('pgrep', ['-f', 'sleep 32.718'], { encoding: 'utf8' }).stdout.trim(), '', 'remote sleeps still running');
  const again = await within(10_000, Promise.all([...Array(8).keys()].map(() => c.exec('echo ok'))), '8 more');
  assert.ok(again.every((r) => r.stdout === 'ok\n'));
});

sshTest('onStdout: output arrives while the command runs, whole UTF-8 characters, callback errors ignored', async () => {
  await streamsStdout(await connect(target({ knownHostsFile: acceptedFile })), dir);
});

sshTest('connection lost while commands run: they reject with UnreachableError', async () => {
  const c = await connect(target({ knownHostsFile: acceptedFile }));
  // the command's parent is the login shell (kept alive by the exec tag), whose parent is the
  // per-connection sshd session process
  const sessionPid = Number((await c.exec('ps -o ppid= -p $PPID')).stdout.trim());
  assert.ok(sessionPid > 1);
  const p = rejection(c.exec('sleep 3'), 5000); // left running on the host, as with ssh(1)
  await sleep(200);
  process.kill(sessionPid, 'SIGKILL');
  const e = await p;
  assert.instance(e, UnreachableError);
  assert.instance(await rejection(c.exec('true')), UnreachableError);
});

sshTest('close(): idempotent, rejects in-flight execs', async () => {
  const c = await connect(target({ knownHostsFile: acceptedFile }));
  const p = rejection(c.exec('sleep 3'), 3000); // handler attached now: close() rejects it before resolving
  await sleep(200);
  await within(3000, Promise.all([c.close(), c.close()]), 'close');
  assert.instance(await p, UnreachableError);
});

sshTest('auth through ssh-agent (SSH_AUTH_SOCK) when no key file is set', async () => {
  const sock = join(dir, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
  const saved = process.env.SSH_AUTH_SOCK;
  try {
    for (let i = 0; i < 50 && !existsSync(sock); i++) await sleep(50);
    const add = spawnSync('ssh-add', [join(dir, 'client')], { env: { ...process.env, SSH_AUTH_SOCK: sock }, timeout: 10_000 });
    assert.is(add.status, 0, String(add.stderr));
    process.env.SSH_AUTH_SOCK = sock;
    const c = await connect(target({ privateKeyFile: undefined, knownHostsFile: acceptedFile }));
    assert.is((await c.exec('echo agent')).stdout, 'agent\n');
    delete process.env.SSH_AUTH_SOCK;
    const e = await rejection(connectSsh(target({ privateKeyFile: undefined, knownHostsFile: acceptedFile })));
    assert.match(e.message, /no credentials/);
  } finally {
    if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
    else process.env.SSH_AUTH_SOCK = saved;
    agent.kill('SIGTERM');
  }
});

sshTest('connect errors are UnreachableError: refused port, unreadable key, wrong key', async () => {
  const closed = await freePort();
  assert.instance(await rejection(connectSsh(target({ port: closed }))), UnreachableError);
  const missing = join(dir, 'nope');
  const e = await rejection(connectSsh(target({ privateKeyFile: missing, knownHostsFile: acceptedFile })));
  assert.instance(e, UnreachableError);
  assert.match(e.message, missing);
  const e2 = await rejection(connectSsh(target({ privateKeyFile: join(dir, 'other'), knownHostsFile: acceptedFile })));
  assert.instance(e2, UnreachableError);
  assert.match(e2.message, /authentication/i);
});

ssh.run();
