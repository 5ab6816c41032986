// skiff show PLAN: the plan as a reviewer reads it, or as JSON. Reads the file alone: no host, no inventory.
import { readPlan } from '../../plan/read.ts';
import { planJson, planText } from '../../plan/show.ts';
import { badInput, EXIT } from '../output.ts';
import type { Invocation } from '../spec.ts';

export async function showCommand({ values: o, args: [file] }: Invocation): Promise<number> {
  const r = readPlan(file);
  if ('problems' in r) return badInput(r.problems);
  process.stdout.write((o.json ? planJson(r.plan) : planText(r.plan)) + '\n');
  return EXIT.ok;
}
