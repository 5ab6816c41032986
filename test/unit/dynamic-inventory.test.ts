// add_host and group_by as Ansible 2.14 runs them (targets add_host, group_by): the run's inventory
// changes, later plays target the hosts and groups they make, `groups` and `hostvars` show them, and
// `changed` says whether anything was new.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { calls, opened, play, type Outcome } from './engine-harness.ts';

const statuses = (o: Outcome, task: string) => o.results.filter((r) => r.task === task).map((r) => `${r.host} ${r.status}`);
const registered = (o: Outcome, task: string, host = 'a') => o.results.find((r) => r.task === task && r.host === host)?.result as Record<string, unknown>;
const warnings = (o: Outcome) => o.events.flatMap((e) => (e.kind === 'note' && e.warning ? [e.text] : []));

test('add_host: a later play targets the group it made, the new host reached through its own vars', async () => {
  const o = await play({
    hosts: ['a', 'b'],
    playbook: `- hosts: all
  tasks:
    - name: add
      add_host: {name: extra, groups: [made], ansible_connection: local, color: blue}
- hosts: made
  tasks:
    - probe: x
    - name: show
      debug: {msg: "{{ color }} {{ group_names }}"}
`,
  });
  assert.is(o.code, 'ran', o.problems.join('\n'));
  // once for the batch (Ansible's action bypasses the host loop), on its first host
  assert.equal(statuses(o, 'add'), ['a changed']);
  assert.equal(calls, ['extra:x']);
  assert.ok(opened.some((c) => c.startsWith('extra ')));
  assert.is(registered(o, 'show', 'extra').msg, "blue ['made']");
  assert.equal(o.summary!.recap.extra.ok, 2);
  assert.equal(o.summary!.failed, []);
});

test('add_host: hostvars and groups show the new host in the same play', async () => {
  const o = await play({
    playbook: `- hosts: all
  tasks:
    - add_host: {name: extra, groups: "one, two", a_var: from add_host}
    - name: check
      assert:
        that:
          - hostvars['extra'].a_var == 'from add_host'
          - hostvars['extra'].group_names == ['one', 'two']
          - groups['one'] == ['extra']
          - "'extra' in groups['all']"
          - hostvars['bogus'] is not defined
`,
  });
  assert.equal(statuses(o, 'check'), ['a ok']);
});

test('add_host: changed only when the host, a var value, a group or a membership is new; a loop item by item', async () => {
  const o = await play({
    playbook: `- hosts: all
  tasks:
    - {name: new, add_host: {name: t1}}
    - {name: again, add_host: {name: t1}}
    - {name: var, add_host: {name: t1, foo: bar}}
    - {name: same var, add_host: {name: t1, foo: bar}}
    - {name: group, add_host: {name: t1, groups: g}}
    - {name: same group, add_host: {name: t1, groups: [g]}}
    - name: loop
      add_host: {name: "h_{{ item }}"}
      loop: [1, 2, 2]
      register: r
    - name: no change said
      add_host: {name: t9}
      changed_when: false
`,
  });
  const status = (task: string) => statuses(o, task)[0];
  assert.equal(['new', 'again', 'var', 'same var', 'group', 'same group', 'loop', 'no change said'].map(status), ['a changed', 'a ok', 'a changed', 'a ok', 'a changed', 'a ok', 'a changed', 'a ok']);
  const items = (registered(o, 'loop').results as Record<string, unknown>[]).map((x) => x.changed);
  assert.equal(items, [true, true, false]);
});

