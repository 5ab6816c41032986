// Ansible's file: a directory, a file that must exist, an empty file touched, a symbolic link, or
// nothing, with mode/owner/group (recursively for a directory with recurse). State defaults as
// Ansible's: what is there now, `file` when nothing is (which then fails: file does not create).
import * as v from 'valibot';
import { shq } from '../../src/transport/quote.ts';
import { TaskFailure, type TaskContext, type TaskType } from '../../src/engine/task-type.ts';
import { HostPath, Mode, Owner, Bool, UNSAFE_WRITES } from '../lib/schema.ts';
import { attrChanges, factsOf, pathInfo, predict, readFileFacts, setAttrs, type FileFacts, fileReads } from '../lib/files.ts';
import { effectiveMode } from '../lib/mode.ts';
import { dirname } from 'node:path';

const schema = v.pipe(
  v.strictObject({
    path: v.optional(HostPath),
    /** Ansible's other names for path */
    dest: v.optional(HostPath),
    name: v.optional(HostPath),
    state: v.optional(v.picklist(['directory', 'file', 'touch', 'absent', 'link', 'hard'], 'expected directory, file, touch, absent, link or hard')),
    /** the link's target (state: link), or the file a hard link shares (state: hard) */
    src: v.optional(v.pipe(v.string(), v.minLength(1))),
    mode: v.optional(Mode),
    owner: v.optional(Owner),
    group: v.optional(Owner),
    /** a directory's mode/owner/group for everything in it too */
    recurse: v.optional(Bool, false),
    /** state link: replace a file that is in the way, and link to a src that is not there */
    force: v.optional(Bool, false),
    /**
     * a path that is a link stands for what it leads to (Ansible's default): state file or directory
     * checks the target; state link sets mode/owner/group on the target. false: on the link itself
     */
    follow: v.optional(Bool, true),
    /** touch: `preserve` keeps the times (and the task idempotent); default: now, changed every run */
    modification_time: v.optional(v.literal('preserve', 'expected preserve (other times are not supported by skiff)')),
    access_time: v.optional(v.literal('preserve', 'expected preserve (other times are not supported by skiff)')),
    /** taken, to no effect: Ansible's file module replaces no file's content either */
    ...UNSAFE_WRITES,
  }),
  v.check((p) => [p.path, p.dest, p.name].filter((x) => x !== undefined).length === 1, 'expected path (or dest, or name), once'),
  v.check((p) => (p.state !== 'link' && p.state !== 'hard') || p.src !== undefined, 'state link or hard: expected src, the link\'s target'),
  v.check((p) => p.src === undefined || p.state === 'link' || p.state === 'hard', 'src: expected only with state: link or hard'),
  // Ansible reads a relative src of a hard link against the module's working directory: not a place to rely on
  v.check((p) => p.state !== 'hard' || p.src === undefined || p.src.startsWith('/'), 'state hard: expected src as an absolute path'),
  v.check((p) => !p.recurse || p.state === undefined || p.state === 'directory', 'recurse: expected only with state: directory'),
  v.transform(({ dest, name, ...p }) => ({ ...p, path: (p.path ?? dest ?? name)! })),
);
type Params = v.InferOutput<typeof schema>;
type State = {
  facts: FileFacts;
  state: NonNullable<Params['state']>;
  create: boolean;
  attrs: boolean;
  deep: boolean;
  target?: string;
  /** the path worked on: the link's target when follow led there */
  path?: string;
  /** state link with follow: the file the link leads to, whose mode/owner/group are set */
  linked?: string;
};

const kindOf: Record<string, FileFacts['kind']> = { directory: 'directory', file: 'file', touch: 'file', link: 'link', hard: 'file' };

async function linkTarget(ctx: TaskContext, path: string): Promise<string> {
  const r = await ctx.conn.exec(`readlink -- ${shq(path)}`);
  return r.stdout.replace(/\n$/, '');
}

