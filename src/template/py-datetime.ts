// Python's datetime.datetime and datetime.timedelta, as far as templates use them: to_datetime's result
// (strptime), compared, subtracted into a timedelta (.days, .seconds, .total_seconds()), shifted by one.
import { ExprError, PYTYPE, type PyObject, pyStr } from './expr-error.ts';
import { strftime } from '../util/strftime.ts';

const DAY_US = 86_400_000_000;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [era * 400 + yoe + (m <= 2 ? 1 : 0), m, d];
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
export const daysInMonth = (y: number, m: number) => [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];

/** timedelta(days, seconds, microseconds), normalized as Python's: 0 <= seconds < 86400, 0 <= microseconds < 10**6. */
/** Python's divmod of integers: the quotient rounded down, the remainder of the divisor's sign. */
function divmod(a: bigint, b: bigint): [bigint, bigint] {
  const q = a / b - (a % b !== 0n && (a < 0n) !== (b < 0n) ? 1n : 0n);
  return [q, a - q * b];
}

export class PyTimedelta implements PyObject {
  declare [PYTYPE]: string;
  readonly days: number;
  readonly seconds: number;
  readonly microseconds: number;
  constructor(days: number, seconds = 0, microseconds = 0) {
    // exact integer arithmetic: the microseconds of ±10**9 days exceed a double's integers
    const total = BigInt(Math.round(days * 86400 * 1e6)) + BigInt(Math.round(seconds * 1e6)) + BigInt(Math.round(microseconds));
    const [d, rest] = divmod(total, BigInt(DAY_US));
    this.days = Number(d);
    this.seconds = Number(rest / 1_000_000n);
    this.microseconds = Number(rest % 1_000_000n);
    if (Math.abs(this.days) > 999_999_999) throw new ExprError(`days=${this.days}; must have magnitude <= 999999999`);
  }
  /** The whole duration in microseconds, exactly. */
  us(): bigint {
    return BigInt(this.days) * BigInt(DAY_US) + BigInt(this.seconds) * 1_000_000n + BigInt(this.microseconds);
  }
  static ofUs(us: bigint): PyTimedelta {
    const [d, rest] = divmod(us, BigInt(DAY_US));
    return new PyTimedelta(Number(d), 0, Number(rest));
  }
  str(): string {
    const hms = `${Math.floor(this.seconds / 3600)}:${pad(Math.floor(this.seconds / 60) % 60)}:${pad(this.seconds % 60)}${this.microseconds ? `.${pad(this.microseconds, 6)}` : ''}`;
    return this.days ? `${this.days} day${Math.abs(this.days) === 1 ? '' : 's'}, ${hms}` : hms;
  }
  repr(): string {
    const parts = [['days', this.days], ['seconds', this.seconds], ['microseconds', this.microseconds]].filter(([, n]) => n);
    return `datetime.timedelta(${parts.length ? parts.map(([k, n]) => `${k}=${n}`).join(', ') : '0'})`;
  }
  cmp(o: unknown): number | undefined {
    if (!(o instanceof PyTimedelta)) return undefined;
    const [a, b] = [this.us(), o.us()];
    return a < b ? -1 : a > b ? 1 : 0;
  }
  arith(op: string, o: unknown, reflected: boolean): unknown {
    if (o instanceof PyTimedelta) {
      const [a, b] = reflected ? [o.us(), this.us()] : [this.us(), o.us()];
      if (op === '+') return PyTimedelta.ofUs(a + b);
      if (op === '-') return PyTimedelta.ofUs(a - b);
      if (op === '/') return Number(a) / Number(b);
      if (op === '//') return Number(a / b - (a % b !== 0n && a < 0n !== b < 0n ? 1n : 0n));
      return undefined;
    }
    if (typeof o === 'number' && Number.isInteger(o) && op === '*') return PyTimedelta.ofUs(this.us() * BigInt(o));
    if (typeof o === 'number' && op === '*') return new PyTimedelta(0, 0, Number(this.us()) * o);
    if (typeof o === 'number' && !reflected && op === '/') return new PyTimedelta(0, 0, Number(this.us()) / o);
    return undefined;
  }
  method(name: string): { found: true; value: unknown } | { found: false } {
    if (name === 'total_seconds') return { found: true, value: Number(this.us()) / 1e6 };
    return { found: false };
  }
  /** Ansible's JSON encoder has no case for a timedelta; its str() is what a reader would want */
  toJSON(): string {
    return this.str();
  }
}
Object.defineProperty(PyTimedelta.prototype, PYTYPE, { value: 'timedelta' });

