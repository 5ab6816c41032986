// Ansible's `type='path'` module options are expanded on the host (AnsibleModule's check_type_path:
// os.path.expanduser(os.path.expandvars(value))) and a relative one is relative to the module's
// working directory: the login directory over ssh, the controller's cwd with connection local. skiff's
// tasks compute with absolute paths, so such a value is made absolute here, from what the host's own
// shell says its working directory, home and environment are (read once per connection).
import { posix } from 'node:path';
import type { Connection } from '../transport/types.ts';
import { TaskFailure } from './task-type.ts';
import { shq } from '../transport/quote.ts';

export interface HostEnv {
  cwd: string;
  env: Record<string, string>;
  /** home directories of the users a `~user` path names (those the host knows) */
  homes?: Record<string, string>;
}

const seen = new WeakMap<Connection, Promise<HostEnv>>();

/** The host's working directory and environment, as a module started there would see them. */
export function hostEnv(conn: Connection): Promise<HostEnv> {
  let p = seen.get(conn);
  if (!p) {
    p = conn.exec(`pwd && env -0`).then((r) => {
      if (r.code !== 0) throw new TaskFailure(`cannot read the working directory and environment on ${conn.host}: ${r.stderr.trim()}`);
      const nl = r.stdout.indexOf('\n');
      const env: Record<string, string> = {};
      for (const kv of r.stdout.slice(nl + 1).split('\0')) {
        const eq = kv.indexOf('=');
        if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
      return { cwd: r.stdout.slice(0, nl), env };
    });
    seen.set(conn, p);
    p.catch(() => seen.delete(conn));
  }
  return p;
}

const TILDE_USER = /^~([^/]+)/;

/** The home of each user (`~user/...`) the paths name, from the host's passwd (getent). */
async function homesOf(conn: Connection, paths: string[]): Promise<Record<string, string>> {
  const users = [...new Set(paths.flatMap((p) => TILDE_USER.exec(p)?.[1] ?? []))];
  const homes: Record<string, string> = {};
  for (const u of users) {
    const r = await conn.exec(`getent passwd -- ${shq(u)}`);
    const home = r.code === 0 ? r.stdout.split('\n')[0].split(':')[5] : undefined;
    if (home) homes[u] = home;
  }
  return homes;
}

/** A path needs the host's help when it is relative or has `~` or `$` for the host to expand. */
export function needsHost(path: string): boolean {
  return !path.startsWith('/') || path.includes('$');
}

/** Python's posixpath.expandvars then expanduser (`~` and `~/...`), then absolute from `cwd`. */
export function expandPath(path: string, h: HostEnv): string {
  // expandvars: $name or ${name}, replaced only when the variable is set (left as written otherwise)
  let p = path.includes('$') ? path.replace(/\$(\w+|\{[^}]*\})/g, (m, n: string) => h.env[n.startsWith('{') ? n.slice(1, -1) : n] ?? m) : path;
  const home = h.env.HOME;
  if (home !== undefined && (p === '~' || p.startsWith('~/'))) p = home.replace(/\/+$/, '') + p.slice(1) || '/';
  // ~user: that user's home; a user the host does not know leaves the path as written (expanduser)
  const user = TILDE_USER.exec(p)?.[1];
  if (user !== undefined && h.homes?.[user] !== undefined) p = h.homes[user].replace(/\/+$/, '') + p.slice(1 + user.length) || '/';
  return p.startsWith('/') ? p : posix.join(h.cwd, p);
}

/** The params with each of `names` that is a path the host must expand made absolute. */
export async function resolveHostPaths<P>(conn: Connection, names: readonly string[] | undefined, params: P): Promise<P> {
  if (!names?.length || !params || typeof params !== 'object') return params;
  const rec = params as Record<string, unknown>;
  const todo = names.filter((n) => typeof rec[n] === 'string' && needsHost(rec[n] as string));
  if (!todo.length) return params;
  const h = { ...(await hostEnv(conn)), homes: await homesOf(conn, todo.map((n) => rec[n] as string)) };
  return { ...rec, ...Object.fromEntries(todo.map((n) => [n, expandPath(rec[n] as string, h)])) } as P;
}