/** recurse: is anything under the directory not yet as asked? One `find`, reads only. */
async function deepDiffers(ctx: TaskContext, p: Params): Promise<boolean> {
  const tests: string[] = [];
  if (p.mode) tests.push(`! -perm ${shq(p.mode)}`);
  if (p.owner) tests.push(/^\d+$/.test(p.owner) ? `! -uid ${p.owner}` : `! -user ${shq(p.owner)}`);
  if (p.group) tests.push(/^\d+$/.test(p.group) ? `! -gid ${p.group}` : `! -group ${shq(p.group)}`);
  if (!tests.length) return false;
  const r = await ctx.conn.exec(`find ${shq(p.path)} -mindepth 1 ! -type l \\( ${tests.join(' -o ')} \\) -print -quit`);
  // check mode: a directory an earlier task would create is not there to look into (nothing under it)
  if (r.code !== 0 && ctx.check) return false;
  if (r.code !== 0) throw new TaskFailure(`cannot read ${p.path}: ${r.stderr.trim()}`);
  return r.stdout.trim() !== '';
}

/**
 * A hard link: nothing to do where the path already is the same file (device and inode) as src. A
 * different file in the way is replaced only with force, as in Ansible. Mode and owner are the shared file's.
 */
async function planHard(ctx: TaskContext, p: Params, f: FileFacts, base: State) {
  const result = { path: p.path, state: 'hard', src: p.src };
  const src = await factsOf(ctx, p.src!);
  // check mode: src an earlier task would write is not there yet
  if (!src.exists && !ctx.check) throw new TaskFailure(`src ${p.src} does not exist: a hard link needs the file it shares`);
  if (src.exists && src.kind !== 'file') throw new TaskFailure(`src ${p.src} is a ${src.kind}, expected a regular file to hard link`);
  if (f.exists && f.kind !== 'file') throw new TaskFailure(`${p.path} is a ${f.kind}, expected a hard link to ${p.src}`);
  let same = false;
  if (f.exists && src.exists) {
    const r = await ctx.conn.exec(`stat -c %d:%i -- ${shq(p.src!)} ${shq(p.path)}`);
    if (r.code !== 0) throw new TaskFailure(`cannot read ${p.path}: ${r.stderr.trim()}`);
    const [a, b] = r.stdout.trim().split('\n');
    same = a === b;
  }
  if (f.exists && !same && !p.force) throw new TaskFailure(`${p.path} is another file: expected a hard link to ${p.src} (force: true replaces it)`);
  const now = src.exists ? src : f;
  predict(ctx, p.path, { ...now, exists: true, kind: 'file' });
  if (same) {
    const changes = attrChanges(p.path, f, p);
    return { changes, state: { ...base, attrs: changes.length > 0 }, result };
  }
  const changes = [`hard link ${p.path} to ${p.src}${f.exists ? ' (replacing a file)' : ''}`, ...(src.exists ? attrChanges(p.path, src, p) : [])];
  return { changes, diff: `+ ${p.path} (hard link to ${p.src})`, state: { ...base, create: true }, result };
}

/**
 * A symbolic link to src (Ansible's ensure_symlink): a src that is not there is refused unless force;
 * with follow, mode/owner/group go to the file the link leads to, and a link that leads nowhere gets
 * Ansible's warning.
 */
