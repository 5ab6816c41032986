// Bash completion: the script skiff prints, sourced in bash with COMP_WORDS/COMP_CWORD set, as bash does
// on Tab; hosts and groups come from skiff itself (`skiff __complete hosts`).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SKIFF, skiff } from '../helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-completion-'));
writeFileSync(join(dir, 'inv.yml'), 'all:\n  hosts:\n    prom1: {connection: local}\n    prom2: {connection: local}\n  children:\n    prometheus: {hosts: {prom1: {}, prom2: {}}}\n    monitoring: {hosts: {mon: {connection: local}}}\n');
writeFileSync(join(dir, 'site.yml'), '[]\n');
let script = '';

test('skiff completion bash prints a script; an unknown shell is bad input', async () => {
  const r = await skiff(['completion', 'bash']);
  assert.is(r.code, 0, r.stderr);
  script = join(dir, 'skiff.bash');
  writeFileSync(script, r.stdout);
  const z = await skiff(['completion', 'zsh']);
  assert.is(z.code, 0);
  assert.match(z.stdout, /^#compdef skiff/);
  const bad = await skiff(['completion', 'fish']);
  assert.is(bad.code, 5);
  assert.match(bad.stderr, /unknown shell "fish": expected bash or zsh/);
});

/** COMPREPLY for a command line; the last word is the one being completed. */
function complete(...words: string[]): string[] {
  const arr = [SKIFF, ...words].map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  const out = execFileSync('bash', ['-c', `source '${script}'; COMP_WORDS=(${arr}); COMP_CWORD=${words.length}; _skiff; printf '%s\\n' "\${COMPREPLY[@]}"`], { cwd: dir, env: { ...process.env, HOME: dir, ANSIBLE_CONFIG: '' } });
  return String(out).split('\n').filter(Boolean).sort();
}

test('commands', () => {
  assert.equal(complete(''), ['completion', 'config', 'help', 'inventory', 'run', 'tasks', 'validate', 'vault']);
  assert.equal(complete('va'), ['validate', 'vault']);
});

test("a command's own flags", () => {
  assert.equal(complete('run', '--ch'), ['--check']);
  assert.equal(complete('inventory', '--'), ['--ask-vault-pass', '--ask-vault-password', '--help', '--host', '--inventory', '--vault-id', '--vault-pass-file', '--vault-password-file', '--version']);
  assert.equal(complete('run', 'site.yml', '-i', 'inv.yml', '--pro'), ['--profile']);
});

test('task type names', () => {
  assert.equal(complete('tasks', 'co'), ['command', 'container', 'content', 'copy']);
});

test('files after -i and for a playbook; shells for completion', () => {
  assert.equal(complete('run', 'si'), ['site.yml']);
  assert.equal(complete('run', '-i', 'in'), ['inv.yml']);
  assert.equal(complete('completion', ''), ['bash', 'zsh']);
});

test('--limit and --host: hosts and groups of the -i inventory, asked of skiff', () => {
  assert.equal(complete('run', 'site.yml', '-i', 'inv.yml', '--limit', 'pro'), ['prom1', 'prom2', 'prometheus']);
  assert.equal(complete('run', '-i', 'inv.yml', '-l', ''), ['all', 'mon', 'monitoring', 'prom1', 'prom2', 'prometheus', 'ungrouped']);
  assert.equal(complete('inventory', '-i', 'inv.yml', '--host', 'm'), ['mon', 'monitoring']);
  // bash splits a:b at the colon: the word after it is still a pattern of --limit
  assert.equal(complete('run', '-i', 'inv.yml', '--limit', 'monitoring', ':', 'prom'), ['prom1', 'prom2', 'prometheus']);
  assert.equal(complete('run', '-i', 'inv.yml', '--limit', '!mo'), ['!mon', '!monitoring']);
});

test('--limit without -i: the inventory of ansible.cfg', () => {
  writeFileSync(join(dir, 'ansible.cfg'), '[defaults]\ninventory = inv.yml\n');
  assert.equal(complete('run', 'site.yml', '--limit', 'prom'), ['prom1', 'prom2', 'prometheus']);
});

test.run();
