// Python action plugins (a playbook's or role's action_plugins/NAME.py, a collection's plugins/action/)
// run inside the controller's ansible-core as Ansible's TaskExecutor runs them, their connection a
// proxy whose commands skiff runs on the host (until target's shell_no_failed, shell target's
// test_shell). Run through the CLI over connection local; needs Debian's ansible-core.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { skiff, tree } from '../helpers.ts';

const hasAnsible = existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import ansible']).status === 0;
const run = hasAnsible ? test : test.skip;


const INVENTORY = 'localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n';

// super().run(), the task's args, two modules run through ActionBase's own _execute_module (their
// AnsiballZ payloads piped through the proxy connection), a key of its own; a failure when asked
const MYACT = `from ansible.plugins.action import ActionBase

class ActionModule(ActionBase):
    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        if self._task.args.get('fail'):
            result['failed'] = True
            result['msg'] = 'asked to fail: %s' % self._task.args['fail']
            return result
        r = self._execute_module(module_name='ansible.builtin.command', module_args={'_raw_params': 'echo %s' % self._task.args['word']}, task_vars=task_vars)
        p = self._execute_module(module_name='ansible.builtin.ping', module_args={}, task_vars=task_vars)
        result['echoed'] = r.get('stdout', r.get('msg'))
        result['pong'] = p['ping']
        result['check'] = self._task.check_mode
        result['shell'] = self._connection._shell.SHELL_FAMILY
        result['changed'] = not self._task.check_mode
        return result
`;

const PLAYBOOK = `- hosts: all
  gather_facts: false
  tasks:
    - myact:
        word: "{{ 'hel' ~ 'lo' }}"
      register: r
    - assert:
        that:
          - r.pong == 'pong'
          - r.shell == 'sh'
          - r.check == ansible_check_mode
          - r is changed or ansible_check_mode
          - r is not changed or not ansible_check_mode
    - assert:
        that: r.echoed == 'hello'
      when: not ansible_check_mode
    - block:
        - myact: {fail: boom}
      rescue:
        - assert:
            that:
              - "ansible_failed_result.msg == 'asked to fail: boom'"
              - ansible_failed_result is not changed
`;

