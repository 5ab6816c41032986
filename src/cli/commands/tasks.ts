// skiff tasks [TYPE]: the task types; with a type, its parameters.
import { didYouMean } from '../../util/errors.ts';
import { schemaEntries } from '../../engine/task-type.ts';
import { TASK_TYPES } from '../../../tasks/index.ts';
import { badInput, EXIT } from '../output.ts';
import type { Invocation } from '../spec.ts';

/** Parameter names of a task type's schema (an object schema, possibly inside a pipe), optional ones marked. */
function params(schema: unknown): { name: string; optional: boolean }[] {
  return Object.entries(schemaEntries(schema) ?? {}).map(([name, e]) => ({ name, optional: e.type === 'optional' || e.type === 'nullish' }));
}

export async function tasksCommand({ args: [name] }: Invocation): Promise<number> {
  if (!name) {
    // Ansible's short names for a type are listed with it, not as types of their own
    for (const t of TASK_TYPES.values()) {
      if (t.aliasOf) continue;
      const aliases = [...TASK_TYPES.values()].filter((a) => a.aliasOf === t.name).map((a) => a.name);
      process.stdout.write(`${t.name.padEnd(20)} ${t.summary}${aliases.length ? ` (also: ${aliases.join(', ')})` : ''}\n`);
    }
    return EXIT.ok;
  }
  const t = TASK_TYPES.get(name);
  if (!t) return badInput([{ file: 'argv', line: 0, col: 0, message: `unknown task type ${JSON.stringify(name)}${didYouMean(name, TASK_TYPES.keys())}: see skiff tasks` }]);
  const ps = params(t.schema);
  process.stdout.write(`${t.name}: ${t.summary}\n${t.shortKey ? `short form: ${t.name}: <${t.shortKey}>\n` : ''}parameters:\n${ps.map((p) => `  ${p.name}${p.optional ? '' : '  (required)'}`).join('\n')}\n`);
  return EXIT.ok;
}
