// Python's random.Random (MT19937, seeded as CPython 3 seeds it), so that Ansible's `random(seed=...)`
// and `shuffle(seed=...)` give the very values Ansible gives: roles seed them with the host's name to
// spread cron minutes or pick a mirror, and a different pick on skiff would move them.
import { createHash, randomInt } from 'node:crypto';

export class PyRandom {
  private mt = new Uint32Array(624);
  private i = 625;

  constructor(seed: string | number | bigint) {
    this.seedArray(PyRandom.key(seed));
  }

  /** CPython's seed(): an int by its absolute value, a str (version 2) as its bytes then their SHA-512. */
  private static key(seed: string | number | bigint): number[] {
    let n: bigint;
    if (typeof seed === 'string') {
      const b = Buffer.from(seed, 'utf8');
      const all = Buffer.concat([b, createHash('sha512').update(b).digest()]);
      n = BigInt(`0x${all.toString('hex')}`);
    } else n = BigInt(seed) < 0n ? -BigInt(seed) : BigInt(seed);
    const key: number[] = [];
    while (n > 0n) {
      key.push(Number(n & 0xffffffffn));
      n >>= 32n;
    }
    return key.length ? key : [0];
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < 624; i++) mt[i] = (Math.imul(1812433253, mt[i - 1] ^ (mt[i - 1] >>> 30)) + i) >>> 0;
    this.i = 624;
  }

  private seedArray(key: number[]): void {
    this.initGenrand(19650218);
    const mt = this.mt;
    let i = 1;
    let j = 0;
    for (let k = Math.max(624, key.length); k; k--) {
      mt[i] = ((mt[i] ^ Math.imul(mt[i - 1] ^ (mt[i - 1] >>> 30), 1664525)) + key[j] + j) >>> 0;
      i++;
      j++;
      if (i >= 624) {
        mt[0] = mt[623];
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = 623; k; k--) {
      mt[i] = ((mt[i] ^ Math.imul(mt[i - 1] ^ (mt[i - 1] >>> 30), 1566083941)) - i) >>> 0;
      i++;
      if (i >= 624) {
        mt[0] = mt[623];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  private uint32(): number {
    const mt = this.mt;
    if (this.i >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7fffffff);
        mt[k] = mt[(k + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.i = 0;
    }
    let y = mt[this.i++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** getrandbits(k): k <= 32 from one word's top bits, more from several words, low word first. */
  private bits(k: number): bigint {
    if (k <= 32) return BigInt(this.uint32() >>> (32 - k));
    let r = 0n;
    for (let shift = 0n; k > 0; k -= 32, shift += 32n) r |= BigInt(k >= 32 ? this.uint32() : this.uint32() >>> (32 - k)) << shift;
    return r;
  }

  /** _randbelow: uniform in [0, n), by rejection. */
  below(n: number): number {
    if (n <= 0) return 0;
    const k = n.toString(2).length;
    let r = this.bits(k);
    while (r >= BigInt(n)) r = this.bits(k);
    return Number(r);
  }
}

/** Something that picks below n: a seeded PyRandom, or the system's randomness (SystemRandom). */
export type Below = (n: number) => number;
export const belowOf = (seed: unknown): Below => {
  if (seed === undefined || seed === null) return (n) => (n > 0 ? randomInt(n) : 0);
  const r = new PyRandom(typeof seed === 'number' && Number.isInteger(seed) ? seed : String(seed));
  return (n) => r.below(n);
};

/** random.randrange(start, stop, step) with Python's errors for an empty range. */
export function randrange(below: Below, start: number, stop: number, step: number): number {
  const width = stop - start;
  if (step === 1) {
    if (width <= 0) throw new Error(`empty range for randrange() (${start}, ${stop}, ${width})`);
    return start + below(width);
  }
  const n = step > 0 ? Math.floor((width + step - 1) / step) : Math.floor((width + step + 1) / step);
  if (n <= 0) throw new Error('empty range for randrange()');
  return start + step * below(n);
}

/** random.shuffle: Fisher-Yates from the end, as CPython's. */
export function shuffle<T>(below: Below, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = below(i + 1);
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}
