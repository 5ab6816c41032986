// skiff completion bash|zsh, and the hidden `skiff __complete hosts` the scripts call.
import { TASK_TYPES } from '../../../tasks/index.ts';
import { bashScript, zshScript } from '../completion.ts';
import { badInput, EXIT } from '../output.ts';
import { settingsOf } from '../settings.ts';
import type { Invocation } from '../spec.ts';

const SCRIPTS: Record<string, (types: string[]) => string> = { bash: bashScript, zsh: zshScript };

export async function completionCommand({ args: [shell] }: Invocation): Promise<number> {
  const script = SCRIPTS[shell];
  if (!script) return badInput([{ file: 'argv', line: 0, col: 0, message: `unknown shell ${JSON.stringify(shell)}: expected ${Object.keys(SCRIPTS).join(' or ')}` }]);
  process.stdout.write(script([...TASK_TYPES.keys()]));
  return EXIT.ok;
}

/**
 * Called on every Tab by the scripts: prints candidates one per line and nothing else (no warnings,
 * no problems: a shell prompt is no place for them); exit 5 when there is nothing to offer.
 */
export async function completeCommand(inv: Invocation): Promise<number> {
  const [what] = inv.args;
  if (what !== 'hosts') return EXIT.badInput;
  // the -i on the line being completed, else the configured inventory (whatever else the config says)
  const given = inv.values.inventory as string[] | undefined;
  const sources = given?.length ? given : settingsOf(inv).config?.values.inventory;
  if (!sources) return EXIT.badInput;
  // loaded here: the scripts themselves (completion bash|zsh) need no inventory code
  const { loadSources } = await import('../../inventory/sources.ts');
  const { inventory } = loadSources(sources);
  if (!inventory) return EXIT.badInput;
  const names = new Set([...inventory.hosts, ...inventory.groups.keys()]);
  process.stdout.write([...names].join('\n') + '\n');
  return EXIT.ok;
}
