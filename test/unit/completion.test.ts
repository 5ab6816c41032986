// Bash completion: the script skiff prints, sourced in bash with COMP_WORDS/COMP_CWORD set, as bash does
// on Tab; hosts and groups come from skiff itself (`skiff __complete hosts`).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SKIFF, skiff } from '../helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-completion-'));
writeFileSync(join(dir, 'inv.yml'), 'all:\n  hosts:\n    prom1: {connection: local}\n    prom2: {connection: local}\n  children:\n    prometheus: {hosts: {prom1: {}, prom2: {}}}\n    monitoring: {hosts: {mon: {connection: local}}}\n');
writeFileSync(join(dir, 'site.yml'), '[]\n');
let script = '';

let zscript = '';
test('skiff completion bash prints a script; an unknown shell is bad input', async () => {
  const r = await skiff(['completion', 'bash']);
  assert.is(r.code, 0, r.stderr);
  script = join(dir, 'skiff.bash');
  writeFileSync(script, r.stdout);
  const z = await skiff(['completion', 'zsh']);
  assert.is(z.code, 0);
  zscript = join(dir, '_skiff');
  writeFileSync(zscript, z.stdout);
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
  assert.equal(complete(''), ['apply', 'completion', 'config', 'help', 'inventory', 'run', 'show', 'tasks', 'validate', 'vault']);
  assert.equal(complete('va'), ['validate', 'vault']);
});

test("a command's own flags", () => {
  assert.equal(complete('run', '--ch'), ['--check']);
  assert.equal(complete('inventory', '--'), ['--ask-vault-pass', '--ask-vault-password', '--help', '--host', '--inventory', '--vault-id', '--vault-pass-file', '--vault-password-file', '--version']);
  assert.equal(complete('run', 'site.yml', '-i', 'inv.yml', '--pro'), ['--profile']);
  assert.equal(complete('run', '--pl'), ['--plan']);
  assert.equal(complete('apply', '--ma'), ['--max-age']);
  assert.equal(complete('show', '--j'), ['--json']);
});

test('task type names', () => {
  assert.equal(complete('tasks', 'co'), ['command', 'community.docker.docker_container', 'community.general.ini_file', 'container', 'containers.podman.podman_container', 'content', 'copy']);
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

// zsh: the script's _skiff run by zsh itself, with compadd/compset/_files standing in for the
// completion system (they print what would be offered), on the same command lines as for bash
const haveZsh = spawnSync('sh', ['-c', 'command -v zsh']).status === 0;
function zshComplete(...words: string[]): string[] {
  const stubs = `compdef() { :; }; compset() { :; }; _files() { print -r -- '<files>'; }
compadd() { if [[ $1 == -a ]]; then print -rl -- \${(P)2}; else [[ $1 == -- ]] && shift; print -rl -- "$@"; fi; }`;
  const line = `words=('${SKIFF}' ${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length + 1}; _skiff`;
  const r = spawnSync('zsh', ['-f', '-c', `${stubs}\nsource ${zscript}\n${line}`], { encoding: 'utf8', timeout: 20_000, cwd: ROOT, env: { ...process.env, ANSIBLE_CONFIG: '' } });
  assert.is(r.status, 0, r.stderr);
  const cur = words[words.length - 1];
  return r.stdout.split('\n').filter((x) => x && x.startsWith(cur));
}

test("zsh: commands, a command's flags, task types, and hosts of the inventory on the line", async () => {
  if (!haveZsh) {
    if (process.env.CI === 'true') assert.unreachable('zsh is not installed (lab/setup.ts installs it)');
    console.log('  (skipped: no zsh)');
    return;
  }
  assert.equal(zshComplete('va'), ['validate', 'vault']);
  assert.ok(zshComplete('run', '--ch').includes('--check'));
  assert.ok(zshComplete('tasks', 'prepare').includes('prepare-prometheus'));
  assert.equal(zshComplete('run', 'x.yml', '-i', 'inventory/lab', '--limit', 'prom'), ['prom1', 'prom2', 'prom3', 'prometheus']);
});

test.run();
