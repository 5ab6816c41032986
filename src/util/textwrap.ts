// Python's textwrap.wrap with its defaults (break_long_words, break_on_hyphens, drop_whitespace): what
// Ansible's Display wraps its warnings with, so `[WARNING]:` lines break where Ansible's do (scripts and
// Ansible's own integration targets diff them). Lengths count code points, as Python's len().

const WS = '\\t\\n\\x0b\\x0c\\r ';
const WORD_PUNCT = `[\\p{L}\\p{N}_!"'&.,?]`;
const LETTER = '[\\p{L}_]';
const NOWS = `[^${WS}]`;
// textwrap.TextWrapper.wordsep_re: whitespace, an em-dash between words, or a word (split after its hyphens)
const WORDSEP = new RegExp(
  `([${WS}]+` +
    `|(?<=${WORD_PUNCT})-{2,}(?=[\\p{L}\\p{N}_])` +
    `|${NOWS}+?(?:-(?:(?<=${LETTER}{2}-)|(?<=${LETTER}-${LETTER}-))(?=${LETTER}-?${LETTER})|(?=[${WS}]|$)|(?<=${WORD_PUNCT})(?=-{2,}[\\p{L}\\p{N}_])))`,
  'u',
);

const len = (s: string) => [...s].length;
const cut = (s: string, a: number, b?: number) => [...s].slice(a, b).join('');
const blank = (s: string) => s.trim() === '';

/** The chunks wrap() fits into lines: tabs expanded to 8 columns, each whitespace character a space. */
function chunks(text: string): string[] {
  let col = 0;
  let expanded = '';
  for (const ch of text) {
    if (ch === '\t') {
      const n = 8 - (col % 8);
      expanded += ' '.repeat(n);
      col += n;
    } else {
      expanded += ch;
      col = ch === '\n' || ch === '\r' ? 0 : col + 1;
    }
  }
  const munged = expanded.replace(/[\t\n\x0b\x0c\r]/g, ' ');
  return munged.split(WORDSEP).filter((c) => c !== '' && c !== undefined);
}

/** Python's textwrap.wrap(text, width): the lines, none longer than width (a longer word is broken). */
export function wrap(text: string, width: number): string[] {
  const rest = chunks(text).reverse();
  const lines: string[] = [];
  while (rest.length) {
    const line: string[] = [];
    let n = 0;
    // a line does not start with the whitespace that ended the one before
    if (lines.length && blank(rest[rest.length - 1])) rest.pop();
    while (rest.length && n + len(rest[rest.length - 1]) <= width) n += len((line.push(rest.pop()!), line[line.length - 1]));
    if (rest.length && len(rest[rest.length - 1]) > width) {
      // _handle_long_word: what fits of it, after its last hyphen where there is one
      const chunk = rest[rest.length - 1];
      const room = width < 1 ? 1 : width - n;
      let end = room;
      const hyphen = cut(chunk, 0, room).lastIndexOf('-');
      if (len(chunk) > room && hyphen > 0 && /[^-]/.test(cut(chunk, 0, hyphen))) end = len(cut(chunk, 0, hyphen)) + 1;
      line.push(cut(chunk, 0, end));
      rest[rest.length - 1] = cut(chunk, end);
    }
    if (line.length && blank(line[line.length - 1])) line.pop();
    if (line.length) lines.push(line.join(''));
  }
  return lines;
}