/** datetime(year, month, day, hour, minute, second, microsecond[, utcoffset in seconds]): naive unless an offset is given. */
export class PyDateTime implements PyObject {
  declare [PYTYPE]: string;
  constructor(
    readonly year: number,
    readonly month: number,
    readonly day: number,
    readonly hour = 0,
    readonly minute = 0,
    readonly second = 0,
    readonly microsecond = 0,
    /** seconds east of UTC; null: naive. Not an attribute Python has under this name, so not enumerable. */
    utcoffset: number | null = null,
  ) {
    Object.defineProperty(this, 'offset', { value: utcoffset, enumerable: false });
    if (year < 1 || year > 9999) throw new ExprError(`year ${year} is out of range`);
    if (month < 1 || month > 12) throw new ExprError('month must be in 1..12');
    if (day < 1 || day > daysInMonth(year, month)) throw new ExprError('day is out of range for month');
    if (hour > 23 || minute > 59 || second > 59) throw new ExprError(`${hour > 23 ? 'hour' : minute > 59 ? 'minute' : 'second'} must be in 0..${hour > 23 ? 23 : 59}`);
  }
  declare readonly offset: number | null;

  /** Microseconds since 1970-01-01 of its wall time (UTC when aware). */
  us(): bigint {
    const wall = BigInt(daysFromCivil(this.year, this.month, this.day)) * BigInt(DAY_US) + BigInt(((this.hour * 60 + this.minute) * 60 + this.second) * 1e6 + this.microsecond);
    return wall - BigInt((this.offset ?? 0) * 1e6);
  }
  static ofUs(us: bigint, offset: number | null): PyDateTime {
    const wall = us + BigInt((offset ?? 0) * 1e6);
    const day = BigInt(DAY_US);
    let d = wall / day;
    let rest = wall % day;
    if (rest < 0n) {
      d -= 1n;
      rest += day;
    }
    const [y, m, dd] = civilFromDays(Number(d));
    const r = Number(rest);
    const secs = Math.floor(r / 1e6);
    if (y < 1 || y > 9999) throw new ExprError('date value out of range');
    return new PyDateTime(y, m, dd, Math.floor(secs / 3600), Math.floor(secs / 60) % 60, secs % 60, r % 1e6, offset);
  }

