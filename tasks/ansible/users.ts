// Ansible's user and group: an account or group exists with these attributes (useradd/usermod,
// groupadd/groupmod), or is absent. Plan reads getent/id; apply runs the one command the difference needs.
import * as v from 'valibot';
import { Bool } from '../lib/schema.ts';
import { shJoin, shq } from '../../src/transport/quote.ts';
import { TaskFailure, type TaskContext, type TaskType } from '../../src/engine/task-type.ts';
import { toolsOn } from '../lib/host-tools.ts';

const Name = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/, 'expected a user or group name'));
const Id = v.pipe(v.union([v.number(), v.pipe(v.string(), v.regex(/^\d+$/, 'expected a number'))]), v.transform(Number), v.integer(), v.minValue(0));
const NameList = v.pipe(
  v.union([v.array(v.string()), v.string()], 'expected a list of group names'),
  v.transform((g) => (Array.isArray(g) ? g : g.split(',').map((s) => s.trim()).filter(Boolean))),
  v.array(Name),
);

const groupSchema = v.strictObject({
  name: Name,
  gid: v.optional(Id),
  state: v.optional(v.picklist(['present', 'absent']), 'present'),
  system: v.optional(Bool, false),
  /** with gid: a gid another group has already (groupadd/groupmod -o) */
  non_unique: v.optional(Bool, false),
});
type GroupParams = v.InferOutput<typeof groupSchema>;

