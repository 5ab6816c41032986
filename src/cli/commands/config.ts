// skiff config: each effective setting, its value and where it came from.
import { formatConfig } from '../config.ts';
import { badInput, EXIT } from '../output.ts';
import { printWarnings, settingsOf } from '../settings.ts';
import type { Invocation } from '../spec.ts';

export async function configCommand(inv: Invocation): Promise<number> {
  const { config, problems } = settingsOf(inv);
  if (!config) return badInput(problems);
  printWarnings(config.warnings);
  process.stdout.write(formatConfig(config) + '\n');
  return EXIT.ok;
}
