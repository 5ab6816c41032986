// skiff inventory: groups, hosts and their merged vars (secrets hidden), as JSON.
import { renderedHostVars } from '../../engine/prepare.ts';
import { redact, secretValues } from '../../util/secrets.ts';
import { loadSources } from '../../inventory/sources.ts';
import { groupsOf } from '../../inventory/vars.ts';
import type { InputProblem } from '../../util/errors.ts';
import { badInput, EXIT } from '../output.ts';
import { printWarnings, settingsOf } from '../settings.ts';
import type { Invocation } from '../spec.ts';
import { vaultOf } from '../vault.ts';

export async function inventoryCommand(inv: Invocation): Promise<number> {
  const { config, problems: cp } = settingsOf(inv);
  if (!config) return badInput(cp);
  printWarnings(config.warnings);
  const sources = config.values.inventory;
  if (!sources) return badInput([{ file: 'argv', line: 0, col: 0, message: '-i INVENTORY is required (or inventory in ansible.cfg, or ANSIBLE_INVENTORY); see skiff inventory --help' }]);
  const only = inv.values.host as string | undefined;
  // passwords first: every vaulted value is decrypted while loading, so a wrong one is bad input
  const { secrets: vault, problems: vp } = await vaultOf(inv.values, config);
  if (!vault) return badInput(vp);
  const { inventory, problems, warnings } = loadSources(sources, vault);
  printWarnings(warnings);
  if (!inventory) return badInput(problems);
  const ps: InputProblem[] = [];
  const hosts: Record<string, unknown> = {};
  for (const h of inventory.hosts) {
    if (only && h !== only) continue;
    const { vars } = renderedHostVars(inventory, h, {}, ps);
    const secrets = secretValues(vars);
    hosts[h] = { groups: groupsOf(inventory, h).filter((g) => g !== 'all'), vars: JSON.parse(redact(JSON.stringify(vars), secrets.map((s) => JSON.stringify(s).slice(1, -1)))) };
  }
  if (only && !(only in hosts)) return badInput([{ file: '--host', line: 0, col: 0, message: `unknown host ${JSON.stringify(only)}: expected one of ${inventory.hosts.join(', ')}` }]);
  if (ps.length) return badInput(ps);
  const groups = Object.fromEntries([...inventory.groups.values()].map((g) => [g.name, { hosts: [...g.hosts], children: [...g.children] }]));
  process.stdout.write(JSON.stringify(only ? hosts[only] : { groups, hosts }, null, 2) + '\n');
  return EXIT.ok;
}
