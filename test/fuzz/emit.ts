// Writes generated documents as YAML (block style) and INI text, remembering the line each value was
// written on, so a test can say where the refusal of a mutated value must point.

/** Text written as is where a scalar would go: anchors, aliases, tags, merge keys, broken syntax. */
export class Raw {
  constructor(readonly text: string) {}
}

/** A key written twice: `{ [dup('name')]: x }` is written `name: x`, after a real `name`. */
export const DUP = '\u0001dup';
export const dup = (key: string): string => key + DUP;
/** A key written as is (a merge key `<<`, a flow collection as key). */
export const RAWKEY = '\u0002';
export const rawKey = (text: string): string => RAWKEY + text;

export type Path = (string | number)[];

export interface Emitted {
  text: string;
  /** 1-based line of the value at each path (its key's line for map entries), by JSON.stringify(path) */
  lines: Map<string, number>;
}

export const pathKey = (p: Path): string => JSON.stringify(p);

// YAML 1.1 reads these plain words as booleans or null: keys spelled so are quoted.
const SPECIAL = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/;

/** A double-quoted YAML scalar: JSON's escapes, plus those for what YAML would not take raw. */
export function quote(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/**
 * Text that starts with a letter is written plain, as people write it: that is YAML 1.1's reading of
 * plain scalars under test too (`e5` is text, `yes` is not, so it is quoted).
 */
const plainOrQuoted = (s: string): string => (/^[A-Za-z_][A-Za-z0-9_./-]*$/.test(s) && !SPECIAL.test(s) ? s : quote(s));

function key(k: string): string {
  if (k.startsWith(RAWKEY)) return k.slice(RAWKEY.length);
  return plainOrQuoted(k.endsWith(DUP) ? k.slice(0, -DUP.length) : k);
}

function scalar(v: unknown): string {
  if (v instanceof Raw) return v.text;
  if (typeof v === 'string') return plainOrQuoted(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '0';
  if (typeof v === 'boolean') return String(v);
  return 'null';
}

function isCollection(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null && !(v instanceof Raw) && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0);
}

function inline(v: unknown): string {
  if (Array.isArray(v)) return '[]';
  if (typeof v === 'object' && v !== null && !(v instanceof Raw)) return '{}';
  return scalar(v);
}

export function emitYaml(value: unknown): Emitted {
  const out: string[] = [];
  const lines = new Map<string, number>();
  const block = (v: unknown, indent: number, path: Path) => {
    const pad = ' '.repeat(indent);
    const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v as object);
    for (const [k, x] of entries) {
      const p = [...path, k];
      const head = Array.isArray(v) ? `${pad}-` : `${pad}${key(String(k))}:`;
      lines.set(pathKey(p), out.length + 1);
      if (!isCollection(x)) {
        out.push(`${head} ${inline(x)}`);
      } else if (Array.isArray(v)) {
        // `- first: 1` then the rest of the item indented under it
        const first = out.length;
        block(x, indent + 2, p);
        out[first] = `${head} ${out[first].slice(indent + 2)}`;
      } else {
        out.push(head);
        block(x, indent + 2, p);
      }
    }
  };
  if (isCollection(value)) block(value, 0, []);
  else out.push(inline(value));
  lines.set(pathKey([]), 1);
  return { text: out.join('\n') + '\n', lines };
}
