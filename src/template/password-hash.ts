// ansible-core 2.14's password_hash filter (plugins/filter/core.py get_encrypted_password, utils/encrypt.py
// PasslibHash) as it runs with passlib 1.7.4: the crypt(3) schemes Linux accounts use, sha512_crypt,
// sha256_crypt, md5_crypt and bcrypt, computed here so a given salt gives Ansible's very string.
import { createHash, hash, randomBytes } from 'node:crypto';
import { ExprError, pyStr, typeName } from './expr-error.ts';

const HASH64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BCRYPT64 = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** crypt's base64 of 3 bytes (b2 high), least significant 6 bits first, `n` characters. */
function b64from24(b2: number, b1: number, b0: number, n: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let i = 0; i < n; i++, w >>>= 6) out += HASH64[w & 0x3f];
  return out;
}

/** Cycle `b` to `len` bytes (crypt's "repeat the digest as often as the password is long"). */
const repeatTo = (b: Buffer, len: number) => Buffer.concat(Array.from({ length: Math.ceil(len / b.length) || 0 }, () => b)).subarray(0, len);

/** Drepper's SHA-crypt ($5$, $6$): https://www.akkadia.org/drepper/SHA-crypt.txt */
function shaCrypt(alg: 'sha256' | 'sha512', pw: Buffer, salt: Buffer, rounds: number): Buffer {
  const H = (...parts: Buffer[]) => {
    const h = createHash(alg);
    for (const p of parts) h.update(p);
    return h.digest();
  };
  const B = H(pw, salt, pw);
  const a = [pw, salt, repeatTo(B, pw.length)];
  for (let i = pw.length; i > 0; i >>= 1) a.push(i & 1 ? B : pw);
  let C = H(...a);
  const P = repeatTo(H(...Array.from({ length: pw.length }, () => pw)), pw.length);
  const S = repeatTo(H(...Array.from({ length: 16 + C[0] }, () => salt)), salt.length);
  // one reused buffer and the one-shot hash: the default 656000 rounds are this loop (about 2 s)
  const buf = Buffer.alloc(2 * Math.max(C.length, P.length) + S.length + P.length);
  for (let i = 0; i < rounds; i++) {
    let n = (i & 1 ? P : C).copy(buf, 0);
    if (i % 3) n += S.copy(buf, n);
    if (i % 7) n += P.copy(buf, n);
    n += (i & 1 ? C : P).copy(buf, n);
    C = hash(alg, buf.subarray(0, n), 'buffer');
  }
  return C;
}

// the byte order SHA-crypt and MD5-crypt write their digest in, three bytes at a time
const SHA512_ORDER = [[0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10], [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41]];
const SHA256_ORDER = [[0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14], [15, 25, 5], [6, 16, 26], [27, 7, 17], [18, 28, 8], [9, 19, 29]];
const MD5_ORDER = [[0, 6, 12], [1, 7, 13], [2, 8, 14], [3, 9, 15], [4, 10, 5]];

function shaCryptText(alg: 'sha256' | 'sha512', pw: Buffer, salt: string, rounds: number): string {
  const c = shaCrypt(alg, pw, Buffer.from(salt, 'ascii'), rounds);
  const order = alg === 'sha512' ? SHA512_ORDER : SHA256_ORDER;
  let out = order.map(([x, y, z]) => b64from24(c[x], c[y], c[z], 4)).join('');
  out += alg === 'sha512' ? b64from24(0, 0, c[63], 2) : b64from24(0, c[31], c[30], 3);
  // passlib leaves out rounds=5000, SHA-crypt's implicit default
  return `$${alg === 'sha512' ? 6 : 5}$${rounds === 5000 ? '' : `rounds=${rounds}$`}${salt}$${out}`;
}

