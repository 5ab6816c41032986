// Ansible's get_url: the host downloads a URL (with its curl) to dest, atomically (a temp file in the
// same directory, its checksum verified, then renamed). Idempotent as Ansible is: with a checksum, by
// the checksum of what is there; without one, by dest existing (force: true downloads every time).
import * as v from 'valibot';
import { shq } from '../../src/transport/quote.ts';
import { TaskFailure, type TaskType } from '../../src/engine/task-type.ts';
import { HostPath, Mode, Owner, Bool, Num, UNSAFE_WRITES } from '../lib/schema.ts';
import { attrChanges, factsOf, predict, replaceWith, setAttrs, tempBeside, type FileFacts, fileReads } from '../lib/files.ts';
import { curlConfig, shownUrl } from '../lib/curl.ts';
import { toolsOn } from '../lib/host-tools.ts';

const ALGS = { md5: 32, sha1: 40, sha224: 56, sha256: 64, sha384: 96, sha512: 128 } as const;
type Alg = keyof typeof ALGS;

export const Checksum = v.pipe(
  v.string(),
  v.regex(/^(md5|sha1|sha224|sha256|sha384|sha512):[0-9a-fA-F]+$/, 'expected ALGORITHM:HEX, e.g. sha256:9f86d0... (a checksum URL is not supported by skiff)'),
  v.check((s) => s.split(':')[1].length === ALGS[s.split(':')[0] as Alg], 'expected as many hex digits as the algorithm has'),
  v.transform((s) => ({ alg: s.split(':')[0] as Alg, hex: s.split(':')[1].toLowerCase() })),
);

export const Url = v.pipe(v.string(), v.regex(/^(https?|ftp|file):\/\/\S+$/, 'expected an http(s), ftp or file URL'));
export const Headers = v.record(v.string(), v.pipe(v.union([v.string(), v.number()]), v.transform(String)), 'expected a map of header names to values');

const schema = v.strictObject({
  url: Url,
  dest: HostPath,
  checksum: v.optional(Checksum),
  /** download again even when dest exists (without a checksum: every run) */
  force: v.optional(Bool, false),
  mode: v.optional(Mode),
  owner: v.optional(Owner),
  group: v.optional(Owner),
  headers: v.optional(Headers),
  /** seconds */
  timeout: v.optional(v.pipe(Num, v.minValue(1)), 10),
  validate_certs: v.optional(Bool, true),
  ...UNSAFE_WRITES,
});
type Params = v.InferOutput<typeof schema>;

interface State {
  dest: string;
  download: boolean;
}

/** Where the file goes: into a directory, under the URL's last path segment (as Ansible without a Content-Disposition). */
export function destOf(dest: string, url: string, isDir: boolean): string {
  if (!isDir && !dest.endsWith('/')) return dest;
  const name = decodeURIComponent(new URL(url).pathname.split('/').pop() || '') || 'index.html';
  return `${dest.replace(/\/+$/, '')}/${name}`;
}

/**
 * Downloads into a temp file beside dest, checks its checksum, sets mode/owner (those of the file it
 * replaces, or 0644), then renames it into place; prints the sha1 and size. Pure.
 */
export function downloadScript(dest: string, want: { mode?: string; owner?: string; group?: string; checksum?: { alg: Alg; hex: string }; unsafe_writes?: boolean }): string {
  const d = shq(dest);
  const lines = [
    'set -e',
    ...tempBeside(`"$(dirname -- ${d})"`, want.unsafe_writes),
    `trap 'rm -f -- "$t"' EXIT`,
    `trap 'exit 129' HUP INT TERM PIPE`,
    `code=$(curl -K - -o "$t" -w '%{http_code}') || exit 22`,
  ];
  if (want.checksum) {
    const { alg, hex } = want.checksum;
    lines.push(`echo "${hex}  $t" | ${alg}sum -c --status - || { echo "the ${alg} checksum of the download is $(${alg}sum < "$t" | cut -d' ' -f1), expected ${hex}" >&2; exit 1; }`);
  }
  lines.push(`if [ -e ${d} ]; then chmod --reference=${d} "$t"; chown --reference=${d} "$t" 2>/dev/null || true; else chmod 0644 "$t"; fi`);
  if (want.mode) lines.push(`chmod ${shq(want.mode)} "$t"`);
  if (want.owner || want.group) lines.push(`chown ${shq(`${want.owner ?? ''}${want.group ? ':' + want.group : ''}`)} "$t"`);
  lines.push(`echo "$code $(sha1sum < "$t" | cut -d' ' -f1) $(stat -c %s -- "$t")"`, ...replaceWith(dest, want), 'trap - EXIT');
  return lines.join('\n');
}

