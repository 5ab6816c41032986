// The file helper: read a file's facts (and content) in one round trip, diff, and replace atomically.
import { createHash } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import { shq } from '../../src/transport/quote.ts';
import type { Connection } from '../../src/transport/types.ts';
import { TaskFailure, type FactRead, type FactSource, type TaskContext } from '../../src/engine/task-type.ts';
import { effectiveMode } from './mode.ts';
import { shlexSplit } from './commands.ts';

export interface FileFacts {
  exists: boolean;
  kind?: 'file' | 'directory' | 'link' | 'other';
  mode?: string; // octal, 4 digits: "0644"
  uid?: number;
  gid?: number;
  owner?: string;
  group?: string;
  /** bytes */
  size?: number;
  content?: string;
}

const SEP = '--skiff-content--';

/**
 * Facts of a path as this run would have left them: in check mode, earlier pending changes count;
 * then what the engine read ahead for this host (one round trip for all the play's files); then a read.
 */
export async function factsOf(ctx: TaskContext, path: string, withContent = false): Promise<FileFacts> {
  const predicted = ctx.check ? (ctx.pending?.get(path) as FileFacts | undefined) : undefined;
  if (predicted) return predicted;
  const cached = ctx.cache?.get(FILE_FACTS.key(path)) as FileFacts | undefined;
  if (cached && (!withContent || cached.kind !== 'file' || cached.content !== undefined)) return cached;
  return readFileFacts(ctx.conn, path, withContent);
}

const MAX_AHEAD = 1024 * 1024; // content read ahead only for files up to this size

const STAT = `stat -c '%F|%a|%u|%g|%U|%G|%s'`;

/** Pure: FileFacts from a line of STAT's output. */
function statFacts(head: string): FileFacts | undefined {
  const [type, mode, uid, gid, owner, group, size] = head.split('|');
  if (size === undefined) return undefined;
  const kind = type === 'regular file' || type === 'regular empty file' ? 'file' : type === 'directory' ? 'directory' : type === 'symbolic link' ? 'link' : 'other';
  return { exists: true, kind, mode: mode.padStart(4, '0'), uid: Number(uid), gid: Number(gid), owner, group, size: Number(size) };
}

/**
 * File facts as the engine reads them ahead (read-ahead.ts): facts (and content of regular files up
 * to 1 MiB) of many paths with a fixed number of processes, whatever their number (one stat, one
 * cat, one base64: a fork each per file was most of a warm run's time on the host side). Which paths
 * exist is told by shell builtins (a line of 0/1), stat describes those in order, and the small
 * regular files' bytes come as one base64 line, cut by the sizes stat gave. A file that changes
 * between stat and cat makes the lengths disagree: then nothing is taken (the tasks read for
 * themselves). Paths are positional parameters, never text in an eval.
 */
