// module_defaults as Ansible's get_action_args_with_defaults applies them to a task: the defaults of
// every action group (`group/ns.coll.NAME`) that holds the task's resolved action, in the order the keys
// come, then the defaults of that action itself (a short or ansible.legacy key also covers
// ansible.builtin's), all under the task's own arguments.
import type { TaskTypes } from '../engine/task-type.ts';

type Defaults = Record<string, Record<string, unknown>>;

/** The FQCN module_defaults know a task by (its resolved action); `local`: whether a library/ module or action_plugins/ file of that short name is found (asked for short and ansible.legacy names only). */
export function resolvedAction(typeName: string, local: () => boolean, types: TaskTypes): string {
  const short = typeName.split('.').pop()!;
  if (typeName.includes('.') && !typeName.startsWith('ansible.legacy.')) return types.resolvedName?.(typeName) ?? typeName;
  // what Ansible finds first for a short name: the playbook's own plugin (ansible.legacy), else ansible-core's
  if (local()) return `ansible.legacy.${short}`;
  return types.resolvedName?.(`ansible.builtin.${short}`) ?? `ansible.builtin.${short}`;
}

/** Whether the module_defaults key (schema.ts: ansible.legacy.X, or a FQCN) names this resolved action. */
function names(key: string, action: string, types: TaskTypes): boolean {
  if (key.startsWith('ansible.legacy.')) return key === action || (types.resolvedName?.(`ansible.builtin.${key.slice(15)}`) ?? `ansible.builtin.${key.slice(15)}`) === action;
  return (types.resolvedName?.(key) ?? key) === action;
}

/** The defaults a task of this resolved action gets, or the parser error of a group Ansible cannot resolve. */
export function moduleDefaultsFor(action: string, all: Defaults, types: TaskTypes): { args: Record<string, unknown> } | { problem: string } {
  const args: Record<string, unknown> = {};
  for (const [key, d] of Object.entries(all)) {
    if (!key.startsWith('group/')) continue;
    const actions = types.actionGroup?.(key.slice('group/'.length)) ?? [];
    if (typeof actions === 'string') return { problem: actions };
    if (actions.includes(action)) Object.assign(args, d);
  }
  for (const [key, d] of Object.entries(all)) if (!key.startsWith('group/') && names(key, action, types)) Object.assign(args, d);
  return { args };
}
