import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventory } from '../../src/inventory/load.ts';
import { loadSources } from '../../src/inventory/sources.ts';
import { matchPattern } from '../../src/inventory/pattern.ts';
import { hostVars, groupsOf } from '../../src/inventory/vars.ts';

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'skiff-inv-'));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(d, f, '..'), { recursive: true });
    writeFileSync(join(d, f), text);
  }
  return d;
}

const yamlInv = dir({
  'hosts.yml': `all:
  vars: {level: all, only_all: 1}
  children:
    prometheus:
      vars: {level: prometheus}
      children:
        dc1: {hosts: {prom-dc1: {address: 10.0.0.1}}}
        dc2: {hosts: {prom-dc2: {address: 10.0.0.2, level: host-inline}}}
    monitoring:
      hosts: {mon: {}}
`,
  'group_vars/all.yml': 'level: group_vars_all\nfrom_gv_all: yes\n',
  'group_vars/dc1.yml': 'level: dc1\n',
  'host_vars/prom-dc2.yml': 'level: host_vars\n',
});

test('YAML inventory: groups, children, membership', () => {
  const { inventory, problems } = loadInventory(yamlInv);
  assert.equal(problems, []);
  assert.equal(inventory!.hosts, ['prom-dc1', 'prom-dc2', 'mon']);
  assert.equal(groupsOf(inventory!, 'prom-dc1').sort(), ['all', 'dc1', 'prometheus']);
});

test('var precedence: all < parent < child (inventory file) < group_vars/all < parent < child (files) < host inline < host_vars', () => {
  const inv = loadInventory(yamlInv).inventory!;
  assert.is(hostVars(inv, 'mon').vars.level, 'group_vars_all');
  assert.is(hostVars(inv, 'mon').vars.from_gv_all, true, 'YAML 1.1: yes is a boolean');
  assert.is(hostVars(inv, 'prom-dc1').vars.level, 'dc1');
  assert.is(hostVars(inv, 'prom-dc2').vars.level, 'host_vars');
  assert.is(hostVars(inv, 'prom-dc2').vars.only_all, 1);
});

test('INI inventory with :vars and :children, typed values', () => {
  const d = dir({ 'hosts.ini': `[dc1]\nprom1 ansible_host=10.0.0.1 ansible_port=2222\n[dc2]\nprom2 address=10.0.0.2 become=True\n[prometheus:children]\ndc1\ndc2\n[prometheus:vars]\nreplica_label=prometheus\n` });
  const { inventory, problems } = loadInventory(d);
  assert.equal(problems, []);
  const v1 = hostVars(inventory!, 'prom1').vars;
  assert.is(v1.ansible_port, 2222);
  assert.is(v1.replica_label, 'prometheus');
  assert.is(hostVars(inventory!, 'prom2').vars.become, true);
  const m = matchPattern(inventory!, 'prometheus:!dc1');
  assert.equal(m, { hosts: ['prom2'] });
});

test('INI values as Ansible reads them: shlex words, Python literals (yes/true stay text), quoted spaces', () => {
  // the host line of var_blending's inventory, and Ansible's _parse_value on each value
  const d = dir({
    'hosts.ini': [
      '[local]',
      `testhost ansible_connection=local ansible_python_interpreter="{{ ansible_playbook_python }}" n=1 f=1.5 t=True y=yes lit=true l="[1, 'a']" d="{'k': 2}" q="'1'" ip=10.0.0.1 z=010  # a comment`,
      'h2 msg="a b"#a comment too, as Python\'s shlex reads it',
      '[local:vars]',
      `gv=5000`,
      `gs="a b"`,
      `gt=yes`,
      `gc=abc # kept, as Ansible keeps it`,
    ].join('\n'),
  });
  const { inventory, problems } = loadInventory(d);
  assert.equal(problems, []);
  assert.equal(inventory!.hosts, ['testhost', 'h2']);
  const v = hostVars(inventory!, 'testhost').vars;
  assert.is(v.ansible_python_interpreter, '{{ ansible_playbook_python }}');
  assert.equal([v.n, v.f, v.t, v.y, v.lit, v.l, v.d, v.q, v.ip, v.z], [1, 1.5, true, 'yes', 'true', [1, 'a'], { k: 2 }, '1', '10.0.0.1', '010']);
  assert.equal([v.gv, v.gs, v.gt, v.gc], [5000, 'a b', 'yes', 'abc # kept, as Ansible keeps it']);
  assert.is(hostVars(inventory!, 'h2').vars.msg, 'a b');
  const bad = loadInventory(dir({ 'hosts.ini': 'h1 x="open\n' })).problems;
  assert.match(bad[0].message, /quote that is not closed/);
  assert.is(bad[0].line, 1);
});

