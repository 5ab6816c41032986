// Compatibility with the real ansible-vault (Debian's ansible-core, installed by `npm run lab -- install`),
// both ways: what it encrypts skiff reads, what skiff encrypts it reads; encrypt_string output pasted
// into an inventory. Without ansible-vault these tests skip with the reason, except under CI=true,
// where a missing tool fails the run instead of hiding that nothing was compared.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skiff } from '../helpers.ts';

const found = spawnSync('sh', ['-c', 'command -v ansible-vault'], { encoding: 'utf8' });
const missing = found.status === 0 ? undefined : 'ansible-vault is not installed (Debian package ansible-core; `npm run lab -- install` installs it)';

const dir = mkdtempSync(join(tmpdir(), 'skiff-vault-ansible-'));
const pw = join(dir, 'pw');
const pw2 = join(dir, 'pw2');
writeFileSync(pw, 'ansible side pass\n', { mode: 0o600 });
writeFileSync(pw2, 'the dev one\n', { mode: 0o600 });

/** Runs ansible-vault (or ansible) with the password only in files, never in argv. */
function ansible(cmd: string, args: string[], input?: string) {
  // a config-free run: no ansible.cfg of the machine, no default vault identity list
  const env = { ...process.env, ANSIBLE_CONFIG: file('ansible.cfg', '[defaults]\n'), ANSIBLE_VAULT_IDENTITY_LIST: '', ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-tmp'), HOME: dir };
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, env, timeout: 60_000 });
  assert.is(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  chmodSync(p, 0o600);
  return p;
};

