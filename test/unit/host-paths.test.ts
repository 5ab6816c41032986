// Paths as Ansible's type='path' options take them (check_type_path: expanduser(expandvars(value))),
// a relative one from the module's working directory: the lineinfile target writes `dest: file.txt`.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { expandPath } from '../../src/engine/host-paths.ts';
import { calls, play, playbook } from './engine-harness.ts';

const h = { cwd: '/home/op/work', env: { HOME: '/home/op', DATA: '/srv/data', EMPTY: '' }, homes: { postgres: '/var/lib/postgresql' } };
const cases: [string, string][] = [
  ['/etc/hosts', '/etc/hosts'],
  ['file.txt', '/home/op/work/file.txt'],
  ['./a/../b', '/home/op/work/b'],
  ['~', '/home/op'],
  ['~/x/y', '/home/op/x/y'],
  // ~user: that user's home (the become target's, in the become target); one the host does not know stays as written
  ['~postgres/.pgpass', '/var/lib/postgresql/.pgpass'],
  ['~postgres', '/var/lib/postgresql'],
  ['~nosuchuser/x', '/home/op/work/~nosuchuser/x'],
  ['$DATA/prom', '/srv/data/prom'],
  ['${DATA}/prom', '/srv/data/prom'],
  // Python's expandvars leaves an unset variable as written
  ['/x/$NOPE/y', '/x/$NOPE/y'],
  ['$EMPTY/z', '/z'],
];
for (const [given, want] of cases) test(`expandPath ${JSON.stringify(given)} -> ${want}`, () => assert.is(expandPath(given, h), want));

test('lineinfile, stat and file with a relative, ~ and $VAR path work on the host as Ansible\'s', async () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-hostpaths-'));
  const was = { cwd: process.cwd(), home: process.env.HOME, v: process.env.SKIFF_T_DIR };
  process.chdir(d);
  process.env.HOME = join(d, 'home');
  process.env.SKIFF_T_DIR = join(d, 'var');
  try {
    const o = await play({
      playbook: playbook(
        [
          '- lineinfile: {dest: file.txt, create: yes, line: Test line}',
          '  register: made',
          '- stat: {path: file.txt}',
          '  register: st',
          '- file: {path: "~", state: directory}',
          '- lineinfile: {path: "~/in-home", create: true, line: home}',
          '- file: {path: "$SKIFF_T_DIR", state: directory}',
          '- copy: {dest: "${SKIFF_T_DIR}/c", content: "x\\n"}',
        ].join('\n'),
      ),
    });
    assert.equal(o.problems, []);
    assert.equal(o.results.map((r) => r.status), ['changed', 'ok', 'changed', 'changed', 'changed', 'changed']);
    assert.is(readFileSync(join(d, 'file.txt'), 'utf8'), 'Test line\n');
    assert.is((o.results[1].registered as any).stat.exists, true);
    assert.is(readFileSync(join(d, 'home', 'in-home'), 'utf8'), 'home\n');
    assert.ok(existsSync(join(d, 'var', 'c')));
    assert.not.ok(existsSync(join(d, '~')));
  } finally {
    process.chdir(was.cwd);
    process.env.HOME = was.home;
    if (was.v === undefined) delete process.env.SKIFF_T_DIR;
    else process.env.SKIFF_T_DIR = was.v;
  }
});

const homedirOfRoot = () => execFileSync('getent', ['passwd', 'root'], { encoding: 'utf8' }).split(':')[5];

test('a ~user path is that user\'s home on the host, from its passwd (become target)', async () => {
  const o = await play({ playbook: playbook('- stat: {path: "~root"}\n  register: r\n- probe: "{{ r.stat.path }} {{ r.stat.isdir }}"') });
  assert.equal(o.problems, []);
  assert.equal(calls.at(-1), `a:${homedirOfRoot()} True`);
});

test('fetch of ~user/FILE reads that user\'s home on the host (become target)', async () => {
  const home = homedirOfRoot();
  const name = `.skiff-fetch-${process.pid}`;
  const out = mkdtempSync(join(tmpdir(), 'skiff-fetch-home-'));
  writeFileSync(join(home, name), 'from home\n');
  try {
    const o = await play({ playbook: playbook(`- fetch: {src: "~root/${name}", dest: "${out}/", flat: true}`) });
    assert.equal(o.results.map((r) => r.status), ['changed'], JSON.stringify(o.results[0]?.msg));
    assert.is(readFileSync(join(out, name), 'utf8'), 'from home\n');
  } finally {
    rmSync(join(home, name), { force: true });
  }
});

test.run();
