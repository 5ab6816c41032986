// Collections found where Ansible finds them (collections_relative_imports, collections targets): the
// roots of ANSIBLE_COLLECTIONS_PATH / collections_path and collections/ beside the playbook; modules by
// full name and by short name through a play's, a task's or a role's own collection; module_utils
// imported relatively inside a collection; roles and playbooks by full name; a collection's action
// plugin run inside ansible-core. Run through the CLI over connection local; needs Debian's ansible-core.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { skiff, tree } from '../helpers.ts';

const hasAnsible = existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import ansible']).status === 0;
const run = hasAnsible ? test : test.skip;


const INVENTORY = 'localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n';
const HEADER = '#!/usr/bin/python\nfrom __future__ import absolute_import, division, print_function\n__metaclass__ = type\nfrom ansible.module_utils.basic import AnsibleModule\n';

// collections_relative_imports: my_ns.my_col's module imports its module_utils relatively
const RELATIVE = {
  'root/ansible_collections/my_ns/my_col/plugins/modules/my_module.py': `${HEADER}from ..module_utils.my_util2 import two\nfrom ..module_utils import my_util3\nAnsibleModule(argument_spec={}).exit_json(two=two(), three=my_util3.three())\n`,
  'root/ansible_collections/my_ns/my_col/plugins/module_utils/my_util1.py': 'def one():\n    return 1\n',
  'root/ansible_collections/my_ns/my_col/plugins/module_utils/my_util2.py': 'from .my_util1 import one\ndef two():\n    return one() * 2\n',
  'root/ansible_collections/my_ns/my_col/plugins/module_utils/my_util3.py': 'from . import my_util2\ndef three():\n    return my_util2.two() + 1\n',
  'root/ansible_collections/my_ns/my_col/roles/test/tasks/main.yml':
    '- my_ns.my_col.my_module:\n  register: fq\n- my_module:\n  register: short\n- assert: {that: [fq.two == 2, fq.three == 3, short.three == 3]}\n',
  'test.yml': '- hosts: all\n  gather_facts: false\n  roles:\n    - my_ns.my_col.test\n',
  'inventory': INVENTORY,
};

run('ANSIBLE_COLLECTIONS_PATH: a role by full name, its modules by full and short name, module_utils imported relatively', async () => {
  const dir = tree(RELATIVE);
  const r = await skiff(['run', 'test.yml', '-i', 'inventory'], { cwd: dir, env: { ANSIBLE_COLLECTIONS_PATH: join(dir, 'root') } });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.not.match(r.stderr, /does not support \(ignored\).*ANSIBLE_COLLECTIONS_PATH/);
  assert.match(r.stdout, /ok=3 +changed=0/);
  assert.match(r.stdout, /TASK \[my_ns\.my_col\.test : my_module\]/);
});

run('collections_path in ansible.cfg (relative to its directory), a path ending in ansible_collections taken for its parent', async () => {
  const dir = tree({ ...RELATIVE, 'ansible.cfg': '[defaults]\ncollections_path = ./elsewhere:root/ansible_collections\n' });
  const r = await skiff(['run', 'test.yml', '-i', 'inventory'], { cwd: dir, env: { ANSIBLE_CONFIG: join(dir, 'ansible.cfg') } });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /ok=3 +changed=0/);
});

const PING = (says: string) => `${HEADER}AnsibleModule(argument_spec={}).exit_json(ping='${says}')\n`;

run("collections/ beside the playbook; the play's and a task's collections: (ansiballz_dupe); a playbook by full name", async () => {
  const dir = tree({
    'collections/ansible_collections/duplicate/name/plugins/modules/ping.py': PING('duplicate.name.pong'),
    'collections/ansible_collections/other/coll/plugins/modules/hello.py': PING('other.coll.hello'),
    'collections/ansible_collections/other/coll/playbooks/inner.yml': '- hosts: all\n  gather_facts: false\n  tasks:\n    - hello:\n      register: inner\n    - assert: {that: [inner.ping == "other.coll.hello"]}\n',
    'pb.yml': `- hosts: all
  gather_facts: false
  collections: [other.coll]
  tasks:
    - ping:
      register: result1
    - ping:
      collections:
        - duplicate.name
      register: result2
    - hello:
      register: result3
    - assert:
        that:
          - result1.ping == 'pong'
          - result2.ping == 'duplicate.name.pong'
          - result3.ping == 'other.coll.hello'
- import_playbook: other.coll.inner
`,
    inventory: INVENTORY,
  });
  const r = await skiff(['run', 'pb.yml', '-i', 'inventory'], { cwd: dir, env: { ANSIBLE_COLLECTIONS_PATH: join(dir, 'none') } });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /ok=6 +changed=0/);
});

run("a collection's action plugin runs inside ansible-core, found by a play's collections: (collections target's plugin_lookup)", async () => {
  const dir = tree({
    'collections/ansible_collections/testns/testcoll/plugins/action/plugin_lookup.py': `from ansible.plugins.action import ActionBase
from ansible.plugins import loader

class ActionModule(ActionBase):
    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(None, task_vars)
        context = loader.module_loader.find_plugin_with_context(self._task.args['name'])
        result['plugin_path'] = context.plugin_resolved_path
        return result
`,
    'pb.yml': '- hosts: all\n  gather_facts: false\n  collections: [testns.testcoll]\n  tasks:\n    - plugin_lookup:\n        name: ping\n      register: found\n    - assert:\n        that: found.plugin_path is search("ansible/modules/ping.py")\n',
    inventory: INVENTORY,
  });
  const r = await skiff(['run', 'pb.yml', '-i', 'inventory'], { cwd: dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /TASK \[testns\.testcoll\.plugin_lookup\]|TASK \[plugin_lookup\]/);
  assert.match(r.stdout, /ok=2 +changed=0 +unreachable=0 +failed=0/);
});

test.run();
