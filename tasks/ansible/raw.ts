// Ansible's raw (plugins/action/raw.py): the line given to the host's shell as written, no Python, no
// module: what bootstraps a host that has none. Always changed; skipped in check mode (it cannot tell
// what it would do); a non-zero exit fails it. `executable`: the shell that runs the line (`X -c LINE`).
import * as v from 'valibot';
import { PyStr } from '../lib/schema.ts';
import { shq } from '../../src/transport/quote.ts';
import { TaskFailure, type TaskType } from '../../src/engine/task-type.ts';
import { lowLevelResult } from '../lib/commands.ts';

const schema = v.pipe(
  v.strictObject({
    /** the command line (the free form) */
    _raw_params: v.pipe(PyStr, v.minLength(1, 'expected the command line (raw: LINE)')),
    executable: v.optional(PyStr),
  }),
  v.transform((p) => ({ line: p._raw_params, executable: p.executable })),
);
type Params = v.InferOutput<typeof schema>;

export const raw: TaskType<Params> = {
  name: 'ansible.builtin.raw',
  summary: "run a command line with the host's shell, without Python (Ansible's raw)",
  noModule: true,
  schema,
  shortKey: '_raw_params',
  async plan(ctx, p) {
    if (ctx.check) return { changes: [], skip: true, note: 'not run in check mode' };
    return { changes: [`run: ${p.line}`] };
  },
  async apply(ctx, p) {
    const r = await ctx.conn.exec(p.executable ? `${p.executable} -c ${shq(p.line)}` : p.line);
    const result = { ...lowLevelResult(r), changed: true };
    if (r.code !== 0) throw new TaskFailure('non-zero return code', result);
    return result;
  },
};
