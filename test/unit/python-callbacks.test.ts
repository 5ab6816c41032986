// Ansible's Python callback plugins beside skiff's own output: enabled by name (callbacks_enabled,
// ANSIBLE_CALLBACKS_ENABLED: a collection's, ansible.posix's profile_tasks) or found beside the playbook
// (one that needs no enabling), loaded and called by the controller's ansible-core as ansible-playbook
// does. Needs Debian's ansible-core (CI=true fails rather than skips without it).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { skiff, tree } from '../helpers.ts';

const hasAnsible = existsSync('/usr/lib/python3/dist-packages/ansible/plugins/callback/default.py');
if (!hasAnsible && process.env.CI === 'true') throw new Error('ansible-core is not installed: install it (npx tsx lab/cli.ts install)');
const run = hasAnsible ? test : test.skip;

// a plugin that says what it was told, as a user's own would
const PLUGIN = (name: string, needsEnabled: boolean) => `from ansible.plugins.callback import CallbackBase
class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'notification'
    CALLBACK_NAME = '${name}'
    CALLBACK_NEEDS_ENABLED = ${needsEnabled ? 'True' : 'False'}
    def __init__(self):
        super().__init__()
        self._display.display('${name} loaded')
    def v2_playbook_on_play_start(self, play):
        self._display.display('${name} play %s' % play.get_name())
    def v2_playbook_on_task_start(self, task, is_conditional):
        self._display.display('${name} task %s (%s)' % (task.get_name(), task.action))
    def v2_runner_on_ok(self, result):
        self._display.display('${name} ok %s %s changed=%s' % (result._host.get_name(), result._task.get_name(), result._result.get('changed')))
    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._display.display('${name} failed %s ignored=%s' % (result._task.get_name(), ignore_errors))
    def v2_playbook_on_stats(self, stats):
        self._display.display('${name} stats %s' % stats.summarize('localhost'))
`;

const project = (files: Record<string, string>): string => tree(files, 'callbacks-');

const PLAY = '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - {name: one, command: "true"}\n    - {name: two, debug: {msg: hi}}\n    - {name: three, fail: {msg: no}, ignore_errors: true}\n';

run('a plugin beside the playbook that needs no enabling is called for each event, its lines under the banners, its stats after the recap; one that needs enabling is not', async () => {
  const dir = project({ 'play.yml': PLAY, 'callback_plugins/mine.py': PLUGIN('mine', false), 'callback_plugins/quiet.py': PLUGIN('quiet', true) });
  const r = await skiff(['run', join(dir, 'play.yml'), '-i', 'localhost,', '-c', 'local'], { cwd: dir });
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n').filter((l) => l.trim());
  const at = (l: string) => lines.indexOf(l);
  assert.ok(at('mine loaded') >= 0 && at('mine loaded') < at('PLAY [localhost] ***************************************************************'), r.stdout);
  assert.is(at('mine play localhost'), at('PLAY [localhost] ***************************************************************') + 1);
  // right under its banner, before its result, as Ansible's callbacks are called
  assert.is(at('mine task one (command)'), at('TASK [one] *********************************************************************') + 1);
  assert.is(at('mine ok localhost one changed=True'), at('changed: [localhost]') + 1);
  assert.is(at('mine task two (ansible.builtin.debug)') > 0 || at('mine task two (debug)') > 0, true, r.stdout);
  assert.ok(lines.includes('mine failed three ignored=True'), r.stdout);
  assert.ok(at("mine stats {'ok': 3, 'failures': 0, 'unreachable': 0, 'changed': 1, 'skipped': 0, 'rescued': 0, 'ignored': 1}") > at('PLAY RECAP *********************************************************************'), r.stdout);
  assert.not.match(r.stdout, /quiet/);
});

run("a collection's callback enabled by name (ANSIBLE_CALLBACKS_ENABLED), ansible.posix.profile_tasks from ansible.cfg; an unknown one is Ansible's warning, and the run goes on", async () => {
  const coll = 'collections/ansible_collections/my/cb/plugins/callback/hello.py';
  const dir = project({ 'play.yml': PLAY, [coll]: PLUGIN('hello', true), 'ansible.cfg': '[defaults]\ncallbacks_enabled = ansible.posix.profile_tasks\n' });
  const r = await skiff(['run', join(dir, 'play.yml'), '-i', 'localhost,', '-c', 'local'], { cwd: dir, env: { ANSIBLE_CALLBACKS_ENABLED: 'my.cb.hello,no.such.plugin' } });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /hello loaded/);
  assert.match(r.stdout, /hello ok localhost one changed=True/);
  assert.match(r.stderr, /\[WARNING\]: Skipping callback plugin 'no\.such\.plugin', unable to load/);
  assert.not.match(r.stderr, /settings skiff does not support/);
  // the environment wins over ansible.cfg: profile_tasks is not enabled
  assert.not.match(r.stdout, /={20,}/);
  const cfg = await skiff(['run', join(dir, 'play.yml'), '-i', 'localhost,', '-c', 'local'], { cwd: dir });
  assert.is(cfg.code, 0, cfg.stderr);
  // profile_tasks: a timestamp line under each banner, the slowest tasks after the recap
  assert.match(cfg.stdout, /TASK \[one\] \*+\n\w+day \d\d \w+ \d{4} +[\d:]+ \+0000 \(0:00:0[\d.]+\) +0:00:0[\d.]+ \*+ \n/);
  assert.match(cfg.stdout, /PLAY RECAP[\s\S]*=+ \n(?:\w+ -+ \d+\.\d\ds\n){3}/);
});

test.run();
