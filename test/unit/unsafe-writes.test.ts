// Ansible's unsafe_writes (the unsafe_writes target): a file in a directory where no temp file can be made
// (immutable) is not replaced atomically; copy fails without the option, writes in place with it, and
// the host's ANSIBLE_UNSAFE_WRITES (the task's environment) is the default.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { play, playbook } from './engine-harness.ts';
import { replaceWith, tempBeside } from '../../tasks/lib/files.ts';

/** A directory made immutable (chattr +i, as the target's), or undefined where this machine cannot. */
function immutableDir(): { dir: string; file: string; undo(): void } | undefined {
  const dir = join(mkdtempSync(join(tmpdir(), 'skiff-unsafe-')), 'd');
  mkdirSync(dir);
  const file = join(dir, 'f.txt');
  writeFileSync(file, 'ORIGINAL');
  if (spawnSync('chattr', ['+i', dir]).status !== 0) return undefined;
  return { dir, file, undo: () => void spawnSync('chattr', ['-i', dir]) };
}

test('copy into an immutable directory: fails with atomic_move\'s words, writes in place with unsafe_writes (or ANSIBLE_UNSAFE_WRITES)', async () => {
  const d = immutableDir();
  if (!d) return; // chattr needs root and a file system that has the flag
  try {
    const tasks = [
      `- copy: {content: NEW, dest: ${d.file}, unsafe_writes: false}\n  ignore_errors: true\n  register: without`,
      `- copy: {content: NEWNOREALLY, dest: ${d.file}, unsafe_writes: true}`,
      `- copy: {content: FROMENV, dest: ${d.file}}\n  environment: {ANSIBLE_UNSAFE_WRITES: "1"}`,
      `- copy: {content: NOTFROMENV, dest: ${d.file}}\n  environment: {ANSIBLE_UNSAFE_WRITES: "0"}\n  ignore_errors: true`,
    ].join('\n');
    const o = await play({ playbook: playbook(tasks) });
    assert.equal(o.problems, []);
    assert.equal(o.results.map((r) => r.status), ['failed', 'changed', 'changed', 'failed']);
    assert.match(String((o.results[0].registered as { msg: string }).msg), `The destination directory (${d.dir}) is not writable by the current user. Error was: `);
    assert.is(readFileSync(d.file, 'utf8'), 'FROMENV');
  } finally {
    d.undo();
  }
});

test('a rename that fails with EBUSY (a bind-mounted file) is a write in place only when unsafe writes are allowed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-busy-'));
  const file = join(dir, 'f');
  writeFileSync(file, 'old');
  // mv stands in for the rename the host refuses, as it does for a file a container has bind-mounted
  const run = (unsafe: boolean) =>
    spawnSync('sh', ['-ec', ['mv() { echo "mv: cannot move: Device or resource busy" >&2; return 1; }', `d=${dir}`, ...tempBeside('"$d"', unsafe), 'printf new > "$t"', ...replaceWith(file, { mode: '0600' })].join('\n')], { encoding: 'utf8' });
  const safe = run(false);
  assert.is(safe.status, 1);
  assert.match(safe.stderr, 'Device or resource busy');
  assert.is(readFileSync(file, 'utf8'), 'old');
  assert.is(run(true).status, 0);
  assert.is(readFileSync(file, 'utf8'), 'new');
});

test('unsafe_writes is an option of the modules that write files (not refused)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-uw-'));
  const tasks = [
    `- lineinfile: {path: ${dir}/a, line: x, create: true, unsafe_writes: true}`,
    `- blockinfile: {path: ${dir}/b, block: x, create: true, unsafe_writes: true}`,
    `- file: {path: ${dir}/c, state: touch, unsafe_writes: true}`,
  ].join('\n');
  const o = await play({ playbook: playbook(tasks) });
  assert.equal(o.problems, []);
  assert.equal(o.results.map((r) => r.status), ['changed', 'changed', 'changed']);
});

test.run();
