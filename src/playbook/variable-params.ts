// A module's free-form words that are not key=value and hold a template (`debug: "{{ params }}"`,
// `debug: garbage {{ x }}`): Ansible's ModuleArgsParser keeps them as `_variable_params`, a variable
// that holds the task's parameters. When the task runs they are rendered: a map is the parameters
// (the task's own k=v words over it), anything else fails the task with Ansible's "invalid or
// malformed argument" (Task._post_validate_args; ansible/ansible#79862).
import * as v from 'valibot';
import { TaskFailure, type Plan, type TaskType } from '../engine/task-type.ts';
import { pyStr } from '../template/expr-error.ts';
import { parseParams } from '../engine/float-params.ts';

export const VARIABLE_PARAMS = '_variable_params';

/** The type that runs `type` with the parameters its `_variable_params` come to. */
export function variableParams(type: TaskType): TaskType<Record<string, unknown>, { params: unknown; plan: Plan }> {
  return {
    name: type.name,
    summary: `${type.name}, its parameters from a variable (rendered when the task runs)`,
    schema: v.record(v.string(), v.unknown()),
    controllerOnly: type.controllerOnly,
    async plan(ctx, p) {
      const { [VARIABLE_PARAMS]: value, ...own } = p;
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw new TaskFailure(`invalid or malformed argument: '${pyStr(value)}'`);
      const parsed = parseParams(type.schema, { ...(value as object), ...own });
      if (!parsed.success) throw new TaskFailure(`${type.name}: ${parsed.issues.map((i) => i.message).join('; ')}`);
      const plan = await type.plan(ctx, parsed.output);
      return { ...plan, state: { params: parsed.output, plan } };
    },
    apply: (ctx, _p, plan) => type.apply(ctx, plan.state!.params, plan.state!.plan),
  };
}
