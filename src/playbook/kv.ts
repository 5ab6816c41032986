// Ansible's free-form task arguments (`copy: src=a dest="b c"`), read as Ansible reads them when it
// loads a task, before any templating: lib/ansible/parsing/splitter.py (split_args, parse_kv) and
// mod_args.py (which modules keep the words that are not key=value). A port, quirks included, since
// a playbook's meaning hangs on them: quotes around a value are dropped, Jinja2 braces and quotes keep
// their spaces, `\n` and the like are decoded in key=value words, the rest is left as written. Pure.

/** Modules whose free form is a command line: only their own options are taken out of it (mod_args.py FREEFORM_ACTIONS). */
const FREEFORM = new Set(['command', 'shell', 'raw', 'script', 'win_command', 'win_shell']);
/** ...and the options taken out (parse_kv's list) */
const COMMAND_OPTIONS = new Set(['creates', 'removes', 'chdir', 'executable', 'warn', 'stdin', 'stdin_add_newline', 'strip_empty_ends']);
/** Modules that keep the words that are not key=value, as `_raw_params` (mod_args.py RAW_PARAM_MODULES). */
const RAW_PARAM = new Set([...FREEFORM, 'include', 'include_vars', 'include_tasks', 'include_role', 'import_tasks', 'import_role', 'add_host', 'group_by', 'set_fact', 'meta']);

const shortName = (action: string) => action.replace(/^ansible\.(?:builtin|legacy)\./, '');
export const isFreeForm = (action: string) => FREEFORM.has(shortName(action));
export const keepsRawParams = (action: string) => RAW_PARAM.has(shortName(action));

export type Split = { ok: true; value: string[] } | { ok: false; error: string };

/** The quote a word leaves open, given the one open before it (splitter.py _get_quote_state). */
function quoteState(token: string, quote: string | null): string | null {
  for (let i = 0; i < token.length; i++) {
    const c = token[i];
    if ((c === '"' || c === "'") && token[i - 1] !== '\\') {
      if (quote) {
        if (c === quote) quote = null;
      } else quote = c;
    }
  }
  return quote;
}

const count = (s: string, sub: string) => s.split(sub).length - 1;
function depth(token: string, cur: number, open: string, close: string): number {
  const [o, c] = [count(token, open), count(token, close)];
  return o === c ? cur : Math.max(0, cur + o - c);
}

/**
 * Words of an argument string: split on spaces and newlines, but a quoted part or a `{{ }}`, `{% %}`,
 * `{# #}` block is one word with its spaces (splitter.py split_args, line by line).
 */
export function splitArgs(args: string): Split {
  const params: string[] = [];
  const items = args.split('\n');
  let quote: string | null = null;
  let inside = false;
  let print = 0;
  let block = 0;
  let comment = 0;
  // Python's params[-1] on an empty list: an IndexError, which parse_kv reports as unparsable
  const unparsable: Split = { ok: false, error: 'Unable to parse argument string' };
  for (let itemIdx = 0; itemIdx < items.length; itemIdx++) {
    const tokens = items[itemIdx].split(' ');
    let continuation = false;
    for (let idx = 0; idx < tokens.length; idx++) {
      const token = tokens[idx];
      if (token.length === 0 && idx !== 0) {
        if (!params.length) return unparsable;
        params[params.length - 1] += ' ';
        continue;
      }
      if (token === '\\' && !inside) {
        continuation = true;
        continue;
      }
      const wasInside = inside;
      quote = quoteState(token, quote);
      inside = quote !== null;
      let appended = false;
      if (inside && !wasInside && !(print || block || comment)) {
        params.push(token);
        appended = true;
      } else if (print || block || comment || inside || wasInside) {
        if (!params.length) return unparsable;
        const last = params.length - 1;
        if (idx === 0 && wasInside) params[last] += token;
        else if (tokens.length > 1) params[last] += (idx > 0 ? ' ' : '') + token;
        else params[last] += '\n' + token;
        appended = true;
      }
      for (const [get, set, open, close] of [
        [() => print, (n: number) => (print = n), '{{', '}}'],
        [() => block, (n: number) => (block = n), '{%', '%}'],
        [() => comment, (n: number) => (comment = n), '{#', '#}'],
      ] as const) {
        const before = get();
        set(depth(token, before, open, close));
        if (get() !== before && !appended) {
          params.push(token);
          appended = true;
        }
      }
      if (!(print || block || comment) && !inside && !appended && token !== '') params.push(token);
    }
    if (items.length > 1 && itemIdx !== items.length - 1 && !continuation) {
      if (!params.length) return unparsable;
      params[params.length - 1] += '\n';
    }
  }
  if (print || block || comment || inside) return { ok: false, error: `failed at splitting arguments, either an unbalanced jinja2 block or quotes: ${args}` };
  return { ok: true, value: params };
}

/** The words put back together, newlines kept (splitter.py join_args). */
export function joinArgs(words: string[]): string {
  let out = '';
  for (const w of words) out += out.length === 0 || out.endsWith('\n') ? w : ` ${w}`;
  return out;
}

const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** Python's escapes in a word (splitter.py _decode_escapes); `\N{NAME}` is left as written (no name table here). */
export function decodeEscapes(s: string): string {
  return s.replace(/\\U([a-fA-F0-9]{8})|\\u([a-fA-F0-9]{4})|\\x([a-fA-F0-9]{2})|\\([\\'"abfnrtv])/g, (m, u8: string, u4: string, x2: string, c: string) => {
    const hex = u8 ?? u4 ?? x2;
    if (hex === undefined) return SIMPLE_ESCAPES[c];
    const cp = parseInt(hex, 16);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
  });
}

/** Quotes around a whole value dropped (parsing/quoting.py unquote). */
export function unquote(s: string): string {
  const quoted = s.length > 1 && s[0] === s[s.length - 1] && (s[0] === '"' || s[0] === "'") && s[s.length - 2] !== '\\';
  return quoted ? s.slice(1, -1) : s;
}

export type Kv = { ok: true; value: Record<string, string> } | { ok: false; error: string };

/**
 * `k=v` words to a map (splitter.py parse_kv); the other words joined as `_raw_params`. With
 * `checkRaw` (a command line) only the command's own options are taken out, every other `k=v` stays
 * in the command.
 */
export function parseKv(args: string, checkRaw = false): Kv {
  const split = splitArgs(args);
  if (!split.ok) return split;
  const options: Record<string, string> = {};
  const raw: string[] = [];
  for (const orig of split.value) {
    const x = decodeEscapes(orig);
    if (!x.includes('=')) {
      raw.push(orig);
      continue;
    }
    // the first `=` after the first character that is not escaped
    let pos = 0;
    for (;;) {
      pos = x.indexOf('=', pos + 1);
      if (pos < 0 || x[pos - 1] !== '\\') break;
    }
    if (pos < 0) {
      raw.push(x.replaceAll('\\=', '='));
      continue;
    }
    const k = x.slice(0, pos);
    if (checkRaw && !COMMAND_OPTIONS.has(k)) raw.push(orig);
    else options[k.trim()] = unquote(x.slice(pos + 1).trim());
  }
  if (raw.length) options._raw_params = joinArgs(raw);
  return { ok: true, value: options };
}
