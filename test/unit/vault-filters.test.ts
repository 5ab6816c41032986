// The vault and unvault filters (src/template/jinja-filters-vault.ts), cases from the filter_encryption
// target: a given salt makes the very text Ansible makes; wrap_object gives AnsibleVaultEncryptedUnicode.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluate } from '../../src/template/expr.ts';
import { renderString, scopeOf } from '../../src/template/template.ts';
import { VaultEncrypted } from '../../src/vault/encrypted.ts';

// filter_encryption's vaultedstring_64: 'secret' sealed with password 'test' and salt '7'
const VAULTED = '$ANSIBLE_VAULT;1.2;AES256;filter_default\n33370a34333734353636633035656232613935353432656132646533346233326431346232616261\n6133383034376566366261316365633931356133633337396363370a376664386236313834326561\n6338373864623763613165366636633031303739\n';
const scope = scopeOf({ data: 'secret', password: 'test', salt: '7', vaultedstring: VAULTED });

test('vault: with a salt, the text Ansible writes; a plain str unless wrap_object (filter_encryption)', () => {
  assert.is(evaluate('data|vault(password, salt=salt)', scope), VAULTED);
  assert.is(evaluate('data|vault(password, salt=salt)|type_debug', scope), 'str');
  assert.is(evaluate('data|vault(password, salt=salt, wrap_object=True)|type_debug', scope), 'AnsibleVaultEncryptedUnicode');
  assert.is(evaluate('data|vault(password, salt=salt, wrap_object=True) is vault_encrypted', scope), true);
  // without a salt, a new one each time: still opened by unvault
  assert.is(evaluate('data|vault(password)|unvault(password)', scope), 'secret');
});

test('unvault: vault text or a wrapped value opened with the password; other text as it is; a wrong password fails', () => {
  assert.is(evaluate('vaultedstring|unvault(password) == data', scope), true);
  assert.is(evaluate('data|vault(password, wrap_object=True)|unvault(password)', scope), 'secret');
  assert.is(evaluate("'plain'|unvault(password)", scope), 'plain');
  assert.throws(() => evaluate("vaultedstring|unvault('nope')", scope), /Unable to decrypt: Decryption failed/);
  assert.throws(() => evaluate('vaultedstring|unvault(1)', scope), /Secret passed is required to be as string, instead we got: <class 'int'>/);
  assert.throws(() => evaluate('5|vault(password)', scope), /Can only vault strings, instead we got: <class 'int'>/);
});

test('the target\'s salt: a template\'s number is its text, exact past 2**53, and random() of text is one of its characters (filter_encryption)', () => {
  const vars = { s_32: '{{(2**31-1)}}', s_64: '{{(2**63-1)}}', is_64: '{{ "64" in "x86_64" }}', inventory_hostname: 'localhost' };
  assert.is(renderString(vars.s_64, scopeOf(vars)), '9223372036854775807');
  assert.is(renderString(vars.s_32, scopeOf(vars)), '2147483647');
  assert.is(renderString(vars.is_64, scopeOf(vars)), true);
  // each var as Ansible templates it; Python's Random('localhost').choice('9223372036854775807') is '7',
  // the salt of vaultedstring_64
  const rendered = Object.fromEntries(Object.entries(vars).map(([k, x]) => [k, renderString(x, scopeOf(vars))]));
  assert.is(renderString('{{ is_64|bool|ternary(s_64, s_32)|random(seed=inventory_hostname) }}', scopeOf(rendered)), '7');
});

test("`in` an inline vault value looks in its text, as AnsibleVaultEncryptedUnicode.__contains__ (ansible-playbook 2.14: True False True)", () => {
  const sec = new VaultEncrypted(VAULTED, [{ id: 'filter_default', password: Buffer.from('test'), from: 'test' }]);
  const s = scopeOf({ sec });
  assert.is(evaluate("'cre' in sec", s), true);
  assert.is(evaluate("'zz' in sec", s), false);
  assert.is(evaluate("sec in ['secret']", s), true);
});

test.run();
