// The read-ahead (src/engine/read-ahead.ts): the facts of a play's tasks (files, containers) read in
// one round trip, the same answers as each task's own read, and never stale after a change.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectLocal } from '../../src/transport/local.ts';
import type { Connection } from '../../src/transport/types.ts';
import type { FactSource } from '../../src/engine/task-type.ts';
import { readAhead } from '../../src/engine/read-ahead.ts';
import { CONTAINER_FACTS, inspectContainer, parseBatchInspect, type Inspected } from '../../tasks/lib/container/inspect.ts';
import { FILE_FACTS, readFileFacts, readFilesWithContent } from '../../tasks/lib/files.ts';
import { execs, play, playbook } from './engine-harness.ts';

/** This machine through a connection that counts its round trips. */
function counted(): Connection & { n: number } {
  const local = connectLocal('h1', false);
  const c = { host: 'h1', n: 0, exec: (cmd: string, o?: Parameters<Connection['exec']>[1]) => (c.n++, local.exec(cmd, o)), close: () => local.close() };
  return c;
}

const echo = (name: string, fail = false): FactSource<string> => ({
  key: (q) => `${name}:${q}`,
  script: (qs) => qs.map((q) => `echo ${q}`).join('\n') + (fail ? '\nexit 3' : ''),
  parse: (out, qs) => new Map(out.split('\n').filter(Boolean).map((l, i) => [`${name}:${qs[i]}`, l])),
});

test('facts of several sources in one round trip; a source whose script fails leaves only its own facts out', async () => {
  const conn = counted();
  const a = echo('a');
  const b = echo('b', true);
  const got = await readAhead(conn, [
    { source: a, query: 'x' },
    { source: b, query: 'y' },
    { source: a, query: 'z' },
    { source: a, query: 'x' },
  ]);
  assert.is(conn.n, 1);
  assert.equal([...got], [['a:x', 'x'], ['a:z', 'z']]);
});

test('file facts read ahead are those each read gives (content, kinds, links, odd names, a missing path), in one round trip of a few processes', async () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-ahead-'));
  writeFileSync(join(d, 'f'), 'line\n@0\n--skiff-content--\nüñï\n');
  writeFileSync(join(d, 'empty'), '');
  writeFileSync(join(d, "it's a\nname"), 'odd\n');
  writeFileSync(join(d, 'big'), Buffer.alloc(1024 * 1024 + 1, 97)); // over 1 MiB: facts, no content
  mkdirSync(join(d, 'dir'));
  symlinkSync(join(d, 'f'), join(d, 'link'));
  // more than 9 (positional parameters past $9 need braces)
  const many = [...Array(10).keys()].map((i) => join(d, `m${i}`));
  many.forEach((p, i) => writeFileSync(p, `${i}\n`));
  const paths = [join(d, 'f'), join(d, 'dir'), join(d, 'missing'), join(d, 'empty'), join(d, "it's a\nname"), join(d, 'big'), join(d, 'link'), ...many];
  const conn = counted();
  const got = await readAhead(conn, paths.map((query) => ({ source: FILE_FACTS, query })));
  assert.is(conn.n, 1);
  for (const p of paths) {
    const big = p.endsWith('big');
    assert.equal(got.get(FILE_FACTS.key(p)), big ? await readFileFacts(conn, p) : await readFileFacts(conn, p, true), p);
  }
  // nothing exists: one line
  const none = await readAhead(conn, [join(d, 'x'), join(d, 'y')].map((query) => ({ source: FILE_FACTS, query })));
  assert.equal([join(d, 'x'), join(d, 'y')].map((p) => none.get(FILE_FACTS.key(p))), [{ exists: false }, { exists: false }]);
});

test('several files read together in one round trip, as each alone; one over 1 MiB read alone', async () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-files-'));
  writeFileSync(join(d, 'a'), 'a\n');
  writeFileSync(join(d, 'big'), Buffer.alloc(1024 * 1024 + 3, 98));
  const paths = [join(d, 'a'), join(d, 'missing'), join(d, 'big'), join(d, 'a')];
  const conn = counted();
  const got = await readFilesWithContent(conn, paths);
  assert.is(conn.n, 2);
  for (const p of paths) assert.equal(got.get(p), await readFileFacts(conn, p, true), p);
});

