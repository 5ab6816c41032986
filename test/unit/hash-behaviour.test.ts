// hash_behaviour (ansible.cfg [defaults], ANSIBLE_HASH_BEHAVIOUR), as Ansible's hash target runs it: with
// merge, a dict every layer gives (extra vars, role params, role vars, vars_files, play vars, host_vars,
// group_vars, role defaults) is one dict of all their keys; with replace (the default) the highest alone.
// Two inventory sources that set the same host's or group's dict merge the same way.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { play } from './engine-harness.ts';
import { mergeHash, setHashBehaviour } from '../../src/util/combine-vars.ts';
import { loadSources } from '../../src/inventory/sources.ts';
import { hostVars } from '../../src/inventory/vars.ts';
import { resolveConfig } from '../../src/cli/config.ts';

test.after.each(() => setHashBehaviour('replace'));

test("merge_hash: the second's keys over the first's, dicts merged all the way down, lists replaced", () => {
  assert.equal(mergeHash({ a: { x: 1, y: [1, 2], d: { p: 1 } }, b: 1 }, { a: { y: [3], d: { q: 2 } }, c: 2 }), { a: { x: 1, y: [3], d: { p: 1, q: 2 } }, b: 1, c: 2 });
  // a dict over something else replaces it, and the other way round
  assert.equal(mergeHash({ a: 'text', b: { x: 1 } }, { a: { x: 1 }, b: 'text' }), { a: { x: 1 }, b: 'text' });
});

test('hash_behaviour comes from ANSIBLE_HASH_BEHAVIOUR (no longer named as unsupported); another value is refused', () => {
  const ce = { env: { ANSIBLE_HASH_BEHAVIOUR: 'merge' }, cwd: mkdtempSync(join(tmpdir(), 'skiff-hash-')), home: '/nonexistent-home' };
  const { config } = resolveConfig({}, {}, ce, '/nonexistent/ansible.cfg');
  assert.is(config!.values.hash_behaviour, 'merge');
  assert.not.ok(config!.warnings.some((w) => w.includes('ANSIBLE_HASH_BEHAVIOUR')));
  assert.ok(resolveConfig({}, {}, { ...ce, env: { ANSIBLE_HASH_BEHAVIOUR: 'deep' } }, '/nonexistent/ansible.cfg').problems.length > 0);
});

// the hash target's test_hash.yml, its layers in one playbook
const ROLE = {
  'roles/r/defaults/main.yml': 'test_hash:\n  default_vars: "this is in role defaults/main.yml"\n',
  'roles/r/vars/main.yml': 'test_hash:\n  role_vars: "this is in role vars/main.yml"\n',
  'roles/r/tasks/main.yml': '- set_fact: {seen: "{{ test_hash }}"}\n  register: out\n',
  'vars/test_hash_vars.yml': 'test_hash:\n  vars_file: "this is in a vars_file"\n',
  'group_vars/all.yml': 'test_hash:\n  group_vars_all: "this is in group_vars/all"\n',
  'host_vars/a.yml': 'test_hash:\n  host_vars_testhost: "this is in host_vars/testhost"\n',
};
const PLAY = `- hosts: all
  vars_files: [vars/test_hash_vars.yml]
  vars:
    test_hash:
      playbook_vars: "this is a playbook variable"
  roles:
    - role: r
      test_hash:
        role_argument: 'this is a role argument variable'
`;
const seen = async () => {
  const o = await play({ playbook: PLAY, files: ROLE, opts: { extraVars: ['{"test_hash":{"extra_args":"this is an extra arg"}}'] } });
  assert.equal(o.problems, []);
  return (o.results[0].registered as { ansible_facts: { seen: unknown } }).ansible_facts.seen;
};

test('merge: the role sees one dict of every layer\'s keys (the hash target\'s merged_hash)', async () => {
  setHashBehaviour('merge');
  assert.equal(await seen(), {
    default_vars: 'this is in role defaults/main.yml',
    extra_args: 'this is an extra arg',
    group_vars_all: 'this is in group_vars/all',
    host_vars_testhost: 'this is in host_vars/testhost',
    playbook_vars: 'this is a playbook variable',
    role_argument: 'this is a role argument variable',
    role_vars: 'this is in role vars/main.yml',
    vars_file: 'this is in a vars_file',
  });
});

test('replace: the extra var alone (replaced_hash)', async () => {
  assert.equal(await seen(), { extra_args: 'this is an extra arg' });
});

test("two inventory sources that give host1's and all's dict: merged with merge, the second's alone with replace (test_inventory_hash.yml)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-hash-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'inv1.yml'), 'all:\n  hosts:\n    host1:\n      h: {host_var1: "inventory 1", host_var2: "inventory 1"}\n  vars:\n    g: {group_var1: "inventory 1", group_var2: "inventory 1"}\n');
  writeFileSync(join(dir, 'inv2.yml'), 'all:\n  hosts:\n    host1:\n      h: {host_var1: "inventory 2"}\n  vars:\n    g: {group_var1: "inventory 2"}\n');
  const vars = () => hostVars(loadSources([join(dir, 'inv1.yml'), join(dir, 'inv2.yml')]).inventory!, 'host1').vars;
  assert.equal(vars().h, { host_var1: 'inventory 2' });
  assert.equal(vars().g, { group_var1: 'inventory 2' });
  setHashBehaviour('merge');
  assert.equal(vars().h, { host_var1: 'inventory 2', host_var2: 'inventory 1' });
  assert.equal(vars().g, { group_var1: 'inventory 2', group_var2: 'inventory 1' });
});

test.run();
