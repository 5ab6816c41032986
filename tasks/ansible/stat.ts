// stat: what is at a path, registered as Ansible's `stat` result: the whole of its format_output
// (modules/stat.py: type flags, permission bits, times, inode, dev...), access, link, owner names,
// checksum, mime type and attributes. Reads only: the same in check mode.
import * as v from 'valibot';
import type { TaskType } from '../../src/engine/task-type.ts';
import { TaskFailure } from '../../src/engine/task-type.ts';
import { HostPath, Bool } from '../lib/schema.ts';
import { shq } from '../../src/transport/quote.ts';
import { pyFloat, type PyFloat } from '../../src/template/py-float.ts';

const ALGORITHMS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
const Algorithm = v.optional(v.picklist(ALGORITHMS, `expected one of ${ALGORITHMS.join(', ')}`), 'sha1');
const schema = v.pipe(
  v.strictObject({
    path: v.optional(HostPath),
    /** Ansible's other names for path */
    dest: v.optional(HostPath),
    name: v.optional(HostPath),
    get_checksum: v.optional(Bool, true),
    /** Ansible's undocumented md5 of a regular file (kept since 2.9) */
    get_md5: v.optional(Bool, false),
    /** `file --mime-type --mime-encoding` */
    get_mime: v.optional(Bool, true),
    /** `lsattr -vd` */
    get_attributes: v.optional(Bool, true),
    checksum_algorithm: Algorithm,
    /** stat what a symbolic link points to (os.stat) rather than the link (os.lstat) */
    follow: v.optional(Bool, false),
  }),
  v.check((p) => [p.path, p.dest, p.name].filter((x) => x !== undefined).length === 1, 'expected path (or dest, or name), once'),
  v.transform(({ dest, name, ...p }) => ({ ...p, path: (p.path ?? dest ?? name)! })),
);
type Params = v.InferOutput<typeof schema>;

// st_mode, ids, size, inode, dev, nlink, the times in seconds and as text (for their nanoseconds),
// blocks, block size, the device's major and minor (hex), owner and group names
const FORMAT = '%f|%u|%g|%s|%i|%d|%h|%X|%Y|%Z|%x|%y|%z|%b|%o|%t|%T|%U|%G';
const SECTION = '@@skiff-stat@@';

/** The shell script: sections split by SECTION lines; the path is $1. */
export function statScript(p: Params): string {
  const there = p.follow ? '[ -e "$1" ]' : '{ [ -L "$1" ] || [ -e "$1" ]; }';
  const regular = p.follow ? '[ -f "$1" ]' : '{ [ -f "$1" ] && [ ! -L "$1" ]; }';
  const sums = [...(p.get_md5 ? ['md5'] : []), ...(p.get_checksum ? [p.checksum_algorithm] : [])];
  const sec = `echo ${SECTION}`;
  return [
    `set -- ${shq(p.path)}`,
    `${there} || { echo missing; exit 0; }`,
    `stat ${p.follow ? '-L ' : ''}-c '${FORMAT}' -- "$1" || exit 3`,
    'for t in r w x; do if [ -$t "$1" ]; then printf 1; else printf 0; fi; done; echo',
    sec,
    '[ -L "$1" ] && { readlink -- "$1"; readlink -m -- "$1"; }',
    sec,
    // checksums of a regular readable file only, as Ansible's
    ...sums.map((a) => `${regular} && [ -r "$1" ] && ${a}sum -- "$1" | cut -d' ' -f1 || echo`),
    sec,
    p.get_mime ? 'command -v file >/dev/null && file --mime-type --mime-encoding -- "$1"' : ':',
    sec,
    p.get_attributes ? 'command -v lsattr >/dev/null && lsattr -vd -- "$1" 2>/dev/null' : ':',
    'exit 0',
  ].join('\n');
}

// module_utils/common/file.py FILE_ATTRIBUTES
const FILE_ATTRIBUTES: Record<string, string> = {
  A: 'noatime', a: 'append', c: 'compressed', C: 'nocow', d: 'nodump', D: 'dirsync', e: 'extents', E: 'encrypted',
  h: 'blocksize', i: 'immutable', I: 'indexed', j: 'journalled', N: 'inline', s: 'zero', S: 'synchronous',
  t: 'notail', T: 'blockroot', u: 'undelete', X: 'compressedraw', Z: 'compresseddirty',
};

/**
 * A time as Python's st_atime: seconds + nanoseconds * 1e-9 (the nanoseconds from stat's text form),
 * a float even when whole (1796680472.0, as Ansible shows it).
 */
function pyTime(seconds: string, text: string): number | PyFloat {
  const ns = text.match(/\.(\d+)/)?.[1] ?? '0';
  return pyFloat(Number(seconds) + Number(ns.padEnd(9, '0').slice(0, 9)) * 1e-9);
}

