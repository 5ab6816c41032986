// include_role is a task of its own whatever its name (Ansible's IncludeRole), import_role's templated
// name is rendered when the playbook is read, and Ansible's `action:`/`local_action:` spellings: cases
// from the include_import and strategy_linear targets.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { calls, play, playbook } from './engine-harness.ts';
import { ansibleLines } from '../../src/report/ansible-lines.ts';

const role = { 'roles/r/tasks/main.yml': '- probe: r1\n- probe: r2\n', 'roles/r/tasks/other.yml': '- probe: other\n' };

test('include_role with a false when is skipped once, as a task, not task by task (strategy_linear target)', async () => {
  const o = await play({ playbook: playbook('- include_role: {name: r}\n  when: false\n- name: after\n  probe: after'), files: role });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a include_role : r skipped', 'a after changed']);
  assert.equal(calls, ['a:after']);
});

test('include_role renders tasks_from when a host reaches it (include_import target: tasks_from: "{{ tasks_file_name }}.yml")', async () => {
  const o = await play({ playbook: playbook('- include_role: {name: r, tasks_from: "{{ f }}.yml"}\n  vars: {f: other}'), files: role });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:other']);
});

test('include_role of a role that is not there fails the host that reaches it, not the load; ignore_errors does not cover it (Ansible\'s strategy)', async () => {
  const o = await play({ hosts: ['a', 'b'], playbook: playbook('- probe: before\n- include_role: {name: "{{ \'nowhere\' if inventory_hostname == \'a\' else \'r\' }}"}\n  ignore_errors: true\n- probe: after') , files: role });
  assert.equal(o.problems, []);
  assert.equal(calls.filter((c) => c.startsWith('a:')), ['a:before']);
  assert.equal(calls.filter((c) => c.startsWith('b:')), ['b:before', 'b:r1', 'b:r2', 'b:after']);
  assert.match(o.results.find((r) => r.host === 'a' && r.status === 'failed')?.msg ?? '', /the role 'nowhere' was not found/);
});

test('include_tasks whose when cannot be evaluated fails as a task: ignore_errors covers it (include_import undefined_var)', async () => {
  const o = await play({ playbook: playbook('- include_tasks: t.yml\n  ignore_errors: true\n  register: r\n  when: _undefined == "yes"\n- assert: {that: r is failed}'), files: { 't.yml': '- probe: t\n' } });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a include_tasks failed', 'a assert ok']);
});

