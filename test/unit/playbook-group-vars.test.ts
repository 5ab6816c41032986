// group_vars/ and host_vars/ next to the playbook (Ansible's host_group_vars plugin at the play stage):
// the var_templating target's task_vars_templating.yml, whose group_vars/all.yml gives a host add_host
// made its x and y: "{{ x }}", read through hostvars.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { calls, play } from './engine-harness.ts';

test("the playbook's group_vars/ and host_vars/ count, over the inventory's; a host add_host makes has them", async () => {
  const o = await play({
    playbook: '- hosts: all\n  gather_facts: false\n  tasks: []\n',
    files: {
      'pb/p.yml': `- hosts: a
  gather_facts: false
  tasks:
    - add_host: {name: host1, ansible_connection: local}
- hosts: all
  gather_facts: false
  tasks:
    - probe: {id: "{{ hostvars['host1']['x'] }}-{{ hostvars['host1']['y'] }}-{{ hostvars['host1']['nested_y']['value'] }}-{{ z }}"}
`,
      'pb/group_vars/all.yml': 'x: 100\ny: "{{ x }}"\nnested_y: {value: "{{ x }}"}\nz: group\n',
      'pb/host_vars/a.yml': 'z: host\n',
    },
    more: ['pb/p.yml'],
  });
  assert.equal(o.problems, []);
  assert.equal(calls.sort(), ['a:100-100-100-host', 'host1:100-100-100-group']);
});

test("an inventory var naming what only a task gives (throttle's subdir: a loop var) is rendered where the task reads it", async () => {
  const o = await play({
    playbook: '- hosts: all\n  gather_facts: false\n  tasks:\n    - probe: {id: "{{ dir }}"}\n      loop: [1, 2]\n      loop_control: {loop_var: test_id}\n    - probe: {id: "{{ dir | default(\'none\') }}"}\n',
    hosts: 'all:\n  vars:\n    dir: "/d/{{ sub }}"\n    sub: "{{ test_id }}-x"\n  hosts:\n    a: {connection: local}\n',
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:/d/1-x', 'a:/d/2-x', 'a:none']);
});

test("a group var naming a fact (ansible-examples' lamp_haproxy: iface: ansible_default_ipv4.interface) is rendered where a task reads it, after gathering", async () => {
  const facts = readFileSync(new URL('./fixtures/facts/debian12.txt', import.meta.url), 'utf8');
  const o = await play({
    facts: { a: facts },
    playbook: '- hosts: all\n  tasks:\n    - probe: {id: "{{ iface }}"}\n',
    files: { 'group_vars/all.yml': 'iface: "{{ ansible_default_ipv4.interface }}"\n' },
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:eth0']);
});

test('a group var naming a fact no play gathers fails the task that reads it, not the run before it starts', async () => {
  const o = await play({
    playbook: '- hosts: all\n  gather_facts: false\n  tasks:\n    - probe: {id: first}\n    - probe: {id: "{{ iface }}"}\n',
    files: { 'group_vars/all.yml': 'iface: "{{ ansible_default_ipv4.interface }}"\n' },
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines.map((l) => l.split(' ').pop()), ['changed', 'failed']);
});

test("a host var naming what nothing defines (Reference-Ansible-project's host_vars: a vault file's var left out, hostvars) fails only the task that reads it; --strict refuses it before the run", async () => {
  const hosts = 'all:\n  hosts:\n    a: {connection: local, secret: "{{ vault_secret }}", db: "{{ hostvars[\'b\'].where }}", label: "{{ toString }}"}\n    b: {connection: local, where: here}\n';
  const pb = '- hosts: a\n  gather_facts: false\n  tasks:\n    - probe: {id: "{{ db }}"}\n    - probe: {id: "{{ secret }}"}\n';
  const o = await play({ hosts, playbook: pb });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a probe changed', 'a probe failed']);
  assert.equal(calls, ['a:here']);
  assert.match(String(o.results[1].msg), 'vault_secret');
  // "toString" is on every JS object: still an unknown variable (found by test/fuzz)
  const strict = await play({ hosts, playbook: pb, opts: { strict: true } });
  assert.is(strict.code, 'bad-input');
  assert.match(strict.problems.join('\n'), /a: variable secret: unknown variable "vault_secret"/);
  assert.match(strict.problems.join('\n'), /a: variable label: unknown variable "toString"/);
  assert.not.match(strict.problems.join('\n'), /hostvars/);
});

test.run();
