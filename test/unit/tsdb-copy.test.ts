// tasks/lib/tsdb-copy.ts: the TSDB move of issue #23, run by a real shell on a TSDB-shaped directory
// here, with a fake engine that says where the volume is. The blocks go over while Prometheus runs
// (hard-linked on one filesystem), and after the stop only what changed since: the result is the
// source exactly, and the source (the volume a rollback goes back to) is untouched.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { precopyScript, syncScript } from '../../tasks/lib/tsdb-copy.ts';

const B1 = '01JB0000000000000000000001';
const B2 = '01JB0000000000000000000002';
const B3 = '01JB0000000000000000000003';
const me = `${process.getuid!()}:${process.getgid!()}`;

function block(dir: string, id: string, size = 50_000): void {
  mkdirSync(join(dir, id, 'chunks'), { recursive: true });
  writeFileSync(join(dir, id, 'meta.json'), JSON.stringify({ ulid: id, version: 1 }));
  writeFileSync(join(dir, id, 'index'), Buffer.alloc(size, id.at(-1)));
  writeFileSync(join(dir, id, 'chunks', '000001'), Buffer.alloc(size, 'c'));
}

/** A volume holding data/ as Prometheus leaves it: two blocks, a WAL, head chunks, a block being written. */
function setup() {
  const d = mkdtempSync(join(tmpdir(), 'skiff-tsdb-'));
  const src = join(d, 'volumes', 'abc', '_data', 'data');
  block(src, B1);
  block(src, B2);
  mkdirSync(join(src, 'wal'));
  writeFileSync(join(src, 'wal', '00000001'), 'wal-1\n');
  mkdirSync(join(src, 'chunks_head'));
  writeFileSync(join(src, 'chunks_head', '000001'), 'head');
  writeFileSync(join(src, 'lock'), '');
  mkdirSync(join(src, `${B3}.tmp-for-creation`));
  mkdirSync(join(d, 'bin'));
  // `docker volume inspect -f {{.Mountpoint}} abc`; `docker cp` for the fallback
  writeFileSync(join(d, 'bin', 'docker'), `#!/bin/sh\ncase "$1" in volume) echo "${join(d, 'volumes', 'abc', '_data')}";; cp) cp -a "${src}/." "$3";; *) exit 1;; esac\n`, { mode: 0o755 });
  const mounts = [{ source: 'abc', target: '/prometheus', ro: false, options: [], kind: 'anonymous' as const }];
  const dest = join(d, 'prometheus-data.skiff-copy');
  const sh = (script: string) => spawnSync('sh', ['-c', script], { encoding: 'utf8', env: { ...process.env, PATH: `${join(d, 'bin')}:${process.env.PATH}` } });
  return { d, src, dest, mounts, sh };
}

