// line: a line is present in a file (replacing the last line matching regexp), or absent.
import * as v from 'valibot';
import type { TaskType } from '../src/engine/task-type.ts';
import { AbsPath, Mode } from './lib/schema.ts';
import { pyRe } from './lib/pyre.ts';
import { fileDiff, fileReads, forgetPaths, lineTarget, predict, writeFileAtomic } from './lib/files.ts';
import { lineinfile } from './lib/lines.ts';

/** a pattern as lineinfile reads it: Python's (tasks/lib/pyre.ts) */
const Pattern = v.pipe(
  v.string(),
  v.check((s) => {
    try {
      return pyRe(s) !== undefined;
    } catch {
      return false;
    }
  }, 'expected a valid regular expression'),
);

const schema = v.pipe(
  v.strictObject({
    path: AbsPath,
    line: v.optional(v.string()),
    regexp: v.optional(Pattern),
    state: v.optional(v.picklist(['present', 'absent']), 'present'),
    /** where a new line goes when nothing matches: EOF (default), BOF, or after the last line matching this regexp */
    insertafter: v.optional(v.union([v.literal('EOF'), v.literal('BOF'), Pattern]), 'EOF'),
    create: v.optional(v.boolean(), false),
    mode: v.optional(Mode),
  }),
  v.check((p) => p.state === 'absent' || p.line !== undefined, 'expected line when state is present'),
  v.check((p) => p.state === 'present' || p.line !== undefined || p.regexp !== undefined, 'expected line or regexp when state is absent'),
);
type Params = v.InferOutput<typeof schema>;

/**
 * The new content, or the same string when nothing needs to change: Ansible's lineinfile edit
 * (tasks/lib/lines.ts) without its backrefs/firstmatch/insertbefore, which `line` does not take. Pure.
 */
export function editLines(text: string, p: Params): string {
  // an empty regexp here has always meant "none" (match `line` itself)
  const r = lineinfile(text, { line: p.line, regexp: p.regexp || undefined, state: p.state, insertafter: p.insertafter, backrefs: false, firstmatch: false });
  return r.changed ? r.text : text;
}

export const line: TaskType<Params, { before: string; after: string; exists: boolean }> = {
  name: 'line',
  summary: 'ensure a line (or a regexp replacement) is present in a file, or absent',
  schema,
  reads: (p) => fileReads(p.path),
  forget: (p, cache) => forgetPaths(cache, [p.path]),
  async plan(ctx, p) {
    const target = await lineTarget(ctx, p);
    if (!target) return { changes: [] };
    const { f, before } = target;
    const after = editLines(before, p);
    predict(ctx, p.path, { ...f, exists: true, kind: 'file', mode: p.mode ?? f.mode ?? '0644', content: after });
    if (after === before && f.exists) return { changes: [] };
    return { changes: [`${f.exists ? 'edit' : 'create'} ${p.path}`], diff: fileDiff(p.path, f.exists ? before : undefined, after), state: { before, after, exists: f.exists } };
  },
  async apply(ctx, p, plan) {
    await writeFileAtomic(ctx.conn, p.path, plan.state!.after, { mode: p.mode });
  },
};
