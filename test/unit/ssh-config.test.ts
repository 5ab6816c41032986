// ~/.ssh/config, ProxyJump and Ansible's ssh args, as skiff reads them (src/inventory/ssh-config.ts),
// and the connection settings they make with the inventory's (src/engine/connection-settings.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sshArgs, parseJumps, sshConfigFor } from '../../src/inventory/ssh-config.ts';
import { prepare } from '../../src/engine/prepare.ts';
import { REGISTRY } from '../../tasks/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-sshcfg-'));
const env = { home: '/home/op', localUser: 'op' };
const cfg = join(dir, 'config');
writeFileSync(
  cfg,
  `Host bastion
  HostName 203.0.113.5
  User jump
  Port 2222
Host prom*
  ProxyJump bastion
  IdentityFile %d/.ssh/prom_%r
  StrictHostKeyChecking accept-new
  User scylla
Host *
  User fallback
  ConnectTimeout 7
  UserKnownHostsFile ~/.ssh/kh1 ~/.ssh/kh2
`,
);

test('first match wins per keyword, as OpenSSH applies it; tokens expanded', () => {
  assert.equal(sshConfigFor(cfg, 'prom1', env), {
    user: 'scylla',
    private_key_file: '/home/op/.ssh/prom_scylla',
    proxy_jump: 'bastion',
    known_hosts_file: '~/.ssh/kh1',
    connect_timeout: 7,
    accept_new_host_keys: true,
  });
  assert.equal(sshConfigFor(cfg, 'bastion', env), { address: '203.0.113.5', user: 'jump', port: 2222, known_hosts_file: '~/.ssh/kh1', connect_timeout: 7 });
  assert.equal(sshConfigFor(join(dir, 'none'), 'x', env), {}, 'no file: nothing');
});

test('ProxyJump lists: user, host, port, several hops', () => {
  assert.equal(parseJumps('ops@bastion:2222,inner'), { jumps: [{ user: 'ops', host: 'bastion', port: 2222 }, { user: undefined, host: 'inner', port: undefined }] });
  assert.equal(parseJumps(['a', 'root@[fd00::1]:22']), { jumps: [{ user: undefined, host: 'a', port: undefined }, { user: 'root', host: 'fd00::1', port: 22 }] });
  assert.ok('error' in parseJumps('a b'));
  assert.ok('error' in parseJumps('h:99999'));
});

test("Ansible's ssh args: the jump host read from ProxyJump, -J and ProxyCommand ssh -W; the rest named", () => {
  assert.equal(sshArgs('-o ProxyJump=ops@bastion'), { proxy_jump: 'ops@bastion', unsupported: [] });
  assert.equal(sshArgs('-J bastion:2200'), { proxy_jump: 'bastion:2200', unsupported: [] });
  assert.equal(sshArgs(`-o ProxyCommand="ssh -W %h:%p -q ops@bastion"`), { proxy_jump: 'ops@bastion', unsupported: [] });
  assert.equal(sshArgs('-o ProxyJump=b -o ForwardAgent=yes -C'), { proxy_jump: 'b', unsupported: ['-o ForwardAgent=yes', '-C'] });
});

test("Ansible's ssh args: the known hosts file and host key checking that stays on are honoured; checking off is refused", () => {
  assert.equal(sshArgs('-o UserKnownHostsFile=/etc/kh -o StrictHostKeyChecking=yes'), { known_hosts_file: '/etc/kh', unsupported: [] });
  assert.equal(sshArgs('-oUserKnownHostsFile="~/a b" -o StrictHostKeyChecking=accept-new'), { known_hosts_file: '~/a', accept_new_host_keys: true, unsupported: [] });
  assert.equal(sshArgs('-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'), { known_hosts_file: '/dev/null', unsupported: ['-o StrictHostKeyChecking=no'] });
});

const key = join(dir, 'id');
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
const enc = join(dir, 'id_enc');
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'open sesame', '-f', enc]);
const pb = join(dir, 'pb.yml');
writeFileSync(pb, '- hosts: all\n  tasks:\n    - debug: {msg: hi}\n');
const check = (inventory: string, extra: object = {}) => {
  const inv = join(dir, `inv${Math.random()}.yml`);
  writeFileSync(inv, inventory);
  return prepare({ playbook: pb, inventory: inv, extraVars: [], check: true, diff: false, acceptNewHostKeys: false, ...extra }, REGISTRY);
};

