// stat: what is at a path, registered as Ansible's `stat` result (exists, isdir, isreg, islnk, mode,
// size, owner, checksum...). Reads only: the same in check mode.
import * as v from 'valibot';
import type { TaskType } from '../../src/engine/task-type.ts';
import { AbsPath, Bool } from '../lib/schema.ts';
import { readFileFacts, sha1Of } from '../lib/files.ts';
import { shq } from '../../src/transport/quote.ts';

const Sha1 = v.optional(v.literal('sha1', 'expected sha1 (the one skiff computes)'));
const schema = v.pipe(
  v.strictObject({
    path: v.optional(AbsPath),
    /** Ansible's other names for path */
    dest: v.optional(AbsPath),
    name: v.optional(AbsPath),
    /** sha1 of a regular file, as Ansible's default checksum_algorithm */
    get_checksum: v.optional(Bool, true),
    checksum_algorithm: Sha1,
    /** Ansible's other names for checksum_algorithm */
    checksum: Sha1,
    checksum_algo: Sha1,
    /** follow a symbolic link to what it points to */
    follow: v.optional(Bool, false),
  }),
  v.check((p) => [p.path, p.dest, p.name].filter((x) => x !== undefined).length === 1, 'expected path (or dest, or name), once'),
  v.transform(({ dest, name, checksum: _c, checksum_algo: _a, ...p }) => ({ ...p, path: (p.path ?? dest ?? name)!, checksum_algorithm: 'sha1' as const })),
);
type Params = v.InferOutput<typeof schema>;

export const stat: TaskType<Params> = {
  name: 'ansible.builtin.stat',
  summary: 'register what is at a path (stat.exists, isdir, mode, size, checksum...)',
  schema,
  shortKey: 'path',
  async plan(ctx, p) {
    // the read-ahead does not follow links and keeps no size for every kind: read here
    let path = p.path;
    if (p.follow) {
      const r = await ctx.conn.exec(`readlink -f -- ${shq(p.path)} || true`);
      path = r.stdout.trim() || p.path;
    }
    const f = await readFileFacts(ctx.conn, path);
    if (!f.exists) return { changes: [], result: { stat: { exists: false } } };
    const s: Record<string, unknown> = {
      exists: true,
      path: p.path,
      isdir: f.kind === 'directory',
      isreg: f.kind === 'file',
      islnk: f.kind === 'link',
      mode: f.mode,
      size: f.size,
      uid: f.uid,
      gid: f.gid,
      pw_name: f.owner,
      gr_name: f.group,
    };
    if (p.get_checksum && f.kind === 'file') s.checksum = await sha1Of(ctx.conn, path);
    if (f.kind === 'link') {
      // as Ansible: lnk_target is the link's text, lnk_source the absolute path it resolves to
      const r = await ctx.conn.exec(`readlink -- ${shq(path)}; readlink -m -- ${shq(path)}`);
      const [target, source] = r.stdout.split('\n');
      Object.assign(s, { lnk_target: target, lnk_source: source });
    }
    return { changes: [], result: { stat: s } };
  },
  async apply() {},
};
