// skiff installed as a user installs it (issue #24): `npm pack` (which builds the bundle), then
// `npm install -g` of the tarball into a temporary prefix, offline: the package has no runtime
// dependency to fetch. The installed `skiff` then runs a local playbook from a directory with no Node
// project around it. Nothing here needs the lab or the network.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from '../helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'skiff-install-'));
const prefix = join(work, 'prefix');
const home = join(work, 'home');
// npm's settings from `npm test` itself (npm_config_*) are not the user's, nor uvu's FORCE_COLOR
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'FORCE_COLOR'));

function npm(args: string[], cwd: string) {
  const r = spawnSync('npm', args, { cwd, env, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, out: `${r.stdout}${r.stderr}` };
}

let tarball = '';
let packOut = '';

test('npm pack: the CLI, its bundle, playbooks, inventory examples and README; no sources, tests, lab or bench', () => {
  const r = npm(['pack', '--json', '--pack-destination', work], ROOT);
  assert.is(r.code, 0, r.out);
  packOut = r.out;
  // --json: the list of files (the prepack build's output, if any, comes before it)
  const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, json[0].filename);
  const files = json[0].files.map((f) => f.path).sort();
  assert.ok(files.includes('bin/skiff.mjs') && files.includes('dist/skiff.mjs') && files.includes('README.md') && files.includes('package.json'), files.join(' '));
  assert.ok(files.some((f) => f.startsWith('dist/chunks/')), 'no chunk of the bundle');
  assert.ok(files.includes('playbooks/thanos.yml') && files.includes('inventory/lab/hosts.yml'), files.join(' '));
  const stray = files.filter((f) => !/^(bin\/skiff\.mjs|dist\/skiff\.mjs|dist\/chunks\/[^/]+\.mjs|playbooks\/|inventory\/|README\.md$|package\.json$)/.test(f));
  assert.equal(stray, []);
});

test('npm install -g of the tarball, offline: nothing fetched, no install script, no warning', () => {
  assert.ok(tarball, `no tarball: ${packOut.slice(-500)}`);
  const r = npm(['install', '-g', tarball, '--prefix', prefix, '--offline', '--no-audit', '--no-fund'], work);
  assert.is(r.code, 0, r.out);
  assert.not.match(r.out, /warn/i);
  assert.match(r.out, /added 1 package/);
  // no dependency: nothing beside skiff itself
  assert.not.ok(existsSync(join(prefix, 'lib', 'node_modules', 'skiff', 'node_modules')), readdirSync(join(prefix, 'lib', 'node_modules', 'skiff')).join(' '));
});

test('the installed skiff: --version, and a local playbook run from an empty directory', () => {
  const bin = join(prefix, 'bin', 'skiff');
  assert.ok(existsSync(bin), `no ${bin}`);
  const v = spawnSync(bin, ['--version'], { cwd: work, env, encoding: 'utf8' });
  assert.is(v.status, 0, v.stderr);
  assert.match(v.stdout, /^skiff \d+\.\d+\.\d+\n$/);
  const project = join(work, 'project');
  rmSync(project, { recursive: true, force: true });
  spawnSync('mkdir', ['-p', project, home]);
  writeFileSync(join(project, 'site.yml'), '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - name: write a file\n      copy:\n        content: "installed\\n"\n        dest: ' + join(project, 'out.txt') + '\n');
  writeFileSync(join(project, 'hosts.yml'), 'all:\n  hosts:\n    localhost:\n      ansible_connection: local\n');
  // PATH without the repository's node_modules/.bin (npm test puts it there): tsx is not reachable
  const path = (env.PATH ?? '').split(':').filter((p) => !p.includes('node_modules')).join(':');
  const r = spawnSync(bin, ['run', 'site.yml', '-i', 'hosts.yml'], { cwd: project, env: { ...env, PATH: path, HOME: home, CI: 'true' }, encoding: 'utf8' });
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.ok(/localhost\s+: ok=1\s+changed=1/.test(r.stdout), r.stdout);
  assert.ok(existsSync(join(project, 'out.txt')));
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
