// The pure edits of Ansible's file-editing modules (lineinfile, blockinfile, ini_file): text in, text out.
import { pyExpand, pyRe } from './pyre.ts';

export interface LineEdit {
  line?: string;
  /** a Python pattern */
  regexp?: string;
  /** a literal text a line contains (instead of regexp) */
  search_string?: string;
  state: 'present' | 'absent';
  insertafter?: string;
  insertbefore?: string;
  backrefs: boolean;
  firstmatch: boolean;
}

export interface LineResult {
  text: string;
  /** Ansible's msg: 'line added', 'line replaced', 'N line(s) removed', '' */
  msg: string;
  changed: boolean;
  /** absent: how many lines were removed */
  found?: number;
}

/** Python's readlines() on a binary file: lines with their \n, the last one maybe without. */
function readlines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

const rstripEol = (l: string) => l.replace(/[\r\n]+$/, '');
const LINESEP = '\n';

/**
 * Ansible's lineinfile edit (modules/lineinfile.py present() and absent(), line for line): present
 * replaces the last line matching regexp (or containing search_string; the first with firstmatch),
 * else inserts the line after/before the last line matching insertafter/insertbefore (EOF when none
 * matches), unless the line is already there; absent removes every matching line. Patterns are
 * Python's (tasks/lib/pyre.ts). `changed` false can come with a text changed all the same (Ansible adds
 * a missing final newline before it finds the line already there): the caller writes only when changed.
 */
export function lineinfile(text: string, p: LineEdit): LineResult {
  return p.state === 'absent' ? absent(text, p) : present(text, p);
}

function present(text: string, p: LineEdit): LineResult {
  const { regexp, search_string, backrefs, firstmatch } = p;
  let { insertafter, insertbefore } = p;
  // main(): the insertafter default, set by hand for the mutually_exclusive check
  if (insertbefore === undefined && insertafter === undefined) insertafter = 'EOF';
  const b_lines = readlines(text);
  const bre_m = regexp !== undefined ? pyRe(regexp) : undefined;
  let bre_ins: RegExp | undefined;
  if (insertafter !== undefined && insertafter !== 'BOF' && insertafter !== 'EOF') bre_ins = pyRe(insertafter);
  else if (insertbefore !== undefined && insertbefore !== 'BOF') bre_ins = pyRe(insertbefore);
  // index[0]: the line the regexp (or search_string, or the line itself) is on; index[1]: where insertafter/insertbefore matched
  const index = [-1, -1];
  let match: RegExpExecArray | boolean | null = null;
  let exact_line_match = false;
  const b_line = p.line!;
  // 1. regexp or search_string found: insertafter/insertbefore are ignored, that line is replaced
  if (bre_m) {
    for (let lineno = 0; lineno < b_lines.length; lineno++) {
      const match_found = bre_m.exec(b_lines[lineno]);
      if (match_found) {
        index[0] = lineno;
        match = match_found;
        if (firstmatch) break;
      }
    }
  }
  if (search_string !== undefined) {
    for (let lineno = 0; lineno < b_lines.length; lineno++) {
      if (b_lines[lineno].includes(search_string)) {
        index[0] = lineno;
        match = true;
        if (firstmatch) break;
      }
    }
  }
  // 2. not found: the line itself, or where insertafter/insertbefore match
  if (!match) {
    for (let lineno = 0; lineno < b_lines.length; lineno++) {
      const b_cur_line = b_lines[lineno];
      if (b_line === rstripEol(b_cur_line)) {
        index[0] = lineno;
        exact_line_match = true;
      } else if (bre_ins && bre_ins.test(b_cur_line)) {
        if (insertafter) {
          index[1] = lineno + 1;
          if (firstmatch) break;
        }
        if (insertbefore) {
          index[1] = lineno;
          if (firstmatch) break;
        }
      }
    }
  }
  let msg = '';
  let changed = false;
  const endsEol = (l: string) => l.endsWith('\n') || l.endsWith('\r');
  if (index[0] !== -1) {
    let b_new_line = backrefs && match && typeof match === 'object' ? pyExpand(b_line, match) : b_line;
    if (!b_new_line.endsWith(LINESEP)) b_new_line += LINESEP;
    // Ansible's: with neither regexp nor search_string, and no exact line either (unreachable, kept as its code)
    if (regexp === undefined && search_string === undefined && !match && !exact_line_match) {
      if (insertafter && insertafter !== 'EOF') {
        if (b_lines.length && !endsEol(b_lines[b_lines.length - 1])) b_lines[b_lines.length - 1] += LINESEP;
        if (b_lines.length === index[1]) {
          if (rstripEol(b_lines[index[1] - 1]) !== b_line) {
            b_lines.push(b_line + LINESEP);
            msg = 'line added';
            changed = true;
          }
        } else if (rstripEol(b_lines[index[1]]) !== b_line) {
          b_lines.splice(index[1], 0, b_line + LINESEP);
          msg = 'line added';
          changed = true;
        }
      } else if (insertbefore && insertbefore !== 'BOF') {
        if (index[1] <= 0) {
          if (rstripEol(b_lines.at(index[1])!) !== b_line) {
            b_lines.splice(index[1], 0, b_line + LINESEP);
            msg = 'line added';
            changed = true;
          }
        } else if (rstripEol(b_lines[index[1] - 1]) !== b_line) {
          b_lines.splice(index[1], 0, b_line + LINESEP);
          msg = 'line added';
          changed = true;
        }
      }
    } else if (b_lines[index[0]] !== b_new_line) {
      b_lines[index[0]] = b_new_line;
      msg = 'line replaced';
      changed = true;
    }
  } else if (backrefs) {
    // nothing: the line can't be made without the regexp's groups
  } else if (insertbefore === 'BOF' || insertafter === 'BOF') {
    b_lines.unshift(b_line + LINESEP);
    msg = 'line added';
    changed = true;
  } else if (insertafter === 'EOF' || index[1] === -1) {
    // a newline before the line added, when the file does not end with one
    if (b_lines.length && !endsEol(b_lines[b_lines.length - 1])) b_lines.push(LINESEP);
    b_lines.push(b_line + LINESEP);
    msg = 'line added';
    changed = true;
  } else if (insertafter && index[1] !== -1) {
    // not when the line is already right after the match
    if (b_lines.length === index[1]) {
      if (rstripEol(b_lines[index[1] - 1]) !== b_line) {
        b_lines.push(b_line + LINESEP);
        msg = 'line added';
        changed = true;
      }
    } else if (b_line !== rstripEol(b_lines[index[1]])) {
      b_lines.splice(index[1], 0, b_line + LINESEP);
      msg = 'line added';
      changed = true;
    }
  } else {
    // insertbefore matched, the regexp or search_string did not
    b_lines.splice(index[1], 0, b_line + LINESEP);
    msg = 'line added';
    changed = true;
  }
  return { text: b_lines.join(''), msg, changed };
}