const userSchema = v.pipe(
  v.strictObject({
    name: Name,
    uid: v.optional(Id),
    /** the primary group */
    group: v.optional(v.pipe(v.union([v.string(), v.number()]), v.transform(String), Name)),
    /** supplementary groups: exactly these, or (append) at least these */
    groups: v.optional(NameList),
    append: v.optional(Bool, false),
    shell: v.optional(v.pipe(v.string(), v.regex(/^\//, 'expected the absolute path of a shell'))),
    home: v.optional(v.pipe(v.string(), v.regex(/^\//, 'expected an absolute path'))),
    comment: v.optional(v.pipe(v.string(), v.regex(/^[^:\n]*$/, 'expected a comment without : or a line break'))),
    create_home: v.optional(Bool),
    /** Ansible's older name for create_home */
    createhome: v.optional(Bool),
    system: v.optional(Bool, false),
    state: v.optional(v.picklist(['present', 'absent']), 'present'),
    /** absent: also remove the home directory and mail spool */
    remove: v.optional(Bool, false),
    /** absent: userdel -f (the account goes even while logged in, its files even if not its own) */
    force: v.optional(Bool, false),
    /** the password's crypt hash (/etc/shadow), set with chpasswd -e (read from stdin: never in argv) */
    password: v.optional(v.string()),
    /** always: the hash is set when it differs; on_create: only for an account this task creates */
    update_password: v.optional(v.picklist(['always', 'on_create']), 'always'),
  }),
  v.transform(({ createhome, ...p }) => ({ ...p, create_home: p.create_home ?? createhome ?? true })),
);
export type UserParams = v.InferOutput<typeof userSchema>;

/** A line of /etc/group as getent prints it. */
export interface GroupEntry {
  name: string;
  gid: number;
}

/** What getent passwd, the primary group's name and `id -Gn` say about an account. */
export interface UserEntry {
  uid: number;
  gid: number;
  group: string;
  comment: string;
  home: string;
  shell: string;
  /** supplementary groups (the primary one left out) */
  groups: string[];
  /** the /etc/shadow hash (read as root) */
  hash?: string;
}

/** the commands, and the crypt hash chpasswd -e sets after them */
type Op = { changes: string[]; cmd?: string; password?: string };

/** The groupadd/groupmod/groupdel for a group from what getent says. Pure. */
export function planGroup(p: GroupParams, have: GroupEntry | undefined): Op {
  if (p.state === 'absent') return have ? { changes: [`remove group ${p.name}`], cmd: `groupdel ${shq(p.name)}` } : { changes: [] };
  if (!have) {
    const args = [...(p.gid !== undefined ? ['-g', String(p.gid), ...(p.non_unique ? ['-o'] : [])] : []), ...(p.system ? ['-r'] : []), p.name];
    return { changes: [`create group ${p.name}${p.gid !== undefined ? ` (gid ${p.gid})` : ''}`], cmd: `groupadd ${shJoin(args)}` };
  }
  if (p.gid !== undefined && p.gid !== have.gid) return { changes: [`gid of group ${p.name}: ${have.gid} -> ${p.gid}`], cmd: `groupmod ${shJoin(['-g', String(p.gid), ...(p.non_unique ? ['-o'] : []), p.name])}` };
  return { changes: [] };
}

/** The useradd/usermod/userdel for an account from what the host says, and its password hash. Pure. */
export function planUser(p: UserParams, have: UserEntry | undefined): Op {
  const op = planAccount(p, have);
  // the hash is never shown: a change says that it changes, not to what
  if (p.state === 'present' && p.password !== undefined && (!have || (p.update_password === 'always' && have.hash !== p.password))) return { ...op, changes: [...op.changes, `password of user ${p.name}`], password: p.password };
  return op;
}

function planAccount(p: UserParams, have: UserEntry | undefined): Op {
  const n = p.name;
  if (p.state === 'absent') return have ? { changes: [`remove user ${n}`], cmd: `userdel ${shJoin([...(p.force ? ['-f'] : []), ...(p.remove ? ['-r'] : []), n])}` } : { changes: [] };
  if (!have) {
    const args = [
      ...(p.uid !== undefined ? ['-u', String(p.uid)] : []),
      ...(p.group ? ['-g', p.group] : []),
      ...(p.groups?.length ? ['-G', p.groups.join(',')] : []),
      ...(p.shell ? ['-s', p.shell] : []),
      ...(p.home ? ['-d', p.home] : []),
      ...(p.comment !== undefined ? ['-c', p.comment] : []),
      ...(p.system ? ['-r'] : []),
      p.create_home ? '-m' : '-M',
      n,
    ];
    return { changes: [`create user ${n}`], cmd: `useradd ${shJoin(args)}` };
  }
  const args: string[] = [];
  const changes: string[] = [];
  const set = (flag: string, what: string, from: string | number, to: string | number | undefined, same = from === to) => {
    if (to === undefined || same) return;
    args.push(flag, String(to));
    changes.push(`${what} of user ${n}: ${from} -> ${to}`);
  };
  set('-u', 'uid', have.uid, p.uid);
  set('-g', 'group', have.group, p.group, p.group === have.group || p.group === String(have.gid));
  set('-s', 'shell', have.shell, p.shell);
  set('-d', 'home', have.home, p.home);
  set('-c', 'comment', have.comment, p.comment);
  if (p.groups) {
    // the primary group is never a supplementary one (usermod would add it)
    const want = p.groups.filter((g) => g !== (p.group ?? have.group));
    const missing = want.filter((g) => !have.groups.includes(g));
    if (p.append && missing.length) {
      args.push('-a', '-G', missing.join(','));
      changes.push(`user ${n} joins ${missing.join(', ')}`);
    } else if (!p.append && (missing.length || have.groups.some((g) => !want.includes(g)))) {
      args.push('-G', want.join(','));
      changes.push(`groups of user ${n}: ${have.groups.join(',') || '(none)'} -> ${want.join(',') || '(none)'}`);
    }
  }
  return args.length ? { changes, cmd: `usermod ${shJoin([...args, n])}` } : { changes: [] };
}

/** `getent passwd` line, primary group name, `id -Gn` line, as the read prints them. Pure. */
export function parseUser(out: string): UserEntry | undefined {
  const [pw, group = '', ids = '', hash] = out.replace(/\n$/, '').split('\n');
  if (!pw || pw === 'missing') return undefined;
  const [, , uid, gid, comment, home, shell] = pw.split(':');
  const primary = group || gid;
  return { uid: Number(uid), gid: Number(gid), group: primary, comment: comment ?? '', home, shell, groups: ids.split(' ').filter((g) => g && g !== primary), ...(hash !== undefined ? { hash } : {}) };
}

async function need(ctx: TaskContext, module: string, tool: string): Promise<void> {
  if (!(await toolsOn(ctx.conn, [tool])).has(tool)) throw new TaskFailure(`${module}: no ${tool} on ${ctx.conn.host}`);
}

async function run(ctx: TaskContext, module: string, cmd: string): Promise<void> {
  const r = await ctx.conn.exec(cmd);
  if (r.code !== 0) throw new TaskFailure(`${module}: ${cmd.split(' ')[0]} exited ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
}

export const group: TaskType<GroupParams, Op> = {
  name: 'ansible.builtin.group',
  summary: 'a group exists (with this gid), or is absent (Ansible\'s group)',
  schema: groupSchema,
  shortKey: 'name',
  async plan(ctx, p) {
    if (p.non_unique && p.gid === undefined) throw new TaskFailure('non_unique is True but all of the following are missing: gid');
    const have = await groupEntry(ctx, p.name);
    const op = planGroup(p, have);
    if (op.cmd && !ctx.check) await need(ctx, 'group', op.cmd.split(' ')[0]);
    // the module's result: name and state, and the group's system and gid while it exists; in check mode a
    // group to create or remove is only `changed` (its exit_json(changed=True))
    if (ctx.check && op.cmd && !op.cmd.startsWith('groupmod')) return { changes: op.changes, state: op, result: {} };
    return { changes: op.changes, state: op, result: groupResult(p, have) };
  },
  async apply(ctx, p, plan) {
    await run(ctx, 'group', plan.state!.cmd!);
    return groupResult(p, await groupEntry(ctx, p.name));
  },
};

async function groupEntry(ctx: TaskContext, name: string): Promise<GroupEntry | undefined> {
  const r = await ctx.conn.exec(`getent group -- ${shq(name)} || true`);
  const [found, , gid] = r.stdout.trim().split(':');
  return found ? { name: found, gid: Number(gid) } : undefined;
}

const groupResult = (p: GroupParams, have: GroupEntry | undefined): Record<string, unknown> => ({ name: p.name, state: p.state, ...(have ? { system: p.system, gid: have.gid } : {}) });

export const user: TaskType<UserParams, Op> = {
  name: 'ansible.builtin.user',
  summary: 'an account exists with these attributes and groups, or is absent (Ansible\'s user)',
  schema: userSchema,
  shortKey: 'name',
  async plan(ctx, p) {
    const have = await userEntry(ctx, p);
    const op = planUser(p, have);
    if (op.cmd && !ctx.check) await need(ctx, 'user', op.cmd.split(' ')[0]);
    if (op.password !== undefined && !ctx.check) await need(ctx, 'user', 'chpasswd');
    // check mode for an account to create: only changed, as the module's exit_json(changed=True)
    if (ctx.check && !have && p.state === 'present') return { changes: op.changes, state: op, result: {} };
    return { changes: op.changes, state: op, result: userResult(p, have, false) };
  },
  async apply(ctx, p, plan) {
    const op = plan.state!;
    const existed = !op.cmd?.startsWith('useradd');
    if (op.cmd) await run(ctx, 'user', op.cmd);
    if (op.password !== undefined) {
      const r = await ctx.conn.exec('chpasswd -e', { stdin: `${p.name}:${op.password}\n` });
      if (r.code !== 0) throw new TaskFailure(`user: chpasswd exited ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
    }
    if (p.state === 'absent') return { ...userResult(p, undefined, existed), force: p.force, remove: p.remove };
    return userResult(p, await userEntry(ctx, p), !existed);
  },
};

async function userEntry(ctx: TaskContext, p: UserParams): Promise<UserEntry | undefined> {
  const n = shq(p.name);
  const shadow = p.password !== undefined ? `; getent shadow -- ${n} | cut -d: -f2` : '';
  const r = await ctx.conn.exec(`e=$(getent passwd -- ${n}) || { echo missing; exit 0; }; echo "$e"; getent group "$(echo "$e" | cut -d: -f4)" | cut -d: -f1; id -Gn -- ${n}${shadow}`);
  return parseUser(r.stdout);
}

/**
 * The module's result: name and state; for an account that is there, what the passwd entry says
 * (uid, group as its gid, comment, home, shell: pwd.getpwnam's fields, as the module's user_info) and
 * the groups asked for; system and create_home for one it created, append and move_home otherwise.
 */
export function userResult(p: UserParams, have: UserEntry | undefined, created: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { name: p.name, state: p.state };
  if (p.state !== 'present') return out;
  Object.assign(out, created ? { system: p.system, create_home: p.create_home } : { append: p.append, move_home: false });
  if (p.password !== undefined) out.password = 'NOT_LOGGING_PASSWORD';
  if (!have) return out;
  Object.assign(out, { uid: have.uid, group: have.gid, comment: have.comment, home: have.home, shell: have.shell });
  if (p.groups !== undefined) out.groups = p.groups.join(',');
  return out;
}