export const FILE_FACTS: FactSource<string> = {
  key: (path) => `file:${path}`,
  script: (paths) =>
    [
      // each path's own name resolved (NUL-terminated, any name): which cached facts a change may touch
      `realpath -m -z -- ${paths.map(shq).join(' ')} 2>/dev/null; echo`,
      'x=; set --',
      ...paths.map((path) => `if [ -L ${shq(path)} ] || [ -e ${shq(path)} ]; then x="\${x}1"; set -- "$@" ${shq(path)}; else x="\${x}0"; fi`),
      'echo "$x"',
      '[ $# -eq 0 ] && exit 0',
      `st=$(${STAT} -- "$@") || exit 3`,
      `printf '%s\n' "$st"`,
      // the positional parameters ($1...) of the small regular files, in order
      'c=; n=0',
      'while IFS="|" read -r type mode uid gid u g size; do',
      '  n=$((n+1))',
      `  case "$type" in "regular file"|"regular empty file") [ "$size" -le ${MAX_AHEAD} ] && c="$c $n";; esac`,
      'done <<EOF',
      '$st',
      'EOF',
      'echo "@content$c"',
      '[ -z "$c" ] && exit 0',
      'eval "set -- $(for k in $c; do printf \'"${%s}" \' "$k"; done)"',
      'cat -- "$@" | base64 -w0 || exit 3',
      'echo',
    ].join('\n'),
  parse(stdout, paths) {
    const out = new Map<string, unknown>();
    const nl = stdout.indexOf('\n', stdout.lastIndexOf('\0') + 1);
    const real = stdout.slice(0, nl).split('\0');
    if (real.length === paths.length + 1) paths.forEach((p, i) => out.set(`real:${p}`, real[i]));
    const lines = stdout.slice(nl + 1).split('\n');
    const there = lines[0] ?? '';
    if (there.length !== paths.length) throw new Error('file facts: unexpected output');
    const existing = paths.filter((_, i) => there[i] === '1');
    const facts = existing.map((_, i) => statFacts(lines[1 + i] ?? ''));
    if (facts.some((f) => !f)) throw new Error('file facts: unexpected stat output');
    paths.forEach((p, i) => there[i] === '0' && out.set(FILE_FACTS.key(p), { exists: false }));
    const content = lines[1 + existing.length];
    if (existing.length && content?.startsWith('@content')) {
      const which = content.slice('@content'.length).trim().split(' ').filter(Boolean).map(Number);
      const bytes = Buffer.from(lines[2 + existing.length] ?? '', 'base64');
      if (bytes.length !== which.reduce((n, k) => n + facts[k - 1]!.size!, 0)) throw new Error('file facts: a file changed while read');
      let at = 0;
      for (const k of which) {
        const f = facts[k - 1]!;
        f.content = bytes.subarray(at, at + f.size!).toString('utf8');
        at += f.size!;
      }
    } else if (existing.length) throw new Error('file facts: unexpected output');
    existing.forEach((p, i) => out.set(FILE_FACTS.key(p), facts[i]!));
    return out;
  },
};

/**
 * After a task changed `paths` (and what is beneath them, or their missing parents: mkdir -p, rm -rf),
 * drops from the read-ahead cache the file facts that may have changed with them and keeps the rest:
 * true. False (the engine then drops everything) unless each of `paths` was read ahead and names
 * itself (no symbolic link on the way, through which two names can mean one file); a cached path
 * that does not name itself is dropped whatever it is.
 */
export function forgetPaths(cache: Map<string, unknown>, paths: string[]): boolean {
  const real = (p: string) => cache.get(`real:${p}`);
  if (!paths.every((p) => real(p) === p)) return false;
  const near = (a: string, b: string) => a === b || a.startsWith(b.endsWith('/') ? b : `${b}/`) || b.startsWith(a.endsWith('/') ? a : `${a}/`);
  for (const key of [...cache.keys()]) {
    if (!key.startsWith('file:')) continue;
    const p = key.slice('file:'.length);
    if (real(p) !== p || paths.some((w) => near(p, w))) {
      cache.delete(key);
      cache.delete(`real:${p}`);
    }
  }
  return true;
}

/** A task's `reads`: the facts of these paths (empty or undefined ones left out). */
export const fileReads = (...paths: (string | undefined)[]): FactRead<string>[] => paths.filter((p): p is string => !!p).map((query) => ({ source: FILE_FACTS, query }));

/**
 * Facts and content of several paths in one round trip (FILE_FACTS's script), for a task that reads
 * them together; a path the batch could not answer for (a file over 1 MiB, one that changed while
 * read) is read alone.
 */
export async function readFilesWithContent(conn: Connection, paths: string[]): Promise<Map<string, FileFacts>> {
  const unique = [...new Set(paths)];
  const r = await conn.exec(FILE_FACTS.script(unique));
  let got: Map<string, unknown> | undefined;
  try {
    if (r.code === 0) got = FILE_FACTS.parse(r.stdout, unique);
  } catch {
    got = undefined;
  }
  const out = new Map<string, FileFacts>();
  for (const p of unique) {
    const f = got?.get(FILE_FACTS.key(p)) as FileFacts | undefined;
    out.set(p, f && (f.kind !== 'file' || f.content !== undefined) ? f : await readFileFacts(conn, p, true));
  }
  return out;
}

/** Check mode: record what applying this task would leave at `path`, for the tasks after it. */
export function predict(ctx: TaskContext, path: string, facts: FileFacts): void {
  if (ctx.check) ctx.pending?.set(path, facts);
}

