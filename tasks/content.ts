// content: a file holds exactly this text; replaced atomically, mode and owner kept or set.
import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import type { TaskType } from '../src/engine/task-type.ts';
import { AbsPath, Mode, Owner } from './lib/schema.ts';
import { attrChanges, factsOf, fileDiff, fileReads, forgetPaths, predict, setAttrs, writeFileAtomic, type FileFacts } from './lib/files.ts';
import { TaskFailure } from '../src/engine/task-type.ts';

const schema = v.pipe(
  v.strictObject({
    path: AbsPath,
    content: v.optional(v.string()),
    /** a file on the controller, relative to the current directory */
    src: v.optional(v.string()),
    mode: v.optional(Mode),
    owner: v.optional(Owner),
    group: v.optional(Owner),
  }),
  v.check((p) => (p.content === undefined) !== (p.src === undefined), 'expected exactly one of content or src'),
);
type Params = v.InferOutput<typeof schema>;

function wanted(p: Params): string {
  if (p.content !== undefined) return p.content;
  try {
    return readFileSync(p.src!, 'utf8');
  } catch (e) {
    throw new TaskFailure(`cannot read src ${p.src}: ${(e as Error).message}`);
  }
}

export const content: TaskType<Params, FileFacts> = {
  name: 'content',
  summary: 'a file holds exactly this content (atomic replace, diff shown)',
  schema,
  reads: (p) => fileReads(p.path),
  forget: (p, cache) => forgetPaths(cache, [p.path]),
  async plan(ctx, p) {
    const f = await factsOf(ctx, p.path, true);
    if (f.exists && f.kind !== 'file') throw new TaskFailure(`${p.path} is a ${f.kind}, expected a regular file`);
    const want = wanted(p);
    predict(ctx, p.path, { exists: true, kind: 'file', mode: p.mode ?? f.mode ?? '0644', owner: p.owner ?? f.owner, group: p.group ?? f.group, content: want });
    const changes = f.exists ? attrChanges(p.path, f, p) : [];
    if (!f.exists || f.content !== want) changes.unshift(f.exists ? `update ${p.path}` : `create ${p.path}`);
    const diff = !f.exists || f.content !== want ? fileDiff(p.path, f.exists ? f.content : undefined, want) : undefined;
    return { changes, diff, state: f };
  },
  async apply(ctx, p, plan) {
    const want = wanted(p);
    if (!plan.state!.exists || plan.state!.content !== want) await writeFileAtomic(ctx.conn, p.path, want, p);
    else await setAttrs(ctx.conn, p.path, p);
  },
};
