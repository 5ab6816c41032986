// line: a line is present in a file (replacing the last line matching regexp), or absent.
import * as v from 'valibot';
import type { TaskType } from '../src/engine/task-type.ts';
import { AbsPath, Mode, Regex } from './lib/schema.ts';
import { fileDiff, lineTarget, predict, writeFileAtomic } from './lib/files.ts';

const schema = v.pipe(
  v.strictObject({
    path: AbsPath,
    line: v.optional(v.string()),
    regexp: v.optional(Regex),
    state: v.optional(v.picklist(['present', 'absent']), 'present'),
    /** where a new line goes when nothing matches: EOF (default), BOF, or after the last line matching this regexp */
    insertafter: v.optional(v.string(), 'EOF'),
    create: v.optional(v.boolean(), false),
    mode: v.optional(Mode),
  }),
  v.check((p) => p.state === 'absent' || p.line !== undefined, 'expected line when state is present'),
  v.check((p) => p.state === 'present' || p.line !== undefined || p.regexp !== undefined, 'expected line or regexp when state is absent'),
);
type Params = v.InferOutput<typeof schema>;

/** The new content, or the same string when nothing needs to change. Pure: tested without a host. */
export function editLines(text: string, p: Params): string {
  const trailing = text.endsWith('\n') || text === '';
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const re = p.regexp ? new RegExp(p.regexp) : undefined;
  const matches = (l: string) => (re ? re.test(l) : l === p.line);
  if (p.state === 'absent') {
    const kept = lines.filter((l) => !matches(l));
    return kept.length === lines.length ? text : kept.join('\n') + (kept.length ? '\n' : '');
  }
  const idx = lines.map((l, i) => (matches(l) ? i : -1)).filter((i) => i >= 0);
  if (idx.length) {
    const last = idx[idx.length - 1];
    if (lines[last] === p.line) return text;
    lines[last] = p.line!;
  } else if (!re && lines.includes(p.line!)) {
    return text;
  } else if (re && lines.includes(p.line!)) {
    return text;
  } else if (p.insertafter === 'BOF') lines.unshift(p.line!);
  else if (p.insertafter === 'EOF') lines.push(p.line!);
  else {
    const after = new RegExp(p.insertafter);
    const at = lines.map((l, i) => (after.test(l) ? i : -1)).filter((i) => i >= 0).pop();
    lines.splice(at === undefined ? lines.length : at + 1, 0, p.line!);
  }
  return lines.join('\n') + (trailing || lines.length ? '\n' : '');
}

export const line: TaskType<Params, { before: string; after: string; exists: boolean }> = {
  name: 'line',
  summary: 'ensure a line (or a regexp replacement) is present in a file, or absent',
  schema,
  reads: (p) => [p.path],
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
