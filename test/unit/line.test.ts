import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { editLines } from '../../tasks/line.ts';

const p = (o: Record<string, unknown>) => ({ path: '/x', state: 'present', insertafter: 'EOF', create: false, ...o }) as Parameters<typeof editLines>[1];

test('adds a missing line at the end, once', () => {
  const once = editLines('a\nb\n', p({ line: 'c' }));
  assert.is(once, 'a\nb\nc\n');
  assert.is(editLines(once, p({ line: 'c' })), once);
});

test('replaces the last line matching regexp; idempotent', () => {
  const t = 'x=1\ny=2\nx=3\n';
  const once = editLines(t, p({ regexp: '^x=', line: 'x=9' }));
  assert.is(once, 'x=1\ny=2\nx=9\n');
  assert.is(editLines(once, p({ regexp: '^x=', line: 'x=9' })), once);
});

test('absent removes every match', () => {
  assert.is(editLines('a\nb\na\n', p({ state: 'absent', line: 'a' })), 'b\n');
  assert.is(editLines('b\n', p({ state: 'absent', line: 'a' })), 'b\n');
});

test('insertafter a regexp and BOF', () => {
  assert.is(editLines('[s]\nk=1\n[t]\n', p({ line: 'n=2', insertafter: '^k=' })), '[s]\nk=1\nn=2\n[t]\n');
  assert.is(editLines('a\n', p({ line: 'z', insertafter: 'BOF' })), 'z\na\n');
});

test.run();