/** every file under `dir`: relative path -> content (directories as 'dir') */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string) => {
    for (const e of readdirSync(p, { withFileTypes: true })) {
      const full = join(p, e.name);
      out[relative(dir, full)] = e.isDirectory() ? 'dir' : readFileSync(full, 'latin1');
      if (e.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return out;
}
const inodes = (dir: string) => Object.fromEntries(Object.keys(tree(dir)).map((k) => [k, statSync(join(dir, k)).ino]));

test('before the stop: the finished blocks only, hard-linked on one filesystem; progress in bytes', () => {
  const { src, dest, mounts, sh } = setup();
  const r = sh(precopyScript('docker', { name: 'aprom', mounts }, '/prometheus/data', dest, me));
  assert.is(r.status, 0, r.stderr);
  assert.equal(readdirSync(dest).sort(), [B1, B2], 'no WAL, head chunks, lock or unfinished block');
  assert.is(statSync(join(dest, B1, 'index')).ino, statSync(join(src, B1, 'index')).ino, 'linked, not copied');
  assert.match(r.stdout, /^skiff-precopied: \d* \d+$/m);
});

test('after the stop: what changed since is brought over; the result is the source, the source untouched', () => {
  const { src, dest, mounts, sh } = setup();
  assert.is(sh(precopyScript('docker', { name: 'aprom', mounts }, '/prometheus/data', dest, me)).status, 0);
  // meanwhile Prometheus went on: compaction deleted B1 and made B3, B2's meta.json was replaced
  // (by rename, as Prometheus writes it), the WAL grew
  rmSync(join(src, B1), { recursive: true });
  rmSync(join(src, `${B3}.tmp-for-creation`), { recursive: true });
  block(src, B3);
  writeFileSync(join(src, B2, 'meta.json.tmp'), JSON.stringify({ ulid: B2, version: 1, compaction: { deletable: true } }));
  renameSync(join(src, B2, 'meta.json.tmp'), join(src, B2, 'meta.json'));
  appendFileSync(join(src, 'wal', '00000001'), 'wal-2\n');
  writeFileSync(join(src, 'wal', '00000002'), 'wal-3\n');
  const before = tree(src);
  const inodesBefore = inodes(src);
  const r = sh(syncScript('docker', { name: 'aprom', mounts }, '/prometheus/data', dest, me));
  assert.is(r.status, 0, r.stderr);
  // a copy quicker than the watcher's first look still reports its bytes once, at its end
  assert.match(r.stdout, /^skiff-copied: \d+ \d+$/m);
  assert.equal(tree(dest), before, 'the copy is the TSDB as Prometheus left it');
  assert.equal(tree(src), before, 'the source is untouched');
  assert.equal(inodes(src), inodesBefore);
  // the WAL and head chunks are written in place by Prometheus: copies, never links
  assert.is.not(statSync(join(dest, 'wal', '00000001')).ino, statSync(join(src, 'wal', '00000001')).ino);
  assert.is.not(statSync(join(dest, 'chunks_head', '000001')).ino, statSync(join(src, 'chunks_head', '000001')).ino);
  // and writing the copy's WAL (as the new Prometheus will) leaves the volume's alone
  appendFileSync(join(dest, 'wal', '00000002'), 'new\n');
  assert.is(readFileSync(join(src, 'wal', '00000002'), 'utf8'), 'wal-3\n');
});

test("a block whose files are not the copy's owner's is copied, not linked (the chown after it must not reach the volume)", () => {
  const { src, dest, mounts, sh } = setup();
  const r = sh(precopyScript('docker', { name: 'aprom', mounts }, '/prometheus/data', dest, '54321:54321'));
  assert.is(r.status, 0, r.stderr);
  assert.is.not(statSync(join(dest, B1, 'index')).ino, statSync(join(src, B1, 'index')).ino);
  assert.equal(tree(join(dest, B1)), tree(join(src, B1)));
});

test('where the volume cannot be found on the host: nothing before the stop, everything with ENGINE cp after it', () => {
  const { src, dest, sh } = setup();
  const other = [{ source: 'x', target: '/prometheus', ro: false, options: [], kind: 'other' as const }];
  const pre = sh(precopyScript('docker', { name: 'aprom', mounts: other }, '/prometheus/data', dest, me));
  assert.is(pre.status, 0, pre.stderr);
  assert.not.ok(existsSync(dest));
  const r = sh(syncScript('docker', { name: 'aprom', mounts: other }, '/prometheus/data', dest, me));
  assert.is(r.status, 0, r.stderr);
  assert.equal(tree(dest), tree(src));
});

test('a copy that fails keeps its status through the watcher (the recreate rolls back on it)', () => {
  const { d, dest, mounts, sh } = setup();
  // every cp fails (a full disk, say), while the job runs under the watcher
  writeFileSync(join(d, 'bin', 'cp'), '#!/bin/sh\necho "cp: No space left on device" >&2; exit 1\n', { mode: 0o755 });
  const r = sh(syncScript('docker', { name: 'aprom', mounts }, '/prometheus/data', dest, me));
  assert.is.not(r.status, 0);
  assert.match(r.stdout, /^skiff-copied: /m, 'the end is reported too');
});

test.run();