function absent(text: string, p: LineEdit): LineResult {
  const bre_c = p.regexp !== undefined ? pyRe(p.regexp) : undefined;
  const found: string[] = [];
  const matcher = (b_cur_line: string) => {
    const match_found = bre_c ? bre_c.test(b_cur_line) : p.search_string !== undefined ? b_cur_line.includes(p.search_string) : p.line === rstripEol(b_cur_line);
    if (match_found) found.push(b_cur_line);
    return !match_found;
  };
  const b_lines = readlines(text).filter(matcher);
  const changed = found.length > 0;
  return { text: b_lines.join(''), msg: changed ? `${found.length} line(s) removed` : '', changed, found: found.length };
}

export interface BlockEdit {
  block: string;
  /** with {mark} where BEGIN/END go */
  marker: string;
  marker_begin: string;
  marker_end: string;
  state: 'present' | 'absent';
  insertafter?: string;
  insertbefore?: string;
}

/** Python's bytes.splitlines(True): lines with their endings (\n, \r\n or \r). */
function splitKeep(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}

/**
 * A Python pattern as JavaScript reads it: leading inline flags such as `(?m)` become the RegExp's
 * flags (JavaScript has no inline flags). `multiline` tells blockinfile to search the whole text.
 */
export function pyRegex(pattern: string): { re: RegExp; multiline: boolean } {
  const m = pattern.match(/^\(\?([aiLmsux]+)\)/);
  const flags = m ? [...new Set(m[1].replace(/[aLux]/g, ''))].join('') : '';
  return { re: new RegExp(m ? pattern.slice(m[0].length) : pattern, flags), multiline: flags.includes('m') };
}

/**
 * Ansible's blockinfile edit (modules/blockinfile.py, line for line): the lines between the two marker
 * lines are replaced by the block (an empty block or state absent removes it, markers included); without
 * both markers in the file, the block goes after the last line matching insertafter (EOF by default) or
 * before the last one matching insertbefore; a `(?m)` pattern is searched in the whole text, its first
 * match. Line endings of the file are kept. `text` undefined: no file yet. Pure: the new text and
 * Ansible's msg ('' when unchanged).
 */
