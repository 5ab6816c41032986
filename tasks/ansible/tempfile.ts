// Ansible's tempfile: a new temporary file or directory on the host (mkstemp/mkdtemp: mode 0600 or
// 0700, a random name between prefix and suffix), its path returned. Changed on every run, as in
// Ansible; in check mode it is skipped, as Ansible skips a module without check mode.
import * as v from 'valibot';
import { shq } from '../../src/transport/quote.ts';
import { TaskFailure, type TaskType } from '../../src/engine/task-type.ts';

const schema = v.strictObject({
  state: v.optional(v.picklist(['file', 'directory'], 'expected file or directory'), 'file'),
  /** where it is made: default the host's TMPDIR, else /tmp (as Python's tempfile) */
  path: v.optional(v.pipe(v.string(), v.minLength(1))),
  prefix: v.optional(v.string(), 'ansible.'),
  suffix: v.optional(v.string(), ''),
});
type Params = v.InferOutput<typeof schema>;

export const tempfile: TaskType<Params> = {
  name: 'ansible.builtin.tempfile',
  summary: 'create a temporary file or directory; returns its path',
  schema,
  async plan(ctx, p) {
    // Ansible's message for a module without check mode support
    if (ctx.check) return { changes: [], skip: true, note: 'remote module (tempfile) does not support check mode', result: { msg: 'remote module (tempfile) does not support check mode' } };
    return { changes: [`create a temporary ${p.state} in ${p.path ?? '$TMPDIR'}`] };
  },
  async apply(ctx, p) {
    if (/\//.test(p.prefix + p.suffix)) throw new TaskFailure(`prefix and suffix: got ${JSON.stringify(p.prefix)} and ${JSON.stringify(p.suffix)}, expected names without a slash`);
    const dir = p.path === undefined ? '"${TMPDIR:-/tmp}"' : shq(p.path);
    // GNU and busybox mktemp both take a template whose X's are followed by a suffix
    const script = `t=$(mktemp ${p.state === 'directory' ? '-d ' : ''}${dir}/${shq(`${p.prefix}XXXXXXXX${p.suffix}`)}) && stat -c '%u %g %U %G %a %s' -- "$t" && printf '%s\\n' "$t"`;
    const r = await ctx.conn.exec(script);
    if (r.code !== 0) throw new TaskFailure(r.stderr.trim() || `mktemp failed (exit ${r.code})`);
    const [attrs, path] = r.stdout.replace(/\n$/, '').split('\n');
    const [uid, gid, owner, group, mode, size] = attrs.split(' ');
    // the file attributes Ansible adds to a result with a path
    return { path, state: p.state, uid: Number(uid), gid: Number(gid), owner, group, mode: mode.padStart(4, '0'), size: Number(size) };
  },
};
