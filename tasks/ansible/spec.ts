// Ansible's own parameter specs (tasks/ansible/ansible-spec.json, generated from Debian's ansible-core by
// `npm run ansible-spec`): the aliases each module accepts for its options, and the options skiff's
// version of a module does not take, refused by name instead of as unknown parameters.
import spec from './ansible-spec.json' with { type: 'json' };
import type { TaskType } from '../../src/engine/task-type.ts';
import { schemaParams } from '../../src/engine/task-type.ts';

export interface OptionSpec {
  type?: string;
  elements?: string;
  aliases?: string[];
  choices?: unknown[];
  default?: unknown;
  required?: boolean;
  no_log?: boolean;
  options?: Record<string, OptionSpec>;
}
export interface ModuleSpec {
  options: Record<string, OptionSpec>;
  mutually_exclusive?: string[][];
  required_one_of?: string[][];
  required_together?: string[][];
  /** `ansible-doc` where the module is an action with no argument spec of its own */
  from?: string;
}
export interface AnsibleSpec {
  ansible_core: string;
  modules: Record<string, ModuleSpec>;
}

export const ANSIBLE_SPEC: AnsibleSpec = spec;

/** The spec of an ansible.builtin module by any of its names (ansible.builtin.stat, stat). */
export function moduleSpec(name: string): ModuleSpec | undefined {
  const m = name.match(/^ansible\.(?:builtin|legacy)\.([a-z0-9_]+)$/);
  return m ? ANSIBLE_SPEC.modules[m[1]] : undefined;
}

/** An Ansible module's type with its module's aliases and its refusals of the options skiff lacks. */
export function withAnsibleParams<T extends TaskType>(t: T): T {
  const spec = moduleSpec(t.name);
  if (!spec) return t;
  const own = new Set(schemaParams(t.schema));
  // a type whose parameters are any names (set_fact's variables) has no options to rename or refuse
  if (!own.size) return t;
  // an option is honoured when the type takes one of its names (apt's `package` is skiff's `name`);
  // its other names are renamed to that one, unless the type takes them itself
  const aliases: Record<string, string> = {};
  const honoured = new Set<string>();
  for (const [name, o] of Object.entries(spec.options)) {
    const names = [name, ...(o.aliases ?? [])];
    const mine = names.find((n) => own.has(n));
    if (mine === undefined) continue;
    names.forEach((n) => honoured.add(n));
    for (const n of names) if (!own.has(n)) aliases[n] = mine;
  }
  const known = new Set(Object.entries(spec.options).flatMap(([n, o]) => [n, ...(o.aliases ?? [])]));
  return {
    ...t,
    paramAliases: aliases,
    refuseParam(key: string, value?: unknown) {
      // the type's own word first: an option it honours only for some values
      const own = t.refuseParam?.(key, value);
      if (own) return own;
      if (!known.has(key) || honoured.has(key)) return undefined;
      return `${key} is an option of ${t.name} (ansible-core ${ANSIBLE_SPEC.ansible_core}) that skiff does not honour: the task is refused rather than run without it`;
    },
    unsupportedParams: (keys: string[], written: string) => unsupportedParams(t.name.split('.').pop()!, keys, written),
  };
}

/**
 * Ansible's action plugins that check their own arguments against a fixed set (_VALID_ARGS in
 * plugins/action): they fail with "Invalid options for ACTION: a,b", not the module's text.
 */
const VALID_ARGS_ACTIONS = new Set(['debug', 'assert', 'fail', 'group_by', 'set_stats', 'wait_for_connection', 'reboot']);
/** Action plugins that run a module of another name, or under ansible.legacy (its name in the message). */
const LEGACY_MODULE: Record<string, string> = { command: 'command', shell: 'command', copy: 'copy', template: 'copy', assemble: 'assemble', unarchive: 'unarchive', uri: 'uri' };

/**
 * What ansible-core says, when the task runs, of parameters its module does not have (a role's
 * `warn: false` on command, removed in 2.14): the task fails there, and nowhere else (a task skipped by
 * `when` runs nothing), so skiff fails it the same way instead of refusing the playbook.
 * The text is ArgumentSpecValidator's (module_utils/common/arg_spec.py), naming the module as the
 * module sees itself: as written, or `ansible.legacy.X` from an action plugin.
 */
export function unsupportedParams(short: string, keys: string[], written: string): string {
  const bad = [...keys].sort();
  if (VALID_ARGS_ACTIONS.has(short)) return `Invalid options for ${written}: ${bad.join(',')}`;
  const mod = LEGACY_MODULE[short] ?? short;
  const spec = ANSIBLE_SPEC.modules[mod];
  const name = LEGACY_MODULE[short] ? `ansible.legacy.${mod}` : written;
  const params = Object.keys(spec?.options ?? {}).sort();
  const aliases = Object.values(spec?.options ?? {}).flatMap((o) => o.aliases ?? []).sort();
  return `Unsupported parameters for (${name}) module: ${bad.join(', ')}. Supported parameters include: ${params.join(', ')}${aliases.length ? ` (${aliases.join(', ')})` : ''}.`;
}
