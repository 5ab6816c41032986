// lookup('csvfile'): a column of the first row whose first field is the key (lib/ansible/plugins/lookup/
// csvfile.py), the file read as Python's csv.reader does (excel dialect: `"` quotes a field, `""` is
// a quote inside one), fields split by `delimiter` (TAB unless given).
import { readFileSync } from 'node:fs';
import { parseKv } from '../playbook/kv.ts';
import { pyStr } from '../template/expr-error.ts';
import { findInSearchPath } from '../template/lookup-first-found.ts';
import { LookupError, type LookupFiles } from './base.ts';

const OPTIONS = ['col', 'default', 'delimiter', 'file', 'encoding'] as const;

/** csv.reader's rows of a text (a quoted field may span lines). */
export function csvRows(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') {
      quoted = true;
      started = true;
    } else if (c === delimiter) {
      row.push(field);
      field = '';
      started = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      if (started || field) row.push(field);
      rows.push(row);
      row = [];
      field = '';
      started = false;
    } else {
      field += c;
      started = true;
    }
  }
  if (started || field) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export function csvfileLookup(terms: unknown, kw: Record<string, unknown>, files?: LookupFiles): unknown[] {
  const p: Record<string, unknown> = { col: '1', default: null, delimiter: 'TAB', file: 'ansible.csv', encoding: 'utf-8', ...kw };
  const unknown = Object.keys(kw).find((k) => !(OPTIONS as readonly string[]).includes(k));
  if (unknown) throw new LookupError(`Unrecognized option ${unknown} for the csvfile lookup: expected one of ${OPTIONS.join(', ')}`);
  const ret: unknown[] = [];
  for (const t of Array.isArray(terms) ? terms : [terms]) {
    const kv = parseKv(pyStr(t));
    if (!kv.ok) throw new LookupError(kv.error);
    const { _raw_params: key, ...inline } = kv.value;
    if (key === undefined) throw new LookupError('Search key is required but was not found');
    for (const [name, value] of Object.entries(inline)) {
      if (!(OPTIONS as readonly string[]).includes(name)) throw new LookupError(`${name} is not a valid option`);
      p[name] = value;
    }
    const delimiter = p.delimiter === 'TAB' ? '\t' : pyStr(p.delimiter);
    const path = findInSearchPath(files?.searchPath ?? [], 'files', pyStr(p.file), files?.baseDir ?? process.cwd());
    let text: string;
    try {
      if (!path) throw new Error("expected str, bytes or os.PathLike object, not NoneType");
      text = new TextDecoder(pyStr(p.encoding).toLowerCase().replace(/_/g, '-')).decode(readFileSync(path));
    } catch (e) {
      throw new LookupError(`csvfile: ${(e as Error).message}`);
    }
    const row = csvRows(text, delimiter).find((r) => r.length && r[0] === key);
    let value: unknown = p.default;
    if (row) {
      const col = Number.parseInt(pyStr(p.col), 10);
      if (!(col >= 0 && col < row.length)) throw new LookupError('csvfile: list index out of range');
      value = row[col];
    }
    if (value !== null && value !== undefined) ret.push(value);
  }
  return ret;
}
