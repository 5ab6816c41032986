// Where a playbook's own module is found, as Ansible's module search (module_precedence target): the
// library/ of the playbook and of its roles in the order they load, then ANSIBLE_LIBRARY; a module
// there comes before Ansible's own of that short name (ping), not before one Ansible runs through an
// action plugin of its own. Needs Debian's ansible-core (skipped without it, as python-module.test.ts).
import { existsSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { play, playbook, type Outcome } from './engine-harness.ts';
import { libraryModule } from '../../src/playbook/module-search.ts';

const hasAnsible = existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import ansible']).status === 0;
const run = hasAnsible ? test : test.skip;
const reg = (o: Outcome, i: number) => o.results[i].registered as Record<string, any>;

// the target's ping modules: Ansible's ping that also says where it is
const ping = (location: string) => `#!/usr/bin/python
from ansible.module_utils.basic import AnsibleModule
def main():
    module = AnsibleModule(argument_spec=dict(data=dict(required=False, default=None)), supports_check_mode=True)
    module.exit_json(ping='pong', location='${location}')
main()
`;
const roleTasks = '- ping:\n  register: result\n- assert: {that: [result.location == expected_location]}\n';

run("a library/ ping comes before Ansible's own ping; ANSIBLE_LIBRARY's is used where the playbook has none", async () => {
  const own = await play({ files: { 'library/ping.py': ping('library') }, playbook: playbook('- ping:\n  register: r') });
  assert.equal(own.problems, []);
  assert.is(reg(own, 0).location, 'library');
  const lib = mkdtempSync(join(tmpdir(), 'skiff-lib-'));
  writeFileSync(join(lib, 'ping'), ping('library path'));
  const configured = await play({ playbook: playbook('- ping:\n  register: r\n- ansible.builtin.ping:\n  register: b'), opts: { libraryPath: [lib] } });
  assert.equal(configured.problems, []);
  assert.is(reg(configured, 0).location, 'library path');
  // Ansible's own by its full name
  assert.is(reg(configured, 1).location, undefined);
  assert.is(reg(configured, 1).ping, 'pong');
});

run("roles' library/ dirs are searched in the order the roles load, whichever role's tasks run (the first found wins)", async () => {
  const files = {
    'roles/foo/library/ping.py': ping('role: foo'),
    'roles/foo/tasks/main.yml': roleTasks,
    'roles/bar/library/ping.py': ping('role: bar'),
    'roles/bar/tasks/main.yml': roleTasks,
  };
  const foo = await play({ files, playbook: `- hosts: all\n  vars: {expected_location: 'role: foo'}\n  roles: [foo, bar]\n  tasks:\n${roleTasks.replace(/^/gm, '    ')}` });
  assert.equal(foo.problems, []);
  assert.equal(foo.lines.filter((l) => l.includes('assert')), ['a assert ok', 'a assert ok', 'a assert ok']);
  const bar = await play({ files, playbook: `- hosts: all\n  vars: {expected_location: 'role: bar'}\n  roles: [bar, foo]\n  tasks:\n${roleTasks.replace(/^/gm, '    ')}` });
  assert.equal(bar.lines.filter((l) => l.includes('assert')), ['a assert ok', 'a assert ok', 'a assert ok']);
});

run('a library/ module of a name Ansible runs through an action plugin of its own (debug) does not replace it', async () => {
  const o = await play({ files: { 'library/debug.py': ping('library') }, playbook: playbook("- debug: {msg: hi}\n  register: r") });
  assert.equal(o.problems, []);
  assert.is(reg(o, 0).msg, 'hi');
});

test('in a library dir a module is NAME or NAME with any extension, except the ones Ansible ignores (.ini, .txt...)', () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-libdir-'));
  mkdirSync(join(d, 'sub'));
  for (const f of ['a.ini', 'hello.sh', 'plain', 'b.txt']) writeFileSync(join(d, f), '');
  assert.is(libraryModule(d, 'hello'), join(d, 'hello.sh'));
  assert.is(libraryModule(d, 'plain'), join(d, 'plain'));
  assert.is(libraryModule(d, 'a'), undefined);
  assert.is(libraryModule(d, 'b'), undefined);
  assert.is(libraryModule(d, 'sub'), undefined);
  assert.is(libraryModule(join(d, 'none'), 'hello'), undefined);
});

run('a deprecated module kept as library/_NAME (or a symlink to it) runs by NAME, where nothing is named NAME (plugin_loader target)', async () => {
  const module = '#!/usr/bin/python\nimport json\nprint(json.dumps(dict(changed=False, source="legacy_library_dir")))\n';
  const o = await play({ files: { 'library/_underscore.py': module, 'library/other.py': ping('other') }, playbook: playbook('- underscore:\n  register: r') });
  assert.equal(o.problems, []);
  assert.is(reg(o, 0).source, 'legacy_library_dir');
});

test.run();
