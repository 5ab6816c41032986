// lineinfile: a line is in a file (replacing the last line matching regexp), or absent, as Ansible's
// module edits it (tasks/lib/lines.ts). Plan reads the file; apply writes it atomically.
import * as v from 'valibot';
import type { TaskType } from '../../src/engine/task-type.ts';
import { AbsPath, Mode, Owner, Regex } from '../lib/schema.ts';
import { attrChanges, backupFile, fileDiff, lineTarget, predict, setAttrs, writeFileAtomic } from '../lib/files.ts';
import { lineinfile as edit } from '../lib/lines.ts';

const schema = v.pipe(
  v.strictObject({
    path: v.optional(AbsPath),
    /** Ansible's other names for path */
    dest: v.optional(AbsPath),
    destfile: v.optional(AbsPath),
    name: v.optional(AbsPath),
    line: v.optional(v.pipe(v.union([v.string(), v.number(), v.boolean()]), v.transform(String))),
    regexp: v.optional(Regex),
    state: v.optional(v.picklist(['present', 'absent']), 'present'),
    insertafter: v.optional(v.union([v.literal('EOF'), v.literal('BOF'), Regex])),
    insertbefore: v.optional(v.union([v.literal('BOF'), Regex])),
    create: v.optional(v.boolean(), false),
    backrefs: v.optional(v.boolean(), false),
    firstmatch: v.optional(v.boolean(), false),
    backup: v.optional(v.boolean(), false),
    mode: v.optional(Mode),
    owner: v.optional(Owner),
    group: v.optional(Owner),
  }),
  v.check((p) => [p.path, p.dest, p.destfile, p.name].filter((x) => x !== undefined).length === 1, 'expected path (or dest), once'),
  v.check((p) => p.state === 'absent' || p.line !== undefined, 'expected line when state is present'),
  v.check((p) => p.state === 'present' || p.line !== undefined || p.regexp !== undefined, 'expected line or regexp when state is absent'),
  v.check((p) => !p.backrefs || p.regexp !== undefined, 'backrefs: expected a regexp'),
  v.check((p) => p.insertafter === undefined || p.insertbefore === undefined, 'expected insertafter or insertbefore, not both'),
  v.transform(({ dest, destfile, name, ...p }) => ({ ...p, path: (p.path ?? dest ?? destfile ?? name)! })),
);
type Params = v.InferOutput<typeof schema>;

export const lineinfile: TaskType<Params, { after: string; exists: boolean; write: boolean }> = {
  name: 'ansible.builtin.lineinfile',
  summary: 'a line is in a file (replacing the last regexp match), or absent (Ansible\'s lineinfile)',
  schema,
  reads: (p) => [p.path],
  async plan(ctx, p) {
    const target = await lineTarget(ctx, p);
    if (!target) return { changes: [] };
    const { f, before } = target;
    const after = edit(before, p);
    const write = after !== before || !f.exists;
    predict(ctx, p.path, { ...f, exists: true, kind: 'file', mode: p.mode ?? f.mode ?? '0644', content: after });
    const changes = f.exists ? attrChanges(p.path, f, p) : [];
    if (write) changes.unshift(`${f.exists ? 'edit' : 'create'} ${p.path}`);
    return { changes, diff: write ? fileDiff(p.path, f.exists ? before : undefined, after) : undefined, state: { after, exists: f.exists, write } };
  },
  async apply(ctx, p, plan) {
    const s = plan.state!;
    if (!s.write) return void (await setAttrs(ctx.conn, p.path, p));
    const backup_file = p.backup && s.exists ? await backupFile(ctx.conn, p.path) : undefined;
    await writeFileAtomic(ctx.conn, p.path, s.after, p);
    return backup_file ? { backup_file } : {};
  },
};