  private offsetText(colon: boolean): string {
    if (this.offset === null) return '';
    const o = Math.abs(this.offset);
    const s = o % 60 ? `${colon ? ':' : ''}${pad(o % 60)}` : '';
    return `${this.offset < 0 ? '-' : '+'}${pad(Math.floor(o / 3600))}${colon ? ':' : ''}${pad(Math.floor(o / 60) % 60)}${s}`;
  }
  isoformat(sep = 'T'): string {
    const frac = this.microsecond ? `.${pad(this.microsecond, 6)}` : '';
    return `${pad(this.year, 4)}-${pad(this.month)}-${pad(this.day)}${sep}${pad(this.hour)}:${pad(this.minute)}:${pad(this.second)}${frac}${this.offsetText(true)}`;
  }
  str(): string {
    return this.isoformat(' ');
  }
  repr(): string {
    // Python drops trailing zero fields from second on; an aware one names its tzinfo
    const f = [this.year, this.month, this.day, this.hour, this.minute, this.second, this.microsecond];
    while (f.length > 5 && f.at(-1) === 0) f.pop();
    const off = this.offset;
    const tz = off === null ? '' : off === 0 ? ', tzinfo=datetime.timezone.utc' : `, tzinfo=datetime.timezone(${PyTimedelta.ofUs(BigInt(off) * 1_000_000n).repr()})`;
    return `datetime.datetime(${f.join(', ')}${tz})`;
  }
  cmp(o: unknown): number | undefined {
    // Python: a naive and an aware datetime are unequal and have no order
    if (!(o instanceof PyDateTime) || (this.offset === null) !== (o.offset === null)) return undefined;
    const [a, b] = [this.us(), o.us()];
    return a < b ? -1 : a > b ? 1 : 0;
  }
  arith(op: string, o: unknown, reflected: boolean): unknown {
    if (o instanceof PyTimedelta && (op === '+' || (op === '-' && !reflected))) return PyDateTime.ofUs(op === '+' ? this.us() + o.us() : this.us() - o.us(), this.offset);
    if (o instanceof PyDateTime && op === '-') {
      if ((this.offset === null) !== (o.offset === null)) throw new ExprError("can't subtract offset-naive and offset-aware datetimes");
      return PyTimedelta.ofUs(reflected ? o.us() - this.us() : this.us() - o.us());
    }
    return undefined;
  }
  method(name: string, args: unknown[], kw: Record<string, unknown>): { found: true; value: unknown } | { found: false } {
    const ok = (value: unknown) => ({ found: true as const, value });
    switch (name) {
      case 'isoformat': return ok(this.isoformat(pyStr(kw.sep ?? args[0] ?? 'T')));
      case 'strftime': return ok(this.strftime(pyStr(kw.format ?? args[0])));
      // a naive datetime is local time (time.mktime), an aware one its own offset's
      case 'timestamp': return ok(this.offset === null ? new Date(this.year, this.month - 1, this.day, this.hour, this.minute, this.second).getTime() / 1000 + this.microsecond / 1e6 : Number(this.us()) / 1e6);
      case 'weekday': return ok((daysFromCivil(this.year, this.month, this.day) + 3 + 7 * 1e6) % 7);
      case 'isoweekday': return ok(((daysFromCivil(this.year, this.month, this.day) + 3 + 7 * 1e6) % 7) + 1);
    }
    return { found: false };
  }
  strftime(fmt: string): string {
    // util/strftime reads a Date's UTC fields: the wall time as if in UTC, its own offset for %z
    const wall = new Date(0);
    wall.setUTCFullYear(this.year, this.month - 1, this.day);
    wall.setUTCHours(this.hour, this.minute, this.second, Math.floor(this.microsecond / 1000));
    const tz = fmt.replace(/%%/g, '').includes('%z') || fmt.replace(/%%/g, '').includes('%Z');
    const f = tz ? fmt.replace(/%(.)/g, (m, c: string) => (c === 'z' ? this.offsetText(false) : c === 'Z' ? (this.offset === null ? '' : `UTC${this.offsetText(true)}`) : m)) : fmt;
    try {
      return strftime(f, wall, true, this.microsecond);
    } catch (e) {
      throw new ExprError((e as Error).message);
    }
  }
  /** Ansible's JSON encoder writes a datetime as its isoformat() */
  toJSON(): string {
    return this.isoformat();
  }
}
Object.defineProperty(PyDateTime.prototype, PYTYPE, { value: 'datetime' });