async function planLink(ctx: TaskContext, p: Params, f: FileFacts, base: State, result: Record<string, unknown>) {
  const target = f.exists && f.kind === 'link' ? await linkTarget(ctx, p.path) : undefined;
  if (f.exists && f.kind !== 'link' && !(p.force && f.kind === 'file')) throw new TaskFailure(`${p.path} is a ${f.kind}, expected a symbolic link (force: true replaces a file)`);
  // src relative to the link's directory, as the link reads it
  let abs = p.src!.startsWith('/') ? p.src! : `${dirname(p.path)}/${p.src}`;
  let to = await factsOf(ctx, abs);
  // src a link itself: what it leads to, as Python's os.path.exists and realpath see it
  if (to.exists && to.kind === 'link') {
    abs = (await ctx.conn.exec(`readlink -m -- ${shq(abs)}`)).stdout.replace(/\n$/, '');
    to = await factsOf(ctx, abs);
  }
  if (!p.force && !to.exists) throw new TaskFailure(`src file does not exist, use "force=yes" if you really want to create the link: ${abs}`, { path: p.path, src: p.src });
  predict(ctx, p.path, { exists: true, kind: 'link' });
  const create = target !== p.src;
  const changes = create ? [`link ${p.path} -> ${p.src}${target !== undefined ? ` (was -> ${target})` : ''}`] : [];
  let linked: string | undefined;
  if (p.follow && (create ? !ctx.check || f.exists : true)) {
    // Ansible warns whenever the link it leaves leads nowhere and follow is on (follow: false is the way out)
    if (!to.exists) ctx.warn?.('Cannot set fs attributes on a non-existent symlink target. follow should be set to False to avoid this.');
    else if (p.mode || p.owner || p.group) {
      linked = abs;
      changes.push(...attrChanges(abs, to, p));
    }
  } else if (!p.follow && !create) changes.push(...attrChanges(p.path, f, { owner: p.owner, group: p.group }));
  const diff = create ? `+ ${p.path} -> ${p.src}` : undefined;
  return { changes, diff, state: { ...base, create, attrs: changes.length > 0, linked }, result };
}

/** The times skiff's file keeps or sets: `preserve` only (a time, or now, is Ansible's module's work). */
const TIMES = new Set(['modification_time', 'access_time']);

export const fileType: TaskType<Params, State> = {
  name: 'ansible.builtin.file',
  // a time other than preserve (now, 202001011200.0, a template): the task runs Ansible's own file
  // module where the controller has it (load.ts), which sets it as Ansible does
  refuseParam: (key, value) => (TIMES.has(key) && value !== 'preserve' ? `${key}: ${JSON.stringify(value)} is a time skiff's file does not set (it keeps preserve only): the task is refused rather than run without it` : undefined),
  hostPaths: ['path'],
  summary: 'a directory, file, link or touched file with mode/owner, or a path made absent (Ansible\'s file)',
  schema,
  reads: (p) => fileReads(p.path, p.state === 'hard' ? p.src : undefined),
  async plan(ctx, p) {
    let f = await factsOf(ctx, p.path);
    const state = p.state ?? (p.recurse ? 'directory' : f.exists ? (f.kind === 'directory' ? 'directory' : f.kind === 'link' ? 'link' : 'file') : 'file');
    // follow: state file or directory on a link works on what it leads to (Ansible's os.path.realpath)
    if (p.follow && f.exists && f.kind === 'link' && (state === 'file' || state === 'directory')) {
      const r = await ctx.conn.exec(`readlink -m -- ${shq(p.path)}`);
      if (r.code !== 0) throw new TaskFailure(`cannot follow the link ${p.path}: ${r.stderr.trim()}`);
      p = { ...p, path: r.stdout.replace(/\n$/, '') };
      f = await factsOf(ctx, p.path);
    }
    const base: State = { facts: f, state, create: false, attrs: false, deep: false, path: p.path };
    if (state === 'absent') {
      predict(ctx, p.path, { exists: false });
      return { changes: f.exists ? [`remove ${p.path}`] : [], diff: f.exists ? `- ${p.path} (${f.kind})` : undefined, state: base, result: { path: p.path, state: 'absent' } };
    }
    const want = kindOf[state];
    // what is there now, as Ansible's add_path_info reports it (a plan that changes nothing keeps it)
    const result = { path: p.path, ...pathInfo(f), ...(state === 'hard' ? { state } : {}) };
    if (state === 'hard') return planHard(ctx, p, f, base);
    if (state === 'link') return planLink(ctx, p, f, base, result);
    if (f.exists && f.kind !== want && !(state === 'touch' && f.kind !== 'link')) throw new TaskFailure(`${p.path} is a ${f.kind}, expected a ${want}`);
    // Ansible's words and result (state: file only checks; touch or copy creates the file)
    if (!f.exists && state === 'file') throw new TaskFailure(`file (${p.path}) is absent, cannot continue`, { path: p.path, state: 'absent' });
    const mode = p.mode ? effectiveMode(p.mode, f.mode, want === 'directory') : f.mode;
    predict(ctx, p.path, { ...f, exists: true, kind: f.exists ? f.kind : want, mode: mode ?? (want === 'directory' ? '0755' : '0644'), owner: p.owner ?? f.owner, group: p.group ?? f.group, content: f.content ?? '' });
    if (!f.exists) return { changes: [`create ${state === 'touch' ? 'file' : 'directory'} ${p.path}${p.mode ? ` mode ${mode}` : ''}${p.owner ? ` owner ${p.owner}` : ''}`], diff: `+ ${p.path} (${want})`, state: { ...base, create: true }, result };
    const changes = attrChanges(p.path, f, p);
    const deep = p.recurse && f.kind === 'directory' && (await deepDiffers(ctx, p));
    if (deep) changes.push(`mode/owner of what is under ${p.path}`);
    // touch on an existing path updates its times: changed every run, as in Ansible, unless preserved
    const touch = state === 'touch' && !(p.modification_time === 'preserve' && p.access_time === 'preserve');
    if (touch) changes.push(`touch ${p.path}`);
    return { changes, state: { ...base, attrs: changes.length > 0, deep }, result };
  },
  async apply(ctx, p, plan) {
    p = { ...p, path: plan.state!.path ?? p.path };
    await applyFile(ctx, p, plan.state!);
    // the result describes what the change left (Ansible's add_path_info): one more read, changes only
    if (plan.state!.state === 'absent') return;
    const info = pathInfo(await readFileFacts(ctx.conn, p.path));
    return { ...plan.result, ...info, ...(plan.state!.state === 'hard' ? { state: 'hard' } : {}) };
  },
};

