// Ansible's gathering_facts target: a play's gather_subset narrows what its gathering gives (a fact
// outside the subset is undefined); setup's plain gathering gives what the play reads, as the play's
// own gathering does. Ansible's setup module runs here for real (ansible-core on this machine).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { play } from './engine-harness.ts';
import { FACTS_SCRIPT } from '../../src/engine/facts.ts';
import { narrowedSubset } from '../../src/engine/fact-needs.ts';
import { parseExtraVars } from '../../src/engine/prepare.ts';
import { factsModules } from '../../src/engine/facts-modules.ts';

const hasAnsible = existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import ansible']).status === 0;
const real = hasAnsible ? test : test.skip;
// skiff's own facts of this machine, as its script reads them
const own = () => spawnSync('sh', ['-c', FACTS_SCRIPT], { encoding: 'utf8' }).stdout;

test('a gather_subset other than all narrows the play\'s gathering', () => {
  assert.not.ok(narrowedSubset(undefined));
  assert.not.ok(narrowedSubset(['all']));
  assert.ok(narrowedSubset(['hardware']));
  assert.ok(narrowedSubset(['!all', 'network']));
  assert.ok(narrowedSubset(['min']));
});

real('gather_subset: hardware gives memory_mb but no network facts (test_gathering_facts.yml facthost22)', async () => {
  const o = await play({
    facts: { a: own() },
    playbook: `- hosts: all\n  gather_subset: hardware\n  gather_facts: yes\n  tasks:\n    - assert:\n        that:\n          - 'ansible_memory_mb|default("UNDEF") != "UNDEF"'\n          - 'ansible_default_ipv4|default("UNDEF") == "UNDEF"'\n          - 'ansible_interfaces|default("UNDEF") == "UNDEF"'\n          - 'ansible_system|default("UNDEF") != "UNDEF"'\n`,
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines.slice(-1), ['a assert ok'], JSON.stringify(o.results.slice(-1)));
});

real('gather_subset: "!all" gives the minimal facts alone (facthost1)', async () => {
  const o = await play({
    facts: { a: own() },
    playbook: `- hosts: all\n  gather_subset: "!all"\n  tasks:\n    - assert:\n        that:\n          - 'ansible_user_id|default("UNDEF_MIN") != "UNDEF_MIN"'\n          - 'ansible_env|default("UNDEF_ENV") != "UNDEF_ENV"'\n          - 'ansible_interfaces|default("UNDEF_NET") == "UNDEF_NET"'\n          - 'ansible_mounts|default("UNDEF_MOUNT") == "UNDEF_MOUNT"'\n`,
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines.slice(-1), ['a assert ok'], JSON.stringify(o.results.slice(-1)));
});

real('setup with an empty filter gives all facts, ansible_interfaces and ansible_mounts too (facthost12)', async () => {
  const o = await play({
    facts: { a: own() },
    playbook: `- hosts: all\n  gather_facts: no\n  tasks:\n    - setup:\n        filter: ""\n    - assert:\n        that:\n          - 'ansible_user_id|default("UNDEF_MIN") != "UNDEF_MIN"'\n          - 'ansible_interfaces|default("UNDEF_NET") != "UNDEF_NET"'\n          - 'ansible_mounts|default("UNDEF_MOUNT") != "UNDEF_MOUNT"'\n`,
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines.slice(-1), ['a assert ok'], JSON.stringify(o.results.slice(-1)));
});

test('a module\'s facts named ansible_facts or discovered_interpreter_ are not taken (test_prevent_injection.yml)', async () => {
  const bogus = `#!/bin/sh\necho '{"changed": false, "ansible_facts": {"ansible_facts": {"discovered_interpreter_python": "(touch /tmp/pwned) && /usr/bin/python", "bogus_overwrite": "yes"}, "discovered_interpreter_python": "touch", "dansible_iscovered_interpreter_python": "kept"}}'\n`;
  const o = await play({
    files: { 'library/bogus_facts': bogus },
    playbook: `- hosts: all\n  gather_facts: false\n  tasks:\n    - action: bogus_facts\n    - assert:\n        that:\n          - "'touch' not in discovered_interpreter_python|default('')"\n          - "'touch' not in ansible_facts.get('discovered_interpreter_python', '')"\n          - "'touch' not in ansible_facts.get('ansible_facts', {}).get('discovered_interpreter_python', '')"\n          - bogus_overwrite is undefined\n          - dansible_iscovered_interpreter_python == 'kept'\n`,
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines.slice(-1), ['a assert ok'], JSON.stringify(o.results.slice(-1)));
});

test('-e words that are no key=value are the variable _raw_params, as Ansible\'s parse_kv gives them (verify_merge_facts.yml)', () => {
  const problems: unknown[] = [];
  const warnings: string[] = [];
  assert.equal(parseExtraVars(['ansible_facts_parallel: False', 'a=1'], problems as never, [], (w) => warnings.push(w)), { _raw_params: 'ansible_facts_parallel: False', a: '1' });
  assert.equal(problems, []);
  assert.match(warnings.join('\n'), /_raw_params/);
});

test("-e keys no template reads by name (1x, a.b) are kept as Ansible keeps them (vars['a.b']), with a warning; an empty -e is nothing", () => {
  const problems: unknown[] = [];
  const warnings: string[] = [];
  assert.equal(parseExtraVars(['1x=2', 'a.b=1', '', 'ok=3'], problems as never, [], (w) => warnings.push(w)), { '1x': '2', 'a.b': '1', ok: '3' });
  assert.equal(problems, []);
  assert.is(warnings.length, 2, warnings.join('\n'));
  assert.match(warnings[1], `only vars["a.b"] reads it`);
});

test('ansible_facts_modules names the modules the gathering runs (smart, setup: skiff\'s own gathering)', () => {
  assert.is(factsModules(undefined), undefined);
  assert.is(factsModules(['smart']), undefined);
  assert.is(factsModules('ansible.legacy.setup'), undefined);
  assert.equal(factsModules(['facts_one', 'facts_two']), ['facts_one', 'facts_two']);
  assert.equal(factsModules('smart, facts_one'), ['ansible.legacy.setup', 'facts_one']);
});

// verify_merge_facts.yml's modules and one_two.json / two_one.json, what Ansible's gather_facts made of them
const factsOne = `#!/bin/sh\necho '{"changed": false, "ansible_facts": {"factsone": "from facts_one module", "common_fact": "also from facts_one module", "common_dict_fact": {"key_one": "from facts_one", "key_two": "from facts_one"}, "common_list_fact": ["one", "three", "five"], "common_list_fact2": ["one", "two", "three", "five", "five"]}}'\n`;
const factsTwo = `#!/bin/sh\necho '{"changed": false, "ansible_facts": {"factstwo": "from facts_two module", "common_fact": "also from facts_two module", "common_dict_fact": {"key_two": "from facts_two", "key_four": "from facts_two"}, "common_list_fact": ["one", "two", "four"], "common_list_fact2": ["one", "two", "four", "four"]}}'\n`;
const oneTwo = { _ansible_facts_gathered: true, common_dict_fact: { key_four: 'from facts_two', key_one: 'from facts_one', key_two: 'from facts_two' }, common_fact: 'also from facts_two module', common_list_fact: ['three', 'five', 'one', 'two', 'four'], common_list_fact2: ['three', 'five', 'five', 'one', 'two', 'four', 'four'], factsone: 'from facts_one module', factstwo: 'from facts_two module' };
const twoOne = { _ansible_facts_gathered: true, common_dict_fact: { key_four: 'from facts_two', key_one: 'from facts_one', key_two: 'from facts_one' }, common_fact: 'also from facts_one module', common_list_fact: ['two', 'four', 'one', 'three', 'five'], common_list_fact2: ['four', 'four', 'one', 'two', 'three', 'five', 'five'], factsone: 'from facts_one module', factstwo: 'from facts_two module' };

test('the gathering runs ansible_facts_modules in order, their facts merged as Ansible\'s (verify_merge_facts.yml)', async () => {
  const check = (order: string, expected: object) => `- hosts: all\n  gather_facts: true\n  vars:\n    ansible_facts_modules: [${order}]\n  tasks:\n    - assert:\n        that:\n          - ansible_facts|to_json(indent=4, sort_keys=True) == expected|to_json(indent=4, sort_keys=True)\n          - factsone == 'from facts_one module'\n          - _ansible_facts_gathered is undefined\n      vars:\n        expected: ${JSON.stringify(expected)}\n    - meta: clear_facts\n`;
  const o = await play({
    files: { 'library/facts_one': factsOne, 'library/facts_two': factsTwo },
    playbook: check('facts_one, facts_two', oneTwo) + check('facts_two, facts_one', twoOne),
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines.filter((l) => l.includes('assert')), ['a assert ok', 'a assert ok'], JSON.stringify(o.results));
});

real('gather_facts takes setup\'s module_defaults under its own; setup says its gather_subset as a fact (test_module_defaults.yml)', async () => {
  const o = await play({
    facts: { a: own() },
    playbook: `- hosts: all
  gather_facts: no
  tasks:
    - gather_facts:
      module_defaults:
        gather_facts:
          gather_subset: min
    - assert:
        that: "gather_subset == ['min'] and ansible_facts.gather_subset == ['min'] and module_setup"
    - gather_facts:
      module_defaults:
        setup:
          gather_subset: '!all'
    - assert:
        that: "gather_subset == ['!all']"
    - gather_facts:
      module_defaults:
        setup:
          gather_subset: '!all'
        gather_facts:
          gather_subset: min
    - assert:
        that: "gather_subset == ['min']"
    - gather_facts:
      module_defaults:
        ansible.legacy.setup:
          gather_subset: '!all'
    - assert:
        that: "gather_subset == ['!all'] and ansible_gather_subset is undefined"
`,
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines.filter((l) => l.includes('assert')), ['a assert ok', 'a assert ok', 'a assert ok', 'a assert ok'], JSON.stringify(o.results.filter((r) => r.status === 'failed')));
});

test.run();