/** glibc's makedev: st_rdev from major and minor */
function makedev(major: number, minor: number): number {
  return (major & 0xfff) * 2 ** 8 + (minor & 0xff) + Math.floor(minor / 0x100) * 2 ** 20 + Math.floor(major / 0x1000) * 2 ** 44;
}

/** Pure: Ansible's stat dict from statScript's output. */
export function parseStat(p: Params, out: string): Record<string, unknown> {
  if (out.trim() === 'missing') return { exists: false };
  const [head, link, sums, mime, attrs] = out.split(`${SECTION}\n`);
  const [line, access] = head.split('\n');
  const f = line.split('|');
  if (f.length !== 19 || !/^[01]{3}$/.test(access ?? '')) throw new TaskFailure(`stat ${p.path}: unexpected output ${JSON.stringify(out)}`);
  const [rawMode, uid, gid, size, ino, dev, nlink, X, Y, Z, x, y, z, blocks, blksize, major, minor, user, group] = f;
  const mode = parseInt(rawMode, 16);
  const type = mode & 0o170000;
  const bit = (b: number) => (mode & b) !== 0;
  const s: Record<string, unknown> = {
    exists: true,
    path: p.path,
    mode: (mode & 0o7777).toString(8).padStart(4, '0'),
    isdir: type === 0o040000,
    ischr: type === 0o020000,
    isblk: type === 0o060000,
    isreg: type === 0o100000,
    isfifo: type === 0o010000,
    islnk: type === 0o120000,
    issock: type === 0o140000,
    uid: Number(uid),
    gid: Number(gid),
    size: Number(size),
    inode: Number(ino),
    dev: Number(dev),
    nlink: Number(nlink),
    atime: pyTime(X, x),
    mtime: pyTime(Y, y),
    ctime: pyTime(Z, z),
    wusr: bit(0o200), rusr: bit(0o400), xusr: bit(0o100),
    wgrp: bit(0o020), rgrp: bit(0o040), xgrp: bit(0o010),
    woth: bit(0o002), roth: bit(0o004), xoth: bit(0o001),
    isuid: bit(0o4000), isgid: bit(0o2000),
    blocks: Number(blocks),
    block_size: Number(blksize),
    device_type: makedev(parseInt(major, 16), parseInt(minor, 16)),
    readable: access[0] === '1',
    writeable: access[1] === '1',
    executable: access[2] === '1',
  };
  if (s.islnk) {
    const [target, source] = (link ?? '').split('\n');
    Object.assign(s, { lnk_source: source, lnk_target: target });
  }
  // no name for the id: Ansible leaves the key out
  if (user !== 'UNKNOWN') s.pw_name = user;
  if (group !== 'UNKNOWN') s.gr_name = group;
  if (s.isreg && s.readable) {
    const [first, second] = (sums ?? '').split('\n');
    if (p.get_md5) s.md5 = first || null;
    if (p.get_checksum) s.checksum = (p.get_md5 ? second : first) || undefined;
  }
  if (p.get_mime) {
    // mimetype first, as Ansible's stat sets them (a registered stat shows its keys in that order)
    s.mimetype = 'unknown';
    s.charset = 'unknown';
    const m = (mime ?? '').trim();
    // Ansible's out.rsplit(':', 1)[1].split(';')
    const [type, charset] = m.slice(m.lastIndexOf(':') + 1).split(';');
    if (m && charset !== undefined) {
      s.mimetype = type.trim();
      s.charset = (charset.split('=')[1] ?? '').trim();
    }
  }
  if (p.get_attributes) {
    Object.assign(s, { version: null, attributes: [], attr_flags: '' });
    const a = (attrs ?? '').trim().split(/\s+/);
    if (a.length >= 3) {
      const flags = a[1].replaceAll('-', '');
      Object.assign(s, { version: a[0], attr_flags: flags, attributes: [...flags].filter((c) => c in FILE_ATTRIBUTES).map((c) => FILE_ATTRIBUTES[c]) });
    }
  }
  return s;
}

export const stat: TaskType<Params> = {
  name: 'ansible.builtin.stat',
  hostPaths: ['path'],
  summary: 'register what is at a path (stat.exists, isdir, mode, size, checksum, times...)',
  schema,
  shortKey: 'path',
  async plan(ctx, p) {
    const r = await ctx.conn.exec(statScript(p));
    if (r.code !== 0) throw new TaskFailure(r.stderr.trim() || `stat ${p.path}: exit ${r.code}`);
    // changed first, as Ansible's stat returns it (exit_json(changed=False, stat=...)): a registered loop's items show it so
    return { changes: [], result: { changed: false, stat: parseStat(p, r.stdout) } };
  },
  async apply() {},
};
