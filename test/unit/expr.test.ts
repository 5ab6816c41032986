import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluate, LATER } from '../../src/template/expr.ts';
import { render, renderString, scopeOf } from '../../src/template/template.ts';

const scope = scopeOf({ a: { b: [10, 20], c: 'x' }, name: 'prom1', list: ['h1', 'h2'], r: { changed: true, rc: 0 }, later: LATER as unknown });

test('dotted paths, indexes, filters', () => {
  assert.is(evaluate('a.b.1', scope), 20);
  assert.is(evaluate("a['c']", scope), 'x');
  assert.is(evaluate("list | join(',')", scope), 'h1,h2');
  assert.is(evaluate("missing | default('d')", scope), 'd');
  assert.is(evaluate("a.nokey | default(5)", scope), 5);
  assert.is(evaluate("name | upper", scope), 'PROM1');
});

test('conditions', () => {
  assert.is(evaluate('r.changed and r.rc == 0', scope), true);
  assert.is(evaluate("not r.changed or name == 'prom2'", scope), false);
  assert.is(evaluate("'h2' in list", scope), true);
  assert.is(evaluate('zzz is defined', scope), false);
  assert.is(evaluate('a.c is defined', scope), true);
  assert.is(evaluate('a.c is not defined', scope), false);
  assert.is(evaluate('r.rc != 1', scope), true);
});

test('and/or stop at the side that decides, as Jinja does', () => {
  assert.is(evaluate('zzz is defined and zzz.x', scope), false);
  assert.is(evaluate('name is defined or zzz', scope), true);
  assert.throws(() => evaluate('name is defined and zzz', scope), /unknown variable "zzz"/);
});

test('an unknown variable is an error naming it, with a suggestion', () => {
  assert.throws(() => evaluate('nmae', scope), /unknown variable "nmae" \(did you mean "name"\?\)/);
  assert.throws(() => evaluate('a.d', scope), /a has no key "d"/);
});

test('register values are LATER while validating', () => {
  assert.is(evaluate('later.changed', scope), LATER);
  assert.is(evaluate('later.changed and r.changed', scope), LATER);
});

test('a whole-string template keeps its type; mixed text is a string', () => {
  assert.equal(renderString('{{ a.b }}', scope), [10, 20]);
  assert.is(renderString('host={{ name }}:{{ a.b.0 }}', scope), 'host=prom1:10');
});

test('shell params quote what templates expand, not what the author wrote', () => {
  const s = scopeOf({ evil: "x'; touch /tmp/pwned; echo '", ok: 'plain-value' });
  const out = render({ cmd: 'echo {{ evil }} > /tmp/f && echo {{ ok }}' }, s, [], [], ['cmd']) as { cmd: string };
  assert.is(out.cmd, `echo 'x'\\''; touch /tmp/pwned; echo '\\''' > /tmp/f && echo plain-value`);
});

test('render collects problems with their path instead of throwing', () => {
  const problems: { path: (string | number)[]; message: string }[] = [];
  render({ x: ['ok', '{{ nope }}'] }, scope, [], problems);
  assert.equal(problems.map((p) => p.path), [['x', 1]]);
});

test.run();
