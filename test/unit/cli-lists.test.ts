// --list-hosts, --list-tasks, --tags and --start-at-task from the command line, as an operator types
// them against the shipped playbook and inventory: what would run, without contacting any host.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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

test('--list-tasks: a dynamic include is listed as itself (its action when unnamed), a role\'s task as `role : name` only when named (ansible-playbook\'s listing of commcare-analytics-ansible)', async () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-lists-inc-'));
  mkdirSync(join(d, 'roles', 'r', 'tasks'), { recursive: true });
  mkdirSync(join(d, 'roles', 'r2', 'tasks'), { recursive: true });
  writeFileSync(join(d, 'roles', 'r', 'tasks', 'main.yml'), '- include_tasks: x.yml\n  tags: t1\n- name: named include\n  include_tasks: x.yml\n- import_tasks: x.yml\n- include_role: {name: r2}\n- {name: named direct, debug: msg=x}\n');
  writeFileSync(join(d, 'roles', 'r', 'tasks', 'x.yml'), '- debug: msg=x\n');
  writeFileSync(join(d, 'roles', 'r2', 'tasks', 'main.yml'), '- debug: msg=r2\n');
  writeFileSync(join(d, 'p.yml'), '- hosts: localhost\n  gather_facts: false\n  roles: [r]\n  tasks:\n    - name: in a loop\n      include_tasks: roles/r/tasks/x.yml\n      loop: [1, 2]\n');
  const r = await skiff(['run', join(d, 'p.yml'), '-i', 'localhost,', '--list-tasks']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('      ')), [
    '      include_tasks\tTAGS: [t1]',
    '      r : named include\tTAGS: []',
    '      debug\tTAGS: []',
    '      include_role\tTAGS: []',
    '      r : named direct\tTAGS: []',
    '      in a loop\tTAGS: []',
  ]);
});

test.run();
