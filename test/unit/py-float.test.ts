// A whole Python float (2.0) is a float, not the int 2: in YAML, in templates, in a task's output and in
// what a module writes. The expected texts are ansible-playbook 2.14's for the same playbooks and
// templates (run on this machine, `-i localhost, -c local`).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { skiff } from '../helpers.ts';
import { renderString, scopeOf } from '../../src/template/template.ts';
import { parseYaml } from '../../src/util/yaml-source.ts';
import { floatJson, PyFloat } from '../../src/template/py-float.ts';
import { paramsFor, plainKeywords } from '../../src/engine/float-params.ts';
import { pyJson } from '../../src/report/ansible-lines.ts';
import { PyStr, Num, AnsibleInt } from '../../tasks/lib/schema.ts';
import { pyLiteral } from '../../src/inventory/py-literal.ts';

const yaml = (text: string) => parseYaml('t.yml', text).source!.value as Record<string, unknown>;
const vars = yaml('{v: 2.0, w: 37., h: .5, big: 1.0e+16, z: 0.0}');
const r = (src: string) => renderString(src, scopeOf(vars));

test('YAML: a float scalar with a whole value is a float (2.0, 37., 1.0e+3); PyYAML reads 1e3 and 1.0e3 as text', () => {
  const x = yaml('{a: 2.0, b: 37., c: 1.0e+3, d: 1e3, e: 1.0e3, f: 0.5, g: 2, h: -3.0}');
  assert.ok(x.a instanceof PyFloat && x.b instanceof PyFloat && x.c instanceof PyFloat && x.h instanceof PyFloat);
  assert.is(Number(x.c), 1000);
  assert.is(x.d, '1e3');
  assert.is(x.e, '1.0e3');
  assert.is(x.f, 0.5);
  assert.is(x.g, 2);
});

test("the brief's template: 2.0 37.0 3.0 3.0 [2.0, 37.0] 2 True True", () => {
  assert.is(r('{{ v }} {{ w }} {{ v + 1 }} {{ 3 / 1 }} {{ [v, w] }} {{ v | int }} {{ v is float }} {{ 4.0 == 4 }}'), '2.0 37.0 3.0 3.0 [2.0, 37.0] 2 True True');
});

test('arithmetic: a float when either side is one, `/` always, an int to a negative power', () => {
  assert.is(r('{{ [1.5 + 0.5, 2 ** -1, 1 ** -1, 7 // 2.0, 7 % 2.0, -v, 2 * 3.0, 6 / 3] | string }}'), '[2.0, 0.5, 1.0, 3.0, 1.0, -2.0, 6.0, 2.0]');
  assert.is(r('{{ (2 + 3) | type_debug }} {{ 7 // 2 }} {{ 7 % 3 }}'), 'int 3 1');
});

test('filters: float, round (an int stays one), sum, max/min keep the item, string, to_json, to_nice_json, abs, format', () => {
  assert.is(r('{{ v | float }} {{ 3 | float }} {{ 2.7 | round }} {{ 2 | round }} {{ [1, 2.0] | sum }} {{ [1.0, 2] | max }} {{ [1.0, 2] | min }} {{ v | string }} {{ v | to_json }} {{ [v] | to_nice_json }}'), '2.0 3.0 3.0 2 3.0 2 1.0 2.0 2.0 [\n    2.0\n]');
  assert.is(r("{{ '%s %d %.2f %r' | format(v, v, v, v) }} {{ v | abs }} {{ dict(a=v) }}"), "2.0 2 2.00 2.0 2.0 {'a': 2.0}");
  assert.is(r("{{ 'x' | float }} {{ 4 | pow(2) }} {{ [v, 2] | to_yaml }}"), '0.0 16.0 [2.0, 2]\n');
});

test('tests and type_debug: float, integer, number; 0.0 is false; big and tiny floats as Python writes them', () => {
  assert.is(r('{{ v is integer }} {{ v is number }} {{ v | type_debug }} {{ 2 | type_debug }}'), 'False True float int');
  assert.is(r('{{ z | bool }} {{ not z }} {{ big }} {{ h }} {{ 0.00001 }}'), 'False True 1e+16 0.5 1e-05');
  assert.is(r('{{ v == 2 }} {{ v < 3 }} {{ 2 in [v] }} {{ v.is_integer() }}'), 'True True True True');
});

