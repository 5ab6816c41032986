// Plays, includes and roles as Ansible 2.14 reads and runs them, each case taken from the Ansible
// integration target that found skiff doing otherwise (hosts_field, order, import_tasks, includes,
// include_when_parent_is_dynamic, roles, tasks, special_vars_hosts, var_reserved).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { calls, opened, play, playbook } from './engine-harness.ts';

const warnings = (o: Awaited<ReturnType<typeof play>>) => o.events.flatMap((e) => (e.kind === 'note' && e.warning ? [e.text] : []));

test('hosts_field: a templated hosts: is rendered with the extra vars as the play starts (a string, or a list of patterns)', async () => {
  const pb = (hosts: string) => `- hosts: ${hosts}\n  gather_facts: false\n  tasks:\n    - probe: "Running on {{ inventory_hostname }}"\n`;
  const kv = await play({ hosts: ['42', 'b'], playbook: pb('"{{ target_kv }}"'), opts: { extraVars: ['target_kv=42'] } });
  assert.equal(kv.problems, []);
  assert.equal(calls, ['42:Running on 42']);
  assert.equal(kv.events[0], { kind: 'play', name: '42', hosts: ['42'] }, 'an unnamed play is named by its hosts as rendered');
  await play({ hosts: ['42', 'b', 'c'], playbook: pb('"{{ target_json_cli_list }}"'), opts: { extraVars: ['{"target_json_cli_list": ["42", "c"]}'] } });
  assert.equal(calls, ['42:Running on 42', 'c:Running on c']);
  await play({ hosts: ['42', 'b'], playbook: `- hosts: "{{ mine }}"\n  vars: {mine: b}\n  tasks: [{probe: x}]\n` });
  assert.equal(calls, ['b:x'], "the play's own vars too");
  const num = await play({ hosts: ['42'], playbook: pb('"{{ n }}"'), opts: { extraVars: ['{"n": 42}'] } });
  assert.match(num.problems.join('\n'), /the field 'hosts' should be a list of strings, but the item 42 is not one/);
});

test('order: a templated order is rendered as the play starts; one that is no order is refused in Ansible\'s words', async () => {
  const pb = `- hosts: all\n  order: "{{ myorder | default('inventory') }}"\n  tasks: [{probe: x}]\n`;
  await play({ hosts: ['hostB', 'hostA', 'hostC'], playbook: pb, opts: { forks: 1 } });
  assert.equal(calls, ['hostB:x', 'hostA:x', 'hostC:x']);
  await play({ hosts: ['hostB', 'hostA', 'hostC'], playbook: pb, opts: { forks: 1, extraVars: ['myorder=reverse_sorted'] } });
  assert.equal(calls, ['hostC:x', 'hostB:x', 'hostA:x']);
  const bad = await play({ playbook: pb, opts: { extraVars: ['myorder=upside_down'] } });
  assert.match(bad.problems.join('\n'), /Invalid 'order' specified for inventory hosts: upside_down/);
});

test("import_tasks: notify on the import is each imported task's; include_tasks takes it under apply:", async () => {
  const files = { 'tasks/trigger_change.yml': '- probe: changed\n' };
  const handlers = '  handlers:\n    - name: hello\n      probe: handled\n';
  await play({ files, playbook: `- hosts: all\n  pre_tasks:\n    - import_tasks: tasks/trigger_change.yml\n      notify: hello\n${handlers}` });
  assert.equal(calls, ['a:changed', 'a:handled']);
  await play({ files, playbook: `- hosts: all\n  pre_tasks:\n    - include_tasks:\n        file: tasks/trigger_change.yml\n        apply:\n          notify: hello\n${handlers}` });
  assert.equal(calls, ['a:changed', 'a:handled']);
  const bad = await play({ files, playbook: `- hosts: all\n  tasks:\n    - include_tasks: tasks/trigger_change.yml\n      notify: hello\n${handlers}` });
  assert.match(bad.problems.join('\n'), /'notify' is not a valid attribute for a TaskInclude/);
});

test("includes: the old `include: file a=1 b=2` gives its k=v words to the file's tasks as vars (text), under set_fact", async () => {
  const files = { 'included_task1.yml': '- probe: {id: "a={{ a }} {{ a is string }} b={{ b }}"}\n' };
  await play({ files, playbook: playbook('- include: included_task1.yml a=1 b=2\n- set_fact: {a: 101}\n- include: included_task1.yml a={{a}} b=102') });
  assert.equal(calls, ['a:a=1 True b=2', 'a:a=101 False b=102']);
  const bad = await play({ files, playbook: playbook('- include_tasks: included_task1.yml a=1') });
  assert.match(bad.problems.join('\n'), /Invalid options for include_tasks: a/);
});

