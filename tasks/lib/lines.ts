// Ansible's lineinfile edit, as its module computes it: the last line matching `regexp` (or containing
// `search_string`, or equal to `line`) is replaced; otherwise the line is inserted after/before the last line matching insertafter/
// insertbefore (EOF when none matches), unless it is already there. Pure: tested without a host.

export interface LineEdit {
  line?: string;
  regexp?: string;
  /** a literal text a line contains (instead of regexp) */
  search_string?: string;
  state: 'present' | 'absent';
  insertafter?: string;
  insertbefore?: string;
  backrefs: boolean;
  firstmatch: boolean;
}

/** Python's match.expand(): \1..\9 and \g<n>/\g<name> from the match. */
function expand(template: string, m: RegExpExecArray): string {
  return template.replace(/\\(\d)|\\g<(\w+)>/g, (_, d: string | undefined, g: string | undefined) => {
    const key = d ?? g!;
    return (/^\d+$/.test(key) ? m[Number(key)] : m.groups?.[key]) ?? '';
  });
}

export function lineinfile(text: string, p: LineEdit): string {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const join = (ls: string[]) => (ls.length ? ls.join('\n') + '\n' : '');
  const re = p.regexp !== undefined ? new RegExp(p.regexp) : undefined;
  const search = p.search_string;
  const matches = (l: string) => (re ? re.test(l) : search !== undefined ? l.includes(search) : l === p.line);
  if (p.state === 'absent') {
    const kept = lines.filter((l) => !matches(l));
    return kept.length === lines.length ? text : join(kept);
  }
  const ins = p.insertafter !== undefined && !['BOF', 'EOF'].includes(p.insertafter) ? new RegExp(p.insertafter) : p.insertbefore !== undefined && p.insertbefore !== 'BOF' ? new RegExp(p.insertbefore) : undefined;
  let found = -1;
  let at = -1;
  let match: RegExpExecArray | null = null;
  for (let i = 0; i < lines.length; i++) {
    const m = re ? re.exec(lines[i]) : matches(lines[i]) ? ([lines[i]] as unknown as RegExpExecArray) : null;
    if (m) {
      found = i;
      match = m;
      if (p.firstmatch) break;
    } else if (ins?.test(lines[i])) {
      at = p.insertafter !== undefined ? i + 1 : i;
      if (p.firstmatch) break;
    }
  }
  if (found >= 0) {
    const want = p.backrefs && match ? expand(p.line!, match) : p.line!;
    if (lines[found] === want) return text;
    lines[found] = want;
    return join(lines);
  }
  // backrefs: a regexp that matches nothing leaves the file as it is (Ansible)
  if (p.backrefs) return text;
  // a regexp (or search_string) that matches nothing, but the line is there already: nothing to do (Ansible)
  if ((re || search !== undefined) && lines.includes(p.line!)) return text;
  if (p.insertbefore === 'BOF' || p.insertafter === 'BOF') lines.unshift(p.line!);
  else if (at < 0) lines.push(p.line!);
  else lines.splice(at, 0, p.line!);
  return join(lines);
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
