// ansible-playbook's -i and -c as Ansible 2.14 reads them (checked against /usr/bin/ansible-playbook):
// -i 'a,b,' is a host list (Ansible's host_list plugin) when no such path exists, several -i combine;
// -c is the connection of hosts whose vars name none (an inventory's ansible_connection wins), refused
// by name only on a host that would use a connection skiff lacks. Each case is data: what is given,
// what the user sees.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSources, setHostListPlugin } from '../../src/inventory/sources.ts';
import { prepare, type RunOptions } from '../../src/engine/prepare.ts';
import { parseArgv } from '../../src/cli/args.ts';
import { TEST_REGISTRY } from './engine-harness.ts';
import { skiff } from '../helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-host-list-'));
// an INI inventory with group_vars beside it, and a path whose name holds a comma (a path, not a list)
writeFileSync(join(dir, 'hosts'), 'lonely\n[web]\nweb1 ansible_connection=local\n');
mkdirSync(join(dir, 'group_vars'));
writeFileSync(join(dir, 'group_vars', 'web.yml'), 'from_group_vars: web\n');
// in a directory of their own: no group_vars/web.yml beside them
mkdirSync(join(dir, 'other'));
writeFileSync(join(dir, 'other', 'a,b'), 'pathhost\n');
const at = (f: string) => join(dir, f);

interface SourcesCase {
  name: string;
  sources: string[];
  hosts: string[];
  ungrouped: string[];
  ports?: Record<string, number>;
  warnings?: RegExp[];
}

const SOURCES: SourcesCase[] = [
  { name: "-i 'host1,host2,': two hosts, in ungrouped", sources: ['host1,host2,'], hosts: ['host1', 'host2'], ungrouped: ['host1', 'host2'] },
  { name: '-i host1,host2 (no trailing comma) is a list too', sources: ['host1,host2'], hosts: ['host1', 'host2'], ungrouped: ['host1', 'host2'] },
  { name: '-i localhost,: localhost is a real host of the inventory', sources: ['localhost,'], hosts: ['localhost'], ungrouped: ['localhost'] },
  { name: 'a port after the name is its ansible_port; [v6]:port too; blanks and repeats dropped', sources: [' h1:2222 , ,[::1]:2200,h1,'], hosts: ['h1', '::1'], ungrouped: ['h1', '::1'], ports: { h1: 2222, '::1': 2200 } },
  { name: 'a file and a host list combine; a host the file groups stays out of ungrouped', sources: [at('hosts'), 'web1,extra,'], hosts: ['lonely', 'web1', 'extra'], ungrouped: ['lonely', 'extra'] },
  { name: 'an existing path with a comma in its name is read as a path', sources: [at('other/a,b')], hosts: ['pathhost'], ungrouped: ['pathhost'] },
  { name: 'a missing path among others: skipped, with a warning', sources: [at('other/nope'), 'x,'], hosts: ['x'], ungrouped: ['x'], warnings: [/inventory .*nope not found: skipped/] },
  { name: 'no source read: only the implicit localhost', sources: [at('other/nope')], hosts: [], ungrouped: [], warnings: [/nope not found: only the implicit localhost is available/] },
];

for (const c of SOURCES) {
  test(`sources: ${c.name}`, () => {
    const r = loadSources(c.sources);
    assert.equal(r.problems, []);
    const inv = r.inventory!;
    assert.equal(inv.hosts, c.hosts);
    assert.equal([...inv.groups.get('ungrouped')!.hosts], c.ungrouped);
    assert.equal([...inv.groups.get('all')!.hosts].sort(), [...c.hosts].sort());
    for (const [h, p] of Object.entries(c.ports ?? {})) assert.is(inv.hostInline.get(h)!.vars.ansible_port, p, h);
    assert.is(r.warnings.length, (c.warnings ?? []).length, r.warnings.join('\n'));
    (c.warnings ?? []).forEach((w, i) => assert.match(r.warnings[i], w));
  });
}

