// Which handlers a notify reaches, as Ansible matches them: a templated notify name is rendered with
// the task's variables, a templated handler name (or listen topic) with the handler's own (its role's),
// on the host (`notify: "{{ ansible_parent_role_names | first }} : Restart {{ service }}"`).
import type { TaskDef } from '../playbook/load.ts';
import { pyStr } from '../template/expr-error.ts';
import type { Scope } from '../template/expr.ts';
import { render } from '../template/template.ts';

/** A handler name as it reads on the host; one that cannot be rendered stays as written (prepare() reports it). */
export function nameOn(name: string, scope: () => Scope): string {
  if (!name.includes('{{')) return name;
  try {
    return pyStr(render(name, scope(), []));
  } catch {
    return name;
  }
}

/** The handlers (by name) that these notify names reach: by name, listen topic, or `ROLE : NAME`. */
export function handlersReached(handlers: TaskDef[], names: string[], scopeOf: (h: TaskDef) => Scope): string[] {
  return handlers.filter((h) => h.listen.some((l) => names.includes(nameOn(l, () => scopeOf(h))))).map((h) => h.name);
}
