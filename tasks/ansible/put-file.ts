// What copy and template share: a file on the host holds exactly this text, with mode/owner/group, an
// optional backup, and `force: false` (only when absent). Plan reads only; apply writes atomically.
import type { Plan, TaskContext } from '../../src/engine/task-type.ts';
import { TaskFailure } from '../../src/engine/task-type.ts';
import { createHash } from 'node:crypto';
import { attrChanges, backupFile, factsOf, fileDiff, pathInfo, predict, setAttrs, sha1, sha1Of, writeFileAtomic, type FileFacts } from '../lib/files.ts';
import { shq } from '../../src/transport/quote.ts';
import { effectiveMode } from '../lib/mode.ts';

export interface PutParams {
  dest: string;
  mode?: string;
  owner?: string;
  group?: string;
  backup: boolean;
  force: boolean;
  /** dest a symlink: write the file it points to (template's follow) */
  follow?: boolean;
  /** a command (%s the new file) that must succeed before it replaces dest */
  validate?: string;
  /** how its failure reads: the copy module's (the default) or assemble's "failed to validate: rc:..." */
  validated?: 'copy' | 'lines';
  /** Ansible's unsafe_writes (tasks/lib/files.ts tempBeside); unset: the host's ANSIBLE_UNSAFE_WRITES */
  unsafe_writes?: boolean;
}

export interface PutState {
  dest: string;
  facts: FileFacts;
  /** the content; bytes when it is not UTF-8 (template's output_encoding) */
  text: string | Buffer;
  write: boolean;
  /** the mode asked for, as resolved at plan time (copy's `mode: preserve` is the source's) */
  mode?: string;
}

export async function planPut(ctx: TaskContext, p: PutParams, text: string | Buffer, srcName?: string): Promise<Plan<PutState>> {
  let dest = p.dest;
  let f = await factsOf(ctx, dest, true);
  // as Ansible: into a directory (or a dest ending in /), the file keeps its source's name
  if ((f.exists && f.kind === 'directory') || dest.endsWith('/')) {
    if (!srcName) throw new TaskFailure(`dest ${dest} is a directory: expected a file path when copying content`);
    dest = `${dest.replace(/\/+$/, '')}/${srcName.split('/').pop()}`;
    f = await factsOf(ctx, dest, true);
  }
  if (f.exists && f.kind === 'link' && p.follow) {
    // as Ansible's copy module with follow: the file the link leads to (os.path.realpath)
    const r = await ctx.conn.exec(`readlink -f -- ${shq(dest)}`);
    if (r.code !== 0) throw new TaskFailure(`cannot follow the link ${dest}: ${r.stderr.trim()}`);
    dest = r.stdout.trim();
    f = await factsOf(ctx, dest, true);
  }
  if (f.exists && f.kind !== 'file') throw new TaskFailure(`${dest} is a ${f.kind}, expected a regular file`);
  const result = { dest, checksum: sha1(text), size: Buffer.byteLength(text) };
  // nothing to do: Ansible's copy action reports the file module's look at dest (path and its info)
  if (f.exists && !p.force) return { changes: [], result: { ...result, path: dest, ...pathInfo(f), note: 'exists (force: false)' } };
  // bytes are compared by checksum: the content read back is text, and would not round-trip
  const write = !f.exists || (typeof text === 'string' ? f.content !== text : f.size !== text.length || (await sha1Of(ctx.conn, dest)) !== sha1(text));
  const shown = typeof text === 'string' ? text : text.toString('utf8');
  const mode = p.mode ? effectiveMode(p.mode, f.mode, false) : (f.mode ?? '0644');
  predict(ctx, dest, { exists: true, kind: 'file', mode, owner: p.owner ?? f.owner, group: p.group ?? f.group, content: shown });
  const changes = f.exists ? attrChanges(dest, f, p) : [];
  if (write) changes.unshift(f.exists ? `update ${dest}` : `create ${dest}`);
  return {
    changes,
    diff: write ? fileDiff(dest, f.exists ? f.content : undefined, shown) : undefined,
    state: { dest, facts: f, text, write, mode: p.mode },
    result: { ...result, ...(changes.length ? { mode } : { path: dest, ...pathInfo(f) }) },
  };
}

export async function applyPut(ctx: TaskContext, p: PutParams, plan: Plan<PutState>): Promise<Record<string, unknown>> {
  const s = plan.state!;
  p = { ...p, mode: s.mode };
  // Ansible's copy module: dest, md5sum and checksum of what it wrote, and dest's path info
  const out: Record<string, unknown> = { ...plan.result, md5sum: createHash('md5').update(s.text).digest('hex') };
  if (s.write) {
    if (p.backup && s.facts.exists) out.backup_file = await backupFile(ctx.conn, s.dest);
    return { ...out, ...pathInfo(await writeFileAtomic(ctx.conn, s.dest, s.text, { ...p, validated: p.validated ?? 'copy' })) };
  }
  return { ...out, ...pathInfo((await setAttrs(ctx.conn, s.dest, p)) ?? s.facts) };
}