test('group_vars/host_vars as Ansible reads them: NAME without extension, .json, a NAME/ directory of files', () => {
  // var_precedence's host_vars/testhost has no extension
  const d = dir({
    'hosts.ini': '[web]\ntesthost\n',
    'host_vars/testhost': 'from_bare: 1\n',
    'group_vars/web/a.yml': 'ga: 1\nshared: a\n',
    'group_vars/web/b.json': '{"gb": 2, "shared": "b"}',
    'group_vars/web/README.md': 'not vars',
  });
  const { inventory, problems } = loadInventory(d);
  assert.equal(problems, []);
  const v = hostVars(inventory!, 'testhost').vars;
  assert.equal([v.from_bare, v.ga, v.gb, v.shared], [1, 1, 2, 'b']);
});

// ansible-var-precedence-check.py (the var_precedence target): each source of `findme` must win over
// every one after it; the checker writes them all, then drops the winner and runs again
const INVENTORY_ORDER = ['pb_host_vars_file', 'ini_host_vars_file', 'ini_host', 'pb_group_vars_file_child', 'pb_group_vars_file_parent', 'ini_group_vars_file_parent', 'pb_group_vars_file_all', 'ini_group_vars_file_all', 'ini_child', 'ini_parent', 'ini_all'];
function checkerDirs(features: string[]): { inventory: string; playbookDir: string } {
  const has = (f: string) => features.includes(f);
  let ini = has('ini_host') ? 'testhost findme=ini_host\n\n' : 'testhost\n\n';
  if (has('ini_child')) ini += '[child]\ntesthost\n\n[child:vars]\nfindme=ini_child\n\n';
  if (has('ini_parent')) ini += (has('ini_child') ? '[parent:children]\nchild\n\n' : '[parent]\ntesthost\n\n') + '[parent:vars]\nfindme=ini_parent\n\n';
  if (has('ini_all')) ini += '[all:vars]\nfindme=ini_all\n\n';
  const files: Record<string, string> = { 'inventory/hosts': ini };
  const file: Record<string, string> = {
    ini_host_vars_file: 'inventory/host_vars/testhost',
    ini_group_vars_file_all: 'inventory/group_vars/all',
    ini_group_vars_file_parent: 'inventory/group_vars/parent',
    pb_host_vars_file: 'host_vars/testhost',
    pb_group_vars_file_parent: 'group_vars/parent',
    pb_group_vars_file_child: 'group_vars/child',
    pb_group_vars_file_all: 'group_vars/all',
  };
  for (const f of features) if (file[f]) files[file[f]] = `findme: ${f}\n`;
  const d = dir(files);
  return { inventory: join(d, 'inventory'), playbookDir: d };
}

test('var precedence as ansible-core 2.14: var_precedence\'s inventory and playbook-adjacent sources, each over all that follow', () => {
  INVENTORY_ORDER.forEach((winner, i) => {
    const { inventory, playbookDir } = checkerDirs(INVENTORY_ORDER.slice(i));
    const { inventory: inv, problems } = loadSources([inventory], [], { keepUnclaimed: true, playbookDirs: [playbookDir] });
    assert.equal(problems, []);
    assert.is(hostVars(inv!, 'testhost').vars.findme, winner);
  });
});

test('playbook-adjacent group_vars of a group the inventory lacks: no mistake, kept for group_by', () => {
  const d = dir({ 'inventory/hosts': 'testhost\n', 'group_vars/elsewhere': 'x: 1\n', 'inventory/group_vars/ungrouped': 'y: 2\n' });
  const { inventory, problems } = loadSources([join(d, 'inventory')], [], { keepUnclaimed: true, playbookDirs: [d] });
  assert.equal(problems, []);
  assert.equal(inventory!.unclaimed!.groups.get('elsewhere')?.problem, undefined);
  assert.is(hostVars(inventory!, 'testhost').vars.y, 2);
});

test('patterns: unions, exclusion, intersection, globs; unknown names match nothing and are named', () => {
  const inv = loadInventory(yamlInv).inventory!;
  assert.equal(matchPattern(inv, 'prom-*'), { hosts: ['prom-dc1', 'prom-dc2'] });
  assert.equal(matchPattern(inv, 'dc1,monitoring'), { hosts: ['prom-dc1', 'mon'] });
  assert.equal(matchPattern(inv, 'all:&prometheus:!dc2'), { hosts: ['prom-dc1'] });
  assert.equal(matchPattern(inv, 'prom-dc3'), { hosts: [], unmatched: ['prom-dc3'] });
  assert.equal(matchPattern(inv, 'dc1:nosuch:!gone:&prometheus'), { hosts: ['prom-dc1'], unmatched: ['nosuch', 'gone'] });
});

test('bad inventory: positions and what was expected', () => {
  const d = dir({ 'hosts.yml': 'all:\n  hosts:\n    h1: {port: 22}\n  child:\n    x: 1\n' });
  const { problems } = loadInventory(d);
  assert.is(problems.length, 1);
  assert.match(problems[0].file, /hosts\.yml$/);
  assert.is(problems[0].line, 4);
  assert.match(problems[0].message, /unknown key "child".*expected one of hosts, vars, children/);
});

test.run();
