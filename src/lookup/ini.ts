// lookup('ini'): a value of an INI (or Java properties) file, as lib/ansible/plugins/lookup/ini.py reads
// it with Python's configparser.ConfigParser: keys lower-cased unless case_sensitive, `=` or `:` between
// key and value, whole-line `#` / `;` comments, indented continuation lines, the DEFAULT section seen
// from every section, `%(name)s` interpolation, and a key or section written twice in a file an error.
import { readFileSync } from 'node:fs';
import { pyRepr, pyStr } from '../template/expr-error.ts';
import { findInSearchPath } from '../template/lookup-first-found.ts';
import { LookupError, type LookupFiles } from './base.ts';

type Section = Map<string, string | null>;

/** configparser's reading of one file's text into sections (strict, as ConfigParser's default). */
export class IniParser {
  readonly sections = new Map<string, Section>();
  readonly defaults: Section = new Map();
  constructor(
    private allowNoValue: boolean,
    private caseSensitive: boolean,
  ) {}

  key(k: string): string {
    return this.caseSensitive ? k : k.toLowerCase();
  }

  read(text: string, source = '<???>'): void {
    const seenSections = new Set<string>();
    const seenOptions = new Set<string>();
    const errors: string[] = [];
    let sect: Section | undefined;
    let sectName = '';
    let opt: { name: string; indent: number; lines: string[] } | undefined;
    const end = () => {
      if (opt && sect && opt.lines.length) {
        while (opt.lines.length > 1 && opt.lines[opt.lines.length - 1] === '') opt.lines.pop();
        sect.set(opt.name, opt.lines.join('\n'));
      }
    };
    const lines = text.split(/\r\n|\n|\r/);
    if (lines[lines.length - 1] === '') lines.pop();
    for (const [i, line] of lines.entries()) {
      const lineno = i + 1;
      const value = line.trim();
      if (value.startsWith('#') || value.startsWith(';')) continue;
      if (!value) {
        // empty_lines_in_values: a blank line may sit inside a multi-line value
        if (opt && opt.lines.length) opt.lines.push('');
        continue;
      }
      const indent = line.length - line.trimStart().length;
      if (opt && sect && opt.lines.length && indent > opt.indent) {
        opt.lines.push(value);
        continue;
      }
      end();
      opt = undefined;
      const header = /^\[(.+)\]/.exec(value);
      if (header) {
        sectName = header[1];
        if (seenSections.has(sectName)) throw new DuplicateError(`While reading from ${pyRepr(source)} [line ${String(lineno).padStart(2)}]: section ${pyRepr(sectName)} already exists`);
        seenSections.add(sectName);
        if (sectName === 'DEFAULT') sect = this.defaults;
        else {
          sect = this.sections.get(sectName) ?? new Map();
          this.sections.set(sectName, sect);
        }
        continue;
      }
      if (!sect) throw new LookupError(`File contains no section headers.\nfile: ${pyRepr(source)}, line: ${lineno}\n${pyRepr(line + '\n')}`);
      const m = /^(.*?)\s*([=:])\s*(.*)$/.exec(value);
      if (!m && !this.allowNoValue) {
        errors.push(`\t[line ${String(lineno).padStart(2)}]: ${pyRepr(line + '\n')}`);
        continue;
      }
      const name = this.key((m ? m[1] : value).trimEnd());
      if (seenOptions.has(`${sectName}\0${name}`)) throw new DuplicateError(`While reading from ${pyRepr(source)} [line ${String(lineno).padStart(2)}]: option ${pyRepr(name)} in section ${pyRepr(sectName)} already exists`);
      seenOptions.add(`${sectName}\0${name}`);
      if (m) opt = { name, indent, lines: [m[3].trim()] };
      else {
        sect.set(name, null);
        opt = { name, indent, lines: [] };
      }
    }
    end();
    if (errors.length) throw new LookupError(`Source contains parsing errors: ${pyRepr(source)}\n${errors.join('\n')}`);
  }

  private section(name: string): Section {
    if (name === 'DEFAULT') return this.defaults;
    const s = this.sections.get(name);
    if (!s) throw new NoSectionError(name);
    return s;
  }

  /** BasicInterpolation: `%%` is `%`, `%(name)s` the section's (or DEFAULT's) option name. */
  private interpolate(section: string, raw: string | null, depth = 0): string | null {
    if (raw === null || !raw.includes('%')) return raw;
    if (depth > 10) throw new LookupError(`Recursion limit exceeded in value substitution: option in section ${pyRepr(section)}`);
    return raw.replace(/%(%|\((.*?)\)s|.?)/gs, (whole, what: string, ref: string | undefined) => {
      if (what === '%') return '%';
      if (ref === undefined) throw new LookupError(`'%' must be followed by '%' or '(', found: ${pyRepr(whole)}`);
      const v = this.raw(section, this.key(ref));
      if (v === undefined) throw new LookupError(`Bad value substitution: option ${pyRepr(ref)} in section ${pyRepr(section)} contains an interpolation key ${pyRepr(ref)} which is not a valid option name.`);
      return this.interpolate(section, v, depth + 1) ?? '';
    });
  }

  private raw(section: string, key: string): string | null | undefined {
    const s = this.section(section);
    return s.has(key) ? s.get(key) : this.defaults.get(key);
  }

  /** ConfigParser.get: undefined when the option is not there (NoOptionError). */
  get(section: string, key: string): string | null | undefined {
    const v = this.raw(section, this.key(key));
    return v === undefined ? undefined : this.interpolate(section, v);
  }

