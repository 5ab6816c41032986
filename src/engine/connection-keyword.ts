// The `connection:` keyword (play, block, role, task) as Ansible 2.14 takes it: the connection plugin
// for those tasks, over -c / ansible.cfg's transport. A host's own ansible_connection still wins
// (task_executor.py: `cvars.get('ansible_connection')` first, then `self._task.connection`); that is
// decided where the host's settings are worked out (run.ts settingsOf). skiff has local and ssh.
import type { Scope } from '../template/expr.ts';
import { render } from '../template/template.ts';
import { show } from '../util/errors.ts';
import { TaskFailure } from './task-type.ts';
import { routedPlugin } from '../playbook/collections.ts';

export type ConnectionName = 'local' | 'ssh';

/** The keyword's connection on this host (undefined: none asked for); throws for one skiff does not have. */
export function connectionOf(value: string | undefined, scope: () => Scope, what = 'connection'): ConnectionName | undefined {
  if (value === undefined) return undefined;
  const c = value === 'local' || value === 'ssh' ? value : routedPlugin('connection', String(render(value, scope(), [])));
  if (c === 'local' || c === 'ssh') return c;
  if (c === 'smart') return 'ssh';
  throw new TaskFailure(`${what}: got ${show(c)}, expected local, ssh or smart: skiff has no other connection plugin`);
}
