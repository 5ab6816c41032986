// A playbook's own Python module (library/NAME.py) runs as Ansible runs it: its AnsiballZ payload built by
// the controller's ansible-core, piped to the host's Python; its JSON is the task's result. Needs Debian's
// ansible-core (the lab's packages install it; CI=true fails rather than skips without it).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { play, playbook, reached } from './engine-harness.ts';
import { moduleJson } from '../../tasks/ansible/python-module.ts';
import { pyStr } from '../../src/template/expr-error.ts';

const hasAnsible = existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import ansible']).status === 0;
if (!hasAnsible && process.env.CI === 'true') throw new Error('ansible-core is not installed (/usr/bin/python3 -c "import ansible" fails): install it (npx tsx lab/cli.ts install)');

const MODULE = `#!/usr/bin/python
from ansible.module_utils.basic import AnsibleModule
def main():
    m = AnsibleModule(argument_spec=dict(name=dict(type='str', required=True), change=dict(type='bool', default=False)), supports_check_mode=CHECK)
    if m.params['name'] == 'boom':
        m.fail_json(msg='asked to fail')
    m.exit_json(changed=m.params['change'], msg='Hello, %s!' % m.params['name'], check=m.check_mode)
main()
`;
const files = (checkMode: boolean) => ({ 'library/hello.py': MODULE.replace('CHECK', checkMode ? 'True' : 'False') });

const run = hasAnsible ? test : test.skip;

