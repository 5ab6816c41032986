// Inventory sources only an inventory plugin reads: a YAML file naming `plugin:` (constructed over the
// hosts earlier sources made) and an executable script, read by the controller's ansible-core's own
// InventoryManager (`ansible-inventory --list --export`), as ansible-playbook reads them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skiff } from '../helpers.ts';

const hasAnsible = existsSync('/usr/lib/python3/dist-packages/ansible/plugins/inventory/constructed.py');
if (!hasAnsible && process.env.CI === 'true') throw new Error('ansible-core is not installed: install it (npx tsx lab/cli.ts install)');
const run = hasAnsible ? test : test.skip;

run('constructed groups and composes over the hosts of the sources before it; a script inventory gives its groups, group vars and host vars; a plugin that fails is a warning', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inv-plugins-'));
  writeFileSync(join(dir, 'base.yml'), 'all:\n  hosts:\n    web1: {role: web, ansible_connection: local}\n    db1: {role: db, ansible_connection: local}\n');
  writeFileSync(join(dir, 'constructed.yml'), "plugin: ansible.builtin.constructed\nstrict: false\ngroups:\n  webservers: role == 'web'\nkeyed_groups:\n  - key: role\n    prefix: role\ncompose:\n  shout: role | upper\n");
  writeFileSync(join(dir, 'script.sh'), '#!/bin/sh\nif [ "$1" = "--host" ]; then echo \'{}\'; exit 0; fi\necho \'{"scripted": {"hosts": ["s1"], "vars": {"ansible_connection": "local", "from_script": 1}}, "_meta": {"hostvars": {"s1": {"own": "x"}}}}\'\n');
  chmodSync(join(dir, 'script.sh'), 0o755);
  writeFileSync(join(dir, 'broken.yml'), 'plugin: ansible.builtin.generator\nlayers: 3\n');
  writeFileSync(join(dir, 'p.yml'), "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: {msg: \"{{ inventory_hostname }} {{ group_names }} {{ shout | default('-') }} {{ own | default('-') }} {{ from_script | default('-') }}\"}\n");
  const r = await skiff(['run', '-i', join(dir, 'base.yml'), '-i', join(dir, 'constructed.yml'), '-i', join(dir, 'script.sh'), '-i', join(dir, 'broken.yml'), join(dir, 'p.yml')], { cwd: dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /"msg": "web1 \['role_web', 'webservers'\] WEB - -"/);
  assert.match(r.stdout, /"msg": "db1 \['role_db'\] DB - -"/);
  assert.match(r.stdout, /"msg": "s1 \['scripted'\] - x 1"/);
  assert.match(r.stderr, /\[WARNING\]: .*broken\.yml/);
});

test.run();
