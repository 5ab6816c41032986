// The committed playbooks and inventories are valid as shipped; `skiff inventory` shows merged vars.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skiff } from '../helpers.ts';

const key = join(mkdtempSync(join(tmpdir(), 'skiff-cli-')), 'key');
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);

for (const pb of ['thanos', 'thanos-rollback']) {
  for (const inv of ['lab', 'prod']) {
    test(`validate playbooks/${pb}.yml -i inventory/${inv}`, async () => {
      // the lab's key exists only once the lab is up; prod's is the operator's: point both at a real key
      const r = await skiff(['validate', `playbooks/${pb}.yml`, '-i', `inventory/${inv}`, '-e', `private_key_file=${key}`]);
      assert.is(r.code, 0, r.stderr);
      assert.match(r.stdout, /valid/);
    });
  }
}

test('inventory -i inventory/prod: groups of two data centers, group_vars merged', async () => {
  const r = await skiff(['inventory', '-i', 'inventory/prod']);
  assert.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { groups: Record<string, { hosts: string[]; children: string[] }>; hosts: Record<string, { groups: string[]; vars: Record<string, unknown> }> };
  assert.ok(out.groups.prometheus, 'a prometheus group');
  const proms = Object.entries(out.hosts).filter(([, h]) => h.groups.includes('prometheus'));
  assert.ok(proms.length >= 2);
  assert.match(String(proms[0][1].vars.thanos_image), /^docker\.io\/thanosio\/thanos:v\d+\.\d+\.\d+$/);
});

test('tasks lists every task type', async () => {
  const r = await skiff(['tasks']);
  for (const t of ['file', 'content', 'line', 'command', 'wait-http', 'container', 'prepare-prometheus', 'run-sidecar', 'run-query', 'patch-datasource', 'verify-thanos']) assert.match(r.stdout, new RegExp(`^${t} `, 'm'));
});

test.run();
