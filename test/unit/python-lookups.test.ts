// Lookup plugins skiff does not implement run through the controller's ansible-core as Templar._lookup
// runs them, found where Ansible finds them (plugin_namespace's lookup_plugins/ beside the playbook,
// collections_plugin_namespace's by FQCN, a role's): their results with Ansible's types, wantlist and
// the comma-joined text, errors=ignore|warn, and a plugin's exception in Ansible's words.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { play, playbook } from './engine-harness.ts';
import { resultLines } from '../../src/report/ansible-lines.ts';
import { onLookupWarning } from '../../src/lookup/base.ts';
import { isFloat } from '../../src/template/py-float.ts';

const hasAnsible = existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import ansible']).status === 0;
const maybe = hasAnsible ? test : test.skip;
const msgs = (o: Awaited<ReturnType<typeof play>>) => o.results.map((r) => (r.result as { msg?: unknown } | undefined)?.msg);

// the plugin server lives for the whole run and keeps what it found: each case names its own plugins
const PLUGIN = (name: string) => `from ansible.errors import AnsibleLookupError, AnsibleOptionsError
from ansible.plugins.lookup import LookupBase

class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        mode = kwargs.get('mode', 'upper')
        if mode == 'raise':
            return {}['nokey']
        if mode == 'lookuperr':
            raise AnsibleLookupError('${name} cannot')
        if mode == 'opterr':
            raise AnsibleOptionsError('bad option')
        if mode == 'dict':
            return {'one': 1, 'two': 2}
        if mode == 'nums':
            return [1, 2.0]
        if mode == 'vars':
            return [variables['greeting'], self._templar.template('{{ greeting }} {{ other }}'), __name__]
        return [t.upper() for t in terms]
`;

maybe("a playbook's lookup_plugins/: its list joined with commas, or as a list (wantlist, query); a dict's keys (77788); other values kept with their types", async () => {
  const o = await play({
    playbook: playbook(
      [
        `- debug: msg="{{ lookup('lk1', 'a', 'b') }}"`,
        `- debug: msg="{{ lookup('lk1', 'a', 'b', wantlist=True) }}"`,
        `- debug: msg="{{ query('lk1', 'a') }}"`,
        `- debug: msg="{{ lookup('lk1', mode='dict') }}"`,
        `- debug: msg="{{ lookup('lk1', mode='dict', wantlist=True) }}"`,
        `- debug: msg="{{ lookup('lk1', mode='nums') }}"`,
        `- debug: msg="{{ lookup('lk1', mode='vars') }}"`,
        `- debug: msg="{{ item }}"\n  with_lk1: [x, y]\n  register: looped`,
      ].join('\n'),
      '  vars: {greeting: hello, other: world}\n',
    ),
    files: { 'lookup_plugins/lk1.py': PLUGIN('lk1') },
  });
  assert.equal(o.problems, []);
  const m = msgs(o);
  assert.equal(m.slice(0, 5), ['A,B', ['A', 'B'], ['A'], 'one,two', { one: 1, two: 2 }]);
  // a list of other values is no text: as it is, 2.0 still a float
  const nums = m[5] as unknown[];
  assert.is(nums[0], 1);
  assert.ok(isFloat(nums[1]) && Number(nums[1]) === 2, '2.0 stays a float');
  // the task's variables and a Templar holding them; the plugin module's name is Ansible's (plugin_namespace)
  assert.is(m[6], 'hello,hello world,ansible.plugins.lookup.lk1');
  // with_<name> is a loop over it: its items
  assert.equal((o.results[7].registered as { results: { item: unknown }[] }).results.map((r) => r.item), ['X', 'Y']);
});