run("a library/ module runs with its arguments; its result is registered, changed only when it says so; its fail_json fails the task", async () => {
  const o = await play({
    playbook: playbook("- hello: {name: World}\n  register: r\n- hello: name=x change=yes\n- assert:\n    that:\n      - \"r.msg == 'Hello, World!'\"\n      - r is not changed\n      - not r.check\n- hello: {name: boom}\n  ignore_errors: true\n  register: f\n- assert: {that: [f is failed, f.msg == 'asked to fail']}"),
    files: files(true),
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a hello ok', 'a hello changed', 'a assert ok', 'a hello failed', 'a assert ok']);
});

run('check mode: the module runs in check mode, or is skipped when it does not support it (as Ansible)', async () => {
  const yes = await play({ playbook: playbook('- hello: {name: x, change: true}\n  register: r\n- assert: {that: r.check}'), files: files(true), opts: { check: true } });
  assert.equal(yes.lines, ['a hello changed', 'a assert ok'], yes.results[0].msg);
  const no = await play({ playbook: playbook('- hello: {name: x, change: true}'), files: files(false), opts: { check: true } });
  assert.equal(no.lines, ['a hello skipped']);
});

run("a module of ansible-core skiff has no type for (replace, find, a short name ansible-core redirects to a collection) runs as Ansible runs it; one with an action plugin of its own stays refused by name", async () => {
  const o = await play({
    playbook: playbook("- copy: {dest: '{{ playbook_dir }}/f.txt', content: \"a=1\\n\"}\n- replace: {path: '{{ playbook_dir }}/f.txt', regexp: '^a=1$', replace: 'a=2'}\n- ansible.builtin.find: {paths: '{{ playbook_dir }}', patterns: '*.txt'}\n  register: r\n- assert: {that: [r.matched == 1, \"lookup('file', playbook_dir + '/f.txt') == 'a=2'\"]}\n- replace: {path: '{{ playbook_dir }}/f.txt', regexp: '^a=1$', replace: 'a=2'}"),
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a copy changed', 'a replace changed', 'a ansible.builtin.find ok', 'a assert ok', 'a replace ok']);
});

// ansible.builtin.reboot has an action plugin of its own: it runs inside the controller's ansible-core,
// its connection skiff's (python-action.ts), so its checks, waits and connection resets are Ansible's
const SSH = (name: string) => `all:\n  hosts:\n    ${name}: {ansible_connection: ssh, ansible_host: 127.0.0.1}\n`;

run("reboot is Ansible's action plugin at run time: skipped under a false when, refused on a local connection with Ansible's message, changed in check mode", async () => {
  const o = await play({ playbook: playbook("- reboot: {}\n  when: false\n- reboot: {msg: bye}\n  register: r\n  ignore_errors: true\n- assert: {that: [r is failed, \"r.msg == 'Running reboot with local connection would reboot the control node.'\", not r.rebooted]}") });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a reboot skipped', 'a reboot failed', 'a assert ok']);
  const check = await play({ hosts: SSH('s'), playbook: playbook('- ansible.builtin.reboot: {}\n  register: r\n- assert: {that: [r is changed, r.rebooted, r.elapsed == 0]}'), opts: { check: true } });
  assert.equal(check.problems, []);
  assert.equal(check.lines, ['s ansible.builtin.reboot changed', 's assert ok']);
});

run('reboot runs its command, waits for another boot id, resets the connection (a new login) and runs the test command', async () => {
  const o = await play({
    hosts: SSH('s'),
    playbook: playbook(
      "- copy: {dest: '{{ playbook_dir }}/boot', content: one}\n- reboot:\n    reboot_command: \"/bin/sh -c 'echo two > {{ playbook_dir }}/boot'\"\n    boot_time_command: \"cat {{ playbook_dir }}/boot\"\n    connect_timeout: 5\n  register: r\n- assert: {that: [r is changed, r.rebooted, \"lookup('file', playbook_dir + '/boot') == 'two'\"]}",
    ),
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['s copy changed', 's reboot changed', 's assert ok']);
  // the plugin's reset (connect_timeout set) closed the connection: the next command logged in anew
  assert.ok(reached.filter((r) => r === 's ssh').length >= 2, reached.join(', '));
});

run("a parameter skiff's own type does not honour (lineinfile's unsafe_writes, file's follow) runs Ansible's module for that task instead of refusing it", async () => {
  const o = await play({
    playbook: playbook("- lineinfile: {path: '{{ playbook_dir }}/l.txt', line: 'x=1', create: true, unsafe_writes: true}\n- lineinfile: {path: '{{ playbook_dir }}/l.txt', line: 'x=1', unsafe_writes: true}\n- file: {src: '{{ playbook_dir }}/l.txt', dest: '{{ playbook_dir }}/link', state: link, follow: false}\n- assert: {that: [\"lookup('file', playbook_dir + '/link') == 'x=1'\"]}"),
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a lineinfile changed', 'a lineinfile ok', 'a file changed', 'a assert ok']);
});

test("an option skiff's type does not honour with no Ansible module to run instead (yum's allow_downgrade) is refused by name when the task runs, not at load: a RedHat branch skipped on Debian runs (elastic.elasticsearch)", async () => {
  const o = await play({ playbook: playbook("- yum: {name: elasticsearch, state: present, allow_downgrade: '{{ false }}'}\n  when: ansible_os_family == 'RedHat'\n- yum: {name: x, allow_downgrade: true}\n  ignore_errors: true\n  register: r"), hosts: 'all:\n  hosts:\n    a: {connection: local, ansible_os_family: Debian}\n' });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a yum skipped', 'a yum failed']);
  assert.match(o.results[1].msg!, /\.yml:\d+:\d+: allow_downgrade is an option of ansible\.builtin\.yum .* that skiff does not honour/);
});

test("the module's JSON is found among other output lines, as Ansible's _filter_non_json_lines", () => {
  assert.equal(moduleJson('warning: noise\n{"a": 1,\n "b": {"c": 2}}\ntrailing\n'), { a: 1, b: { c: 2 } });
  assert.equal(moduleJson('no json here'), undefined);
  // a whole float stays a float, as json.loads reads it (dev-sec os_hardening: a find result's mtime shown as 1677742435.0)
  assert.is(pyStr((moduleJson('{"stat": {"mtime": 1677742435.0, "size": 1042}}')!.stat as Record<string, unknown>).mtime), '1677742435.0');
  assert.is(pyStr((moduleJson('{"stat": {"mtime": 1677742435.0, "size": 1042}}')!.stat as Record<string, unknown>).size), '1042');
});

run('a library/ module imports the module_utils/ beside it (the playbook\'s own), as Ansible adds that directory (module_utils target)', async () => {
  const mod = `#!/usr/bin/python
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.skiff_own_utils import GREETING
AnsibleModule(argument_spec={}).exit_json(msg=GREETING)
`;
  const o = await play({ playbook: playbook('- greet: {}\n  register: r\n- assert: {that: [r.msg == "from module_utils"]}'), files: { 'library/greet.py': mod, 'module_utils/skiff_own_utils.py': 'GREETING = "from module_utils"\n' } });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a greet ok', 'a assert ok'], JSON.stringify(o.results[0]?.msg));
});

run("a module importing module_utils no directory has fails with ansible-core's own message (module_utils target's test_failure)", async () => {
  const mod = `#!/usr/bin/python
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.zebra import foo
`;
  const o = await play({ playbook: playbook('- test_failure: {}\n  ignore_errors: true\n  register: r\n- assert: {that: [r is failed, r.msg == msg]}\n  vars: {msg: "' + "Could not find imported module support code for ansible.modules.test_failure.  Looked for (['ansible.module_utils.zebra.foo', 'ansible.module_utils.zebra'])" + '"}'), files: { 'library/test_failure.py': mod } });
  assert.equal(o.lines, ['a test_failure failed', 'a assert ok'], JSON.stringify(o.results[0]?.msg));
});

run("a module's imports find the collections/ beside the playbook, optional ones included (module_utils target's test_optional)", async () => {
  const mod = `#!/usr/bin/python
from ansible.module_utils.basic import AnsibleModule
try:
    from ansible_collections.testns.testcoll.plugins.module_utils.legit import importme
except ImportError:
    importme = None
try:
    from ansible_collections.bogusns.boguscoll.plugins.module_utils.bogus import nope
except ImportError:
    nope = None
AnsibleModule(argument_spec={}).exit_json(found=importme is not None, bogus=nope is not None)
`;
  const o = await play({
    playbook: playbook('- test_optional: {}\n  register: r\n- assert: {that: [r.found, not r.bogus]}'),
    files: { 'library/test_optional.py': mod, 'collections/ansible_collections/testns/testcoll/plugins/module_utils/legit.py': 'def importme():\n    return "successfully imported from testns.testcoll"\n' },
  });
  assert.equal(o.lines, ['a test_optional ok', 'a assert ok'], JSON.stringify(o.results[0]?.msg));
});


// a module that echoes its whole parameters (module_defaults' echo modules: _load_params) hands back
// Ansible's internal `_ansible_*` arguments: register keeps none of them, at any depth (strip_internal_keys)
run("a registered result keeps no _ansible_ key at any depth: a module's echoed parameters compare equal to a dict literal", async () => {
  const echo = "#!/usr/bin/python\nfrom ansible.module_utils.basic import _load_params, AnsibleModule\np = _load_params()\nm = AnsibleModule(argument_spec=dict(task_arg=dict(type='str')))\nm.exit_json(args_in=p, items=[p])\n";
  const o = await play({
    playbook: playbook("- echo: {task_arg: from task}\n  register: r\n- assert: {that: [\"r.args_in == {'task_arg': 'from task'}\", \"r['items'][0] == {'task_arg': 'from task'}\"]}"),
    files: { 'library/echo.py': echo },
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a echo ok', 'a assert ok']);
});
test.run();
