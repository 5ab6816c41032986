// ansible-vault through the CLI, with no host: `skiff validate`, `skiff inventory` and a local
// `skiff run` on an inventory whose group_vars hold a vaulted file and an inline `!vault` value, plus a
// vaulted `-e @file`. The plaintext appears in no output; without the right password for a vaulted file:
// exit 5, naming the file and position, nothing run; an inline value fails only the task that uses it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skiff } from '../helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-vault-cli-'));
const inv = join(dir, 'inv');
const pwFile = join(dir, 'vault-pass');
const wrongFile = join(dir, 'wrong-pass');
const marker = join(dir, 'ran');
const SECRETS = { inline: 'Inline-Access-Key-91', file: 'File-Secret-Key-92', extra: 'Extra-Vars-Token-93', mode: 'not-a-mode-94' };
const all = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr;
const assertHidden = (r: { stdout: string; stderr: string }, what: string) => {
  for (const s of Object.values(SECRETS)) assert.not.ok(all(r).includes(s), `${what}: ${s} printed`);
};

test.before(async () => {
  writeFileSync(pwFile, 'cli vault pass\n', { mode: 0o600 });
  writeFileSync(wrongFile, 'not it\n', { mode: 0o600 });
  mkdirSync(join(inv, 'group_vars'), { recursive: true });
  writeFileSync(join(inv, 'hosts.yml'), 'all:\n  children:\n    web:\n      hosts:\n        web1:\n          connection: local\n');
  // encrypt_string's output pasted under a plain var, as an operator does
  const s = await skiff(['vault', 'encrypt_string', '--vault-password-file', pwFile, '--name', 'access_for_s3', SECRETS.inline]);
  assert.is(s.code, 0, s.stderr);
  writeFileSync(join(inv, 'group_vars', 'all.yml'), `region: eu-west-1\n${s.stdout}\n`);
  // a whole group_vars file encrypted in place, and a vaulted -e file
  writeFileSync(join(inv, 'group_vars', 'web.yml'), `bucket_key: ${SECRETS.file}\n`);
  writeFileSync(join(dir, 'extra.yml'), `extra_value: ${SECRETS.extra}\n`);
  for (const f of [join(inv, 'group_vars', 'web.yml'), join(dir, 'extra.yml')]) {
    const e = await skiff(['vault', 'encrypt', '--vault-password-file', pwFile, f]);
    assert.is(e.code, 0, e.stderr);
    assert.match(readFileSync(f, 'utf8'), /^\$ANSIBLE_VAULT;1\.1;AES256\n/);
  }
  writeFileSync(
    join(dir, 'play.yml'),
    `- hosts: web\n  tasks:\n    - name: uses every secret\n      debug:\n        msg: "{{ access_for_s3 }} {{ bucket_key }} {{ extra_value }} in {{ region }}"\n    - name: leaves a trace\n      command: touch ${marker}\n`,
  );
});

test('validate with --vault-password-file: valid, no secret in the output', async () => {
  const r = await skiff(['validate', join(dir, 'play.yml'), '-i', inv, '-e', `@${join(dir, 'extra.yml')}`, '--vault-password-file', pwFile]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /valid/);
  assertHidden(r, 'validate');
});

test('inventory shows the vaulted vars hidden, whatever their names, and the plain ones as they are', async () => {
  const r = await skiff(['inventory', '-i', inv, '--host', 'web1', '--vault-id', `@${pwFile}`]);
  assert.is(r.code, 0, r.stderr);
  const vars = JSON.parse(r.stdout).vars;
  assert.is(vars.region, 'eu-west-1');
  assert.is(vars.access_for_s3, '********');
  assert.is(vars.bucket_key, '********');
  assertHidden(r, 'inventory');
});

test('a local run prints the debug message with the secrets masked, in the terminal and the report', async () => {
  const report = join(dir, 'report.json');
  const r = await skiff(['run', join(dir, 'play.yml'), '-i', inv, '-e', `@${join(dir, 'extra.yml')}`, '--report', report, '-v'], { env: { ANSIBLE_VAULT_PASSWORD_FILE: pwFile } });
  assert.is(r.code, 0, all(r));
  assert.ok(existsSync(marker), 'the run ran');
  assert.match(r.stdout, /\*\*\*\*\*\*\*\* \*\*\*\*\*\*\*\* \*\*\*\*\*\*\*\* in eu-west-1/);
  assertHidden(r, 'run');
  assertHidden({ stdout: readFileSync(report, 'utf8'), stderr: '' }, 'report');
});