test('include_when_parent_is_dynamic: an old include in a file include_tasks brought is dynamic: a file it never reaches is not read', async () => {
  const files = {
    'tasks.yml': '- probe: before\n- fail: {msg: stop here}\n- include: syntax_error.yml\n',
    'syntax_error.yml': 'intentional syntax error which should NOT be encountered\n',
  };
  const o = await play({ files, playbook: playbook('- include_tasks: tasks.yml') });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:before']);
  assert.match(String(o.results.at(-1)!.msg), /stop here/);
  const stat = await play({ files, playbook: playbook('- import_tasks: tasks.yml') });
  assert.match(stat.problems.join('\n'), /syntax_error\.yml.*intentional syntax error/, 'under an import it is static: read with the playbook');
});

test("includes: a key no play takes is refused in Ansible's words (include_on_playbook_should_fail)", async () => {
  const o = await play({ playbook: '- include: other.yml\n' });
  assert.match(o.problems.join('\n'), /ERROR! 'include' is not a valid attribute for a Play/);
});

test("roles: defaults/main/ as a directory: its files merged in name order (data_integrity); a tasks_from outside the role is refused (no_outside)", async () => {
  const files = {
    'roles/data/defaults/main/00.yml': 'defined_var: 1\nover: first\n',
    'roles/data/defaults/main/01.yml': '',
    'roles/data/defaults/main/02.yml': 'over: second\n',
    'roles/data/tasks/main.yml': '- probe: "{{ defined_var }} {{ over }}"\n',
    'roles/a/tasks/main.yml': '- probe: a\n',
    'tasks/dummy.yml': '- probe: dummy\n',
  };
  await play({ files, playbook: '- hosts: all\n  roles: [data]\n' });
  assert.equal(calls, ['a:1 second']);
  const o = await play({ files, playbook: playbook('- include_role: {name: a, tasks_from: "{{ playbook_dir }}/tasks/dummy.yml"}') });
  assert.equal(calls, []);
  assert.match(String(o.results[0].msg), /Failed loading '.*\/tasks\/dummy\.yml' for role \(a\) as it is not inside the expected role path: '.*\/roles\/a\/tasks'/);
});

test("tasks: a module's words with a template are parameters from a variable: a map is the parameters, else the task fails (malformed)", async () => {
  const o = await play({ playbook: playbook('- debug: garbage {{"with a template"}}\n  ignore_errors: true\n  register: bad\n- probe: {id: "{{ bad is failed }} {{ bad.msg }}"}\n- debug: "{{ params }}"\n  vars: {params: {msg: from a var}}\n  register: good\n- probe: {id: "{{ good.msg }}"}') });
  assert.equal(calls, ["a:True invalid or malformed argument: 'garbage with a template'", 'a:from a var']);
});

test('special_vars_hosts: a host unreachable on two tasks counts unreachable=2 in the recap (clear_host_errors brings it back)', async () => {
  const o = await play({ hosts: ['up', 'down1'], playbook: '- hosts: all\n  tasks:\n    - probe: x\n    - meta: clear_host_errors\n- hosts: all\n  tasks:\n    - probe: y\n' });
  assert.equal(o.summary!.recap.down1.unreachable, 2);
  assert.equal(calls, ['up:x', 'up:y']);
});

test('var_reserved: a play variable with a reserved name is warned of as the play starts', async () => {
  const o = await play({ playbook: '- hosts: all\n  vars:\n    lipsum: jinja2 uses me internally\n  tasks: [{probe: x}]\n', opts: { extraVars: ['when=1'] } });
  assert.equal(warnings(o).sort(), ['Found variable using reserved name: lipsum', 'Found variable using reserved name: when']);
  const clean = await play({ playbook: '- hosts: all\n  vars: {x: 1}\n  tasks: [{probe: x}]\n' });
  assert.equal(warnings(clean), []);
});

test('includes_loop_rescue: an included file or role that cannot be read is counted failed in the recap even where a rescue handles it (as Ansible\'s strategy counts it)', async () => {
  const o = await play({ playbook: playbook('- block:\n    - include_tasks: "{{ item }}"\n      loop: [a, b]\n  rescue:\n    - probe: rescued\n- block:\n    - include_role: {name: "{{ item }}"}\n      loop: [a]\n  rescue:\n    - probe: rescued again') });
  assert.equal(calls, ['a:rescued', 'a:rescued again']);
  assert.equal([o.summary!.recap.a.failed, o.summary!.recap.a.rescued], [2, 0]);
  assert.equal(o.summary!.failed, [], 'the host is not failed: the run ends ok');
});

