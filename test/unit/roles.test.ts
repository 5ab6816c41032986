// Task files and roles as Ansible reads them, through the real engine on local hosts: which tasks run
// in which order, which variable wins, which handler runs, which file a role's copy finds, and the
// problems (file:line:col) when a file, a role or a cycle is wrong.
import { existsSync, readFileSync } from 'node:fs';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { calls, play, playbook } from './engine-harness.ts';

test('import_tasks / include_tasks (and ansible.builtin.): the file\'s tasks run in place, nested files relative to their includer', async () => {
  const o = await play({
    playbook: playbook(`- probe: before\n- import_tasks: sub/a.yml\n- ansible.builtin.include_tasks: {file: sub/a.yml}\n- probe: after`),
    files: { 'sub/a.yml': '- probe: a1\n- include_tasks: b.yml\n', 'sub/b.yml': '- name: b1\n  probe: b1\n' },
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:before', 'a:a1', 'a:b1', 'a:a1', 'a:b1', 'a:after']);
  assert.ok(o.lines.includes('a b1 changed'));
});

test('include_tasks with loop: the file runs once per item (nested loops see both items); a registered list is read at run time', async () => {
  const o = await play({
    playbook: playbook(`- {probe: {id: reg, out: [x, y]}, register: r}\n- include_tasks: outer.yml\n  loop: "{{ r.out }}"\n  loop_control: {loop_var: o, index_var: n}\n  when: o != 'z'`),
    files: { 'outer.yml': '- probe: "{{ o }}{{ n }}"\n- include_tasks: inner.yml\n  loop: [1, 2]\n', 'inner.yml': '- probe: "{{ o }}-{{ item }}"\n' },
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:reg', 'a:x0', 'a:x-1', 'a:x-2', 'a:y1', 'a:y-1', 'a:y-2']);
  const bad = await play({ playbook: playbook(`- {probe: {id: reg, out: 5}, register: r}\n- include_tasks: t.yml\n  loop: "{{ r.out }}"\n- probe: after`), files: { 't.yml': '- probe: t\n' } });
  assert.equal(bad.lines, ['a probe changed', 'a include_tasks failed']);
  assert.match(bad.results[1].msg!, 'loop: got "5", expected a list');
});

test('an included file\'s problem is reported at its own file:line:col; a missing file and a cycle at the include', async () => {
  const bad = await play({ playbook: playbook(`- import_tasks: t.yml`), files: { 't.yml': '- probe: ok\n- probe: {id: x, nope: 1}\n' } });
  assert.match(bad.problems.join('\n'), /t\.yml:2:\d+: unknown parameter "nope"/);
  // include_tasks is dynamic: a missing file fails the host when it gets there (Ansible's message)
  const missing = await play({ playbook: playbook(`- include_tasks: gone.yml\n- probe: after`) });
  assert.equal(missing.problems, []);
  assert.equal(missing.lines, ['a include_tasks failed']);
  assert.match(missing.results[0].msg!, /^Could not find or access '.*\/gone\.yml' on the Ansible Controller\.$/);
  const cycle = await play({ playbook: playbook(`- import_tasks: x.yml`), files: { 'x.yml': '- import_tasks: y.yml\n', 'y.yml': '- import_tasks: x.yml\n' } });
  assert.match(cycle.problems.join('\n'), /y\.yml:1:\d+: import_tasks "x.yml" includes itself \(.*x\.yml -> .*y\.yml -> .*x\.yml\)/);
  // a dynamic include of itself is Ansible's recursion: ended by a when, or failing once too deep
  const deep = await play({ playbook: playbook(`- include_tasks: x.yml`), files: { 'x.yml': '- include_tasks: y.yml\n', 'y.yml': '- import_tasks: x.yml\n' } });
  assert.equal(deep.problems, []);
  assert.match(deep.results.at(-1)!.msg!, /includes nest more than 50 deep/);
  // a templated import is rendered with the vars known when the playbook is read (play vars here); a host's are not
  const templated = await play({ playbook: playbook(`- import_tasks: "{{ os }}.yml"`, '  vars: {os: debian}\n'), files: { 'debian.yml': '- probe: deb\n' } });
  assert.equal(templated.problems, []);
  assert.equal(calls, ['a:deb']);
  const hostVar = await play({ playbook: playbook(`- import_tasks: "{{ inventory_hostname }}.yml"`) });
  assert.match(hostVar.problems.join('\n'), /read with the playbook: it may use play, block and extra vars, not a host's/);
  const looped = await play({ playbook: playbook(`- import_tasks: x.yml\n  loop: [1, 2]`), files: { 'x.yml': '- probe: x\n' } });
  assert.match(looped.problems.join('\n'), /:4:\d+: You cannot use loops on 'import_tasks' statements\. You should use 'include_tasks' instead\./);
  const notList = await play({ playbook: playbook(`- include_tasks: x.yml\n  loop: "{{ 3 }}"`), files: { 'x.yml': '- probe: x\n' } });
  assert.match(notList.problems.join('\n'), /:4:\d+: loop: got "3", expected a list/);
});

const ROLE = {
  'roles/web/tasks/main.yml': '- {name: w1, probe: {id: "w1-{{ who }}"}, notify: restart web}\n- import_tasks: more.yml\n',
  'roles/web/tasks/more.yml': '- {name: w2, probe: {id: "w2-{{ port }}"}}\n',
  'roles/web/tasks/other.yml': '- {name: o1, probe: {id: o1}}\n',
  'roles/web/handlers/main.yml': '- {name: restart web, probe: {id: "h-{{ who }}"}}\n',
  'roles/web/defaults/main.yml': 'who: default\nport: 80\n',
  'roles/web/meta/main.yml': 'dependencies:\n  - base\n',
  'roles/base/tasks/main.yml': '- {name: base, probe: base}\n',
};

test('roles: pre_tasks, then each role (its dependencies first, once), then tasks, post_tasks; a role\'s handler runs when its task notifies', async () => {
  const o = await play({
    playbook: `- hosts: all\n  pre_tasks:\n    - probe: pre\n  roles:\n    - base\n    - web\n    - {role: web}\n  tasks:\n    - probe: task\n  post_tasks:\n    - probe: post\n`,
    files: ROLE,
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:pre', 'a:base', 'a:w1-default', 'a:w2-80', 'a:task', 'a:h-default', 'a:post']);
});

test('import_role / include_role: name, tasks_from, vars; the role runs each time it is imported', async () => {
  const o = await play({
    playbook: playbook(`- import_role: {name: web}\n  vars: {who: mine}\n- ansible.builtin.include_role: {name: web, tasks_from: other}\n- include_role: {name: web, tasks_from: other.yml}`),
    files: ROLE,
  });
  assert.equal(o.problems, []);
  // the handler sees import_role's vars too, as ansible-core 2.14 runs it (its handlers' parent is the import)
  assert.equal(calls, ['a:base', 'a:w1-mine', 'a:w2-80', 'a:o1', 'a:o1', 'a:h-mine']);
});

test('variable precedence, as Ansible: role defaults < inventory < play vars < role vars < task vars < extra vars', async () => {
  const files = {
    'roles/p/defaults/main.yml': 'd: defaults\ni: defaults\npl: defaults\nr: defaults\nt: defaults\ne: defaults\nchain: "{{ d }}+{{ i }}"\n',
    'roles/p/vars/main.yml': 'r: role\nt: role\ne: role\n',
    'roles/p/tasks/main.yml': '- probe: {id: "{{ d }} {{ i }} {{ pl }} {{ r }} {{ t }} {{ e }} {{ chain }}"}\n  vars: {t: task, e: task}\n',
  };
  const o = await play({
    playbook: `- hosts: all\n  vars: {pl: play, r: play, t: play, e: play}\n  roles: [p]\n`,
    hosts: 'all:\n  hosts:\n    a: {connection: local, i: inventory, pl: inventory, r: inventory, t: inventory, e: inventory}\n',
    files,
    opts: { extraVars: ['e=extra'] },
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:defaults inventory play role task extra defaults+inventory']);
});

test("a play's roles lend their defaults and vars to the play's other tasks (Ansible's public roles); include_role's stay its own", async () => {
  const files = {
    'roles/p/defaults/main.yml': 'pd: p-default\nshared: p\n',
    'roles/p/vars/main.yml': 'pv: p-var\n',
    'roles/p/tasks/main.yml': '- probe: {id: "in p {{ shared }}"}\n',
    'roles/q/defaults/main.yml': 'qd: q-default\nshared: q\n',
    'roles/q/tasks/main.yml': '- probe: {id: "in q {{ shared }}"}\n',
    'roles/r/defaults/main.yml': 'rd: r-default\n',
    'roles/r/tasks/main.yml': '- probe: {id: "in r {{ rd }}"}\n',
  };
  const o = await play({
    playbook: `- hosts: all\n  vars: {pv: play}\n  roles: [p]\n  tasks:\n    - probe: {id: "play {{ pd }} {{ pv }} {{ shared }}"}\n    - import_role: {name: q}\n    - probe: {id: "after {{ qd }} {{ shared }}"}\n    - include_role: {name: r}\n`,
    hosts: 'all:\n  hosts:\n    a: {connection: local}\n',
    files,
  });
  assert.equal(o.problems, []);
  // role vars over play vars, as Ansible; the later role's default wins outside the roles, each role sees its own
  assert.equal(calls, ['a:in p p', 'a:play p-default p-var q', 'a:in q q', 'a:after q-default q', 'a:in r r-default']);
  const after = await play({ playbook: `- hosts: all\n  tasks:\n    - include_role: {name: r}\n    - probe: {id: "{{ rd }}"}\n`, hosts: 'all:\n  hosts:\n    a: {connection: local}\n', files });
  assert.equal(after.lines, ['a probe changed', 'a probe failed']);
  assert.match(after.results[1].msg!, /The error was: 'rd' is undefined/);
  const bad = await play({ playbook: `- hosts: all\n  tasks:\n    - include_role: {name: r}\n    - probe: {id: "{{ rd }}"}\n`, hosts: 'all:\n  hosts:\n    a: {connection: local}\n', files, opts: { strict: true } });
  assert.match(bad.problems.join('\n'), /unknown variable "rd"/);
});

test('a role listed twice with other vars runs twice (Ansible\'s once is per role and parameters); a role\'s template finds templates/', async () => {
  const dest = join(mkdtempSync(join(tmpdir(), 'skiff-role-template-')), 'out.conf');
  const o = await play({
    playbook: `- hosts: all\n  roles:\n    - {role: t, vars: {n: 1}}\n    - {role: t, vars: {n: 2}}\n    - {role: t, vars: {n: 2}}\n`,
    files: { 'roles/t/tasks/main.yml': `- probe: "t{{ n }}"\n- ansible.builtin.template: {src: app.conf.j2, dest: ${dest}}\n`, 'roles/t/templates/app.conf.j2': 'port={{ port }} n={{ n }}\n', 'roles/t/defaults/main.yml': 'port: 9100\n' },
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:t1', 'a:t2']);
  assert.is(readFileSync(dest, 'utf8'), 'port=9100 n=2\n');
});

test('a role\'s copy finds src in the role\'s files/; roles_path is searched after roles/', async () => {
  const dest = join(mkdtempSync(join(tmpdir(), 'skiff-role-copy-')), 'out.txt');
  const o = await play({
    playbook: `- hosts: all\n  roles: [shipper]\n`,
    files: { 'elsewhere/shipper/tasks/main.yml': `- ansible.builtin.copy: {src: hello.txt, dest: ${dest}}\n`, 'elsewhere/shipper/files/hello.txt': 'from the role\n' },
    opts: { rolesPath: [] },
  });
  assert.match(o.problems.join('\n'), /role "shipper" not found: looked in .*roles\/shipper, .*shipper/);
  const dir = o.problems[0].match(/looked in (\S+)\/roles\/shipper/)![1];
  const ok = await play({
    playbook: `- hosts: all\n  roles: [shipper]\n`,
    files: { 'elsewhere/shipper/tasks/main.yml': `- ansible.builtin.copy: {src: hello.txt, dest: ${dest}}\n`, 'elsewhere/shipper/files/hello.txt': 'from the role\n' },
    opts: { rolesPath: [join(dir, 'elsewhere')] },
  });
  assert.equal(ok.problems, []);
  assert.ok(existsSync(dest));
  assert.is(readFileSync(dest, 'utf8'), 'from the role\n');
});

test('a collection\'s role names a sibling by its full name (namespace.collection.role)', async () => {
  const o = await play({
    playbook: `- hosts: all\n  roles: [app]\n`,
    files: { 'roles/app/tasks/main.yml': '- include_role: {name: acme.tools._common, tasks_from: pre}\n- probe: app\n', 'roles/_common/tasks/pre.yml': '- probe: common\n' },
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:common', 'a:app']);
});

test('include_role with loop: the role once per item, the item (loop_var, index_var) in its tasks; a failure in it is rescued; import_role refuses a loop, as Ansible', async () => {
  const files = { ...ROLE, 'roles/w/tasks/main.yml': '- {name: w1, probe: {id: "w-{{ r }}{{ n }}"}}\n', 'roles/f/tasks/main.yml': '- name: Fail\n  probe: {id: f, fail: boom}\n' };
  const o = await play({
    playbook: playbook(`- include_role: {name: w}\n  loop: [x, y]\n  loop_control: {loop_var: r, index_var: n}\n- include_role: {name: "{{ item }}"}\n  with_items: [base]\n- block:\n    - include_role: {name: "{{ item }}"}\n      loop: [f]\n  rescue:\n    - probe: {id: "rescued {{ ansible_failed_task.name }}"}`),
    files,
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:w-x0', 'a:w-y1', 'a:base', 'a:f', 'a:rescued Fail']);
  assert.equal(o.summary!.recap.a.failed, 0);
  const imported = await play({ playbook: playbook(`- import_role: {name: w}\n  loop: [1, 2]`), files });
  assert.match(imported.problems.join('\n'), /:4:\d+: You cannot use loops on 'import_role' statements\. You should use 'include_role' instead\./);
});

test('role problems: a missing role names where it was looked for; a missing tasks_from; a dependency cycle', async () => {
  const missing = await play({ playbook: playbook(`- import_role: {name: nope}`) });
  assert.match(missing.problems.join('\n'), /play\d+\.yml:3:\d+: role "nope" not found: looked in .*\/roles\/nope/);
  // (import_role: read with the playbook; include_role's is read when a host reaches it, and ends the run then, as Ansible's parser error)
  const from = await play({ playbook: playbook(`- import_role: {name: web, tasks_from: gone}`), files: ROLE });
  assert.match(from.problems.join('\n'), /tasks_from "gone" not found: expected it in .*roles\/web\/tasks/);
  const cycle = await play({
    playbook: `- hosts: all\n  roles: [x]\n`,
    files: { 'roles/x/meta/main.yml': 'dependencies: [y]\n', 'roles/y/meta/main.yml': 'dependencies:\n  - role: x\n', 'roles/x/tasks/main.yml': '- probe: x\n' },
  });
  assert.match(cycle.problems.join('\n'), /roles\/y\/meta\/main\.yml:2:\d+: role "x" depends on itself/);
});

test('a role\'s handler answers to "ROLE : NAME" too, as in Ansible', async () => {
  const o = await play({
    playbook: `- hosts: all\n  roles: [web]\n  tasks:\n    - probe: t\n      notify: "web : restart web"\n`,
    files: { 'roles/web/tasks/main.yml': '- probe: w\n', 'roles/web/handlers/main.yml': '- name: restart web\n  probe: restarted\n' },
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:w', 'a:t', 'a:restarted']);
});

test('a notify of a handler skiff refuses is reported once, at the handler (not as an unknown handler)', async () => {
  const o = await play({
    playbook: `- hosts: all\n  roles: [web]\n`,
    files: { 'roles/web/tasks/main.yml': '- probe: w\n  notify: [restart web, "web : restart web"]\n', 'roles/web/handlers/main.yml': '- name: restart web\n  ansible.builtin.deb822_repository: {}\n' },
  });
  assert.is(o.code, 'bad-input');
  assert.equal(o.problems.length, 1, o.problems.join('\n'));
  assert.match(o.problems[0], /handlers\/main\.yml:2:3: ansible\.builtin\.deb822_repository is an Ansible module not supported/);
});

test('a notify that reaches no handler (a typo) ends the run when the task changes, with Ansible\'s error', async () => {
  const typo = await play({ playbook: `- hosts: all\n  roles: [web]\n  tasks:\n    - probe: after\n`, files: { 'roles/web/tasks/main.yml': '- probe: w\n  notify: restart wbe\n', 'roles/web/handlers/main.yml': '- name: restart web\n  probe: restarted\n' } });
  assert.is(typo.code, 'ran');
  assert.equal(calls, ['a:w']);
  assert.equal(typo.lines, ['a probe failed']);
  assert.is(typo.results[0].msg, "ERROR! The requested handler 'restart wbe' was not found in either the main handlers list nor in the listening handlers list");
});


test('a role\'s magic variables: role_name, role_path, ansible_role_name, ansible_collection_name, ansible_parent_role_names (the roles that brought it in, most recent first)', async () => {
  const o = await play({
    playbook: playbook(`- import_role: {name: outer}`),
    files: {
      // a collection checkout (COLLECTION/roles/ROLE next to its galaxy.yml): its roles have full names
      'galaxy.yml': 'namespace: acme\nname: tools\nversion: 1.0.0\n',
      // no parent: undefined, as in Ansible (special_vars), not []
      'roles/outer/tasks/main.yml': '- probe: {id: "outer {{ ansible_parent_role_names is undefined }}"}\n- include_role: {name: acme.tools.inner}\n',
      'roles/inner/tasks/main.yml': `- probe: {id: "{{ role_name }} {{ ansible_role_name }} {{ ansible_collection_name }} {{ ansible_parent_role_names | first }} {{ role_path is match('.*/roles/inner$') }} {{ ansible_parent_role_paths[0] is match('.*/roles/outer$') }}"}\n`,
    },
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:outer True', 'a:inner acme.tools.inner acme.tools acme.tools.outer True True']);
  const outside = await play({ playbook: playbook(`- probe: {id: "{{ role_path }}"}`), opts: { strict: true } });
  assert.match(outside.problems.join('\n'), /unknown variable "role_path"/);
});

test('a role reached through a symlink (roles_path/NAME -> a checkout) has the checkout as role_path, free of symlinks as Ansible\'s unfrackpath leaves it (a role tried from a clone)', async () => {
  const d = realpathSync(mkdtempSync(join(tmpdir(), 'skiff-rolelink-')));
  mkdirSync(join(d, 'checkout/tasks'), { recursive: true });
  mkdirSync(join(d, 'roles'));
  writeFileSync(join(d, 'checkout/tasks/main.yml'), '- probe: {id: "{{ role_path }}"}\n');
  symlinkSync(join(d, 'checkout'), join(d, 'roles/acme.web'));
  const o = await play({ playbook: playbook(`- import_role: {name: acme.web}`), opts: { rolesPath: [join(d, 'roles')] } });
  assert.equal(o.problems, []);
  assert.equal(calls, [`a:${join(d, 'checkout')}`]);
});

test('templated notify and handler names are matched per host, each rendered with its own variables: a shared role notifies the handler of the role that included it', async () => {
  const files = {
    'roles/app/vars/main.yml': 'svc: appd\n',
    'roles/app/tasks/main.yml': '- include_role: {name: common}\n- {name: own, probe: own, notify: "Reload {{ svc }}"}\n',
    'roles/app/handlers/main.yml': '- {name: "Restart {{ svc }}", probe: "restart-{{ svc }}"}\n- {name: "Reload {{ svc }}", probe: "reload-{{ svc }}"}\n',
    'roles/common/vars/main.yml': 'parent_svc: "{{ ansible_parent_role_names | first }}d"\n',
    'roles/common/tasks/main.yml': '- {name: shared, probe: shared, notify: "{{ ansible_parent_role_names | first }} : Restart {{ parent_svc }}"}\n',
  };
  const o = await play({ playbook: playbook(`- import_role: {name: app}`), files });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:shared', 'a:own', 'a:restart-appd', 'a:reload-appd']);
  const bad = await play({ playbook: playbook(`- import_role: {name: app}`), files: { ...files, 'roles/common/vars/main.yml': 'parent_svc: "{{ ansible_parent_role_names | first }}x"\n' } });
  // a name that reaches no handler: Ansible's error when the task changes (not a refusal before the run)
  assert.equal(bad.problems, []);
  assert.is(bad.results[0].msg, "ERROR! The requested handler 'app : Restart appx' was not found in either the main handlers list nor in the listening handlers list");
});

test.run();