// ANSIBLE_INVENTORY_ENABLED=advanced_host_list (inventory_advanced_host_list target): ranges in a host list
const ADVANCED: SourcesCase[] = [
  { name: "'local100,local[100:110:2]': the range's hosts, a repeat once", sources: ['local100,local[100:110:2]'], hosts: ['local100', 'local102', 'local104', 'local106', 'local108', 'local110'], ungrouped: ['local100', 'local102', 'local104', 'local106', 'local108', 'local110'] },
  { name: 'a port after a range applies to each of its hosts', sources: ['web[1:2]:2222,'], hosts: ['web1', 'web2'], ungrouped: ['web1', 'web2'], ports: { web1: 2222, web2: 2222 } },
  { name: "'local[1:],': a range Ansible refuses (no end value) stays the name as written", sources: ['local[1:],'], hosts: ['local[1:]'], ungrouped: ['local[1:]'] },
  { name: "'local[1:j],': Python fails on it: the source is skipped, with Ansible's warning", sources: ['local[1:j],'], hosts: [], ungrouped: [], warnings: [/^skiff: Failed to parse local\[1:j\], with advanced_host_list plugin: /] },
];

for (const c of ADVANCED) {
  test(`advanced_host_list: ${c.name}`, () => {
    setHostListPlugin('advanced_host_list');
    try {
      const r = loadSources(c.sources);
      assert.equal(r.problems, []);
      assert.equal(r.inventory!.hosts, c.hosts);
      assert.equal([...r.inventory!.groups.get('ungrouped')!.hosts], c.ungrouped);
      for (const [h, p] of Object.entries(c.ports ?? {})) assert.is(r.inventory!.hostInline.get(h)!.vars.ansible_port, p, h);
      assert.is(r.warnings.length, (c.warnings ?? []).length, r.warnings.join('\n'));
      (c.warnings ?? []).forEach((w, i) => assert.match(r.warnings[i], w));
    } finally {
      setHostListPlugin('host_list');
    }
  });
}

test('advanced_host_list is used only when INVENTORY_ENABLED tries it before host_list (env or [inventory] enable_plugins)', async () => {
  const pb2 = join(dir, 'names.yml');
  writeFileSync(pb2, '- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: {var: inventory_hostname}\n');
  const hosts = (out: string) => [...out.matchAll(/^ok: \[(.+)\] => /gm)].map((m) => m[1]);
  const adv = await skiff(['run', '-i', 'local100,local[100:104:2]', '-c', 'local', pb2], { cwd: dir, env: { ANSIBLE_INVENTORY_ENABLED: 'advanced_host_list' } });
  assert.is(adv.code, 0, adv.stderr);
  assert.equal(hosts(adv.stdout), ['local100', 'local102', 'local104']);
  assert.not.match(adv.stderr, /ANSIBLE_INVENTORY_ENABLED/);
  const plain = await skiff(['run', '-i', 'local100,local[100:104:2]', '-c', 'local', pb2], { cwd: dir, env: { ANSIBLE_INVENTORY_ENABLED: 'host_list,advanced_host_list' } });
  assert.equal(hosts(plain.stdout), ['local100', 'local[100:104:2]']);
  const cfgDir = join(dir, 'cfg');
  mkdirSync(cfgDir);
  writeFileSync(join(cfgDir, 'ansible.cfg'), '[inventory]\nenable_plugins = advanced_host_list, ini\n');
  const fromCfg = await skiff(['run', '-i', 'h[1:2],', '-c', 'local', pb2], { cwd: cfgDir });
  assert.equal(hosts(fromCfg.stdout), ['h1', 'h2'], fromCfg.stderr);
});

test('sources: group_vars beside a file source apply; a host list adds none', () => {
  const inv = loadSources([at('hosts'), 'other,']).inventory!;
  assert.equal(inv.groups.get('web')!.file?.vars, { from_group_vars: 'web' });
});

// -c's precedence, as Ansible's PlayContext: the host's ansible_connection > -c > smart (ssh)
const origin = { file: '--connection', line: 0, col: 0 };
const pb = join(dir, 'pb.yml');
writeFileSync(pb, '- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: {msg: "{{ ansible_connection }}"}\n');
const conns = (inventory: string[], connection?: string) => {
  const opts: RunOptions = { playbook: pb, inventory, extraVars: [], check: false, diff: false, acceptNewHostKeys: false, connDefaults: connection ? { connection: { value: connection, origin } } : {} };
  const { prepared, problems } = prepare(opts, TEST_REGISTRY);
  return prepared ? Object.fromEntries([...prepared.conns].map(([h, c]) => [h, c.connection])) : problems.map((p) => `${p.file}: ${p.message}`);
};

