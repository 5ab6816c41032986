// The file and template lookups read a vault-encrypted file's plaintext, as Ansible's DataLoader does
// (templating_lookups target's template_lookup_vaulted, Ansible #34209).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sealVault, type VaultSecret } from '../../src/vault/vaultlib.ts';
import { play, playbook } from './engine-harness.ts';

const secret: VaultSecret = { id: 'default', password: Buffer.from('test'), from: 'test_vault_pass' };

test('a vaulted template and a vaulted file are read decrypted by their lookups', async () => {
  const o = await play({
    playbook: playbook(`- set_fact:
    vaulted_hello_world: "{{ lookup('template', 'vaulted_hello.j2') }}"
    vaulted_file: "{{ lookup('file', 'secret.txt') }}"
- assert:
    that:
      - "vaulted_hello_world|trim == 'Unvaulted Hello World!'"
      - vaulted_file == 'plain text'`, '  gather_facts: false\n  vars: {hello_world: Hello World}\n'),
    files: { 'templates/vaulted_hello.j2': sealVault(Buffer.from('Unvaulted {{ hello_world }}!\n'), secret), 'files/secret.txt': sealVault(Buffer.from('plain text\n'), secret) },
    opts: { vault: [secret] },
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a set_fact ok', 'a assert ok']);
});

test('without the password, the lookup fails the task saying so (not "could not locate file")', async () => {
  const o = await play({
    playbook: playbook(`- debug: {msg: "{{ lookup('file', 'secret.txt') }}"}
  ignore_errors: true`, '  gather_facts: false\n'),
    files: { 'files/secret.txt': sealVault(Buffer.from('plain text\n'), secret) },
  });
  assert.equal(o.lines, ['a debug failed']);
  assert.match(o.results[0].msg ?? '', 'vault-encrypted file');
});

test.run();