  /** ConfigParser.items(section): DEFAULT's options, then the section's. */
  items(section: string): [string, string | null][] {
    const merged = new Map([...this.defaults, ...this.section(section)]);
    return [...merged.keys()].map((k) => [k, this.interpolate(section, merged.get(k)!)]);
  }
}

export class NoSectionError extends Error {
  constructor(readonly section: string) {
    super(`No section: ${pyRepr(section)}`);
  }
}
class DuplicateError extends Error {}

/** Python's truth of an option's value: an inline `re=false` is a non-empty string, so true (as Ansible's). */
const pyTrue = (x: unknown) => !(x === false || x === null || x === undefined || x === '' || x === 0);

const OPTIONS = ['type', 'file', 'section', 're', 'encoding', 'default', 'case_sensitive', 'allow_no_value'] as const;
/** the ini lookup's options as get_options() gives them (after set_options' type conversion) */
type Options = Record<(typeof OPTIONS)[number], unknown>;

/** ini.py's _parse_params: `key opt=value opt=value with spaces`, split so a value keeps its spaces. */
export function parseInlineParams(term: string): string[] {
  const params = new Map<string, string>();
  const keys: string[] = [];
  let thiskey = 'key';
  for (const [idp, phrase] of term.split(/\s+/).filter(Boolean).entries()) {
    if (phrase.includes('=')) for (const k of OPTIONS) if (phrase.includes(`${k}=`)) thiskey = k;
    if (idp === 0 || !params.get(thiskey)) {
      params.set(thiskey, phrase);
      keys.push(thiskey);
    } else params.set(thiskey, `${params.get(thiskey)} ${phrase}`);
  }
  return keys.map((k) => params.get(k) ?? '');
}

const bool = (x: unknown) => x === true || (typeof x === 'string' && ['yes', 'on', '1', 'true', 'y', 't'].includes(x.toLowerCase())) || x === 1;

/** A file's text in Python's codec `encoding` (utf-8, latin-1 / iso8859-1 ...). */
function decode(bytes: Buffer, encoding: string): string {
  let dec: TextDecoder;
  try {
    dec = new TextDecoder(encoding.toLowerCase().replace(/_/g, '-'), { fatal: true });
  } catch {
    throw new LookupError(`unknown encoding: ${encoding}`);
  }
  try {
    return dec.decode(bytes);
  } catch {
    throw new LookupError(`'${encoding}' codec can't decode the file`);
  }
}

export function iniLookup(terms: unknown, kw: Record<string, unknown>, files?: LookupFiles): unknown[] {
  const unknown = Object.keys(kw).find((k) => !(OPTIONS as readonly string[]).includes(k) && k !== 'allow_none');
  if (unknown) throw new LookupError(`Unrecognized option ${pyRepr(unknown)} for the ini lookup: expected one of ${OPTIONS.join(', ')}`);
  const p: Options = {
    type: kw.type ?? 'ini',
    file: kw.file ?? 'ansible.ini',
    section: kw.section ?? 'global',
    re: bool(kw.re ?? false),
    encoding: kw.encoding ?? 'utf-8',
    default: kw.default ?? '',
    case_sensitive: bool(kw.case_sensitive ?? false),
    allow_no_value: bool(kw.allow_no_value ?? kw.allow_none ?? false),
  };
  const cp = new IniParser(pyTrue(p.allow_no_value), pyTrue(p.case_sensitive));
  const ret: unknown[] = [];
  for (const t of Array.isArray(terms) ? terms : [terms]) {
    const term = pyStr(t);
    let key = term;
    if (term.includes('=') || term.trim().includes(' ')) {
      let updated = false;
      const params = parseInlineParams(term);
      for (const param of params) {
        if (param.includes('=')) {
          const parts = param.split('=');
          if (parts.length !== 2) throw new LookupError(`Could not use '${param}' from ${pyRepr(params)}: too many values to unpack (expected 2)`);
          const [name, value] = parts;
          if (!(OPTIONS as readonly string[]).includes(name)) throw new LookupError(`${name} is not a valid option.`);
          p[name as keyof Options] = value;
        } else if (key === term) {
          key = param;
          updated = true;
        }
      }
      if (!updated) throw new LookupError(`No key to lookup was provided as first term with in string inline options: ${term}`);
    }
    const file = pyStr(p.file);
    const path = findInSearchPath(files?.searchPath ?? [], 'files', file, files?.baseDir ?? process.cwd());
    if (!path) throw new LookupError(`Invalid filename: 'None'`);
    let text = decode(readFileSync(path), pyStr(p.encoding));
    if (p.type === 'properties') {
      text = `[java_properties]\n${text}`;
      p.section = 'java_properties';
    }
    try {
      cp.read(text);
    } catch (e) {
      if (e instanceof DuplicateError) throw new LookupError(`Duplicate option in '${file}': ${e.message}`);
      throw e;
    }
    const section = pyStr(p.section);
    let value: unknown;
    try {
      if (pyTrue(p.re)) {
        const re = new RegExp(`^(?:${key})`);
        value = cp.items(section).filter(([k]) => re.test(k)).map(([, v]) => v);
      } else {
        // allow_no_value: a key without a value is None, which adds nothing (not the default)
        const v = cp.get(section, key);
        value = v === undefined ? p.default : v;
      }
    } catch (e) {
      if (e instanceof NoSectionError) throw new LookupError(`No section '${section}' in ${file}`);
      throw e;
    }
    if (Array.isArray(value)) ret.push(...value);
    else if (value !== null && value !== undefined) ret.push(value);
  }
  return ret;
}
