// How to reach a host, from everything that can say it, in OpenSSH's and Ansible's precedence:
// the host's vars (and -e) > the flags and ansible.cfg (-u, --private-key, -T) > ~/.ssh/config > the
// built-in defaults. Jump hosts are resolved here too (an inventory host's own settings, or a
// `[user@]host[:port]` looked up in ~/.ssh/config). Everything is checked before any host is contacted:
// an unreadable or undecryptable key, a password kept in plain text, ssh args skiff cannot honour.
import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import * as v from 'valibot';
import { connInput, connVarNames, hostConn, HostConnSchema, readable, type HostConn } from '../inventory/host.ts';
import { isLocalhostName } from '../inventory/localhost.ts';
import { sshArgs, parseJumps, sshConfigFor, type FromSshConfig } from '../inventory/ssh-config.ts';
import type { Inventory, Origin } from '../inventory/types.ts';
import { keyProblem } from '../transport/ssh-key.ts';
import { show, type InputProblem } from '../util/errors.ts';
import { isRevealed } from '../vault/revealed.ts';

/** Ansible's implicit localhost: a `delegate_to: localhost` needs no inventory entry (see inventory/localhost.ts). */
export const IMPLICIT_LOCALHOST = 'localhost';
const MAX_JUMP_DEPTH = 8;

/** Connection settings under every host's own (ansible.cfg / ANSIBLE_* / -u, --private-key, -T), each with where it was set: prepare's RunOptions.connDefaults */
export type ConnDefaults = Record<string, { value: unknown; origin: Origin }>;

export interface ConnOptions {
  defaults?: ConnDefaults;
  /** over the host's own ansible_connection: set in a play's or task's vars (Ansible's variable precedence) */
  connection?: 'local' | 'ssh';
  /** connection variables a play's or task's vars set, over the host's own (Ansible's names) */
  remote?: Record<string, unknown>;
  becomePassword?: string;
  sshPassword?: string;
  keyPassphrase?: string;
}

type Result = { conn: HostConn } | { problems: InputProblem[] };
/** What of the prepared run (prepare.ts Prepared) a host's connection settings are read from */
type Ctx = { inventory: Inventory; hostvars: Record<string, Record<string, unknown>>; extra: Record<string, unknown> };

const env = () => ({ home: process.env.HOME || homedir(), localUser: process.env.USER || userInfo().username });
const expandHome = (p: string) => (p.startsWith('~/') ? `${env().home}/${p.slice(2)}` : p);

export function hostConnection(prep: Ctx, origins: Record<string, Record<string, Origin>>, h: string, o: ConnOptions = {}, depth = 0): Result {
  const inv = prep.inventory;
  if (!inv.hosts.includes(h)) {
    return isLocalhostName(h) ? { conn: hostConn(h, v.parse(HostConnSchema, { connection: 'local' }), inv.root) } : { problems: [{ file: 'inventory', line: 0, col: 0, message: `unknown host ${JSON.stringify(h)}` }] };
  }
  const defaults = o.defaults ?? {};
  // -e overrides connection settings too, as in Ansible (e.g. -e known_hosts_file=...)
  const vars = { ...prep.hostvars[h], ...o.remote, ...prep.extra };
  const names = connVarNames(vars);
  const at = (k: string): Origin => origins[h]?.[names[k] ?? ''] ?? (names[k] ? undefined : defaults[k]?.origin) ?? inv.hostOrigin.get(h)!;
  const problem = (k: string, message: string): Result => ({ problems: [{ ...at(k), message: `host ${h}: ${names[k] ?? k}: ${message}` }] });
  const layered: Record<string, unknown> = { ...Object.fromEntries(Object.entries(defaults).map(([k, d]) => [k, d.value])), ...connInput(vars), ...(o.connection ? { connection: o.connection } : {}) };
  if (layered.connection !== 'local') {
    const file = expandHome(typeof layered.ssh_config_file === 'string' ? layered.ssh_config_file : '~/.ssh/config');
    const fromFile = sshConfigFor(file, String(layered.address ?? h), env());
    if ('error' in fromFile) return problem('ssh_config_file', `${fromFile.error}: expected a readable OpenSSH client configuration file`);
    for (const [k, val] of Object.entries(fromFile as FromSshConfig)) if (layered[k] === undefined) layered[k] = val;
  }
  // ssh's arguments are nothing to a local host (Ansible's local connection never reads them): a group's
  // `-o StrictHostKeyChecking=no` is no refusal there
  for (const k of ['ssh_common_args', 'ssh_extra_args'] as const) {
    if (typeof layered[k] !== 'string' || layered.connection === 'local') continue;
    const j = sshArgs(layered[k] as string);
    if (j.unsupported.length) return problem(k, `${j.unsupported.map((u) => show(u)).join(', ')} cannot be honoured by skiff: expected only a jump host (-o ProxyJump=, -J, or -o ProxyCommand="ssh -W %h:%p host"), -o UserKnownHostsFile=, -o StrictHostKeyChecking=yes or accept-new`);
    // what the inventory names itself wins over what its ssh args say
    for (const s of ['proxy_jump', 'known_hosts_file', 'accept_new_host_keys'] as const) if (j[s] !== undefined && names[s] === undefined) layered[s] = j[s];
  }
  if (o.becomePassword !== undefined) layered.become_password = o.becomePassword;
  if (o.sshPassword !== undefined) layered.password = o.sshPassword;
  if (o.keyPassphrase !== undefined && layered.private_key_passphrase === undefined) layered.private_key_passphrase = o.keyPassphrase;
  const r = v.safeParse(HostConnSchema, layered);
  if (!r.success) {
    const issue = r.issues[0];
    const k = String(issue.path?.[0]?.key ?? '');
    return problem(k, `got ${show(issue.input)}, ${issue.message.startsWith('Invalid') ? `expected ${issue.expected}` : issue.message}`);
  }
  const conn = hostConn(h, r.output, inv.root);
  if (conn.connection !== 'ssh') return { conn };
  // secrets in plain text: an inventory is read by many, and kept in git
  for (const k of ['password', 'become_password', 'private_key_passphrase'] as const) {
    const val = conn[k];
    const fromPrompt = (k === 'become_password' && o.becomePassword !== undefined) || (k === 'password' && o.sshPassword !== undefined) || (k === 'private_key_passphrase' && o.keyPassphrase !== undefined && names.private_key_passphrase === undefined);
    if (val !== undefined && !fromPrompt && !isRevealed(val)) return problem(k, `is in plain text: expected it encrypted (skiff vault encrypt_string --name ${names[k] ?? k}) or asked for (${k === 'password' ? '-k' : k === 'become_password' ? '-K' : '--ask-key-passphrase'})`);
  }
  const keyErr = checkKey(conn);
  if (keyErr) return { problems: [{ ...at('private_key_file'), message: `host ${h}: ${keyErr}` }] };
  if (conn.proxy_jump !== undefined) {
    const j = resolveJumps(prep, origins, conn, o, depth);
    if ('problems' in j) return j;
    conn.jumps = j.jumps;
  }
  return { conn };
}

