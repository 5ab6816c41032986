// include_tasks as Ansible runs it (dynamic): its file read when a host reaches it, its name rendered
// there (lookup('first_found') included); its own when, tags and run_once are the include's, not its
// tasks'; a missing file fails the host, a broken one ends the run; a handler may be an include.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { calls, play, playbook } from './engine-harness.ts';

// Ansible's test/integration/targets/setup_remote_tmp_dir, in short: every target that uses it needs this
const SETUP_ROLE = {
  'roles/setup/defaults/main.yml': 'skip_cleanup: no\n',
  'roles/setup/handlers/main.yml': '- name: delete temporary directory\n  include_tasks: default-cleanup.yml\n  when: not skip_cleanup | bool\n',
  'roles/setup/tasks/default-cleanup.yml': '- name: cleanup\n  probe: "cleanup {{ remote_tmp_dir }}"\n',
  'roles/setup/tasks/default.yml': '- probe: {id: mk, out: /tmp/x.test}\n  register: remote_tmp_dir\n  notify: [delete temporary directory]\n- set_fact:\n    remote_tmp_dir: "{{ remote_tmp_dir.out }}"\n',
  'roles/setup/tasks/main.yml': '- include_tasks: "{{ lookup(\'first_found\', files)}}"\n  vars:\n    files:\n      - "{{ os_family | lower }}.yml"\n      - "default.yml"\n',
};

test("a templated include_tasks: lookup('first_found') in the role's tasks/, read when reached; what it sets is known after; its handler is an include", async () => {
  const o = await play({ playbook: `- hosts: all\n  vars: {os_family: Debian}\n  roles: [setup]\n  tasks:\n    - probe: "use {{ remote_tmp_dir }}"\n`, files: SETUP_ROLE });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:mk', 'a:use /tmp/x.test', 'a:cleanup /tmp/x.test']);
  // Ansible's recap: each include that reads a file is ok (main's and the handler's)
  assert.equal(o.lines, ['a include_tasks ok', 'a probe changed', 'a set_fact ok', 'a probe changed', 'a delete temporary directory ok', 'a cleanup changed']);
  // a file for the host's OS family wins over default.yml
  const os = await play({ playbook: `- hosts: all\n  vars: {os_family: RedHat}\n  roles: [setup]\n`, files: { ...SETUP_ROLE, 'roles/setup/tasks/redhat.yml': '- probe: redhat\n' } });
  assert.equal(calls, ['a:redhat']);
  assert.equal(os.problems, []);
  const none = await play({ playbook: playbook(`- include_tasks: "{{ lookup('first_found', ['x.yml', 'y.yml']) }}"\n- probe: after`) });
  assert.equal(none.lines, ['a include_tasks failed']);
  assert.match(none.results[0].msg!, 'No file was found when using first_found.');
});

test('tags on include_tasks are the include\'s: under --tags its tasks run when they carry the tag themselves, or through apply:', async () => {
  const files = { 't.yml': '- {probe: tagged, tags: [x]}\n- probe: plain\n' };
  const pb = playbook(`- include_tasks: t.yml\n  tags: [x]\n- include_tasks: t.yml\n- include_tasks: {file: t.yml, apply: {tags: [x]}}\n  tags: [x]`);
  let o = await play({ playbook: pb, files, opts: { tags: ['x'] } });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:tagged', 'a:tagged', 'a:plain']);
  // the include is not selected: nothing in it runs, even a task tagged x
  o = await play({ playbook: playbook(`- include_tasks: t.yml\n- include_tasks: t.yml\n  tags: [y]`), files, opts: { tags: ['y'] } });
  assert.equal(calls, []);
  assert.equal(o.lines, ['a include_tasks ok']);
});

