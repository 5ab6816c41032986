// tasks/lib/container/recreate.ts: the recreate script runs against a fake `podman` (a shell script
// keeping state in files).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerSpec } from '../../tasks/lib/container/spec.ts';
import { recreateScript } from '../../tasks/lib/container/recreate.ts';
import { aprom, same } from './container-fixtures.ts';

const FAKE_PODMAN = `#!/bin/sh
# fake podman: containers are files $FAKE/c/<name> holding "<id> <status>"; images $FAKE/i/<ref>
echo "$*" >> "$FAKE/log"
st() { cat "$FAKE/c/$1" 2>/dev/null; }
img() { echo "$1" | tr '/:' '__'; }
cmd=$1; shift
case "$cmd" in
container)
  sub=$1; shift
  if [ "$1" = -f ]; then f=$2; shift 2; s=$(st "$1") || exit 125; [ -n "$s" ] || exit 125
    case "$f" in *Running*) [ "\${s#* }" = running ] && echo true || echo false;; *) echo sha256:img;; esac; exit 0; fi
  s=$(st "$1"); [ -n "$s" ] || { echo "Error: no container with name or ID \\"$1\\" found: no such container" >&2; exit 125; }
  echo "[{\\"Id\\":\\"\${s%% *}\\"}]";;
image) [ -e "$FAKE/i/$(img "$2")" ] || exit 125;;
pull) [ -n "$FAIL_PULL" ] && { echo "pull failed" >&2; exit 125; }; touch "$FAKE/i/$(img "$1")";;
create)
  [ -n "$FAIL_CREATE" ] && { echo "create failed" >&2; exit 125; }
  [ "$1" = --name ] || exit 2; [ -e "$FAKE/c/$2" ] && { echo "name in use" >&2; exit 125; }
  echo "new$$ created" > "$FAKE/c/$2";;
stop) [ "$1" = -t ] && shift 2; s=$(st "$1") || exit 125; echo "\${s%% *} exited" > "$FAKE/c/$1";;
start)
  s=$(st "$1") || exit 125; id=\${s%% *}
  case "$id" in new*) [ -n "$FAIL_START" ] && { echo "start failed" >&2; exit 125; }; [ -n "$DIES" ] && { echo "$id exited" > "$FAKE/c/$1"; exit 0; };; esac
  echo "$id running" > "$FAKE/c/$1";;
rename) [ -e "$FAKE/c/$2" ] && exit 125; mv "$FAKE/c/$1" "$FAKE/c/$2";;
rm) [ "$1" = -f ] && shift; rm -f "$FAKE/c/$1";;
logs) echo "level=error msg=\\"fake failure\\"";;
cp) [ -n "$FAIL_CP" ] && exit 1; mkdir -p "$2" && echo data > "$2/chunk";;
*) echo "fake podman: $cmd?" >&2; exit 2;;
esac
`;

function fakeHost(containers: Record<string, string>, images: string[] = ['localhost/prometheus:lab']) {
  const d = mkdtempSync(join(tmpdir(), 'skiff-fake-podman-'));
  mkdirSync(join(d, 'bin'));
  mkdirSync(join(d, 'c'));
  mkdirSync(join(d, 'i'));
  writeFileSync(join(d, 'bin', 'podman'), FAKE_PODMAN);
  chmodSync(join(d, 'bin', 'podman'), 0o755);
  writeFileSync(join(d, 'bin', 'curl'), '#!/bin/sh\nprintf "${CURL_CODE:-200}"\n');
  chmodSync(join(d, 'bin', 'curl'), 0o755);
  writeFileSync(join(d, 'log'), '');
  for (const [n, s] of Object.entries(containers)) writeFileSync(join(d, 'c', n), s + '\n');
  for (const i of images) writeFileSync(join(d, 'i', i.replace(/[/:]/g, '_')), '');
  const run = (script: string, env: Record<string, string> = {}) =>
    spawnSync('sh', ['-c', script], { encoding: 'utf8', env: { ...process.env, PATH: `${join(d, 'bin')}:${process.env.PATH}`, FAKE: d, ...env }, timeout: 60_000 });
  const state = () => Object.fromEntries(readdirSync(join(d, 'c')).map((n) => [n, readFileSync(join(d, 'c', n), 'utf8').trim()]));
  const log = () => readFileSync(join(d, 'log'), 'utf8').trim().split('\n');
  return { dir: d, run, state, log };
}

const apromSpec = (): ContainerSpec => ({ ...same(aprom()), args: [...aprom().args, '--web.enable-lifecycle'] });

test('recreate: create new, stop old gracefully, swap names, start, remove old', () => {
  const h = fakeHost({ aprom: 'old1 running' });
  const r = h.run(recreateScript({ engine: 'podman', spec: apromSpec(), exists: true, stopTimeout: 30, readyUrl: 'http://127.0.0.1:9090/-/ready', readyTimeout: 3 }));
  assert.is(r.status, 0, r.stderr);
  assert.equal(Object.keys(h.state()), ['aprom']);
  assert.match(h.state().aprom, /^new\d+ running$/);
  const verbs = h.log().map((l) => l.split(' ').slice(0, 2).join(' ')).filter((l) => !l.startsWith('container inspect') && !l.startsWith('image'));
  assert.equal(verbs, ['rm -f', 'create --name', 'stop -t', 'rename aprom', 'rename aprom-skiff-new', 'start aprom', 'rm aprom-skiff-old']);
  assert.ok(h.log().includes('stop -t 30 aprom'));
});

