// The effective settings of one invocation: its flags (those with a `setting` in spec.ts) over the
// environment and ansible.cfg (config.ts).
import { homedir } from 'node:os';
import { resolveConfig, type SettingName } from './config.ts';
import { FLAGS, type Invocation } from './spec.ts';
import { setHashBehaviour } from '../util/combine-vars.ts';
import { setJinja2Native } from '../template/native-concat.ts';
import { setHostListPlugin } from '../inventory/sources.ts';
import { setGroupCharsMode } from '../inventory/group-names.ts';
import { DEFAULT_PLUGIN_FILTERS, readPluginFilters, setRejectedModules } from '../playbook/plugin-filters.ts';

export function settingsOf(inv: Invocation, env: Record<string, string | undefined> = process.env) {
  const flags: Partial<Record<SettingName, string | string[]>> = {};
  const names: Partial<Record<SettingName, string>> = {};
  for (const [name, f] of Object.entries(FLAGS)) {
    const value = inv.values[name];
    // a repeatable flag (-i) gives its values as a list: each one whole (a host list keeps its commas)
    if (f.setting && (typeof value === 'string' || (Array.isArray(value) && value.length && typeof value[0] === 'string'))) [flags[f.setting], names[f.setting]] = [value as string | string[], `--${name}`];
  }
  const r = resolveConfig(flags, names, { env, cwd: process.cwd(), home: env.HOME || homedir() });
  // a setting of how variables combine, read by the inventory and the scope of every task (as Ansible's constant)
  setHashBehaviour(r.config?.values.hash_behaviour ?? 'replace');
  // how every template's result is made (Ansible's C.DEFAULT_JINJA2_NATIVE, a constant of its process)
  setJinja2Native(r.config?.values.jinja2_native ?? false);
  // how a host list (-i 'a,b[1:3],') is read: the first of Ansible's two plugins its INVENTORY_ENABLED tries
  const enabled = r.config?.values.inventory_enabled ?? ['host_list'];
  const advanced = enabled.indexOf('advanced_host_list');
  setHostListPlugin(advanced >= 0 && (advanced < enabled.indexOf('host_list') || !enabled.includes('host_list')) ? 'advanced_host_list' : 'host_list');
  setGroupCharsMode(r.config?.values.force_valid_group_names ?? 'never');
  if (!r.config) return r;
  // the modules Ansible's loaders skip (its _PLUGIN_FILTERS, read as it starts: a bad one stops every command)
  const given = r.config.values.plugin_filters_cfg;
  const filters = readPluginFilters(given ?? DEFAULT_PLUGIN_FILTERS, given !== undefined);
  setRejectedModules(filters.rejected);
  r.config.warnings.push(...filters.warnings);
  if (filters.error) {
    const src = r.config.sources.plugin_filters_cfg;
    const at = src.kind === 'file' ? { file: src.file, line: src.line, col: src.col } : { file: given ?? DEFAULT_PLUGIN_FILTERS, line: 0, col: 0 };
    return { problems: [...r.problems, { ...at, message: filters.error }] };
  }
  return r;
}

/** Warnings (a skipped ansible.cfg, unsupported settings) go to stderr, once per invocation. */
export function printWarnings(warnings: string[]): void {
  for (const w of warnings) process.stderr.write(w + '\n');
}
