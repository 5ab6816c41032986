// How to reach a host, from its merged vars (Ansible's ansible_* names are accepted too).
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import * as v from 'valibot';
import { becomeMethodOf, becomeMethodRefused } from '../transport/become.ts';

/**
 * A boolean as Ansible's boolean() reads a connection var: an INI inventory gives `yes`, `true`, `on`
 * as text (only Python's True/False are booleans there), and Ansible takes them all.
 */
const AnsibleBool = v.union(
  [
    v.boolean(),
    v.pipe(
      v.string(),
      v.toLowerCase(),
      v.picklist(['y', 'yes', 'on', '1', 'true', 't', 'n', 'no', 'off', '0', 'false', 'f']),
      v.transform((s) => ['y', 'yes', 'on', '1', 'true', 't'].includes(s)),
    ),
    v.pipe(v.picklist([0, 1]), v.transform((n) => n === 1)),
  ],
  'expected true or false',
);

export const HostConnSchema = v.object({
  address: v.optional(v.pipe(v.string(), v.minLength(1))),
  port: v.optional(v.pipe(v.number('expected a port number'), v.integer(), v.minValue(1), v.maxValue(65535)), 22),
  user: v.optional(v.pipe(v.string(), v.minLength(1))),
  private_key_file: v.optional(v.string()),
  become: v.optional(AnsibleBool, false),
  /** sudo's (or su's) target user under become (root when unset, as sudo and su do) */
  become_user: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'expected a user name'))),
  /** sudo (unset) or su; any other of Ansible's become methods is refused by name */
  become_method: v.optional(v.pipe(v.string(), v.check((m) => becomeMethodOf(m) !== undefined, (i) => becomeMethodRefused(i.input)), v.transform((m) => becomeMethodOf(m)!))),
  /** the program run instead of sudo or su (Ansible's become_exe) */
  become_exe: v.optional(v.pipe(v.string(), v.minLength(1, 'expected a program'))),
  /** shell words put after sudo or su (Ansible's become_flags), as written */
  become_flags: v.optional(v.string()),
  // ansible-core's own by their full names (ansible.builtin.ssh), smart as ssh, as its connection loader takes them
  connection: v.optional(v.pipe(v.unknown(), v.transform((c) => (typeof c === 'string' ? c.replace(/^ansible\.(?:builtin|legacy)\./, '').replace(/^smart$/, 'ssh') : c)), v.picklist(['ssh', 'local'], 'expected ssh or local')), 'ssh'),
  known_hosts_file: v.optional(v.string()),
  /** seconds to wait for the SSH handshake */
  connect_timeout: v.optional(v.pipe(v.number(), v.minValue(1)), 10),
  /** SSH password (also answers keyboard-interactive); only from a vault (checked in prepare) */
  password: v.optional(v.string()),
  /** sudo's or su's password under become; only from a vault or -K */
  become_password: v.optional(v.string()),
  /** for an encrypted private_key_file that ssh-agent does not hold; only from a vault or --ask-key-passphrase */
  private_key_passphrase: v.optional(v.string()),
  /** jump hosts: `[user@]host[:port]`, comma-separated or a list, or inventory host names */
  proxy_jump: v.optional(v.union([v.pipe(v.string(), v.minLength(1)), v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.minLength(1))], 'expected a jump host or a list of them')),
  /** Ansible's ansible_ssh_common_args / _extra_args: read for the jump host (ssh-config.ts) */
  ssh_common_args: v.optional(v.string()),
  ssh_extra_args: v.optional(v.string()),
  /** OpenSSH client configuration read for this host (default ~/.ssh/config) */
  ssh_config_file: v.optional(v.string()),
  /** record an unknown host key (StrictHostKeyChecking accept-new); a changed one is refused anyway */
  accept_new_host_keys: v.optional(AnsibleBool),
});
export type HostConn = v.InferOutput<typeof HostConnSchema> & {
  name: string;
  address: string;
  user: string;
  known_hosts_file: string;
  /** jump hosts resolved (ProxyJump), first hop first */
  jumps: HostConn[];
};

const ALIASES: Record<string, string> = {
  ansible_host: 'address',
  ansible_port: 'port',
  ansible_user: 'user',
  ansible_ssh_private_key_file: 'private_key_file',
  ansible_become: 'become',
  ansible_become_user: 'become_user',
  ansible_become_method: 'become_method',
  ansible_become_exe: 'become_exe',
  ansible_become_flags: 'become_flags',
  ansible_password: 'password',
  ansible_ssh_pass: 'password',
  ansible_become_password: 'become_password',
  ansible_become_pass: 'become_password',
  ansible_ssh_common_args: 'ssh_common_args',
  ansible_ssh_extra_args: 'ssh_extra_args',
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
    ssh_config_file: abs(parsed.ssh_config_file ?? '~/.ssh/config'),
    jumps: [],
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
