// lab/config.ts: the plain lab's addresses up to the benchmark's 500 hosts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_HOSTS, MAX_PLAIN_HOSTS, linkName, plainHosts } from '../../lab/config.ts';

test('500 plain hosts: 10.213.1.1-250, then 10.213.2.1-250, all distinct, none a .0 or .255', () => {
  assert.is(MAX_PLAIN_HOSTS, 500);
  const hs = plainHosts(500);
  const at = (n: number) => hs[n - 1];
  assert.equal([at(1), at(250), at(251), at(500)].map((h) => `${h.name} ${h.address}`), ['node1 10.213.1.1', 'node250 10.213.1.250', 'node251 10.213.2.1', 'node500 10.213.2.250']);
  assert.is(new Set(hs.map((h) => h.address)).size, 500);
  for (const h of hs) assert.ok(/^10\.213\.[12]\.([1-9]|[1-9]\d|1\d\d|2[0-4]\d|250)$/.test(h.address), h.address);
  // the default lab (10.213.0.x) is left where it is, and never meets a plain host
  assert.equal(DEFAULT_HOSTS.map((h) => h.address), ['10.213.0.10', '10.213.0.11', '10.213.0.12', '10.213.0.13']);
  // Linux caps interface names at 15 characters
  assert.ok(hs.every((h) => linkName(h.name).length <= 15));
});

test('a count past 500, or not a count, is refused', () => {
  assert.throws(() => plainHosts(501), /1\.\.500, got 501/);
  assert.throws(() => plainHosts(0), /1\.\.500/);
  assert.throws(() => plainHosts(2.5), /1\.\.500/);
});

test.run();
