// How to reach a host, from its merged vars (Ansible's ansible_* names are accepted too).
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import * as v from 'valibot';

export const HostConnSchema = v.object({
  address: v.optional(v.pipe(v.string(), v.minLength(1))),
  port: v.optional(v.pipe(v.number('expected a port number'), v.integer(), v.minValue(1), v.maxValue(65535)), 22),
  user: v.optional(v.pipe(v.string(), v.minLength(1))),
  private_key_file: v.optional(v.string()),
  become: v.optional(v.boolean('expected true or false'), false),
  /** sudo's target user under become (root when unset, as sudo does) */
  become_user: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'expected a user name'))),
  connection: v.optional(v.picklist(['ssh', 'local'], 'expected ssh or local'), 'ssh'),
  known_hosts_file: v.optional(v.string()),
  /** seconds to wait for the SSH handshake */
  connect_timeout: v.optional(v.pipe(v.number(), v.minValue(1)), 10),
});
export type HostConn = v.InferOutput<typeof HostConnSchema> & { name: string; address: string; user: string; known_hosts_file: string };

const ALIASES: Record<string, string> = {
  ansible_host: 'address',
  ansible_port: 'port',
  ansible_user: 'user',
  ansible_ssh_private_key_file: 'private_key_file',
  ansible_become: 'become',
  ansible_become_user: 'become_user',
  ansible_connection: 'connection',
};

/** The var each connection setting came from (for error positions). */
export function connVarNames(vars: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(HostConnSchema.entries)) if (k in vars) out[k] = k;
  for (const [a, k] of Object.entries(ALIASES)) if (a in vars && !(k in vars)) out[k] = a;
  return out;
}

export function connInput(vars: Record<string, unknown>): Record<string, unknown> {
  const names = connVarNames(vars);
  return Object.fromEntries(Object.entries(names).map(([k, from]) => [k, vars[from]]));
}

export function hostConn(name: string, parsed: v.InferOutput<typeof HostConnSchema>, root: string): HostConn {
  const abs = (p: string) => (p.startsWith('~/') ? resolve(homedir(), p.slice(2)) : isAbsolute(p) ? p : resolve(root, p));
  return {
    ...parsed,
    name,
    address: parsed.address ?? name,
    user: parsed.user ?? process.env.USER ?? 'root',
    private_key_file: parsed.private_key_file ? abs(parsed.private_key_file) : undefined,
    known_hosts_file: abs(parsed.known_hosts_file ?? '~/.ssh/known_hosts'),
  };
}

export function readable(path: string): string | undefined {
  try {
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? String(e);
  }
}