/** The change a plan of file asked for, made on the host. */
async function applyFile(ctx: TaskContext, p: Params, s: State): Promise<void> {
  const q = shq(p.path);
  const run = async (cmd: string, what: string) => {
    const r = await ctx.conn.exec(cmd);
    if (r.code !== 0) throw new TaskFailure(`cannot ${what} ${p.path}: ${r.stderr.trim()}`);
  };
  if (s.state === 'absent') return void (await run(`rm -rf -- ${q}`, 'remove'));
  if (s.state === 'hard') {
    if (s.create) await run(`ln -f -- ${shq(p.src!)} ${q}`, 'link');
    return void (await setAttrs(ctx.conn, p.path, p));
  }
  if (s.state === 'link') {
    if (s.create) await run(`ln -sfn -- ${shq(p.src!)} ${q}`, 'link');
    // follow: the mode/owner/group are the file's the link leads to; without, the link's own
    if (s.linked !== undefined) return void (await setAttrs(ctx.conn, s.linked, p));
    if (!p.follow && (p.owner || p.group)) await run(`chown -h ${shq(`${p.owner ?? ''}${p.group ? ':' + p.group : ''}`)} -- ${q}`, 'set the owner of');
    return;
  }
  if (s.create) await run(s.state === 'directory' ? `mkdir -p -- ${q}` : `touch -- ${q}`, 'create');
  else if (s.state === 'touch' && !(p.modification_time === 'preserve' && p.access_time === 'preserve')) await run(`touch -- ${q}`, 'touch');
  if (p.recurse && (p.mode || p.owner || p.group)) {
    if (p.mode) await run(`chmod -R ${shq(p.mode)} -- ${q}`, 'set the mode of');
    if (p.owner || p.group) await run(`chown -R ${shq(`${p.owner ?? ''}${p.group ? ':' + p.group : ''}`)} -- ${q}`, 'set the owner of');
  } else await setAttrs(ctx.conn, p.path, p);
}
