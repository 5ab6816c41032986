// Ansible's fetch (plugins/action/fetch.py, whose flow this follows): a file of the host copied to the
// controller, into dest/<inventory_hostname>/<src> (flat: dest itself, or dest/<basename> when dest
// ends with /). Changed when the controller's copy differs from the host's (sha1). A missing, unreadable
// or directory src fails it, or with fail_on_missing: false is only said. Skipped in check mode, as
// Ansible's ("check mode not (yet) supported").
import * as v from 'valibot';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize } from 'node:path';
import { Bool, PyStr } from '../lib/schema.ts';
import { shq } from '../../src/transport/quote.ts';
import { TaskFailure, type TaskContext, type TaskType } from '../../src/engine/task-type.ts';

/** src or dest: a missing one and one of another type fail as the action's own checks word it (below) */
const Text = v.optional(v.union([PyStr, v.unknown()]));
const schema = v.pipe(
  v.strictObject({
    src: Text,
    dest: Text,
    flat: v.optional(Bool, false),
    fail_on_missing: v.optional(Bool, true),
    validate_checksum: v.optional(Bool, true),
  }),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const { src, dest, ...rest } = dataset.value;
    // the fetch action's order: the last that applies is the message (failures target's failures.yml)
    let msg = '';
    if (typeof src !== 'string') msg = 'Invalid type supplied for source option, it must be a string';
    if (typeof dest !== 'string') msg = 'Invalid type supplied for dest option, it must be a string';
    if (src === undefined || src === null || dest === undefined || dest === null || src === '' || dest === '') msg = 'src and dest are required';
    if (!msg) return { ...rest, src: src as string, dest: dest as string };
    addIssue({ message: msg });
    return NEVER;
  }),
);
type Params = v.InferOutput<typeof schema>;

interface State {
  /** src on the host, ~ expanded */
  source: string;
  dest: string;
  remoteChecksum: string;
}

const hash = (algo: 'sha1' | 'md5', data: Buffer) => createHash(algo).update(data).digest('hex');
/** Ansible's checksum(): sha1 of a local file, none when it is missing or a directory */
const localChecksum = (path: string) => (existsSync(path) && !statSync(path).isDirectory() ? hash('sha1', readFileSync(path)) : undefined);

/** `~` and `~user` at the start expanded by the host, as Ansible's _remote_expand_user; the rest as written. */
function remotePath(src: string): string {
  const m = /^(~[A-Za-z0-9._-]*)(\/.*)?$/.exec(src);
  // the slash after the tilde-prefix unquoted: a quoted one would make the whole word the prefix (no expansion)
  return m ? `${m[1]}${m[2] ? `/${shq(m[2].slice(1))}` : ''}` : shq(src);
}

/** Where the file goes on the controller: Ansible's dest layout. Relative dest: from the playbook's directory (path_dwim). */
function destOf(ctx: TaskContext, p: Params, source: string): string {
  const pb = ctx.scope?.('playbook_dir');
  const dwim = (d: string) => (isAbsolute(d) ? d : join(pb?.found ? String(pb.value) : (ctx.dir ?? '.'), d));
  if (!p.flat) return normalize(`${dwim(p.dest)}/${ctx.host}/${source}`);
  if (!p.dest.endsWith('/') && existsSync(p.dest) && statSync(p.dest).isDirectory()) throw new TaskFailure('dest is an existing directory, use a trailing slash if you want to fetch src into that directory');
  return normalize(dwim(p.dest.endsWith('/') ? join(p.dest, basename(source)) : p.dest));
}

export const fetch: TaskType<Params, State> = {
  name: 'ansible.builtin.fetch',
  summary: "copy a file of the host to the controller, into dest/<host>/<src> (Ansible's fetch)",
  schema,
  async plan(ctx, p) {
    if (ctx.check) return { changes: [], skip: true, note: 'not run in check mode', result: { msg: 'check mode not (yet) supported for this module' } };
    // a file in a directory the (become) user cannot search is not "missing": slurp's open says EACCES,
    // "file is not readable" (fetch target: become_method su to an unprivileged user)
    const r = await ctx.conn.exec(
      `f=${remotePath(p.src)}; printf '%s\\n' "$f"; if [ -d "$f" ]; then echo dir; elif [ -e "$f" ]; then if [ -r "$f" ]; then sha1sum < "$f" | cut -d' ' -f1; else echo unreadable; fi; ` +
        `else case $(LC_ALL=C cat -- "$f" 2>&1 >/dev/null) in *'Permission denied'*) echo unreadable;; *) echo missing;; esac; fi`,
    );
    const [source, what] = r.stdout.split('\n');
    if (r.code !== 0 || what === undefined) throw new TaskFailure(`cannot read ${p.src} on the host: ${r.stderr.trim() || `exit ${r.code}`}`);
    const fail = (msg: string, ignored: Record<string, unknown>, failed: Record<string, unknown> = {}) => {
      if (p.fail_on_missing) throw new TaskFailure(msg, failed);
      return { changes: [], result: ignored };
    };
    // Ansible's wording: a missing file's is the same whether the task fails on it or not; failing, the
    // result is slurp's (no file key), ignored it names the file
    if (what === 'missing') return fail('the remote file does not exist, not transferring, ignored', { file: source, changed: false, msg: 'the remote file does not exist, not transferring, ignored' });
    if (what === 'dir') return fail('remote file is a directory, fetch cannot work on directories', { msg: 'remote file is a directory, fetch cannot work on directories, not transferring, ignored' }, { changed: false });
    if (what === 'unreadable') return fail(`file is not readable: ${source}`, { file: source, changed: false });
    const dest = destOf(ctx, p, source);
    const local = localChecksum(dest);
    if (local === what) return { changes: [], result: { changed: false, md5sum: hash('md5', readFileSync(dest)), file: source, dest, checksum: local } };
    return { changes: [`fetch ${source} to ${dest}`], state: { source, dest, remoteChecksum: what } };
  },
  async apply(ctx, p, plan) {
    const { source, dest, remoteChecksum } = plan.state!;
    const r = await ctx.conn.exec(`base64 < ${shq(source)}`);
    if (r.code !== 0) throw new TaskFailure(`Failed to fetch the file: ${r.stderr.trim() || `exit ${r.code}`}`, { file: source });
    const data = Buffer.from(r.stdout, 'base64');
    try {
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, data);
    } catch (e) {
      throw new TaskFailure(`Failed to fetch the file: ${(e as Error).message}`);
    }
    const checksum = hash('sha1', data);
    const md5sum = hash('md5', data);
    if (p.validate_checksum && checksum !== remoteChecksum) throw new TaskFailure('checksum mismatch', { md5sum, file: source, dest, remote_md5sum: null, checksum, remote_checksum: remoteChecksum });
    return { changed: true, md5sum, dest, remote_md5sum: null, checksum, remote_checksum: remoteChecksum };
  },
};
