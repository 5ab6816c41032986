// Reaching a real fleet (#10) on the lab: the Prometheus hosts answer SSH only from the monitoring
// host (a bastion, enforced by iptables in their network namespaces), prom3 only from prom2 (two hops);
// prom1 is logged in to as `deploy`, whose sudo asks for a password; the objstore keys come from a file
// the real ansible-vault encrypted. thanos.yml is applied through all of that, secrets shown nowhere.
// Then: a changed key on the bastion is refused; an encrypted private key works through ssh-agent, or
// with its passphrase, and without either is bad input before any connection.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labExec, type Lab } from '../../lab/lab.ts';
import { useLab } from './use-lab.ts';
import { ROOT, SKIFF, skiff } from '../helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'skiff-reach-'));
const PW_FILE = join(tmp, 'vault-pass');
const BECOME_PW = 'deploy-sudo-pw-4711';
const BUCKET = '/var/tmp/thanos-bucket-from-vault';
let lab: Lab | undefined;
let inv = '';
let invAsk = '';

/** SSH to port 22 from this machine (the controller): does it connect within 2 s? */
const reachable = (address: string) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: address, port: 22, timeout: 2000 });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('timeout', () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(false));
  });

// prom1 and prom2 answer SSH from the monitoring host only; prom3 from prom2 only
const ISOLATE: Record<string, string> = {
  prom1: 'INPUT -p tcp --dport 22 -s 10.213.0.1 -j DROP',
  prom2: 'INPUT -p tcp --dport 22 -s 10.213.0.1 -j DROP',
  prom3: 'INPUT -p tcp --dport 22 ! -s 10.213.0.12 -j DROP',
};
const iptables = (h: string, op: '-I' | '-D') => labExec(h, `iptables ${op} ${ISOLATE[h]}`);

/** inventory/lab as an operator behind a bastion would write it: proxy_jump, a sudo user, paths absolute. */
function writeInventory(dir: string, withVaultedBecome: boolean, become: string) {
  cpSync(join(ROOT, 'inventory/lab'), dir, { recursive: true });
  const all = join(dir, 'group_vars/all.yml');
  writeFileSync(all, readFileSync(all, 'utf8').replace('../../.lab/id_ed25519', lab!.keyFile).replace('../../.lab/known_hosts', lab!.knownHostsFile));
  writeFileSync(
    join(dir, 'hosts.yml'),
    `all:
  children:
    prometheus:
      vars: {proxy_jump: monitoring}
      hosts:
        prom1: {address: 10.213.0.11, user: deploy, become: true}
        prom2: {address: 10.213.0.12}
        prom3: {address: 10.213.0.13, user: scylla, container_engine: podman, thanos_objstore_file: /home/scylla/thanos/objstore.yml, proxy_jump: prom2}
    monitoring:
      hosts:
        monitoring: {address: 10.213.0.10}
`,
  );
  if (withVaultedBecome) {
    mkdirSync(join(dir, 'host_vars'), { recursive: true });
    writeFileSync(join(dir, 'host_vars/prom1.yml'), become + '\n');
  }
}

const guard = useLab(test, 'reaching a fleet: bastion, sudo password, vault', {}, async (l) => {
  lab = l;
  writeFileSync(PW_FILE, 'lab-vault-password\n');
  // deploy: a login whose sudo asks for its password
  const setup = await labExec(
    'prom1',
    `id deploy >/dev/null 2>&1 || useradd -m -s /bin/sh deploy; echo 'deploy:${BECOME_PW}' | chpasswd && mkdir -p /home/deploy/.ssh && cp /root/.ssh/authorized_keys /home/deploy/.ssh/ && chown -R deploy /home/deploy/.ssh && echo 'deploy ALL=(ALL) ALL' > /etc/sudoers.d/deploy && chmod 0440 /etc/sudoers.d/deploy`,
  );
  assert.is(setup.code, 0, setup.stderr);
  // the become password, encrypted by skiff; the objstore keys, by the real ansible-vault
  const enc = await skiff(['vault', 'encrypt_string', '--vault-password-file', PW_FILE, '--name', 'become_password', BECOME_PW]);
  assert.is(enc.code, 0, enc.stderr);
  inv = join(tmp, 'inv');
  writeInventory(inv, true, enc.stdout);
  invAsk = join(tmp, 'inv-ask');
  writeInventory(invAsk, false, '');
  const secrets = join(tmp, 'objstore.yml');
  writeFileSync(secrets, `thanos_objstore: {type: FILESYSTEM, config: {directory: ${BUCKET}}}\n`);
  execFileSync('ansible-vault', ['encrypt', '--vault-password-file', PW_FILE, secrets]);
  assert.match(readFileSync(secrets, 'utf8'), /^\$ANSIBLE_VAULT;1\.1;AES256/);
  for (const h of Object.keys(ISOLATE)) assert.is((await iptables(h, '-I')).code, 0);
});

