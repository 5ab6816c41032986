// Ansible's implicit localhost and its magic variables, as ansible-playbook 2.14 shows them (checked
// against /usr/bin/ansible-playbook: debug of each over an inventory without localhost).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { calls, play } from './engine-harness.ts';
import { controllerPython } from '../../src/inventory/localhost.ts';

test('hosts: localhost with an inventory that lacks it runs on the implicit localhost, in no group', async () => {
  const o = await play({
    hosts: 'all:\n  vars: {from_all: 1}\n  children:\n    g:\n      hosts:\n        testhost: {connection: local}\n',
    playbook: `- hosts: localhost
  tasks:
    - probe: here
    - assert:
        that:
          - ansible_connection == 'local'
          - ansible_python_interpreter == ansible_playbook_python
          - ansible_host == '127.0.0.1'
          - group_names == []
          - "'localhost' not in groups['all']"
          - groups['ungrouped'] == []
          - ansible_play_hosts_all == ['localhost']
          - inventory_file is undefined
          - from_all == 1
- hosts: all
  tasks:
    - probe: everyone
- hosts: 127.0.0.1,testhost
  tasks:
    - probe: both
`,
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['localhost:here', 'testhost:everyone', 'testhost:both', '127.0.0.1:both']);
  assert.ok(o.lines.every((l) => / (ok|changed)$/.test(l)), o.lines.join('\n'));
  assert.is(controllerPython().endsWith('/python3'), true);
});

test('facts never gathered are an empty ansible_facts, not undefined (setup_remote_tmp_dir: when: ansible_facts == {})', async () => {
  const o = await play({
    playbook: `- hosts: all
  gather_facts: false
  tasks:
    - assert:
        that:
          - ansible_facts == {}
          - hostvars[inventory_hostname].ansible_facts == {}
    - set_fact: {a: 1}
    - assert:
        that: ansible_facts == {}
`,
  });
  assert.equal(o.problems, []);
  assert.equal(o.results.map((r) => r.status), ['ok', 'ok', 'ok']);
});

test('a name that is not localhost matches nothing: the play is skipped, as Ansible\'s', async () => {
  const o = await play({ playbook: '- hosts: localhost2\n  tasks: [{probe: x}]\n' });
  assert.equal(o.problems, []);
  assert.equal(calls, []);
});

test('run magic vars: ansible_version, ansible_run_tags/skip_tags, ansible_playbook_python in an inventory value', async () => {
  const o = await play({
    // var_blending's inventory: the interpreter is the controller's python, as a magic var
    hosts: 'all:\n  hosts:\n    a: {connection: local, ansible_python_interpreter: "{{ ansible_playbook_python }}"}\n',
    playbook: `- hosts: all
  tasks:
    - assert:
        that:
          - ansible_version.full is version('2.14', '>=')
          - ansible_version.major == 2 and ansible_version.minor == 14
          - ansible_version.string == ansible_version.full
          - ansible_run_tags | sort == ['t1', 't2']
          - ansible_skip_tags == ['s']
          - ansible_check_mode == false
          - ansible_host == inventory_hostname
          - inventory_file.endswith('/hosts.yml')
          - inventory_dir ~ '/hosts.yml' == inventory_file
          - ansible_config_file is none
          - ansible_python_interpreter == ansible_playbook_python
      tags: [always]
`,
    opts: { tags: ['t1', 't2', 't1'], skipTags: ['s'] },
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a assert ok']);
});
test('a missing inventory leaves the implicit localhost, with a warning (var_templating runs -i inventory with none there); -e is read as YAML', async () => {
  const { prepare } = await import('../../src/engine/prepare.ts');
  const { TEST_REGISTRY } = await import('./engine-harness.ts');
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'skiff-noinv-'));
  writeFileSync(join(dir, 'p.yml'), '- hosts: localhost\n  tasks: [{assert: {that: [mytest == false]}}]\n- hosts: all\n  tasks: [{probe: x}]\n');
  const r = prepare({ playbook: join(dir, 'p.yml'), inventory: join(dir, 'inventory'), extraVars: ['{"mytest": False}'], check: false, diff: false, acceptNewHostKeys: false }, TEST_REGISTRY);
  assert.equal(r.problems, []);
  assert.match(r.warnings!.join('\n'), /inventory .*inventory not found: only the implicit localhost is available/);
  assert.equal(r.prepared!.plays.map((p) => p.hosts), [['localhost'], []]);
  assert.is(r.prepared!.extra.mytest, false);
});

test.run();
