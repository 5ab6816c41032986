// lookup('config') (src/lookup/config.ts) and lookup('unvault'), cases from the lookup_config,
// lookup_unvault and unvault targets of ansible-core 2.14.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sealVault, type VaultSecret } from '../../src/vault/vaultlib.ts';
import { onLookupWarning } from '../../src/lookup/base.ts';
import { play, playbook } from './engine-harness.ts';

test('lookup config: on_missing error/skip/warn, a bad on_missing, a non-string and a callable name (lookup_config)', async () => {
  const warnings: string[] = [];
  onLookupWarning((w) => warnings.push(w));
  const o = await play({
    playbook: playbook(`- set_fact: {foo: '{{lookup("config", "THIS_DOES_NOT_EXIST")}}'}
  ignore_errors: yes
- set_fact: {lookup3: '{{lookup("config", "THIS_DOES_NOT_EXIST", on_missing="skip")}}'}
- set_fact: {lookup4: '{{lookup("config", "THIS_DOES_NOT_EXIST", on_missing="warn")}}'}
- set_fact: {foo: '{{lookup("config", "THIS_DOES_NOT_EXIST", on_missing="boo")}}'}
  ignore_errors: yes
- set_fact: {foo: '{{lookup("config", 1337)}}'}
  ignore_errors: yes
- set_fact: {foo: '{{lookup("config", "ConfigManager")}}'}
  ignore_errors: yes
- assert:
    that:
      - '"meow" in lookup("config", "ANSIBLE_COW_ACCEPTLIST")'
      - lookup3|length == 0
      - lookup4|length == 0
      - lookup("config", "DEFAULT_TIMEOUT") == 10`, '  gather_facts: false\n'),
  });
  assert.equal(o.lines, ['a set_fact failed', 'a set_fact ok', 'a set_fact ok', 'a set_fact failed', 'a set_fact failed', 'a set_fact failed', 'a assert ok']);
  const msgs = o.results.filter((r) => r.msg).map((r) => r.msg);
  assert.match(msgs[0] ?? '', /^Unable to find setting THIS_DOES_NOT_EXIST\. module 'ansible.constants' has no attribute/);
  assert.match(msgs[1] ?? '', 'valid values are: error, skip, warn');
  assert.is(msgs[2], `Invalid setting identifier, "1337" is not a string, its a <class 'int'>`);
  assert.is(msgs[3], 'Invalid setting "ConfigManager" attempted');
  assert.equal(warnings, ['Skipping, did not find setting THIS_DOES_NOT_EXIST']);
});

test("lookup config: a plugin's option reads the task's variables first, typed as the plugin says (lookup_config)", async () => {
  const o = await play({
    playbook: playbook(`- set_fact:
    ssh_user_and_port: '{{q("config", "remote_user", "port", plugin_type="connection", plugin_name="ssh")}}'
  vars: {ansible_ssh_user: lola, ansible_ssh_port: '2022'}
- set_fact:
    yolo_remote: '{{q("config", "remote_tmp", plugin_type="shell", plugin_name="sh")}}'
  vars: {ansible_remote_tmp: yolo}
- set_fact: {foo: '{{q("config", "remote_tmp", plugin_type="shell")}}'}
  ignore_errors: yes
- assert:
    that:
      - ssh_user_and_port == ['lola', 2022]
      - yolo_remote == ["yolo"]`, '  gather_facts: false\n'),
  });
  assert.equal(o.lines, ['a set_fact ok', 'a set_fact ok', 'a set_fact failed', 'a assert ok']);
  assert.is(o.results[2].msg, 'Both plugin_type and plugin_name are required, cannot use one without the other');
});

const secret: VaultSecret = { id: 'default', password: Buffer.from('test'), from: 'secret' };

test('lookup unvault: a vaulted file and a plain one read alike, not stripped (lookup_unvault, unvault)', async () => {
  const o = await play({
    playbook: playbook(`- assert:
    that:
      - lookup('unvault', 'foot.txt.vault') == lookup('unvault', 'foot.txt')
      - "lookup('unvault', 'foot.txt') == 'foo: bar\\n'"
- debug: {msg: "{{ lookup('unvault', 'nope.txt') }}"}
  ignore_errors: true`, '  gather_facts: false\n'),
    files: { 'files/foot.txt': 'foo: bar\n', 'files/foot.txt.vault': sealVault(Buffer.from('foo: bar\n'), secret) },
    opts: { vault: [secret] },
  });
  assert.equal(o.lines, ['a assert ok', 'a debug failed']);
  assert.match(o.results[1].msg ?? '', 'Unable to find file matching "nope.txt"');
});

test.run();
