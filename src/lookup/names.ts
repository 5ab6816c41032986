// The lookup plugins ansible-core 2.14 ships (lib/ansible/plugins/lookup/*.py). Ansible's task loader
// (Task._preprocess_with_loop) takes `with_<name>:` as a loop only when <name> is a lookup plugin; any
// other `with_` key is not a task attribute, refused when the playbook is read. A name outside this list
// given to lookup() is the task's failure when it runs ("lookup plugin (x) not found").
export const ANSIBLE_LOOKUPS: ReadonlySet<string> = new Set([
  'config', 'csvfile', 'dict', 'env', 'file', 'fileglob', 'first_found', 'indexed_items', 'ini',
  'inventory_hostnames', 'items', 'lines', 'list', 'nested', 'password', 'pipe', 'random_choice',
  'sequence', 'subelements', 'template', 'together', 'unvault', 'url', 'varnames', 'vars',
]);

/** A lookup's short name: ansible.builtin.x and ansible.legacy.x are x. */
export const lookupName = (name: string): string => name.replace(/^ansible\.(builtin|legacy)\./, '');

/** `with_<name>`: a task key that is a loop over the lookup <name> (any name: whether it is one is checked by the loader). */
export const isWithKey = (k: string): k is `with_${string}` => k.startsWith('with_') && k.length > 5;
