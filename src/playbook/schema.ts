// The shapes of a playbook, as valibot schemas: the single source of these input types.
import * as v from 'valibot';

export const Identifier = v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a variable name (letters, digits, _)'));

export const PlaySchema = v.strictObject({
  name: v.optional(v.string()),
  hosts: v.pipe(v.string(), v.minLength(1, 'expected a host pattern')),
  vars: v.optional(v.record(Identifier, v.unknown())),
  tasks: v.optional(v.array(v.unknown()), []),
  handlers: v.optional(v.array(v.unknown()), []),
  serial: v.optional(v.union([v.pipe(v.number(), v.integer(), v.minValue(1)), v.pipe(v.string(), v.regex(/^\d+%$/, 'expected a number of hosts or a percentage like "30%"'))])),
  /** accepted for Ansible playbooks; skiff reads facts per task, never gathers them all */
  gather_facts: v.optional(v.boolean()),
  become: v.optional(v.boolean()),
});
export type PlayInput = v.InferOutput<typeof PlaySchema>;

/** Keys of a task that are not its type. */
export const TaskMetaSchema = v.strictObject({
  name: v.optional(v.string()),
  notify: v.optional(v.union([v.string(), v.array(v.string())])),
  when: v.optional(v.union([v.string(), v.boolean(), v.array(v.union([v.string(), v.boolean()]))])),
  register: v.optional(Identifier),
  check_mode: v.optional(v.boolean()),
  no_log: v.optional(v.boolean()),
  ignore_errors: v.optional(v.boolean()),
  changed_when: v.optional(v.union([v.string(), v.boolean()])),
  failed_when: v.optional(v.union([v.string(), v.boolean()])),
});
export type TaskMeta = v.InferOutput<typeof TaskMetaSchema>;
export const META_KEYS = Object.keys(TaskMetaSchema.entries);