const PRECEDENCE: { name: string; inventory: string[]; connection?: string; expect: Record<string, string> | string[] }[] = [
  { name: 'no -c: a host list host is reached over ssh (Ansible\'s smart)', inventory: ['localhost,'], expect: { localhost: 'ssh' } },
  { name: '-c local: hosts without ansible_connection are local', inventory: ['localhost,h2,'], connection: 'local', expect: { localhost: 'local', h2: 'local' } },
  { name: "the inventory's ansible_connection wins over -c", inventory: [at('hosts')], connection: 'ssh', expect: { lonely: 'ssh', web1: 'local' } },
  { name: '-c with a connection skiff lacks, on hosts that name their own: not refused', inventory: [at('hosts'), 'web1,'], connection: 'paramiko', expect: ['--connection: host lonely: connection: got "paramiko", expected ssh or local'] },
  { name: "ansible-core's connections by full name, smart as ssh (plugin_loader target's ansible.builtin.ssh)", inventory: ['h1,'], connection: 'ansible.builtin.local', expect: { h1: 'local' } },
  { name: '-c smart is ssh', inventory: ['h1,'], connection: 'smart', expect: { h1: 'ssh' } },
  { name: '-c paramiko on a host list host: refused by name, where it was given', inventory: ['h1,'], connection: 'paramiko', expect: ['--connection: host h1: connection: got "paramiko", expected ssh or local'] },
];

for (const c of PRECEDENCE) test(`-c: ${c.name}`, () => assert.equal(conns(c.inventory, c.connection), c.expect));

test('-c paramiko where every host names its connection: the run goes on (refused only where used)', () => {
  writeFileSync(at('other/local-only'), 'a ansible_connection=local\n');
  assert.equal(conns([at('other/local-only')], 'paramiko'), { a: 'local' });
});

// the command line: what skiff run takes, what it refuses by name
const ARGV: { argv: string[]; values?: Record<string, unknown>; problems?: RegExp[] }[] = [
  { argv: ['run', 'pb.yml', '-i', 'a,b,', '-i', 'inv', '-c', 'local'], values: { inventory: ['a,b,', 'inv'], connection: 'local' } },
  { argv: ['run', 'pb.yml', '--connection=ssh', '--flush-cache'], values: { connection: 'ssh', 'flush-cache': true } },
  { argv: ['run', 'pb.yml', '-clocal'], values: { connection: 'local' } },
  // a long flag written with one dash is not -c with the rest as its value
  { argv: ['run', 'pb.yml', '-check'], problems: [/^unknown flag -check \(did you mean --check\?\)/] },
  { argv: ['run', 'pb.yml', '-b', '--become-user', 'postgres'], values: { become: true, 'become-user': 'postgres' } },
  { argv: ['run', 'pb.yml', '-b', '--become-method', 'su'], values: { become: true, 'become-method': 'su' } },
  { argv: ['run', '-M', 'lib', 'pb.yml'], problems: [/^-M \(--module-path\) is ansible-playbook's/] },
  { argv: ['run', 'pb.yml', '--syntax-check'], values: { 'syntax-check': true } },
];

for (const c of ARGV) {
  test(`argv: ${c.argv.join(' ')}`, () => {
    const r = parseArgv(c.argv);
    // a refused flag's value is not taken for the playbook: only the refusal is reported
    assert.equal(r.problems.map((p) => p.message).length, (c.problems ?? []).length, r.problems.map((p) => p.message).join('\n'));
    (c.problems ?? []).forEach((re, i) => assert.match(r.problems[i].message, re));
    for (const [k, v] of Object.entries(c.values ?? {})) assert.equal(r.invocation.values[k], v, k);
    assert.equal(r.invocation.args, ['pb.yml']);
  });
}

test('skiff run -i localhost, -c local: the host list host runs locally, ansible_connection is local as tasks see it', async () => {
  const r = await skiff(['run', '-i', 'localhost,', '-c', 'local', pb], { cwd: dir });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /ok: \[localhost\] => \{\n {4}"msg": "local"\n\}/);
});

test('skiff run -i h1,h2: tasks that run on the controller alone (debug, assert, set_fact) need no connection, as in Ansible', async () => {
  writeFileSync(at('ctl.yml'), '- hosts: all\n  gather_facts: false\n  tasks:\n    - set_fact: {x: 1}\n    - assert: {that: x == 1}\n    - debug: {msg: "{{ inventory_hostname }}"}\n');
  const r = await skiff(['run', '-i', 'unreachable-h1.invalid,unreachable-h2.invalid', at('ctl.yml')], { cwd: dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /unreachable-h1\.invalid +: ok=3 +changed=0 +unreachable=0 +failed=0/);
});

test.run();
