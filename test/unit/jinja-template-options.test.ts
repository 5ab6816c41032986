// The template module's Jinja2 settings and the statements that reach other templates, with the
// templates and expected files of Ansible's `template` integration target (ansible-core 2.14).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ANSIBLE_SYNTAX, renderText, TemplateError, type Syntax } from '../../src/template/jinja-template.ts';
import { scopeOf } from '../../src/template/template.ts';

const T = (src: string, vars: Record<string, unknown> = {}, syntax: Partial<Syntax> = {}, files: Record<string, string> = {}) =>
  renderText(src, scopeOf(vars), { pyEscapes: true, syntax: { ...ANSIBLE_SYNTAX, ...syntax }, load: (n) => files[n] });

test('block renders in place; extends puts the nearest template\'s blocks in its parent\'s (as Jinja2, geerlingguy.nginx)', () => {
  const files = {
    'base.j2': 'user nginx;\n{% block worker %}\nworker_processes {{ n }};\n{% endblock %}\nhttp {\n{% block http %}{% endblock %}\n}\n',
    'mid.j2': '{% extends "base.j2" %}\n{% block http %}  mid;\n{% endblock %}\n',
  };
  assert.is(T(files['base.j2'], { n: 2 }, {}, files), 'user nginx;\nworker_processes 2;\nhttp {\n}\n');
  const child = 'ignored before? \n{% extends "mid.j2" %}\nignored\n{% block worker %}\nworker_processes 8;\n{% endblock %}\n';
  assert.is(T(child, { n: 2 }, {}, files), 'ignored before? \nuser nginx;\nworker_processes 8;\nhttp {\n  mid;\n}\n');
});

test('comment_start_string / comment_end_string: custom_comment_string.j2', () => {
  assert.is(T('Before\n[# Test comment_start_string #]\nAfter\n', {}, { comment_start_string: '[#', comment_end_string: '#]' }), 'Before\nAfter\n');
});

test('trim_blocks off and on: trim_blocks.j2', () => {
  const src = '{% if True %}\nHello world\n{% endif %}\nGoodbye\n';
  assert.is(T(src, {}, { trim_blocks: false }), '\nHello world\n\nGoodbye\n');
  assert.is(T(src, {}, { trim_blocks: true }), 'Hello world\nGoodbye\n');
});

test('lstrip_blocks off and on: lstrip_blocks.j2', () => {
  const src = '{% set hello_world="hello world" %}\n{% for i in [1, 2, 3] %}\n    {% if loop.first %}\n{{hello_world}}\n    {% else %}\n{{hello_world}}\n    {% endif %}\n{% endfor %}\n';
  assert.is(T(src, {}, { lstrip_blocks: false }), '    hello world\n        hello world\n        hello world\n    \n');
  assert.is(T(src, {}, { lstrip_blocks: true }), 'hello world\nhello world\nhello world\n');
  // `{%+` keeps the spaces
  assert.is(T('  {%+ if 1 %}x{% endif %}', {}, { lstrip_blocks: true }), '  x');
});

test('newline_sequence: the template text and the trailing newlines in it (foo2.j2 as foo.dos.txt)', () => {
  assert.is(T('BEGIN\n{{ templated_var }}\nEND\n', { templated_var: 'templated_var_loaded' }, { newline_sequence: '\r\n' }), 'BEGIN\r\ntemplated_var_loaded\r\nEND\r\n');
  // a CRLF source renders with \n by default, as Jinja2's lexer reads it
  assert.is(T('a\r\n{{ 1 }}\r\n'), 'a\n1\n');
});

test('#jinja2: overrides on the first line: in_template_overrides.j2, override_colon_value.j2, override_separator.j2', () => {
  const src = "#jinja2:variable_start_string:'<<' , variable_end_string:'>>'\nvar_a: << var_a >>\nvar_c: << var_c >>\n";
  assert.is(T(src, { var_a: 'value', var_c: '<< var_a >>' }), 'var_a: value\nvar_c: << var_a >>\n');
  assert.is(T('#jinja2: line_statement_prefix:":"\n: if true\nfoo\n: endif\n'), 'foo\n');
  assert.throws(() => T('#jinja2: lstrip_blocks=True\n'), (e: unknown) => e instanceof TemplateError && e.message.startsWith("failed to parse jinja2 override 'lstrip_blocks=True'."));
});