// time.strptime's patterns (Lib/_strptime.py, C locale); compiled case-insensitive as Python does
const DIRECTIVES: Record<string, string> = {
  d: '(?<d>3[01]|[12]\\d|0[1-9]|[1-9]| [1-9])',
  f: '(?<f>[0-9]{1,6})',
  H: '(?<H>2[0-3]|[0-1]\\d|\\d)',
  I: '(?<I>1[0-2]|0[1-9]|[1-9])',
  j: '(?<j>36[0-6]|3[0-5]\\d|[12]\\d\\d|0[1-9]\\d|00[1-9]|[1-9]\\d|0[1-9]|[1-9])',
  m: '(?<m>1[0-2]|0[1-9]|[1-9])',
  M: '(?<M>[0-5]\\d|\\d)',
  S: '(?<S>6[0-1]|[0-5]\\d|\\d)',
  w: '(?<w>[0-6])',
  u: '(?<u>[1-7])',
  y: '(?<y>\\d\\d)',
  Y: '(?<Y>\\d\\d\\d\\d)',
  z: '(?<z>[+-]\\d\\d:?[0-5]\\d(?::?[0-5]\\d(?:\\.\\d{1,6})?)?|Z)',
  a: '(?<a>mon|tue|wed|thu|fri|sat|sun)',
  A: '(?<A>monday|tuesday|wednesday|thursday|friday|saturday|sunday)',
  b: '(?<b>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)',
  B: '(?<B>january|february|march|april|may|june|july|august|september|october|november|december)',
  p: '(?<p>am|pm)',
  Z: '(?<Z>utc|gmt)',
  '%': '%',
};
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** datetime.datetime.strptime(text, format), with Python's ValueError texts. */
export function strptime(text: string, format: string): PyDateTime {
  const seen = new Set<string>();
  let src = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c === '%') {
      const d = format[++i];
      if (d === undefined) throw new ExprError(`stray % in format '${format}'`);
      if (!Object.hasOwn(DIRECTIVES, d)) throw new ExprError(`'${d}' is a bad directive in format '${format}'`);
      // Python: a directive given twice is a redefinition of its group (re.error)
      if (seen.has(d) && d !== '%') throw new ExprError(`redefinition of group name '${d}'`);
      seen.add(d);
      src += DIRECTIVES[d];
    } else if (/\s/.test(c)) {
      while (/\s/.test(format[i + 1] ?? '')) i++;
      src += '\\s+';
    } else src += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  const m = new RegExp(`^(?:${src})`, 'i').exec(text);
  if (!m) throw new ExprError(`time data ${JSON.stringify(text).replace(/^"|"$/g, "'")} does not match format '${format}'`);
  if (m[0].length !== text.length) throw new ExprError(`unconverted data remains: ${text.slice(m[0].length)}`);
  const g = m.groups ?? {};
  let year = g.Y !== undefined ? Number(g.Y) : g.y !== undefined ? Number(g.y) + (Number(g.y) <= 68 ? 2000 : 1900) : 1900;
  let month = g.m !== undefined ? Number(g.m) : g.B !== undefined ? MONTHS.indexOf(g.B.toLowerCase()) + 1 : g.b !== undefined ? MONTHS.findIndex((n) => n.startsWith(g.b.toLowerCase())) + 1 : 1;
  let day = g.d !== undefined ? Number(g.d) : 1;
  let hour = g.H !== undefined ? Number(g.H) : 0;
  if (g.I !== undefined) {
    const h = Number(g.I);
    const pm = g.p?.toLowerCase() === 'pm';
    hour = pm ? (h === 12 ? 12 : h + 12) : h === 12 ? 0 : h;
  }
  const minute = g.M !== undefined ? Number(g.M) : 0;
  // a leap second (60, 61) is read, and datetime refuses it
  const second = g.S !== undefined ? Number(g.S) : 0;
  const micro = g.f !== undefined ? Number(g.f.padEnd(6, '0')) : 0;
  let offset: number | null = null;
  if (g.z !== undefined) {
    if (g.z.toUpperCase() === 'Z') offset = 0;
    else {
      const z = /^([+-])(\d\d):?(\d\d)(?::?(\d\d))?/.exec(g.z)!;
      offset = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 3600 + Number(z[3]) * 60 + Number(z[4] ?? 0));
    }
  }
  // %j without a month and day: the year's day
  if (g.j !== undefined && g.m === undefined && g.b === undefined && g.B === undefined && g.d === undefined) {
    const [, mm, dd] = civilFromDays(daysFromCivil(year, 1, 1) + Number(g.j) - 1);
    [month, day] = [mm, dd];
    year = civilFromDays(daysFromCivil(year, 1, 1) + Number(g.j) - 1)[0];
  }
  // datetime(1900, 2, 29) is refused by datetime, as Python's strptime refuses it
  return new PyDateTime(year, month, day, hour, minute, second, micro, offset);
}

/** datetime.datetime.now() / utcnow(): naive, local or UTC wall time. */
export function nowDateTime(utc: boolean): PyDateTime {
  const d = new Date();
  return utc
    ? new PyDateTime(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds() * 1000)
    : new PyDateTime(d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds() * 1000);
}