// ---------------------------------------------------------------------------------------------
// containers: a fake docker keeping each container's inspect JSON in $FAKE/c/NAME, images in
// $FAKE/i/ID (and $FAKE/n/REF holding the ID of a named one); every call logged to $FAKE/log

const FAKE_DOCKER = `#!/bin/sh
echo "$*" >> "$FAKE/log"
cmd=$1 sub=$2; shift 2
fmt=; if [ "$1" = -f ] || [ "$1" = --format ]; then fmt=$2; shift 2; fi
case "$cmd $sub" in
"container inspect")
  rc=0
  for n; do
    if [ -e "$FAKE/c/$n" ]; then
      case "$fmt" in
        "") echo "["; cat "$FAKE/c/$n"; echo "]";;
        "{{json .}}") cat "$FAKE/c/$n";;
        "{{.Image}}") grep -o '"Image":"sha256:[0-9a-f]*"' "$FAKE/c/$n" | head -1 | cut -d'"' -f4;;
        "{{.State.Status}}") echo running;;
      esac
    else echo "Error: No such container: $n" >&2; rc=1; fi
  done; exit $rc;;
"image inspect")
  rc=0
  for i; do
    id=$i; [ -e "$FAKE/n/$(echo "$i" | tr '/:' '__')" ] && id=$(cat "$FAKE/n/$(echo "$i" | tr '/:' '__')")
    id=\${id#sha256:}
    if [ -e "$FAKE/i/$id" ]; then case "$fmt" in "") echo "["; cat "$FAKE/i/$id"; echo "]";; "{{json .}}") cat "$FAKE/i/$id";; *) echo x;; esac
    else echo "Error: No such image: $i" >&2; rc=1; fi
  done; exit $rc;;
"stop -t") exit 0;;
"rm -f") rm -f "$FAKE/c/$1";;
*) echo "fake docker: $cmd $sub?" >&2; exit 2;;
esac
`;

const IMAGE_ID = 'sha256:3b907f5313b7e9a1c52cbb2e4b0b1a5e0e3e8f2d7c6b5a4f3e2d1c0b9a8f7e6d';

/** A fake docker on PATH (and XDG_RUNTIME_DIR for the recreate locks) with aprom (the fixture) and its image. */
function fakeDocker(): { log(): string[] } {
  const d = mkdtempSync(join(tmpdir(), 'skiff-fake-docker-'));
  for (const x of ['bin', 'c', 'i', 'n']) mkdirSync(join(d, x));
  writeFileSync(join(d, 'bin', 'docker'), FAKE_DOCKER);
  chmodSync(join(d, 'bin', 'docker'), 0o755);
  const aprom = JSON.parse(readFileSync(new URL('./fixtures/docker-inspect-aprom.json', import.meta.url), 'utf8'))[0];
  writeFileSync(join(d, 'c', 'aprom'), JSON.stringify(aprom) + '\n');
  writeFileSync(join(d, 'i', IMAGE_ID.slice(7)), JSON.stringify({ Id: IMAGE_ID, Config: { Env: ['PATH=/bin'], Labels: { maintainer: 'x' } } }) + '\n');
  writeFileSync(join(d, 'n', 'thanos_thanos_v0.37.2'), IMAGE_ID);
  writeFileSync(join(d, 'log'), '');
  process.env.PATH = `${join(d, 'bin')}:${process.env.PATH}`;
  process.env.FAKE = d;
  process.env.XDG_RUNTIME_DIR = d;
  return { log: () => readFileSync(join(d, 'log'), 'utf8').split('\n').filter(Boolean) };
}

