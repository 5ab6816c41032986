// tasks/lib/files.ts's write in place (prepare-prometheus: a prometheus.yml that a container has
// bind-mounted alone) run by a real shell on this machine: the file keeps its inode, a refused check
// leaves it as it was, and what an interrupted write leaves is finished, never mistaken.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inPlaceLeftover, inPlaceNext, inPlaceScript } from '../../tasks/lib/files.ts';
import { promtoolCheck } from '../../tasks/lib/prometheus.ts';

const sum = (s: string) => createHash('sha256').update(s).digest('hex');
const run = (script: string, input: string, env: Record<string, string> = {}) => spawnSync('sh', ['-c', script], { input, encoding: 'utf8', env: { ...process.env, ...env } });

function file(content: string): string {
  const p = join(mkdtempSync(join(tmpdir(), 'skiff-inplace-')), 'prometheus.yml');
  writeFileSync(p, content, { mode: 0o640 });
  return p;
}

test('in place: new content, same inode and mode, nothing left beside it', () => {
  const p = file('global: {}\n');
  const before = statSync(p);
  const next = 'global:\n  external_labels:\n    prometheus: prom1\n';
  const r = run(inPlaceScript(p, sum(next)), next);
  assert.is(r.status, 0, r.stderr);
  assert.is(readFileSync(p, 'utf8'), next);
  assert.is(statSync(p).ino, before.ino, 'the inode a bind mount shows the container');
  assert.is(statSync(p).mode & 0o777, 0o640);
  assert.not.ok(existsSync(inPlaceNext(p)));
});

test('in place: a check that refuses leaves the file as it was, exit 3 with its words', () => {
  const p = file('old: 1\n');
  const r = run(inPlaceScript(p, sum('bad: [\n'), 'grep -q "^bad: \\[$" "$n" && { echo "promtool: FAILED: parse error" >&2; exit 1; }; true'), 'bad: [\n');
  assert.is(r.status, 3);
  assert.match(r.stderr, 'promtool: FAILED');
  assert.is(readFileSync(p, 'utf8'), 'old: 1\n');
  assert.not.ok(existsSync(inPlaceNext(p)));
});

test('in place: content cut short on the way is refused before the file is touched', () => {
  const p = file('old: 1\n');
  const r = run(inPlaceScript(p, sum('new: 2\nmore: 3\n')), 'new: 2\n');
  assert.is.not(r.status, 0);
  assert.match(r.stderr, 'incomplete');
  assert.is(readFileSync(p, 'utf8'), 'old: 1\n');
  assert.not.ok(existsSync(inPlaceNext(p)));
});

test('in place: the check reads the new content in "$n" (promtool inside the container, through a fake engine)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-engine-'));
  const engine = join(dir, 'docker');
  // `docker exec [-i] NAME sh -c SCRIPT`: runs SCRIPT here, with a fake promtool that refuses "bad"
  writeFileSync(engine, `#!/bin/sh\nshift; [ "$1" = -i ] && shift; shift; echo "$*" >> ${dir}/calls; PATH=${dir}:$PATH exec "$@"\n`, { mode: 0o755 });
  writeFileSync(join(dir, 'promtool'), '#!/bin/sh\nfor a; do f=$a; done; grep -q bad "$f" && { echo "FAILED: bad config"; exit 1; }; echo SUCCESS\n', { mode: 0o755 });
  const p = file('old: 1\n');
  const bad = run(inPlaceScript(p, sum('bad\n'), promtoolCheck(engine, 'aprom')), 'bad\n');
  assert.is(bad.status, 3);
  assert.match(bad.stderr, 'FAILED: bad config');
  assert.is(readFileSync(p, 'utf8'), 'old: 1\n');
  const good = run(inPlaceScript(p, sum('good: 1\n'), promtoolCheck(engine, 'aprom')), 'good: 1\n');
  assert.is(good.status, 0, good.stderr);
  assert.is(good.stderr, '', 'promtool says nothing when it accepts');
  assert.is(readFileSync(p, 'utf8'), 'good: 1\n');
  assert.match(readFileSync(join(dir, 'calls'), 'utf8'), 'promtool check config');
});

test('in place: an image without promtool is told, and the write goes on', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-engine-'));
  const engine = join(dir, 'docker');
  writeFileSync(engine, `#!/bin/sh\nshift; [ "$1" = -i ] && shift; shift; PATH=/nonexistent exec /bin/sh "$2" "$3"\n`, { mode: 0o755 });
  const p = file('old: 1\n');
  const r = run(inPlaceScript(p, sum('new: 1\n'), promtoolCheck(engine, 'aprom')), 'new: 1\n');
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, 'aprom has no promtool');
  assert.is(readFileSync(p, 'utf8'), 'new: 1\n');
});

test('in place: what an interrupted write left is finished only when the file holds a prefix of it', () => {
  const next = 'global:\n  external_labels: {prometheus: prom1}\n';
  assert.is(inPlaceLeftover('', next), next, 'truncated, nothing written yet');
  assert.is(inPlaceLeftover('global:\n  exte', next), next, 'cut in the middle');
  assert.is(inPlaceLeftover(next, next), next, 'written, the copy beside not removed yet');
  assert.is(inPlaceLeftover('global: {scrape_interval: 20s}\n', next), undefined, 'changed since by someone else: theirs wins');
  assert.is(inPlaceLeftover('global: {}\n', undefined), undefined, 'nothing left');
});

test.run();
