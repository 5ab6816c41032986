// ansible-vault in YAML files: `!vault |` values and whole encrypted files are decrypted when loaded,
// their plaintext becomes a secret. A whole file that cannot be decrypted is refused at its position; a
// `!vault` value that cannot be stays vault text, failing only where its plaintext is used (as in Ansible).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadYaml, parseYaml } from '../../src/util/yaml-source.ts';
import { secretValues } from '../../src/util/secrets.ts';
import { sealVault, type VaultSecret } from '../../src/vault/vaultlib.ts';
import { vaultYaml } from '../../src/cli-vault.ts';
import { VaultEncrypted } from '../../src/vault/encrypted.ts';
import { pyStr, typeName } from '../../src/template/expr-error.ts';

const pw: VaultSecret = { id: 'default', password: Buffer.from('yaml-pass'), from: 'test' };
const inline = (name: string, plaintext: string, secret = pw) => vaultYaml(sealVault(Buffer.from(plaintext), secret), name);

test('an inline !vault value (as encrypt_string prints it) reads as its plaintext, and is a secret', () => {
  const text = `plain: 1\n${inline('access', 'AKIA-inline-1')}\nlist:\n  - ${inline('', 'in-a-list-2').replace(/\n {10}/g, '\n        ')}\n`;
  const r = parseYaml('g.yml', text, [pw]);
  assert.equal(r.problems, []);
  assert.equal(r.source?.value, { plain: 1, access: 'AKIA-inline-1', list: ['in-a-list-2'] });
  // its name says nothing secret: it is hidden because it came out of a vault
  assert.ok(secretValues({}).includes('AKIA-inline-1'));
  assert.ok(secretValues({}).includes('in-a-list-2'));
});

test('an anchor on a !vault value: the alias gets the plaintext too', () => {
  const text = `a: &k ${inline('', 'anchored-3').replace(/\n {10}/g, '\n  ')}\nb: *k\n`;
  assert.equal(parseYaml('g.yml', text, [pw]).source?.value, { a: 'anchored-3', b: 'anchored-3' });
});

test('no password, a wrong one, or text that is not vault data: loaded as vault text that fails where used (Ansible\'s AnsibleVaultEncryptedUnicode)', () => {
  const text = `x: 1\nkey: ${inline('', 'never-shown-4').replace(/\n {10}/g, '\n  ')}\n`;
  const none = parseYaml('g.yml', text, []);
  assert.equal(none.problems, []);
  const key = (none.source?.value as { key: unknown }).key;
  assert.instance(key, VaultEncrypted);
  assert.is(typeName(key), 'AnsibleVaultEncryptedUnicode');
  // its plaintext is asked for: Ansible's error, then; the vault filter's own password opens it
  assert.throws(() => pyStr(key), /^Attempting to decrypt but no vault secrets found$/);
  assert.is((key as VaultEncrypted).data([pw]), 'never-shown-4');
  const wrong = parseYaml('g.yml', text, [{ ...pw, password: Buffer.from('nope') }]);
  assert.equal(wrong.problems, []);
  assert.throws(() => pyStr((wrong.source?.value as { key: unknown }).key), /^Decryption failed \(no vault secrets were found that could decrypt\)$/);
  const junk = parseYaml('g.yml', 'a: !vault "x"\n', [pw]);
  assert.equal(junk.problems, []);
  assert.throws(() => pyStr((junk.source?.value as { a: unknown }).a), /^input is not vault encrypted data\. $/);
  // an anchor on one: the alias is the same vault value
  const aliased = parseYaml('g.yml', `a: &k ${inline('', 'anchored-8').replace(/\n {10}/g, '\n  ')}\nb: *k\n`, []).source?.value as { a: unknown; b: unknown };
  assert.instance(aliased.b, VaultEncrypted);
});

test('!vault on a list or map is refused with what to write instead', () => {
  const r = parseYaml('g.yml', 'a: !vault [1]\n', [pw]);
  assert.match(r.problems[0].message, /tag !vault on a list or map: expected !vault \|/);
});

test('a decrypted value with a control character is refused (it would reach a host)', () => {
  const r = parseYaml('g.yml', `${inline('k', 'bell\u0007')}\n`, [pw]);
  assert.match(r.problems[0].message, /control character U\+0007/);
});

const dir = mkdtempSync(join(tmpdir(), 'skiff-vault-yaml-'));

test('a whole file made by ansible-vault encrypt is read; every value in it becomes a secret', () => {
  const f = join(dir, 'secrets.yml');
  writeFileSync(f, sealVault(Buffer.from('bucket: metrics-bucket-5\nport: 45678\nnested:\n  k: deep-value-6\n'), pw));
  const r = loadYaml(f, [pw]);
  assert.equal(r.problems, []);
  assert.ok(r.source?.vaulted);
  assert.equal(r.source?.value, { bucket: 'metrics-bucket-5', port: 45678, nested: { k: 'deep-value-6' } });
  for (const s of ['metrics-bucket-5', '45678', 'deep-value-6']) assert.ok(secretValues({}).includes(s), s);
});

test('a vaulted file: wrong password at 1:1; a YAML mistake inside shows no text of the plaintext', () => {
  const f = join(dir, 'broken.yml');
  writeFileSync(f, sealVault(Buffer.from('ok: 1\nbad: [unclosed-secret-7\n'), pw));
  const wrong = loadYaml(f, [{ ...pw, password: Buffer.from('no') }]).problems;
  assert.equal(wrong.map((p) => [p.file, p.line, p.col]), [[f, 1, 1]]);
  assert.match(wrong[0].message, /vault-encrypted file "\$ANSIBLE_VAULT;1\.1;AES256": no vault password given fits/);
  const broken = loadYaml(f, [pw]).problems;
  assert.ok(broken.length > 0);
  assert.match(broken[0].message, /YAML syntax error in the decrypted text \(not shown/);
  for (const p of broken) assert.not.match(p.message, /unclosed-secret-7/);
});

test('files without vault data load as before, with or without passwords', () => {
  assert.equal(parseYaml('p.yml', 'a: b\n', []).source?.value, { a: 'b' });
  assert.equal(parseYaml('p.yml', 'a: b\n', [pw]).source?.value, { a: 'b' });
});

test.run();