/** One exec: stat (without following links) and, when asked and a regular file, the content. */
export async function readFileFacts(conn: Connection, path: string, withContent = false): Promise<FileFacts> {
  const p = shq(path);
  const cmd =
    `if [ -L ${p} ] || [ -e ${p} ]; then stat -c '%F|%a|%u|%g|%U|%G|%s' -- ${p} || exit 3; else echo missing; exit 0; fi` +
    (withContent ? `; if [ -f ${p} ] && [ ! -L ${p} ]; then echo ${SEP}; cat -- ${p} || exit 3; fi` : '');
  const r = await conn.exec(cmd);
  if (r.code !== 0) throw new TaskFailure(`cannot read ${path}: ${r.stderr.trim() || `exit ${r.code}`}`);
  const nl = r.stdout.indexOf('\n');
  const head = r.stdout.slice(0, nl < 0 ? undefined : nl);
  if (head === 'missing') return { exists: false };
  const [type, mode, uid, gid, owner, group, size] = head.split('|');
  const facts: FileFacts = {
    exists: true,
    kind: type === 'regular file' || type === 'regular empty file' ? 'file' : type === 'directory' ? 'directory' : type === 'symbolic link' ? 'link' : 'other',
    mode: mode.padStart(4, '0'),
    uid: Number(uid),
    gid: Number(gid),
    owner,
    group,
    size: Number(size),
  };
  if (withContent && facts.kind === 'file') {
    const at = r.stdout.indexOf(SEP + '\n');
    facts.content = at < 0 ? '' : r.stdout.slice(at + SEP.length + 1);
  }
  return facts;
}

/** Lines describing owner/mode changes wanted on an existing path. */
export function attrChanges(path: string, f: FileFacts, want: { mode?: string; owner?: string; group?: string }): string[] {
  const out: string[] = [];
  // a symbolic mode ("u=rw,g=r") is compared as what chmod would leave
  const mode = want.mode && effectiveMode(want.mode, f.mode, f.kind === 'directory');
  if (mode && f.mode !== mode) out.push(`mode of ${path}: ${f.mode} -> ${mode}`);
  if (want.owner && f.owner !== want.owner && String(f.uid) !== want.owner) out.push(`owner of ${path}: ${f.owner} -> ${want.owner}`);
  if (want.group && f.group !== want.group && String(f.gid) !== want.group) out.push(`group of ${path}: ${f.group} -> ${want.group}`);
  return out;
}

export function fileDiff(path: string, before: string | undefined, after: string | undefined): string {
  return createTwoFilesPatch(before === undefined ? '/dev/null' : `a${path}`, after === undefined ? '/dev/null' : `b${path}`, before ?? '', after ?? '', undefined, undefined, { context: 3 })
    .split('\n')
    .slice(1) // the "=====" line
    .join('\n');
}

/**
 * Replaces `path` atomically: the content goes to a temp file in the same directory, its sha256 is
 * checked (an interrupted transfer never gets renamed into place), mode and owner are copied from the
 * file it replaces (or set as asked), then `mv` renames it over the target. One round trip.
 * `unsafe_writes` (unset: the host's ANSIBLE_UNSAFE_WRITES, Ansible's env fallback): where the
 * replacement cannot be atomic, as Ansible's atomic_move finds it (no temp file can be made beside the
 * target, an immutable directory; the rename fails with EBUSY, a bind-mounted file), the target is
 * overwritten in place instead of the task failing.
 */
