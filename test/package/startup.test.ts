// What each command loads (issue #24): the bundle is split at every dynamic import, so a command loads
// its own code and the libraries it uses, nothing else. The bundle is built into a temporary directory;
// every module a run loads is recorded (loaded-hook.mjs) and mapped, through esbuild's metafile, back to
// the sources and packages it holds. Timing is the benchmark's (npm run bench -- --scenario startup).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from '../helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'skiff-startup-'));
const out = join(work, 'dist');
const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), out], { cwd: ROOT, encoding: 'utf8' });
if (built.status !== 0) throw new Error(`scripts/build.mjs failed: ${built.stderr}`);
const meta = JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
/** metafile paths are relative to the directory esbuild ran in (ROOT) */
const outputs = new Map(Object.entries(meta.outputs).map(([o, v]) => [join(ROOT, o), Object.keys(v.inputs)]));

// a key the lab inventory can point at (validate reads and parses every key)
const key = join(work, 'id_ed25519');
spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
writeFileSync(join(work, 'known_hosts'), '');
writeFileSync(join(work, 'local.yml'), '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - name: say hello\n      command: echo hello\n');
writeFileSync(join(work, 'hosts.yml'), 'all:\n  hosts:\n    localhost:\n      ansible_connection: local\n');

/** the sources and packages (by their path in node_modules) whose code a command loaded */
function loaded(args: string[]): { code: number | null; inputs: string[]; stderr: string } {
  const list = join(work, 'loaded.txt');
  rmSync(list, { force: true });
  const r = spawnSync(process.execPath, ['--import', join(ROOT, 'test', 'package', 'loaded-hook.mjs'), join(out, 'skiff.mjs'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, SKIFF_LOADED: list, CI: 'true', FORCE_COLOR: undefined },
  });
  const files = readFileSync(list, 'utf8').trim().split('\n').map((u) => fileURLToPath(u));
  const inputs = new Set<string>();
  for (const f of files) {
    const ins = outputs.get(f);
    if (!ins) throw new Error(`loaded ${relative(ROOT, f)}, not a file of the bundle`);
    for (const i of ins) inputs.add(i);
  }
  return { code: r.status, inputs: [...inputs], stderr: r.stderr };
}

const pkgs = (inputs: string[]) => [...new Set(inputs.map((i) => /node_modules\/((@[^/]+\/)?[^/]+)\//.exec(i)?.[1]).filter((x): x is string => !!x))].sort();
/** ssh2's client, agent, SFTP...: ssh2 as a connection needs it (its key parser alone is not this) */
const sshClient = (inputs: string[]) => inputs.filter((i) => /node_modules\/ssh2\/lib\/(index|client|agent)\.js$/.test(i));

test('--version and --help load skiff\'s argument table only: no library at all', () => {
  for (const args of [['--version'], ['--help'], ['run', '--help']]) {
    const r = loaded(args);
    assert.is(r.code, 0, r.stderr);
    assert.equal(pkgs(r.inputs), [], args.join(' '));
    assert.not.ok(r.inputs.some((i) => i.startsWith('src/engine/') && !i.endsWith('secrets.ts')), `${args.join(' ')} loaded the engine`);
  }
});

test('completion loads neither ssh2 nor listr2', () => {
  const r = loaded(['completion', 'bash']);
  assert.is(r.code, 0, r.stderr);
  assert.not.ok(pkgs(r.inputs).includes('ssh2'), pkgs(r.inputs).join(' '));
  assert.not.ok(pkgs(r.inputs).includes('listr2'), pkgs(r.inputs).join(' '));
});

test("validate loads ssh2's key parser (to check every key) but not its client, and not listr2", () => {
  const r = loaded(['validate', 'playbooks/thanos.yml', '-i', 'inventory/lab', '-e', `private_key_file=${key}`, '-e', `known_hosts_file=${join(work, 'known_hosts')}`]);
  assert.is(r.code, 0, r.stderr);
  assert.ok(r.inputs.some((i) => i.endsWith('node_modules/ssh2/lib/protocol/keyParser.js')), 'the key was not parsed by ssh2');
  assert.equal(sshClient(r.inputs), []);
  assert.not.ok(pkgs(r.inputs).includes('listr2'), pkgs(r.inputs).join(' '));
});

test("a local run without a terminal loads neither ssh2's client nor listr2", () => {
  const r = loaded(['run', join(work, 'local.yml'), '-i', join(work, 'hosts.yml')]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(sshClient(r.inputs), []);
  assert.not.ok(pkgs(r.inputs).includes('listr2'), pkgs(r.inputs).join(' '));
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