test('a wrong password: exit 5, the files and positions named, nothing run', async () => {
  const r = await skiff(['validate', join(dir, 'play.yml'), '-i', inv, '--vault-password-file', wrongFile]);
  assert.is(r.code, 5);
  assert.match(r.stderr, /group_vars\/web\.yml:1:1: vault-encrypted file/);
  // the inline `!vault` value is no load error: Ansible fails only the task that uses it
  assert.not.match(r.stderr, /group_vars\/all\.yml/);
  assert.match(r.stderr, /nothing was run/);
  assertHidden(r, 'wrong password');
});

test('an inline !vault value without its password: the run goes on, the task that uses it fails with Ansible\'s error, unvault(password) opens it', async () => {
  const play = join(dir, 'inline-only.yml');
  const s = await skiff(['vault', 'encrypt_string', '--vault-password-file', pwFile, '--name', 'token', SECRETS.inline]);
  writeFileSync(
    play,
    `- hosts: localhost\n  gather_facts: false\n  vars:\n    ${s.stdout.replace(/\n/g, '\n    ')}\n  tasks:\n    - assert: {that: "token | type_debug == 'AnsibleVaultEncryptedUnicode'"}\n    - assert: {that: "token | unvault('cli vault pass') | length == 20"}\n    - debug: {msg: "{{ token }}"}\n      ignore_errors: true\n`,
  );
  const r = await skiff(['run', play, '-c', 'local'], { env: { ANSIBLE_VAULT_PASSWORD_FILE: '' } });
  assert.is(r.code, 0, all(r));
  assert.match(r.stdout, /fatal: \[localhost\]: FAILED! => \{"msg": "Attempting to decrypt but no vault secrets found"\}\n\.\.\.ignoring/);
  assert.match(r.stdout, /ok=3 .* ignored=1/);
  assert.not.match(all(r), /ANSIBLE_VAULT|[0-9a-f]{80}/);
  assertHidden(r, 'inline without password');
});

test('no password at all: exit 5, saying how to give one, before any host is contacted', async () => {
  const r = await skiff(['run', join(dir, 'play.yml'), '-i', inv], { env: { ANSIBLE_VAULT_PASSWORD_FILE: '' } });
  assert.is(r.code, 5);
  assert.match(r.stderr, /no vault password was given: expected --vault-password-file FILE, --vault-id LABEL@FILE, --ask-vault-pass/);
});

test('a bad value rendered from a vaulted one is refused with its position, the value masked', async () => {
  const play = join(dir, 'bad-mode.yml');
  const s = await skiff(['vault', 'encrypt_string', '--vault-password-file', pwFile, '--name', 'the_mode', SECRETS.mode]);
  writeFileSync(play, `- hosts: web\n  vars:\n    ${s.stdout.replace(/\n/g, '\n    ')}\n  tasks:\n    - file:\n        path: /tmp/x\n        mode: "{{ the_mode }}"\n`);
  const r = await skiff(['validate', play, '-i', inv, '--vault-password-file', pwFile]);
  assert.is(r.code, 5, all(r));
  assert.match(r.stderr, /bad-mode\.yml:\d+:\d+: .*\*\*\*\*\*\*\*\*/);
  assertHidden(r, 'bad value');
});

test('skiff vault: view and decrypt what encrypt wrote; a wrong password names the file (exit 5, no stack trace)', async () => {
  const f = join(dir, 'round.yml');
  writeFileSync(f, 'a: round-trip\n');
  assert.is((await skiff(['vault', 'encrypt', '--vault-id', `prod@${pwFile}`, f])).code, 0);
  assert.match(readFileSync(f, 'utf8'), /^\$ANSIBLE_VAULT;1\.2;AES256;prod\n/);
  const v = await skiff(['vault', 'view', '--vault-id', `prod@${pwFile}`, f]);
  assert.is(v.stdout, 'a: round-trip\n');
  const bad = await skiff(['vault', 'view', '--vault-password-file', wrongFile, f]);
  assert.is(bad.code, 5);
  assert.match(bad.stderr, new RegExp(`${f.replace(/[.]/g, '\\.')}: no vault password given fits \\(vault id "prod"`));
  assert.not.match(bad.stderr, /at .*\.ts:\d+/);
  const out = join(dir, 'plain.yml');
  assert.is((await skiff(['vault', 'decrypt', '--vault-password-file', pwFile, '--output', out, f])).code, 0);
  assert.is(readFileSync(out, 'utf8'), 'a: round-trip\n');
  const again = await skiff(['vault', 'encrypt', '--vault-password-file', pwFile, f]);
  assert.is(again.code, 5);
  assert.match(again.stderr, /already encrypted/);
});

test.run();
