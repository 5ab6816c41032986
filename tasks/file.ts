// file: a directory (or an existing file) with mode/owner, or a path made absent.
import * as v from 'valibot';
import { shq } from '../src/transport/quote.ts';
import { TaskFailure, type TaskType } from '../src/engine/task-type.ts';
import { AbsPath, Mode, Owner } from './lib/schema.ts';
import { attrChanges, attrCommands, factsOf, fileReads, forgetPaths, predict, setAttrs, type FileFacts } from './lib/files.ts';

const schema = v.strictObject({
  path: AbsPath,
  state: v.optional(v.picklist(['directory', 'file', 'touch', 'absent']), 'directory'),
  mode: v.optional(Mode),
  owner: v.optional(Owner),
  group: v.optional(Owner),
});
type Params = v.InferOutput<typeof schema>;

export const file: TaskType<Params, FileFacts> = {
  name: 'file',
  summary: 'ensure a directory (or file) exists with mode/owner, or that a path is absent',
  schema,
  reads: (p) => fileReads(p.path),
  forget: (p, cache) => forgetPaths(cache, [p.path]),
  shortKey: 'path',
  async plan(ctx, p) {
    const f = await factsOf(ctx, p.path);
    if (p.state === 'absent') predict(ctx, p.path, { exists: false });
    else predict(ctx, p.path, { ...f, exists: true, kind: p.state === 'directory' ? 'directory' : 'file', mode: p.mode ?? f.mode ?? (p.state === 'directory' ? '0755' : '0644'), owner: p.owner ?? f.owner, group: p.group ?? f.group, content: f.content ?? '' });
    if (p.state === 'absent') return { changes: f.exists ? [`remove ${p.path}`] : [], state: f, diff: f.exists ? `- ${p.path} (${f.kind})` : undefined };
    const wantKind = p.state === 'directory' ? 'directory' : 'file';
    if (f.exists && f.kind !== wantKind) throw new TaskFailure(`${p.path} is a ${f.kind}, expected a ${wantKind}`);
    if (!f.exists) {
      if (p.state === 'file') throw new TaskFailure(`${p.path} does not exist (state: file only checks; use touch or content to create it)`);
      return { changes: [`create ${wantKind} ${p.path}${p.mode ? ` mode ${p.mode}` : ''}${p.owner ? ` owner ${p.owner}` : ''}`], state: f, diff: `+ ${p.path} (${wantKind})` };
    }
    return { changes: attrChanges(p.path, f, p), state: f };
  },
  async apply(ctx, p, plan) {
    const q = shq(p.path);
    if (p.state === 'absent') {
      const r = await ctx.conn.exec(`rm -rf -- ${q}`);
      if (r.code !== 0) throw new TaskFailure(`cannot remove ${p.path}: ${r.stderr.trim()}`);
      return;
    }
    if (plan.state!.exists) return setAttrs(ctx.conn, p.path, p);
    // created and given its mode/owner in one round trip
    const r = await ctx.conn.exec([p.state === 'directory' ? `mkdir -p -- ${q}` : `touch -- ${q}`, ...attrCommands(p.path, p)].join(' && '));
    if (r.code !== 0) throw new TaskFailure(`cannot create ${p.path}: ${r.stderr.trim()}`);
  },
};
