// `npm run package`: skiff as one executable file (Node's single executable application, issue #24),
// run from a directory with no Node project around it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from '../helpers.ts';

const postject = (() => {
  try {
    return createRequire(join(ROOT, 'package.json')).resolve('postject/dist/cli.js');
  } catch {
    return undefined;
  }
})();
// postject is a development dependency: a node_modules installed before it was added has not got it
const maybe = postject ? test : test.skip;
if (!postject) process.stderr.write('sea.test.ts: postject is not installed (npm ci installs it): skipped\n');

const work = mkdtempSync(join(tmpdir(), 'skiff-sea-test-'));
const exe = join(work, 'bin', 'skiff');

maybe('npm run package writes one executable that runs a playbook with no Node project around it', () => {
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'sea.mjs'), exe], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  assert.is(built.status, 0, built.stderr + built.stdout);
  assert.is(built.stderr, '');
  // an ELF executable with skiff inside
  assert.equal([...readFileSync(exe).subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46]);
  const project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'site.yml'), '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - name: write a file\n      copy:\n        content: "one file\\n"\n        dest: ' + join(project, 'out.txt') + '\n');
  writeFileSync(join(project, 'hosts.yml'), 'all:\n  hosts:\n    localhost:\n      ansible_connection: local\n');
  // nothing of the repository reachable: PATH without node_modules, HOME elsewhere, no NODE_* variables
  const env = { PATH: (process.env.PATH ?? '').split(':').filter((p) => !p.includes('node_modules')).join(':'), HOME: work, CI: 'true' };
  const v = spawnSync(exe, ['--version'], { cwd: project, env, encoding: 'utf8' });
  assert.is(v.status, 0, v.stderr);
  assert.match(v.stdout, /^skiff \d+\.\d+\.\d+\n$/);
  assert.is(v.stderr, '');
  const r = spawnSync(exe, ['run', 'site.yml', '-i', 'hosts.yml'], { cwd: project, env, encoding: 'utf8' });
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.ok(/localhost\s+: ok=1\s+changed=1/.test(r.stdout), r.stdout);
  assert.is(r.stderr, '');
  assert.ok(existsSync(join(project, 'out.txt')));
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
