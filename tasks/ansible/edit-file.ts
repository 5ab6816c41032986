// What lineinfile, blockinfile and ini_file share: a text file on the host is edited by a pure function
// of its content (tasks/lib/lines.ts). Plan reads the file and diffs; apply writes it atomically (with
// an optional backup), or only sets mode/owner when the text is already right.
import * as v from 'valibot';
import { TaskFailure, type Plan, type TaskContext } from '../../src/engine/task-type.ts';
import { HostPath, Mode, Owner, Bool, UNSAFE_WRITES } from '../lib/schema.ts';
import { attrChanges, backupFile, fileDiff, lineTarget, predict, setAttrs, writeFileAtomic } from '../lib/files.ts';

/** The file an edit module works on, under any of Ansible's names for it (one of them, once). */
export const EDIT_PATH = {
  path: v.optional(HostPath),
  /** Ansible's other names for path */
  dest: v.optional(HostPath),
  destfile: v.optional(HostPath),
  name: v.optional(HostPath),
};
export const onePath = (p: { path?: string; dest?: string; destfile?: string; name?: string }) => [p.path, p.dest, p.destfile, p.name].filter((x) => x !== undefined).length === 1;
/** create, backup and the attributes of the file written, as every edit module takes them */
export const EDIT_FILE = {
  create: v.optional(Bool, false),
  backup: v.optional(Bool, false),
  mode: v.optional(Mode),
  owner: v.optional(Owner),
  group: v.optional(Owner),
  /** a command that must succeed on the new text (%s: its temp file) before it replaces the file */
  validate: v.optional(v.string()),
  ...UNSAFE_WRITES,
};

export interface EditParams {
  path: string;
  create: boolean;
  backup: boolean;
  mode?: string;
  owner?: string;
  group?: string;
  validate?: string;
  unsafe_writes?: boolean;
}

export interface EditState {
  after: string;
  exists: boolean;
  write: boolean;
}

/**
 * `removing`: the edit only takes away, so a missing file is already right (no create needed).
 * `edit` gets '' and exists false for a file to create.
 */
export async function planEdit(ctx: TaskContext, p: EditParams, removing: boolean, edit: (before: string, exists: boolean) => string): Promise<Plan<EditState>> {
  const target = await lineTarget(ctx, { ...p, state: removing ? 'absent' : 'present' });
  if (!target) return { changes: [] };
  const { f, before } = target;
  const after = edit(before, f.exists);
  const write = after !== before || !f.exists;
  predict(ctx, p.path, { ...f, exists: true, kind: 'file', mode: p.mode ?? f.mode ?? '0644', content: after });
  const changes = f.exists ? attrChanges(p.path, f, p) : [];
  if (write) changes.unshift(`${f.exists ? 'edit' : 'create'} ${p.path}`);
  return { changes, diff: write ? fileDiff(p.path, f.exists ? before : undefined, after) : undefined, state: { after, exists: f.exists, write } };
}

export async function applyEdit(ctx: TaskContext, p: EditParams, plan: Plan<EditState>): Promise<Record<string, unknown>> {
  const s = plan.state!;
  if (!s.write) {
    await setAttrs(ctx.conn, p.path, p);
    return {};
  }
  if (p.validate !== undefined && !p.validate.includes('%s')) throw new TaskFailure(`validate must contain %s: ${p.validate}`);
  const backup_file = p.backup && s.exists ? await backupFile(ctx.conn, p.path) : undefined;
  await writeFileAtomic(ctx.conn, p.path, s.after, { ...p, parents: !s.exists && p.create });
  return backup_file ? { backup_file } : {};
}
