// A role's argument specs, as ansible-core 2.14 checks them (cases from the roles_arg_spec target): the
// role's tasks start with "Validating arguments against arg spec '<entry>'", ok in the recap, which
// fails the host (argument_errors, argument_spec_data, validate_args_context) when the role's variables
// do not fit; rolespec_validate: false turns it off. ansible-core's own validator decides (the
// controller's Python), so these run where ansible-core is installed, as skiff's tests do.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { calls, play, playbook } from './engine-harness.ts';

const A = {
  'roles/a/tasks/main.yml': '- probe: "a {{ a_str }}"\n',
  'roles/a/tasks/alternate.yml': '- probe: "alt {{ a_int }}"\n',
  'roles/a/tasks/no_spec.yml': '- probe: no spec\n',
  'roles/a/meta/argument_specs.yml': [
    'argument_specs:',
    '  main:',
    '    short_description: Main entry point for role A.',
    '    options:',
    '      a_str: {type: str, required: true}',
    '  alternate:',
    '    options:',
    '      a_int: {type: int, required: true}',
    '  no_spec:',
    '    short_description: An entry point with no spec',
    '',
  ].join('\n'),
  // not read: meta/argument_specs.yml is there (Role._get_role_argspecs)
  'roles/a/meta/main.yml': 'argument_specs:\n  main:\n    options:\n      a_something: {type: str, required: true}\n',
};

test("a role with an argument spec starts with Ansible's validation task, ok in the recap; tasks_from picks the entry point", async () => {
  const o = await play({ playbook: '- hosts: all\n  vars: {INT_VALUE: 42}\n  roles: [{role: a, a_str: roles}]\n  tasks:\n    - import_role: {name: a, tasks_from: alternate}\n      vars: {a_int: "{{ INT_VALUE }}"}\n    - import_role: {name: a, tasks_from: no_spec}\n', files: A });
  assert.equal(o.problems, []);
  assert.equal(o.lines, [
    "a Validating arguments against arg spec 'main' - Main entry point for role A. ok",
    'a probe changed',
    "a Validating arguments against arg spec 'alternate' ok",
    'a probe changed',
    // an entry with no options is checked too (it is in the specs): nothing to fit
    "a Validating arguments against arg spec 'no_spec' - An entry point with no spec ok",
    'a probe changed',
  ]);
  assert.equal(calls, ['a:a roles', 'a:alt 42', 'a:no spec']);
  assert.equal(o.summary!.recap.a.ok, 6);
});

test('variables that do not fit the spec fail the host before the role runs, with the validator\'s errors', async () => {
  const files = {
    'roles/b/tasks/main.yml': '- probe: b\n',
    'roles/b/meta/argument_specs.yaml': 'argument_specs:\n  main:\n    short_description: Main entry point for role B.\n    options:\n      b_str: {type: str, required: true}\n      b_int: {type: int, required: true}\n      b_bool: {type: bool, required: true}\n',
  };
  const tasks = [
    '- block:',
    '    - include_role: {name: b}',
    '      vars: {b_bool: 7}',
    '  rescue:',
    '    - assert:',
    '        that:',
    '          - ansible_failed_task.name == "Validating arguments against arg spec \'main\' - Main entry point for role B."',
    '          - ansible_failed_result.argument_errors | length == 2',
    "          - \"'missing required arguments: b_int, b_str' in ansible_failed_result.argument_errors\"",
    "          - ansible_failed_result.argument_errors[1] is search(\"argument 'b_bool' is of type <class 'int'> and we were unable to convert to bool\")",
    "          - 'ansible_failed_result.msg is search(\"^Validation of arguments failed:\\nmissing required arguments: b_int, b_str\\n\")'",
    '          - ansible_failed_result.validate_args_context.argument_spec_name == "main"',
    '          - ansible_failed_result.validate_args_context.name == "b"',
    '          - ansible_failed_result.validate_args_context.type == "role"',
    "          - ansible_failed_result.validate_args_context.path is search('/roles/b$')",
    "          - 'ansible_failed_result.argument_spec_data == {\"b_str\": {\"type\": \"str\", \"required\": true}, \"b_int\": {\"type\": \"int\", \"required\": true}, \"b_bool\": {\"type\": \"bool\", \"required\": true}}'",
  ].join('\n');
  const o = await play({ playbook: playbook(tasks), files });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ["a Validating arguments against arg spec 'main' - Main entry point for role B. failed", 'a assert ok']);
  assert.equal(calls, []);
});

test("a role param the spec does not have is refused, as Ansible's validator refuses it; a play's role fails the run", async () => {
  const o = await play({ playbook: '- hosts: all\n  roles: [{role: a, invalid_str: roles}]\n', files: A });
  const failed = o.results[0];
  assert.equal(failed.status, 'failed');
  assert.equal((failed.result as { argument_errors?: unknown }).argument_errors, ['missing required arguments: a_str', 'invalid_str. Supported parameters include: a_str.']);
  assert.equal(calls, []);
});

test('rolespec_validate: false: no validation task, the role runs (and meets its undefined variable)', async () => {
  const o = await play({ playbook: playbook('- import_role: {name: a, rolespec_validate: false}\n  ignore_errors: true\n- include_role: {name: a, rolespec_validate: false}\n  vars: {a_str: x}'), files: A });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a probe failed', 'a probe changed']);
  assert.match(String((o.results[0].result as { msg?: unknown }).msg), /The task includes an option with an undefined variable/);
});