test('add_host: host:port sets ansible_ssh_port; parameters from a variable; a string of words fails', async () => {
  const o = await play({
    playbook: `- hosts: all
  tasks:
    - name: port
      add_host: {name: "127.0.1.1:2222"}
      register: hp
    - set_fact:
        data: {hostname: fromvar, ansible_host: 127.0.0.3}
    - name: from var
      add_host: "{{ data }}"
    - name: bad
      add_host: namex groupsy
      ignore_errors: true
    - name: check
      assert:
        that:
          - hp.add_host.host_name == '127.0.1.1'
          - hp.add_host.host_vars.ansible_ssh_port == 2222
          - hostvars['fromvar'].ansible_host == '127.0.0.3'
`,
  });
  assert.equal(statuses(o, 'from var'), ['a changed']);
  assert.equal(statuses(o, 'bad'), ['a failed']);
  assert.is(registered(o, 'bad').msg, "Invalid raw parameters passed, requires a dictonary/mapping got a  <class 'str'>");
  assert.equal(statuses(o, 'check'), ['a ok']);
});

test('add_host in check mode changes the inventory too, as Ansible\'s', async () => {
  const o = await play({
    opts: { check: true },
    playbook: `- hosts: all
  tasks:
    - {name: add, add_host: {name: extra, groups: made, ansible_connection: local}}
- hosts: made
  tasks:
    - {name: there, debug: {msg: here}}
`,
  });
  assert.equal(statuses(o, 'add'), ['a changed']);
  assert.equal(statuses(o, 'there'), ['extra ok']);
});

test('group_by: each host in its group, changed the first time; later plays target the groups', async () => {
  const o = await play({
    hosts: `all:\n  hosts:\n    a: {connection: local, kind: web}\n    b: {connection: local, kind: db}\n    c: {connection: local, kind: web}\n`,
    playbook: `- hosts: all
  tasks:
    - {name: first, group_by: "key=kind_{{ kind }}"}
    - {name: second, group_by: {key: "kind_{{ kind }}"}}
- hosts: kind_web
  tasks:
    - probe: web
- hosts: kind_db
  tasks:
    - probe: db
`,
  });
  assert.is(o.code, 'ran', o.problems.join('\n'));
  assert.equal(statuses(o, 'first'), ['a changed', 'b changed', 'c changed']);
  assert.equal(statuses(o, 'second'), ['a ok', 'b ok', 'c ok']);
  assert.equal(calls.sort(), ['a:web', 'b:db', 'c:web']);
});

test('group_by: parents (made if new), spaces made dashes, and the group_vars of a group it makes', async () => {
  const o = await play({
    hosts: ['a'],
    files: { 'group_vars/made.yml': 'from_file: yes\nlevel: child\n', 'group_vars/top.yml': 'level: parent\nfrom_top: 1\n' },
    playbook: `- hosts: all
  tasks:
    - group_by: {key: "made", parents: [top, other]}
    - group_by: {key: "with space"}
    - name: check
      assert:
        that:
          - group_names == ['made', 'other', 'top', 'with-space']
          - from_file
          - level == 'child'
          - from_top == 1
`,
  });
  assert.is(o.code, 'ran', o.problems.join('\n'));
  assert.equal(statuses(o, 'check'), ['a ok']);
});

test('a play naming a group nothing makes matches no host (Ansible\'s warning, the play skipped: ansible-examples\' ansible_pull.yml); one group_by may make resolves as the play starts', async () => {
  const skipped = await play({ playbook: `- hosts: all\n  tasks:\n    - probe: x\n- hosts: nowhere\n  tasks:\n    - probe: y\n- hosts: all:nosuch:!gone\n  tasks:\n    - probe: z\n` });
  assert.is(skipped.code, 'ran', skipped.problems.join('\n'));
  assert.equal(skipped.warnings, ['Could not match supplied host pattern, ignoring: nowhere', 'Could not match supplied host pattern, ignoring: nosuch', 'Could not match supplied host pattern, ignoring: gone']);
  assert.equal(calls, ['a:x', 'a:z']);
  const o = await play({ playbook: `- hosts: all\n  tasks:\n    - group_by: {key: somewhere}\n- hosts: nowhere\n  tasks:\n    - probe: y\n- hosts: somewhere\n  tasks:\n    - probe: z\n` });
  assert.is(o.code, 'ran', o.problems.join('\n'));
  // Ansible: a warning, the play skipped, the run goes on
  assert.ok(warnings(o).includes('Could not match supplied host pattern, ignoring: nowhere'));
  assert.equal(calls, ['a:z']);
  assert.equal(o.summary!.failed, []);
});