export async function writeFileAtomic(conn: Connection, path: string, content: string | Buffer, want: { mode?: string; owner?: string; group?: string; validate?: string; validated?: 'copy' | 'lines'; parents?: boolean; unsafe_writes?: boolean } = {}): Promise<FileFacts> {
  // the module's own check, made only when it writes (not in check mode, not when nothing changes)
  if (want.validate !== undefined && !want.validate.includes('%s')) throw new TaskFailure(`validate must contain %s: ${want.validate}`, { checksum: createHash('sha1').update(content).digest('hex') });
  const p = shq(path);
  const sum = createHash('sha256').update(content).digest('hex');
  const lines = [
    'set -e',
    `d=$(dirname -- ${p})`,
    // lineinfile/blockinfile create: Ansible makes the missing directories (os.makedirs)
    ...(want.parents ? ['mkdir -p -- "$d"'] : []),
    ...tempBeside('"$d"', want.unsafe_writes),
    // A dropped connection ends cat early (EOF) or kills the shell (HUP/PIPE): either way the temp file
    // goes, and the checksum below stops a short file from being renamed into place.
    `trap 'rm -f -- "$t"' EXIT`,
    `trap 'exit 129' HUP INT TERM PIPE`,
    `cat > "$t"`,
    `echo "${sum}  $t" | sha256sum -c --status - || { echo "content arrived incomplete" >&2; exit 1; }`,
    `if [ -e ${p} ]; then chmod --reference=${p} "$t"; chown --reference=${p} "$t" 2>/dev/null || true; else chmod 0644 "$t"; fi`,
  ];
  if (want.mode) lines.push(`chmod ${shq(want.mode)} "$t"`);
  if (want.owner || want.group) lines.push(`chown ${shq(`${want.owner ?? ''}${want.group ? ':' + want.group : ''}`)} "$t"`);
  // Ansible's validate: the command (its words, no shell), %s being the new file, must succeed first
  // (copy's and template's failure keeps the command's stdout and stderr apart: VALIDATE_FAILED)
  if (want.validate && want.validated === 'copy') {
    lines.push(`vo=$(mktemp); ve=$(mktemp); trap 'rm -f -- "$t" "$vo" "$ve"' EXIT`, `${validateCommand(want.validate)} >"$vo" 2>"$ve" && rc=0 || rc=$?`);
    lines.push(`if [ $rc -ne 0 ]; then printf '${VALIDATE_FAILED}%s\\n' "$rc"; cat "$vo"; printf '\\n${VALIDATE_FAILED}\\n'; cat "$ve"; exit 3; fi`, 'rm -f -- "$vo" "$ve"');
  } else if (want.validate) lines.push(`e=$(${validateCommand(want.validate)} 2>&1 >/dev/null) && rc=0 || rc=$?`, `if [ $rc -ne 0 ]; then printf 'failed to validate: rc:%s error:%s' "$rc" "$e" >&2; exit 1; fi`);
  // what is there now, in the same round trip: a module's result describes the file it left
  lines.push(
    ...replaceWith(path, want),
    'trap - EXIT',
    `${STAT} -- ${p} || true`,
  );
  const r = await conn.exec(lines.join('\n'), { stdin: content });
  if (r.code !== 0 && r.stderr.startsWith('failed to validate: ')) throw new TaskFailure(r.stderr);
  if (r.code === 3 && r.stdout.startsWith(VALIDATE_FAILED)) {
    // the copy module's fail_json(msg="failed to validate", exit_status=rc, stdout=out, stderr=err)
    const [head, ...rest] = r.stdout.split('\n');
    const [stdout, stderr] = rest.join('\n').split(`\n${VALIDATE_FAILED}\n`);
    const lines = (s: string) => (s === '' ? [] : s.replace(/\r?\n$/, '').split(/\r?\n/));
    const checksum = createHash('sha1').update(content).digest('hex');
    throw new TaskFailure('failed to validate', { checksum, exit_status: Number(head.slice(VALIDATE_FAILED.length)), stdout, stderr: stderr ?? '', stdout_lines: lines(stdout), stderr_lines: lines(stderr ?? '') });
  }
  // atomic_move's own words, as Ansible's copy fails without unsafe_writes in an immutable directory
  if (r.code !== 0 && r.stderr.startsWith('The destination directory ')) throw new TaskFailure(r.stderr.trim());
  if (r.code !== 0) throw new TaskFailure(`cannot write ${path}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return statFacts(r.stdout.trim().split('\n').pop() ?? '') ?? { exists: true, kind: 'file' };
}

const VALIDATE_FAILED = 'skiff-validate-failed:';

/**
 * Shell making the temp file "$t" in directory `dir` (a shell word) for replaceWith, and "$u" 1 when it
 * had to go elsewhere: no file can be made there (an immutable directory) and unsafe writes are allowed
 * (else Ansible's atomic_move failure). `unsafe` unset: the ANSIBLE_UNSAFE_WRITES the module would see
 * on the host (the task's `environment:` among it), Ansible's env fallback, read as its boolean() reads it.
 */
export function tempBeside(dir: string, unsafe: boolean | undefined): string[] {
  return [
    unsafe !== undefined
      ? `uw=${unsafe ? 1 : 0}`
      : `case "$(printf '%s' "\${ANSIBLE_UNSAFE_WRITES-}" | tr '[:upper:]' '[:lower:]')" in 1|y|yes|on|true|t) uw=1;; *) uw=0;; esac`,
    'u=0',
    `if ! t=$(mktemp ${dir}/.skiff.XXXXXX 2>&1); then`,
    `  [ "$uw" = 1 ] || { printf 'The destination directory (%s) is not writable by the current user. Error was: %s\\n' ${dir} "$t" >&2; exit 1; }`,
    '  u=1; t=$(mktemp)',
    'fi',
  ];
}

/**
 * Shell putting tempBeside's "$t" at `path`: renamed over it, or, where that cannot be atomic and unsafe
 * writes are allowed (the temp file is elsewhere; the rename fails with EBUSY, a bind-mounted file, as
 * Ansible's atomic_move tells them), written over it in place, the file keeping its inode and so its
 * mode and owner unless asked otherwise.
 */
export function replaceWith(path: string, want: { mode?: string; owner?: string; group?: string }): string[] {
  const p = shq(path);
  const inPlace = [`cat -- "$t" > ${p}`, ...attrCommands(path, want), 'rm -f -- "$t"'].join('; ');
  return [
    `if [ $u = 1 ]; then ${inPlace}`,
    `elif ! e=$(mv -f -- "$t" ${p} 2>&1); then`,
    `  case "$uw:$e" in 1:*'Device or resource busy'*) ${inPlace};; *) printf '%s\\n' "$e" >&2; exit 1;; esac`,
    'fi',
  ];
}

/** A `validate` command line as shell words, each `%s` the temp file "$t" (shlex-split as Ansible's run_command does). */
function validateCommand(validate: string): string {
  const words = shlexSplit(validate) ?? [validate];
  return words.map((w) => w.split('%s').map((part) => (part === '' ? '' : shq(part))).join('"$t"')).join(' ');
}

/** Shell commands that give `path` this mode/owner (none when nothing is asked). */
export function attrCommands(path: string, want: { mode?: string; owner?: string; group?: string }): string[] {
  const p = shq(path);
  const cmds: string[] = [];
  if (want.mode) cmds.push(`chmod ${shq(want.mode)} -- ${p}`);
  if (want.owner || want.group) cmds.push(`chown ${shq(`${want.owner ?? ''}${want.group ? ':' + want.group : ''}`)} -- ${p}`);
  return cmds;
}

/** Gives `path` this mode/owner; returns what is there after (none when nothing was asked). */
export async function setAttrs(conn: Connection, path: string, want: { mode?: string; owner?: string; group?: string }): Promise<FileFacts | undefined> {
  const cmds = attrCommands(path, want);
  if (!cmds.length) return undefined;
  const r = await conn.exec(`${cmds.join(' && ')} && { ${STAT} -- ${shq(path)} || true; }`);
  if (r.code !== 0) throw new TaskFailure(`cannot set mode/owner of ${path}: ${r.stderr.trim()}`);
  return statFacts(r.stdout.trim());
}

/**
 * What Ansible adds to a module result that names a `path` or `dest` (AnsibleModule.add_path_info):
 * owner, group, ids, mode, state and size of what is there.
 */
export function pathInfo(f: FileFacts | undefined): Record<string, unknown> {
  if (!f?.exists) return { state: 'absent' };
  const state = f.kind === 'link' ? 'link' : f.kind === 'directory' ? 'directory' : 'file';
  // Python's '0%03o': 0644, 04755
  const mode = f.mode === undefined ? undefined : '0' + parseInt(f.mode, 8).toString(8).padStart(3, '0');
  return { uid: f.uid, gid: f.gid, owner: f.owner, group: f.group, mode, state, size: f.size };
}

/** The sha1 of a regular file on the host (Ansible's stat and copy report it as `checksum`). */
export async function sha1Of(conn: Connection, path: string): Promise<string> {
  const r = await conn.exec(`sha1sum -- ${shq(path)}`);
  if (r.code !== 0) throw new TaskFailure(`cannot read ${path}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return r.stdout.split(' ')[0];
}