test('a single {{ }} of a float keeps it a float (set_fact of it stays one, as `{{ v }}` does in Ansible)', () => {
  const x = r('{{ v }}');
  assert.ok(x instanceof PyFloat);
  assert.is(String(x), '2.0');
});

test("Python literals (an INI inventory's f=2.0, a template's text read back) and from_json keep floats", () => {
  assert.equal(String(pyLiteral('2.0')), '2.0');
  assert.equal(String(pyLiteral('-3.0')), '-3.0');
  assert.is(pyLiteral('2'), 2);
  assert.is(r('[{{ v }}]') instanceof Array && String((r('[{{ v }}]') as unknown[])[0]), '2.0');
  assert.is(r("{{ '[2.0, 1, 0.5]' | from_json | string }}"), '[2.0, 1, 0.5]');
});

test('as JSON a whole float is 2.0 (results, the report, module arguments); pyJson as the callback prints it', () => {
  assert.is(floatJson({ a: new PyFloat(2), b: [1, new PyFloat(-3)], c: 'x' }), '{"a":2.0,"b":[1,-3.0],"c":"x"}');
  assert.is(pyJson({ v: new PyFloat(2), n: 2, f: 0.5 }), '{"f": 0.5, "n": 2, "v": 2.0}');
});

test('params: a text param gets the float as text, a number param its number, a param of any value the float', () => {
  const schema = v.strictObject({ content: v.optional(PyStr), timeout: v.optional(Num), count: v.optional(AnsibleInt), msg: v.optional(v.unknown()), argv: v.optional(v.array(PyStr)) });
  const out = paramsFor(schema, { content: new PyFloat(1), timeout: new PyFloat(2), count: new PyFloat(3), msg: new PyFloat(4), argv: [new PyFloat(5), 'x'] }) as Record<string, unknown>;
  assert.is(out.content, '1.0');
  assert.is(out.timeout, 2);
  assert.is(out.count, 3);
  assert.ok(out.msg instanceof PyFloat);
  assert.equal(out.argv, ['5.0', 'x']);
  // keywords: numbers, but vars and module args keep their floats
  const kw = plainKeywords({ delay: new PyFloat(2), vars: { x: new PyFloat(1) } });
  assert.is(kw.delay as unknown, 2);
  assert.ok(kw.vars.x instanceof PyFloat);
});

const dir = mkdtempSync(join(tmpdir(), 'skiff-py-float-'));

test("the brief's playbook: debug prints 2.0, copy writes 2.0, keywords of floats run (ansible-playbook's output)", async () => {
  const out = join(dir, 'fv.txt');
  writeFileSync(join(dir, 'pb.yml'), `- hosts: localhost
  gather_facts: false
  vars: {v: 2.0, w: 37., version: 1.0}
  tasks:
    - debug: msg="{{ v }} {{ w }} {{ v + 1 }} {{ 3 / 1 }} {{ [v, w] }} {{ v | int }} {{ v is float }} {{ 4.0 == 4 }}"
    - debug: var=v
    - copy: content="{{ v }}" dest=${out}
    - copy: {content: "{{ version }}", dest: ${out}2}
    - command: echo {{ v * 2 }}
      register: r
      retries: 1.0
      delay: 0.0
      until: r.rc == 0
      timeout: 30.0
    - debug: msg="{{ item }}"
      loop: [1.0]
`);
  const run = await skiff(['run', 'pb.yml', '-i', 'localhost,', '-c', 'local'], { cwd: dir, env: { HOME: dir, ANSIBLE_CONFIG: '' } });
  assert.is(run.code, 0, run.stdout + run.stderr);
  assert.ok(run.stdout.includes('"msg": "2.0 37.0 3.0 3.0 [2.0, 37.0] 2 True True"'), run.stdout);
  assert.ok(run.stdout.includes('"v": 2.0'), run.stdout);
  assert.ok(run.stdout.includes('ok: [localhost] => (item=1.0) => {\n    "msg": 1.0\n}'), run.stdout);
  assert.is(readFileSync(out, 'utf8'), '2.0');
  assert.is(readFileSync(`${out}2`, 'utf8'), '1.0');
});

test.run();
