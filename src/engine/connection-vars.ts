// The connection variables Ansible's TaskExecutor reads from all of a task's variables (play, block,
// role and task vars, vars_files, include_vars, set_fact, the inventory, -e), and which win over the
// keywords: `ansible_become: true` in a play's vars becomes even where the task says `become: false`
// (task_executor.py _set_become_plugin: `cvars.get('ansible_become')`, then PlayContext's
// MAGIC_VARIABLE_MAPPING over the task's attributes). Magic variables (the ansible_connection every
// host has in its scope) are not variables anyone set: they do not count.
import type { Scope } from '../template/expr.ts';
import { pyStr, Undef } from '../template/expr-error.ts';
import { TRUES } from './flag.ts';

export interface ConnectionVars {
  become?: boolean;
  become_user?: string;
  become_method?: string;
  become_exe?: string;
  become_flags?: string;
  connection?: string;
  /**
   * How the host is reached, where a play's or task's vars (or set_fact) say otherwise than its
   * inventory: `ansible_user: ubuntu` in a play's vars. Ansible's names, as the inventory takes them.
   */
  remote?: Record<string, unknown>;
}

/** Ansible's connection variables (MAGIC_VARIABLE_MAPPING) that skiff's connections take (inventory/host.ts) */
const REMOTE = ['ansible_host', 'ansible_port', 'ansible_user', 'ansible_ssh_private_key_file', 'ansible_password', 'ansible_ssh_pass', 'ansible_ssh_common_args', 'ansible_ssh_extra_args'];

/**
 * A variable someone set, not None (Ansible's `cvars.get(name) is not None`); `overInventory`: set
 * elsewhere than in the host's inventory vars (or -e), which its connection settings hold already.
 */
function setVar(scope: Scope, name: string, overInventory = false): unknown {
  const r = scope(name);
  if (!r.found || r.magic || (overInventory && r.inventory) || r.value === null || r.value === undefined || r.value instanceof Undef) return undefined;
  return r.value;
}

/** Ansible's boolean(value, strict=False): its true words (any case), 1 and true; anything else is false. */
export function looseBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1;
  return typeof value === 'string' && TRUES.includes(value.trim().toLowerCase());
}

export function connectionVars(scope: Scope): ConnectionVars {
  const out: ConnectionVars = {};
  const become = setVar(scope, 'ansible_become');
  if (become !== undefined) out.become = looseBool(become);
  const user = setVar(scope, 'ansible_become_user');
  if (user !== undefined) out.become_user = pyStr(user);
  for (const k of ['become_method', 'become_exe', 'become_flags'] as const) {
    const x = setVar(scope, `ansible_${k}`);
    if (x !== undefined) out[k] = pyStr(x);
  }
  const connection = setVar(scope, 'ansible_connection');
  if (connection !== undefined) out.connection = pyStr(connection);
  for (const name of REMOTE) {
    const x = setVar(scope, name, true);
    if (x !== undefined) (out.remote ??= {})[name] = x;
  }
  return out;
}
