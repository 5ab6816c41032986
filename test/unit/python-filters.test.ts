// Filters and tests skiff does not implement run through the controller's ansible-core, found where
// Ansible finds them (its template target's role_filter, a collection's FQCN); a name nothing provides
// fails the task when it runs with Ansible's text (its parsing target), never the playbook's load.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { play, playbook } from './engine-harness.ts';
import { resultLines } from '../../src/report/ansible-lines.ts';
import { scopeOf } from '../../src/template/template.ts';
import { evaluate } from '../../src/template/expr.ts';
import { PluginError, PyException, UndefinedError } from '../../src/template/expr-error.ts';

const hasAnsible = existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import ansible']).status === 0;
const hasCollections = hasAnsible && spawnSync('/usr/bin/python3', ['-c', 'import ansible_collections.community.general, jmespath']).status === 0;
const maybe = hasAnsible ? test : test.skip;

maybe('a filter nothing provides is not refused at load: the task fails when it runs with Ansible\'s text, and ignore_errors takes it (parsing target)', async () => {
  const o = await play({
    playbook: playbook(`- name: bad
  debug: msg="{{output_dir|badfiltername}}"
  vars: {output_dir: .}
  register: filter_fail
  ignore_errors: yes
- assert:
    that:
      - filter_fail is failed
- probe: {id: "{{ filter_fail.msg }}"}`),
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a bad failed', 'a assert ok', 'a probe changed']);
  const msg = `template error while templating string: Could not load "badfiltername": 'badfiltername'. String: {{output_dir|badfiltername}}. Could not load "badfiltername": 'badfiltername'`;
  assert.equal(o.results[2].changes, [`probe ${msg}`]);
  assert.equal(resultLines(o.results[0], { verbosity: 0, diff: false })[0], `fatal: [a]: FAILED! => {"msg": ${JSON.stringify(msg)}}`);
});

maybe('a misspelled filter, or a name every object has in JavaScript, is no filter: the task fails when it runs (once refused at load)', async () => {
  const o = await play({ playbook: playbook(`- name: join\n  command: "echo {{ groups.all | jion(',') }}"\n  ignore_errors: true\n- name: proto\n  debug: msg="{{ inventory_hostname | __proto__ }}{{ 1 is constructor }}"\n  ignore_errors: true`) });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a join failed', 'a proto failed']);
  assert.match(String(o.results[0].msg), `Could not load "jion": 'jion'. String: echo {{ groups.all | jion(',') }}.`);
  assert.match(String(o.results[1].msg), `Could not load "__proto__": '__proto__'`);
});

maybe('an unknown test in a condition: Conditional\'s text, with the condition inside {% if %}', async () => {
  const o = await play({ playbook: playbook(`- block:\n    - probe: never\n      when: 1 is nosuchtest\n  rescue:\n    - probe: "{{ ansible_failed_result.msg.split('\\n')[0] }}"`) });
  assert.equal(o.problems, []);
  assert.equal(o.results[1].changes, [`probe The conditional check '1 is nosuchtest' failed. The error was: template error while templating string: Could not load "nosuchtest": 'nosuchtest'. String: {% if 1 is nosuchtest %} True {% else %} False {% endif %}. Could not load "nosuchtest": 'nosuchtest'`]);
});

maybe("a role's filter_plugins/ and a playbook's test_plugins/ are found as Ansible finds them (template target's role_filter parse_ip)", async () => {
  const o = await play({
    playbook: `- hosts: all\n  tasks:\n    - include_role: {name: role_filter}\n    - probe: {id: "{{ 'x' is shouty }}-{{ 'X' is shouty }}"}\n`,
    files: {
      'roles/role_filter/tasks/main.yml': `- probe: {id: "{{ '127.0.0.1' | parse_ip }}-{{ [1, 2] | twice(times=3) }}"}\n`,
      'roles/role_filter/filter_plugins/myplugin.py': `class FilterModule(object):\n    def filters(self):\n        return {'parse_ip': self.parse_ip, 'twice': lambda v, times=2: v * times}\n\n    def parse_ip(self, ip):\n        return ip\n`,
      'test_plugins/shout.py': `class TestModule(object):\n    def tests(self):\n        return {'shouty': lambda s: s.isupper()}\n`,
    },
  });
  assert.equal(o.problems, []);
  assert.equal(o.results.map((r) => r.changes).flat(), ['probe 127.0.0.1-[1, 2, 1, 2, 1, 2]', 'probe False-True']);
});

maybe("a playbook's filter_plugins/ defining a builtin's name overrides it for the short name, not ansible.builtin's (plugin_loader target's flatten)", async () => {
  const o = await play({
    playbook: playbook(`- probe: {id: "{{ a | flag }}-{{ a | flatten }}-{{ a | ansible.builtin.flatten }}-{{ a | ternary('yes', 'no') }}"}`, '  vars: {a: [1, 2, [3, 4]]}\n'),
    files: { 'filter_plugins/core.py': "def do_flag(v):\n    return 'flagged'\n\nclass FilterModule(object):\n    def filters(self):\n        return {'flag': do_flag, 'flatten': do_flag}\n" },
  });
  assert.equal(o.problems, []);
  assert.equal(o.results.map((r) => r.changes).flat(), ['probe flagged-flagged-[1, 2, 3, 4]-yes']);
});

maybe('in a template file (the template module, the template lookup): the templar\'s error quotes the whole file; a collection\'s filter works there too', async () => {
  const o = await play({
    playbook: playbook(`- name: module\n  template: {src: bad.j2, dest: "{{ playbook_dir }}/out.txt"}\n  ignore_errors: true\n- name: lookup\n  debug: msg="{{ lookup('template', 'bad.j2') }}"\n  ignore_errors: true\n- name: good\n  debug: msg="{{ lookup('template', 'good.j2') }}"`),
    files: { 'templates/bad.j2': 'line1\nb={{ 1 | badf }}\n', 'templates/good.j2': "{{ [3, 1, 2] | sort | ansible.builtin.to_json }}-{{ '10.1.2.3/8' | ansible.utils.ipaddr('network') }}" },
  });
  const t = `template error while templating string: Could not load "badf": 'badf'. String: line1\nb={{ 1 | badf }}\n. Could not load "badf": 'badf'`;
  assert.equal(o.results[0].msg, `AnsibleError: ${t}`);
  assert.equal(resultLines(o.results[0], { verbosity: 0, diff: false })[0], `An exception occurred during task execution. To see the full traceback, use -vvv. The error was: . Could not load "badf": 'badf'`);
  assert.equal(o.results[1].msg, `An unhandled exception occurred while running the lookup plugin 'template'. Error was a <class 'ansible.errors.AnsibleError'>, original message: ${t}. ${t}`);
  if (hasCollections) assert.equal(o.results[2].result?.msg, '[1, 2, 3]-10.0.0.0');
});

maybe("a plugin's own errors are Ansible's: an AnsibleFilterError is the task's msg, another exception the task's exception", async () => {
  const o = await play({
    playbook: playbook(`- name: ansible\n  debug: msg="{{ 1 | picky }}"\n  ignore_errors: true\n- name: python\n  debug: msg="{{ 1 | broken }}"\n  ignore_errors: true`),
    files: {
      'filter_plugins/f.py': `from ansible.errors import AnsibleFilterError\nclass FilterModule(object):\n    def filters(self):\n        return {'picky': self.picky, 'broken': self.broken}\n    def picky(self, v):\n        raise AnsibleFilterError('picky wants a string')\n    def broken(self, v):\n        return {}['nokey']\n`,
    },
  });
  assert.equal(o.problems, []);
  assert.equal(resultLines(o.results[0], { verbosity: 0, diff: false })[0], 'fatal: [a]: FAILED! => {"msg": "picky wants a string"}');
  assert.match(String((o.results[1].result as Record<string, unknown>).exception), /KeyError: 'nokey'/);
});

(hasCollections ? test : test.skip)("a collection's filters and tests by FQCN, and a name ansible-core routes to one (json_query), as ansible-playbook gives them", () => {
  const s = scopeOf({ data: { people: [{ name: 'a', age: 3 }, { name: 'b', age: 40 }] }, playbook_dir: process.cwd() });
  assert.equal(evaluate("data | community.general.json_query('people[?age > `10`].name')", s), ['b']);
  assert.equal(evaluate("data | json_query('people[0].name')", s), 'a');
  assert.equal(evaluate("{'a': 1} | community.general.dict_kv('k')", s), { k: { a: 1 } });
  assert.equal(evaluate("'192.168.1.5/24' | ansible.utils.ipaddr('network')", s), '192.168.1.0');
  assert.equal(evaluate("['1.2.3.4' is ansible.utils.ipv4, '1.2.3.400' is ansible.utils.ipv4, 'x' is not ansible.utils.ipv4]", s), [true, false, true]);
  // named to map(), select(), selectattr() as Jinja2 looks them up, when they run
  assert.equal(evaluate("['1.2.3.4', 'x', '10.0.0.1'] | select('ansible.utils.ipv4') | list", s), ['1.2.3.4', '10.0.0.1']);
  assert.equal(evaluate("[1, 2] | map('community.general.dict_kv', 'k') | list", s), [{ k: 1 }, { k: 2 }]);
  assert.equal(evaluate("[{'a': '1.2.3.4'}, {'a': 'y'}] | rejectattr('a', 'ansible.utils.ipv4') | list", s), [{ a: 'y' }]);
  assert.throws(() => evaluate("[1] | select('nosuchtest') | list", s), (e: unknown) => e instanceof PluginError && e.message === `Could not load "nosuchtest": 'nosuchtest'`);
  // a missing argument is Python's TypeError (the templar's "Unexpected templating type error")
  assert.throws(() => evaluate("'x' | community.general.dict_kv", s), (e: unknown) => e instanceof PyException && e.pyType === 'TypeError' && /missing 1 required positional argument: 'key'/.test(e.message));
  // an undefined input is the plugin's to take, as Jinja2 passes it: the plugin's own words, or the
  // undefined variable where it is used; an unknown filter is said first, as Jinja2 compiles it first
  assert.throws(() => evaluate("nosuchvar | community.general.json_query('a')", s), (e: unknown) => e instanceof PluginError && e.message === "Error in jmespath.search in json_query filter plugin:\n'nosuchvar' is undefined");
  assert.throws(() => evaluate("nosuchvar | community.general.dict_kv('k')", s), (e: unknown) => e instanceof UndefinedError && e.jinja === "'nosuchvar' is undefined");
  assert.throws(() => evaluate('data.nokey is ansible.utils.ipv4', s), (e: unknown) => e instanceof UndefinedError && e.jinja === "'dict object' has no attribute 'nokey'");
  assert.throws(() => evaluate('nosuchvar | nosuchfilter', s), (e: unknown) => e instanceof PluginError && e.message === `Could not load "nosuchfilter": 'nosuchfilter'`);
  // Jinja2's own filters are no ansible.builtin plugins
  assert.throws(() => evaluate('[2, 1] | ansible.builtin.sort', s), (e: unknown) => e instanceof PluginError && e.message === `Could not load "ansible.builtin.sort": 'ansible.builtin.sort'`);
  assert.equal(evaluate("[2, 1] | sort | ansible.builtin.to_json", s), '[1, 2]');
  // a collection that is not there: the loader's words
  assert.throws(() => evaluate('1 | nosuchns.nosuch.f', s), (e: unknown) => e instanceof PluginError && e.message === `Could not load "nosuchns.nosuch.f": 'Invalid plugin FQCN (nosuchns.nosuch.f): unable to locate collection nosuchns.nosuch'`);
});

test.run();
