// Connection variables as Ansible's TaskExecutor reads them: ansible_become, ansible_become_user and
// ansible_connection from any variable (play, block, task vars, set_fact, the inventory) win over the
// keywords. Cases measured with ansible-playbook 2.14 (each comment gives what it printed for whoami).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { opened, play, reached, via } from './engine-harness.ts';
import { looseBool } from '../../src/engine/connection-vars.ts';

test('play vars ansible_become / ansible_become_user become for every task (Ansible: nobody)', async () => {
  const o = await play({ playbook: '- hosts: all\n  vars: {ansible_become: true, ansible_become_user: nobody}\n  tasks: [{probe: x}]\n' });
  assert.is(o.code, 'ran', o.problems.join('\n'));
  assert.ok(opened.includes('a true nobody'), opened.join());
});

test('a task var ansible_become_user under play vars ansible_become (Ansible: daemon)', async () => {
  await play({ playbook: '- hosts: all\n  vars: {ansible_become: true}\n  tasks:\n    - probe: x\n      vars: {ansible_become_user: daemon}\n' });
  assert.ok(opened.includes('a true daemon'), opened.join());
});

test('set_fact ansible_become_user: the tasks after it become that user (Ansible: bin)', async () => {
  await play({ playbook: '- hosts: all\n  vars: {ansible_become: true, ansible_become_user: nobody}\n  tasks:\n    - set_fact: {ansible_become_user: bin}\n    - probe: x\n' });
  assert.ok(opened.includes('a true bin'), opened.join());
});

test('the inventory\'s ansible_become wins over `become: false`; its become_user over the keyword (Ansible: nobody, nobody)', async () => {
  await play({
    hosts: 'all:\n  hosts:\n    a: {ansible_connection: local, ansible_become: true, ansible_become_user: nobody}\n',
    playbook: '- hosts: all\n  tasks:\n    - {probe: x, become: false}\n    - {probe: y, become_user: daemon}\n',
  });
  assert.ok(opened.includes('a true nobody'), opened.join());
  assert.not.ok(opened.some((c) => c.startsWith('a false') || c.endsWith(' daemon')), opened.join());
});

test('without connection variables the keywords decide, as before', async () => {
  await play({ playbook: '- hosts: all\n  tasks:\n    - {probe: x, become: true, become_user: daemon}\n    - {probe: y}\n' });
  assert.ok(opened.includes('a true daemon'), opened.join());
  assert.ok(opened.includes('a false -'), opened.join());
});

test('play vars ansible_connection: local over the inventory\'s ssh host', async () => {
  const o = await play({
    hosts: 'all:\n  hosts:\n    a: {ansible_connection: ssh, ansible_host: 192.0.2.1}\n',
    playbook: '- hosts: all\n  vars: {ansible_connection: local}\n  tasks: [{probe: x}]\n',
  });
  assert.is(o.code, 'ran', o.problems.join('\n'));
  assert.equal(o.results.map((r) => r.status), ['changed']);
  assert.ok(reached.every((r) => r.endsWith('local')), reached.join());
});

test('a task var ansible_connection naming a plugin skiff has not fails that task by name (Ansible: plugin not found, failed)', async () => {
  const o = await play({ playbook: '- hosts: all\n  tasks:\n    - probe: x\n      vars: {ansible_connection: ns.name.dummy}\n      ignore_errors: true\n    - probe: y\n' });
  assert.equal(o.results.map((r) => r.status), ['failed', 'changed']);
  assert.match(o.results[0].msg ?? '', 'ansible_connection ns.name.dummy is not supported by skiff');
});

test('ansible_become is read as Ansible\'s boolean(strict=False): its true words, anything else false', () => {
  assert.equal(['yes', 'True', ' on ', 1, true, 't'].map(looseBool), [true, true, true, true, true, true]);
  assert.equal(['no', 'maybe', 0, 2, false, ''].map(looseBool), [false, false, false, false, false, false]);
});

test('play vars ansible_user / ansible_port: the host is reached as that user there; a task var over the play\'s (one connection each)', async () => {
  const o = await play({
    hosts: 'all:\n  hosts:\n    a: {ansible_connection: ssh, ansible_host: 192.0.2.1, ansible_user: inv}\n',
    playbook: '- hosts: all\n  vars: {ansible_user: ubuntu, ansible_port: 2222}\n  tasks:\n    - command: echo x\n    - command: echo y\n      vars: {ansible_user: admin}\n    - command: echo z\n',
  });
  assert.is(o.code, 'ran', o.problems.join('\n'));
  assert.equal(via, ['a ubuntu@192.0.2.1:2222', 'a admin@192.0.2.1:2222']);
  assert.not.ok(via.some((v) => v.startsWith('a inv@')), via.join());
});

test('a connection variable set in a play\'s vars is checked as the inventory\'s: a plain-text password fails the host', async () => {
  const o = await play({
    hosts: 'all:\n  hosts:\n    a: {ansible_connection: ssh, ansible_host: 192.0.2.1}\n',
    playbook: '- hosts: all\n  vars: {ansible_password: hunter2}\n  tasks: [{probe: x}]\n',
  });
  assert.equal(o.results.map((r) => r.status), ['unreachable']);
  assert.match(o.results[0].msg ?? '', 'is in plain text');
  assert.not.match(JSON.stringify(o.results), 'hunter2');
});

test.run();
