// An inventory source only an inventory plugin reads (a YAML file naming `plugin:`: constructed,
// generator, a collection's such as amazon.aws.aws_ec2; an executable script), read as Ansible reads it:
// the controller's ansible-core runs its own InventoryManager over it (`ansible-inventory --list
// --export`), and its groups, hosts and vars come back as a YAML inventory skiff reads as its own.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CONTROLLER_PYTHON, collectionsEnv } from '../playbook/collections.ts';

const CLI = 'import sys; from ansible.cli.inventory import InventoryCLI; InventoryCLI.cli_executor(sys.argv)';

/** Whether Ansible's script plugin takes this file: executable, a `#!` script (not a YAML or INI file). */
export function isInventoryScript(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return readFileSync(file).subarray(0, 2).toString() === '#!';
  } catch {
    return false;
  }
}

export interface PluginInventory {
  /** a YAML inventory (all: {children: ...}) of what the plugin made */
  groups?: Record<string, unknown>;
  /** Ansible's warnings (a plugin that failed is a warning and no hosts, as ansible-playbook goes on) */
  warnings: string[];
  error?: string;
}

/**
 * What ansible-core's inventory plugins make of `file`, as a YAML inventory's groups. `before`: the
 * sources read before it, read again first, as a plugin such as constructed works on the hosts they
 * made (what they hold comes back too, the same again).
 */
export function readPluginSource(file: string, before: readonly string[] = [], playbookDir?: string): PluginInventory {
  // the playbook's directory: its collections/ hold plugins too (content-adjacent collections)
  const dir = playbookDir ? ['--playbook-dir', playbookDir] : [];
  const r = spawnSync(CONTROLLER_PYTHON, ['-c', CLI, 'ansible-inventory', ...[...before, file].flatMap((s) => ['-i', s]), ...dir, '--list', '--export'], {
    cwd: dirname(file),
    encoding: 'utf8',
    env: { ...process.env, ...collectionsEnv(), ANSIBLE_NOCOLOR: '1' },
    maxBuffer: 256 * 1024 * 1024,
  });
  const warnings = (r.stderr ?? '')
    .split(/\n(?=\[WARNING\]: )/)
    .filter((w) => w.startsWith('[WARNING]: '))
    .map((w) => w.slice('[WARNING]: '.length).replace(/\s*\n\s*/g, ' ').trim());
  if (r.error || r.status !== 0) return { warnings, error: `the controller's ansible-core (${CONTROLLER_PYTHON}) could not read it as an inventory: ${(r.error?.message ?? r.stderr ?? '').trim().split('\n').slice(-3).join(' ')}` };
  let listed: Record<string, { hosts?: string[]; children?: string[]; vars?: Record<string, unknown> }> & { _meta?: { hostvars?: Record<string, Record<string, unknown>> } };
  try {
    listed = JSON.parse(r.stdout);
  } catch (e) {
    return { warnings, error: `ansible-inventory's list is no JSON: ${(e as Error).message}` };
  }
  return { groups: asYamlGroups(listed), warnings };
}

/** ansible-inventory --list --export's JSON as a YAML inventory's groups: each group's hosts (with their vars), vars and children. */
export function asYamlGroups(listed: Record<string, unknown>): Record<string, unknown> {
  const hostvars = ((listed._meta as { hostvars?: Record<string, Record<string, unknown>> } | undefined)?.hostvars ?? {}) as Record<string, Record<string, unknown>>;
  const seen = new Set<string>();
  const out: Record<string, unknown> = {};
  for (const [name, g] of Object.entries(listed)) {
    if (name === '_meta' || !g || typeof g !== 'object') continue;
    const { hosts = [], children = [], vars } = g as { hosts?: string[]; children?: string[]; vars?: Record<string, unknown> };
    const body: Record<string, unknown> = {};
    // a host's own vars once, where it first comes
    if (hosts.length) body.hosts = Object.fromEntries(hosts.map((h) => [h, seen.has(h) ? null : (seen.add(h), Object.keys(hostvars[h] ?? {}).length ? hostvars[h] : null)]));
    if (vars && Object.keys(vars).length) body.vars = vars;
    if (children.length) body.children = Object.fromEntries(children.map((c) => [c, null]));
    out[name] = body;
  }
  return out;
}