test('recreate: start fails -> new removed, old renamed back and started, exit 16', () => {
  const h = fakeHost({ aprom: 'old1 running' });
  const r = h.run(recreateScript({ engine: 'podman', spec: apromSpec(), exists: true, stopTimeout: 30, readyTimeout: 3 }), { FAIL_START: '1' });
  assert.is(r.status, 16);
  assert.equal(h.state(), { aprom: 'old1 running' });
});

test('recreate: new container dies or never gets ready -> rolled back, logs shown', () => {
  const h = fakeHost({ aprom: 'old1 running' });
  const r = h.run(recreateScript({ engine: 'podman', spec: apromSpec(), exists: true, stopTimeout: 30, readyTimeout: 3 }), { DIES: '1' });
  assert.is(r.status, 16);
  assert.match(r.stderr, /fake failure/);
  assert.equal(h.state(), { aprom: 'old1 running' });
  const h2 = fakeHost({ aprom: 'old1 running' });
  const r2 = h2.run(recreateScript({ engine: 'podman', spec: apromSpec(), exists: true, stopTimeout: 30, readyUrl: 'http://127.0.0.1:9090/-/ready', readyTimeout: 2 }), { CURL_CODE: '503' });
  assert.is(r2.status, 16);
  assert.match(r2.stderr, /not ready at http:\/\/127\.0\.0\.1:9090\/-\/ready \(last answer: 503\)/);
  assert.equal(h2.state(), { aprom: 'old1 running' });
});

test('recreate: create or pull fails -> the old container is untouched (never stopped)', () => {
  const h = fakeHost({ aprom: 'old1 running' });
  const r = h.run(recreateScript({ engine: 'podman', spec: apromSpec(), exists: true, stopTimeout: 30, readyTimeout: 3 }), { FAIL_CREATE: '1' });
  assert.is(r.status, 12);
  assert.equal(h.state(), { aprom: 'old1 running' });
  assert.not.ok(h.log().some((l) => l.startsWith('stop')));
  const h2 = fakeHost({ aprom: 'old1 running' }, []);
  const r2 = h2.run(recreateScript({ engine: 'podman', spec: apromSpec(), exists: true, stopTimeout: 30, readyTimeout: 3 }), { FAIL_PULL: '1' });
  assert.is(r2.status, 11);
  assert.equal(h2.state(), { aprom: 'old1 running' });
  assert.ok(h2.log().includes('pull localhost/prometheus:lab'));
});

test('recreate: a leftover NAME-skiff-old stops everything (exit 10)', () => {
  const h = fakeHost({ aprom: 'old1 running', 'aprom-skiff-old': 'old0 exited' });
  const r = h.run(recreateScript({ engine: 'podman', spec: apromSpec(), exists: true, stopTimeout: 30, readyTimeout: 3 }));
  assert.is(r.status, 10);
  assert.equal(h.state(), { aprom: 'old1 running', 'aprom-skiff-old': 'old0 exited' });
});

test('recreate with a copy step (ensure-external-dir): copy fails -> old started again, copy set aside', () => {
  const h = fakeHost({ aprom: 'old1 running' });
  const data = join(h.dir, 'data');
  const script = recreateScript({
    engine: 'podman',
    spec: apromSpec(),
    exists: true,
    stopTimeout: 30,
    readyTimeout: 3,
    beforeCreate: `mkdir -p '${data}'`,
    afterStop: `podman cp aprom:/prometheus/. '${data}/'`,
    onRollback: `[ -n "$(ls -A '${data}')" ] && mv '${data}' '${data}.skiff-failed-x'`,
  });
  const ok = h.run(script);
  assert.is(ok.status, 0, ok.stderr);
  assert.ok(existsSync(join(data, 'chunk')));
  const h2 = fakeHost({ aprom: 'old1 running' });
  const data2 = join(h2.dir, 'data');
  const r = h2.run(script.replaceAll(data, data2), { FAIL_CP: '1' });
  assert.is(r.status, 14);
  assert.equal(h2.state(), { aprom: 'old1 running' });
  // start fails after a good copy: the copy is moved aside, never deleted
  const h3 = fakeHost({ aprom: 'old1 running' });
  const data3 = join(h3.dir, 'data');
  const r3 = h3.run(script.replaceAll(data, data3), { FAIL_START: '1' });
  assert.is(r3.status, 16);
  assert.equal(h3.state(), { aprom: 'old1 running' });
  assert.ok(existsSync(join(`${data3}.skiff-failed-x`, 'chunk')));
});

test('recreate without an old container: created under -skiff-new, renamed, started', () => {
  const h = fakeHost({});
  const r = h.run(recreateScript({ engine: 'podman', spec: { ...apromSpec(), name: 'sidecar' }, exists: false, stopTimeout: 30, readyTimeout: 3 }));
  assert.is(r.status, 0, r.stderr);
  assert.equal(Object.keys(h.state()), ['sidecar']);
  assert.match(h.state().sidecar, /running$/);
});

test.run();