test('containers read ahead: the same answers as one inspect each, in two docker calls instead of 4-5 per container', async () => {
  const docker = fakeDocker();
  const qs = [
    { engine: 'docker' as const, name: 'aprom' },
    { engine: 'docker' as const, name: 'sidecar', image: 'thanos/thanos:v0.37.2' },
    { engine: 'docker' as const, name: 'query', image: 'thanos/thanos:v0.99.0' },
    { engine: 'docker' as const, name: 'sidecar1' },
  ];
  const conn = counted();
  const got = await readAhead(conn, qs.map((query) => ({ source: CONTAINER_FACTS, query })));
  const batchCalls = docker.log().length;
  assert.is(conn.n, 1);
  // container inspect; image inspect of all (fails: a wanted image is missing), so each wanted image alone
  assert.is(batchCalls, 4, docker.log().join('\n'));
  const before = docker.log().length;
  for (const q of qs) {
    const ins = got.get(CONTAINER_FACTS.key(q)) as Inspected;
    assert.ok(ins, q.name);
    assert.equal(ins, await inspectContainer(conn, q.engine, q.name, q.image), q.name);
  }
  assert.ok(docker.log().length - before >= 4 * qs.length, 'one inspect each costs more docker calls');
  const aprom = got.get(CONTAINER_FACTS.key(qs[0])) as Inspected;
  assert.is(aprom.facts?.name, 'aprom');
  assert.equal(aprom.image, { env: { PATH: '/bin' }, labels: { maintainer: 'x' } });
  assert.is((got.get(CONTAINER_FACTS.key(qs[1])) as Inspected).wantedImagePresent, true);
  assert.is((got.get(CONTAINER_FACTS.key(qs[2])) as Inspected).wantedImagePresent, false);
  // every wanted image there (a rerun): two docker calls in all
  const n = docker.log().length;
  await readAhead(conn, qs.filter((q) => q.name !== 'query').map((query) => ({ source: CONTAINER_FACTS, query })));
  assert.is(docker.log().length - n, 2, docker.log().slice(n).join('\n'));
});

test("Podman 4's answer (its indented array whatever the format, an error line per missing name) reads as Docker's", () => {
  const raw = readFileSync(new URL('./fixtures/podman-inspect-aprom.json', import.meta.url), 'utf8');
  const id = String(JSON.parse(raw)[0].Image);
  const out = [
    raw.trimEnd(),
    'error inspecting object: no such container aprom-skiff-new',
    'Error: inspecting object: no such container aprom-skiff-old',
    '--skiff-sep--',
    JSON.stringify([{ Id: id, Config: { Env: ['A=1'], Labels: { l: 'x' } } }], null, 5),
    'rc 0',
    '--skiff-sep--',
    '',
  ].join('\n');
  const q = { engine: 'podman' as const, name: 'aprom', image: 'localhost/prometheus:lab' };
  const ins = parseBatchInspect(out, 'podman', [q]).get(CONTAINER_FACTS.key(q))!;
  assert.is(ins.facts?.name, 'aprom');
  assert.is(ins.facts?.format, 'podman');
  assert.equal(ins.image, { env: { A: '1' }, labels: { l: 'x' } });
  assert.is(ins.wantedImagePresent, true);
  assert.equal(ins.leftovers, []);
  // a line that is not "no such container": the engine failed, nothing is taken from it
  assert.throws(() => parseBatchInspect(out.replace('error inspecting object: no such container aprom-skiff-new', 'Error: cannot connect to Podman'), 'podman', [q]));
  // fewer answers than names (an engine that stops at the first missing one): nothing is taken either
  assert.throws(() => parseBatchInspect(out.replace('Error: inspecting object: no such container aprom-skiff-old\n', ''), 'podman', [q]));
});

test('a play: its containers in one round trip; a task after a change sees the new state, not what was read ahead', async () => {
  fakeDocker();
  const tasks = `- container: {name: aprom, state: absent}\n- container: {name: other, state: absent}\n- container: {name: aprom, state: absent}\n`;
  const first = await play({ playbook: playbook(tasks) });
  assert.equal(first.lines, ['a container changed', 'a container ok', 'a container ok']);
  const again = await play({ playbook: playbook(tasks) });
  assert.equal(again.lines, ['a container ok', 'a container ok', 'a container ok']);
  // nothing to do: the read-ahead's one round trip, no read of each task's own
  assert.is(execs.length, 1, execs.join('\n'));
});

