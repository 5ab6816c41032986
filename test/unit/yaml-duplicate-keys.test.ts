// A key written twice in a YAML map: Ansible warns (DUPLICATE_YAML_DICT_KEY = warn) and the last value
// wins (harden-linux's base.yml has two import_timezone tasks under one name: the run goes on).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { onYamlWarning } from '../../src/util/yaml-source.ts';
import { calls, play } from './engine-harness.ts';

test('a duplicate key is a warning with the map\'s position, the last value wins, the play runs', async () => {
  const said: string[] = [];
  onYamlWarning((w) => said.push(w));
  const o = await play({ playbook: '- hosts: all\n  tasks:\n    - name: a\n      name: b\n      probe: {id: "{{ x }}"}\n      vars: {x: 1, x: 2}\n' });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a b changed']);
  assert.equal(calls, ['a:2']);
  assert.equal(said.length, 2);
  assert.match(said[0], /^While constructing a mapping from \S+play\d+\.yml, line 3, column 7, found a duplicate dict key \(name\)\. Using last defined value only\.$/);
  assert.match(said[1], /line 6, column 13, found a duplicate dict key \(x\)/);
});

test.run();