/** A key that cannot be used is bad input, never "unreachable" at run time. */
function checkKey(conn: HostConn): string | undefined {
  if (!conn.private_key_file) return undefined;
  const err = readable(conn.private_key_file);
  if (err) return `private key ${show(conn.private_key_file)} is not readable (${err}): expected a readable key file`;
  const p = keyProblem(conn.private_key_file, conn.private_key_passphrase);
  if (!p.error) return undefined;
  // OpenSSH uses the agent's identity for an encrypted key it holds (ssh-auth.ts offers it first)
  if (p.encrypted && conn.private_key_passphrase === undefined && process.env.SSH_AUTH_SOCK) return undefined;
  if (p.encrypted) return `private key ${show(conn.private_key_file)} is encrypted${conn.private_key_passphrase === undefined ? '' : ' and the passphrase given does not open it'}: expected its passphrase (--ask-key-passphrase, or private_key_passphrase in a vault file) or ssh-agent holding it (SSH_AUTH_SOCK)`;
  return `private key ${show(conn.private_key_file)} cannot be used (${p.error}): expected an OpenSSH or PEM private key`;
}

/**
 * The hops of a host's proxy_jump. An inventory host name uses that host's settings (and its own jump
 * hosts first); anything else is `[user@]host[:port]`, looked up in ~/.ssh/config like ssh does, with
 * the target's key file and known_hosts as fall-backs (one key and one known_hosts for a fleet is the
 * common case; a hop's own IdentityFile / UserKnownHostsFile win).
 */
function resolveJumps(prep: Ctx, origins: Record<string, Record<string, Origin>>, conn: HostConn, o: ConnOptions, depth: number): { jumps: HostConn[] } | { problems: InputProblem[] } {
  const where = prep.inventory.hostOrigin.get(conn.name)!;
  const bad = (message: string) => ({ problems: [{ ...where, message: `host ${conn.name}: proxy_jump: ${message}` }] });
  if (depth >= MAX_JUMP_DEPTH) return bad(`jump hosts nest more than ${MAX_JUMP_DEPTH} deep (a loop?): expected a chain that ends`);
  const parsed = parseJumps(conn.proxy_jump!);
  if ('error' in parsed) return bad(parsed.error);
  const jumps: HostConn[] = [];
  for (const spec of parsed.jumps) {
    if (spec.host === conn.name) return bad(`${conn.name} cannot be its own jump host`);
    if (prep.inventory.hosts.includes(spec.host) && spec.user === undefined && spec.port === undefined) {
      const r = hostConnection(prep, origins, spec.host, o, depth + 1);
      if ('problems' in r) return r;
      jumps.push(...r.conn.jumps, r.conn);
      continue;
    }
    const found = sshConfigFor(conn.ssh_config_file!, spec.host, env());
    if ('error' in found) return bad(found.error);
    const fromFile: FromSshConfig = found;
    const defaultKey = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((k) => `${env().home}/.ssh/${k}`).find((f) => existsSync(f));
    const hop: HostConn = {
      ...conn,
      name: spec.host,
      address: fromFile.address ?? spec.host,
      port: spec.port ?? fromFile.port ?? 22,
      user: spec.user ?? fromFile.user ?? env().localUser,
      private_key_file: fromFile.private_key_file ? expandHome(fromFile.private_key_file) : (conn.private_key_file ?? defaultKey),
      known_hosts_file: fromFile.known_hosts_file ? expandHome(fromFile.known_hosts_file) : conn.known_hosts_file,
      connect_timeout: fromFile.connect_timeout ?? conn.connect_timeout,
      accept_new_host_keys: fromFile.accept_new_host_keys ?? conn.accept_new_host_keys,
      password: undefined,
      proxy_jump: undefined,
      jumps: [],
    };
    const keyErr = checkKey(hop);
    if (keyErr) return bad(`jump host ${spec.host}: ${keyErr}`);
    jumps.push(hop);
  }
  return { jumps };
}
