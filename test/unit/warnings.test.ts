// Ansible's run-time warnings as ansible-playbook 2.14 prints them on stderr: a condition written with
// {{ }} (when, changed_when, failed_when, until, assert's `that` list), wrapped as Python's textwrap
// wraps at 79 columns, shown once per task on a host (Ansible's worker) or once a run (its strategy's).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { play, playbook } from './engine-harness.ts';
import { wrap } from '../../src/util/textwrap.ts';
import { warningPrinter } from '../../src/report/warning.ts';
import { plainProgress } from '../../src/report/progress.ts';

const W = (cond: string) => `conditional statements should not include jinja2 templating delimiters such as {{ }} or {% %}. Found: ${cond}`;

test("wrap: Python's textwrap.wrap, line for line (checked against python3's)", () => {
  assert.equal(wrap(`[WARNING]: ${W('"{{ foo }}" == "bar"')}`, 79), ['[WARNING]: conditional statements should not include jinja2 templating', 'delimiters such as {{ }} or {% %}. Found: "{{ foo }}" == "bar"']);
  assert.equal(wrap('[WARNING]: a well-known long-winded self-explanatory thing--with dashes and a verylongwordthatgoesonandonandonandonandonandonandonandonandonandonandonandonandon end', 20), ['[WARNING]: a well-', 'known long-winded', 'self-explanatory', 'thing--with dashes', 'and a verylongwordth', 'atgoesonandonandonan', 'donandonandonandonan', 'donandonandonandonan', 'donandon end']);
  assert.equal(wrap('tabs\there and\nnewlines   and   spaces   and-hyphen-words-everywhere x', 10), ['tabs', 'here and', 'newlines', 'and', 'spaces', 'and-', 'hyphen-', 'words-', 'everywhere', 'x']);
  assert.equal(wrap('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbbbbbbbb-ccccccccc', 12), ['aaaaaaaaaaaa', 'aaaaaaaaaaaa', 'aaaaaa-bbbbb', 'bbbbbbbbbbbb', 'bbbbb-', 'ccccccccc']);
  assert.equal(wrap('   leading space kept on first line? and trailing   ', 15), ['   leading', 'space kept on', 'first line? and', 'trailing']);
  assert.equal(wrap('--flag --another-flag ---x a--b', 6), ['--flag', '--anot', 'her-', 'flag', '---x a', '--b']);
  assert.equal(wrap('élan vital über-ñandú ønskë', 7), ['élan', 'vital', 'über-', 'ñandú', 'ønskë']);
  assert.equal(wrap('', 79), []);
});

test('warningPrinter: wrapped, each text once a run, a worker\'s (again) each time', () => {
  const out: string[] = [];
  const warn = warningPrinter({ columns: 79, color: false, write: (s) => out.push(s) });
  warn('x y', false);
  warn('x y', false);
  warn(W('{{ a }}'), true);
  warn(W('{{ a }}'), true);
  assert.equal(out, ['[WARNING]: x y', `[WARNING]: conditional statements should not include jinja2 templating\ndelimiters such as {{ }} or {% %}. Found: {{ a }}`, `[WARNING]: conditional statements should not include jinja2 templating\ndelimiters such as {{ }} or {% %}. Found: {{ a }}`]);
  const lines: string[] = [];
  const shown: string[] = [];
  const p = plainProgress({ tty: false, diff: false, verbose: false, color: false, out: (s) => lines.push(s), warn: (t) => shown.push(t) });
  p.listen({ kind: 'note', host: 'a', text: 'w', warning: true });
  assert.equal([lines, shown], [[], ['w']]);
});

const warned = (o: Awaited<ReturnType<typeof play>>) => o.events.flatMap((e) => (e.kind === 'note' && e.warning ? [`${e.host} ${e.again ? 'again' : 'once'} ${e.text}`] : []));

test('a condition with {{ }}: warned once per task on each host (its loop items and retries too), as Ansible\'s worker; the first false one ends the list', async () => {
  const o = await play({
    hosts: ['a', 'b'],
    playbook: playbook(`- {debug: msg=one, when: "{{ x }}"}
- {debug: msg=two, when: "{{ x }}", loop: [1, 2], changed_when: "{{ x }}"}
- {debug: msg=three, failed_when: ["{{ not x }}", "{{ x }}"]}
- {debug: msg=four, when: x}`, '  vars: {x: true}\n'),
  });
  assert.equal(o.results.map((r) => r.status), ['ok', 'ok', 'changed', 'changed', 'ok', 'ok', 'ok', 'ok']);
  assert.equal(warned(o), ['a', 'b', 'a', 'b', 'a', 'b'].map((h, i) => `${h} again ${W(i < 4 ? '{{ x }}' : '{{ not x }}')}`));
});

test("assert: each item of a `that` list written with {{ }} is warned about, up to the first that fails; one string is templated first (no warning); meta noop's `when` is warned about once", async () => {
  const o = await play({
    playbook: playbook(`- assert: {that: ['"{{ foo }}" == "bar"', 'foo == "bar"']}
  vars: {foo: bar}
- assert: {that: "'{{ foo }}' == 'bar'"}
  vars: {foo: bar}
- assert: {that: ["foo == 'x'", "'{{ foo }}' == 'x'"]}
  vars: {foo: bar}
  ignore_errors: true
- {meta: noop, when: "{{ true }}"}
- {meta: noop, when: "{{ true }}"}`),
  });
  assert.equal(o.results.map((r) => r.status), ['ok', 'ok', 'failed']);
  assert.equal(warned(o), [`a again ${W('"{{ foo }}" == "bar"')}`, 'a once noop task does not support when conditional', 'a once noop task does not support when conditional']);
});

test.run();