if (missing) {
  if (process.env.CI === 'true') test('ansible-vault is installed (CI=true: a missing tool fails)', () => assert.unreachable(missing));
  else {
    console.log(`  vault-ansible: skipped: ${missing}`);
    test.skip('compatibility with ansible-vault', () => {});
  }
} else {
  test('a file made by `ansible-vault encrypt` (1.1) is read by skiff vault view and decrypt', async () => {
    const f = file('a11.yml', 'objstore_key: made-by-ansible\n');
    ansible('ansible-vault', ['encrypt', '--vault-password-file', pw, f]);
    assert.match(readFileSync(f, 'utf8'), /^\$ANSIBLE_VAULT;1\.1;AES256\n/);
    const v = await skiff(['vault', 'view', '--vault-password-file', pw, f]);
    assert.is(v.code, 0, v.stderr);
    assert.is(v.stdout, 'objstore_key: made-by-ansible\n');
    const out = join(dir, 'a11.plain');
    assert.is((await skiff(['vault', 'decrypt', '--vault-password-file', pw, '--output', out, f])).code, 0);
    assert.is(readFileSync(out, 'utf8'), 'objstore_key: made-by-ansible\n');
  });

  test('a 1.2 file (`--vault-id prod@file`) is read with its label among several --vault-id, whatever the order', async () => {
    const f = file('a12.yml', 'k: labelled\n');
    ansible('ansible-vault', ['encrypt', '--vault-id', `prod@${pw}`, f]);
    assert.match(readFileSync(f, 'utf8'), /^\$ANSIBLE_VAULT;1\.2;AES256;prod\n/);
    const v = await skiff(['vault', 'view', '--vault-id', `dev@${pw2}`, '--vault-id', `prod@${pw}`, f]);
    assert.is(v.code, 0, v.stderr);
    assert.is(v.stdout, 'k: labelled\n');
    const wrong = await skiff(['vault', 'view', '--vault-id', `dev@${pw2}`, f]);
    assert.is(wrong.code, 5);
    assert.match(wrong.stderr, /a12\.yml: no vault password given fits \(vault id "prod"; tried dev/);
  });

  test('what skiff encrypts (1.1, and 1.2 with --vault-id) ansible-vault view and decrypt read', async () => {
    const f11 = file('s11.yml', 'made: by-skiff\n');
    const f12 = file('s12.yml', 'made: by-skiff-labelled\n');
    assert.is((await skiff(['vault', 'encrypt', '--vault-password-file', pw, f11])).code, 0);
    assert.is((await skiff(['vault', 'encrypt', '--vault-id', `dev@${pw2}`, '--vault-id', `prod@${pw}`, '--encrypt-vault-id', 'prod', f12])).code, 0);
    assert.match(readFileSync(f12, 'utf8'), /^\$ANSIBLE_VAULT;1\.2;AES256;prod\n/);
    assert.is(ansible('ansible-vault', ['view', '--vault-password-file', pw, f11]), 'made: by-skiff\n');
    assert.is(ansible('ansible-vault', ['view', '--vault-id', `prod@${pw}`, f12]), 'made: by-skiff-labelled\n');
    ansible('ansible-vault', ['decrypt', '--vault-id', `prod@${pw}`, f12]);
    assert.is(readFileSync(f12, 'utf8'), 'made: by-skiff-labelled\n');
  });

  test('skiff vault edit on an ansible-made 1.2 file: ansible-vault reads the edit, the label is kept', async () => {
    const f = file('edit.yml', 'n: 1\n');
    ansible('ansible-vault', ['encrypt', '--vault-id', `prod@${pw}`, f]);
    const editor = file('ed.sh', '#!/bin/sh\necho "m: 2" >> "$1"\n');
    chmodSync(editor, 0o700);
    const r = await skiff(['vault', 'edit', '--vault-id', `prod@${pw}`, f], { env: { EDITOR: editor } });
    assert.is(r.code, 0, r.stderr);
    assert.match(readFileSync(f, 'utf8'), /^\$ANSIBLE_VAULT;1\.2;AES256;prod\n/);
    assert.is(ansible('ansible-vault', ['view', '--vault-id', `prod@${pw}`, f]), 'n: 1\nm: 2\n');
  });

  test("ansible-vault encrypt_string pasted into an inventory: skiff reads it, hidden; skiff's encrypt_string is read by ansible", async () => {
    const inv = join(dir, 'inv');
    mkdirSync(join(inv, 'group_vars'), { recursive: true });
    writeFileSync(join(inv, 'hosts.yml'), 'all:\n  hosts:\n    box:\n      connection: local\n');
    const fromAnsible = ansible('ansible-vault', ['encrypt_string', '--vault-password-file', pw, '--name', 'from_ansible', 'Ansible-Made-Value-7']);
    const fromSkiff = await skiff(['vault', 'encrypt_string', '--vault-password-file', pw, '--name', 'from_skiff', 'Skiff-Made-Value-8']);
    assert.is(fromSkiff.code, 0, fromSkiff.stderr);
    // same shape as ansible's: `name: !vault |`, then the vault text indented by 10, no final newline
    assert.match(fromSkiff.stdout, /^from_skiff: !vault \|\n {10}\$ANSIBLE_VAULT;1\.1;AES256\n( {10}[0-9a-f]{80}\n)+ {10}[0-9a-f]{1,80}$/);
    writeFileSync(join(inv, 'group_vars', 'all.yml'), `${fromAnsible}\n${fromSkiff.stdout}\n`);
    const r = await skiff(['inventory', '-i', inv, '--host', 'box', '--vault-password-file', pw]);
    assert.is(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).vars, { from_ansible: '********', from_skiff: '********', connection: 'local' });
    assert.not.match(r.stdout + r.stderr, /Made-Value/);
    // Ansible itself reads the same inventory (debug runs on the controller: no host is contacted)
    const out = ansible('ansible', ['box', '-i', join(inv, 'hosts.yml'), '-m', 'debug', '-a', 'msg={{ from_skiff }}/{{ from_ansible }}', '--vault-password-file', pw]);
    assert.match(out, /Skiff-Made-Value-8\/Ansible-Made-Value-7/);
  });
}

test.run();
