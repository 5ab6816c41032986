// Parameters an Ansible module does not have (a role's `warn: false` on command, an option removed in
// ansible-core 2.14): Ansible loads such a task and fails it when it runs, with the module's
// "Unsupported parameters" text. A task `when` skips, or a tag leaves out, runs nothing and fails
// nothing, so the playbook is not refused for it (roles carry such tasks for older Ansible).
import { schemaIsOpen, schemaParams, TaskFailure, type TaskType } from '../engine/task-type.ts';

/** The params' names that `type` fails on when it runs (none when the type refuses them at load). */
export function unsupportedKeys(type: TaskType, params: unknown): string[] {
  if (!type.unsupportedParams || !params || typeof params !== 'object' || Array.isArray(params)) return [];
  // a type that passes other names on (package's update_cache, to apt) leaves them to that module
  if (schemaIsOpen(type.schema)) return [];
  const own = new Set(schemaParams(type.schema));
  return own.size ? Object.keys(params).filter((k) => !own.has(k)) : [];
}

/** The type a task with such params runs as: it fails with Ansible's text, wherever it runs. */
export function failsOnUnsupported(type: TaskType, keys: string[], written: string): TaskType {
  return failsWith(type, type.unsupportedParams!(keys, written));
}

/** The type a task runs as that fails with `message` when (and only when) it runs. */
export function failsWith(type: TaskType, message: string): TaskType {
  return {
    name: type.name,
    summary: `${type.name}, with parameters it does not take (fails when it runs)`,
    schema: type.schema,
    controllerOnly: type.controllerOnly,
    aliasOf: type.aliasOf,
    async plan() {
      throw new TaskFailure(message);
    },
    async apply() {
      throw new TaskFailure(message);
    },
  };
}
