// Ansible's ping: one round trip to the host (a command that does nothing), `ping: <data>` back.
// `data: crash` fails as Ansible's module does on purpose (it raises), for testing failure handling.
import * as v from 'valibot';
import { TaskFailure, type TaskType } from '../../src/engine/task-type.ts';
import { pyStr } from '../../src/template/expr-error.ts';

const schema = v.strictObject({
  /** what comes back as `ping` (Ansible's type str: anything else is its Python text, a dict too: language_features/complex_args.yml) */
  data: v.optional(v.pipe(v.unknown(), v.transform((x) => pyStr(x))), 'pong'),
});
type Params = v.InferOutput<typeof schema>;

export const ping: TaskType<Params> = {
  name: 'ansible.builtin.ping',
  summary: 'check that the host runs commands; returns ping: data (pong)',
  schema,
  async plan(ctx, p) {
    const r = await ctx.conn.exec(':');
    if (r.code !== 0) throw new TaskFailure(`the host did not run a command: ${r.stderr.trim() || `exit ${r.code}`}`, { rc: r.code });
    if (p.data === 'crash') {
      // the shape of a module that raised, as Ansible reports it
      const module_stderr = 'Traceback (most recent call last):\n  File "ansible/modules/ping.py", in main\nException: boom\n';
      throw new TaskFailure('MODULE FAILURE\nSee stdout/stderr for the exact error', { module_stdout: '', module_stderr, exception: module_stderr, rc: 1 });
    }
    return { changes: [], result: { ping: p.data } };
  },
  async apply() {},
};
