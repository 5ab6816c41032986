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
/** skiff's own one-line text of a message (the result keeps Ansible's value: a list stays a list) */
const text = (m: unknown) => (typeof m === 'string' ? m : Array.isArray(m) && m.every((x) => typeof x === 'string') ? m.join('\n') : JSON.stringify(m));

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
      // not quiet: the result, failed or not, is shown even without -v (Ansible's _ansible_verbose_always)
      if (!met) {
        const msg = p.fail_msg ?? p.msg ?? 'Assertion failed';
        throw new TaskFailure(text(msg), { assertion: c, evaluated_to: false, msg, ...(p.quiet ? {} : { _ansible_verbose_always: true }) });
      }
    }
    const msg = p.success_msg ?? 'All assertions passed';
    return { changes: [], note: p.quiet ? undefined : text(msg), result: { msg, ...(p.quiet ? {} : { _ansible_verbose_always: true }) } };
  },
  async apply() {},
};

/** Ansible's fail takes a msg of any type and fails with it as it is (a role re-raises `{{ ansible_failed_result }}`) */
const failSchema = v.strictObject({ msg: v.optional(v.unknown(), 'Failed as requested from task') });

export const failType: TaskType<v.InferOutput<typeof failSchema>> = {
  name: 'ansible.builtin.fail',
  controllerOnly: true,
  summary: 'fail with msg (with when:, a check that stops the host)',
  schema: failSchema,
  shortKey: 'msg',
  async plan(_ctx, p) {
    throw new TaskFailure(text(p.msg), { msg: p.msg });
  },
  async apply() {},
};
