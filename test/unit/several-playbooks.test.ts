// ansible-playbook a.yml b.yml: several playbooks in one call, run in order as one run (the omit
// target's `ansible-playbook 48673.yml 75692.yml`), and a serial that is an expression (48673.yml).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseArgv } from '../../src/cli/args.ts';
import { calls, play } from './engine-harness.ts';

test('skiff run takes several playbooks, as ansible-playbook does', () => {
  const { invocation, problems } = parseArgv(['run', '48673.yml', '75692.yml', '-i', 'inventory']);
  assert.equal(problems, []);
  assert.equal(invocation.args, ['48673.yml', '75692.yml']);
});

test('the playbooks run in order as one run: facts carry over, playbook_dir is each one\'s own directory', async () => {
  const o = await play({
    playbook: '- hosts: all\n  tasks:\n    - set_fact: {x: from_first}\n    - probe: {id: "{{ playbook_dir | basename }}"}\n',
    files: { 'sub/b.yml': '- hosts: all\n  tasks:\n    - probe: {id: "{{ x }} {{ playbook_dir | basename }}"}\n' },
    more: ['sub/b.yml'],
  });
  assert.equal(calls.length, 2);
  assert.match(calls[0], /^a:play-/);
  assert.is(calls[1], 'a:from_first sub');
  assert.is(o.summary!.recap.a.ok, 3, 'one recap over both');
});

test('a playbook whose last play ended with a failed host is the last one run (PlaybookExecutor stops)', async () => {
  const o = await play({
    hosts: ['a', 'b'],
    playbook: '- hosts: all\n  tasks:\n    - probe: {id: one, fail: "{{ inventory_hostname == \'a\' }}"}\n',
    files: { 'b.yml': '- hosts: all\n  tasks:\n    - probe: two\n' },
    more: ['b.yml'],
  });
  assert.equal(calls.sort(), ['a:one', 'b:one']);
  assert.equal(o.summary!.unfinished.sort(), ['a', 'b']);
});

test('serial: "{{ x | default(omit) }}" is no serial; an expression for a number makes batches of it', async () => {
  await play({ hosts: ['a', 'b', 'c'], playbook: '- hosts: all\n  serial: "{{ testing_omitted_variable | default(omit) }}"\n  tasks:\n    - probe: {id: x, hold: 20}\n' });
  assert.equal(calls.length, 3);
  const o = await play({ hosts: ['a', 'b', 'c'], playbook: '- hosts: all\n  vars: {n: 2}\n  serial: "{{ n }}"\n  tasks:\n    - probe: one\n' });
  assert.equal(o.events.filter((e) => e.kind === 'play').length, 1);
  assert.equal(calls, ['a:one', 'b:one', 'c:one']);
  const bad = await play({ playbook: '- hosts: all\n  serial: "{{ \'many\' }}"\n  tasks:\n    - probe: one\n' });
  assert.equal(bad.lines, ['a serial failed']);
});

test.run();