async function sumOf(ctx: Parameters<TaskType['plan']>[0], path: string, alg: Alg): Promise<string> {
  const r = await ctx.conn.exec(`${alg}sum -- ${shq(path)}`);
  if (r.code !== 0) throw new TaskFailure(`get_url: cannot read ${path}: ${r.stderr.trim()}`);
  return r.stdout.split(' ')[0];
}

export const getUrl: TaskType<Params, State> = {
  name: 'ansible.builtin.get_url',
  hostPaths: ['dest'],
  summary: 'the host downloads a URL to a file (idempotent by checksum, or by the file existing)',
  schema,
  reads: (p) => fileReads(p.dest),
  async plan(ctx, p) {
    let f: FileFacts = await factsOf(ctx, p.dest);
    const dest = destOf(p.dest, p.url, f.exists && f.kind === 'directory');
    if (dest !== p.dest) f = await factsOf(ctx, dest);
    if (f.exists && f.kind !== 'file') throw new TaskFailure(`get_url: ${dest} is a ${f.kind}, expected a regular file or a directory to download into`);
    const result: Record<string, unknown> = { dest, url: shownUrl(p.url) };
    let download = !f.exists || p.force;
    if (f.exists && p.checksum) {
      const sum = await sumOf(ctx, dest, p.checksum.alg);
      download = sum !== p.checksum.hex;
      if (!download) result.msg = `${dest} has the ${p.checksum.alg} checksum expected`;
    }
    const changes = download ? [`download ${shownUrl(p.url)} to ${dest}`] : attrChanges(dest, f, p);
    if (download) predict(ctx, dest, { exists: true, kind: 'file', mode: p.mode ?? f.mode ?? '0644', owner: p.owner ?? f.owner, group: p.group ?? f.group });
    if (download && !ctx.check && !(await toolsOn(ctx.conn, ['curl'])).has('curl')) throw new TaskFailure(`get_url: no curl on ${ctx.conn.host}`);
    // check mode: Ansible's get_url still asks the server (a HEAD request), so a URL the host cannot
    // reach fails there too (geerlingguy.jenkins' repository key, offline)
    if (download && ctx.check && /^https?:/i.test(p.url) && (await toolsOn(ctx.conn, ['curl'])).has('curl')) {
      const config = curlConfig({ url: p.url, headers: p.headers, follow: true, timeout: p.timeout, insecure: !p.validate_certs, failOnError: true }) + 'head\n';
      const r = await ctx.conn.exec('curl -K - -o /dev/null', { stdin: config, timeoutMs: (p.timeout + 30) * 1000 });
      if (r.code !== 0) throw new TaskFailure(`get_url: ${shownUrl(p.url)}: Request failed: ${r.stderr.trim().split('\n').slice(-2).join(' | ') || `exit ${r.code}`}`, result);
    }
    return { changes, state: { dest, download }, result };
  },
  async apply(ctx, p, plan) {
    const { dest, download } = plan.state!;
    if (!download) return void (await setAttrs(ctx.conn, dest, p));
    const config = curlConfig({ url: p.url, headers: p.headers, follow: true, timeout: p.timeout, insecure: !p.validate_certs, failOnError: true });
    const r = await ctx.conn.exec(downloadScript(dest, p), { stdin: config, timeoutMs: (p.timeout + 30) * 1000 });
    if (r.code !== 0) throw new TaskFailure(`get_url: ${shownUrl(p.url)} to ${dest}: ${r.stderr.trim().split('\n').slice(-2).join(' | ') || `exit ${r.code}`}`, { dest, url: shownUrl(p.url) });
    const [code, sha1, size] = r.stdout.trim().split('\n').pop()!.split(' ');
    return { status_code: Number(code) || undefined, checksum_dest: sha1, checksum_src: sha1, size: Number(size), msg: `OK (${size} bytes)` };
  },
};
