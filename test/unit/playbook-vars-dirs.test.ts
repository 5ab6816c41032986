// group_vars/ and host_vars/ beside the playbook, as Ansible's host_group_vars plugin reads them: over the
// inventory's, and silent about groups and hosts the inventory lacks (filter_core's host_vars/localhost).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSources } from '../../src/inventory/sources.ts';
import { hostVars } from '../../src/inventory/vars.ts';

test("host_vars/ beside the playbook: read over the inventory's (filter_core's host_vars/localhost)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-pbvars-'));
  mkdirSync(join(dir, 'inv', 'host_vars'), { recursive: true });
  mkdirSync(join(dir, 'pb', 'host_vars'), { recursive: true });
  writeFileSync(join(dir, 'inv', 'hosts.yml'), 'all:\n  hosts:\n    web1:\n');
  writeFileSync(join(dir, 'inv', 'host_vars', 'web1.yml'), 'a: inventory\nb: inventory\n');
  writeFileSync(join(dir, 'pb', 'host_vars', 'web1.yml'), 'a: playbook\n');
  writeFileSync(join(dir, 'pb', 'host_vars', 'localhost'), 'c: 1\n');
  // vars of a host the inventory lacks: no mistake beside a playbook (Ansible ignores them)
  writeFileSync(join(dir, 'pb', 'host_vars', 'elsewhere.yml'), 'd: 1\n');
  const { inventory, problems } = loadSources([join(dir, 'inv', 'hosts.yml')], [], { keepUnclaimed: true, playbookDirs: [join(dir, 'pb')] });
  assert.equal(problems, []);
  const v = hostVars(inventory!, 'web1').vars;
  assert.is(v.a, 'playbook');
  assert.is(v.b, 'inventory');
  assert.is(hostVars(inventory!, 'localhost').vars.c, 1);
});

test("an inventory beside the playbook: its host_vars of a host it lacks are the playbook's, no mistake (hash target's test_inv1.yml and host_vars/testhost)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-pbvars-'));
  mkdirSync(join(dir, 'host_vars'), { recursive: true });
  writeFileSync(join(dir, 'test_inv1.yml'), 'all:\n  hosts:\n    host1:\n');
  writeFileSync(join(dir, 'host_vars', 'testhost'), 'a: 1\n');
  assert.equal(loadSources([join(dir, 'test_inv1.yml')], [], { keepUnclaimed: true, playbookDirs: [dir] }).problems, []);
  // an inventory elsewhere still names the file of a host it lacks
  assert.match(loadSources([join(dir, 'test_inv1.yml')], [], { playbookDirs: [join(dir, 'other')] }).problems[0]?.message ?? '', /host_vars for unknown host "testhost"/);
});

test.run();
