// Ansible's debug: msg (any value, shown as JSON when not text) or var (an expression, registered under
// its own text as Ansible does), with verbosity. skiff's own `debug` (msg only) is unchanged.
import * as v from 'valibot';
import type { TaskType } from '../../src/engine/task-type.ts';
import { evaluate } from '../../src/engine/expr.ts';

const schema = v.pipe(
  v.strictObject({
    msg: v.optional(v.unknown()),
    var: v.optional(v.pipe(v.string(), v.minLength(1, 'expected a variable name or expression'))),
    /** shown only at this -v level or above: skiff has no -v, so a debug above 0 is skipped */
    verbosity: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
  }),
  v.check((p) => p.msg === undefined || p.var === undefined, 'expected msg or var, not both'),
);
type Params = v.InferOutput<typeof schema>;

const show = (x: unknown) => (typeof x === 'string' ? x : JSON.stringify(x, null, 2));

export const debugType: TaskType<Params> = {
  name: 'ansible.builtin.debug',
  summary: 'print msg or the value of var (nothing on the host changes)',
  schema,
  shortKey: 'msg',
  exprParams: ['var'],
  async plan(ctx, p) {
    if (p.verbosity > 0) return { changes: [], skip: true, note: `verbosity ${p.verbosity}: skiff runs at verbosity 0` };
    if (p.var !== undefined) {
      const value = evaluate(p.var, ctx.scope!);
      return { changes: [], note: `${p.var}: ${show(value)}`, result: { [p.var]: value } };
    }
    const msg = p.msg === undefined ? 'Hello world!' : p.msg;
    return { changes: [], note: show(msg), result: { msg } };
  },
  async apply() {},
};
