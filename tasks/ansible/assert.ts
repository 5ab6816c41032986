// assert and fail: a task that fails on purpose, with the operator's message. Both touch nothing on the
// host and run in check mode too (a check run stops where the real run would).
import * as v from 'valibot';
import { Bool } from '../lib/schema.ts';
import { TaskFailure, type TaskType } from '../../src/engine/task-type.ts';
import { holds } from '../../src/engine/conditional.ts';
import { conditionError, templatedConditionWarning } from '../../src/engine/ansible-errors.ts';
import { isTemplate } from '../../src/template/is-template.ts';

const Conditions = v.union([v.string(), v.boolean(), v.array(v.union([v.string(), v.boolean()]))], 'expected a condition or a list of conditions');
const Msg = v.union([v.string(), v.array(v.string())], 'expected a message or a list of lines');
const text = (m: string | string[]) => (Array.isArray(m) ? m.join('\n') : m);

const assertSchema = v.strictObject({
  that: Conditions,
  fail_msg: v.optional(Msg),
  /** Ansible's older name for fail_msg */
  msg: v.optional(Msg),
  success_msg: v.optional(Msg),
  /** no success message in the output */
  quiet: v.optional(Bool, false),
});

export const assertType: TaskType<v.InferOutput<typeof assertSchema>> = {
  name: 'ansible.builtin.assert',
  controllerOnly: true,
  summary: 'fail with fail_msg unless every condition in `that` holds',
  schema: assertSchema,
  exprParams: ['that'],
  async plan(ctx, p) {
    const list = Array.isArray(p.that) ? p.that : [p.that];
    // Ansible evaluates the items of a `that` list as written (a {{ }} in one is warned about); one
    // string it templates first
    const raw = (ctx.untemplated as { that?: unknown } | undefined)?.that;
    for (const [i, c] of list.entries()) {
      let met: boolean;
      try {
        const written = Array.isArray(raw) ? raw[i] : undefined;
        if (typeof written === 'string' && isTemplate(written)) ctx.warn?.(templatedConditionWarning(written));
        met = holds(c, ctx.scope!);
      } catch (e) {
        throw conditionError(String(c), e);
      }
      if (!met) {
        const msg = text(p.fail_msg ?? p.msg ?? 'Assertion failed');
        throw new TaskFailure(msg, { assertion: String(c), evaluated_to: false, msg });
      }
    }
    const msg = text(p.success_msg ?? 'All assertions passed');
    // not quiet: the result is shown even without -v (Ansible's _ansible_verbose_always)
    return { changes: [], note: p.quiet ? undefined : msg, result: { msg, ...(p.quiet ? {} : { _ansible_verbose_always: true }) } };
  },
  async apply() {},
};

// any value, kept as it is (Ansible's fail action: `msg: no` is the boolean false, a list stays a list)
const failSchema = v.strictObject({ msg: v.optional(v.unknown(), 'Failed as requested from task') });

export const failType: TaskType<v.InferOutput<typeof failSchema>> = {
  name: 'ansible.builtin.fail',
  controllerOnly: true,
  summary: 'fail with msg (with when:, a check that stops the host)',
  schema: failSchema,
  shortKey: 'msg',
  async plan(_ctx, p) {
    throw new TaskFailure(typeof p.msg === 'string' ? p.msg : JSON.stringify(p.msg ?? null), { msg: p.msg ?? null });
  },
  async apply() {},
};