export function blockinfile(text: string | undefined, p: BlockEdit): { text: string; msg: string } {
  const lines = splitKeep(text ?? '');
  const present = p.state === 'present';
  let insertafter = p.insertafter;
  const insertbefore = p.insertbefore;
  if (insertbefore === undefined && insertafter === undefined) insertafter = 'EOF';
  const pattern = insertafter !== undefined && insertafter !== 'EOF' ? insertafter : insertbefore !== undefined && insertbefore !== 'BOF' ? insertbefore : undefined;
  const insertre = pattern === undefined ? undefined : pyRegex(pattern);
  const marker0 = p.marker.replaceAll('{mark}', p.marker_begin) + '\n';
  const marker1 = p.marker.replaceAll('{mark}', p.marker_end) + '\n';
  let blocklines: string[] = [];
  if (present && p.block) blocklines = [marker0, ...splitKeep(p.block.endsWith('\n') ? p.block : p.block + '\n'), marker1];
  let n0: number | undefined;
  let n1: number | undefined;
  lines.forEach((l, i) => {
    if (l === marker0) n0 = i;
    if (l === marker1) n1 = i;
  });
  if (n0 === undefined || n1 === undefined) {
    n0 = undefined;
    if (insertre) {
      if (insertre.multiline) {
        const m = insertre.re.exec(text ?? '');
        if (m) {
          const at = insertafter !== undefined ? m.index + m[0].length : m.index;
          n0 = (text ?? '').slice(0, at).split('\n').length - 1;
        }
      } else {
        // Python's `$` also matches before a line's final \n: the line is searched without it
        lines.forEach((l, i) => {
          if (insertre.re.test(l.endsWith('\n') ? l.slice(0, -1) : l)) n0 = i;
        });
      }
      if (n0 === undefined) n0 = lines.length;
      else if (insertafter !== undefined) n0 += 1;
    } else n0 = insertbefore !== undefined ? 0 : lines.length;
  } else if (n0 < n1) lines.splice(n0, n1 - n0 + 1);
  else {
    lines.splice(n1, n0 - n1 + 1);
    n0 = n1;
  }
  // a line separator before the block inserted
  if (n0 > 0 && !lines[n0 - 1].endsWith('\n')) lines[n0 - 1] += '\n';
  lines.splice(n0, 0, ...blocklines);
  const result = lines.join('');
  const msg = text === result ? '' : text === undefined ? 'File created' : !blocklines.length ? 'Block removed' : 'Block inserted';
  return { text: result, msg };
}


export interface IniEdit {
  /** null: the options before the first section */
  section: string | null;
  option?: string;
  value?: string;
  state: 'present' | 'absent';
  no_extra_spaces: boolean;
  /** present: other lines of the same option in the section go (Ansible's default) */
  exclusive: boolean;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Ansible's ini_file edit: an option of a section has this value (the first line of it replaced, the
 * others removed; otherwise added after the section's last non-blank, non-comment line, the section
 * appended when missing), or is absent; with no option, state absent removes the whole section. Pure.
 */
export function iniFile(text: string, p: IniEdit): string {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const head = /^\s*\[([^\]]*)\]/;
  // [start, end): the section's lines after its header; the global one starts at 0, without header
  let start = -1;
  let end = lines.length;
  if (p.section === null) {
    start = 0;
    const i = lines.findIndex((l) => head.test(l));
    if (i >= 0) end = i;
  } else {
    for (let i = 0; i < lines.length; i++) {
      const m = head.exec(lines[i]);
      if (!m) continue;
      if (start >= 0) {
        end = i;
        break;
      }
      if (m[1].trim() === p.section) start = i + 1;
    }
  }
  const want = p.option === undefined ? undefined : p.no_extra_spaces ? `${p.option}=${p.value ?? ''}` : `${p.option} = ${p.value ?? ''}`;
  const isOpt = (l: string) => p.option !== undefined && new RegExp(`^\\s*${esc(p.option)}\\s*(=|$)`).test(l);
  if (start < 0) {
    if (p.state === 'absent' || want === undefined) return text;
    lines.push(`[${p.section}]`, want);
    return lines.join('\n') + '\n';
  }
  if (p.option === undefined) {
    if (p.state === 'present') return text;
    // the whole section, header included
    lines.splice(p.section === null ? 0 : start - 1, end - (p.section === null ? 0 : start - 1));
  } else {
    const hits: number[] = [];
    for (let i = start; i < end; i++) if (isOpt(lines[i])) hits.push(i);
    if (p.state === 'absent') {
      if (!hits.length) return text;
      for (const i of hits.reverse()) lines.splice(i, 1);
    } else if (hits.length) {
      lines[hits[0]] = want!;
      if (p.exclusive) for (const i of hits.slice(1).reverse()) lines.splice(i, 1);
    } else {
      let at = end;
      while (at > start && /^\s*([#;].*)?$/.test(lines[at - 1])) at--;
      lines.splice(at, 0, want!);
    }
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}
