// tasks/lib/container/spec.ts: what users write (-v mounts, -p ports, pinned images), parsed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as v from 'valibot';
import { PinnedImage, parseMount, parsePort } from '../../tasks/lib/container/spec.ts';

test('mount and port parsing', () => {
  assert.equal(parseMount('/a/b/:/c:ro,z'), { source: '/a/b/', target: '/c', ro: true, options: ['z'], kind: 'bind' });
  assert.is(parseMount('vol:/c').kind, 'volume');
  assert.throws(() => parseMount('/a'));
  assert.throws(() => parseMount('/a:rel'));
  assert.equal(parsePort('127.0.0.1:1:2/udp'), { hostIp: '127.0.0.1', hostPort: '1', containerPort: '2', proto: 'udp' });
  assert.throws(() => parsePort('9090'), /HOST_PORT/);
});

test('PinnedImage: refuses :latest and untagged images; a registry port is not a tag', () => {
  const ok = (s: string) => v.safeParse(PinnedImage, s).success;
  assert.ok(ok('quay.io/thanos/thanos:v0.39.2'));
  assert.ok(ok('localhost/thanos-standin:lab'));
  assert.ok(ok('localhost:5000/thanos:v1'));
  assert.ok(ok('quay.io/thanos/thanos@sha256:' + 'a'.repeat(64)));
  assert.not.ok(ok('quay.io/thanos/thanos:latest'));
  assert.not.ok(ok('quay.io/thanos/thanos'));
  assert.not.ok(ok('localhost:5000/thanos'));
});

test.run();
