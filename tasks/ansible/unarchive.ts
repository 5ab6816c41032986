// Ansible's unarchive: a tar (any compression the host's tar reads) or zip archive is unpacked into an
// existing directory with the host's tar/unzip. The archive is on the controller (files/), on the host
// (remote_src), or at a URL the host downloads. Idempotent: skipped when `creates` exists, and
// unchanged when every member is already in dest with its kind and size (a file whose content changed
// at the same size is not seen: use creates, or a versioned dest, when that matters).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { shJoin, shq } from '../../src/transport/quote.ts';
import { TaskFailure, type TaskContext, type TaskType } from '../../src/engine/task-type.ts';
import { HostPath, Mode, Owner, Bool, UNSAFE_WRITES } from '../lib/schema.ts';
import { factsOf, fileReads } from '../lib/files.ts';
import { curlConfig, shownUrl } from '../lib/curl.ts';
import { toolsOn } from '../lib/host-tools.ts';
import { findSource } from './source.ts';

const schema = v.pipe(
  v.strictObject({
    src: v.pipe(v.string(), v.minLength(1, 'expected an archive')),
    dest: HostPath,
    remote_src: v.optional(Bool),
    /** the older spelling: copy: false is remote_src: true (the action plugin's) */
    copy: v.optional(Bool),
    /** skipped when this path exists on the host */
    creates: v.optional(HostPath),
    /** more options for tar or unzip, one word each */
    extra_opts: v.optional(v.array(v.pipe(v.union([v.string(), v.number()]), v.transform(String))), []),
    /** register the archive's member names as `files` */
    list_files: v.optional(Bool, false),
    /** set on every member unpacked */
    mode: v.optional(Mode),
    owner: v.optional(Owner),
    group: v.optional(Owner),
    /** taken, to no effect: Ansible's unarchive module replaces no file with atomic_move either */
    ...UNSAFE_WRITES,
  }),
  v.check((p) => p.copy === undefined || p.remote_src === undefined, "parameters are mutually exclusive: ('copy', 'remote_src')"),
  v.transform(({ copy, ...p }) => ({ ...p, remote_src: p.remote_src ?? (copy === undefined ? false : !copy) })),
  v.check((p) => !p.remote_src || p.src.startsWith('/') || /^[a-z]+:\/\//.test(p.src), 'expected an absolute src on the host (or a URL) with remote_src'),
);
type Params = v.InferOutput<typeof schema>;

export interface Member {
  name: string;
  kind: 'f' | 'd' | 'l';
  size: number;
}

/** `tar -tvf` (GNU) listing: kind, size, name (a link's target left out). Pure. */
export function parseTarList(out: string): Member[] {
  const members: Member[] = [];
  for (const line of out.split('\n')) {
    const m = /^([-dlh])\S*\s+\S+\s+(\d+)\s+\d{4}-\d\d-\d\d\s+\d\d:\d\d(?::\d\d)?\s+(.*)$/.exec(line);
    if (!m) continue;
    const name = m[3].replace(m[1] === 'l' ? / -> .*$/ : m[1] === 'h' ? / link to .*$/ : /$^/, '').replace(/\/$/, '');
    members.push({ name: name.replace(/^\.\//, ''), kind: m[1] === 'd' ? 'd' : m[1] === 'l' ? 'l' : 'f', size: Number(m[2]) });
  }
  return members.filter((x) => x.name !== '' && x.name !== '.');
}

/** `unzip -l` listing: size and name; a name ending in / is a directory. Pure. */
export function parseZipList(out: string): Member[] {
  const members: Member[] = [];
  let inside = false;
  for (const line of out.split('\n')) {
    if (/^-{5,}/.test(line.trim())) {
      if (inside) break;
      inside = true;
      continue;
    }
    const m = inside && /^\s*(\d+)\s+\S+\s+\S+\s+(.*)$/.exec(line);
    if (m) members.push({ name: m[2].replace(/\/$/, ''), kind: m[2].endsWith('/') ? 'd' : 'f', size: Number(m[1]) });
  }
  return members;
}

/** The members not already in dest with their kind (and, for files, size), from `find -printf '%P\t%y\t%s'`. Pure. */
export function differing(members: Member[], found: string): Member[] {
  const have = new Map<string, { kind: string; size: number }>();
  for (const line of found.split('\n')) {
    const [name, kind, size] = line.split('\t');
    if (name) have.set(name, { kind, size: Number(size) });
  }
  return members.filter((m) => {
    const h = have.get(m.name);
    return !h || h.kind !== m.kind || (m.kind === 'f' && h.size !== m.size);
  });
}

const isUrl = (src: string) => /^[a-z]+:\/\//.test(src);
const isZip = (src: string) => /\.zip($|[?#])/i.test(src);

interface State {
  /** where the archive is: the controller, or a path on the host (given, or downloaded by the plan) */
  local?: string;
  remote?: string;
  downloaded?: boolean;
  members: Member[];
}

const cleanup = async (ctx: TaskContext, s: State) => {
  if (s.downloaded && s.remote) await ctx.conn.exec(`rm -f -- ${shq(s.remote)}`);
};

export const unarchive: TaskType<Params, State> = {
  name: 'ansible.builtin.unarchive',
  hostPaths: ['dest', 'creates'],
  summary: 'a tar or zip archive (controller, host or URL) is unpacked into a directory, unless creates exists',
  schema,
  reads: (p) => fileReads(p.dest, p.creates),
  async plan(ctx, p) {
    if (p.creates && (await factsOf(ctx, p.creates)).exists) return { changes: [], note: `skipped, since ${p.creates} exists`, result: { dest: p.dest } };
    const d = await factsOf(ctx, p.dest);
    if (!d.exists || d.kind !== 'directory') throw new TaskFailure(`unarchive: dest ${p.dest} is ${d.exists ? `a ${d.kind}` : 'absent'}: expected an existing directory`);
    const zip = isZip(p.src);
    const tool = zip ? 'unzip' : 'tar';
    const need = [tool, ...(isUrl(p.src) ? ['curl'] : [])];
    const have = await toolsOn(ctx.conn, need);
    const missing = need.find((t) => !have.has(t));
    if (missing) throw new TaskFailure(`unarchive: no ${missing} on ${ctx.conn.host}`);
    const s: State = { members: [] };
    const list = zip ? ['unzip', '-l'] : ['tar', '-tvf'];
    let listing: string;
    if (isUrl(p.src)) {
      // what is at a URL is known once downloaded (as Ansible does); check mode writes nothing, so it says so
      if (ctx.check) return { changes: [`download ${shownUrl(p.src)} and unpack it into ${p.dest}`], note: 'not downloaded in check mode' };
      const r = await ctx.conn.exec(`set -e; t=$(mktemp /tmp/.skiff-unarchive.XXXXXX); curl -K - -o "$t" || { rm -f -- "$t"; exit 22; }; echo "$t"`, { stdin: curlConfig({ url: p.src, follow: true, failOnError: true }) });
      if (r.code !== 0) throw new TaskFailure(`unarchive: cannot download ${shownUrl(p.src)}: ${r.stderr.trim().split('\n').pop()}`);
      Object.assign(s, { remote: r.stdout.trim(), downloaded: true });
    } else if (p.remote_src) s.remote = p.src;
    else s.local = findSource(ctx, 'files', p.src);
    if (s.local) {
      try {
        listing = execFileSync(list[0], [...list.slice(1), s.local], { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, LC_ALL: 'C' } });
      } catch (e) {
        throw new TaskFailure(`unarchive: cannot read ${s.local} as a ${zip ? 'zip' : 'tar'} archive: ${(e as Error).message.split('\n')[0]}`);
      }
    } else {
      const r = await ctx.conn.exec(`LC_ALL=C ${shJoin(list)} ${shq(s.remote!)}`);
      if (r.code !== 0) {
        await cleanup(ctx, s);
        throw new TaskFailure(`unarchive: cannot read ${isUrl(p.src) ? shownUrl(p.src) : p.src} as a ${zip ? 'zip' : 'tar'} archive: ${r.stderr.trim().split('\n').pop()}`);
      }
      listing = r.stdout;
    }
    s.members = zip ? parseZipList(listing) : parseTarList(listing);
    const found = await ctx.conn.exec(`find ${shq(p.dest)} -mindepth 1 -printf '%P\\t%y\\t%s\\n'`);
    const todo = differing(s.members, found.stdout);
    const result = { dest: p.dest, src: isUrl(p.src) ? shownUrl(p.src) : p.src, ...(p.list_files ? { files: s.members.map((m) => m.name) } : {}) };
    if (!todo.length) {
      await cleanup(ctx, s);
      return { changes: [], result };
    }
    return { changes: [`unpack ${result.src} into ${p.dest} (${todo.length} of ${s.members.length} members new or different)`], state: s, result };
  },
  async apply(ctx, p, plan) {
    const s = plan.state!;
    const zip = isZip(p.src);
    const from = s.local ? '"$t"' : shq(s.remote!);
    const unpack = zip ? `unzip -o -q ${from} -d ${shq(p.dest)} ${shJoin(p.extra_opts)}` : `tar -xf ${from} -C ${shq(p.dest)} ${shJoin(p.extra_opts)}`;
    // a controller archive goes on the command's stdin into a temp file, removed whatever happens
    const script = s.local ? `set -e; t=$(mktemp /tmp/.skiff-unarchive.XXXXXX); trap 'rm -f -- "$t"' EXIT; cat > "$t"; ${unpack}` : unpack;
    const r = await ctx.conn.exec(script, s.local ? { stdin: readFileSync(s.local) } : {});
    await cleanup(ctx, s);
    if (r.code !== 0) throw new TaskFailure(`unarchive: ${zip ? 'unzip' : 'tar'} exited ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
    if (p.mode || p.owner || p.group) {
      // names on stdin, NUL-separated: any member name arrives as it is
      const names = Buffer.from(s.members.map((m) => m.name + '\0').join(''));
      const cmds = [p.mode && `xargs -0 -r chmod ${shq(p.mode)} --`, (p.owner || p.group) && `xargs -0 -r chown -h ${shq(`${p.owner ?? ''}${p.group ? ':' + p.group : ''}`)} --`].filter(Boolean);
      for (const c of cmds) {
        const a = await ctx.conn.exec(`cd ${shq(p.dest)} && ${c}`, { stdin: names });
        if (a.code !== 0) throw new TaskFailure(`unarchive: cannot set mode/owner in ${p.dest}: ${a.stderr.trim()}`);
      }
    }
  },
};
