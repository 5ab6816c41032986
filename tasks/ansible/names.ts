// Ansible's names, in one table: the modules skiff runs (each under `ansible.builtin.X`, `ansible.legacy.X`
// and the short `X`), the ones it does not (refused by name, with the nearest skiff equivalent), and the
// task keywords it does not support. Roles written for Ansible then fail on what skiff lacks, said so,
// instead of on "unknown task type".
import { pythonModule } from './python-module.ts';
import { pythonAction } from './python-action.ts';
import { actionGroup, findModule, hasActionPlugin, resolvedName, takeGroupWarnings } from './core-modules.ts';
import type { TaskType, TaskTypes } from '../../src/engine/task-type.ts';
import { withAnsibleParams } from './spec.ts';

/**
 * ansible.builtin modules skiff does not run, each with the nearest skiff way when there is one. The
 * list is ansible-core's builtin catalogue (2.14-2.18) minus what tasks/ansible/ implements.
 */
export const UNSUPPORTED_BUILTIN: Record<string, string | undefined> = {
  apt_repository: 'ansible.builtin.copy of the .list file with content:',
  cron: 'ansible.builtin.copy of a file in /etc/cron.d',
  deb822_repository: 'ansible.builtin.copy of the .sources file with content:',
  debconf: undefined,
  dnf5: 'command: dnf install -y PKG with creates:',
  dpkg_selections: undefined,
  expect: undefined,
  find: 'ansible.builtin.stat, or command with register',
  git: 'command: git clone with creates:',
  hostname: undefined,
  // import_tasks, include_tasks, import_role, include_role: read by src/playbook/includes.ts
  include: 'ansible.builtin.import_tasks or include_tasks (Ansible removed include in 2.16)',
  iptables: undefined,
  known_hosts: undefined,
  mount_facts: undefined,
  package_facts: 'command: dpkg-query/rpm -q with register',
  replace: 'ansible.builtin.lineinfile with regexp (one line), or line',
  service_facts: 'command: systemctl show NAME with register',
  slurp: 'command: base64 FILE with register, or ansible.builtin.stat',
  subversion: undefined,
  sysvinit: 'command',
  yum_repository: 'ansible.builtin.copy of the .repo file with content:',
};

/** Collection modules with a skiff equivalent worth naming. */
const COLLECTION_HINTS: Record<string, string> = {
  'ansible.posix.synchronize': 'ansible.builtin.copy',
};

/**
 * Ansible task keywords skiff does not support: a task that uses one is refused by the keyword's name
 * (it would otherwise read as a second task type).
 */
export const UNSUPPORTED_KEYWORDS: Record<string, string | undefined> = {
  connection: 'ansible_connection in the inventory',
  port: 'ansible_port in the inventory',
  remote_user: 'ansible_user in the inventory, or become_user',
  vars_files: 'vars:, or -e @FILE.yml',
  with_first_found: undefined,
  with_together: undefined,
  with_nested: undefined,
  with_subelements: undefined,
  with_sequence: undefined,
  with_random_choice: undefined,
  with_lines: undefined,
};

/**
 * Ansible's action plugins that refuse `async` ("async is not supported for this task."): those without
 * _supports_async (ansible/plugins/action/). Modules run by the normal action, and command, shell,
 * package, service, uri, yum and reboot, take it.
 */
const NO_ASYNC = new Set(['add_host', 'assemble', 'assert', 'async_status', 'copy', 'debug', 'fail', 'fetch', 'gather_facts', 'group_by', 'include_vars', 'pause', 'raw', 'script', 'set_fact', 'set_stats', 'template', 'unarchive', 'validate_argument_spec', 'wait_for_connection']);

/** Where a name of Ansible's leads: a skiff type, or a refusal with its reason. */
export function refusal(key: string): string | undefined {
  const short = key.replace(/^ansible\.(?:builtin|legacy)\./, '');
  if (Object.hasOwn(UNSUPPORTED_BUILTIN, short)) return notSupported(key, UNSUPPORTED_BUILTIN[short]);
  if (Object.hasOwn(COLLECTION_HINTS, key)) return notSupported(key, COLLECTION_HINTS[key]);
  // namespace.collection.module: a module of a collection (community.general.foo, ...)
  if (/^[a-z0-9_]+\.[a-z0-9_]+\.[A-Za-z0-9_]+$/.test(key)) return notSupported(key, undefined, `a module of the collection ${key.split('.').slice(0, 2).join('.')}`);
  if (Object.hasOwn(UNSUPPORTED_KEYWORDS, key)) {
    const hint = UNSUPPORTED_KEYWORDS[key];
    return `${key} is an Ansible task keyword not supported by skiff${hint ? `: instead, ${hint}` : ''}`;
  }
  return undefined;
}

function notSupported(key: string, hint: string | undefined, what = 'an Ansible module'): string {
  return `${key} is ${what} not supported by skiff${hint ? `: nearest skiff way: ${hint}` : ''}`;
}

/**
 * The task-type table: skiff's own types by their names, each Ansible module of tasks/ansible/ under
 * `ansible.builtin.X` (its name), `ansible.legacy.X` and `X` — except where skiff has its own type of
 * that short name (`file`, `command`): those keep skiff's meaning, and Ansible's is reached
 * by its full name.
 */
export function typeTable(own: TaskType[], ansible: TaskType[]): TaskTypes {
  const table: TaskTypes = new Map(own.map((t) => [t.name, t]));
  for (const bare of ansible) {
    const t = NO_ASYNC.has(bare.name.split('.').pop()!) && bare.name.startsWith('ansible.builtin.') ? { ...withAnsibleParams(bare), noAsync: true } : withAnsibleParams(bare);
    table.set(t.name, t);
    // a collection's module (community.general.ini_file) is also reached by its short name, as Ansible routes it
    const short = t.name.split('.').pop()!;
    const aliases = t.name.startsWith('ansible.builtin.') ? [`ansible.legacy.${short}`, short] : [short];
    for (const alias of aliases) if (!table.has(alias)) table.set(alias, { ...t, name: alias, aliasOf: t.name });
  }
  // a collection's action plugin (or a removed module) is named as such before the generic refusal
  table.unrunnable = (name) => {
    // ansible-core's own names keep their refusal (UNSUPPORTED_BUILTIN's nearest skiff way)
    const m = name.includes('.') && !/^ansible\.(?:builtin|legacy)\./.test(name) ? findModule(name) : undefined;
    return typeof m === 'string' ? m : undefined;
  };
  table.refuse = (key) => table.unrunnable?.(key) ?? refusal(key);
  table.localModule = pythonModule;
  table.localAction = pythonAction;
  table.actionPlugin = hasActionPlugin;
  table.resolvedName = resolvedName;
  table.actionGroup = actionGroup;
  table.loadWarnings = takeGroupWarnings;
  const found = new Map<string, TaskType | undefined>();
  table.ansibleModule = (name) => {
    if (!found.has(name)) {
      const m = findModule(name);
      found.set(name, typeof m === 'object' ? (m.action ? pythonAction(name, m.action) : pythonModule(name, m.path)) : undefined);
    }
    return found.get(name);
  };
  return table;
}
