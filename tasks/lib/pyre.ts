// Python's `re` as Ansible's modules use it, read by JavaScript's RegExp: a Python pattern is rewritten
// where the two disagree on the same text. Python's `$` also matches before a final newline, and its
// `.` stops only at \n (JavaScript's at \r too): lineinfile searches lines with their endings, so
// without this `^line 1$` would miss "line 1\n". Pure.

const WS = ' \\t\\n\\r\\f\\v';

/** A Python pattern (its leading inline flags (?imsx) too) as a JavaScript RegExp; throws as re.compile does. */
export function pyRe(pattern: string): RegExp {
  const lead = pattern.match(/^\(\?([aiLmsux]+)\)/);
  const flags = new Set(lead ? lead[1] : '');
  const src = lead ? pattern.slice(lead[0].length) : pattern;
  const m = flags.has('m');
  const s = flags.has('s');
  const x = flags.has('x');
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '\\') {
      const e = src[i + 1];
      if (e === undefined) throw new SyntaxError('bad escape (end of pattern)');
      // \A and \Z: start and very end of the string, whatever the flags
      if (e === 'A') out += '(?<![\\s\\S])';
      else if (e === 'Z') out += '(?![\\s\\S])';
      // Python's \s on bytes: ASCII whitespace only
      else if (e === 's') out += `[${WS}]`;
      else if (e === 'S') out += `[^${WS}]`;
      else out += c + e;
      i += 2;
    } else if (c === '[') {
      // a class: copied as is, but a `]` first in it is literal in Python (JavaScript: an empty class)
      let j = i + 1;
      let cls = '[';
      if (src[j] === '^') cls += src[j++];
      if (src[j] === ']') {
        cls += '\\]';
        j++;
      }
      while (j < src.length && src[j] !== ']') {
        if (src[j] === '\\') {
          cls += src[j + 1] === 's' ? WS : src.slice(j, j + 2);
          j += 2;
        } else cls += src[j++];
      }
      if (j >= src.length) throw new SyntaxError('unterminated character set');
      out += cls + ']';
      i = j + 1;
    } else if (src.startsWith('(?P<', i)) {
      out += '(?<';
      i += 4;
    } else if (src.startsWith('(?P=', i)) {
      const end = src.indexOf(')', i);
      if (end < 0) throw new SyntaxError('missing ), unterminated name');
      out += `\\k<${src.slice(i + 4, end)}>`;
      i = end + 1;
    } else if (src.startsWith('(?#', i)) {
      const end = src.indexOf(')', i);
      if (end < 0) throw new SyntaxError('missing ), unterminated comment');
      i = end + 1;
    } else if (c === '.') {
      out += s ? '[\\s\\S]' : '[^\\n]';
      i++;
    } else if (c === '$') {
      out += m ? '(?=\\n|(?![\\s\\S]))' : '(?=\\n?(?![\\s\\S]))';
      i++;
    } else if (c === '^') {
      out += m ? '(?<![^\\n])' : '^';
      i++;
    } else if (x && /\s/.test(c)) i++;
    else if (x && c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
    } else {
      out += c;
      i++;
    }
  }
  return new RegExp(out, flags.has('i') ? 'i' : '');
}

/**
 * Python's match.expand(template): \1..\99 and \g<n>/\g<name> are the groups (unmatched: empty), \0 and
 * \ooo octal, \n \t \r \a \b \f \v \\ their characters, other escapes of a letter an error, of anything
 * else kept as written (backslash included).
 */
export function pyExpand(template: string, m: RegExpExecArray): string {
  const group = (key: string) => {
    const n = /^\d+$/.test(key) ? Number(key) : undefined;
    const exists = n !== undefined ? n < m.length : !!m.groups && key in m.groups;
    if (!exists) throw new SyntaxError(`invalid group reference ${key}`);
    return (n !== undefined ? m[n] : m.groups![key]) ?? '';
  };
  const ESC: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\' };
  let out = '';
  for (let i = 0; i < template.length; ) {
    const c = template[i];
    if (c !== '\\' || i + 1 >= template.length) {
      out += c;
      i++;
      continue;
    }
    const rest = template.slice(i + 1);
    let g: RegExpMatchArray | null;
    if ((g = rest.match(/^g<([^>]*)>/))) {
      out += group(g[1]);
      i += 1 + g[0].length;
    } else if ((g = rest.match(/^0[0-7]{0,2}/))) {
      out += String.fromCharCode(parseInt(g[0], 8));
      i += 1 + g[0].length;
    } else if ((g = rest.match(/^[0-7]{3}/)) && parseInt(g[0], 8) <= 0o377) {
      out += String.fromCharCode(parseInt(g[0], 8));
      i += 4;
    } else if ((g = rest.match(/^\d\d?/))) {
      out += group(g[0]);
      i += 1 + g[0].length;
    } else if (ESC[rest[0]] !== undefined) {
      out += ESC[rest[0]];
      i += 2;
    } else if (/[A-Za-z]/.test(rest[0])) throw new SyntaxError(`bad escape \\${rest[0]}`);
    else {
      out += '\\' + rest[0];
      i += 2;
    }
  }
  return out;
}
