// Ansible's variable precedence through the real engine, from the var_precedence target: its checker
// (ansible-var-precedence-check.py) writes every source of `findme` it knows, asserts the first wins,
// drops it and runs again; and its playbook's roles (dependencies, role params, vars/ of each).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { calls, play } from './engine-harness.ts';

/** The checker's playbook-side features, in its order (its inventory ones: inventory.test.ts). */
const FEATURES = ['extra_vars', 'include_params', 'set_fact', 'include_vars', 'task_vars', 'block_vars', 'role_var', 'vars_file', 'play_var', 'ini_host', 'role_parent_default', 'role_default'];

/** The checker's VarTestMaker.build(), with a probe for its debug and assert. */
function checkerCase(features: string[]) {
  const has = (f: string) => features.includes(f);
  const files: Record<string, string> = {};
  const roles: string[] = [];
  const tasks: string[] = [];
  if (has('set_fact')) tasks.push('- set_fact: findme="set_fact"');
  if (has('vars_file')) files['varsfile.yml'] = 'findme: vars_file\n';
  if (has('include_vars')) {
    tasks.push('- include_vars: included_vars.yml');
    files['included_vars.yml'] = 'findme: include_vars\n';
  }
  if (has('role_var')) {
    files['roles/role_var/vars/main.yml'] = 'findme: role_var\n';
    files['roles/role_var/tasks/main.yml'] = '[]\n';
    roles.push('{role: role_var}');
  }
  if (has('role_parent_default') || has('role_default')) {
    files['roles/role_default/defaults/main.yml'] = 'findme: role_default\n';
    files['roles/role_default/tasks/main.yml'] = '[]\n';
    roles.push('{role: role_default}');
  }
  if (has('role_parent_default')) {
    files['roles/role_parent_default/defaults/main.yml'] = 'findme: role_parent_default\n';
    files['roles/role_parent_default/meta/main.yml'] = 'dependencies:\n- {role: role_default}\n';
    files['roles/role_parent_default/tasks/main.yml'] = '[]\n';
    roles.push('{role: role_parent_default}');
  }
  const probe = `probe: {id: "{{ findme }}"}${has('task_vars') ? '\n  vars: {findme: task_vars}' : ''}`;
  files['included_tasks.yml'] = has('block_vars') ? `- block:\n  - ${probe.replace('\n', '\n  ')}\n  vars: {findme: block_vars}\n` : `- ${probe}\n`;
  tasks.push(has('include_params') ? '- name: including tasks\n  include: included_tasks.yml\n  vars: {findme: include_params}' : '- include: included_tasks.yml');
  const playbook = [
    '- hosts: all',
    '  gather_facts: false',
    ...(has('play_var') ? ['  vars: {findme: play_var}'] : []),
    ...(has('vars_file') ? ['  vars_files: [varsfile.yml]'] : []),
    ...(roles.length ? [`  roles: [${roles.join(', ')}]`] : []),
    '  tasks:',
    ...tasks.map((t) => t.replace(/^/gm, '    ')),
  ].join('\n');
  const hosts = `all:\n  hosts:\n    a: {connection: local${has('ini_host') ? ', findme: ini_host' : ''}}\n`;
  return { playbook: playbook + '\n', hosts, files, opts: has('extra_vars') ? { extraVars: ['findme=extra_vars'] } : {} };
}

test('var_precedence checker: each source of a variable wins over every one after it (extra vars, include params, set_fact, include_vars, task, block, role vars, vars_files, play, inventory, role defaults)', async () => {
  const seen: string[] = [];
  for (let i = 0; i < FEATURES.length; i++) {
    const o = await play(checkerCase(FEATURES.slice(i)));
    assert.equal(o.problems, [], FEATURES[i]);
    seen.push(calls.join(' '));
  }
  assert.equal(seen, FEATURES.map((f) => `a:${f}`));
});

test("role params over set_fact; a role entry's vars: under its vars/main.yml, public to the play's tasks, its params not; include params over include_vars (as ansible-core 2.14 prints them)", async () => {
  const o = await play({
    playbook: `- hosts: all
  vars: {c: play_c}
  roles:
    - role: r
      p: param
      vars: {a: entry_a, b: entry_b, c: entry_c}
  tasks:
    - probe: {id: "play task a={{ a }} b={{ b }} p={{ p }} c={{ c }}"}
    - include_tasks: inc.yml
      vars: {c: include_c}
`,
    files: {
      'roles/r/vars/main.yml': 'a: from_vars_main\n',
      'roles/r/tasks/main.yml': `- probe: {id: "in role a={{ a }} b={{ b }} p={{ p }} c={{ c | default('undef') }}"}
- set_fact: p=set_fact_p
- include_vars: iv.yml
- probe: {id: "after set_fact p={{ p }} c={{ c }}"}
`,
      'roles/r/vars/iv.yml': 'c: include_vars_c\n',
      'inc.yml': '- probe: {id: "included c={{ c }}"}\n',
    },
  });
  assert.equal(o.problems, []);
  assert.equal(calls, [
    'a:in role a=from_vars_main b=entry_b p=param c=entry_c',
    'a:after set_fact p=param c=include_vars_c',
    'a:play task a=from_vars_main b=entry_b p=set_fact_p c=include_vars_c',
    'a:included c=include_c',
  ]);
});

/** Every file under the target's roles/, as the harness's files. */
function targetRoles(): Record<string, string> {
  const root = join(import.meta.dirname, '..', 'conformance', 'ansible-2.14.17', 'targets', 'var_precedence');
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const f of readdirSync(join(root, rel))) {
      const r = join(rel, f);
      if (statSync(join(root, r)).isDirectory()) walk(r);
      else out[r] = readFileSync(join(root, r), 'utf8');
    }
  };
  walk('roles');
  out['vars/test_var_precedence.yml'] = readFileSync(join(root, 'vars', 'test_var_precedence.yml'), 'utf8');
  return out;
}

test("var_precedence's playbook: dependencies see the vars/ and params of the roles that brought them in, the play sees the last role's vars", async () => {
  const o = await play({
    playbook: `- hosts: all
  vars:
    - vars_var: "vars_var"
    - param_var: "BAD!"
    - vars_files_var: "BAD!"
  vars_files:
    - vars/test_var_precedence.yml
  roles:
    - { role: test_var_precedence, param_var: "param_var" }
  tasks:
    - probe: {id: "{{ vars_files_var_role }} {{ param_var }}"}
`,
    hosts: 'all:\n  hosts:\n    a: {connection: local, defaults_file_var_role3: "overridden from inventory"}\n',
    files: targetRoles(),
    opts: { extraVars: ['extra_var=extra_var'] },
  });
  assert.equal(o.problems, []);
  // every role's assert passed (each role's own vars_files_var_role and param_var)
  assert.equal(o.lines.filter((l) => !l.endsWith(' ok') && !l.endsWith(' changed')), []);
  assert.equal(o.lines.filter((l) => l.includes('assert')).length, 5);
  assert.equal(calls, ['a:vars_files_var_role3 BAD!']);
});

test.run();
