// The linear strategy's task barrier (src/engine/lockstep.ts): who gets a turn, when.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compareCursors, limit, Lockstep } from '../../src/engine/lockstep.ts';

const tick = () => new Promise((r) => setImmediate(r));

test('cursors compare in play order: a block\'s tasks before its rescue, a path before its children', () => {
  assert.ok(compareCursors([0, 0, 1], [0, 1, 0]) < 0);
  assert.ok(compareCursors([2], [2, 0]) < 0);
  assert.is(compareCursors([1, 2], [1, 2]), 0);
  assert.ok(compareCursors([3], [1, 5]) > 0);
});

test('a turn is given when every host waits, to those at the first task; the others wait for them', async () => {
  const ls = new Lockstep(['a', 'b', 'c']);
  const got: string[] = [];
  const go = (h: string, at: number[]) => ls.turn(h, at).then((r) => got.push(`${h}@${at.join('.')}:${r.hosts.join(',')}`));
  const b1 = go('b', [1]);
  const a0 = go('a', [0, 1]);
  await tick();
  assert.equal(got, [], 'c has not come yet');
  go('c', [1]);
  await a0;
  assert.equal(got, ['a@0.1:a']);
  // a comes back for [1]: now a, b and c take it together, in the batch's order
  go('a', [1]);
  await b1;
  await tick();
  assert.equal(got.slice(1).sort(), ['a@1:a,b,c', 'b@1:a,b,c', 'c@1:a,b,c']);
});

test('a host that leaves is waited for no more; after leaving, its turns are at once', async () => {
  const ls = new Lockstep(['a', 'b']);
  let went = false;
  ls.turn('a', [0]).then(() => (went = true));
  await tick();
  assert.not.ok(went);
  ls.leave('b');
  await tick();
  assert.ok(went);
  assert.equal((await ls.turn('b', [9])).hosts, ['b']);
});

test('limit: at most n at once, the others in order', async () => {
  const bound = limit(2);
  let now = 0;
  let most = 0;
  await Promise.all([1, 2, 3, 4, 5].map(() => bound(async () => {
    most = Math.max(most, ++now);
    await tick();
    now--;
  })));
  assert.is(most, 2);
});

test.run();