test.after(async () => {
  if (lab) for (const h of Object.keys(ISOLATE)) await iptables(h, '-D');
});

const secretsNowhere = (texts: string[]) => {
  for (const t of texts) {
    assert.not.match(t, BECOME_PW);
    assert.not.match(t, BUCKET);
  }
};

test('thanos.yml through the bastion (prom3: two hops), sudo with a vaulted password, objstore keys from ansible-vault: applied, then 0 changed', async () => {
  if (!guard.lab()) return;
  for (const a of ['10.213.0.11', '10.213.0.12', '10.213.0.13']) assert.not.ok(await reachable(a), `${a} must not answer SSH from here`);
  assert.ok(await reachable('10.213.0.10'), 'the bastion answers');
  const report = join(tmp, 'r1.json');
  const args = ['run', 'playbooks/thanos.yml', '-i', inv, '-e', `@${join(tmp, 'objstore.yml')}`, '--vault-password-file', PW_FILE];
  const r1 = await skiff([...args, '--report', report, '--diff'], { timeoutMs: 600_000 });
  assert.is(r1.code, 0, r1.stdout + r1.stderr);
  // prom1's work ran as root, through deploy's sudo
  assert.match((await labExec('prom1', `docker inspect sidecar --format '{{.State.Running}}'`)).stdout, 'true');
  assert.match((await labExec('prom1', `docker inspect aprom --format '{{range .Args}}{{.}} {{end}}'`)).stdout, '--storage.tsdb.min-block-duration=2h');
  secretsNowhere([r1.stdout, r1.stderr, readFileSync(report, 'utf8')]);
  const r2 = await skiff([...args, '--report', join(tmp, 'r2.json')], { timeoutMs: 600_000 });
  assert.is(r2.code, 0, r2.stdout + r2.stderr);
  const recap = JSON.parse(readFileSync(join(tmp, 'r2.json'), 'utf8')).recap as Record<string, { changed: number }>;
  assert.equal(Object.entries(recap).filter(([, x]) => x.changed).map(([h]) => h), [], r2.stdout);
  secretsNowhere([r2.stdout, r2.stderr]);
});

test('-K: the sudo password typed at the prompt (no echo) works the same', async () => {
  if (!guard.lab()) return;
  if (spawnSync('script', ['--version']).status !== 0) throw new Error('script(1) (util-linux) is needed to give -K a terminal');
  const cmd = `(sleep 2; printf '${BECOME_PW}\\r') | script -qec "${process.execPath} ${SKIFF} run playbooks/thanos.yml -i ${invAsk} --limit prom1 --check -e @${join(tmp, 'objstore.yml')} --vault-password-file ${PW_FILE} -K; echo EXIT=\\$?" /dev/null`;
  const r = spawnSync('sh', ['-c', cmd], { cwd: ROOT, encoding: 'utf8', timeout: 300_000, env: { ...process.env, CI: 'true' } });
  assert.match(r.stdout, /BECOME password: /);
  assert.match(r.stdout, /EXIT=0/, r.stdout + r.stderr);
  assert.not.match(r.stdout, BECOME_PW);
  // without -K and without the vaulted one: sudo's need for a password is said, not hung on
  const none = await skiff(['run', 'playbooks/thanos.yml', '-i', invAsk, '--limit', 'prom1', '--check', '-e', `@${join(tmp, 'objstore.yml')}`, '--vault-password-file', PW_FILE], { timeoutMs: 120_000 });
  assert.is(none.code, 2, none.stdout + none.stderr);
  assert.match(none.stdout, /sudo needs a password on prom1: give it with -K/);
});

