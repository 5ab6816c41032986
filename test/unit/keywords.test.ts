// The playbook language at run time: each keyword a play, block or task accepts, shown doing what
// Ansible does with it (order of events, results, recap), on local hosts through the real engine.
// The last test walks the schemas and fails on any accepted key that no test here covers.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BlockSchema, ImportPlaybookSchema, IncludeRoleSchema, IncludeTasksSchema, Inheritable, MetaTaskSchema, PlaySchema, RoleCallSchema, RoleEntrySchema, TaskMetaSchema } from '../../src/playbook/schema.ts';
import type { Outcome, Case } from './engine-harness.ts';
import { via } from './engine-harness.ts';
import { resultLines } from '../../src/report/ansible-lines.ts';
import { becameBy, calls, execs, opened, peak, play, playbook, reached, TEST_REGISTRY } from './engine-harness.ts';

const covered = new Set<string>();
/** A test that shows the run-time effect of these schema keys (`task.loop`, `play.serial`...). */
function kw(keys: string[], name: string, fn: () => Promise<void>) {
  keys.forEach((k) => covered.add(k));
  test(`${keys.join(', ')}: ${name}`, fn);
}

kw(['task.name', 'play.name', 'play.hosts', 'play.tasks'], 'tasks run in order on every host of the pattern, named as written', async () => {
  const o = await play({ hosts: ['a', 'b'], playbook: `- name: P\n  hosts: b\n  tasks:\n    - name: one\n      probe: x\n    - name: two\n      probe: y\n` });
  assert.equal(o.lines, ['b one changed', 'b two changed']);
  assert.equal(calls, ['b:x', 'b:y']);
  assert.equal(o.events[0], { kind: 'play', name: 'P', hosts: ['b'] });
});

kw(['task.async', 'task.poll'], 'async: the command runs as a background job, polled to its end (poll 1) or left running (poll 0)', async () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-kw-async-'));
  const o = await play({ realSleep: true, playbook: playbook(`- command: echo hi\n  async: 5\n  poll: 1\n  register: a\n- command: sleep 1\n  async: 5\n  poll: 0\n  register: b`, `  vars: {ansible_async_dir: ${d}}\n`) });
  assert.equal(o.lines, ['a command changed', 'a command changed']);
  const [a, b] = o.results.map((r) => r.registered as Record<string, unknown>);
  assert.equal([a.stdout, a.started, a.finished], ['hi', 1, 1]);
  assert.equal([b.started, b.finished, b.results_file], [1, 0, `${d}/${b.ansible_job_id}`]);
});

kw(['task.loop', 'task.loop_control'], 'loop: one pass per item; loop_var, index_var and label; register gets results[]', async () => {
  const o = await play({
    playbook: playbook(`- name: each
  probe: {id: "{{ i }}-{{ n }}", out: "{{ i }}"}
  loop: [p, q, r]
  loop_control: {loop_var: i, index_var: n, label: "item {{ i }}"}
  register: r
- name: after
  probe: {id: "{{ r.results | length }}-{{ r.results[1].out }}-{{ r.changed }}"}`),
  });
  assert.equal(calls, ['a:p-0', 'a:q-1', 'a:r-2', 'a:3-q-True']); // a boolean in text reads as Python's, as in Ansible
  assert.equal(o.results[0].changes, ['(item=item p) probe p-0', '(item=item q) probe q-1', '(item=item r) probe r-2']);
  assert.is(o.summary!.recap.a.changed, 2, 'a loop counts once, as in Ansible');
});

kw(['task.with_items', 'task.with_list', 'task.with_dict', 'task.with_indexed_items'], 'the with_* lookups make the items Ansible makes', async () => {
  const o = await play({
    playbook: playbook(`- probe: {id: "i-{{ item }}"}
  with_items: [[1, 2], 3]
- probe: {id: "l-{{ item | length }}"}
  with_list: [[1, 2], [3]]
- probe: {id: "d-{{ item.key }}={{ item.value }}"}
  with_dict: {x: 1, k: 2}
- probe: {id: "x-{{ item[0] }}{{ item[1] }}"}
  with_indexed_items: [a, b]`),
  });
  assert.equal(calls, ['a:i-1', 'a:i-2', 'a:i-3', 'a:l-2', 'a:l-1', 'a:d-x=1', 'a:d-k=2', 'a:x-0a', 'a:x-1b']);
});

