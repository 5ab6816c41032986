// The vault text format, checked against text the real ansible-vault wrote (Debian's ansible-core 2.14).
// Its salt is random (2.14 has no VAULT_ENCRYPT_SALT): the cipher test reuses it to encrypt again.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatEnvelope, parseEnvelope } from '../../src/vault/envelope.ts';

// `ansible-vault encrypt_string --vault-password-file PW v1`, PW holding "correct horse"
export const ANSIBLE_V11 = `$ANSIBLE_VAULT;1.1;AES256
62636463633933363233636266336462643039313231656531373062636561616334343133336131
3032613336393539376561326234636432643966636539630a623463393562636566613935303564
62353262336666626131653130393132643831356266633932393863653736393364356439633238
3862356437323135350a343365326530613236666262346432626137383065613035646536313362
3536
`;
// `... encrypt_string --vault-id prod@PW 'objstore: {type: S3}'`
export const ANSIBLE_V12 = `$ANSIBLE_VAULT;1.2;AES256;prod
30613062366461666635346433383366346636653563373164346438613234336561396532623266
3762376636616437376265306365396566616430316637640a623965363364663038353232336335
39643566383230666562376130383133663537666661313861343237333362643661363866653137
6462316265363164610a643330373432376236333138313530383831333736643064656338633066
39653236373333343336316531613932653531616163366564383436633431383132
`;

test('reads a 1.1 envelope written by ansible-vault: default id, its salt, a 32-byte HMAC', () => {
  const e = parseEnvelope(ANSIBLE_V11);
  if ('error' in e) throw new Error(e.error);
  assert.is(e.version, '1.1');
  assert.is(e.vaultId, 'default');
  assert.is(e.salt.length, 32);
  assert.is(e.hmac.length, 32);
  assert.is(e.ciphertext.length % 16, 0);
});

test('reads the label of a 1.2 envelope', () => {
  const e = parseEnvelope(ANSIBLE_V12);
  if ('error' in e) throw new Error(e.error);
  assert.is(e.version, '1.2');
  assert.is(e.vaultId, 'prod');
});

test('writes back the same bytes ansible-vault wrote (1.1 and 1.2): 80 columns, final newline', () => {
  for (const text of [ANSIBLE_V11, ANSIBLE_V12]) {
    const e = parseEnvelope(text);
    if ('error' in e) throw new Error(e.error);
    assert.is(formatEnvelope(e), text);
    for (const line of text.split('\n').slice(1)) assert.ok(line.length <= 80);
  }
});

test('the id "default" is written as 1.1, as Ansible does', () => {
  const e = parseEnvelope(ANSIBLE_V12);
  if ('error' in e) throw new Error(e.error);
  assert.match(formatEnvelope({ ...e, vaultId: 'default' }), /^\$ANSIBLE_VAULT;1\.1;AES256\n/);
});

test('CRLF line ends are read (a file edited on Windows)', () => {
  const e = parseEnvelope(ANSIBLE_V11.replace(/\n/g, '\r\n'));
  assert.not.ok('error' in e);
});

test('refuses what is not vault text, saying what is wrong and never echoing the data', () => {
  const cases: [string, RegExp][] = [
    ['plain: yaml', /does not start with \$ANSIBLE_VAULT/],
    ['$ANSIBLE_VAULT;1.0;AES\nabcd', /version "1\.0".*expected 1\.1 or 1\.2/],
    ['$ANSIBLE_VAULT;1.1;AES128\nabcd', /cipher "AES128".*expected AES256/],
    ['$ANSIBLE_VAULT;1.1;AES256\nzz', /not hexadecimal/],
    ['$ANSIBLE_VAULT;1.1;AES256\nabc', /not hexadecimal text of even length/],
    ['$ANSIBLE_VAULT;1.1;AES256\n6162', /salt, an HMAC and a ciphertext/],
    [ANSIBLE_V11.replace('3536\n', '353\n'), /not hexadecimal/],
  ];
  for (const [text, want] of cases) {
    const e = parseEnvelope(text);
    assert.ok('error' in e, text);
    assert.match((e as { error: string }).error, want);
  }
});

test.run();
