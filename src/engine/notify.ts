// Which handlers a notify reaches, as Ansible 2.14 matches them (strategy/__init__.py,
// search_handler_blocks_by_name and the listeners loop): a notify name (templated with the task's
// variables) reaches the first handler that has that name, or `ROLE : NAME` for a role's, the play's
// own handlers searched before the roles' ("the last loaded wins"); and every handler whose `listen`
// names it (topics are taken as written, never templated). A templated handler name is rendered with
// the handler's variables; one that cannot be is skipped, with Ansible's warning.
import type { Handler } from '../playbook/load.ts';
import { pyStr } from '../template/expr-error.ts';
import type { Scope } from '../template/expr.ts';
import { render, type RenderProblem } from '../template/template.ts';

/** A task's notify names on the host: a template may give a list of names (`notify: "{{ handler_list }}"`). */
export function notifyNames(notify: string[], scope: () => Scope): string[] {
  return notify.flatMap((n) => {
    if (!n.includes('{{')) return [n];
    const v = render(n, scope(), []);
    return Array.isArray(v) ? v.map((x) => pyStr(x)) : [pyStr(v)];
  });
}

export interface Reached {
  /** the handlers notified, in the play's order */
  handlers: Handler[];
  /** names that reached no handler */
  missing: string[];
  /** handlers whose templated name could not be rendered (Ansible warns that they are unusable) */
  unusable: { handler: Handler; error: string }[];
}

/** The name a handler is written with: one without is reached by its listen topics only. */
const written = (h: Handler) => (h.kind === 'task' ? h.meta.name : h.written);
const topics = (h: Handler) => (h.kind === 'task' ? h.listen : []);

/** The handlers that these notify names reach. */
export function handlersReached(handlers: Handler[], names: string[], scopeOf: (h: Handler) => Scope): Reached {
  // Ansible's handler blocks: one per role, then the play's own; searched last first
  const groups = new Map<string, Handler[]>();
  for (const h of handlers) {
    const key = h.kw.role?.path ?? '';
    groups.set(key, [...(groups.get(key) ?? []), h]);
  }
  const searchOrder = [...groups.values()].reverse().flat();
  const unusable: Reached['unusable'] = [];
  const candidates = new Map<Handler, string[]>();
  for (const h of searchOrder) {
    let name = written(h);
    if (name === undefined) continue;
    if (name.includes('{{')) {
      const problems: RenderProblem[] = [];
      let error: string | undefined;
      try {
        name = pyStr(render(name, scopeOf(h), [], problems));
      } catch (e) {
        error = (e as Error).message;
      }
      error ??= problems[0]?.message;
      if (error !== undefined) {
        if (!topics(h).length) unusable.push({ handler: h, error });
        continue;
      }
    }
    const role = h.kw.role;
    candidates.set(h, role ? [name, `${role.short} : ${name}`, `${role.name} : ${name}`] : [name]);
  }
  const reached = new Set<Handler>();
  const missing: string[] = [];
  for (const n of names) {
    const byName = searchOrder.find((h) => candidates.get(h)?.includes(n));
    const listening = handlers.filter((h) => topics(h).includes(n));
    if (byName) reached.add(byName);
    listening.forEach((h) => reached.add(h));
    if (!byName && !listening.length) missing.push(n);
  }
  return { handlers: handlers.filter((h) => reached.has(h)), missing, unusable };
}

/** Ansible's messages. */
export const missingHandler = (name: string) => `The requested handler '${name}' was not found in either the main handlers list nor in the listening handlers list`;
export const unusableHandler = (name: string, error: string) =>
  `Handler '${name}' is unusable because it has no listen topics and the name could not be templated (host-specific variables are not supported in handler names). The error: ${error}`;