test('files: a play that changes nothing reads all its files in one round trip; after a change, the next task reads again', async () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-ahead-play-'));
  const f = join(d, 'f.txt');
  const tasks = [`- content: {path: ${f}, content: "one\\n"}`, `- file: {path: ${d}, state: directory}`, `- content: {path: ${f}, content: "one\\n"}`, `- file: {path: ${join(d, 'gone')}, state: absent}`].join('\n');
  const first = await play({ playbook: playbook(tasks) });
  // the third task plans from the file the first wrote (the read-ahead saw it missing)
  assert.equal(first.lines, ['a content changed', 'a file ok', 'a content ok', 'a file ok']);
  const again = await play({ playbook: playbook(tasks) });
  assert.equal(again.lines, ['a content ok', 'a file ok', 'a content ok', 'a file ok']);
  assert.is(execs.length, 1, execs.join('\n'));
  assert.ok(existsSync(f));
});

test('a file task forgets only what it changed: the next tasks keep their facts (no read of their own), unless a symbolic link is on the way', async () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-ahead-forget-'));
  mkdirSync(join(d, 'real'));
  symlinkSync(join(d, 'real'), join(d, 'link'));
  writeFileSync(join(d, 'b.txt'), 'b\n');
  const tasks = (a: string) => [`- content: {path: ${join(d, 'a.txt')}, content: "${a}\\n"}`, `- content: {path: ${join(d, 'b.txt')}, content: "b\\n"}`, `- file: {path: ${join(d, 'sub')}, state: directory}`, `- file: {path: ${join(d, 'sub', 'x')}, state: absent}`].join('\n');
  assert.equal((await play({ playbook: playbook(tasks('1')) })).lines, ['a content changed', 'a content ok', 'a file changed', 'a file ok']);
  // a.txt changes: its write, and nothing read again for the tasks after it
  assert.equal((await play({ playbook: playbook(tasks('2')) })).lines, ['a content changed', 'a content ok', 'a file ok', 'a file ok']);
  assert.is(execs.length, 2, execs.join('\n'));
  // removed, then looked at beneath it: the facts under a changed path are read again
  const gone = [`- file: {path: ${join(d, 'sub')}, state: absent}`, `- file: {path: ${join(d, 'sub', 'x')}, state: directory}`, `- content: {path: ${join(d, 'b.txt')}, content: "b\\n"}`].join('\n');
  assert.equal((await play({ playbook: playbook(gone) })).lines, ['a file changed', 'a file changed', 'a content ok']);
  assert.ok(existsSync(join(d, 'sub', 'x')));
  // written through a link, then read by its real name: everything is read again
  const linked = [`- content: {path: ${join(d, 'link', 'f')}, content: "one\\n"}`, `- content: {path: ${join(d, 'real', 'f')}, content: "one\\n"}`].join('\n');
  assert.equal((await play({ playbook: playbook(linked) })).lines, ['a content changed', 'a content ok']);
});

test("a play with handlers: the markers of an earlier run's pending handlers come in the same round trip", async () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-ahead-handlers-'));
  const f = join(d, 'f.txt');
  const pb = playbook(`- content: {path: ${f}, content: "x\\n"}\n  notify: h\n- file: {path: ${d}, state: directory}`, '').replace('  tasks:', '  handlers:\n    - name: h\n      probe: h1\n  tasks:');
  const first = await play({ playbook: pb });
  assert.equal(first.lines, ['a content changed', 'a file ok', 'a h changed']);
  const again = await play({ playbook: pb });
  assert.equal(again.lines, ['a content ok', 'a file ok']);
  assert.is(execs.length, 1, execs.join('\n'));
});

test.run();