test('group_vars of a group nothing makes, beside the playbook that is beside the inventory, is no mistake (as Ansible: the hash target\'s host_vars/testhost beside test_inv1.yml; an inventory elsewhere still names it, playbook-vars-dirs.test.ts); delegate_to a host add_host adds is known at run time', async () => {
  const kept = await play({ files: { 'group_vars/ghost.yml': 'x: 1\n' }, playbook: `- hosts: all\n  tasks:\n    - probe: x\n` });
  assert.is(kept.code, 'ran', kept.problems.join('\n'));
  const o = await play({
    playbook: `- hosts: all
  tasks:
    - add_host: {name: helper, ansible_connection: local}
    - probe: there
      delegate_to: helper
`,
  });
  assert.is(o.code, 'ran', o.problems.join('\n'));
  assert.equal(calls, ['helper:there']);
});

test('a host add_host adds with a connection skiff has not fails each task in the play that targets it (Ansible: "the connection plugin \'telnet\' was not found", failed)', async () => {
  const o = await play({
    playbook: `- hosts: all
  tasks:
    - add_host: {name: bad, groups: g, ansible_connection: telnet}
- hosts: g
  tasks:
    - probe: x
`,
  });
  assert.is(o.code, 'ran');
  assert.equal(calls, []);
  assert.equal(o.results.filter((r) => r.host === 'bad').map((r) => r.status), ['failed']);
  assert.match(o.results.find((r) => r.host === 'bad')!.msg ?? '', /ansible_connection telnet is not supported/);
});



test('add_host under the free strategy ends the run, as Ansible\'s ERROR! does', async () => {
  const o = await play({ hosts: ['a', 'b'], playbook: `- hosts: all\n  strategy: free\n  tasks:\n    - add_host: {name: extra}\n    - probe: after\n` });
  assert.match(o.summary!.fatal ?? '', /The 'add_host' module bypasses the host loop, which is currently not supported in the free strategy/);
  assert.equal(calls, []);
});

test('a play over a host add_host added reads its vars_files for that host too', async () => {
  const o = await play({
    files: { 'vars/common.yml': 'shared: from file\n' },
    playbook: `- hosts: all
  tasks:
    - add_host: {name: extra, groups: made, ansible_connection: local}
- hosts: made
  vars_files: [common.yml]
  tasks:
    - {name: show, debug: {msg: "{{ shared }}"}}
`,
  });
  assert.is(o.code, 'ran', o.problems.join('\n'));
  assert.is(registered(o, 'show', 'extra').msg, 'from file');
});

test('group_by on the implicit localhost: a later play over the group runs there', async () => {
  const o = await play({
    playbook: `- hosts: localhost
  tasks:
    - group_by: {key: controllers}
- hosts: controllers
  tasks:
    - {name: show, debug: {msg: "{{ groups['controllers'] }}"}}
`,
  });
  assert.is(o.code, 'ran', o.problems.join('\n'));
  assert.equal(registered(o, 'show', 'localhost').msg, ['localhost']);
});

test('changed_when on add_host and group_by: item by item, and its own register name is the result with its changed', async () => {
  const o = await play({
    playbook: `- hosts: all
  tasks:
    - name: loop
      add_host: {name: "host_{{ item }}"}
      loop: [1, 2]
      changed_when: item == 2
      register: r
    - name: groups
      group_by: {key: "test_{{ item }}"}
      loop: [1, 2]
      changed_when: item == 2
      register: g
    - name: own
      add_host: {name: host_3}
      changed_when: r is changed
      register: r
`,
  });
  const items = (x: Record<string, unknown>) => (x.results as Record<string, unknown>[]).map((i) => i.changed);
  assert.equal(items(registered(o, 'loop')), [false, true]);
  assert.equal(items(registered(o, 'groups')), [false, true]);
  assert.equal(statuses(o, 'loop'), ['a changed']);
  assert.equal(statuses(o, 'own'), ['a changed']);
});
test.run();