kw(['task.with_together', 'task.with_nested', 'task.with_subelements', 'task.with_sequence'], 'with_together, with_nested, with_subelements, with_sequence: the items of Ansible\'s lookups (the lookup_* targets)', async () => {
  const o = await play({
    playbook: playbook(`- probe: {id: "t-{{ item.0 }}{{ item.1 }}"}
  with_together: [[a, b, c], ['1', '2']]
- probe: {id: "n-{{ item.0 + item.1 }}"}
  with_nested: [[a, b], [c, d]]
- probe: {id: "s-{{ item.0.id }}{{ item.1 }}-{{ item.0.the_list is defined }}"}
  with_subelements:
    - [{id: x, the_list: [f, d]}, {id: y, the_list: [e]}]
    - the_list
- probe: {id: "q-{{ item }}"}
  with_sequence: start=3 end=0 stride=-1
- probe: {id: "h-{{ item }}"}
  with_sequence: '7-8:host%02d'`),
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:t-a1', 'a:t-b2', 'a:t-c', 'a:n-ac', 'a:n-ad', 'a:n-bc', 'a:n-bd', 'a:s-xf-False', 'a:s-xd-False', 'a:s-ye-False', 'a:q-3', 'a:q-2', 'a:q-1', 'a:q-0', 'a:h-host07', 'a:h-host08']);
});

kw(['task.with_file', 'task.with_env'], "with_file: each file's text, from the role's files/ first (rstrip); with_env: the controller's environment", async () => {
  process.env.SKIFF_KW_ENV = 'from-env';
  const o = await play({
    playbook: `- hosts: all\n  roles: [r]\n`,
    files: { 'roles/r/tasks/main.yml': '- probe: {id: "{{ item }}"}\n  with_file: [a.txt, b.txt]\n- probe: {id: "e-{{ item }}"}\n  with_env: SKIFF_KW_ENV\n', 'roles/r/files/a.txt': 'A\n\n', 'b.txt': ' B' },
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:A', 'a: B', 'a:e-from-env']);
});

kw(['task.with_first_found'], 'with_first_found: the first file found, in files/ of the role first (lookup_first_found)', async () => {
  const o = await play({
    playbook: `- hosts: all\n  roles: [r]\n`,
    files: { 'roles/r/tasks/main.yml': '- probe: {id: "{{ item | basename }}"}\n  with_first_found: [does_not_exist, foo1, bar1]\n', 'roles/r/files/foo1': '', 'roles/r/files/bar1': '' },
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:foo1']);
});

test('a with_* lookup\'s error fails the task when it runs, so a block can rescue it (lookup_together, lookup_sequence)', async () => {
  const o = await play({
    playbook: playbook(`- block:
    - probe: {id: "{{ item.0 }}"}
      with_together: []
  rescue:
    - probe: {id: "rescued: {{ ansible_failed_result.msg }}"}
- block:
    - probe: {id: "{{ item }}"}
      with_sequence: start=0 junk=3
  rescue:
    - probe: {id: "rescued: {{ ansible_failed_result.msg }}"}`),
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:rescued: with_together requires at least one element in each list', "a:rescued: unrecognized arguments to with_sequence: ['junk']"]);
});

kw(['task.with_fileglob'], 'with_fileglob: the files matching each pattern, in files/ of the role (or next to the playbook), as absolute paths', async () => {
  const o = await play({
    playbook: `- hosts: all\n  roles: [r]\n  tasks:\n    - probe: {id: "{{ item }}"}\n      with_fileglob: ["*.conf", /nonexistent-skiff-dir/*]\n`,
    files: {
      'roles/r/tasks/main.yml': '- probe: {id: "{{ item }}"}\n  with_fileglob: "{{ pats }}"\n  vars: {pats: [t/*.tmpl]}\n',
      'roles/r/files/t/b.tmpl': '', 'roles/r/files/t/a.tmpl': '', 'roles/r/files/t/.hidden.tmpl': '', 'roles/r/files/t/c.txt': '', 'roles/r/files/t/d.tmpl/x': '',
      'x.conf': '', 'files/y.conf': '',
    },
  });
  assert.equal(o.problems, []);
  assert.equal(calls.map((c) => c.replace(/^a:\/.*?\/skiff-engine-[^/]+\/play-[^/]+\//, 'a:')), ['a:roles/r/files/t/a.tmpl', 'a:roles/r/files/t/b.tmpl', 'a:files/y.conf']);
  // a wildcard in the directory part finds no directory along the search path: no files (lookup_fileglob)
  const none = await play({ playbook: playbook(`- probe: {id: "{{ item }}"}\n  with_fileglob: "*/x.conf"`), files: { 'files/d/x.conf': '' } });
  assert.equal(none.problems, []);
  assert.equal(calls, []);
});

kw(['task.when'], 'when: evaluated per item in a loop; a task whose every item is skipped is skipped', async () => {
  const o = await play({ playbook: playbook(`- probe: {id: "{{ item }}"}\n  loop: [1, 2, 3]\n  when: item != 2\n- name: never\n  probe: z\n  when: false`) });
  assert.equal(calls, ['a:1', 'a:3']);
  assert.equal(o.lines, ['a probe changed', 'a never skipped']);
});

test('when false on a host before the run: the task is skipped there, its parameters not rendered (Ansible\'s guard idiom); a misspelled parameter is still refused', async () => {
  const inv = 'all:\n  hosts:\n    a: {connection: local, tls: {}}\n    b: {connection: local, tls: {cert_file: /etc/c.pem}}\n';
  const o = await play({ hosts: inv, playbook: playbook(`- name: cert\n  probe: {id: "{{ tls.cert_file }}"}\n  when: tls | length > 0`) });
  assert.is(o.code, 'ran', o.problems.join('\n'));
  assert.equal(o.lines.sort(), ['a cert skipped', 'b cert changed']);
  assert.equal(calls, ['b:/etc/c.pem']);
  const typo = await play({ hosts: inv, playbook: playbook(`- probe: {idd: "{{ tls.cert_file }}"}\n  when: tls | length > 0`) });
  assert.match(typo.problems.join('\n'), /unknown parameter "idd" for task type probe/);
  // unguarded: the host without the key fails the task when it runs, as in Ansible (--strict: refused before)
  const unguarded = await play({ hosts: inv, playbook: playbook(`- probe: {id: "{{ tls.cert_file }}"}`) });
  assert.equal(unguarded.lines.sort(), ['a probe failed', 'b probe changed']);
  assert.match(unguarded.results.find((r) => r.host === 'a')!.msg!, /^The task includes an option with an undefined variable. The error was: 'dict object' has no attribute 'cert_file'. 'dict object' has no attribute 'cert_file'\n/);
  const strict = await play({ hosts: inv, playbook: playbook(`- probe: {id: "{{ tls.cert_file }}"}`), opts: { strict: true } });
  assert.match(strict.problems.join('\n'), /tls has no key "cert_file" .*\(host a\)/);
});

test('a task whose when is false before the run is not checked further, as Ansible never evaluates it; a true or run-time when still is', async () => {
  const vars = `  vars: {tls: {}}\n`;
  const skipped = await play({ playbook: playbook(`- name: tls
  probe: {id: "{{ tls.cert_file }}"}
  when: tls | length > 0
- block:
    - probe: {id: "{{ tls.key_file }}"}
  when: tls.key_file is defined`, vars) });
  assert.equal(skipped.problems, []);
  assert.equal(skipped.lines, ['a tls skipped', 'a probe skipped']);
  const checked = await play({ playbook: playbook(`- probe: {id: "{{ tls.cert_file }}"}\n  when: tls | length == 0\n- probe: {id: z}\n  register: r\n- probe: {id: "{{ tls.cert_fiel }}"}\n  when: r is changed`, vars), opts: { strict: true } });
  assert.match(checked.problems.join('\n'), /tls has no key "cert_file"/);
  assert.match(checked.problems.join('\n'), /tls has no key "cert_fiel"/);
});

kw(['task.until', 'task.retries', 'task.delay'], 'until: retried with the delay between attempts until it holds; attempts registered', async () => {
  const o = await play({ playbook: playbook(`- name: flaky\n  probe: {id: f, fail_times: 2}\n  until: result.failed == false\n  retries: 4\n  delay: 7\n  register: r\n- probe: {id: "attempts-{{ r.attempts }}"}`) });
  assert.equal(calls, ['a:f', 'a:f', 'a:f', 'a:attempts-3']);
  assert.equal(o.sleeps, [7000, 7000]);
  assert.equal(o.lines, ['a flaky changed', 'a probe changed']);
});

test('retries and delay may be expressions, rendered for the host ("{{ timeout // 30 }}"); an unknown variable or a value that is no count is refused before the run', async () => {
  const o = await play({ playbook: playbook(`- name: never\n  probe: {id: n, fail: true}\n  until: false\n  retries: "{{ timeout // 30 }}"\n  delay: "{{ pause }}"`, '  vars: {timeout: 65, pause: "1.5"}\n') });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:n', 'a:n', 'a:n']);
  assert.equal(o.sleeps, [1500, 1500]);
  const bad = await play({ playbook: playbook(`- {probe: x, until: false, retries: "{{ tries }}"}\n- {probe: y, until: false, retries: "{{ 'many' }}"}`), opts: { strict: true } });
  assert.match(bad.problems.join('\n'), /:3:\d+: retries: unknown variable "tries"/, bad.problems.join('\n'));
  assert.match(bad.problems.join('\n'), /:4:\d+: retries: .* gave many, expected a whole number/, bad.problems.join('\n'));
  assert.equal(calls, []);
});

test('a condition written as a whole {{ }} expression (when, changed_when, failed_when, until, assert that) is read as the expression, as Ansible does', async () => {
  const o = await play({ playbook: playbook(`- {name: c, probe: x, changed_when: "{{ flag }}"}\n- {name: w, probe: w, when: "{{ flag }}"}\n- {name: f, probe: f, failed_when: "{{ not flag }}", ignore_errors: true}\n- {name: a, assert: {that: ["{{ not flag }}"]}}`, '  vars: {flag: false}\n') });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a c ok', 'a w skipped', 'a f failed', 'a a ok']);
});

test('until that never holds: retries + 1 attempts (Ansible), then the task fails and says so', async () => {
  const o = await play({ playbook: playbook(`- name: never\n  probe: {id: n, fail: true}\n  until: false\n  retries: 2\n  delay: 1`) });
  assert.equal(calls, ['a:n', 'a:n', 'a:n']);
  assert.equal(o.lines, ['a never failed']);
  assert.match(o.results[0].msg!, 'not met after 3 attempts');
});

kw(['block.block', 'block.rescue', 'block.always', 'block.name'], 'a failure in block runs rescue, then always; the host goes on; the recap counts it rescued', async () => {
  const o = await play({
    playbook: playbook(`- name: b
  block:
    - {name: t1, probe: {id: 1}}
    - {name: t2, probe: {id: 2, fail: boom}}
    - {name: t3, probe: {id: 3}}
  rescue:
    - {name: r1, probe: {id: "r-{{ ansible_failed_result.msg }}"}}
  always:
    - {name: a1, probe: a}
- {name: next, probe: n}`),
  });
  assert.equal(calls, ['a:1', 'a:2', 'a:r-boom', 'a:a', 'a:n']);
  assert.equal(o.summary!.recap.a, { ok: 4, changed: 4, failed: 0, skipped: 0, rescued: 1, ignored: 0, unreachable: 0 });
  assert.equal(o.summary!.unfinished, []);
});

test('block without rescue: always still runs after the failure, then the host is out of the play', async () => {
  const o = await play({ playbook: playbook(`- block:\n    - {name: t, probe: {id: 1, fail: true}}\n  always:\n    - {name: cleanup, probe: c}\n- {name: next, probe: n}`) });
  assert.equal(calls, ['a:1', 'a:c']);
  assert.is(o.summary!.recap.a.failed, 1);
  assert.equal(o.summary!.unfinished, ['a']);
});

test('a rescue that fails too: always runs, the host fails', async () => {
  const o = await play({ playbook: playbook(`- block:\n    - {probe: {id: 1, fail: true}}\n  rescue:\n    - {probe: {id: 2, fail: true}}\n  always:\n    - {probe: {id: 3}}\n- {probe: n}`) });
  assert.equal(calls, ['a:1', 'a:2', 'a:3']);
  assert.equal([o.summary!.recap.a.rescued, o.summary!.recap.a.failed], [1, 1]);
});

kw(['block.when', 'block.vars', 'block.tags', 'task.vars'], 'a block passes when, vars and tags to its tasks; task vars win over block vars', async () => {
  const o = await play({
    playbook: playbook(`- block:
    - {probe: {id: "{{ x }}-{{ y }}"}}
    - {probe: {id: "{{ x }}-{{ y }}"}, vars: {y: task}}
  vars: {x: blk, y: blk}
  when: go
  tags: [t]
- block:
    - {probe: never}
  when: not go`, '  vars: {go: true}\n'),
    opts: { tags: ['t'] },
  });
  assert.equal(calls, ['a:blk-blk', 'a:blk-task']);
});

kw(['task.tags', 'play.tags'], '--tags and --skip-tags select as Ansible does (always, never, tagged, untagged)', async () => {
  const pb = `- hosts: all\n  tags: p\n  tasks:\n    - {probe: plain}\n    - {probe: x, tags: x}\n    - {probe: y, tags: [y, z]}\n    - {probe: al, tags: always}\n    - {probe: nv, tags: never}\n    - {probe: nvx, tags: [never, x]}\n`;
  const ran = async (opts: object) => (await play({ playbook: pb, opts })).lines.length && calls.map((c) => c.slice(2));
  assert.equal(await ran({}), ['plain', 'x', 'y', 'al']);
  assert.equal(await ran({ tags: ['x'] }), ['x', 'al', 'nvx']);
  assert.equal(await ran({ tags: ['p'] }), ['plain', 'x', 'y', 'al', 'nv', 'nvx'], 'play tags apply to every task (never too: asked for by a tag it has)');
  assert.equal(await ran({ skipTags: ['y'] }), ['plain', 'x', 'al']);
  assert.equal(await ran({ tags: ['never'] }), ['al', 'nv', 'nvx']);
  assert.equal(await ran({ skipTags: ['always'], tags: ['z'] }), ['y']);
});

kw(['task.run_once'], 'run_once: runs on one host of the batch; every host sees its registered result', async () => {
  const o = await play({ hosts: ['a', 'b', 'c'], playbook: playbook(`- name: once\n  probe: {id: once, out: 42}\n  run_once: true\n  register: r\n- probe: {id: "{{ inventory_hostname }}-{{ r.out }}"}`) });
  assert.equal(calls.filter((c) => c.endsWith(':once')), ['a:once'], 'on the first host of the batch, as in Ansible');
  assert.equal(calls.filter((c) => !c.endsWith(':once')).sort(), ['a:a-42', 'b:b-42', 'c:c-42']);
  assert.is(o.lines.filter((l) => l.includes(' once ')).length, 1);
});

test("run_once: set_fact's facts and register go to every host of the batch, even those that never reached the task (Ansible's include_import run_once playbook); add_host's register stays its own", async () => {
  const o = await play({
    hosts: ['a', 'b', 'c'],
    playbook: playbook(`- include_tasks: t.yml\n  run_once: true\n- probe: {id: "{{ inventory_hostname }} {{ lola }} {{ r.out }}"}`, '  vars: {lola: untouched}\n'),
    files: { 't.yml': '- set_fact: {lola: wiseman}\n  run_once: true\n- {probe: {id: once, out: 7, change: false}, run_once: true, register: r}\n' },
  });
  assert.equal(o.problems, []);
  assert.equal(calls.sort(), ['a:a wiseman 7', 'b:b wiseman 7', 'c:c wiseman 7']);
  // without run_once on the set_fact, only the host that included the file has it
  await play({
    hosts: ['a', 'b'],
    playbook: playbook(`- include_tasks: t.yml\n  run_once: true\n- probe: {id: "{{ inventory_hostname }} {{ lola }}"}`, '  vars: {lola: untouched}\n'),
    files: { 't.yml': '- set_fact: {lola: wiseman}\n' },
  });
  assert.equal(calls.sort(), ['a:a wiseman', 'b:b untouched']);
  const added = await play({ hosts: ['a', 'b'], playbook: playbook(`- add_host: {name: n}\n  register: r\n- probe: {id: "{{ inventory_hostname }} {{ r is defined }}"}`) });
  assert.equal(added.problems, []);
  assert.equal(calls.sort(), ['a:a True', 'b:b False']);
});

kw(['task.delegate_facts', 'block.delegate_facts'], "delegate_facts: set_fact's facts go to the delegated host, seen in its hostvars; the register stays this host's (delegate_to target's delegate_facts_block.yml)", async () => {
  const o = await play({
    hosts: ['a', 'b'],
    playbook: playbook(`- set_fact: {qq1: 333}
  delegate_facts: true
  delegate_to: b
  register: r
- block:
    - set_fact: {qq2: 444}
  delegate_facts: true
  delegate_to: b
- set_fact: {qq3: 555}
  delegate_facts: false
  delegate_to: b
- probe: "{{ qq1 | d('-') }} {{ qq2 | d('-') }} {{ qq3 | d('-') }} {{ hostvars['b'].qq1 | d('-') }} {{ hostvars['b'].qq2 | d('-') }} {{ r is defined }}"`),
  });
  assert.equal(o.problems, []);
  // each host's qq1 and qq2 went to b, so a has none; qq3 without delegate_facts stays where it ran
  assert.equal(calls.sort(), ['a:- - 555 333 444 True', 'b:333 444 555 333 444 True']);
  const bad = await play({ playbook: playbook('- set_fact: {x: 1}\n  delegate_to: localhost\n  delegate_facts: "{{ \'maybe\' }}"') });
  assert.match(String(bad.results[0].msg), /the field 'delegate_facts' has an invalid value \(maybe\)/);
});

test("delegate_facts in a loop: each item's fact goes to that item's host (delegate_to target's delegate_facts_loop.yml)", async () => {
  const o = await play({
    hosts: ['a', 'b', 'c'],
    playbook: `- hosts: a
  gather_facts: false
  vars: {cluster_name: bleh}
  tasks:
    - set_fact: {vm_name: "{{ cluster_name }}-{{ item }}"}
      delegate_to: "{{ item }}"
      delegate_facts: true
      with_items: [b, c]
    - probe: "{{ vm_name | d('-') }} {{ hostvars['b'].vm_name }} {{ hostvars['c'].vm_name }}"
`,
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:- bleh-b bleh-c']);
});

test('run_once: when the first host failed before the task, the next host runs it, once', async () => {
  await play({ hosts: ['a', 'b', 'c'], playbook: playbook(`- probe: {id: x, fail: "{{ inventory_hostname == 'a' }}"}\n- {probe: once, run_once: true}`) });
  assert.equal(calls.filter((c) => c.endsWith(':once')), ['b:once']);
});

test('until on the registered name (until: r.rc == 0), as Ansible users write it', async () => {
  const o = await play({ playbook: playbook(`- name: w\n  shell: "test -e $HOME/flag || { touch $HOME/flag; exit 1; }"\n  register: r\n  until: r.rc == 0\n  retries: 3\n  delay: 1\n  changed_when: false\n  failed_when: false`) });
  assert.equal(o.lines, ['a w ok']);
  assert.equal(o.sleeps, [1000]);
});

test('delegate_to "{{ item }}" in a loop: each item runs on its own host, sees its connection vars and every item\'s ansible_delegated_vars; the output names each ([a -> b(127.0.0.1)])', async () => {
  const o = await play({
    hosts: 'all:\n  hosts:\n    a: {connection: local}\n    b: {connection: local, ansible_host: 127.0.0.1, ansible_user: bob, ansible_port: 2222}\n    c: {connection: local}\n',
    playbook: `- hosts: a
  gather_facts: false
  tasks:
    - probe: "{{ item }} {{ ansible_host }} {{ inventory_hostname }} {{ ansible_delegated_vars.keys() | sort | join(',') }}"
      delegate_to: "{{ item }}"
      loop: [b, c]
    - probe: "{{ item }}"
      delegate_to: "{{ item }}"
      loop: [b, c]
      when: item == 'c'
`,
  });
  assert.equal(o.problems, []);
  // a skipped item's line names the host alone (the default callback's v2_runner_item_on_skipped)
  assert.equal(resultLines(o.results[1], { verbosity: 0, diff: false }), ['skipping: [a] => (item=b) ', 'changed: [a -> c] => (item=c)']);
  // Ansible 2.14: `changed: [a -> b(127.0.0.1)] => (item=b)`, `changed: [a -> c] => (item=c)`; ansible_host is the delegate's
  assert.equal(calls, ['b:b 127.0.0.1 a b,c', 'c:c c a b,c', 'c:c']);
  assert.equal(o.results[0].itemDelegates, [{ to: 'b', address: '127.0.0.1' }, { to: 'c' }]);
  // each reached with its own connection settings
  assert.ok(via.some((x) => x.startsWith('b bob@127.0.0.1:2222')), via.join('; '));
  assert.ok(via.some((x) => x.startsWith('c ')), via.join('; '));
  assert.equal(resultLines(o.results[0], { verbosity: 0, diff: false }), ['changed: [a -> b(127.0.0.1)] => (item=b)', 'changed: [a -> c] => (item=c)']);
});

test('delegate_to with an undefined variable fails the task in Ansible\'s words', async () => {
  const o = await play({ hosts: ['a'], playbook: playbook('- probe: x\n  delegate_to: "{{ nope }}"') });
  assert.match(String(o.results[0].msg), /^The field 'delegate_to' has an invalid value, which includes an undefined variable. The error was: 'nope' is undefined. 'nope' is undefined/);
  assert.equal(calls, []);
});

kw(['task.delegate_to'], 'delegate_to: runs on the other host, with the first host\'s vars; counted for the first host', async () => {
  const o = await play({ hosts: ['a', 'b'], playbook: `- hosts: a\n  tasks:\n    - name: d\n      probe: {id: "for-{{ inventory_hostname }}"}\n      delegate_to: b\n    - {name: l, probe: local, delegate_to: localhost}\n` });
  assert.equal(calls, ['b:for-a', 'localhost:local']);
  assert.equal(o.lines, ['a d changed', 'a l changed']);
  assert.is(o.results[0].delegatedTo, 'b');
});

test('delegate_to a name not in the inventory: the host is unreachable when the task runs, not the run refused (ansible-examples mongodb: with_items: groups.x, a bare string)', async () => {
  const o = await play({ hosts: ['a'], playbook: playbook(`- probe: first\n- probe: x\n  delegate_to: "{{ item }}"\n  with_items: groups.replication_servers`) });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a probe changed', 'a probe unreachable']);
  assert.match(String(o.results[1].msg), 'groups.replication_servers');
  assert.equal(calls, ['a:first']);
});

kw(['task.environment', 'play.environment', 'block.environment'], 'environment: exported for the task\'s commands; inner wins; a secret is refused', async () => {
  const o = await play({
    playbook: `- hosts: all\n  environment: {A: play, B: play}\n  tasks:\n    - block:\n        - {name: e, shell: 'echo "$A $B $C"', register: r, environment: {C: task}}\n      environment: {B: block}\n    - {probe: {id: "{{ r.stdout }}"}}\n    - {name: s, command: 'true', environment: {T: "{{ db_password }}"}}\n`,
    hosts: 'all:\n  hosts:\n    a: {connection: local, db_password: hunter2}\n',
  });
  assert.equal(calls, ['a:play block task']);
  assert.equal(o.lines.at(-1), 'a s failed');
  assert.match(o.results.at(-1)!.msg!, 'holds a secret');
  assert.not.match(JSON.stringify(o.results), 'hunter2');
});

test('environment: "{{ var }}" comes to a map when the task runs, on a play and a task (inner wins); not a map fails the task (the environment target)', async () => {
  const o = await play({
    playbook: playbook(
      `- {name: p, shell: 'echo "$key1 $other1"', register: p}
- {name: t, shell: 'echo "$key1 $other1"', register: t, environment: "{{ test2 }}"}
- {probe: {id: "{{ p.stdout }}|{{ t.stdout }}"}}
- {name: bad, command: 'true', environment: "{{ test1.key1 }}"}`,
      '  vars:\n    - test1: {key1: val1}\n    - test2: {key1: not1, other1: val2}\n  environment: "{{ test1 }}"\n',
    ),
  });
  assert.equal(calls, ['a:val1 |not1 val2']);
  assert.equal(o.lines.at(-1), 'a bad failed');
  assert.is(o.results.at(-1)!.msg, "environment must be a dictionary, received val1 (<class 'str'>)");
});

test('environment while gathering facts: a value that needs ansible_env is left out, the others are set (the environment target)', async () => {
  const facts = { a: readFileSync(join(import.meta.dirname, 'fixtures', 'facts', 'debian12.txt'), 'utf8') };
  await play({ facts, playbook: playbook('- probe: "{{ ansible_distribution }}"', '  gather_facts: true\n  environment:\n    PATH: \'{{ansible_env.PATH + ":/lola"}}\'\n    lola: ido\n') });
  assert.ok(execs.includes("a: export lola='ido'; echo @@env; env"), execs.join('\n'));
});

kw(['task.args'], 'args: parameters given the older way; the inline ones win', async () => {
  await play({ playbook: playbook(`- probe: {id: inline}\n  args: {id: args, out: 1}`) });
  assert.equal(calls, ['a:inline']);
});

kw(['task.listen', 'task.notify', 'play.handlers'], 'notify a topic: every handler that listens runs once, in the order the play lists them, after the tasks', async () => {
  const o = await play({
    playbook: playbook(`- {name: c1, probe: {id: 1}, notify: restart stack}\n- {name: c2, probe: {id: 2}, notify: [h0, restart stack]}\n- {name: c3, probe: {id: 3, change: false}, notify: h3}`, '') + `  handlers:\n    - {name: h0, probe: h0}\n    - {name: h1, probe: h1, listen: restart stack}\n    - {name: h2, probe: h2, listen: [restart stack]}\n    - {name: h3, probe: h3}\n`,
  });
  assert.equal(calls, ['a:1', 'a:2', 'a:h0', 'a:h1', 'a:h2']);
  assert.ok(o.results.filter((r) => r.handler).every((r) => r.status === 'changed'));
});

kw(['task.become', 'task.become_user', 'block.become', 'block.become_user', 'play.become', 'play.become_user'], 'become per play, block and task: each privilege gets its connection', async () => {
  await play({
    playbook: `- hosts: all\n  become: true\n  tasks:\n    - {probe: p}\n    - {probe: t, become: false}\n    - block:\n        - {probe: b}\n        - {probe: u, become_user: postgres}\n      become_user: scylla\n`,
  });
  assert.equal(opened.sort(), ['a false -', 'a true -', 'a true postgres', 'a true scylla']);
});

kw(['play.any_errors_fatal', 'task.any_errors_fatal', 'block.any_errors_fatal'], 'any_errors_fatal: one host fails, the others stop before their next task', async () => {
  const o = await play({ hosts: ['a', 'b'], playbook: playbook(`- probe: {id: first, fail: "{{ inventory_hostname == 'a' }}"}\n  any_errors_fatal: true\n- probe: second`) });
  assert.not.ok(calls.some((c) => c.endsWith(':second')));
  assert.equal(o.summary!.unfinished.sort(), ['a', 'b']);
  const blockLevel = await play({ hosts: ['a', 'b'], playbook: playbook(`- block:\n    - probe: {id: first, fail: "{{ inventory_hostname == 'a' }}"}\n  any_errors_fatal: true\n- probe: second`) });
  assert.not.ok(calls.some((c) => c.endsWith(':second')), JSON.stringify(blockLevel.lines));
  await play({ hosts: ['a', 'b'], playbook: playbook(`- probe: {id: first, fail: "{{ inventory_hostname == 'a' }}"}\n- probe: second`, '  any_errors_fatal: true\n') });
  assert.not.ok(calls.some((c) => c.endsWith(':second')));
});

test('any_errors_fatal: hosts not in a rescue or always stop, and the run ends; a rescue catches the failure first; a failure in rescue still runs always (checked against ansible-playbook 2.14)', async () => {
  const blk = `- block:\n    - probe: {id: blk, fail: "{{ inventory_hostname == 'a' }}"}\n  rescue:\n    - probe: {id: res, fail: true}\n    - probe: never\n`;
  const play2 = `- hosts: all\n  tasks:\n    - probe: play2\n`;
  // b is past its block when a fails in rescue: its next task is in no rescue or always, it stops
  const o = await play({ hosts: ['a', 'b'], playbook: playbook(`${blk}- probe: next\n- block:\n    - probe: inner\n  always:\n    - probe: alw`, '  any_errors_fatal: true\n') + play2 });
  assert.equal(calls, ['a:blk', 'b:blk', 'a:res']);
  assert.equal(o.summary!.recap.a, { ok: 0, changed: 0, failed: 1, skipped: 0, rescued: 1, ignored: 0, unreachable: 0 });
  assert.is(o.summary!.recap.b.failed, 0, 'a host stopped by another\'s failure has no failure of its own');
  assert.equal(o.summary!.unfinished.sort(), ['a', 'b']);
  // both on their way to the block's always (Ansible's always_block.yml): nobody is stopped, a fails after it
  const p = await play({ hosts: ['a', 'b'], playbook: playbook(`${blk}  always:\n    - probe: alw\n- probe: next`, '  any_errors_fatal: true\n') + play2 });
  assert.equal(calls.slice(0, 3), ['a:blk', 'b:blk', 'a:res']);
  assert.equal(calls.slice(3, 5).sort(), ['a:alw', 'b:alw']);
  assert.equal(calls.slice(5), ['b:next', 'b:play2']);
  assert.equal(p.summary!.unfinished, ['a']);
  // a failure in a rescue is no shield for the host that failed: the run ends after the play; b, in its
  // rescue then, goes on (as ansible-playbook 2.14 does)
  await play({ hosts: ['a', 'b'], playbook: playbook(`- block:\n    - probe: {id: blk, fail: true}\n  rescue:\n    - probe: {id: res, fail: "{{ inventory_hostname == 'a' }}"}\n    - probe: res2\n- probe: next`, '  any_errors_fatal: true\n') + play2 });
  assert.equal(calls, ['a:blk', 'b:blk', 'a:res', 'b:res', 'b:res2', 'b:next']);
  // a rescue that succeeds: nothing is fatal
  await play({ hosts: ['a', 'b'], playbook: playbook(`- block:\n    - probe: {id: blk, fail: "{{ inventory_hostname == 'a' }}"}\n  rescue:\n    - probe: res\n- probe: next`, '  any_errors_fatal: true\n') });
  assert.equal(calls.slice(0, 3), ['a:blk', 'b:blk', 'a:res']);
  assert.equal(calls.slice(3).sort(), ['a:next', 'b:next']);
});

test('meta clear_host_errors in an always: the host that failed in rescue goes on (Ansible\'s blocks target)', async () => {
  const o = await play({ playbook: playbook(`- block:\n    - probe: {id: 1, fail: true}\n  rescue:\n    - probe: {id: 2, fail: true}\n  always:\n    - probe: c\n    - meta: clear_host_errors\n- probe: after`) });
  assert.equal(calls, ["a:1", "a:2", "a:c", "a:after"]);
  assert.equal([o.summary!.recap.a.rescued, o.summary!.recap.a.failed], [1, 1], 'the failure still counts, as in Ansible');
  assert.equal(o.summary!.unfinished, []);
  assert.equal(o.summary!.failed, [], 'no failed host: exit code 0, as ansible-playbook\'s');
  // Ansible's issue 72725: the meta in a block of the always; the other host is untouched
  const p = await play({ hosts: ['a', 'b'], playbook: playbook(`- block:\n    - block:\n        - probe: {id: f, fail: "{{ inventory_hostname == 'a' }}"}\n        - probe: ok\n  always:\n    - block:\n        - meta: clear_host_errors\n- probe: after`) });
  assert.equal(calls.filter((c) => c.endsWith(':after')).sort(), ['a:after', 'b:after']);
  assert.equal(p.summary!.failed, []);
});

kw(['play.strategy'], 'strategy: linear (the default): no host starts a task before every host finished the one before; free: each at its own pace', async () => {
  // a is slow at the first task, b fast: linear holds b back, free does not
  const slowA = `- name: one\n  probe: {id: one, hold: "{{ 500 if inventory_hostname == 'a' else 0 }}"}\n- {name: two, probe: two}`;
  const linear = ['b one changed', 'a one changed'];
  const free = ['b one changed', 'b two changed'];
  assert.equal((await play({ hosts: ['a', 'b'], playbook: playbook(slowA) })).lines.slice(0, 2), linear);
  assert.equal((await play({ hosts: ['a', 'b'], playbook: playbook(slowA, '  strategy: free\n') })).lines.slice(0, 2), free);
  assert.equal((await play({ hosts: ['a', 'b'], playbook: playbook(slowA), opts: { strategy: 'free' } })).lines.slice(0, 2), free, 'ANSIBLE_STRATEGY / ansible.cfg strategy: the default of a play without one');
  const o = await play({ hosts: ['a', 'b'], playbook: playbook(slowA, `  strategy: "{{ s | default('linear') }}"\n  vars: {s: free}\n`) });
  assert.equal(o.lines.slice(0, 2), free, 'an expression, rendered with the play\'s vars');
  const bad = await play({ playbook: playbook('- probe: x', '  strategy: "{{ \'nope\' }}"\n') });
  assert.match(bad.results[0].msg!, 'Invalid play strategy specified: nope');
  assert.equal(calls, []);
});

test('linear: a host in a rescue, or skipping what another includes, waits for the others at the task it does not run (Ansible\'s lockstep)', async () => {
  await play({ hosts: ['a', 'b'], playbook: playbook(`- block:\n    - probe: {id: one, fail: "{{ inventory_hostname == 'a' }}"}\n    - probe: {id: two, hold: 150}\n  rescue:\n    - probe: r\n- probe: three`) });
  assert.equal(calls.slice(0, 4), ['a:one', 'b:one', 'b:two', 'a:r'], 'block tasks come before the rescue in the play');
  assert.equal(calls.slice(4).sort(), ['a:three', 'b:three']);
  // run_once in a round where the batch's first host is elsewhere (Ansible's issue 71306)
  await play({ hosts: ['a', 'b'], playbook: playbook(`- block:\n    - block:\n        - probe: {id: f, fail: "{{ inventory_hostname == 'a' }}"}\n        - {probe: once, run_once: true}\n  rescue:\n    - probe: r`) });
  assert.equal(calls, ['a:f', 'b:f', 'b:once', 'a:r']);
});

kw(['play.run_once'], 'run_once on the play applies to each task', async () => {
  await play({ hosts: ['a', 'b'], playbook: playbook('- probe: x\n- probe: y', '  run_once: true\n') });
  assert.equal(calls, ['a:x', 'a:y']);
});

kw(['play.throttle', 'task.throttle', 'block.throttle'], 'throttle: at most that many hosts run the task at once; the innermost wins', async () => {
  const hosts = ['a', 'b', 'c', 'd'];
  await play({ hosts, playbook: playbook(`- {probe: {id: t, hold: 150}, throttle: 2}\n- block:\n    - {probe: {id: b, hold: 150}}\n    - {probe: {id: i, hold: 150}, throttle: 3}\n  throttle: 1\n- probe: {id: p, hold: 150}`, '  throttle: "{{ 2 + 0 }}"\n') });
  assert.equal([peak.get('t'), peak.get('b'), peak.get('i'), peak.get('p')], [2, 1, 3, 2]);
  await play({ hosts, playbook: playbook(`- {probe: {id: t, hold: 150}, throttle: 2}`, '  strategy: free\n') });
  assert.is(peak.get('t'), 2);
});

kw(['play.ignore_unreachable', 'task.ignore_unreachable', 'block.ignore_unreachable'], 'ignore_unreachable: the host is counted ok and ignored, and stays in the play', async () => {
  const o = await play({ hosts: ['a', 'down1'], playbook: playbook(`- {name: x, probe: x, ignore_unreachable: true}\n- {name: y, probe: y}`) });
  assert.equal(o.lines.sort(), ['a x changed', 'a y changed', 'down1 x unreachable', 'down1 y unreachable']);
  assert.equal(o.summary!.recap.down1, { ok: 1, changed: 0, failed: 0, skipped: 0, rescued: 0, ignored: 1, unreachable: 1 });
  const p = await play({ hosts: ['down1'], playbook: playbook(`- probe: x`, '  ignore_unreachable: true\n') });
  assert.equal(p.summary!.recap.down1.unreachable, 0);
});

test('a play whose every host failed ends the run, as Ansible\'s; a later play does not start', async () => {
  await play({ hosts: ['a', 'b'], playbook: `- hosts: a\n  tasks:\n    - probe: {id: x, fail: true}\n- hosts: b\n  tasks:\n    - probe: y\n` });
  assert.equal(calls, ['a:x']);
});

kw(['play.serial', 'play.max_fail_percentage'], 'serial batches; a batch over max_fail_percentage ends the run: later batches never start', async () => {
  const hosts = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'];
  const fail = `"{{ inventory_hostname in ['h2'] }}"`;
  const o = await play({ hosts, playbook: playbook(`- probe: {id: t, fail: ${fail}}`, '  serial: 2\n  max_fail_percentage: 40\n') });
  assert.equal(calls.map((c) => c.split(':')[0]).sort(), ['h1', 'h2']);
  assert.equal(o.summary!.unfinished.sort(), ['h2', 'h3', 'h4', 'h5', 'h6']);
  // 1 of 2 = 50%: not over 50
  await play({ hosts, playbook: playbook(`- probe: {id: t, fail: ${fail}}`, '  serial: 2\n  max_fail_percentage: 50\n') });
  assert.is(calls.length, 6);
  // serial without max_fail_percentage: only a batch that failed entirely stops the run
  await play({ hosts, playbook: playbook(`- probe: {id: t, fail: "{{ inventory_hostname in ['h3', 'h4'] }}"}`, '  serial: 2\n') });
  assert.equal(calls.map((c) => c.split(':')[0]).sort(), ['h1', 'h2', 'h3', 'h4']);
});

kw(['play.force_handlers'], 'force_handlers (and --force-handlers): notified handlers run on a host that failed later', async () => {
  const pb = (extra: string) => playbook(`- {probe: c, notify: h}\n- {probe: {id: x, fail: true}}`, extra) + '  handlers:\n    - {name: h, probe: h}\n';
  await play({ playbook: pb('') });
  assert.equal(calls, ['a:c', 'a:x']);
  await play({ playbook: pb('  force_handlers: true\n') });
  assert.equal(calls, ['a:c', 'a:x', 'a:h']);
  await play({ playbook: pb(''), opts: { forceHandlers: true } });
  assert.equal(calls, ['a:c', 'a:x', 'a:h']);
});

kw(['meta.meta', 'meta.name', 'meta.when', 'meta.tags'], 'meta: flush_handlers runs notified handlers there; end_host ends the play for that host', async () => {
  await play({ playbook: playbook(`- {probe: c, notify: h}\n- meta: flush_handlers\n- probe: after`) + '  handlers:\n    - {name: h, probe: h}\n' });
  assert.equal(calls, ['a:c', 'a:h', 'a:after']);
  const o = await play({ hosts: ['a', 'b'], playbook: playbook(`- probe: x\n- name: stop a\n  meta: end_host\n  when: inventory_hostname == 'a'\n  tags: [t]\n- probe: y`) });
  assert.equal(calls.sort(), ['a:x', 'b:x', 'b:y']);
  assert.equal(o.summary!.unfinished, [], 'ending a host on purpose is not a failure');
});

kw(['play.pre_tasks', 'play.post_tasks'], 'pre_tasks, tasks, post_tasks in order, handlers flushed after each section', async () => {
  await play({ playbook: `- hosts: all\n  pre_tasks:\n    - {probe: pre, notify: h}\n  tasks:\n    - {probe: main, notify: h}\n  post_tasks:\n    - {probe: post}\n  handlers:\n    - {name: h, probe: h}\n` });
  assert.equal(calls, ['a:pre', 'a:h', 'a:main', 'a:h', 'a:post']);
});

kw(['import.import_playbook', 'import.name'], 'import_playbook: the other file\'s plays run in place; an import cycle is refused', async () => {
  await play({ files: { 'sub/other.yml': '- hosts: all\n  tasks:\n    - probe: other\n' }, playbook: `- import_playbook: sub/other.yml\n  name: other\n- hosts: all\n  tasks:\n    - probe: mine\n` });
  assert.equal(calls, ['a:other', 'a:mine']);
  const o = await play({ files: { 'loop.yml': '- import_playbook: loop.yml\n' }, playbook: '- import_playbook: loop.yml\n' });
  assert.is(o.code, 'bad-input');
  assert.match(o.problems.join('\n'), 'imports itself');
});

kw(['import.when', 'import.vars', 'import.tags'], 'import_playbook when/vars/tags: each imported play under the condition, its vars over the play\'s, its tags added', async () => {
  const other = { 'other.yml': '- hosts: all\n  gather_facts: false\n  vars: {x: own}\n  tasks:\n    - probe: "{{ x }}"\n' };
  await play({ files: other, playbook: `- import_playbook: other.yml\n  when: false\n- import_playbook: other.yml\n  when: true\n  vars: {x: imported}\n  tags: [t1]\n` });
  assert.equal(calls, ['a:imported']);
  calls.length = 0;
  await play({ files: other, playbook: `- import_playbook: other.yml\n  tags: t1\n- import_playbook: other.yml\n  tags: t2\n`, opts: { skipTags: ['t1'] } });
  assert.equal(calls, ['a:own']);
});

kw(['play.vars', 'task.register'], 'play vars template over host vars; register keeps a result for later tasks', async () => {
  await play({ playbook: playbook(`- {probe: {id: p, change: false, out: "{{ base }}/conf"}, register: r}\n- probe: {id: "{{ r.out }}"}`, '  vars: {base: "/etc/{{ app }}"}\n'), hosts: 'all:\n  hosts:\n    a: {connection: local, app: web}\n' });
  assert.equal(calls, ['a:/etc/web/conf']);
  // not a name: refused before the run, in Ansible's words too (its register target greps for them)
  const bad = await play({ playbook: playbook(`- {probe: p, register: 200}`) });
  assert.match(bad.problems.join('\n'), /:3:\d+: register: got 200, expected a variable name \(letters, digits, _\): Invalid variable name in 'register' specified/);
});

kw(['task.changed_when', 'task.failed_when'], 'changed_when and failed_when decide from the result', async () => {
  const o = await play({ playbook: playbook(`- {name: c, command: "echo hi", changed_when: false}\n- {name: f, shell: "exit 3", failed_when: "rc not in [0, 3]"}\n- {name: g, command: "echo bad", failed_when: "'bad' in stdout"}`) });
  assert.equal(o.lines, ['a c ok', 'a f changed', 'a g failed']);
});

kw(['task.ignore_errors', 'play.ignore_errors', 'block.ignore_errors'], 'ignore_errors: the failure is shown, counted ok and ignored, the host goes on', async () => {
  const o = await play({ playbook: playbook(`- {probe: {id: x, fail: true}, ignore_errors: true}\n- block:\n    - {probe: {id: y, fail: true}}\n  ignore_errors: true\n- probe: z`) });
  assert.equal(calls, ['a:x', 'a:y', 'a:z']);
  assert.equal([o.summary!.recap.a.ignored, o.summary!.recap.a.ok, o.summary!.recap.a.failed], [2, 3, 0]); // z changed: ok too, as Ansible counts
  await play({ playbook: playbook(`- {probe: {id: x, fail: true}}\n- probe: z`, '  ignore_errors: true\n') });
  assert.equal(calls, ['a:x', 'a:z']);
});

kw(['task.no_log', 'play.no_log', 'block.no_log'], 'no_log: changes, messages and registered values hidden', async () => {
  const o = await play({ playbook: playbook(`- {probe: {id: "s3cret", fail: "s3cret-msg"}, no_log: true, register: r, ignore_errors: true}\n- block:\n    - {probe: {id: "b10ck"}}\n  no_log: true`) });
  assert.not.match(JSON.stringify(o.results), /s3cret|b10ck/);
  const p = await play({ playbook: playbook(`- probe: pl4y`, '  no_log: true\n') });
  assert.not.match(JSON.stringify(p.results), /pl4y/);
});

kw(['task.diff', 'play.diff', 'block.diff'], 'diff: false drops a task\'s diff (report too), true shows it even without --diff; no_log and diff may be expressions, decided per host', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-kw-diff-'));
  let n = 0;
  // a file each: in check mode a second task on the same file would see the first one's content
  const task = (extra: string) => `- {name: c, content: {path: "${dir}/f${n++}.conf", content: "new\\n"}${extra}}`;
  const o = await play({ opts: { check: true }, playbook: playbook(`${task(', diff: false')}\n${task(', diff: true')}\n${task('')}\n- block:\n    - ${task(', diff: "{{ mask }}"').slice(2)}\n  diff: false`, '  vars: {mask: true}\n') });
  assert.equal(o.problems, []);
  assert.equal(o.results.map((r) => [r.diff !== undefined, r.showDiff === true]), [[false, false], [true, true], [true, false], [true, true]]);
  const p = await play({ opts: { check: true }, playbook: playbook(task(''), '  diff: false\n') });
  assert.is(p.results[0].diff, undefined);
  const hosts = 'all:\n  hosts:\n    a: {connection: local, quiet: true}\n    b: {connection: local, quiet: false}\n';
  const q = await play({ hosts, playbook: playbook(`- {probe: {id: "s3cret-{{ inventory_hostname }}", fail: true}, no_log: "{{ quiet }}", ignore_errors: true}`) });
  assert.not.match(JSON.stringify(q.results.filter((r) => r.host === 'a')), /s3cret/);
  assert.match(JSON.stringify(q.results.filter((r) => r.host === 'b')), /s3cret-b/);
  const bad = await play({ playbook: playbook(`- {probe: x, no_log: "{{ quiett }}"}`), opts: { strict: true } });
  assert.match(bad.problems.join("\n"), /:3:\d+: no_log: unknown variable "quiett"/, bad.problems.join("\n"));
  // text that is no boolean fails the task when it runs (Ansible's post-validation), ignore_errors takes it (playbook target's types.yml)
  const notBool = await play({ playbook: playbook(`- {probe: y, diff: "yes.", ignore_errors: true}\n- {probe: z, diff: "YES "}`) });
  assert.equal(notBool.problems, []);
  assert.equal(notBool.results.map((r) => [r.status, r.ignored]), [['failed', true], ['changed', undefined]]);
  assert.match(String(notBool.results[0].msg), /^the field 'diff' has an invalid value \(yes\.\), and could not be converted to an bool\.The error was: The value 'yes\.' is not a valid boolean/);
  assert.equal(calls, ['a:z']);
  // omit leaves the keyword unset (omit target: become: "{{ omit }}")
  const omitted = await play({ playbook: playbook(`- {probe: o, become: "{{ omit }}", diff: "{{ omit }}"}`) });
  assert.equal(omitted.results.map((r) => r.status), ['changed']);
  // and takes what encloses the task (omit target's 75692.yml: a play's become: yes stays)
  await play({ playbook: playbook(`- {probe: inherited, become: "{{ omit }}"}`, '  become: true\n') });
  assert.ok(opened.includes('a true -'), opened.join());
});

test('ignore_errors, check_mode, become, run_once and any_errors_fatal may be expressions, decided per host when the task runs (ignore_errors: "{{ ansible_check_mode }}")', async () => {
  const onA = `"{{ inventory_hostname == 'a' }}"`;
  const hosts = ['a', 'b'];
  await play({ hosts, playbook: playbook(`- {probe: {id: f, fail: true}, ignore_errors: ${onA}}\n- probe: after`) });
  assert.equal(calls.filter((c) => c.endsWith(':after')), ['a:after']);
  await play({ hosts, playbook: playbook(`- {probe: planned, check_mode: ${onA}}`) });
  assert.equal(calls, ['b:planned']);
  await play({ hosts, playbook: playbook(`- {probe: root, become: ${onA}}`) });
  assert.ok(opened.includes('a true -') && opened.includes('b false -') && !opened.includes('b true -'), opened.join());
  await play({ hosts, playbook: playbook(`- {probe: once, run_once: "{{ 1 < 2 }}"}`) });
  assert.is(calls.filter((c) => c.endsWith(':once')).length, 1);
  await play({ hosts, playbook: playbook(`- {probe: {id: first, fail: ${onA}}, any_errors_fatal: "{{ not ansible_check_mode }}"}\n- probe: second`) });
  assert.not.ok(calls.some((c) => c.endsWith(':second')), calls.join());
  const quiet = await play({ opts: { check: true }, playbook: playbook(`- {probe: {id: f, fail: true}, check_mode: false, ignore_errors: "{{ ansible_check_mode }}"}\n- probe: after`) });
  assert.equal(quiet.problems, []);
  assert.is(quiet.results[0].ignored, true);
  const bad = await play({ playbook: playbook(`- {probe: x, ignore_errors: "{{ lenient }}"}`), opts: { strict: true } });
  assert.match(bad.problems.join('\n'), /:3:\d+: ignore_errors: unknown variable "lenient"/, bad.problems.join('\n'));
  assert.equal(calls, []);
  // an expression that comes to no boolean fails the task there, as Ansible's strict boolean()
  const odd = await play({ playbook: playbook(`- {probe: y, become: "{{ 'sometimes' }}"}\n- probe: after`) });
  assert.equal(odd.results.map((r) => r.status), ['failed']);
  assert.match(String(odd.results[0].msg), /the field 'become' has an invalid value \(sometimes\)/);
});

kw(['task.timeout', 'play.timeout', 'block.timeout'], 'timeout: each attempt within so many seconds, else the task fails with Ansible\'s message; 0 is no limit; inner wins', async () => {
  const o = await play({
    playbook: playbook(`- {probe: {id: slow, hold: 2500}, ignore_errors: true}\n- {probe: {id: unbounded, hold: 1200}, timeout: 0}\n- block:\n    - {probe: {id: inblock, hold: 2500}, ignore_errors: true}\n  timeout: 1`, '  timeout: 1\n'),
  });
  assert.equal(o.problems, []);
  assert.equal(o.results.map((r) => r.status), ['failed', 'changed', 'failed']);
  assert.match(String(o.results[0].msg), /^The probe action failed to execute in the expected time frame \(1\) and was terminated$/);
});

kw(['task.check_mode', 'play.check_mode', 'block.check_mode'], 'check_mode: false runs a task for real under --check; true only plans it in a normal run', async () => {
  await play({ playbook: playbook(`- {probe: real, check_mode: false}\n- probe: planned`), opts: { check: true } });
  assert.equal(calls, ['a:real']);
  await play({ playbook: playbook(`- {probe: planned, check_mode: true}\n- block:\n    - probe: b\n  check_mode: true\n- probe: real`) });
  assert.equal(calls, ['a:real']);
  await play({ playbook: playbook(`- probe: p`, '  check_mode: true\n') });
  assert.equal(calls, []);
});

kw(['play.gather_facts'], 'gather_facts: a play naming a fact gathers it first, unless false (then the fact is unknown); not a boolean is refused', async () => {
  const facts = { a: readFileSync(join(import.meta.dirname, 'fixtures', 'facts', 'debian12.txt'), 'utf8') };
  const o = await play({ facts, playbook: playbook('- probe: "{{ ansible_distribution }}"', '  gather_facts: true\n') });
  assert.equal(o.lines, ['a Gathering Facts ok', 'a probe changed']);
  assert.equal(calls, ['a:Debian']);
  assert.is((await play({ facts, playbook: playbook('- probe: "{{ ansible_distribution }}"', '  gather_facts: false\n'), opts: { strict: true } })).code, 'bad-input');
  const bad = await play({ playbook: playbook('- probe: x', '  gather_facts: smart\n') });
  assert.match(bad.problems.join('\n'), /:2:17: gather_facts: got "smart", expected true or false/);
});

kw(['play.gather_subset', 'play.fact_path', 'play.gather_timeout'], "gather_subset, fact_path, gather_timeout: setup's options for the play's gathering; local facts from fact_path are ansible_local (gathering, facts_d targets)", async () => {
  const facts = { a: readFileSync(join(import.meta.dirname, 'fixtures', 'facts', 'debian12.txt'), 'utf8') };
  const dir = mkdtempSync(join(tmpdir(), 'skiff-factsd-'));
  writeFileSync(join(dir, 'mine.fact'), '{"a": 1}\n');
  const o = await play({
    facts,
    playbook: playbook('- probe: "{{ ansible_local.mine.a }}-{{ ansible_facts.ansible_local.mine.a }}"', `  gather_facts: true\n  gather_subset: ['!all', '!min', 'local']\n  fact_path: "{{ '${dir}' }}"\n  gather_timeout: 5\n`),
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a Gathering Facts ok', 'a probe changed']);
  assert.equal(calls, ['a:1-1']);
  const bad = await play({ playbook: playbook('- probe: x', '  gather_timeout: soon\n') });
  assert.match(bad.problems.join('\n'), /:2:\d+: gather_timeout: got "soon", expected a whole number of seconds/);
});

kw(['play.module_defaults', 'block.module_defaults', 'task.module_defaults'], "module_defaults: a module's arguments under a task's own, named short or by FQCN; an inner one replaces an outer's for its module; a list merged in order", async () => {
  const o = await play({
    playbook: `- hosts: all\n  module_defaults: {ansible.builtin.probe: {id: play}}\n  tasks:\n    - probe: {}\n    - block:\n        - probe: {fail: false}\n        - probe: {fail: false}\n          module_defaults: {probe: {id: task}}\n        - probe: {id: own}\n      module_defaults: [{probe: {id: first}}, {ansible.legacy.probe: {id: block}}]\n`,
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:play', 'a:block', 'a:task', 'a:own']);
});

// a collection's action group (meta/runtime.yml action_groups), as module_defaults' own target has them:
// its short `ping` is the collection's own (my.tools.ping), not ansible.builtin.ping
const GROUPS = {
  'collections/ansible_collections/my/tools/meta/runtime.yml': 'action_groups:\n  probes:\n    - ping\n    - ansible.builtin.debug\n    - metadata:\n        extend_group: [others, ansible.builtin.aws]\n  others:\n    - ansible.builtin.command\n',
  'collections/ansible_collections/my/tools/plugins/modules/ping.py': readFileSync('/usr/lib/python3/dist-packages/ansible/modules/ping.py', 'utf8'),
};
const hasAnsible = existsSync('/usr/lib/python3/dist-packages/ansible/modules/ping.py');

(hasAnsible ? test : test.skip)("module_defaults of an action group (group/NAME): every action the group or the groups it extends hold gets them, under the action's own; ansible.builtin's groups (aws) resolve to what is installed; an unknown group is Ansible's load error", async () => {
  const o = await play({
    files: GROUPS,
    playbook: `- hosts: all\n  module_defaults:\n    group/aws: {region: x}\n    group/my.tools.probes: {data: from-group}\n  tasks:\n    - ping:\n      register: p\n    - my.tools.ping:\n      register: q\n      module_defaults: {my.tools.ping: {data: own}}\n    - debug: {msg: x}\n      ignore_errors: true\n- hosts: all\n  tasks:\n    - command: 'echo {{ p.ping }} {{ q.ping }}'\n      register: c\n    - command: pwd\n      register: d\n      module_defaults: {group/my.tools.others: {chdir: /tmp}}\n    - command: pwd\n      register: e\n      module_defaults: {group/my.tools.probes: {chdir: /}}\n    - assert: {that: [\"c.stdout == 'pong own'\", \"d.stdout == '/tmp'\", \"e.stdout == '/'\"]}\n`,
  });
  assert.equal(o.problems, []);
  // debug is in the group: its `data` is debug's "Invalid options" when it runs, as in Ansible;
  // command is in it through extend_group
  assert.equal(o.lines, ['a ping ok', 'a my.tools.ping ok', 'a debug failed', 'a command changed', 'a command changed', 'a command changed', 'a assert ok']);
  const bad = await play({ files: GROUPS, playbook: `- hosts: all\n  module_defaults:\n    group/nope: {a: 1}\n  tasks:\n    - debug: {msg: hi}\n    - debug: {msg: again}\n` });
  assert.equal(bad.problems.length, 1, bad.problems.join('\n'));
  assert.match(bad.problems[0], 'Error loading module_defaults: could not resolve the module_defaults group ansible.builtin.nope');
});

kw(['block.run_once', 'block.delegate_to'], 'a block passes run_once and delegate_to to its tasks', async () => {
  await play({ hosts: ['a', 'b'], playbook: playbook(`- block:\n    - probe: {id: "{{ inventory_hostname }}"}\n  run_once: true\n  delegate_to: localhost`) });
  assert.is(calls.length, 1);
  assert.match(calls[0], /^localhost:(a|b)$/);
});

test('--start-at-task: tasks before the named one do not run, the rest do (a glob works); an unknown name is refused', async () => {
  await play({ playbook: playbook(`- {name: one, probe: {id: 1}}\n- {name: two, probe: {id: 2}}\n- {name: three, probe: {id: 3}}`), opts: { startAtTask: 'tw*' } });
  assert.equal(calls, ['a:2', 'a:3']);
  // a play's gathering before the named task is passed over too (unicode target: `--start-at-task '*¶'`)
  const g = await play({ playbook: `- hosts: all\n  gather_facts: true\n  tasks:\n    - {name: one, probe: {id: 1}}\n- hosts: all\n  gather_facts: false\n  tasks:\n    - {name: two, probe: {id: 2}}\n`, opts: { startAtTask: 'two' } });
  assert.equal(g.lines, ['a two changed']);
  const o = await play({ playbook: playbook(`- {name: one, probe: {id: 1}}`), opts: { startAtTask: 'nope' } });
  assert.match(o.problems.join('\n'), '--start-at-task: no task is named "nope"');
});

test('a loop over a list that is not one is refused before the run', async () => {
  const o = await play({ playbook: playbook(`- probe: x\n  loop: "{{ 3 }}"\n- probe: z\n  with_nosuchlookup: [[1], [2]]`) });
  const text = o.problems.join('\n');
  // `{{ 3 }}` is the text "3" (a template's number is text), no list
  assert.match(text, 'loop: got "3", expected a list');
  // a name no lookup plugin has (ansible-core's loader finds none): Ansible's task loader refuses the key
  assert.match(text, "'with_nosuchlookup' is not a valid attribute for a Task");
});

test('loop_control without a loop: the task runs once, as in Ansible (robertdebock.users: a label left on a task of an included file)', async () => {
  const o = await play({ playbook: playbook(`- probe: "{{ g }}"\n  vars: {g: wheel}\n  loop_control: {label: "{{ g }}"}\n- import_tasks: t.yml\n  loop_control: {label: x}`), files: { 't.yml': '- probe: imported\n' } });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:wheel', 'a:imported']);
});

test('registered results are in the results (the JSON report), secrets masked', async () => {
  const o = await play({ playbook: playbook(`- {probe: {id: x, out: "{{ api_token }}-ok"}, register: r}`), hosts: 'all:\n  hosts:\n    a: {connection: local, api_token: t0ps3cret}\n' });
  assert.equal(o.results[0].registered, { out: '********-ok', attempt: 1, changed: true, failed: false });
});

kw(['include.loop', 'include.loop_control'], 'loop on include_tasks: the file\'s tasks once per item, with loop_var and index_var', async () => {
  const o = await play({ playbook: playbook(`- include_tasks: t.yml\n  loop: [p, q]\n  loop_control: {loop_var: i, index_var: n}`), files: { 't.yml': '- probe: "{{ i }}{{ n }}"\n- probe: "again-{{ i }}"\n' } });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:p0', 'a:again-p', 'a:q1', 'a:again-q']);
});

kw(['include.with_items', 'include.with_list', 'include.with_dict', 'include.with_indexed_items', 'include.with_fileglob', 'include.with_together', 'include.with_nested', 'include.with_subelements', 'include.with_sequence', 'include.with_first_found', 'include.with_file', 'include.with_env'], 'with_* on include_tasks: the file once per item, as loop:', async () => {
  const o = await play({ playbook: playbook(`- include_tasks: t.yml\n  with_items: [p, [q]]\n- include_tasks: d.yml\n  with_dict: {k: v}`), files: { 't.yml': '- probe: "{{ item }}"\n', 'd.yml': '- probe: "{{ item.key }}={{ item.value }}"\n' } });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:p', 'a:q', 'a:k=v']);
});

kw(['include_role.loop', 'include_role.loop_control'], 'loop on include_role: the role once per item, with loop_var and index_var in its tasks', async () => {
  const o = await play({ playbook: playbook(`- include_role: {name: r}\n  loop: [p, q]\n  loop_control: {loop_var: i, index_var: n}`), files: { 'roles/r/tasks/main.yml': '- probe: "{{ i }}{{ n }}"\n- probe: "again-{{ i }}"\n' } });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:p0', 'a:again-p', 'a:q1', 'a:again-q']);
});

kw(['include_role.with_items', 'include_role.with_list', 'include_role.with_dict', 'include_role.with_indexed_items', 'include_role.with_fileglob', 'include_role.with_together', 'include_role.with_nested', 'include_role.with_subelements', 'include_role.with_sequence', 'include_role.with_first_found', 'include_role.with_file', 'include_role.with_env'], 'with_* on include_role: the role once per item, as loop:', async () => {
  const o = await play({ playbook: playbook(`- include_role: {name: "{{ item }}"}\n  with_items: [r, [s]]\n- include_role: {name: r}\n  with_dict: {k: v}`), files: { 'roles/r/tasks/main.yml': '- probe: "r {{ item.key | d(item) }}"\n', 'roles/s/tasks/main.yml': '- probe: "s {{ item }}"\n' } });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:r r', 'a:s s', 'a:r k']);
});

kw(['include.include'], "the old `include:` is import_tasks with a plain name, include_tasks with a templated one or a loop (Ansible's helpers.py)", async () => {
  const o = await play({ playbook: playbook(`- include: t.yml\n  tags: [x]\n- include: "{{ f }}"\n  vars: {f: t.yml}\n  tags: [x]`), files: { 't.yml': '- probe: t\n' }, opts: { tags: ['x'] } });
  assert.equal(o.problems, []);
  // static: its tags on the task; dynamic: the include's own, so under --tags x its untagged task does not run
  assert.equal(calls, ['a:t']);
  assert.equal(o.lines, ['a probe changed', 'a include ok']);
});

kw(['include.import_tasks', 'include.include_tasks', 'include.name'], 'import_tasks / include_tasks: the file\'s tasks run where the include is', async () => {
  const o = await play({ playbook: playbook(`- probe: one\n- {name: first, import_tasks: t.yml}\n- {name: again, include_tasks: {file: t.yml}}\n- probe: two`), files: { 't.yml': '- probe: t\n' } });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:one', 'a:t', 'a:t', 'a:two']);
});

kw(['play.roles', 'role.role', 'role.name'], 'roles: run after pre_tasks and before tasks, written as a name, {role: x} or {name: x}; each once', async () => {
  const o = await play({
    playbook: `- hosts: all\n  roles: [r, {role: s}, {name: r}]\n  tasks:\n    - probe: task\n  pre_tasks:\n    - probe: pre\n`,
    files: { 'roles/r/tasks/main.yml': '- probe: r\n', 'roles/s/tasks/main.yml': '- probe: s\n' },
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:pre', 'a:r', 'a:s', 'a:task']);
});

kw(['include_role.import_role', 'include_role.include_role', 'include_role.name', 'role_call.name', 'role_call.tasks_from'], 'import_role / include_role: the role\'s tasks (or tasks_from\'s) run where the task is', async () => {
  const o = await play({
    playbook: playbook(`- probe: one\n- {name: main, import_role: {name: r}}\n- {name: other, include_role: {name: r, tasks_from: other}}\n- probe: two`),
    files: { 'roles/r/tasks/main.yml': '- probe: main\n', 'roles/r/tasks/other.yml': '- probe: other\n' },
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:one', 'a:main', 'a:other', 'a:two']);
});

/**
 * Each keyword a block passes to its tasks, passed the same way by an include, a role import and a
 * `roles:` entry: a case shows the keyword's effect on the included task `in` (and on `after`, outside).
 */
interface InheritCase {
  value: string;
  inner?: string;
  after?: string;
  hosts?: string[] | string;
  opts?: Case['opts'];
  check: (o: Outcome) => void;
}
const SSH_HOST = 'all:\n  hosts:\n    a: {accept_new_host_keys: true}\n';
const INHERITED: Record<keyof typeof Inheritable, InheritCase> = {
  // the module's arguments under the task's own, for the tasks inside only
  module_defaults: { value: '{probe: {id: defaulted}}', inner: '- probe: {fail: false}\n- probe: {id: own}', after: '- probe: {id: after}', check: () => assert.equal(calls, ['a:defaulted', 'a:own', 'a:after']) },
  when: { value: 'false', check: () => assert.equal(calls, ['a:after']) },
  tags: { value: '[t]', opts: { tags: ['t'] }, check: () => assert.equal(calls, ['a:in']) },
  vars: { value: '{x: v}', inner: '- probe: "{{ x }}"', check: () => assert.equal(calls, ['a:v', 'a:after']) },
  environment: { value: '{E: env}', inner: "- {shell: 'echo $E', register: r}", after: '- probe: "{{ r.stdout }}"', check: () => assert.equal(calls, ['a:env']) },
  become: { value: 'true', check: () => assert.ok(opened.includes('a true -'), opened.join()) },
  become_user: { value: 'postgres', inner: '- {probe: in, become: true}', check: () => assert.ok(opened.includes('a true postgres'), opened.join()) },
  // su instead of sudo; its program and flags (Ansible's become_exe, become_flags)
  become_method: { value: 'su', inner: '- {probe: in, become: true}', check: () => assert.equal(becameBy, ['a su - -']) },
  become_exe: { value: '/usr/local/bin/sudo', inner: '- {probe: in, become: true}', check: () => assert.equal(becameBy, ['a sudo /usr/local/bin/sudo -']) },
  become_flags: { value: '"-H -E"', inner: '- {probe: in, become: true}', check: () => assert.equal(becameBy, ['a sudo - -H -E']) },
  ignore_errors: { value: 'true', inner: '- probe: {id: in, fail: true}', check: () => assert.equal(calls, ['a:in', 'a:after']) },
  no_log: { value: 'true', inner: '- probe: s3cret', check: (o) => assert.not.match(JSON.stringify(o.results), 's3cret') },
  diff: { value: 'false', inner: `- {content: {path: "${join(tmpdir(), 'skiff-kw-never-written.conf')}", content: "x"}, check_mode: true}`, check: (o) => assert.is(o.results[0].diff, undefined) },
  check_mode: { value: 'true', check: () => assert.equal(calls, ['a:after']) },
  any_errors_fatal: { value: 'true', hosts: ['a', 'b'], inner: `- probe: {id: in, fail: "{{ inventory_hostname == 'a' }}"}`, check: () => assert.not.ok(calls.some((c) => c.endsWith(':after'))) },
  run_once: { value: 'true', hosts: ['a', 'b'], check: () => assert.is(calls.filter((c) => c.endsWith(':in')).length, 1) },
  delegate_to: { value: 'localhost', check: () => assert.equal(calls, ['localhost:in', 'a:after']) },
  // the set_fact's fact is the delegated host's, not this one's (delegate_to target's delegate_facts_block.yml)
  delegate_facts: { value: 'true', inner: '- {set_fact: {qq2: 333}, delegate_to: localhost}', after: `- probe: "{{ qq2 | default('none') }} {{ hostvars['localhost'].qq2 | default('none') }}"`, check: () => assert.equal(calls, ['a:none 333']) },
  ignore_unreachable: { value: 'true', hosts: ['down1'], check: (o) => assert.equal(o.results.map((r) => `${r.status} ${r.ignored ?? ''}`), ['unreachable true', 'unreachable ']) },
  // each attempt within the seconds given: past them the task fails with Ansible's message (playbook target's timeout.yml)
  timeout: { value: '1', inner: '- probe: {id: slow, hold: 2500}', check: (o) => assert.match(String(o.results.find((r) => r.status === 'failed')?.msg), /^The probe action failed to execute in the expected time frame \(1\) and was terminated$/) },
  throttle: { value: '1', hosts: ['a', 'b', 'c'], inner: '- probe: {id: in, hold: 150}', check: () => assert.is(peak.get('in'), 1) },
  // over a local connection the SSH user plays no part (Ansible's local connection ignores it too)
  remote_user: { value: 'deploy', check: () => assert.equal(calls, ['a:in', 'a:after']) },
  // a host without its own connection var: reached over ssh (the default), the keyword's tasks locally
  connection: { value: 'local', hosts: SSH_HOST, check: () => assert.ok(reached.includes('a local') && reached.includes('a ssh'), reached.join()) },
  // never: what skiff does anyway (it has no debugger); the values that would prompt are refused (below)
  debugger: { value: 'never', check: () => assert.equal(calls, ['a:in', 'a:after']) },
};
const WRAPPERS: Record<string, (key: string, value: string, inner: string, after: string) => Pick<Case, 'playbook' | 'files'>> = {
  // import_tasks: static, its keywords on each task (include_tasks' are its own: the tests below)
  include: (k, value, inner, after) => ({ playbook: playbook(`- import_tasks: inc.yml\n  ${k}: ${value}\n${after}`), files: { 'inc.yml': `${inner}\n` } }),
  include_role: (k, value, inner, after) => ({ playbook: playbook(`- import_role: {name: r}\n  ${k}: ${value}\n${after}`), files: { 'roles/r/tasks/main.yml': `${inner}\n` } }),
  role: (k, value, inner, after) => ({ playbook: `- hosts: all\n  roles:\n    - {role: r, ${k}: ${value}}\n  tasks:\n${after.replace(/^/gm, '    ')}\n`, files: { 'roles/r/tasks/main.yml': `${inner}\n` } }),
};
for (const [prefix, wrap] of Object.entries(WRAPPERS)) {
  for (const [k, c] of Object.entries(INHERITED)) {
    kw([`${prefix}.${k}`], `${k} on ${prefix === 'role' ? 'a roles: entry' : `an ${prefix}`} applies to each task it brings in, as on a block`, async () => {
      const o = await play({ ...wrap(k, c.value, c.inner ?? '- probe: in', c.after ?? '- probe: after'), hosts: c.hosts, opts: c.opts });
      assert.equal(o.problems, []);
      c.check(o);
    });
  }
}

kw(['play.vars_files'], 'vars_files: over play vars, under role vars/; names rendered for the host; a nested list is first-found; vars/NAME first', async () => {
  const o = await play({
    hosts: 'all:\n  hosts:\n    a: {connection: local, env: prod}\n',
    playbook: `- hosts: all
  vars: [{x: play, y: play}, {z: "{{ y }}"}]
  vars_files:
    - common.yml
    - ["{{ env }}.yml", default.yml]
    - [missing.yml, default.yml]
  tasks:
    - probe: "{{ x }}-{{ y }}-{{ z }}-{{ w }}-{{ d }}"
`,
    files: { 'vars/common.yml': 'x: common\nw: "{{ env }}-w"\n', 'common.yml': 'x: not-this-one\n', 'prod.yml': 'y: prod\n', 'default.yml': 'd: default\n' },
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:common-prod-prod-prod-w-default']);
  const missing = await play({ playbook: '- hosts: all\n  vars_files: [nope.yml]\n  tasks: [{probe: x}]\n' });
  assert.match(missing.problems.join('\n'), /play\d+\.yml:2:16: vars file nope\.yml was not found: looked for .*\/vars\/nope\.yml, .*\/nope\.yml \(host a\)/);
});

test('role params: other keys of a roles: entry are variables of the role, as in Ansible', async () => {
  const o = await play({
    playbook: '- hosts: all\n  roles:\n    - {role: r, param_var: p1}\n    - role: r\n      param_var: p2\n',
    files: { 'roles/r/tasks/main.yml': '- probe: "{{ param_var }}"\n' },
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:p1', 'a:p2']);
});

kw(['play.order', 'play.strategy'], 'order: the play\'s hosts reversed or sorted; strategy linear/free/host_pinned accepted, others refused by name', async () => {
  await play({ hosts: ['b', 'c', 'a'], playbook: '- hosts: all\n  order: sorted\n  strategy: free\n  tasks: [{probe: x}]\n' });
  assert.equal(calls, ['a:x', 'b:x', 'c:x']);
  await play({ hosts: ['b', 'c', 'a'], playbook: '- hosts: all\n  order: reverse_inventory\n  tasks: [{probe: x}]\n' });
  assert.equal(calls, ['a:x', 'c:x', 'b:x']);
  const bad = await play({ playbook: '- hosts: all\n  strategy: debug\n  tasks: [{probe: x}]\n' });
  assert.match(bad.problems.join("\n"), /:2:\d+: strategy: got "debug", expected/);
});

kw(['play.collections'], "collections: a short module name is the first listed collection's module of that name (Ansible's CollectionSearch); ansible.builtin keeps skiff's", async () => {
  const coll = { ...TEST_REGISTRY.types.get('probe')!, name: 'testns.testcoll.probe' };
  const types = TEST_REGISTRY.types;
  types.set('testns.testcoll.probe', { ...coll, plan: async (_ctx, p) => ({ changes: [`collection probe ${(p as { id: string }).id}`] }) });
  try {
    const o = await play({ playbook: '- hosts: all\n  collections: [testns.testcoll]\n  tasks: [{probe: x}]\n' });
    assert.equal(o.results[0].changes, ['collection probe x']);
    assert.is(o.results[0].task, 'probe', 'an unnamed task is named by its action as written');
    const b = await play({ playbook: '- hosts: all\n  collections: [ansible.builtin, testns.testcoll]\n  tasks: [{probe: x}]\n' });
    assert.equal(b.results[0].changes, ['probe x']);
  } finally {
    types.delete('testns.testcoll.probe');
  }
});

kw(['task.collections', 'block.collections'], "collections: on a block or a task: its own short names are looked up there first, over the play's (ansiballz_dupe); a string is a list of one", async () => {
  const types = TEST_REGISTRY.types;
  for (const c of ['one.coll', 'two.coll']) types.set(`${c}.probe`, { ...types.get('probe')!, name: `${c}.probe`, plan: async (_ctx, p) => ({ changes: [`${c} ${(p as { id: string }).id}`] }) });
  try {
    const o = await play({
      playbook: '- hosts: all\n  collections: [one.coll]\n  tasks:\n    - probe: a\n    - {probe: b, collections: [two.coll]}\n    - {probe: c, collections: two.coll}\n    - block:\n        - probe: d\n      collections: [two.coll]\n',
    });
    assert.equal(o.problems, []);
    assert.equal(o.results.map((r) => r.changes), [['one.coll a'], ['two.coll b'], ['two.coll c'], ['two.coll d']]);
  } finally {
    for (const c of ['one.coll', 'two.coll']) types.delete(`${c}.probe`);
  }
});

kw(['include.notify'], "notify on import_tasks: each imported task's that has none of its own (import_tasks inherit_notify)", async () => {
  const files = { 'tasks/trigger_change.yml': '- probe: changed\n- {probe: own, notify: other}\n' };
  await play({ files, playbook: '- hosts: all\n  tasks:\n    - import_tasks: tasks/trigger_change.yml\n      notify: hello\n  handlers:\n    - {name: hello, probe: handled}\n    - {name: other, probe: other}\n' });
  assert.equal(calls, ['a:changed', 'a:own', 'a:handled', 'a:other']);
});

kw(['task.remote_user', 'block.remote_user'], 'remote_user on an SSH host: the user it is reached as, over -u; a block\'s over its play\'s, a task\'s over both; any ansible_user variable wins over it (as in Ansible)', async () => {
  const inv = (user: string) => `all:\n  hosts:\n    s: {ansible_host: 192.0.2.1, accept_new_host_keys: true${user}}\n`;
  const pb = '- hosts: all\n  remote_user: fromplay\n  tasks:\n    - command: echo a\n    - block:\n        - command: echo b\n        - {command: echo c, remote_user: fromtask}\n      remote_user: fromblock\n';
  const o = await play({ hosts: inv(''), playbook: pb, opts: { connDefaults: { user: { value: 'fromcli', origin: { file: '-u', line: 0, col: 0 } } } } });
  assert.equal(o.problems, []);
  assert.equal(via, ['s fromplay@192.0.2.1:22', 's fromblock@192.0.2.1:22', 's fromtask@192.0.2.1:22']);
  await play({ hosts: inv(', ansible_user: admin'), playbook: pb });
  assert.equal(via, ['s admin@192.0.2.1:22']);
  await play({ hosts: inv(''), playbook: pb.replace('  tasks:', '  vars: {ansible_user: playvar}\n  tasks:') });
  assert.equal(via, ['s playvar@192.0.2.1:22']);
});

kw(['play.connection', 'task.connection', 'block.connection'], 'connection: over the -c default for its tasks; a host\'s own ansible_connection wins; only local and ssh (smart)', async () => {
  const o = await play({ hosts: SSH_HOST, playbook: '- hosts: all\n  connection: local\n  tasks:\n    - probe: one\n    - {probe: two, connection: smart}\n    - block: [{probe: three}]\n      connection: ssh\n' });
  assert.equal(o.problems, []);
  assert.equal([...new Set(reached)].sort(), ['a local', 'a ssh']);
  assert.equal(calls, ['a:one', 'a:two', 'a:three']);
  // -c local as the default, the play asks for ssh
  const c = await play({ hosts: SSH_HOST, playbook: '- hosts: all\n  connection: ssh\n  tasks: [{probe: one}]\n', opts: { connDefaults: { connection: { value: 'local', origin: { file: '-c', line: 0, col: 0 } } } } });
  assert.equal(c.problems, []);
  assert.equal([...new Set(reached)], ['a ssh']);
  // the host's own var wins over the keyword (Ansible's task_executor reads ansible_connection first)
  const own = await play({ hosts: 'all:\n  hosts:\n    a: {ansible_connection: local}\n', playbook: '- hosts: all\n  connection: ssh\n  tasks: [{probe: one}]\n' });
  assert.equal(own.problems, []);
  assert.equal([...new Set(reached)], ['a local']);
  const bad = await play({ playbook: '- hosts: all\n  connection: docker\n  tasks: [{probe: one}]\n' });
  assert.match(bad.problems.join('\n'), 'expected local, ssh or smart (skiff has no other connection plugin)');
  const later = await play({ hosts: SSH_HOST, playbook: playbook('- {probe: one, connection: "{{ c }}", vars: {c: winrm}}\n- {probe: two, connection: "{{ c }}", vars: {c: local}}') });
  assert.equal(later.lines, ['a probe failed']);
  assert.match(later.results[0].msg ?? '', 'connection: got "winrm", expected local, ssh or smart');
});

test("a task's own ansible_connection var wins over the host's; one skiff lacks fails that task by name, never runs over another (connection_remote_is_local target)", async () => {
  const o = await play({ hosts: SSH_HOST, playbook: playbook('- {probe: one, vars: {ansible_connection: local}}\n- {probe: two, vars: {ansible_connection: remote_is_local}, ignore_errors: true}') });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a probe changed', 'a probe failed']);
  assert.ok(reached.includes('a local'), reached.join());
  assert.equal(calls, ['a:one']);
  assert.match(o.results[1].msg ?? '', 'ansible_connection remote_is_local is not supported by skiff: expected local, ssh or smart');
});

kw(['play.become_method', 'block.become_method', 'task.become_method'], 'become_method: sudo or su (become target: su from root to ansibletest0); another method is refused by name (written out) or fails the task (an expression)', async () => {
  const o = await play({ playbook: playbook('- {probe: a, become: true, become_method: ansible.builtin.sudo}\n- {probe: s, become: true, become_method: "{{ s }}", vars: {s: su}}\n- block:\n    - {probe: b, become: true, become_method: "{{ m }}", ignore_errors: true}\n  vars: {m: doas}', '  become_method: sudo\n') });
  assert.equal(o.problems, []);
  assert.equal(o.results.map((r) => r.status), ['changed', 'changed', 'failed']);
  assert.equal(becameBy, ['a sudo - -', 'a su - -']);
  assert.match(String(o.results[2].msg), /become_method doas is not supported by skiff: it becomes through sudo or su only/);
  for (const m of ['doas', 'pbrun', 'runas', 'machinectl']) {
    const refused = await play({ playbook: playbook(`- {probe: a, become_method: ${m}}`) });
    assert.match(refused.problems.join('\n'), `become_method ${m} is not supported by skiff: it becomes through sudo or su only`);
  }
});

test('--become-method: how each play that says no become_method becomes (a play that says one keeps it); another method refused before the run', async () => {
  const o = await play({ playbook: '- hosts: all\n  become: true\n  tasks: [{probe: a}]\n- hosts: all\n  become: true\n  become_method: sudo\n  tasks: [{probe: b}]\n', opts: { becomeMethod: 'su' } });
  assert.equal(o.problems, []);
  assert.equal(becameBy, ['a su - -', 'a sudo - -']);
  const bad = await play({ playbook: playbook('- probe: a'), opts: { becomeMethod: 'doas' } });
  assert.match(bad.problems.join('\n'), /--become-method.*become_method doas is not supported by skiff: it becomes through sudo or su only/);
});

kw(['task.become_exe', 'task.become_flags'], 'ansible_become_method, _exe and _flags as task vars (or include vars) over the keywords, as ansible_become_user', async () => {
  const o = await play({
    playbook: playbook('- {probe: a, become: true, become_method: sudo, become_flags: "-H", vars: {ansible_become_method: su, ansible_become_exe: /bin/su, ansible_become_flags: "-l"}}\n- {probe: b, become: true, become_exe: "{{ e }}", vars: {e: /opt/su, ansible_become_method: "{{ \'su\' }}"}}'),
  });
  assert.equal(o.problems, []);
  assert.equal(becameBy, ['a su /bin/su -l', 'a su /opt/su -']);
});

kw(['play.become_exe', 'play.become_flags', 'block.become_exe', 'block.become_flags'], "become_exe and become_flags: a block's over its play's, each task's over both", async () => {
  const o = await play({ playbook: playbook('- {probe: a, become: true}\n- block:\n    - {probe: b, become: true}\n    - {probe: c, become: true, become_flags: "-l"}\n  become_exe: /bin/su\n  become_flags: "-m"\n  become_method: su', '  become_exe: /opt/sudo\n  become_flags: "-H"\n') });
  assert.equal(o.problems, []);
  assert.equal(becameBy, ['a sudo /opt/sudo -H', 'a su /bin/su -m', 'a su /bin/su -l']);
});

kw(['task.become_method'], 'ansible_become_method in the inventory: the host becomes so, over a task\'s become_method (a var over a keyword: ansible-playbook -vvv ran su); another method is refused before the run', async () => {
  const o = await play({ hosts: 'all:\n  hosts:\n    a: {connection: local, ansible_become_method: su, ansible_become_flags: "-l"}\n', playbook: playbook('- {probe: a, become: true}\n- {probe: b, become: true, become_method: sudo}') });
  assert.equal(o.problems, []);
  // both tasks become alike: one connection
  assert.equal(becameBy, ['a su - -l']);
  const bad = await play({ hosts: 'all:\n  hosts:\n    a: {connection: local, ansible_become_method: doas}\n', playbook: playbook('- {probe: a, become: true}') });
  assert.match(bad.problems.join('\n'), 'become_method doas is not supported by skiff: it becomes through sudo or su only');
});

kw(['play.vars_prompt'], 'vars_prompt: the answer typed on the terminal is a play var (the full cases: plays-ansible.test.ts)', async () => {
  const promptIO = { interactive: true, ask: () => 'typed', say: () => undefined };
  await play({ playbook: '- hosts: all\n  vars_prompt: [{name: answer}]\n  tasks: [{probe: "{{ answer }}"}]\n', opts: { promptIO } });
  assert.equal(calls, ['a:typed']);
});

kw(['play.remote_user'], 'remote_user: accepted over a local connection (no SSH user to set); hosts: as a list is one pattern', async () => {
  const o = await play({ hosts: ['a', 'b', 'c'], playbook: '- hosts: [a, c]\n  remote_user: deploy\n  tasks: [{probe: "{{ ansible_play_name }}"}]\n' });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:a,c', 'c:a,c']);
});

test('magic variables: ansible_check_mode, ansible_diff_mode, inventory_dir/file, playbook_dir, group_names, inventory_hostname_short', async () => {
  const inv = 'all:\n  children:\n    web: {hosts: {a.example.com: {connection: local}}}\n    db: {hosts: {a.example.com: {}}}\n';
  const pb = playbook(`- probe: {id: "{{ ansible_check_mode }} {{ ansible_diff_mode }} {{ group_names | join(',') }} {{ inventory_hostname_short }}"}\n  check_mode: false\n- probe: {id: "{{ inventory_dir == playbook_dir }} {{ inventory_file | length > 0 }}"}\n  check_mode: false`);
  // booleans inside text print as Python prints them, as in Ansible
  await play({ hosts: inv, playbook: pb, opts: { check: true, diff: true } });
  assert.equal(calls, ['a.example.com:True True db,web a', 'a.example.com:True True']);
  await play({ hosts: inv, playbook: pb });
  assert.equal(calls[0], 'a.example.com:False False db,web a');
});

test('magic variables: ansible_play_name, ansible_play_hosts (failed hosts leave it), ansible_play_hosts_all, ansible_play_batch and play_hosts (the serial batch), vars (every variable, by name)', async () => {
  const hosts = ['a', 'b', 'c'];
  const pb = `- name: P\n  hosts: all\n  serial: 2\n  vars: {x: 1}\n  tasks:\n    - probe: {id: f, fail: "{{ inventory_hostname == 'a' }}"}\n    - probe: {id: "{{ ansible_play_name }} {{ ansible_play_hosts | join(',') }} {{ ansible_play_hosts_all | join(',') }} {{ ansible_play_batch | join(',') }} {{ play_hosts | join(',') }} {{ vars['x'] }} {{ 'x' in vars }} {{ 'y' in vars }} {{ vars.inventory_hostname }}"}\n`;
  const o = await play({ hosts, playbook: pb });
  assert.equal(o.problems, []);
  assert.equal(calls.filter((c) => c !== 'a:f' && !c.endsWith(':f')), ['b:P b,c a,b,c b b 1 True False b', 'c:P b,c a,b,c c c 1 True False c']);
  const bad = await play({ playbook: playbook(`- probe: {id: "{{ vars['nope'] }}"}`), opts: { strict: true } });
  assert.match(bad.problems.join('\n'), /vars has no key "nope"/, bad.problems.join('\n'));
});

test('omit: a parameter (or a key of a map in one) whose value is omit is left out, as if not written; a list item stays, as in Ansible', async () => {
  const o = await play({ playbook: playbook(`- probe: {id: x, fail: "{{ no_such_var | default(omit) }}", out: {a: "{{ omit }}", b: 1, l: ["{{ omit }}", {c: "{{ omit }}", d: 2}]}}
  register: r
- probe: {id: "{{ 'a' in r.out }}-{{ r.out.b }}-{{ 'c' in r.out.l[1] }}-{{ r.out.l | length }}"}`) });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:x', 'a:False-1-False-2']);
  assert.equal(o.results.map((r) => r.status), ['changed', 'changed']);
});

kw(['block.notify'], "notify on a block: each task of it that changes notifies, unless it has a notify of its own (Ansible's Notifiable)", async () => {
  await play({
    playbook: playbook(`- block:\n    - probe: one\n    - {probe: {id: two, change: false}}\n    - {probe: three, notify: own}\n  notify: from_block`) + '  handlers:\n    - {name: from_block, probe: hb}\n    - {name: own, probe: ho}\n',
  });
  assert.equal(calls, ['a:one', 'a:three', 'a:hb', 'a:ho']);
});

kw(['role_call.handlers_from'], "include_role / import_role handlers_from: the role's handlers come from that file of its handlers/", async () => {
  const o = await play({
    playbook: playbook(`- import_role: {name: meta, handlers_from: alternate.yml}\n- {probe: c, notify: set_handler_fact_1}`),
    files: { 'roles/meta/tasks/main.yml': '- probe: r\n', 'roles/meta/handlers/main.yml': '- {name: set_handler_fact_1, probe: main}\n', 'roles/meta/handlers/alternate.yml': '- {name: set_handler_fact_1, probe: alternate}\n' },
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:r', 'a:c', 'a:alternate']);
  // Ansible's free form, as its handlers target writes it (from_handlers.yml)
  const kv = await play({
    playbook: playbook(`- import_role: name=meta handlers_from=alternate.yml\n- {probe: c, notify: set_handler_fact_1}`),
    files: { 'roles/meta/tasks/main.yml': '- probe: r\n', 'roles/meta/handlers/main.yml': '- {name: set_handler_fact_1, probe: main}\n', 'roles/meta/handlers/alternate.yml': '- {name: set_handler_fact_1, probe: alternate}\n' },
  });
  assert.equal(kv.problems, []);
  assert.equal(calls, ['a:r', 'a:c', 'a:alternate']);
});

kw(['role_call.vars_from', 'role_call.defaults_from'], "include_role / import_role vars_from, defaults_from: the role's vars and defaults come from those files (include_import target)", async () => {
  const files = { 'roles/r/tasks/main.yml': '- debug: {msg: "{{ v }} {{ d }}"}\n  register: out\n- set_fact: {seen: "{{ out.msg }}"}\n', 'roles/r/vars/main.yml': 'v: main\n', 'roles/r/vars/other.yml': 'v: other\n', 'roles/r/defaults/main.yml': 'd: dmain\n', 'roles/r/defaults/more.yml': 'd: dmore\n' };
  for (const action of ['import_role', 'include_role']) {
    const o = await play({ playbook: playbook(`- ${action}: {name: r, vars_from: other.yml, defaults_from: more.yml}\n- assert: {that: seen == 'other dmore'}`), files });
    assert.equal(o.problems, []);
    assert.ok(o.lines.every((l) => !l.endsWith('failed')), o.lines.join('\n'));
  }
  // Ansible's parser: a list is refused with its words (runme.sh greps them)
  const bad = await play({ playbook: playbook('- include_role: {name: r, vars_from: [other.yml]}'), files });
  assert.match(bad.problems.join('\n'), /Expected a string for vars_from but got <class 'ansible\.parsing\.yaml\.objects\.AnsibleSequence'> instead/);
});

kw(['task.debugger', 'block.debugger', 'play.debugger'], 'debugger: never or nothing runs as without it; a debugger that would prompt is refused by name (include_import valid_include_keywords)', async () => {
  const o = await play({ playbook: '- hosts: all\n  debugger: ~\n  tasks:\n    - block:\n        - {probe: x, debugger: never}\n      debugger: ~\n' });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:x']);
  const bad = await play({ playbook: playbook('- {probe: x, debugger: on_failed}') });
  assert.match(bad.problems.join('\n'), /debugger: got "on_failed", expected never or nothing: skiff has no task debugger/);
});

kw(['include.listen'], "listen on a handler that is an include_tasks: a notify of the topic runs it; args: merged into the include's own (include_import valid_include_keywords)", async () => {
  const o = await play({
    playbook: '- hosts: all\n  handlers:\n    - include_tasks: {file: h.yml}\n      listen: [topic]\n  tasks:\n    - {probe: {id: c, change: true}, notify: topic}\n    - include_tasks: t.yml\n      args: {apply: {vars: {v: applied}}}\n',
    files: { 'h.yml': '- probe: handled\n', 't.yml': '- probe: "{{ v }}"\n' },
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:c', 'a:applied', 'a:handled']);
  const task = await play({ playbook: playbook('- include_tasks: {file: h.yml}\n  listen: topic'), files: { 'h.yml': '- probe: x\n' } });
  assert.match(task.problems.join('\n'), /'listen' is not a valid attribute for a TaskInclude/);
});

kw(['role_call.public'], "include_role public: the role's vars/ and defaults/ are the play's once included; without it they stay the role's (include_import public_exposure)", async () => {
  const files = { 'roles/r/tasks/main.yml': '- probe: r\n', 'roles/r/vars/main.yml': 'rv: vars\n', 'roles/r/defaults/main.yml': 'rd: defaults\n' };
  const o = await play({ playbook: playbook("- include_role: {name: r}\n- assert: {that: [rv is undefined, rd is undefined]}\n- include_role: {name: r, public: true}\n- assert: {that: [\"rv == 'vars'\", \"rd == 'defaults'\"]}"), files });
  assert.equal(o.problems, []);
  assert.equal(o.lines.filter((l) => l.includes('assert')), ['a assert ok', 'a assert ok']);
  const imported = await play({ playbook: playbook('- import_role: {name: r, public: true}'), files });
  assert.match(imported.problems.join('\n'), /Invalid options for import_role: public/);
});

kw(['role_call.allow_duplicates', 'role_call.rolespec_validate'], "import_role allow_duplicates (templated too) and a role's meta allow_duplicates; rolespec_validate: false (include_import test_templating_IncludeRole_FA, test_allow_single_role_dup)", async () => {
  const files = { 'roles/r/tasks/main.yml': '- probe: r\n', 'roles/d/tasks/main.yml': '- probe: d\n', 'roles/d/meta/main.yml': 'allow_duplicates: true\n' };
  const o = await play({ playbook: playbook('- import_role: {name: r, allow_duplicates: "{{ False | bool }}"}\n- import_role: {name: r, allow_duplicates: "{{ False | bool }}"}\n- include_role: {name: r, rolespec_validate: "{{ False | bool }}"}'), files });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:r', 'a:r']);
  const listed = await play({ playbook: '- hosts: all\n  roles: [d, d, d, r, r]\n', files });
  assert.equal(listed.problems, []);
  assert.equal(calls, ['a:d', 'a:d', 'a:d', 'a:r']);
  // true, Ansible's default: the role's argument specs are checked (role-argument-spec.test.ts); r has none
  const validated = await play({ playbook: playbook('- include_role: {name: r, rolespec_validate: true}'), files });
  assert.equal(validated.problems, []);
  assert.equal(calls, ['a:r']);
});

kw(['role_call.apply'], "include_role apply: keywords for the role's tasks, where the include's own tags select the include (include_import apply/include_apply.yml)", async () => {
  const files = { 'roles/r/tasks/main.yml': '- probe: r\n' };
  const o = await play({ playbook: playbook('- include_role: {name: r, apply: {tags: [foo]}}\n  tags: [always]\n- include_role: {name: r, apply: {tags: [foo]}}\n  tags: [other]'), files, opts: { tags: ['foo'] } });
  assert.equal(o.problems, []);
  // the first include is selected (always) and its task has foo; the second is not selected
  assert.equal(calls, ['a:r']);
  const imported = await play({ playbook: playbook('- import_role: {name: r, apply: {tags: [foo]}}'), files });
  assert.match(imported.problems.join('\n'), /Invalid options for import_role: apply/);
});

kw(['include.register', 'include_role.register'], 'register on include_tasks / include_role: the include\'s own result, skipped or failed (include_import undefined_var)', async () => {
  const o = await play({
    playbook: playbook('- include_tasks: t.yml\n  register: ti\n- include_role: {name: r}\n  register: ri\n  when: false\n- assert: {that: [ti is not failed, ti is not skipped, ri is skipped]}'),
    files: { 't.yml': '- probe: t\n', 'roles/r/tasks/main.yml': '- probe: r\n' },
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines.at(-1), 'a assert ok');
  assert.equal(calls, ['a:t']);
});

kw(['role_call.public'], "include_role public: the role's vars and defaults are the play's once it runs, not before (as ansible-core 2.14 prints them); import_role refuses it", async () => {
  const files = { 'roles/r/vars/main.yml': 'rv: r-var\n', 'roles/r/defaults/main.yml': 'rd: r-default\n', 'roles/r/tasks/main.yml': '- probe: in r\n' };
  const o = await play({
    playbook: playbook(`- probe: {id: "before {{ rv | default('undef') }} {{ rd | default('undef') }}"}\n- include_role: {name: r, public: yes}\n- probe: {id: "after {{ rv }} {{ rd }}"}`),
    files,
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:before undef undef', 'a:in r', 'a:after r-var r-default']);
  // the free form, and without it the role's variables stay its own
  const kv = await play({ playbook: playbook(`- include_role: name=r public=yes\n- probe: {id: "{{ rv }}"}`), files });
  assert.equal(kv.problems, []);
  assert.equal(calls, ['a:in r', 'a:r-var']);
  const own = await play({ playbook: playbook(`- include_role: name=r public=no\n- probe: {id: "{{ rv | default('undef') }}"}`), files });
  assert.equal(own.problems, []);
  assert.equal(calls, ['a:in r', 'a:undef']);
  const bad = await play({ playbook: playbook(`- import_role: {name: r, public: true}`), files });
  assert.match(bad.problems.join('\n'), /:3:\d+: ERROR! Invalid options for import_role: public/);
});

test('every key a play, block, task, meta task or import accepts is covered by a test above', () => {
  const keys = [
    ...Object.keys(PlaySchema.entries).map((k) => `play.${k}`),
    ...Object.keys(TaskMetaSchema.entries).map((k) => `task.${k}`),
    ...Object.keys(BlockSchema.entries).map((k) => `block.${k}`),
    ...Object.keys(MetaTaskSchema.entries).map((k) => `meta.${k}`),
    ...Object.keys(ImportPlaybookSchema.entries).map((k) => `import.${k}`),
    ...Object.keys(IncludeTasksSchema.entries).map((k) => `include.${k}`),
    ...Object.keys(IncludeRoleSchema.entries).map((k) => `include_role.${k}`),
    ...Object.keys(RoleCallSchema.entries).map((k) => `role_call.${k}`),
    ...Object.keys(RoleEntrySchema.entries).map((k) => `role.${k}`),
  ];
  const missing = keys.filter((k) => !covered.has(k));
  assert.equal(missing, [], `keys accepted with no test of their effect: ${missing.join(', ')}`);
});


test('when false before the run: a value a template gives is not checked against the type (cloudalchemy.grafana\'s socket dir: path "{{ server.socket | dirname }}" is ""), a literal still is', async () => {
  const pb = (path: string) => `- hosts: all\n  vars: {server: {protocol: http, socket: ""}}\n  tasks:\n    - block:\n        - file: {path: ${path}, state: directory}\n      when: server.protocol == 'socket'\n`;
  const o = await play({ playbook: pb('"{{ server.socket | dirname }}"') });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a file skipped']);
  const literal = await play({ playbook: pb('""') });
  assert.match(literal.problems.join('\n'), /path: got "", expected a path/);
});

test('become_user written as a template is rendered per host when the task runs (geerlingguy.postgresql: "{{ postgresql_user }}"); one that gives no user name fails the task', async () => {
  const o = await play({
    playbook: `- hosts: all\n  become: true\n  vars: {pg: postgres}\n  tasks:\n    - {probe: u, become_user: "{{ pg }}"}\n    - {probe: v, become_user: "{{ 'no user' }}", ignore_errors: true}\n`,
  });
  assert.equal(o.problems, []);
  assert.ok(opened.includes('a true postgres'), opened.join());
  assert.match(o.results[1].msg!, /become_user: .* gave "no user", expected a user name/);
});

test('delegate_to that renders to omit is no delegation (geerlingguy.mysql); an unknown host under a when that is false is not refused', async () => {
  const o = await play({ hosts: ['a'], playbook: playbook(`- probe: x\n  delegate_to: "{{ nothere | default(omit, true) }}"\n- probe: y\n  delegate_to: nosuch\n  when: false`) });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:x']);
  assert.is(o.results[0].delegatedTo, undefined);
});

test.run();
