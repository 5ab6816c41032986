// command: run a command unless `creates` exists (or `removes` is missing). Values put into `cmd`
// through {{ }} are shell-quoted; `argv` quotes every element.
import * as v from 'valibot';
import { shJoin, shq } from '../src/transport/quote.ts';
import type { TaskType } from '../src/engine/task-type.ts';
import { commandFailure, commandResult } from './lib/commands.ts';
import { AbsPath } from './lib/schema.ts';
import { factsOf, fileReads } from './lib/files.ts';

const schema = v.pipe(
  v.strictObject({
    cmd: v.optional(v.pipe(v.string(), v.minLength(1, 'expected a command'))),
    argv: v.optional(v.pipe(v.array(v.union([v.string(), v.number()])), v.minLength(1, 'expected at least the program name'))),
    creates: v.optional(AbsPath),
    removes: v.optional(AbsPath),
    chdir: v.optional(AbsPath),
    stdin: v.optional(v.string()),
    /** seconds before the command is ended */
    timeout: v.optional(v.pipe(v.number(), v.minValue(1)), 600),
  }),
  v.check((p) => (p.cmd === undefined) !== (p.argv === undefined), 'expected exactly one of cmd or argv'),
);
type Params = v.InferOutput<typeof schema>;

export const command: TaskType<Params> = {
  name: 'command',
  summary: 'run a command, unless `creates` exists or `removes` is missing',
  schema,
  reads: (p) => fileReads(p.creates, p.removes),
  shortKey: 'cmd',
  shellParams: ['cmd'],
  async plan(ctx, p) {
    const text = p.cmd ?? shJoin(p.argv!.map(String));
    if (p.creates || p.removes) {
      const f = await factsOf(ctx, (p.creates ?? p.removes)!);
      if (f.exists === !!p.creates) return { changes: [], note: p.creates ? `${p.creates} exists` : `${p.removes} is absent` };
      return { changes: [`run: ${text}`] };
    }
    // Without creates/removes a command cannot say whether it would change anything: like Ansible,
    // it does not run in check mode.
    if (ctx.check) return { changes: [], skip: true, note: `not run in check mode: ${text}` };
    return { changes: [`run: ${text}`] };
  },
  async apply(ctx, p) {
    const text = p.cmd ?? shJoin(p.argv!.map(String));
    const full = p.chdir ? `cd ${shq(p.chdir)} && ${text}` : text;
    const r = await ctx.conn.exec(full, { stdin: p.stdin, timeoutMs: p.timeout * 1000 });
    const result = commandResult(r);
    if (r.code !== 0) throw commandFailure(r, result);
    return result;
  },
};
