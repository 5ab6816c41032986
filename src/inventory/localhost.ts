// Ansible's implicit localhost (lib/ansible/inventory/data.py, _create_implicit_localhost): a pattern
// or delegate_to naming `localhost`, `127.0.0.1` or `::1` that matches nothing in the inventory is the
// controller, reached with the local connection and the controller's Python. It is in no group (not in
// `all`, not in `ungrouped`), and gets the vars of `all` and its own host_vars/ file, as in Ansible.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { VarLayer } from './types.ts';

/** Ansible's C.LOCALHOST */
export const LOCALHOST_NAMES: readonly string[] = ['localhost', '127.0.0.1', '::1'];

export const isLocalhostName = (name: string): boolean => LOCALHOST_NAMES.includes(name);

let python: string | undefined;
/**
 * ansible_playbook_python: Ansible's is the Python running it (sys.executable); skiff's is the
 * controller's python3 (/usr/bin/python3 when there, else the first on PATH), the one its Ansible modules
 * would run under.
 */
export function controllerPython(): string {
  if (python !== undefined) return python;
  const dirs = ['/usr/bin', ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)];
  for (const d of dirs) {
    try {
      accessSync(join(d, 'python3'), constants.X_OK);
      return (python = join(d, 'python3'));
    } catch {
      /* not here */
    }
  }
  return (python = '/usr/bin/python3');
}

/** The implicit localhost's own vars, as Ansible sets them on the host it creates. */
export function implicitLayer(): VarLayer {
  const origin = { file: '(implicit localhost)', line: 0, col: 0 };
  return {
    vars: { ansible_connection: 'local', ansible_python_interpreter: controllerPython() },
    origins: { ansible_connection: origin, ansible_python_interpreter: origin },
  };
}