export const sha1 = (text: string | Buffer): string => createHash('sha1').update(text).digest('hex');

/**
 * Ansible's `backup: true`: a copy next to the file, named as Ansible's backup_local names it
 * (path.PID.YYYY-MM-DD@HH:MM:SS~, the host's process and local time); returns its path.
 */
export async function backupFile(conn: Connection, path: string): Promise<string> {
  const r = await conn.exec(`to=${shq(path)}.$$.$(date +%Y-%m-%d@%H:%M:%S)~ && cp -p -- ${shq(path)} "$to" && printf '%s' "$to"`);
  if (r.code !== 0) throw new TaskFailure(`cannot back up ${path}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return r.stdout;
}

/**
 * The text file a line edit (line, lineinfile) works on, with its content: undefined when it is absent
 * and the line is to be absent too (nothing to do); a failure when it is absent without `create`, or is
 * not a regular file.
 */
export async function lineTarget(ctx: TaskContext, p: { path: string; create?: boolean; state?: string }): Promise<{ f: FileFacts; before: string } | undefined> {
  const f = await factsOf(ctx, p.path, true);
  if (!f.exists && !p.create) {
    if (p.state === 'absent') return undefined;
    throw new TaskFailure(`${p.path} does not exist (set create: true to create it)`);
  }
  if (f.exists && f.kind !== 'file') throw new TaskFailure(`${p.path} is a ${f.kind}, expected a regular file`);
  return { f, before: f.content ?? '' };
}

/** Where writeFileInPlace keeps the whole new content until the file holds it. */
export const inPlaceNext = (path: string): string => `${path}.skiff-new`;

/**
 * Pure: shell for writeFileInPlace. The new content (stdin) is first made whole beside the file, as
 * `PATH.skiff-new` (temp + checksum + rename), then checked by `check` (shell reading "$n"; failing
 * leaves the file as it was), then written over the file in place, so that the file keeps its inode:
 * a container given this single file with a bind mount goes on seeing the old inode after an atomic
 * replace, and would never see the new content. Only then is PATH.skiff-new removed: a crash in the
 * middle of the write leaves it whole beside a file that holds a prefix of it (inPlaceLeftover).
 */
export function inPlaceScript(path: string, sum: string, check?: string): string {
  const p = shq(path);
  return [
    'set -e',
    `n=${shq(inPlaceNext(path))}`,
    `d=$(dirname -- ${p})`,
    `t=$(mktemp "$d"/.skiff.XXXXXX)`,
    `trap 'rm -f -- "$t"' EXIT`,
    `trap 'exit 129' HUP INT TERM PIPE`,
    `cat > "$t"`,
    `echo "${sum}  $t" | sha256sum -c --status - || { echo "content arrived incomplete" >&2; exit 1; }`,
    'mv -f -- "$t" "$n"',
    'trap - EXIT',
    ...(check ? [`if ! ( ${check} ); then rm -f -- "$n"; exit 3; fi`] : []),
    `cat -- "$n" > ${p}`,
    `cmp -s -- "$n" ${p} || { echo "${path} does not hold the new content after writing it in place (it is whole in $n)" >&2; exit 1; }`,
    'rm -f -- "$n"',
  ].join('\n');
}

/** Writes `content` over `path` in place (same inode, mode and owner): see inPlaceScript. */
export async function writeFileInPlace(conn: Connection, path: string, content: string, check?: { script: string; what: string }): Promise<string> {
  const sum = createHash('sha256').update(content).digest('hex');
  const r = await conn.exec(inPlaceScript(path, sum, check?.script), { stdin: content });
  if (r.code === 3) throw new TaskFailure(`${check!.what} refused the new ${path}; it was left as it was:\n${r.stderr.trim()}`);
  if (r.code !== 0) throw new TaskFailure(`writing ${path} in place failed: ${r.stderr.trim() || `exit ${r.code}`}`);
  return r.stderr.trim();
}

/**
 * Pure: what an in-place write interrupted at `path` left, judged from the file and PATH.skiff-new:
 * the new content when the file holds a prefix of it (the write stopped in the middle, or finished
 * and PATH.skiff-new was not removed yet), undefined when there is nothing to finish (no
 * PATH.skiff-new, or the file was changed since by someone else: theirs wins).
 */
export function inPlaceLeftover(current: string | undefined, next: string | undefined): string | undefined {
  if (next === undefined || current === undefined) return undefined;
  return next.startsWith(current) ? next : undefined;
}