run("a playbook's action plugin runs its modules through ActionBase's own _execute_module; its result is the task's", async () => {
  const dir = tree({ 'action_plugins/myact.py': MYACT, 'pb.yml': PLAYBOOK, inventory: INVENTORY });
  const r = await skiff(['run', 'pb.yml', '-i', 'inventory'], { cwd: dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /TASK \[myact\] \*+\nchanged: \[localhost\]/);
  assert.match(r.stdout, /fatal: \[localhost\]: FAILED! => \{"changed": false, "msg": "asked to fail: boom"\}/);
  assert.match(r.stdout, /ok=4 +changed=1 +unreachable=0 +failed=0 +skipped=0 +rescued=1/);
});

run('in check mode the plugin sees check_mode, and its modules run in check mode', async () => {
  const dir = tree({ 'action_plugins/myact.py': MYACT, 'pb.yml': PLAYBOOK, inventory: INVENTORY });
  const r = await skiff(['run', 'pb.yml', '-i', 'inventory', '--check'], { cwd: dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /TASK \[myact\] \*+\nok: \[localhost\]/);
});

run("a role's action plugin: a non-zero rc without failed is no failure, until retries it (until target's shell_no_failed)", async () => {
  const dir = tree({
    'roles/r/action_plugins/shell_no_failed.py': `from ansible.plugins.action import ActionBase

class ActionModule(ActionBase):
    def run(self, tmp=None, task_vars=None):
        self._task.args['_raw_params'] = self._task.args.pop('cmd')
        shell_action = self._shared_loader_obj.action_loader.get('ansible.legacy.shell', task=self._task, connection=self._connection, play_context=self._play_context, loader=self._loader, templar=self._templar, shared_loader_obj=self._shared_loader_obj)
        result = shell_action.run(task_vars=task_vars)
        result.pop('failed', None)
        return result
`,
    'roles/r/tasks/main.yml': `- copy: {dest: "{{ counter }}", content: "2"}
- shell_no_failed:
    cmd: 'C=$(cat {{ counter }}); expr $C - 1 > {{ counter }}; exit $C'
  register: out
  delay: 0
  until: out.rc == 0
- assert:
    that: [out.attempts == 3, out.rc == 0]
`,
    'pb.yml': '- hosts: all\n  gather_facts: false\n  roles: [r]\n',
    inventory: INVENTORY,
  });
  const r = await skiff(['run', 'pb.yml', '-i', 'inventory', '-e', `counter=${join(dir, 'counter')}`], { cwd: dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /FAILED - RETRYING: \[localhost\]: shell_no_failed \(3 retries left\)\./);
  assert.match(r.stdout, /ok=3 +changed=2 +unreachable=0 +failed=0/);
});

run("an exception in the plugin fails the task in TaskExecutor's words, with its traceback", async () => {
  const dir = tree({
    'action_plugins/broken.py': 'from ansible.plugins.action import ActionBase\nclass ActionModule(ActionBase):\n    def run(self, tmp=None, task_vars=None):\n        raise ValueError("no good")\n',
    'pb.yml': '- hosts: all\n  gather_facts: false\n  tasks:\n    - broken:\n      register: b\n      ignore_errors: true\n    - assert:\n        that:\n          - b is failed\n          - "\'Traceback\' in b.exception"\n',
    inventory: INVENTORY,
  });
  const r = await skiff(['run', 'pb.yml', '-i', 'inventory'], { cwd: dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Unexpected failure during module execution: no good/);
});

run("a task of a playbook's connection plugin: the action plugin gets that plugin and its shell; skiff's own tasks still refuse it (shell target)", async () => {
  const dir = tree({
    'action_plugins/test_shell.py': 'from ansible.plugins.action import ActionBase\nclass ActionModule(ActionBase):\n    def run(self, tmp=None, task_vars=None):\n        result = super(ActionModule, self).run(tmp, task_vars)\n        result["shell"] = self._connection._shell.SHELL_FAMILY\n        return result\n',
    'connection_plugins/test_connection_default.py': `from ansible.plugins.connection import ConnectionBase
class Connection(ConnectionBase):
    transport = 'test_connection_default'
    def _connect(self):
        pass
    def exec_command(self, cmd, in_data=None, sudoable=True):
        pass
    def put_file(self, in_path, out_path):
        pass
    def fetch_file(self, in_path, out_path):
        pass
    def close(self):
        pass
`,
    'pb.yml': `- hosts: all
  gather_facts: false
  vars:
    ansible_connection: test_connection_default
  tasks:
    - test_shell:
      register: default
      failed_when: default.shell != 'sh'
    - test_shell:
      register: over
      failed_when: over.shell != item
      vars:
        ansible_shell_type: '{{ item }}'
      loop: [powershell, sh]
    - command: echo hi
`,
    inventory: INVENTORY,
  });
  const r = await skiff(['run', 'pb.yml', '-i', 'inventory'], { cwd: dir });
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stdout, /ok=2 +changed=0 +unreachable=0 +failed=1/);
  assert.match(r.stdout, /ansible_connection test_connection_default is not supported by skiff/);
});

run('a host the plugin cannot reach when it runs a command is unreachable, as Ansible counts it', async () => {
  const dir = tree({
    'action_plugins/myact.py': MYACT,
    'pb.yml': '- hosts: all\n  gather_facts: false\n  tasks:\n    - myact: {word: hi}\n',
    inventory: 'nohost ansible_host=127.0.0.1 ansible_port=1 ansible_connection=ssh ansible_python_interpreter=/usr/bin/python3\n',
  });
  const r = await skiff(['run', 'pb.yml', '-i', 'inventory'], { cwd: dir });
  assert.is(r.code, 4, r.stdout + r.stderr);
  assert.match(r.stdout, /nohost +: ok=0 +changed=0 +unreachable=1 +failed=0/);
});

// collections' own target: plugin_lookup reads self._task.collections; bypass_host_loop runs once per batch
run("an action plugin sees the task's collections (play, block, task: Ansible's task.collections, ansible.legacy added); one that bypasses the host loop runs on the batch's first host alone", async () => {
  const dir = tree({
    'action_plugins/colls.py': 'from ansible.plugins.action import ActionBase\nclass ActionModule(ActionBase):\n    def run(self, tmp=None, task_vars=None):\n        return dict(changed=False, collection_list=self._task.collections)\n',
    'action_plugins/once.py': 'from ansible.plugins.action import ActionBase\nclass ActionModule(ActionBase):\n    BYPASS_HOST_LOOP = True\n    def run(self, tmp=None, task_vars=None):\n        return dict(changed=False, ran_on=task_vars["inventory_hostname"])\n',
    'hosts': 'a ansible_connection=local ansible_python_interpreter=/usr/bin/python3\nb ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n',
    'pb.yml': `- hosts: all
  gather_facts: false
  collections: [bogus.fromplay]
  tasks:
    - colls:
      register: play_level
    - colls:
      register: task_level
      collections: [ansible.legacy, bogus.fromtask]
    - once:
      register: o
    - assert:
        that:
          - play_level.collection_list == ['bogus.fromplay', 'ansible.legacy']
          - task_level.collection_list == ['ansible.legacy', 'bogus.fromtask']
          - o.ran_on == 'a'
`,
  });
  const r = await skiff(['run', join(dir, 'pb.yml'), '-i', join(dir, 'hosts')], { cwd: dir });
  // as ansible-core 2.14: the plugin ran on a alone, and only a registered its result (b's assert fails on it)
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stdout, /TASK \[once\] \*+\nok: \[a\]\n\n/);
  assert.match(r.stdout, /a +: ok=4 +changed=0 +unreachable=0 +failed=0/);
  assert.match(r.stdout, /b +: ok=2 +changed=0 +unreachable=0 +failed=1/);
});

test.run();
