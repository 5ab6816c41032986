// wait_for_connection (tasks/ansible/wait-for-connection.ts): retries a round trip until the host
// answers, or fails with Ansible's text once `timeout` has gone (connection_local target).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as v from 'valibot';
import { waitForConnection } from '../../tasks/ansible/wait-for-connection.ts';
import type { TaskContext } from '../../src/engine/task-type.ts';
import { UnreachableError, type Connection } from '../../src/transport/types.ts';

/** A host that fails its first `down` round trips; a clock that moves only when the task sleeps. */
function host(down: number) {
  let now = 1_000_000;
  const realNow = Date.now;
  Date.now = () => now;
  const sleeps: number[] = [];
  let tries = 0;
  const conn = {
    host: 'h',
    async exec() {
      tries++;
      if (tries <= down) throw new UnreachableError('h', 'ssh: connect to host h port 22: Connection refused');
      return { code: 0, stdout: '', stderr: '' };
    },
    async close() {},
  } as unknown as Connection;
  const ctx = { host: 'h', conn, check: false, sleep: async (ms: number) => void (sleeps.push(ms), (now += ms)) } as unknown as TaskContext;
  return { ctx, sleeps, tries: () => tries, restore: () => (Date.now = realNow) };
}

const params = (p: Record<string, unknown>) => v.parse(waitForConnection.schema, p);

test('a host that answers on the third try: ok, elapsed counts the delay and the sleeps', async () => {
  const h = host(2);
  try {
    const r = await waitForConnection.plan(h.ctx, params({ delay: 1, sleep: 2, timeout: '30' }));
    assert.equal(r.changes, []);
    assert.equal(r.result, { elapsed: 5 });
    assert.equal(h.sleeps, [1000, 2000, 2000]);
    assert.is(h.tries(), 3);
  } finally {
    h.restore();
  }
});

test('a host that never answers: fails after timeout with the last error, as Ansible words it', async () => {
  const h = host(1000);
  try {
    await waitForConnection.plan(h.ctx, params({ timeout: 3 }));
    assert.unreachable('it should time out');
  } catch (e) {
    assert.is((e as Error).message, 'timed out waiting for ping module test: ssh: connect to host h port 22: Connection refused');
    assert.is(h.tries(), 3);
  } finally {
    h.restore();
  }
});

test('check mode skips it; an unknown option is refused', async () => {
  const h = host(0);
  try {
    const r = await waitForConnection.plan({ ...h.ctx, check: true }, params({}));
    assert.is(r.skip, true);
    assert.is(h.tries(), 0);
  } finally {
    h.restore();
  }
  assert.is(v.safeParse(waitForConnection.schema, { port: 22 }).success, false);
});

test.run();