test('a changed host key on the bastion is refused like any other, naming the jump host', async () => {
  if (!guard.lab()) return;
  const bad = join(tmp, 'known_hosts-bad');
  const other = join(tmp, 'otherkey');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
  const otherPub = readFileSync(`${other}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
  // every host as recorded, except the bastion, which now shows another key
  writeFileSync(bad, readFileSync(lab!.knownHostsFile, 'utf8').split('\n').map((l) => (l.startsWith('10.213.0.10 ') ? `10.213.0.10 ${otherPub}` : l)).join('\n'));
  const r = await skiff(['run', 'playbooks/thanos.yml', '-i', inv, '--limit', 'prom2', '--check', '-e', `known_hosts_file=${bad}`, '-e', `@${join(tmp, 'objstore.yml')}`, '--vault-password-file', PW_FILE, '--accept-new-host-keys']);
  assert.is(r.code, 4, r.stdout + r.stderr);
  assert.match(r.stdout, /does not match/);
  assert.match(r.stdout, /monitoring/);
});

test('an encrypted private key: through ssh-agent holding it, or with its passphrase; with neither, exit 5 before any connection', async () => {
  if (!guard.lab()) return;
  const key = join(tmp, 'enc_key');
  cpSync(lab!.keyFile, key);
  cpSync(`${lab!.keyFile}.pub`, `${key}.pub`);
  execFileSync('ssh-keygen', ['-q', '-p', '-f', key, '-N', 'key-passphrase-99', '-P', '']);
  const pb = join(tmp, 'one.yml');
  writeFileSync(pb, '- hosts: all\n  tasks:\n    - {name: who, command: "id -un", changed_when: false}\n');
  const one = join(tmp, 'one-inv.yml');
  writeFileSync(one, `all:\n  hosts:\n    monitoring: {address: 10.213.0.10, user: root, private_key_file: ${key}, known_hosts_file: ${lab!.knownHostsFile}}\n`);
  // an agent holding the same key (added unencrypted: the agent keeps keys decrypted anyway)
  const sock = join(tmp, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 50 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 100));
    execFileSync('ssh-add', [lab!.keyFile], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
    const viaAgent = await skiff(['run', pb, '-i', one], { env: { SSH_AUTH_SOCK: sock } });
    assert.is(viaAgent.code, 0, viaAgent.stdout + viaAgent.stderr);
  } finally {
    agent.kill();
    rmSync(sock, { force: true });
  }
  // no agent: the passphrase from a vault var
  const enc = await skiff(['vault', 'encrypt_string', '--vault-password-file', PW_FILE, '--name', 'private_key_passphrase', 'key-passphrase-99']);
  const withPass = join(tmp, 'pass-inv');
  mkdirSync(join(withPass, 'host_vars'), { recursive: true });
  writeFileSync(join(withPass, 'hosts.yml'), readFileSync(one, 'utf8'));
  writeFileSync(join(withPass, 'host_vars/monitoring.yml'), enc.stdout + '\n');
  const viaVault = await skiff(['run', pb, '-i', withPass, '--vault-password-file', PW_FILE], { env: { SSH_AUTH_SOCK: '' } });
  assert.is(viaVault.code, 0, viaVault.stdout + viaVault.stderr);
  assert.not.match(viaVault.stdout + viaVault.stderr, 'key-passphrase-99');
  const neither = await skiff(['run', pb, '-i', one], { env: { SSH_AUTH_SOCK: '' } });
  assert.is(neither.code, 5, neither.stdout + neither.stderr);
  assert.match(neither.stderr, /is encrypted: expected its passphrase/);
  assert.match(neither.stderr, /nothing was run/);
});

test.run();
