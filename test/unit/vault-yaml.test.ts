// ansible-vault in YAML files: `!vault |` values and whole encrypted files are decrypted when loaded,
// their plaintext becomes a secret, and what cannot be decrypted is refused at its position.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadYaml, parseYaml } from '../../src/util/yaml-source.ts';
import { secretValues } from '../../src/util/secrets.ts';
import { sealVault, type VaultSecret } from '../../src/vault/vaultlib.ts';
import { vaultYaml } from '../../src/cli-vault.ts';

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

test('no password, a wrong one, or text that is not vault data: refused at file:line:col, by header, never by content', () => {
  const text = `x: 1\nkey: ${inline('', 'never-shown-4').replace(/\n {10}/g, '\n  ')}\n`;
  const none = parseYaml('g.yml', text, []).problems;
  assert.equal(none.map((p) => [p.file, p.line]), [['g.yml', 2]]);
  assert.match(none[0].message, /tag !vault: value "\$ANSIBLE_VAULT;1\.1;AES256": encrypted.*no vault password was given: expected --vault-password-file/);
  const wrong = parseYaml('g.yml', text, [{ ...pw, password: Buffer.from('nope') }]).problems;
  assert.match(wrong[0].message, /no vault password given fits.*expected the password it was encrypted with/);
  const junk = parseYaml('g.yml', 'a: !vault "x"\nb: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  zz\n', [pw]).problems;
  assert.equal(junk.map((p) => p.line), [1, 2]);
  assert.match(junk[0].message, /tag !vault: value "x": not ansible-vault text: it does not start with \$ANSIBLE_VAULT: expected/);
  assert.match(junk[1].message, /not hexadecimal/);
  for (const p of [...none, ...wrong]) assert.not.match(p.message, /never-shown/);
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
