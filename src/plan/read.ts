// A plan file read back: JSON checked against the schema, or every problem with it, each naming the
// file, where in it, and what was expected (a hand-edited or truncated plan is never half-used).
import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import type { InputProblem } from '../util/errors.ts';
import { PLAN_FORMAT, PlanSchema, type PlanFile } from './schema.ts';

export function readPlan(file: string): { plan: PlanFile } | { problems: InputProblem[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { problems: [{ file, line: 0, col: 0, message: `cannot read the plan: ${(e as Error).message}` }] };
  }
  return parsePlan(file, text);
}

/** Pure: the plan in `text` (named `file` in messages). */
export function parsePlan(file: string, text: string): { plan: PlanFile } | { problems: InputProblem[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { problems: [{ file, line: 0, col: 0, message: `not a plan: ${(e as Error).message}: expected the JSON file skiff run --check --plan writes` }] };
  }
  const format = (raw as { format?: unknown } | null)?.format;
  if (format !== PLAN_FORMAT) {
    return { problems: [{ file, line: 0, col: 0, message: `format ${JSON.stringify(format ?? null)}: expected ${JSON.stringify(PLAN_FORMAT)} (a plan written by skiff run --check --plan)` }] };
  }
  const r = v.safeParse(PlanSchema, raw);
  if (r.success) return { plan: r.output };
  return {
    problems: r.issues.map((i) => ({ file, line: 0, col: 0, message: `${v.getDotPath(i) ?? '(top)'}: ${i.message}` })),
  };
}