maybe("errors=ignore and warn take the plugin's failure (warn says it as Ansible does); else the task fails with Ansible's message; an AnsibleOptionsError and an unknown name are not taken", async () => {
  const warnings: string[] = [];
  onLookupWarning((t) => warnings.push(t));
  const o = await play({
    playbook: playbook(
      [
        `- debug: msg="x{{ lookup('lk2', mode='raise', errors='ignore') }}x"`,
        `- debug: msg="{{ query('lk2', mode='raise', errors='ignore') }}"`,
        `- debug: msg="x{{ lookup('lk2', mode='raise', errors='warn') }}x"`,
        `- debug: msg="x{{ lookup('lk2', mode='lookuperr', errors='warn') }}x"`,
        `- debug: msg="{{ lookup('lk2', mode='raise') }}"\n  ignore_errors: true`,
        `- debug: msg="{{ lookup('lk2', mode='lookuperr') }}"\n  ignore_errors: true`,
        `- debug: msg="{{ lookup('lk2', mode='opterr', errors='ignore') }}"\n  ignore_errors: true`,
        `- debug: msg="{{ lookup('nosuchlookup', errors='ignore') }}"\n  ignore_errors: true`,
      ].join('\n'),
    ),
    files: { 'lookup_plugins/lk2.py': PLUGIN('lk2') },
  });
  onLookupWarning((t) => process.stderr.write(`[WARNING]: ${t}\n`));
  assert.equal(o.problems, []);
  assert.equal(o.lines.slice(4), ['a debug failed', 'a debug failed', 'a debug failed', 'a debug failed']);
  assert.equal(msgs(o).slice(0, 4), ['xx', [], 'xx', 'xx']);
  const unhandled = "An unhandled exception occurred while running the lookup plugin 'lk2'. Error was a <class 'KeyError'>, original message: 'nokey'";
  assert.equal(warnings, [unhandled, 'Lookup failed but the error is being ignored: lk2 cannot']);
  const fatal = (i: number) => resultLines(o.results[i], { verbosity: 0, diff: false })[0];
  assert.is(fatal(4), `fatal: [a]: FAILED! => {"msg": ${JSON.stringify(`${unhandled}. 'nokey'`)}}`);
  assert.is(fatal(5), 'fatal: [a]: FAILED! => {"msg": "lk2 cannot"}');
  assert.is(fatal(6), 'fatal: [a]: FAILED! => {"msg": "bad option"}');
  assert.is(fatal(7), 'fatal: [a]: FAILED! => {"msg": "lookup plugin (nosuchlookup) not found"}');
});

maybe("a plugin reads variables['hostvars'] (each host's vars, a fact set_fact gave, the host names, `in`) and variables['vars'], as Ansible's do", async () => {
  const plugin = `from ansible.plugins.lookup import LookupBase

class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        hv = variables['hostvars']
        out = ['%s=%s' % (t, hv[t].get('x', 'nox')) for t in terms]
        out.append('hosts=' + ','.join(sorted(hv)))
        out.append('in=%s%s' % ('b' in hv, 'zz' in hv))
        out.append('vars=' + variables['vars']['pv'])
        out.append('self=%s' % hv[variables['inventory_hostname']]['fact'])
        return out
`;
  const o = await play({
    hosts: 'all:\n  hosts:\n    a: {connection: local, x: 1}\n    b: {connection: local, x: two}\n',
    playbook: `- hosts: a
  gather_facts: false
  vars: {pv: playvar}
  tasks:
    - set_fact: {fact: 2.0}
    - debug: msg="{{ lookup('hvlk', 'a', 'b') }}"
`,
    files: { 'lookup_plugins/hvlk.py': plugin },
  });
  assert.equal(o.problems, []);
  // Ansible 2.14 (its hostvars also names the implicit localhost there)
  assert.equal(msgs(o)[1], 'a=1,b=two,hosts=a,b,in=TrueFalse,vars=playvar,self=2.0');
});

maybe("a role's lookup_plugins/, and a collection's beside the playbook by FQCN (collections_plugin_namespace)", async () => {
  const o = await play({
    playbook: `- hosts: all\n  roles: [withlookup]\n  tasks:\n    - debug: msg="{{ lookup('my_ns.my_col.lk3') }}"\n`,
    files: {
      'roles/withlookup/tasks/main.yml': `- debug: msg="{{ lookup('lk4', 'r') }}"\n`,
      'roles/withlookup/lookup_plugins/lk4.py': PLUGIN('lk4'),
      'collections/ansible_collections/my_ns/my_col/plugins/lookup/lk3.py': `from ansible.plugins.lookup import LookupBase\nclass LookupModule(LookupBase):\n    def run(self, terms, variables, **kwargs):\n        return [__name__]\n`,
    },
  });
  assert.equal(o.problems, []);
  assert.equal(msgs(o), ['R', 'ansible_collections.my_ns.my_col.plugins.lookup.lk3']);
});

test.run();
