// ansible.cfg is read by Python's configparser, configured by Ansible as ConfigParser(inline_comment_prefixes=(';',)).
// This reads the same shapes, with positions for messages: `[section]`, `key = value` or `key: value`,
// full-line comments with # or ;, inline comments only with ` ;`, keys case-insensitive, indented lines
// continuing the previous value. What configparser refuses (a key before any section, a line without
// a delimiter, a duplicate section or key: strict mode) is refused here too, with its position.
// Values are taken as written, `%(name)s` and `%%` too: Ansible reads every value with raw=True (no
// interpolation); the ssh plugin fills control_path's %(directory)s itself.
import type { InputProblem } from '../util/errors.ts';

export interface IniEntry {
  section: string;
  /** lower-cased, as configparser's optionxform does */
  key: string;
  value: string;
  line: number;
  /** 1-based column of the value (of the key when the value is empty) */
  col: number;
}

export function parseIni(text: string, file: string): { entries: IniEntry[]; problems: InputProblem[] } {
  const entries: IniEntry[] = [];
  const problems: InputProblem[] = [];
  const sections = new Set<string>();
  const keys = new Set<string>();
  let section: string | undefined;
  let last: IniEntry | undefined;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    if (/^\s/.test(raw) && last) {
      // continuation of a multi-line value
      last.value += '\n' + stripInline(trimmed);
      return;
    }
    last = undefined;
    const sec = trimmed.match(/^\[([^\]]*)\]/);
    if (sec && !/^\s/.test(raw)) {
      section = sec[1];
      if (sections.has(section)) problems.push({ file, line, col: raw.indexOf('[') + 1, message: `section [${section}] appears twice: expected each section once` });
      sections.add(section);
      return;
    }
    const d = raw.search(/[=:]/);
    const keyCol = raw.length - raw.trimStart().length + 1;
    if (d < 0) {
      problems.push({ file, line, col: keyCol, message: `${JSON.stringify(trimmed)}: expected key = value` });
      return;
    }
    if (section === undefined) {
      problems.push({ file, line, col: keyCol, message: `${JSON.stringify(trimmed)} comes before any [section]: expected [defaults] first` });
      return;
    }
    const key = raw.slice(0, d).trim().toLowerCase();
    const after = raw.slice(d + 1);
    const value = stripInline(after.trim());
    const col = value ? d + 2 + (after.length - after.trimStart().length) : keyCol;
    const id = `${section}\0${key}`;
    if (keys.has(id)) problems.push({ file, line, col: keyCol, message: `${key} appears twice in [${section}]: expected it once` });
    keys.add(id);
    last = { section, key, value, line, col };
    entries.push(last);
  });
  return { entries, problems };
}

/** configparser's inline comments: `;` preceded by whitespace. */
function stripInline(s: string): string {
  const m = s.search(/\s;/);
  return (m < 0 ? s : s.slice(0, m)).trim();
}
