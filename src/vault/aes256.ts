// Ansible's VaultAES256, with Node's crypto only: keys from PBKDF2-HMAC-SHA256 (10,000 iterations,
// 80 bytes: AES key, HMAC key, counter block), AES-256-CTR over PKCS#7-padded plaintext (Ansible pads
// although CTR needs no padding: kept, or its files would not read), HMAC-SHA256 of the ciphertext.
import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

const ITERATIONS = 10_000;
const KEY = 32;
const BLOCK = 16;
/** Ansible's salt: os.urandom(32) */
export const SALT_BYTES = 32;

interface Keys {
  aes: Buffer;
  mac: Buffer;
  iv: Buffer;
}

function keys(password: Buffer, salt: Buffer): Keys {
  const k = pbkdf2Sync(password, salt, ITERATIONS, 2 * KEY + BLOCK, 'sha256');
  return { aes: k.subarray(0, KEY), mac: k.subarray(KEY, 2 * KEY), iv: k.subarray(2 * KEY) };
}

function pad(b: Buffer): Buffer {
  const n = BLOCK - (b.length % BLOCK);
  return Buffer.concat([b, Buffer.alloc(n, n)]);
}

function unpad(b: Buffer): Buffer | undefined {
  const n = b[b.length - 1];
  if (!n || n > BLOCK || n > b.length) return undefined;
  for (let i = b.length - n; i < b.length; i++) if (b[i] !== n) return undefined;
  return b.subarray(0, b.length - n);
}

export function encrypt(plaintext: Buffer, password: Buffer, salt: Buffer = randomBytes(SALT_BYTES)): { salt: Buffer; hmac: Buffer; ciphertext: Buffer } {
  const k = keys(password, salt);
  const c = createCipheriv('aes-256-ctr', k.aes, k.iv);
  const ciphertext = Buffer.concat([c.update(pad(plaintext)), c.final()]);
  return { salt, hmac: createHmac('sha256', k.mac).update(ciphertext).digest(), ciphertext };
}

export type Decrypted = { plaintext: Buffer } | { error: 'wrong password' | 'corrupt' };

/**
 * The plaintext, or why not. The HMAC is checked first, in constant time: a wrong password is told
 * from a right one only by the HMAC, never by how long the comparison took, nor by trying to decrypt.
 */
export function decrypt(e: { salt: Buffer; hmac: Buffer; ciphertext: Buffer }, password: Buffer): Decrypted {
  const k = keys(password, e.salt);
  const want = createHmac('sha256', k.mac).update(e.ciphertext).digest();
  // lengths differ only for a damaged file; timingSafeEqual needs equal lengths
  if (e.hmac.length !== want.length || !timingSafeEqual(e.hmac, want)) return { error: 'wrong password' };
  const d = createDecipheriv('aes-256-ctr', k.aes, k.iv);
  const plaintext = unpad(Buffer.concat([d.update(e.ciphertext), d.final()]));
  return plaintext ? { plaintext } : { error: 'corrupt' };
}
