// module_defaults' action groups and the action plugin a collection's module runs through, as ansible-core
// 2.14 resolves them (module_defaults' own integration target: test_defaults.yml, test_action_group_metadata.yml).
// Needs Debian's ansible-core (the collections' plugins run inside it).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { play, playbook, TEST_REGISTRY } from './engine-harness.ts';
import { prepare } from '../../src/engine/prepare.ts';
import { configureActionGroups } from '../../tasks/ansible/core-modules.ts';

const hasAnsible = existsSync('/usr/lib/python3/dist-packages/ansible/plugins/action/normal.py');
if (!hasAnsible && process.env.CI === 'true') throw new Error('ansible-core is not installed: install it (npx tsx lab/cli.ts install)');
const run = hasAnsible ? test : test.skip;

const COLL = 'collections/ansible_collections/my/net';
// an action plugin that says it ran, and the module it was given (TaskExecutor's handler choice)
const EOS = "from ansible.plugins.action import ActionBase\nclass ActionModule(ActionBase):\n    def run(self, tmp=None, task_vars=None):\n        return {'action_plugin': 'eos', 'module': self._task.action, 'args': dict(self._task.args)}\n";
const MODULE = "#!/usr/bin/python\nfrom ansible.module_utils.basic import AnsibleModule\nAnsibleModule(argument_spec={}).exit_json(action_plugin=None)\n";
const files = {
  [`${COLL}/meta/runtime.yml`]: 'plugin_routing:\n  modules:\n    eosfacts:\n      action_plugin: my.net.eos\n',
  [`${COLL}/plugins/action/eos.py`]: EOS,
  [`${COLL}/plugins/modules/eosfacts.py`]: MODULE,
  [`${COLL}/plugins/modules/eos_config.py`]: MODULE,
  [`${COLL}/plugins/modules/plain.py`]: MODULE,
};

run("a collection's module runs through the action plugin its routing names (action_plugin), or its network family's (eos_config: eos); module_defaults are the module's, not the action plugin's", async () => {
  const o = await play({
    files,
    playbook: playbook(
      "- my.net.eosfacts: {}\n  register: a\n  module_defaults: {my.net.eos: {fail: true}, my.net.eosfacts: {x: 1}}\n- my.net.eos_config: {}\n  register: b\n- my.net.plain: {}\n  register: c\n- assert: {that: [\"a.action_plugin == 'eos' and a.module == 'my.net.eosfacts' and a.args == {'x': 1}\", \"b.action_plugin == 'eos'\", 'c.action_plugin is none']}",
    ),
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a my.net.eosfacts ok', 'a my.net.eos_config ok', 'a my.net.plain ok', 'a assert ok']);
});

/** prepare() of a playbook in a fresh directory with these files: its warnings and problems */
function prepared(files: Record<string, string>, pb: string) {
  const dir = mkdtempSync(join(tmpdir(), 'mdefaults-'));
  for (const [f, text] of Object.entries({ ...files, 'hosts.yml': 'all:\n  hosts:\n    a: {ansible_connection: local}\n', 'play.yml': pb })) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  return prepare({ playbook: join(dir, 'play.yml'), inventory: join(dir, 'hosts.yml'), extraVars: [], check: false, diff: false, acceptNewHostKeys: false }, TEST_REGISTRY);
}

// another collection than the test above's: the playbook directories' collections/ are searched in the order they came
const GROUPS = 'collections/ansible_collections/my/grp/meta/runtime.yml';
run("an action group's bad metadata is Ansible's warning once, at load, and the group still resolves; validate_action_group_metadata off silences it", () => {
  const meta = 'action_groups:\n  bad:\n    - metadata: [x]\n    - ansible.builtin.ping\n  twice:\n    - metadata: {extend_group: bad}\n    - metadata: {extend_group: bad, other: 1}\n';
  const pb = '- hosts: all\n  module_defaults:\n    group/my.grp.bad: {data: v}\n    group/my.grp.twice: {data: w}\n  tasks:\n    - ping:\n    - ping:\n';
  const r = prepared({ [GROUPS]: meta }, pb);
  assert.equal(r.problems, []);
  assert.equal(r.warnings?.filter((w) => w.includes('action_group')), [
    "[WARNING]: Invalid metadata was found for action_group my.grp.bad while loading module_defaults. The metadata is not a dictionary. Got ['x']",
    '[WARNING]: Invalid metadata was found for action_group my.grp.twice while loading module_defaults. The group contains multiple metadata entries. The metadata contains unexpected keys: other',
  ]);
  // both groups hold ping: the later key's defaults win
  assert.equal(r.prepared?.playbook.plays[0].tasks.flatMap((t) => (t.kind === 'task' ? [t.params] : [])), [{ data: 'w' }, { data: 'w' }]);
  configureActionGroups({ validateMetadata: false });
  try {
    const quiet = prepared({ [GROUPS]: meta.replace(/bad/g, 'bad2').replace(/twice/g, 'twice2') }, pb.replace(/bad/g, 'bad2').replace(/twice/g, 'twice2'));
    assert.equal(quiet.warnings?.filter((w) => w.includes('action_group')), []);
  } finally {
    configureActionGroups({ validateMetadata: true });
  }
});

test.run();
