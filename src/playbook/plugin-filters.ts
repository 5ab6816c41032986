// Ansible's plugin filters (ansible.cfg's plugin_filters_cfg, by default /etc/ansible/plugin_filters.yml):
// a YAML file whose module_blacklist names modules and action plugins Ansible then does not find. Read
// as ansible-core 2.14's _load_plugin_filter (plugins/loader.py) reads it, quirks included: it reads
// module_blacklist alone (its module_rejectlist lookup has a typo, `'module_rejectlist)'`), and a
// file that is no mapping or lacks module_blacklist stops Ansible with a traceback.
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** Where Ansible looks when ansible.cfg names no file (no warning when it is not there). */
export const DEFAULT_PLUGIN_FILTERS = '/etc/ansible/plugin_filters.yml';

export interface PluginFilters {
  /** the short module (and action) names Ansible's module and action loaders skip */
  rejected: ReadonlySet<string>;
  /** Ansible's warnings: a file skipped, and why */
  warnings: string[];
  /** what stops Ansible before it runs anything (stat rejected, a file it cannot read at all) */
  error?: string;
}

const skip = (warning: string): PluginFilters => ({ rejected: new Set(), warnings: [`[WARNING]: ${warning}`] });

/** Python's str() of a YAML scalar, as to_text() gives filter_version (1.0 the float: "1.0"). */
function pyText(x: unknown): string {
  if (typeof x === 'number') return Number.isInteger(x) ? `${x}.0` : String(x);
  if (typeof x === 'boolean') return x ? 'True' : 'False';
  return String(x);
}

/**
 * The filters in `file` (`given`: named by the configuration, so a missing file is warned of). An
 * error is Ansible's own message where it has one, else what its traceback says, in words.
 */
export function readPluginFilters(file: string, given: boolean): PluginFilters {
  if (!existsSync(file)) return given ? skip(`The plugin filter file, ${file} does not exist. Skipping.`) : { rejected: new Set(), warnings: [] };
  let data: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    // from_yaml: JSON first, then YAML 1.1 (ints apart from floats: `1.0` is the float Ansible reads as "1.0")
    try {
      data = JSON.parse(text);
    } catch {
      data = parse(text, { version: '1.1', intAsBigInt: true });
    }
  } catch (e) {
    return skip(`The plugin filter file, ${file} was not parsable. Skipping: ${(e as Error).message.split('\n')[0]}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { rejected: new Set(), warnings: [], error: `the plugin filter file, ${file}: got ${data === null || data === undefined ? 'an empty file' : Array.isArray(data) ? 'a list' : 'a scalar'}, expected a mapping with filter_version and module_blacklist (Ansible 2.14 stops with a TypeError)` };
  }
  const d = data as Record<string, unknown>;
  if (!Object.hasOwn(d, 'filter_version')) return skip(`The plugin filter file, ${file} was invalid. Skipping.`);
  if (pyText(d.filter_version).trim() !== '1.0') return skip(`The plugin filter file, ${file} was a version not recognized by this version of Ansible. Skipping.`);
  if (!Object.hasOwn(d, 'module_blacklist')) {
    return { rejected: new Set(), warnings: [], error: `the plugin filter file, ${file}: expected module_blacklist (Ansible 2.14 reads module_blacklist alone, not module_rejectlist, and stops with KeyError: 'module_blacklist')` };
  }
  const list = d.module_blacklist;
  // frozenset() of what is there: a list's items, a mapping's keys, a text's characters; None or a number is no list
  let rejected: Set<string>;
  if (Array.isArray(list)) rejected = new Set(list.map(String));
  else if (typeof list === 'string') rejected = new Set(list);
  else if (list !== null && typeof list === 'object') rejected = new Set(Object.keys(list));
  else return skip(`Unable to parse the plugin filter file ${file} as module_blacklist is not a list. Skipping.`);
  // stat: Ansible runs very little without it, so it refuses to start
  if (rejected.has('stat')) {
    return { rejected, warnings: [], error: `The stat module was specified in the module blacklist file, ${file}, but Ansible will not function without the stat module.  Please remove stat from the blacklist.` };
  }
  return { rejected, warnings: [] };
}

// Ansible's _PLUGIN_FILTERS: a constant of its process, read once as it starts (set by cli/settings.ts)
let rejectedModules: ReadonlySet<string> = new Set();

export function setRejectedModules(names: ReadonlySet<string>): void {
  rejectedModules = names;
}

/**
 * Whether a task's module name, as written, is filtered out. Ansible compares the name its loaders
 * search for: a short name (`copy`) is filtered, a full one (ansible.builtin.copy, even
 * ansible.legacy.copy) is found in its collection and runs.
 */
export function isRejectedModule(name: string): boolean {
  return !name.includes('.') && rejectedModules.has(name);
}