const files = {
  qux: '{% set wibble = "WIBBLE" %}\n',
  bar: 'Goodbye\n',
  'for_loop_include.j2': "{% if par_var is defined %}\n{% include 'for_loop_include_nested.j2' %}\n{% endif %}\n",
  'for_loop_include_nested.j2': '{{ par_var }}\n',
  '72615-macro-nested.j2': '{% macro print_context_vars_nested(value) %}\nfoo: {{ foo }}\nbar: {{ value }}\n{% endmacro %}\n',
  '72615-macro.j2':
    '{% macro print_context_vars(value) %}\n{{ foo }}\n{{ value }}\n{% set foo = "template-nested-level-foo" %}\n{% set bar = "template-nested-level-bar" %}\n' +
    "{% from '72615-macro-nested.j2' import print_context_vars_nested with context %}\n{{ print_context_vars_nested(bar) }}\n{% endmacro %}\n",
  '72262-included.j2': '{{ vars.test }}\n',
  '72262-vars.j2': '{% set test = "I\'m test variable" %}\n',
  '6653-include.j2': '{{ x }}\n',
  'undefined_in_import-import.j2': '{{ undefined_variable }}\n',
};

test('import with and without context, include: import_with_context.j2, import_as.j2', () => {
  assert.is(T("{% import 'qux' as qux with context %}\nhello world with context\n{{ qux.wibble }}\n{% include 'bar' %}\n", {}, {}, files), 'hello world with context\nWIBBLE\nGoodbye\n');
  assert.is(T("{% import 'qux' as qux %}\nhello world import as\n{{ qux.wibble }}\n{% include 'bar' %}\n", {}, {}, files), 'hello world import as\nWIBBLE\nGoodbye\n');
});

test('an include sees the loop variable, nested too: for_loop.j2, 6653.j2', () => {
  const out = T("{% for par_var in parent_vars %}\n{% include 'for_loop_include.j2' %}\n\n{% endfor %}\n", { parent_vars: ['foo', 'bar', 'bam'] }, {}, files);
  assert.is(out, 'foo\nbar\nbam\n');
  assert.is(T("{% for x in mylist %}\n{{ x }}\n{% include '6653-include.j2' with context %}\n{% endfor %}\n", { mylist: ['alpha', 'bravo'] }, {}, files), 'alpha\nalphabravo\nbravo\n');
});

test('macros imported with context see the importer\'s variables: 72615.j2, 72262.j2', () => {
  const out = T(
    '{% set foo = "template-level-foo" %}\n{% set bar = "template-level-bar" %}\n{% from \'72615-macro.j2\' import print_context_vars with context %}\n{{ print_context_vars(bar) }}\n',
    { foo: 'top-level-foo' },
    {},
    files,
  ) as string;
  assert.ok(out.includes('template-level-bar') && out.includes('template-nested-level-bar'), out);
  assert.ok(!out.includes('top-level-foo') && out.includes('template-level-foo') && out.includes('foo: template-nested-level-foo'), out);
  assert.is(T("{% import '72262-vars.j2' as vars with context %}\n{% macro included() %}{% include '72262-included.j2' %}{% endmacro %}\n{{ included()|indent }}\n", {}, {}, files), "I'm test variable\n");
});

test('macro arguments and defaults; a missing template or name is an error on its line', () => {
  assert.is(T('{% macro m(a, b="B") %}{{ a }}-{{ b }}{% endmacro %}{{ m(1) }} {{ m(1, b=2) }}'), '1-B 1-2');
  assert.is(T('{% macro m() %}{{ {"foo":"bar"} }}{% endmacro %}\n{{ m() }}\n'), "{'foo': 'bar'}\n");
  assert.throws(() => T("x\n{% include 'nope.j2' %}"), (e: unknown) => e instanceof TemplateError && e.line === 2 && /template "nope.j2" not found/.test(e.message));
  assert.is(T("{% include 'nope.j2' ignore missing %}ok"), 'ok');
  assert.throws(() => T("{% import 'undefined_in_import-import.j2' as t %}\n", {}, {}, files), (e: unknown) => e instanceof TemplateError && e.jinja === "'undefined_variable' is undefined");
});

test.run();
