// tasks/lib/container/recreate.ts: the recreate script runs against a fake `podman` (a shell script
// keeping state in files).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerSpec } from '../../tasks/lib/container/spec.ts';
import { recreateScript } from '../../tasks/lib/container/recreate.ts';
import { aprom, same } from './container-fixtures.ts';
import { fakeHost } from './fake-podman.ts';

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
