// The bad-input corpus: every broken playbook and inventory under test/bad-input is refused with exit 5,
// file:line:col and a one-line reason, before any host is contacted (a loopback listener counts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { countingListener, pool, ROOT, skiff } from '../helpers.ts';

const BAD = join(ROOT, 'test', 'bad-input');

function expectOf(file: string): RegExp | undefined {
  const m = readFileSync(file, 'utf8').match(/^# expect: (.*)$/m);
  return m ? new RegExp(m[1]) : undefined;
}

function filesIn(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? filesIn(join(dir, f)) : [join(dir, f)]));
}

test('every broken playbook and inventory is refused before any connection, with file:line:col', async () => {
  const listener = await countingListener();
  const tmp = mkdtempSync(join(tmpdir(), 'skiff-bad-'));
  const inv = join(tmp, 'hosts.yml');
  writeFileSync(inv, `all:\n  vars: {data_dir: /srv/data}\n  children:\n    prometheus:\n      hosts:\n        h1: {address: 127.0.0.1, port: ${listener.port}}\n`);
  type Case = { name: string; args: string[]; expect: RegExp; where: string };
  const cases: Case[] = [];
  for (const f of readdirSync(join(BAD, 'playbooks')).sort()) {
    const file = join(BAD, 'playbooks', f);
    const extra = readFileSync(file, 'utf8').match(/^# args: (\S+)/m);
    cases.push({ name: f, args: ['run', relative(ROOT, file), '-i', inv, ...(extra ? [extra[1]] : [])], expect: expectOf(file)!, where: relative(ROOT, file) });
  }
  for (const d of readdirSync(join(BAD, 'inventories')).sort()) {
    const withExpect = filesIn(join(BAD, 'inventories', d)).find((f) => expectOf(f));
    assert.ok(withExpect, `${d} has an # expect: line`);
    cases.push({ name: d, args: ['run', 'test/bad-input/ok.yml', '-i', relative(ROOT, join(BAD, 'inventories', d))], expect: expectOf(withExpect!)!, where: relative(ROOT, join(BAD, 'inventories', d)) });
  }
  cases.push({ name: 'unknown --limit host', args: ['run', 'test/bad-input/ok.yml', '-i', inv, '--limit', 'h2'], expect: /unknown host or group "h2" \(did you mean "h1"\?\)/, where: '--limit' });
  cases.push({ name: 'missing --limit file', args: ['run', 'test/bad-input/ok.yml', '-i', inv, '--limit', '@nope.retry'], expect: /cannot read limit file/, where: 'nope.retry' });
  cases.push({ name: 'bad -e', args: ['run', 'test/bad-input/ok.yml', '-i', inv, '-e', '{"a": [}'], expect: /expected a JSON \(or YAML\) object/, where: '-e' });
  cases.push({ name: 'bad --forks', args: ['run', 'test/bad-input/ok.yml', '-i', inv, '--forks', 'many'], expect: /expected a whole number/, where: '--forks' });

  const results = await pool(cases, 6, (c) => skiff(c.args, { timeoutMs: 30_000 }));
  const failures: string[] = [];
  cases.forEach((c, i) => {
    const r = results[i];
    const firstLine = r.stderr.split('\n')[0];
    if (r.code !== 5) failures.push(`${c.name}: exit ${r.code}, expected 5\n${r.stderr}${r.stdout}`);
    else if (!firstLine.includes(c.where) && !r.stderr.includes(c.where)) failures.push(`${c.name}: no ${c.where} in ${JSON.stringify(firstLine)}`);
    else if (!c.expect.test(r.stderr)) failures.push(`${c.name}: ${JSON.stringify(r.stderr.split('\n')[0])} does not match ${c.expect}`);
    else if (c.where.endsWith('.yml') && !/:\d+:\d+: /.test(r.stderr)) failures.push(`${c.name}: no line:col in ${JSON.stringify(firstLine)}`);
  });
  const contacted = listener.count();
  await listener.close();
  assert.is(failures.join('\n\n'), '', `${failures.length} of ${cases.length} bad inputs not refused as expected`);
  assert.is(contacted, 0, 'a host was contacted although the input was bad');
  console.log(`  bad inputs refused before any connection: ${cases.length}`);
});

test('control: the same inventory with a good playbook does contact the host (so the listener can see it)', async () => {
  const listener = await countingListener();
  const tmp = mkdtempSync(join(tmpdir(), 'skiff-ctl-'));
  const inv = join(tmp, 'hosts.yml');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(tmp, 'key')]);
  writeFileSync(inv, `all:\n  hosts:\n    h1: {address: 127.0.0.1, port: ${listener.port}, private_key_file: key, known_hosts_file: kh}\n`);
  const r = await skiff(['run', 'test/bad-input/ok.yml', '-i', inv], { timeoutMs: 30_000 });
  await listener.close();
  assert.ok(listener.count() >= 1, 'the good playbook connected');
  assert.is(r.code, 4, `unreachable host -> exit 4\n${r.stdout}${r.stderr}`);
});

test('a vars file that looks like JSON and is neither JSON nor YAML: both errors, in Ansible\'s words (dataloader)', async () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-badjson-'));
  writeFileSync(join(d, 'invalid.json'), '{ }}\n');
  writeFileSync(join(d, 'play.yml'), '- hosts: localhost\n  gather_facts: false\n  vars_files: [invalid.json]\n');
  const r = await skiff(['run', '-c', 'local', join(d, 'play.yml')]);
  assert.match(r.stderr, /invalid\.json:1:4: We were unable to read either as JSON nor YAML, these are the errors we got from each:\nJSON: /);
});

test('--syntax-check: a good playbook says "playbook: FILE" (Ansible\'s words), a broken one is refused with file:line:col; no host is contacted', async () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-syntax-'));
  writeFileSync(join(d, 'good.yml'), '- hosts: nowhere.invalid\n  tasks: [{command: "true"}]\n');
  writeFileSync(join(d, 'bad.yml'), '- hosts: all\n  tasks: 123\n');
  const good = await skiff(['run', '--syntax-check', '-i', 'nowhere.invalid,', join(d, 'good.yml')]);
  assert.is(good.code, 0, good.stderr);
  assert.match(good.stdout, /^\nplaybook: .*good\.yml\n$/);
  const bad = await skiff(['run', '--syntax-check', '-i', 'nowhere.invalid,', join(d, 'bad.yml')]);
  assert.is.not(bad.code, 0);
  assert.match(bad.stderr, /bad\.yml:2:10: tasks: got 123, ERROR! A malformed block was encountered while loading tasks/);
});

test.run();
