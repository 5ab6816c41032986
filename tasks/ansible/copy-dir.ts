// copy of a directory of the controller (Ansible's copy action with a directory src): each file under
// it put on the host as copy puts one file, the directories made. `src/` (trailing slash) copies what
// is in the directory into dest; `src` copies the directory itself, as dest/<basename of src>. Links
// are followed (Ansible's local_follow default). The result is Ansible's for many files: dest, src,
// changed.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Plan, TaskContext } from '../../src/engine/task-type.ts';
import { TaskFailure } from '../../src/engine/task-type.ts';
import { shq } from '../../src/transport/quote.ts';
import { factsOf, predict } from '../lib/files.ts';
import { applyPut, planPut, type PutParams, type PutState } from './put-file.ts';

export interface DirState {
  files: { p: PutParams; plan: Plan<PutState> }[];
  /** directories on the host that are not there yet */
  dirs: string[];
}

/** Files and directories under `dir`, relative to it, directories first, sorted (links followed). */
function walk(dir: string, rel = ''): { files: string[]; dirs: string[] } {
  const out = { files: [] as string[], dirs: [] as string[] };
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    let s;
    try {
      s = statSync(join(dir, r));
    } catch {
      continue; // a link that leads nowhere: Ansible skips it too
    }
    if (s.isDirectory()) {
      out.dirs.push(r);
      const sub = walk(dir, r);
      out.files.push(...sub.files);
      out.dirs.push(...sub.dirs);
    } else if (s.isFile()) out.files.push(r);
  }
  return out;
}

export async function planCopyDir(ctx: TaskContext, p: PutParams, src: string, local: string): Promise<Plan<DirState>> {
  const root = src.endsWith('/') ? p.dest.replace(/\/+$/, '') : `${p.dest.replace(/\/+$/, '')}/${basename(local)}`;
  const { files, dirs } = walk(local);
  const missing: string[] = [];
  for (const d of ['', ...dirs]) {
    const path = d ? `${root}/${d}` : root;
    const f = await factsOf(ctx, path);
    if (f.exists && f.kind !== 'directory') throw new TaskFailure(`${path} is a ${f.kind}: expected a directory to copy ${src} into`);
    if (!f.exists) {
      missing.push(path);
      predict(ctx, path, { exists: true, kind: 'directory', mode: '0755' });
    }
  }
  const out: DirState['files'] = [];
  for (const rel of files) {
    const fp = { ...p, dest: `${root}/${rel}`, parents: true } as PutParams;
    const bytes = readFileSync(join(local, rel));
    const text = Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes) ? bytes.toString('utf8') : bytes;
    out.push({ p: fp, plan: await planPut(ctx, fp, text, rel) });
  }
  const changes = [...missing.map((d) => `create directory ${d}`), ...out.flatMap((f) => f.plan.changes)];
  return { changes, diff: out.map((f) => f.plan.diff).filter(Boolean).join('\n') || undefined, state: { files: out, dirs: missing }, result: { dest: p.dest, src } };
}

export async function applyCopyDir(ctx: TaskContext, plan: Plan<DirState>): Promise<Record<string, unknown>> {
  const s = plan.state!;
  if (s.dirs.length) {
    const r = await ctx.conn.exec(`mkdir -p -- ${s.dirs.map(shq).join(' ')}`);
    if (r.code !== 0) throw new TaskFailure(`cannot create ${s.dirs.join(', ')}: ${r.stderr.trim()}`);
  }
  for (const f of s.files) if (f.plan.changes.length) await applyPut(ctx, f.p, f.plan);
  return { ...plan.result, changed: true };
}
