// The magic variables that are the same for every host and task of a run, as Ansible's
// VariableManager has them (lib/ansible/vars/manager.py _get_magic_variables, and
// lib/ansible/utils/vars.py load_options_vars for the command line's): they are also what an
// inventory value may use (`ansible_python_interpreter="{{ ansible_playbook_python }}"`).
import { resolve } from 'node:path';
import { controllerPython } from '../inventory/localhost.ts';

/**
 * The ansible-core whose meaning skiff follows and reports as `ansible_version`: 2.14, at the release
 * it is checked against (Debian's ansible-core 2.14.18). Playbooks test it as
 * `ansible_version.full is version('2.9', '>=')`; a playbook that needs a newer Ansible sees it.
 */
export const ANSIBLE_COMPAT = { major: 2, minor: 14, revision: 18 };

export function ansibleVersion() {
  const { major, minor, revision } = ANSIBLE_COMPAT;
  const full = `${major}.${minor}.${revision}`;
  return { full, major, minor, revision, string: full };
}

export interface RunVarsInput {
  playbook: string;
  inventory: string | readonly string[];
  check: boolean;
  diff: boolean;
  tags?: string[];
  skipTags?: string[];
  limit?: string;
  verbosity?: number;
  /** the ansible.cfg read, if any (null in ansible_config_file otherwise, as Ansible's) */
  configFile?: string;
}

/** `--tags a,b --tags a`: Ansible makes a set of them (no order, no repeats); none given is ['all']. */
const tagSet = (tags: string[] | undefined, none: string[]) => (tags?.length ? [...new Set(tags)] : none);

export function runVars(o: RunVarsInput): Record<string, unknown> {
  return {
    ansible_version: ansibleVersion(),
    ansible_playbook_python: controllerPython(),
    ansible_config_file: o.configFile ?? null,
    ansible_check_mode: o.check,
    ansible_diff_mode: o.diff,
    ansible_run_tags: tagSet(o.tags, ['all']),
    ansible_skip_tags: tagSet(o.skipTags, []),
    ansible_verbosity: o.verbosity ?? 0,
    // as Ansible's: paths made absolute, host lists as written
    ansible_inventory_sources: (typeof o.inventory === 'string' ? [o.inventory] : o.inventory).map((s) => (s.includes(',') ? s : resolve(s))),
    ...(o.limit !== undefined ? { ansible_limit: o.limit } : {}),
  };
}
