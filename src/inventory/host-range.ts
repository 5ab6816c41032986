// Ansible's host ranges in an inventory (plugins/inventory/__init__.py expand_hostname_range): `web[01:12]`
// is web01..web12 (a leading zero keeps the width), `db[a:c]` is dba..dbc, `[1:9:2]` steps by 2, and
// several ranges in one name multiply. Pure.

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** The host names a name with ranges stands for, or Ansible's error for a bad range. */
export function expandHostRange(name: string): string[] | { error: string; python?: true } {
  const open = name.indexOf('[');
  if (open < 0) return [name];
  const close = name.indexOf(']', open);
  // a name Ansible's parse_address would not read as a range: left as written (then checked as a name)
  if (close < 0) return [name];
  const [head, range, tail] = [name.slice(0, open), name.slice(open + 1, close), name.slice(close + 1)];
  const bounds = range.split(':');
  if (bounds.length !== 2 && bounds.length !== 3) return { error: 'host range must be begin:end or begin:end:step' };
  const beg = bounds[0] || '0';
  const end = bounds[1];
  const step = bounds.length === 3 ? Number(bounds[2]) : 1;
  if (!end) return { error: 'host range must specify end value' };
  // Python's ValueError (int(), range()), not one of Ansible's own errors: python marks it
  if (!Number.isInteger(step) || step < 1) return { error: `host range step must be a positive whole number: got ${bounds[2]}`, python: true };
  const width = beg[0] === '0' && beg.length > 1 ? beg.length : 0;
  if (width && width !== end.length) return { error: 'host range must specify equal-length begin and end formats' };
  let seq: string[];
  if (LETTERS.includes(beg) && beg.length === 1 && LETTERS.includes(end) && end.length === 1) {
    const [i, j] = [LETTERS.indexOf(beg), LETTERS.indexOf(end)];
    if (i > j) return { error: 'host range must have begin <= end' };
    seq = [...LETTERS.slice(i, j + 1)].filter((_, k) => k % step === 0);
  } else {
    const [b, e] = [Number(beg), Number(end)];
    if (!/^\d+$/.test(beg) || !/^\d+$/.test(end)) return { error: `host range must be numbers or letters: got [${range}]`, python: true };
    seq = [];
    for (let n = b; n <= e && seq.length <= 100_000; n += step) seq.push(width ? String(n).padStart(width, '0') : String(n));
  }
  const out: string[] = [];
  for (const s of seq) {
    const more = expandHostRange(`${head}${s}${tail}`);
    if ('error' in more) return more;
    out.push(...more);
  }
  return out;
}
