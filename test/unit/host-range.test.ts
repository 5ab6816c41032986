// Host ranges in INI and YAML inventories, as Ansible's expand_hostname_range (throttle's inventory:
// `testhost[00:11]`).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandHostRange } from '../../src/inventory/host-range.ts';
import { loadInventory } from '../../src/inventory/load.ts';
import { hostVars } from '../../src/inventory/vars.ts';

test('ranges: widths kept, letters, steps, several in one name; Ansible\'s errors', () => {
  assert.equal(expandHostRange('web[01:03].lab'), ['web01.lab', 'web02.lab', 'web03.lab']);
  assert.equal(expandHostRange('db[a:c]'), ['dba', 'dbb', 'dbc']);
  assert.equal(expandHostRange('n[1:9:4]'), ['n1', 'n5', 'n9']);
  assert.equal(expandHostRange('r[1:2]-[a:b]'), ['r1-a', 'r1-b', 'r2-a', 'r2-b']);
  assert.equal(expandHostRange('plain'), ['plain']);
  assert.equal(expandHostRange('x[01:100]'), { error: 'host range must specify equal-length begin and end formats' });
  assert.equal(expandHostRange('x[3]'), { error: 'host range must be begin:end or begin:end:step' });
});

test('an INI and a YAML inventory: each host of a range, with the line\'s vars', () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-range-'));
  writeFileSync(join(d, 'hosts.ini'), '[testgroup]\ntesthost[00:02] ansible_connection=local\n');
  const ini = loadInventory(join(d, 'hosts.ini'));
  assert.equal(ini.problems, []);
  assert.equal(ini.inventory!.hosts, ['testhost00', 'testhost01', 'testhost02']);
  assert.is(hostVars(ini.inventory!, 'testhost02').vars.ansible_connection, 'local');
  writeFileSync(join(d, 'hosts.yml'), 'all:\n  hosts:\n    "web[1:2]": {port: 22}\n');
  const yml = loadInventory(join(d, 'hosts.yml'));
  assert.equal(yml.inventory!.hosts, ['web1', 'web2']);
  const bad = loadInventory((writeFileSync(join(d, 'bad.ini'), '[g]\nh[01:100]\n'), join(d, 'bad.ini')));
  assert.match(bad.problems.map((p) => p.message).join('\n'), 'host range must specify equal-length begin and end formats: got "h[01:100]"');
});

test.run();
