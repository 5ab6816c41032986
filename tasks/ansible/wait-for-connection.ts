// Ansible's wait_for_connection (an action plugin): retries a round trip to the host until it answers
// or `timeout` seconds have gone, `sleep` seconds between tries, after `delay`. Ansible's round trip is
// its ping module; skiff's is a command that does nothing, through the task's connection (local or
// ssh: a lost connection is opened again by the next try). Result: `elapsed` seconds. Reads only;
// check mode skips it, as Ansible's does.
import * as v from 'valibot';
import { TaskFailure, type TaskType } from '../../src/engine/task-type.ts';

/** int(x) of a number or its text, as the action plugin reads each */
const Seconds = v.pipe(v.union([v.number(), v.pipe(v.string(), v.trim(), v.regex(/^[+-]?\d+$/, 'expected a whole number of seconds'))]), v.transform((x) => Math.trunc(Number(x))));

const schema = v.strictObject({
  connect_timeout: v.optional(Seconds, 5),
  delay: v.optional(Seconds, 0),
  sleep: v.optional(Seconds, 1),
  timeout: v.optional(Seconds, 600),
});
type Params = v.InferOutput<typeof schema>;

export const waitForConnection: TaskType<Params> = {
  name: 'ansible.builtin.wait_for_connection',
  summary: 'wait until the host answers a round trip through its connection (timeout, sleep, delay)',
  schema,
  async plan(ctx, p) {
    if (ctx.check) return { changes: [], skip: true, result: { skipped: true } };
    const sleep = ctx.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const start = Date.now();
    if (p.delay > 0) await sleep(p.delay * 1000);
    // do_until_success_or_timeout: the deadline counts from after the delay
    const end = Date.now() + p.timeout * 1000;
    let error = '';
    while (Date.now() < end) {
      try {
        const r = await ctx.conn.exec(':', { timeoutMs: Math.max(1, p.connect_timeout) * 1000 });
        if (r.code === 0) return { changes: [], result: { elapsed: Math.floor((Date.now() - start) / 1000) } };
        error = r.stderr.trim() || `exit ${r.code}`;
      } catch (e) {
        error = (e as Error).message;
      }
      await sleep(p.sleep * 1000);
    }
    throw new TaskFailure(`timed out waiting for ping module test: ${error}`, { elapsed: Math.floor((Date.now() - start) / 1000) });
  },
  async apply() {},
};
