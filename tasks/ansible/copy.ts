// copy: a file on the host holds `content`, or the text of `src` (from files/ next to the playbook, or
// from the host itself with remote_src). Text files only for now: bytes that are not UTF-8 are not kept.
import * as v from 'valibot';
import type { Plan, TaskType } from '../../src/engine/task-type.ts';
import { HostPath, ModeOrPreserve, Owner, Bool, UNSAFE_WRITES } from '../lib/schema.ts';
import { readFileFacts, fileReads } from '../lib/files.ts';
import { readFileSync, statSync } from 'node:fs';
import { TaskFailure } from '../../src/engine/task-type.ts';
import { applyPut, planPut, type PutState } from './put-file.ts';
import { findSource } from './source.ts';
import { applyCopyDir, planCopyDir, type DirState } from './copy-dir.ts';
import { floatJson } from '../../src/template/py-float.ts';

const schema = v.pipe(
  v.strictObject({
    dest: HostPath,
    content: v.optional(v.pipe(v.unknown(), v.transform((c) => (typeof c === 'string' ? c : floatJson(c))))),
    src: v.optional(v.pipe(v.string(), v.minLength(1, 'expected a file name'))),
    /** src is a path on the host, not on the controller */
    remote_src: v.optional(Bool, false),
    /** preserve: the source file's mode (Ansible's) */
    mode: v.optional(ModeOrPreserve),
    owner: v.optional(Owner),
    group: v.optional(Owner),
    backup: v.optional(Bool, false),
    /** false: only when dest does not exist yet */
    force: v.optional(Bool, true),
    /** a command that must accept the new file (%s) before it replaces dest: `promtool check config %s` */
    validate: v.optional(v.string()),
    ...UNSAFE_WRITES,
  }),
  v.check((p) => (p.content === undefined) !== (p.src === undefined), 'expected exactly one of content or src'),
  v.check((p) => !p.remote_src || (p.src !== undefined && p.src.startsWith('/')), 'remote_src: expected an absolute src on the host'),
);
type Params = v.InferOutput<typeof schema>;

export const copy: TaskType<Params, PutState | DirState> = {
  name: 'ansible.builtin.copy',
  hostPaths: ['dest'],
  summary: 'a file holds this content, or a copy of src (files/ or, with remote_src, the host; a directory of files/ too)',
  schema,
  reads: (p) => fileReads(p.dest),
  async plan(ctx, p) {
    let text: string | Buffer;
    let srcMode: string | undefined;
    if (p.content !== undefined) text = p.content;
    else if (p.remote_src) {
      const f = await readFileFacts(ctx.conn, p.src!, true);
      if (!f.exists || f.kind !== 'file') throw new TaskFailure(`remote src ${p.src} is ${f.exists ? `a ${f.kind}` : 'absent'}: expected a regular file on the host`);
      text = f.content!;
      srcMode = f.mode;
    } else {
      const path = findSource(ctx, 'files', p.src!, true);
      if (statSync(path).isDirectory()) {
        if (p.mode === 'preserve') throw new TaskFailure('mode: preserve is not supported by skiff for a directory src');
        return planCopyDir(ctx, { ...p, mode: p.mode }, p.src!, path);
      }
      // a file that is not UTF-8 (a Windows-1252 text, a binary) is copied as its bytes
      const bytes = readFileSync(path);
      const s = bytes.toString('utf8');
      text = Buffer.from(s, 'utf8').equals(bytes) ? s : bytes;
      srcMode = (statSync(path).mode & 0o7777).toString(8).padStart(4, '0');
    }
    if (p.mode === 'preserve' && srcMode === undefined) throw new TaskFailure('mode: preserve needs src (content has no mode to keep)');
    return planPut(ctx, { ...p, mode: p.mode === 'preserve' ? srcMode : p.mode }, text, p.src);
  },
  async apply(ctx, p, plan) {
    if (plan.state && 'files' in plan.state) return applyCopyDir(ctx, plan as Plan<DirState>);
    return applyPut(ctx, { ...p, mode: undefined }, plan as Plan<PutState>);
  },
};