/** Poul-Henning Kamp's MD5-crypt ($1$). */
function md5CryptText(pw: Buffer, salt: string): string {
  const s = Buffer.from(salt, 'ascii');
  const H = (...parts: Buffer[]) => createHash('md5').update(Buffer.concat(parts)).digest();
  let fin = H(pw, s, pw);
  const ctx = [pw, Buffer.from('$1$'), s, repeatTo(fin, pw.length)];
  for (let i = pw.length; i; i >>= 1) ctx.push(i & 1 ? Buffer.from([0]) : pw.subarray(0, 1));
  fin = H(...ctx);
  for (let i = 0; i < 1000; i++) fin = H(i & 1 ? pw : fin, i % 3 ? s : Buffer.alloc(0), i % 7 ? pw : Buffer.alloc(0), i & 1 ? fin : pw);
  return `$1$${salt}$${MD5_ORDER.map(([x, y, z]) => b64from24(fin[x], fin[y], fin[z], 4)).join('')}${b64from24(0, 0, fin[11], 2)}`;
}

/** Blowfish's initial P-array and S-boxes: the hexadecimal digits of pi's fraction (computed once, by Machin's formula). */
let PI_WORDS: Uint32Array | undefined;
function piWords(): Uint32Array {
  if (PI_WORDS) return PI_WORDS;
  const n = 18 + 4 * 256;
  const bits = BigInt(n * 32 + 64);
  const one = 1n << bits;
  const atanInv = (x: bigint) => {
    let [sum, term, k, sign] = [0n, one / x, 1n, 1n];
    const x2 = x * x;
    while (term) {
      sum += (sign * term) / k;
      term /= x2;
      k += 2n;
      sign = -sign;
    }
    return sum;
  };
  const frac = 16n * atanInv(5n) - 4n * atanInv(239n) - (3n << bits);
  PI_WORDS = new Uint32Array(n);
  for (let i = 0; i < n; i++) PI_WORDS[i] = Number((frac >> (bits - 32n * BigInt(i + 1))) & 0xffffffffn);
  return PI_WORDS;
}

/** bcrypt ($2b$ and kin): Provos and Mazières' EksBlowfish, OpenBSD's encoding. */
function bcryptRaw(key: Buffer, salt: Buffer, cost: number): Buffer {
  const pi = piWords();
  const P = pi.slice(0, 18);
  const S = pi.slice(18);
  const lr = new Uint32Array(2);
  const enc = () => {
    let [l, r] = [lr[0], lr[1]];
    for (let i = 0; i < 16; i += 2) {
      l ^= P[i];
      r ^= (((S[l >>> 24] + S[256 | ((l >>> 16) & 0xff)]) ^ S[512 | ((l >>> 8) & 0xff)]) + S[768 | (l & 0xff)]) >>> 0;
      r ^= P[i + 1];
      l ^= (((S[r >>> 24] + S[256 | ((r >>> 16) & 0xff)]) ^ S[512 | ((r >>> 8) & 0xff)]) + S[768 | (r & 0xff)]) >>> 0;
    }
    lr[0] = r ^ P[17];
    lr[1] = l ^ P[16];
  };
  const word = (b: Buffer, pos: { i: number }) => {
    let w = 0;
    for (let k = 0; k < 4; k++) {
      w = ((w << 8) | b[pos.i]) >>> 0;
      pos.i = (pos.i + 1) % b.length;
    }
    return w;
  };
  const expand = (k: Buffer, s: Buffer | null) => {
    const kp = { i: 0 };
    for (let i = 0; i < 18; i++) P[i] ^= word(k, kp);
    const sp = { i: 0 };
    lr[0] = lr[1] = 0;
    const fill = (arr: Uint32Array) => {
      for (let i = 0; i < arr.length; i += 2) {
        if (s) {
          lr[0] ^= word(s, sp);
          lr[1] ^= word(s, sp);
        }
        enc();
        arr[i] = lr[0];
        arr[i + 1] = lr[1];
      }
    };
    fill(P);
    fill(S);
  };
  expand(key, salt);
  for (let i = 0; i < 2 ** cost; i++) {
    expand(key, null);
    expand(salt, null);
  }
  const text = Buffer.from('OrpheanBeholderScryDoubt', 'ascii');
  const out = Buffer.alloc(24);
  for (let j = 0; j < 6; j += 2) {
    lr[0] = text.readUInt32BE(j * 4);
    lr[1] = text.readUInt32BE(j * 4 + 4);
    for (let i = 0; i < 64; i++) enc();
    out.writeUInt32BE(lr[0], j * 4);
    out.writeUInt32BE(lr[1], j * 4 + 4);
  }
  return out;
}

