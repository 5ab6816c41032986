// --list-hosts, --list-tasks, --tags and --start-at-task from the command line, as an operator types
// them against the shipped playbook and inventory: what would run, without contacting any host.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countingListener, skiff } from '../helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-lists-'));
const key = join(dir, 'key');
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);

test('--list-hosts: every play with its pattern and hosts (inventory/prod), nothing contacted', async () => {
  const r = await skiff(['run', 'playbooks/thanos.yml', '-i', 'inventory/prod', '-e', `private_key_file=${key}`, '--list-hosts', '--limit', 'dc1']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /play #1 \(prometheus\): Thanos sidecar next to every Prometheus/);
  assert.match(r.stdout, /pattern: \['prometheus'\]\n    hosts \(\d+\):\n      \S+/);
  assert.match(r.stdout, /play #2 \(monitoring\)/);
});

test('--list-tasks with --tags, --skip-tags and --start-at-task lists what would run, tags shown', async () => {
  const pb = join(dir, 'tagged.yml');
  writeFileSync(pb, `- hosts: all
  tags: [p]
  tasks:
    - {name: one, debug: {msg: a}, tags: [x]}
    - block:
        - {name: two, debug: {msg: b}}
      tags: [y]
    - {name: three, debug: {msg: c}, tags: [never, z]}
    - {name: four, debug: {msg: d}, tags: always}
`);
  const inv = join(dir, 'hosts.yml');
  const l = await countingListener();
  writeFileSync(inv, `all:\n  hosts:\n    h: {address: 127.0.0.1, port: ${l.port}}\n`);
  const list = async (...flags: string[]) => {
    const r = await skiff(['run', pb, '-i', inv, '-e', `private_key_file=${key}`, '--list-tasks', ...flags]);
    assert.is(r.code, 0, r.stderr);
    return [...r.stdout.matchAll(/^ {6}(\S+)\tTAGS: \[(.*)\]$/gm)].map((m) => `${m[1]}[${m[2]}]`);
  };
  assert.equal(await list(), ['one[p, x]', 'two[p, y]', 'four[always, p]']);
  assert.equal(await list('--tags', 'y,z'), ['two[p, y]', 'three[never, p, z]', 'four[always, p]']);
  assert.equal(await list('-t', 'x', '--skip-tags', 'always'), ['one[p, x]']);
  assert.equal(await list('--start-at-task', 'two'), ['two[p, y]', 'four[always, p]']);
  assert.is(l.count(), 0, 'no host was contacted');
  await l.close();
});

test.run();