test("nested options, choices, elements and defaults are ansible-core's: the role's own variables are left as they are", async () => {
  const files = {
    'roles/t/defaults/main.yml': 'some_choices: choice1\n',
    'roles/t/tasks/main.yml': '- probe: "{{ opt | default(\'no default given\') }}"\n',
    'roles/t/meta/argument_specs.yml': [
      'argument_specs:',
      '  main:',
      '    options:',
      '      some_choices: {type: str, choices: [choice1, choice2]}',
      '      some_list: {type: list, elements: float}',
      '      opt: {type: str, default: from-spec}',
      '      multi:',
      '        type: dict',
      '        options:',
      '          second: {type: dict, options: {third: {type: int, required: true}}}',
      '',
    ].join('\n'),
  };
  const ok = await play({ playbook: playbook('- include_role: {name: t}\n  vars: {some_list: [1.5], multi: {second: {third: "{{ 5 }}"}}}'), files });
  assert.equal(ok.problems, []);
  assert.equal(calls, ['a:no default given']);
  const bad = await play({ playbook: playbook('- include_role: {name: t}\n  vars: {some_choices: choice4, multi: {second: {not_a_supported_suboption: true}}}'), files });
  assert.equal((bad.results[0].result as { argument_errors?: unknown }).argument_errors, [
    'value of some_choices must be one of: choice1, choice2, got: choice4',
    'missing required arguments: third found in multi -> second',
    'multi.second.not_a_supported_suboption. Supported parameters include: third.',
  ]);
});

test('an empty argument_specs.yml, or an empty argument_specs key, is no check', async () => {
  const files = { 'roles/e/tasks/main.yml': '- probe: e\n', 'roles/e/meta/argument_specs.yml': '---\n', 'roles/k/tasks/main.yml': '- probe: k\n', 'roles/k/meta/argument_specs.yml': 'argument_specs: {}\n' };
  const o = await play({ playbook: playbook('- import_role: {name: e}\n- import_role: {name: k}'), files });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a probe changed', 'a probe changed']);
});

test("meta/main.yml's argument_specs, and a role with no tasks that still fails", async () => {
  const files = { 'roles/n/meta/main.yml': 'argument_specs:\n  main:\n    options:\n      a_str: {type: str, required: true}\n' };
  // two plays: an import_role's vars are the whole play's (Ansible's roles are public), the first's check too
  const o = await play({ playbook: playbook('- import_role: {name: n}\n  ignore_errors: true') + playbook('- import_role: {name: n}\n  vars: {a_str: x}'), files });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ["a Validating arguments against arg spec 'main' failed", "a Validating arguments against arg spec 'main' ok"]);
});

test("the validation task is tagged always: it runs under --tags of another tag", async () => {
  const o = await play({ playbook: playbook('- import_role: {name: a}\n  vars: {a_str: t}\n  tags: [foo]'), files: A, opts: { tags: ['bar'] } });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ["a Validating arguments against arg spec 'main' - Main entry point for role A. ok"]);
});

test('the validate_argument_spec module itself, with provided_arguments over the variables', async () => {
  const o = await play({ playbook: playbook("- validate_argument_spec:\n    argument_spec: {port: {type: int, required: true}}\n    provided_arguments: {port: '80'}\n- validate_argument_spec:\n    argument_spec: {port: {type: int, required: true}}\n  vars: {port: eighty}\n  ignore_errors: true"), files: {} });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a validate_argument_spec ok', 'a validate_argument_spec failed']);
  assert.equal((o.results[0].result as { msg?: unknown }).msg, 'The arg spec validation passed');
  assert.match(String((o.results[1].result as { msg?: unknown }).msg), /^Validation of arguments failed:\nargument 'port' is of type <class 'ansible.parsing.yaml.objects.AnsibleUnicode'> and we were unable to convert to int/);
});

test("a collection's role next to the playbook (collections/ansible_collections/NS/COLL/roles/R) is found by its full name, and checked", async () => {
  const files = {
    'collections/ansible_collections/foo/bar/roles/blah/tasks/main.yml': '- probe: "blah {{ blah_str }}"\n',
    'collections/ansible_collections/foo/bar/roles/blah/meta/argument_specs.yml': 'argument_specs:\n  main:\n    options:\n      blah_str: {type: str, required: true, description: A string value}\n',
  };
  const o = await play({ playbook: playbook('- import_role: {name: foo.bar.blah}\n  vars: {blah_str: x}') + playbook('- import_role: {name: foo.bar.blah}\n  ignore_errors: true'), files });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ["a Validating arguments against arg spec 'main' ok", 'a probe changed', "a Validating arguments against arg spec 'main' failed", 'a probe failed']);
  const context = (o.results[2].result as { validate_args_context?: { name?: string; path?: string } }).validate_args_context;
  assert.is(context?.name, 'blah');
  assert.match(String(context?.path), /\/collections\/ansible_collections\/foo\/bar\/roles\/blah$/);
});

test("test_complex_role_fails.yml: a whole float (`some_int: 37.`) is a float to the validator, which no int option takes", async () => {
  const o = await play({ playbook: '- hosts: all\n  tasks:\n    - include_role: {name: a, tasks_from: alternate}\n      vars: {a_int: 37.}\n', files: A });
  assert.equal(o.problems, []);
  const failed = o.results.find((r) => r.status === 'failed');
  assert.equal((failed?.result as { argument_errors?: unknown } | undefined)?.argument_errors, ["argument 'a_int' is of type <class 'float'> and we were unable to convert to int: <class 'float'> cannot be converted to an int"]);
});

test.run();