test('playbook target: play structure errors in Ansible\'s words; null tasks, roles, vars_files and vars_prompt are none', async () => {
  const refused = async (pb: string) => (await play({ playbook: pb })).problems.join('\n');
  assert.match(await refused('[]\n'), /ERROR! A playbook must contain at least one play/);
  assert.match(await refused('- hosts: []\n  tasks: [{probe: x}]\n'), /ERROR! Hosts list cannot be empty\. Please check your playbook/);
  assert.match(await refused('- hosts: all\n  tasks: 123\n'), /ERROR! A malformed block was encountered while loading tasks: 123 should be a list or None but is <class 'int'>/);
  assert.match(await refused('- hosts: all\n  pre_tasks: 123\n'), /ERROR! A malformed block was encountered while loading pre_tasks/);
  assert.match(await refused('- hosts: all\n  roles: 123\n'), /ERROR! A malformed role declaration was encountered\./);
  assert.match(await refused('- hosts: all\n  roles: ["foo,bar"]\n'), /ERROR! Invalid old style role requirement: foo,bar/);
  assert.match(await refused('- hosts: all\n  vars_prompt:\n    - foo: bar\n'), /ERROR! Invalid vars_prompt data structure, missing 'name' key/);
  assert.match(await refused('- hosts: all\n  vars_prompt:\n    - {name: input, when: foo is defined}\n'), /ERROR! Invalid vars_prompt data structure, found unsupported key 'when'/);
  assert.match(await refused('- hosts: all\n  remote_user: a\n  user: b\n  tasks: [{probe: x}]\n'), /ERROR! both 'user' and 'remote_user' are set for this play/);
  const nulls = await play({ playbook: '- hosts: all\n  roles: null\n  vars_files: null\n  vars_prompt: null\n  pre_tasks: null\n  tasks: [{probe: x}]\n' });
  assert.equal(nulls.problems, []);
  assert.equal(calls, ['a:x']);
  // `user` is remote_user by its old name: over a local connection it plays no part, the play runs
  const user = await play({ playbook: '- hosts: all\n  user: deploy\n  tasks: [{probe: "{{ ansible_user | default(\'none\') }}"}]\n' });
  assert.equal(user.problems, []);
});

test('vars_prompt: asked on the terminal before the run (prompt, default, confirm until both match, -e wins); no terminal: the default (or "None")', async () => {
  const asked: string[] = [];
  const answers = ['', 'one', 'two', 'same', 'same', '{{ whole }}'];
  const io = { interactive: true, ask: (m: string, secret: boolean) => (asked.push(`${m}${secret ? ' (hidden)' : ''}`), answers.shift() ?? ''), say: (l: string) => asked.push(l) };
  const pb = `- hosts: all
  vars: {p: from a variable, whole: INVALID}
  vars_prompt:
    - {name: d, prompt: "{{ p }}", default: dflt, private: no}
    - {name: c, confirm: yes}
    - {name: u, unsafe: true}
    - {name: given}
  tasks:
    - probe: "{{ d }} {{ c }} {{ u }} {{ given }}"
`;
  const o = await play({ playbook: pb, opts: { promptIO: io, extraVars: ['given=cli'] } });
  assert.equal(o.problems, []);
  assert.equal(asked, ['from a variable [dflt]: ', 'c:  (hidden)', 'confirm c:  (hidden)', '***** VALUES ENTERED DO NOT MATCH ****', 'c:  (hidden)', 'confirm c:  (hidden)', 'u:  (hidden)']);
  assert.equal(calls, ['a:dflt same {{ whole }} cli']);
  const quiet = await play({ playbook: pb, opts: { promptIO: { interactive: false, ask: () => 'typed', say: () => undefined } } });
  assert.equal(calls, ['a:dflt None None None']);
  assert.equal(quiet.problems, []);
});

test('-b and --become-user: the become of every play that says none (a play\'s own become: false stays), as Ansible\'s keyword defaults to the CLI\'s', async () => {
  await play({ playbook: '- hosts: all\n  tasks: [{probe: x}]\n- hosts: all\n  become: false\n  tasks: [{probe: y}]\n', opts: { become: true, becomeUser: 'postgres' } });
  assert.ok(opened.includes('a true postgres'), opened.join());
  assert.ok(opened.includes('a false postgres') || opened.includes('a false -'), opened.join());
  assert.not.ok(opened.includes('a true -'), opened.join());
});

test('a task\'s name is templated for its banner as the task starts (its own register not yet in it); one that cannot be stays as written (retry_task_name_in_callback)', async () => {
  const o = await play({ playbook: playbook('- {name: "first {{ foo }}", shell: echo one, register: r}\n- {name: "{{ r.stdout }}", shell: echo two, register: r}\n- {name: "{{ r.stdout }} {{ item }}", probe: x, loop: [1]}\n- {name: "{{ nope }}", probe: y}', '  vars: {foo: blippy}\n') });
  assert.equal(o.problems, []);
  assert.equal(o.results.map((r) => r.title ?? r.task), ['first blippy', 'one', '{{ r.stdout }} {{ item }}', '{{ nope }}']);
});

test.run();
