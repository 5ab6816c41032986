// Connection vars over keywords (Ansible's PlayContext): a task's `vars: {ansible_become: yes,
// ansible_become_user: x}` becomes x; a role's handlers become as the role's entry says (the omit
// target's setup_test_user: `roles: [{name: setup_test_user, become: yes, become_user: root}]` in a play
// that becomes nobody, whose handler deletes the test user).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { opened, play, playbook } from './engine-harness.ts';

test('ansible_become and ansible_become_user as task vars become that user for the task', async () => {
  const o = await play({ playbook: playbook('- probe: x\n  vars: {ansible_become: yes, ansible_become_user: "{{ who }}", who: tester}') });
  assert.equal(o.problems, []);
  assert.ok(opened.includes('a true tester'), opened.join());
});

test("a role's handlers become as its roles: entry says, not as the play", async () => {
  const o = await play({
    playbook: '- hosts: all\n  become: yes\n  become_user: nobody\n  roles:\n    - {role: r, become: yes, become_user: root}\n',
    files: { 'roles/r/tasks/main.yml': '- {probe: {id: t, change: true}, notify: h, become_user: other}\n', 'roles/r/handlers/main.yml': '- {name: h, probe: h}\n' },
  });
  assert.equal(o.problems, []);
  // the play's (nobody), the task's own (other), the handler's from the role entry (root)
  assert.equal(opened.filter((x) => x.startsWith('a true')).sort(), ['a true nobody', 'a true other', 'a true root']);
});

test.run();
