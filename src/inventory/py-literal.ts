// How Ansible's INI inventory reads a line and a value (lib/ansible/plugins/inventory/ini.py): a host
// line is split as Python's shlex.split(line, comments=True) splits it, and every value goes through
// ast.literal_eval, kept as text when that fails. So `x=1` is a number, `x=True` a boolean, `x=[1, 2]`
// a list, but `x=yes` and `x=true` stay text (Python spells its booleans True/False). Pure.
import { PyFloat, pyFloat } from '../template/py-float.ts';

/** A word of a shlex-split line and the 0-based index where it starts. */
export interface Word {
  text: string;
  at: number;
}

/** shlex.split(line, comments=True) in POSIX mode; null when a quote is not closed. */
export function shlexWords(line: string): Word[] | null {
  const out: Word[] = [];
  let word = '';
  let at = -1; // where the word being read starts; -1: between words
  const start = (i: number) => {
    if (at < 0) [word, at] = ['', i];
  };
  const end = () => {
    if (at >= 0) out.push({ text: word, at });
    at = -1;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (/\s/.test(c)) end();
    else if (c === '#') break; // outside quotes, even inside a word (Python's shlex: `a#b` is `a`)
    else if (c === "'") {
      start(i);
      const close = line.indexOf("'", i + 1);
      if (close < 0) return null;
      word += line.slice(i + 1, close);
      i = close;
    } else if (c === '"') {
      start(i);
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) word += line[j] === '\\' && '\\"'.includes(line[j + 1] ?? '') ? line[++j] : line[j];
      if (j >= line.length) return null;
      i = j;
    } else if (c === '\\' && i + 1 < line.length) {
      start(i);
      word += line[++i];
    } else {
      start(i);
      word += c;
    }
  }
  end();
  return out;
}

/**
 * ast.literal_eval(text) when it is a Python literal, else the text itself (as _parse_value does).
 * `json`: JSON's true, false and null read as Python's True, False and None (Ansible's Json2Python,
 * which its templating's concat applies before literal_eval).
 */
export function pyLiteral(text: string, json = false): unknown {
  const p = new Parser(text, json);
  try {
    p.space();
    const value = p.value();
    p.space();
    return p.i === text.length ? value : text;
  } catch {
    return text;
  }
}

class Parser {
  i = 0;
  constructor(
    readonly s: string,
    readonly json = false,
  ) {}

  space() {
    while (this.i < this.s.length) {
      if (/\s/.test(this.s[this.i])) this.i++;
      // a comment ends a Python expression: literal_eval('1 # x') is 1
      else if (this.s[this.i] === '#') this.i = this.s.length;
      else break;
    }
  }

  eat(c: string): boolean {
    this.space();
    if (this.s[this.i] !== c) return false;
    this.i++;
    return true;
  }

  value(): unknown {
    this.space();
    const c = this.s[this.i];
    if (c === '[' || c === '(') return this.seq(c === '[' ? ']' : ')');
    if (c === '{') return this.dict();
    if (c === "'" || c === '"') {
      // adjacent string literals are one string, as in Python
      let out = this.str();
      for (this.space(); this.s[this.i] === "'" || this.s[this.i] === '"'; this.space()) out += this.str();
      return out;
    }
    if (c === '-' || c === '+') {
      this.i++;
      const n = this.value();
      if (typeof n !== 'number' && !(n instanceof PyFloat)) throw new Error('not a number');
      return c === '-' ? (n instanceof PyFloat ? new PyFloat(-n.value) : -n) : n;
    }
    const m = /^(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?j?|True|False|None|true|false|null)(?![\w])/.exec(this.s.slice(this.i));
    if (!m || !m[0]) throw new Error('not a literal');
    this.i += m[0].length;
    const t = m[0];
    if (t === 'true' || t === 'false' || t === 'null') {
      if (!this.json) throw new Error('a name, not a literal');
      return t === 'true' ? true : t === 'false' ? false : null;
    }
    if (t === 'True') return true;
    if (t === 'False') return false;
    if (t === 'None') return null;
    if (t.endsWith('j')) throw new Error('complex');
    const digits = t.replace(/_/g, '');
    if (/^0[xob]/i.test(digits)) return Number(digits.toLowerCase());
    // Python refuses a leading zero on a whole number (`010` is a SyntaxError): text, as Ansible keeps it
    if (/^0\d/.test(digits) && !/^0+$/.test(digits) && !/[.eE]/.test(digits)) throw new Error('leading zero');
    // a float literal (`2.0`, `1e3`) stays a float where it is whole (template/py-float.ts)
    return /[.eE]/.test(digits) ? pyFloat(Number(digits)) : Number(digits);
  }

  seq(close: string): unknown[] {
    this.i++;
    const out: unknown[] = [];
    while (!this.eat(close)) {
      out.push(this.value());
      if (!this.eat(',')) {
        if (!this.eat(close)) throw new Error(`expected ${close}`);
        break;
      }
    }
    return out;
  }

  dict(): Record<string, unknown> | unknown[] {
    this.i++;
    const out: Record<string, unknown> = {};
    while (!this.eat('}')) {
      const k = this.value();
      // {1, 2} is a set: a list here, as it would be in YAML
      if (!this.eat(':')) throw new Error('sets are not read');
      out[String(k)] = this.value();
      if (!this.eat(',')) {
        if (!this.eat('}')) throw new Error('expected }');
        break;
      }
    }
    return out;
  }

  str(): string {
    const q = this.s[this.i];
    let out = '';
    for (this.i++; this.i < this.s.length; this.i++) {
      const c = this.s[this.i];
      if (c === q) {
        this.i++;
        return out;
      }
      if (c === '\n') break;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const n = this.s[++this.i];
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v' };
      if (n in simple) out += simple[n];
      else if (n === 'x' || n === 'u') {
        const len = n === 'x' ? 2 : 4;
        out += String.fromCharCode(parseInt(this.s.slice(this.i + 1, this.i + 1 + len), 16));
        this.i += len;
      } else out += '\\' + n;
    }
    throw new Error('string not closed');
  }
}
