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

/**
 * Ansible's blockinfile edit: the lines between the two marker lines are replaced by the block (an empty
 * block or state absent removes it, markers included); without markers in the file, the block goes after
 * the last line matching insertafter (EOF by default) or before the last one matching insertbefore. Pure.
 */
export function blockinfile(text: string, p: BlockEdit): string {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const begin = p.marker.replace('{mark}', p.marker_begin);
  const end = p.marker.replace('{mark}', p.marker_end);
  const body = p.block.replace(/\n$/, '');
  const block = p.state === 'present' && body !== '' ? [begin, ...body.split('\n'), end] : [];
  let n0 = lastIndex(lines, (l) => l === begin);
  const n1 = lastIndex(lines, (l) => l === end);
  if (n0 >= 0 && n1 >= 0) {
    const [a, b] = n0 < n1 ? [n0, n1] : [n1, n0];
    lines.splice(a, b - a + 1, ...block);
  } else {
    if (!block.length) return text;
    n0 = lines.length;
    if (p.insertbefore === 'BOF' || p.insertafter === 'BOF') n0 = 0;
    else if (p.insertbefore !== undefined) {
      const re = new RegExp(p.insertbefore);
      const i = lastIndex(lines, (l) => re.test(l));
      if (i >= 0) n0 = i;
    } else if (p.insertafter !== undefined && p.insertafter !== 'EOF') {
      const re = new RegExp(p.insertafter);
      const i = lastIndex(lines, (l) => re.test(l));
      if (i >= 0) n0 = i + 1;
    }
    lines.splice(n0, 0, ...block);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

function lastIndex(lines: string[], f: (l: string) => boolean): number {
  for (let i = lines.length - 1; i >= 0; i--) if (f(lines[i])) return i;
  return -1;
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
