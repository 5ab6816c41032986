// Ansible's lineinfile edit, as its module computes it: the last line matching `regexp` (or equal to
// `line`) is replaced; otherwise the line is inserted after/before the last line matching insertafter/
// insertbefore (EOF when none matches), unless it is already there. Pure: tested without a host.

export interface LineEdit {
  line?: string;
  regexp?: string;
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
  const matches = (l: string) => (re ? re.test(l) : l === p.line);
  if (p.state === 'absent') {
    const kept = lines.filter((l) => !matches(l));
    return kept.length === lines.length ? text : join(kept);
  }
  const ins = p.insertafter !== undefined && !['BOF', 'EOF'].includes(p.insertafter) ? new RegExp(p.insertafter) : p.insertbefore !== undefined && p.insertbefore !== 'BOF' ? new RegExp(p.insertbefore) : undefined;
  let found = -1;
  let at = -1;
  let match: RegExpExecArray | null = null;
  for (let i = 0; i < lines.length; i++) {
    const m = re ? re.exec(lines[i]) : lines[i] === p.line ? ([lines[i]] as unknown as RegExpExecArray) : null;
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
  // a regexp that matches nothing, but the line is there already: nothing to do (Ansible)
  if (re && lines.includes(p.line!)) return text;
  if (p.insertbefore === 'BOF' || p.insertafter === 'BOF') lines.unshift(p.line!);
  else if (at < 0) lines.push(p.line!);
  else lines.splice(at, 0, p.line!);
  return join(lines);
}
