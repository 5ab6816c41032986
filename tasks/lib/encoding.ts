// Text to bytes in a Python codec's name, as the template module's output_encoding writes its file
// (to_bytes with errors='surrogate_or_strict': a character the codec lacks is an error, never replaced).

const UTF8 = new Set(['utf-8', 'utf8', 'utf_8', 'u8', 'utf', 'cp65001']);
const LATIN1 = new Set(['latin-1', 'latin1', 'latin_1', 'iso-8859-1', 'iso8859-1', 'iso_8859_1', '8859', 'cp819', 'l1']);
const CP1252 = new Set(['windows-1252', 'windows_1252', 'cp1252']);
const ASCII = new Set(['ascii', 'us-ascii', '646']);

/** Python's cp1252 above 0x7f: Latin-1 but for 0x80-0x9f, where five bytes stay undefined (\0 here). */
const CP1252_80 = '\u20ac\0\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\0\u017d\0\0\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\0\u017e\u0178';
const cp1252 = (() => {
  const m = new Map<string, number>();
  for (let b = 0; b < 256; b++) {
    const ch = b >= 0x80 && b < 0xa0 ? CP1252_80[b - 0x80] : String.fromCharCode(b);
    if (ch !== '\0' || b === 0) m.set(ch, b);
  }
  return m;
})();

export function encodeText(text: string, encoding: string): { bytes: Buffer } | { error: string } {
  const name = encoding.trim().toLowerCase();
  if (UTF8.has(name)) return { bytes: Buffer.from(text, 'utf8') };
  const table = CP1252.has(name) ? cp1252 : LATIN1.has(name) || ASCII.has(name) ? undefined : null;
  if (table === null) return { error: `output_encoding ${encoding} is not supported by skiff: expected utf-8, latin-1, windows-1252 or ascii` };
  const max = ASCII.has(name) ? 0x7f : 0xff;
  const out: number[] = [];
  let i = 0;
  for (const ch of text) {
    const b = table ? table.get(ch) : ch.codePointAt(0)! <= max ? ch.codePointAt(0) : undefined;
    if (b === undefined) return { error: `'${name}' codec can't encode character '\\u${ch.codePointAt(0)!.toString(16).padStart(4, '0')}' in position ${i}: character maps to <undefined>` };
    out.push(b);
    i++;
  }
  return { bytes: Buffer.from(out) };
}