test('settings: inventory over ~/.ssh/config; jump hosts by inventory name or [user@]host, the file applied to them too', () => {
  const r = check(`all:\n  vars: {ssh_config_file: ${cfg}, private_key_file: ${key}}\n  hosts:\n    mon: {address: 10.0.0.10, user: root}\n    prom1: {address: prom1, proxy_jump: mon}\n    prom2: {address: prom2, user: me}\n    prom3: {address: prom3, ansible_ssh_common_args: "-o ProxyJump=deploy@10.0.0.10,10.0.0.11:2200"}\n`);
  assert.equal(r.problems, []);
  const c = r.prepared!.conns;
  assert.equal([c.get('prom1')!.user, c.get('prom1')!.private_key_file, c.get('prom1')!.jumps.map((j) => `${j.user}@${j.address}:${j.port}`)], ['scylla', key, ['root@10.0.0.10:22']]);
  // prom2: ProxyJump bastion from the file, bastion's HostName/User/Port from the file too
  assert.equal(c.get('prom2')!.jumps.map((j) => `${j.user}@${j.address}:${j.port}`), ['jump@203.0.113.5:2222']);
  assert.is(c.get('prom2')!.user, 'me', 'the inventory wins');
  assert.is(c.get('prom2')!.accept_new_host_keys, true);
  assert.equal(c.get('prom3')!.jumps.map((j) => `${j.user}@${j.address}:${j.port}`), ['deploy@10.0.0.10:22', 'fallback@10.0.0.11:2200']);
});

test('bad input before any host: a jump loop, ssh args that cannot be honoured, a plain-text password, an encrypted key with no way to open it', () => {
  const loop = check(`all:\n  hosts:\n    a: {proxy_jump: b, private_key_file: ${key}, ssh_config_file: /nonexistent}\n    b: {proxy_jump: a, private_key_file: ${key}, ssh_config_file: /nonexistent}\n`);
  assert.match(loop.problems.map((p) => p.message).join('\n'), /nest more than 8 deep/);
  const args = check(`all:\n  hosts:\n    a: {private_key_file: ${key}, ansible_ssh_common_args: "-o ForwardAgent=yes", ssh_config_file: /nonexistent}\n`);
  assert.match(args.problems[0].message, /ansible_ssh_common_args: "-o ForwardAgent=yes" cannot be honoured by skiff/);
  // a local host never reads them (Reference-Ansible-project's all: vars: -o StrictHostKeyChecking=no, its hosts made local)
  assert.equal(check(`all:\n  vars: {ansible_ssh_common_args: "-o StrictHostKeyChecking=no"}\n  hosts:\n    a: {ansible_connection: local}\n`).problems, []);
  // a directory (or an unreadable file) as ssh_config_file: bad input at its position, not an internal error
  const cfgDir = check(`all:\n  hosts:\n    a: {private_key_file: ${key}, ssh_config_file: ${dir}}\n`);
  assert.match(cfgDir.problems.map((p) => `${p.line}:${p.col}: ${p.message}`).join('\n'), /^3:\d+: host a: ssh_config_file: cannot read .*EISDIR.*expected a readable OpenSSH client configuration file/);
  const pw = check(`all:\n  hosts:\n    a: {private_key_file: ${key}, ansible_become_password: hunter2, ssh_config_file: /nonexistent}\n`);
  assert.match(pw.problems[0].message, /ansible_become_password: is in plain text: expected it encrypted/);
  assert.not.match(pw.problems[0].message, 'hunter2');
  const prev = process.env.SSH_AUTH_SOCK;
  delete process.env.SSH_AUTH_SOCK;
  try {
    const e = check(`all:\n  hosts:\n    a: {private_key_file: ${enc}, ssh_config_file: /nonexistent}\n`);
    assert.match(e.problems[0].message, /is encrypted: expected its passphrase \(--ask-key-passphrase/);
    // the passphrase asked for opens it
    assert.equal(check(`all:\n  hosts:\n    a: {private_key_file: ${enc}, ssh_config_file: /nonexistent}\n`, { keyPassphrase: 'open sesame' }).problems, []);
    assert.match(check(`all:\n  hosts:\n    a: {private_key_file: ${enc}, ssh_config_file: /nonexistent}\n`, { keyPassphrase: 'wrong' }).problems[0].message, /passphrase given does not open it/);
  } finally {
    if (prev !== undefined) process.env.SSH_AUTH_SOCK = prev;
  }
});

test.run();
