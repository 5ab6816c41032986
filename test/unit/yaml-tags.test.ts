// YAML tags of YAML 1.1 as Ansible's loader (PyYAML) reads them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseYaml } from '../../src/util/yaml-source.ts';

test('!!binary is read, not refused: the decoded bytes as text (roles_arg_spec test_complex_role_fails.yml)', () => {
  const r = parseYaml('x.yml', 'some_bytes: !!binary |\n  aGVsbG8g\n  d29ybGQ=\n');
  assert.equal(r.problems, []);
  assert.equal(r.source?.value, { some_bytes: 'hello world' });
});

test('!!binary on text that is no base64 is refused with its position', () => {
  const r = parseYaml('x.yml', 'a: 1\nb: !!binary "not base64!"\n');
  assert.equal(r.problems.length, 1);
  assert.equal(r.problems[0].line, 2);
  assert.match(r.problems[0].message, 'expected base64 text');
});

test('!!set is still refused by name: skiff has no set type', () => {
  const r = parseYaml('x.yml', 'a: !!set {x, y}\n');
  assert.match(r.problems.map((p) => p.message).join('\n'), 'cannot be read');
});

test.run();
