// Ansible's lineinfile edit (tasks/lib/lines.ts), with the cases of Ansible's lineinfile target as data:
// the text in, the params, and the text (by the target's sha1 checksums), msg and found out.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { lineinfile, type LineEdit } from '../../tasks/lib/lines.ts';
import { pyExpand, pyRe } from '../../tasks/lib/pyre.ts';

const FILES = new URL('../conformance/ansible-2.14.17/targets/lineinfile/files/', import.meta.url);
const file = (name: string) => readFileSync(new URL(name, FILES), 'utf8');
const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
const P = (o: Partial<LineEdit>): LineEdit => ({ state: 'present', backrefs: false, firstmatch: false, ...o });

interface Step {
  p: Partial<LineEdit>;
  msg: string;
  /** the file's sha1 after it, as the target asserts */
  sum?: string;
  found?: number;
}

/** Steps run one after the other on the same text: each one's msg (and changed) and checksum. */
function chain(text: string, steps: Step[]): string {
  for (const s of steps) {
    const r = lineinfile(text, P(s.p));
    assert.is(r.msg, s.msg, JSON.stringify(s.p));
    assert.is(r.changed, s.msg !== '', JSON.stringify(s.p));
    if (s.found !== undefined) assert.is(r.found, s.found);
    if (r.changed) text = r.text;
    if (s.sum) assert.is(sha1(text), s.sum, JSON.stringify(s.p));
  }
  return text;
}

test('test.txt: insert at BOF, EOF, after and before a line; backrefs replace; regexp removal', () => {
  chain(file('test.txt'), [
    { p: { line: 'New line at the beginning', insertbefore: 'BOF' }, msg: 'line added', sum: '7eade4042b23b800958fe807b5bfc29f8541ec09' },
    { p: { line: 'New line at the beginning', insertbefore: 'BOF' }, msg: '' },
    { p: { line: 'New line at the end', insertafter: 'EOF' }, msg: 'line added', sum: 'fb57af7dc10a1006061b000f1f04c38e4bef50a9' },
    // Python's $ matches before the line's \n
    { p: { line: 'New line after line 1', insertafter: '^This is line 1$' }, msg: 'line added', sum: '5348da605b1bc93dbadf3a16474cdf22ef975bec' },
    { p: { line: 'New line before line 5', insertbefore: '^This is line 5$' }, msg: 'line added', sum: '2e9e460ff68929e4453eb765761fd99814f6e286' },
    { p: { line: 'This is line 3', backrefs: true, regexp: '^(REF) .* \\1$' }, msg: 'line replaced' },
    { p: { line: 'This is line 3', backrefs: true, regexp: '^(REF) .* \\1$' }, msg: '', sum: '72f60239a735ae06e769d823f5c2b4232c634d9c' },
    { p: { state: 'absent', regexp: '^This is line 3$' }, msg: '1 line(s) removed', found: 1, sum: 'd4eeb07bdebab2d1cdb3ec4a3635afa2618ad4ea' },
    { p: { state: 'absent', regexp: '^This is line 5$' }, msg: '1 line(s) removed', sum: 'ab56c210ea82839a54487464800fed4878cb2608' },
    { p: { state: 'absent', regexp: '^This is line 5$' }, msg: '', found: 0 },
  ]);
});

test('a file without a final newline gets one before the line added at EOF', () => {
  const t = chain(file('testnoeof.txt'), [{ p: { line: 'New line at the end', insertafter: 'EOF' }, msg: 'line added' }]);
  assert.is(t, 'This is line 1\nThis is line 2\nNew line at the end\n');
  assert.is(lineinfile('', P({ line: 'New line at the end', insertafter: 'EOF' })).text, 'New line at the end\n');
});

test('backrefs: \\1 in the line is the group; no match leaves the file', () => {
  const r = lineinfile('This is line 4\n', P({ line: 'New \\1 created with the backref', backrefs: true, regexp: '^This is (line 4)$' }));
  assert.equal([r.text, r.msg], ['New line 4 created with the backref\n', 'line replaced']);
  const none = lineinfile('a\n', P({ line: 'x', backrefs: true, regexp: '^b' }));
  assert.equal([none.text, none.changed], ['a\n', false]);
});

