// debug: prints a message for the operator, as Ansible's `debug: msg=...` does. Touches nothing on the
// host (also in check mode). Always shown, whatever -v says: a message nobody sees is no message.
import * as v from 'valibot';
import type { TaskType } from '../src/engine/task-type.ts';

const schema = v.strictObject({
  msg: v.pipe(v.union([v.string(), v.number(), v.boolean()]), v.transform(String)),
});

export const debug: TaskType<v.InferOutput<typeof schema>> = {
  name: 'debug',
  summary: 'print a message (nothing on the host changes)',
  schema,
  shortKey: 'msg',
  async plan(_ctx, p) {
    return { changes: [], note: p.msg, result: { msg: p.msg } };
  },
  async apply() {},
};