function bcrypt64Encode(b: Buffer): string {
  let out = '';
  for (let i = 0; i < b.length; i += 3) {
    const [c1, c2, c3] = [b[i], b[i + 1] ?? 0, b[i + 2] ?? 0];
    out += BCRYPT64[c1 >> 2] + BCRYPT64[((c1 & 3) << 4) | (c2 >> 4)];
    if (i + 1 < b.length) out += BCRYPT64[((c2 & 15) << 2) | (c3 >> 6)];
    if (i + 2 < b.length) out += BCRYPT64[c3 & 63];
  }
  return out;
}
function bcrypt64Decode(s: string, len: number): Buffer {
  let bits = 0n;
  for (const c of s) bits = (bits << 6n) | BigInt(BCRYPT64.indexOf(c));
  bits >>= BigInt(s.length * 6 - len * 8);
  const out = Buffer.alloc(len);
  for (let i = len - 1; i >= 0; i--, bits >>= 8n) out[i] = Number(bits & 0xffn);
  return out;
}

function bcryptText(pw: Buffer, salt: string, cost: number, ident: string): string {
  // 2a/2b/2y: the password with its NUL, at most 72 bytes; 2: without the NUL
  const key = (ident === '2' ? pw : Buffer.concat([pw, Buffer.from([0])])).subarray(0, 72);
  const raw = bcrypt64Decode(salt, 16);
  // the salt as written: its last character's unused bits cleared (passlib's bcrypt64.repair_unused)
  return `$${ident}$${String(cost).padStart(2, '0')}$${bcrypt64Encode(raw)}${bcrypt64Encode(bcryptRaw(key.length ? key : Buffer.from([0]), raw, cost).subarray(0, 23))}`;
}

type Scheme = { maxSalt: number; exact?: boolean; rounds?: [min: number, max: number, implicit: number] };
const SCHEMES: Record<string, Scheme> = {
  sha512_crypt: { maxSalt: 16, rounds: [1000, 999_999_999, 656000] },
  sha256_crypt: { maxSalt: 16, rounds: [1000, 999_999_999, 535000] },
  md5_crypt: { maxSalt: 8 },
  bcrypt: { maxSalt: 22, exact: true, rounds: [4, 31, 12] },
};

// passlib 1.7.4's passlib.hash names: each is a scheme Ansible accepts, which skiff refuses by name
const PASSLIB = 'apr_md5_crypt argon2 atlassian_pbkdf2_sha1 bcrypt bcrypt_sha256 bigcrypt bsd_nthash bsdi_crypt cisco_asa cisco_pix cisco_type7 crypt16 cta_pbkdf2_sha1 des_crypt django_argon2 django_bcrypt django_bcrypt_sha256 django_des_crypt django_disabled django_pbkdf2_sha1 django_pbkdf2_sha256 django_salted_md5 django_salted_sha1 dlitz_pbkdf2_sha1 fshp grub_pbkdf2_sha512 hex_md4 hex_md5 hex_sha1 hex_sha256 hex_sha512 htdigest ldap_bcrypt ldap_bsdi_crypt ldap_des_crypt ldap_hex_md5 ldap_hex_sha1 ldap_md5 ldap_md5_crypt ldap_pbkdf2_sha1 ldap_pbkdf2_sha256 ldap_pbkdf2_sha512 ldap_plaintext ldap_salted_md5 ldap_salted_sha1 ldap_salted_sha256 ldap_salted_sha512 ldap_sha1 ldap_sha1_crypt ldap_sha256_crypt ldap_sha512_crypt lmhash md5_crypt msdcc msdcc2 mssql2000 mssql2005 mysql323 mysql41 nthash oracle10 oracle11 pbkdf2_sha1 pbkdf2_sha256 pbkdf2_sha512 phpass plaintext postgres_md5 roundup_plaintext scram scrypt sha1_crypt sha256_crypt sha512_crypt sun_md5_crypt unix_disabled unix_fallback'.split(' ');

const ALIASES: Record<string, string> = { md5: 'md5_crypt', blowfish: 'bcrypt', sha256: 'sha256_crypt', sha512: 'sha512_crypt' };