test('insertafter/insertbefore a regexp: the same line once, wherever the others match', () => {
  const steps = (key: 'insertafter' | 'insertbefore'): Step[] => ['1', '2', '3', '4'].map((re, i) => ({ p: { [key]: re, line: 'bar' }, msg: i === 0 ? 'line added' : '' }));
  chain(file('testmultiple.txt'), [...steps('insertafter'), ...steps('insertafter').map((s) => ({ ...s, msg: '' }))]);
  const after = chain(file('testmultiple.txt'), steps('insertafter'));
  assert.is(sha1(after), 'c6733b6c53ddd0e11e6ba39daa556ef8f4840761');
  chain(file('testmultiple.txt'), steps('insertbefore'));
});

test('regexp with insertafter/insertbefore: inserted where they say, then replaced in place', () => {
  const opts = [
    { regexp: 'option_one=', line: 'option_one=1' },
    { regexp: 'option_two=', line: 'option_two=2' },
    { regexp: 'option_three=', line: 'option_three=3' },
  ];
  for (const where of [{ insertafter: 'section_one' }, { insertbefore: 'section_three' }]) {
    let t = file('test.conf');
    for (const o of opts) t = chain(t, [{ p: { ...o, ...where }, msg: 'line added' }]);
    for (const o of opts) chain(t, [{ p: { ...o, ...where }, msg: '' }]);
    // without regexp: the line is there already, nothing to do
    for (const o of opts) chain(t, [{ p: { line: o.line, ...where }, msg: '' }]);
  }
});

test('firstmatch: the first line matching insertafter, and the line once', () => {
  const t = chain(file('firstmatch.txt'), [
    { p: { line: 'INSERT', insertafter: 'line1', firstmatch: true }, msg: 'line added' },
    { p: { line: 'INSERT', insertafter: 'line1', firstmatch: true }, msg: '' },
  ]);
  assert.is(sha1(t), '114aae024073a3ee8ec8db0ada03c5483326dd86');
});

test('insertbefore a regexp that matches nothing in a one-line file: the line goes at the end', () => {
  chain('', [
    { p: { line: 'top', insertbefore: '^not in the file$' }, msg: 'line added' },
  ]);
  const t = chain('top\n', [{ p: { line: 'top', insertbefore: '^not in the file$' }, msg: '' }]);
  assert.is(t, 'top\n');
});

test('an empty regexp or search_string matches every line: the last one is replaced', () => {
  const r = lineinfile(file('test.txt'), P({ regexp: '', line: 'This is line 6' }));
  assert.equal([r.msg, sha1(r.text)], ['line replaced', '23555a98ceaa88756b4c7c7bba49d9f86eed868f']);
  const s = lineinfile(file('teststring.txt'), P({ search_string: '', line: 'This is line 6' }));
  assert.equal([s.msg, sha1(s.text)], ['line replaced', 'eaa79f878557d4bd8d96787a850526a0facab342']);
});

test('search_string: literal text, regexp characters included', () => {
  const t = 'a.b\naxb\n';
  assert.is(lineinfile(t, P({ search_string: 'a.b', line: 'z' })).text, 'z\naxb\n');
  assert.equal(lineinfile(t, P({ state: 'absent', search_string: 'a.b' })), { text: 'axb\n', msg: '1 line(s) removed', changed: true, found: 1 });
});

test('absent by line: lines equal to it, whatever their ending (\\r\\n too)', () => {
  assert.equal(lineinfile('a\r\nb\na', P({ state: 'absent', line: 'a' })), { text: 'b\n', msg: '2 line(s) removed', changed: true, found: 2 });
});

test('pyRe: Python pattern syntax and semantics', () => {
  assert.ok(pyRe('^x$').test('x\n'));
  assert.not.ok(pyRe('^x$').test('x\n\n'));
  assert.not.ok(pyRe('x.').test('x\n'));
  assert.ok(pyRe('x.').test('x\r'));
  assert.is(pyRe('(?P<k>\\w+)=(?P=k)').exec('a=a')?.groups?.k, 'a');
  assert.ok(pyRe('(?i)^ABC').test('abc'));
  assert.ok(pyRe('[]a]').test(']'));
  assert.ok(pyRe('(?m)^b$').test('a\nb\nc'));
  assert.not.ok(pyRe('x\\Z').test('x\n'));
});

test('pyExpand: Python match.expand templates', () => {
  const m = pyRe('(?P<a>x)(y)?(z)').exec('xz')!;
  assert.is(pyExpand('\\1-\\g<a>-\\2-\\g<3>\\t\\\\', m), 'x-x--z\t\\');
  assert.is(pyExpand('\\.', m), '\\.');
  assert.throws(() => pyExpand('\\q', m));
  assert.throws(() => pyExpand('\\9', m));
});

test.run();