test("import_role's templated name is rendered with play vars, import_playbook vars and extra vars", async () => {
  const files = { ...role, 'inner.yml': '- hosts: all\n  tasks:\n    - import_role: {name: "{{ role_name }}"}\n' };
  const o = await play({ playbook: '- import_playbook: inner.yml\n  vars: {role_name: r}\n', files });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:r1', 'a:r2']);
  const e = await play({ playbook: playbook('- import_role: {name: "{{ which }}"}'), files: role, opts: { extraVars: ['which=r'] } });
  assert.equal(e.problems, []);
  assert.equal(calls, ['a:r1', 'a:r2']);
  // a host's vars are not known when the playbook is read: refused by name, before the run
  const h = await play({ playbook: playbook('- import_role: {name: "{{ inventory_hostname }}"}'), files: role });
  assert.match(h.problems.join('\n'), /import_role: name "\{\{ inventory_hostname \}\}".*not a host's/);
});

test('import_playbook, import_tasks and import_role tasks_from with templates: rendered with extra vars and the import\'s or play\'s vars (include_import test_templated_filenames)', async () => {
  const files = { ...role, 'pb.yml': '- hosts: all\n  tasks: [{probe: pb}]\n', 'inc.yml': '- probe: inc\n' };
  const o = await play({
    playbook: `- import_playbook: "{{ pb }}"\n- import_playbook: "{{ v }}"\n  vars: {v: pb.yml}\n- hosts: all\n  vars: {pv: other.yml}\n  tasks:\n    - import_tasks: "{{ t }}"\n      vars: {t: inc.yml}\n    - import_role: {name: r, tasks_from: "{{ pv }}"}\n`,
    files,
    opts: { extraVars: ['pb=pb.yml'] },
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:pb', 'a:pb', 'a:inc', 'a:other']);
});

test('action: and local_action: are the module with its arguments (free form or module:)', async () => {
  const o = await play({ playbook: playbook('- action: probe id=x\n- action: {module: probe, id: y}\n- local_action: probe id=z') });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:x', 'a:y', 'localhost:z']);
});

test("action: with a templated module is resolved for each host when it runs (strategy_linear task_action_templating); a name that is no module fails then", async () => {
  const o = await play({ hosts: ['a', 'b'], playbook: playbook("- set_fact: {m: \"{{ 'probe' if inventory_hostname == 'a' else 'ansible.builtin.ping' }}\"}\n- action: {module: '{{ m }}', id: x}\n  register: out\n  ignore_errors: true\n- action: {module: '{{ entire_task }}'}\n  tags: [never]") });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:x']);
  // b: ping has no id parameter: its schema says so when the task runs there
  assert.equal(o.lines.filter((l) => l.includes('{{ m }}')).sort(), ['a {{ m }} changed', 'b {{ m }} failed']);
});

test('include_role tasks_from omitted ({{ omit }}) is main.yml (include_import include_role_omit)', async () => {
  const o = await play({ playbook: playbook("- include_role: {name: r, tasks_from: '{{ omit }}'}"), files: role });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:r1', 'a:r2']);
});

test('any_errors_fatal: an include_role that fails on one host stops the others before their next task (any_errors_fatal 50897.yml)', async () => {
  const o = await play({ hosts: ['a', 'b'], playbook: `- hosts: all\n  any_errors_fatal: yes\n  tasks:\n    - include_role: {name: nowhere}\n      when: inventory_hostname == 'b'\n    - probe: never\n` });
  assert.equal(o.problems, []);
  assert.equal(calls, []);
});

test("an include whose loop is undefined and whose when is false is skipped, not failed (include_import test_include_loop)", async () => {
  const o = await play({ playbook: playbook("- include_tasks: t.yml\n  loop: '{{ nowhere_defined }}'\n  when: false\n  register: r\n- assert: {that: [r is skipped, r.results is undefined]}"), files: { 't.yml': '- probe: t\n' } });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a include_tasks skipped', 'a assert ok']);
});

test('include_role shows its own banner when it runs, without a role in it, as Ansible\'s (prometheus-community: TASK [Common preflight] inside node_exporter); an include\'s templated name is rendered', async () => {
  const o = await play({ playbook: playbook('- import_role: {name: outer}'), files: { ...role, 'roles/outer/tasks/main.yml': '- name: Common preflight\n  include_role: {name: r, tasks_from: other.yml}\n- name: Skipped\n  include_role: {name: r}\n  when: false\n- name: "{{ how | capitalize }} it"\n  include_tasks: t.yml\n  vars: {how: install}\n  when: false\n' } });
  assert.equal(o.problems, []);
  const out: string[] = [];
  const lines = ansibleLines({ verbosity: 0, diff: false, out: (l) => void out.push(l) });
  for (const e of o.events) if (e.kind === 'result' || e.kind === 'display') lines(e);
  const banners = out.join('\n').split('\n').filter((l) => /^(TASK|skipping|changed)/.test(l)).map((l) => l.replace(/ \*+$/, ''));
  // an include's templated name is rendered for its banner, as a task's (nginxinc.nginx: "{{ nginx_setup | capitalize }} NGINX Open Source")
  assert.equal(banners, ['TASK [Common preflight]', 'TASK [r : probe]', 'changed: [a]', 'TASK [Skipped]', 'skipping: [a]', 'TASK [outer : Install it]', 'skipping: [a]']);
});

test.run();