test("include_tasks' when is decided once, on the include; its tasks do not inherit it (nor ignore_errors, no_log)", async () => {
  const o = await play({
    playbook: playbook(`- set_fact: {go: true}\n- include_tasks: t.yml\n  when: go\n  ignore_errors: true\n- probe: after`),
    files: { 't.yml': '- set_fact: {go: false}\n- probe: still\n- probe: {id: boom, fail: true}\n' },
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:still', 'a:boom']);
  assert.equal(o.lines.at(-1), 'a probe failed');
  const skipped = await play({ playbook: playbook(`- include_tasks: t.yml\n  when: false`), files: { 't.yml': '- probe: x\n' } });
  assert.equal(skipped.lines, ['a include_tasks skipped']);
});

test('a file read at run time is checked before its tasks run: a parse error at its file:line:col ends the run; a bad parameter fails the include', async () => {
  const broken = await play({ playbook: playbook(`- include_tasks: "{{ 'bad' }}.yml"\n- probe: after`, ''), files: { 'bad.yml': '- probe: ok\n- nosuch: {a: 1}\n' }, hosts: ['a', 'b'] });
  assert.equal(broken.problems, []);
  assert.equal(calls, []);
  assert.match(broken.results[0].msg!, /bad\.yml:2:3: unknown task type "nosuch"/);
  // Ansible's AnsibleParserError: the run's exit code is 4, not a host's failure (geerlingguy.docker's deb822_repository)
  assert.is(broken.summary!.parseError, true);
  const param = await play({ playbook: playbook(`- include_tasks: "{{ 'p' }}.yml"\n- probe: after`), files: { 'p.yml': '- probe: {id: x, nope: 1}\n' } });
  assert.match(param.results[0].msg!, /p\.yml:1:\d+: .*unknown parameter "nope"/);
  assert.equal(calls, []);
});

test('a variable nothing defines, after a file read at run time, is reported when its task runs (that file may have set it)', async () => {
  const o = await play({ playbook: playbook(`- include_tasks: "{{ 't' }}.yml"\n- probe: "{{ set_there }}"\n- probe: "{{ typo }}"`), files: { 't.yml': '- set_fact: {set_there: here}\n' } });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:here']);
  assert.equal(o.lines.at(-1), 'a probe failed');
  assert.match(o.results.at(-1)!.msg!, /typo/);
  // before any dynamic include, with --strict: still before the run
  const early = await play({ playbook: playbook(`- probe: "{{ typo }}"\n- include_tasks: "{{ 't' }}.yml"`), files: { 't.yml': '- probe: t\n' }, opts: { strict: true } });
  assert.match(early.problems.join('\n'), /typo/);
});

test("include_tasks takes only Ansible's include keywords (the rest go under apply:); run_once includes on the first host only", async () => {
  const bad = await play({ playbook: playbook(`- include_tasks: t.yml\n  become: true`), files: { 't.yml': '- probe: t\n' } });
  assert.match(bad.problems.join('\n'), /:4:\d+: 'become' is not a valid attribute for a TaskInclude: expected it under apply:/);
  const applied = await play({ playbook: playbook(`- include_tasks: {file: t.yml, apply: {delegate_to: localhost}}`), files: { 't.yml': '- probe: t\n' } });
  assert.equal(applied.problems, []);
  assert.equal(calls, ['localhost:t']);
  const once = await play({ playbook: playbook(`- include_tasks: t.yml\n  run_once: true\n- probe: after`), files: { 't.yml': '- probe: t\n' }, hosts: ['a', 'b'] });
  assert.equal(once.problems, []);
  assert.equal(calls.filter((c) => c.endsWith(':t')), ['a:t']);
  assert.equal(calls.filter((c) => c.endsWith(':after')).sort(), ['a:after', 'b:after']);
});

test("include_role with a templated name: the role read when reached, with its handlers; its tags are the include's", async () => {
  const files = { 'roles/web/tasks/main.yml': '- {probe: web, notify: restart}\n- {probe: tagged, tags: [x]}\n', 'roles/web/handlers/main.yml': '- name: restart\n  probe: restart\n' };
  const o = await play({ playbook: playbook(`- include_role: {name: "{{ which }}"}\n  vars: {which: web}\n  tags: [x]`), files });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:web', 'a:tagged', 'a:restart']);
  await play({ playbook: playbook(`- include_role: {name: "{{ which }}"}\n  vars: {which: web}\n  tags: [x]`), files, opts: { tags: ['x'] } });
  assert.equal(calls, ['a:tagged']);
  const missing = await play({ playbook: playbook(`- include_role: {name: "{{ 'nope' }}"}`) });
  assert.equal(missing.lines, ['a include_role : {{ \'nope\' }} failed']);
  assert.match(missing.results[0].msg!, /the role 'nope' was not found in /);
});


test('a looped include_tasks: every item\'s file is included (and counted) before their tasks run, as Ansible\'s strategy takes them together; each said with its item', async () => {
  const o = await play({
    playbook: playbook(`- include_tasks: inc.yml
  loop: "{{ {'a': 1, 'b': 2} | dict2items }}"
  loop_control: {loop_var: it}`),
    files: { 'inc.yml': '- probe: "{{ it.key }}"\n  failed_when: it.key == "a"\n' },
  });
  // the first file's task fails the host: the second file was included all the same (ok=2 in the recap)
  assert.equal(o.lines, ['a include_tasks ok', 'a include_tasks ok', 'a probe failed']);
  assert.equal(calls, ['a:a']);
  const said = o.events.flatMap((e) => (e.kind === 'result' && e.result.msg?.startsWith('included: ') ? [e.result.labels] : []));
  assert.equal(said, [[{ key: 'a', value: 1 }], [{ key: 'b', value: 2 }]]);
});

test.run();
