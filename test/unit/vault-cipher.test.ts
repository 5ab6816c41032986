// AES256 as Ansible does it, and VaultLib's choice of password: plaintext the real ansible-vault
// encrypted is read back; a wrong password, or data changed by one bit, is refused by the HMAC.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { decrypt, encrypt } from '../../src/vault/aes256.ts';
import { parseEnvelope } from '../../src/vault/envelope.ts';
import { encryptSecret, openVault, sealVault, type VaultSecret } from '../../src/vault/vaultlib.ts';
import { ANSIBLE_V11, ANSIBLE_V12 } from './vault-envelope.test.ts';

const pw = (s: string, id = 'default'): VaultSecret => ({ id, password: Buffer.from(s), from: `file-${id}` });
const HORSE = pw('correct horse');

test('decrypts what ansible-vault encrypted (1.1 and 1.2)', () => {
  const a = openVault(ANSIBLE_V11, [HORSE]);
  const b = openVault(ANSIBLE_V12, [pw('correct horse', 'prod')]);
  assert.is('plaintext' in a && a.plaintext.toString(), 'v1');
  assert.is('plaintext' in b && b.plaintext.toString(), 'objstore: {type: S3}');
});

test('encrypts byte for byte as ansible-vault does, given the same salt (its only random input)', () => {
  const salt = (text: string) => {
    const e = parseEnvelope(text);
    if ('error' in e) throw new Error(e.error);
    return e.salt;
  };
  assert.is(sealVault(Buffer.from('objstore: {type: S3}'), pw('correct horse', 'prod'), salt(ANSIBLE_V12)), ANSIBLE_V12);
  assert.is(sealVault(Buffer.from('v1'), HORSE, salt(ANSIBLE_V11)), ANSIBLE_V11);
});

test('a fresh salt of 32 random bytes each time: the same plaintext never encrypts twice the same', () => {
  const a = sealVault(Buffer.from('same'), HORSE);
  const b = sealVault(Buffer.from('same'), HORSE);
  assert.is.not(a, b);
  const e = parseEnvelope(a);
  assert.is(!('error' in e) && e.salt.length, 32);
});

test('round trip of any bytes, the empty string and block-sized ones included', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 70 }), fc.string({ minLength: 1, maxLength: 12 }), (bytes, p) => {
      const e = encrypt(Buffer.from(bytes), Buffer.from(p));
      const d = decrypt(e, Buffer.from(p));
      return 'plaintext' in d && d.plaintext.equals(Buffer.from(bytes));
    }),
    { numRuns: 60 },
  );
});

test('a wrong password, or one changed bit anywhere, fails the HMAC: never wrong plaintext', () => {
  const e = encrypt(Buffer.from('objstore secret'), Buffer.from('right'));
  assert.equal(decrypt(e, Buffer.from('wrong')), { error: 'wrong password' });
  for (const part of ['salt', 'hmac', 'ciphertext'] as const) {
    const bad = { ...e, [part]: Buffer.from(e[part]) };
    bad[part][0] ^= 1;
    assert.equal(decrypt(bad, Buffer.from('right')), { error: 'wrong password' }, part);
  }
});

test('a wrong password is an error value naming the ids tried and where they came from, not the password', () => {
  const r = openVault(ANSIBLE_V11, [pw('nope'), pw('nope either', 'dev')]);
  assert.ok('error' in r);
  assert.is((r as { kind: string }).kind, 'wrong password');
  assert.match((r as { error: string }).error, /tried default \(file-default\), dev \(file-dev\)/);
  assert.not.match((r as { error: string }).error, /nope/);
});

test('no password at all says how to give one', () => {
  const r = openVault(ANSIBLE_V12, []);
  assert.match((r as { error: string }).error, /vault id "prod".*--vault-password-file/);
});

test('a 1.2 value is opened by the password of its label, whatever the order given, and others are tried after', () => {
  const r = openVault(ANSIBLE_V12, [pw('a'), pw('correct horse', 'prod'), pw('b', 'x')]);
  assert.ok('plaintext' in r);
  assert.is((r as { secret: VaultSecret }).secret.id, 'prod');
  // the label is only a hint (Ansible does not sign it): a password given under another label works too
  const other = openVault(ANSIBLE_V12, [pw('a', 'dev'), pw('correct horse', 'staging')]);
  assert.is('secret' in other && other.secret.id, 'staging');
});

test('the password to encrypt with: --encrypt-vault-id, or the only one; several without a choice is an error', () => {
  const a = pw('1', 'a');
  const b = pw('2', 'b');
  assert.is(encryptSecret([a]), a);
  assert.is(encryptSecret([a, b], 'b'), b);
  assert.match((encryptSecret([a, b]) as { error: string }).error, /vault ids a, b.*--encrypt-vault-id/);
  assert.match((encryptSecret([a], 'c') as { error: string }).error, /"c" names no vault id given: expected one of a/);
  assert.match((encryptSecret([]) as { error: string }).error, /password is required/);
});

test.run();