/** passlib's ValueError, as Ansible's "Could not hash the secret." (AnsibleError's text repeats it so). */
const cannot = (why: string) => new ExprError(`Could not hash the secret.. ${why}. Could not hash the secret.. ${why}`);

/** password_hash(hashtype='sha512', salt=None, salt_size=None, rounds=None, ident=None). */
export function passwordHash(password: unknown, args: unknown[], kw: Record<string, unknown>): string {
  const [hashtype = 'sha512', salt = null, saltSize = null, rounds = null, ident = null] = ['hashtype', 'salt', 'salt_size', 'rounds', 'ident'].map((k, i) => (Object.hasOwn(kw, k) ? kw[k] : args[i]));
  const name = ALIASES[pyStr(hashtype)] ?? pyStr(hashtype);
  const scheme = SCHEMES[name];
  if (!scheme) {
    if (PASSLIB.includes(name)) throw new ExprError(`password_hash: hashtype '${name}' is not supported by skiff: expected one of ${Object.keys(SCHEMES).join(', ')} (or md5, sha256, sha512, blowfish)`);
    throw new ExprError(`passlib does not support '${name}' algorithm`);
  }
  if (saltSize !== null && saltSize !== undefined && saltSize !== 0 && !(typeof saltSize === 'number' && Number.isInteger(saltSize))) throw new ExprError(`'<' not supported between instances of '${typeName(saltSize)}' and 'int'`);
  if (rounds !== null && rounds !== undefined && rounds !== 0 && !scheme.rounds) throw new ExprError("MinimalHandler.using() got an unexpected keyword argument 'rounds'");
  const idText = ident === null || ident === undefined || ident === '' ? (name === 'bcrypt' ? '2b' : '') : name === 'bcrypt' ? pyStr(ident) : '';
  if (name === 'bcrypt' && !['2', '2a', '2b', '2y'].includes(idText)) throw cannot(`invalid ident: '${idText}'`);
  const r = Number(rounds || scheme.rounds?.[2] || 0);
  if (scheme.rounds && (!Number.isInteger(r) || r < scheme.rounds[0])) throw cannot(`${name}: min_desired_rounds (${pyStr(rounds)}) is too low, must be at least ${scheme.rounds[0]}`);
  if (scheme.rounds && r > scheme.rounds[1]) throw cannot(`${name}: min_desired_rounds (${pyStr(rounds)}) is too large, cannot be more than ${scheme.rounds[1]}`);
  let s: string;
  if (salt !== null && salt !== undefined && salt !== '' && salt !== 0 && salt !== false) {
    s = pyStr(salt);
    if (/[^\x00-\x7f]/.test(s)) throw new ExprError("'ascii' codec can't encode characters in position 0: ordinal not in range(128)");
    if (name === 'bcrypt' && /[^./A-Za-z0-9]/.test(s)) throw new ExprError('substring not found');
    if (/[^./A-Za-z0-9]/.test(s)) throw cannot(`invalid characters in ${name} salt`);
    if (s.length > scheme.maxSalt) throw cannot(`salt too large (${name} requires ${scheme.exact ? 'exactly' : '<='} ${scheme.maxSalt} chars)`);
    if (scheme.exact && s.length < scheme.maxSalt) throw cannot(`salt too small (${name} requires exactly ${scheme.maxSalt} chars)`);
  } else {
    const size = Number(saltSize || scheme.maxSalt);
    if (scheme.exact && size !== scheme.maxSalt) throw cannot(`${name}: salt_size (${size}) must be exactly ${scheme.maxSalt}`);
    if (size > scheme.maxSalt) throw cannot(`${name}: salt_size (${size}) above max_salt_size (${scheme.maxSalt})`);
    s = name === 'bcrypt' ? bcrypt64Encode(randomBytes(16)) : [...randomBytes(size)].map((b) => HASH64[b & 63]).join('');
  }
  const pw = Buffer.from(pyStr(password), 'utf8');
  if (name === 'md5_crypt') return md5CryptText(pw, s);
  if (name === 'bcrypt') return bcryptText(pw, s, r, idText);
  return shaCryptText(name === 'sha512_crypt' ? 'sha512' : 'sha256', pw, s, r);
}
