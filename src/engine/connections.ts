// One connection per host and privilege for the whole run: a task's `become`/`become_user` (or its
// block's, or play's) overrides the inventory's, as in Ansible, and gets its own connection.
import type { HostConn } from '../inventory/host.ts';
import { withFaultHook } from '../transport/fault-hook.ts';
import { connectLocal } from '../transport/local.ts';
import type { Connection } from '../transport/types.ts';
import type { BecomeHow } from '../transport/become.ts';
import type { Hop } from '../transport/ssh-handshake.ts';
import type { ConnectionName } from './connection-keyword.ts';

export interface Privilege {
  become?: boolean;
  become_user?: string;
  /** sudo or su and their exe and flags, as the task says them (rendered): over the host's own, field by field */
  become_how?: BecomeHow;
  /** the `connection:` keyword's, rendered (connection-keyword.ts): the host's own ansible_connection still wins */
  connection?: ConnectionName;
  /** the connection came from ansible_connection set in the play's or task's variables: it wins over the host's own */
  connectionVar?: boolean;
  /** connection variables a play's or task's vars set over the host's inventory (connection-vars.ts) */
  remote?: Record<string, unknown>;
}

/** How a connection is opened: the real transports, or a fake in unit tests. */
export type Connector = (hc: HostConn, become: boolean, becomeUser: string | undefined, how?: BecomeHow) => Promise<Connection>;

/** How a become is done (become.ts): the task's method, exe and flags, else the host's (ansible_become_method...). */
export function becomeHow(hc: HostConn, p: Privilege): BecomeHow {
  const t = p.become_how ?? {};
  const how: BecomeHow = {};
  const method = t.method ?? hc.become_method;
  if (method !== undefined && method !== 'sudo') how.method = method;
  const exe = t.exe ?? hc.become_exe;
  if (exe) how.exe = exe;
  const flags = t.flags ?? hc.become_flags;
  if (flags) how.flags = flags;
  return how;
}

/** A host's settings as one SSH hop (the target itself, or a jump host on the way). */
const hopOf = (hc: HostConn, acceptNew: boolean): Hop => ({
  host: hc.name,
  address: hc.address,
  port: hc.port,
  user: hc.user,
  privateKeyFile: hc.private_key_file,
  passphrase: hc.private_key_passphrase,
  password: hc.password,
  knownHostsFile: hc.known_hosts_file,
  acceptNewHostKeys: acceptNew || hc.accept_new_host_keys === true,
  connectTimeoutMs: hc.connect_timeout * 1000,
});

// the SSH transport (and ssh2 with it) is loaded by the first SSH connection: validate, --list-tasks
// and local runs never pay for it
export const realConnector =
  (opts: { acceptNewHostKeys: boolean }, onNote?: (host: string, text: string) => void): Connector =>
  async (hc, become, becomeUser, how = {}) =>
    withFaultHook(
      hc.connection === 'local'
        ? connectLocal(hc.name, become, becomeUser, hc.become_password, how)
        : await (await import('../transport/ssh.ts')).connectSsh({
            ...hopOf(hc, opts.acceptNewHostKeys),
            become,
            becomeUser,
            becomePassword: hc.become_password,
            becomeHow: how,
            jumps: hc.jumps.map((j) => hopOf(j, opts.acceptNewHostKeys)),
          }, { onNote: onNote && ((text) => onNote(hc.name, text)) }),
    );

/** Equal keys, the same connection: the host, its connection, how it becomes, and what its vars set. */
function keyOf(host: string, hc: HostConn, p: Privilege): string {
  const become = p.become ?? hc.become;
  const how = become ? becomeHow(hc, p) : {};
  // settings a play's or task's vars gave: another connection (another user, port or address)
  return `${host}\0${hc.connection}\0${become}\0${become ? (p.become_user ?? hc.become_user ?? '') : ''}\0${how.method ?? ''}\0${how.exe ?? ''}\0${how.flags ?? ''}${p.remote ? `\0${JSON.stringify(p.remote)}` : ''}`;
}

export class ConnectionPool {
  private readonly open = new Map<string, Promise<Connection>>();
  constructor(
    private readonly settings: (host: string, connection?: ConnectionName, fromVar?: boolean, remote?: Record<string, unknown>) => HostConn,
    private readonly connector: Connector,
  ) {}

  get(host: string, p: Privilege = {}): Promise<Connection> {
    let hc: HostConn;
    try {
      hc = this.settings(host, p.connection, p.connectionVar, p.remote);
    } catch (e) {
      // settings worked out when first needed (a host add_host added) may be wrong: the task's failure
      return Promise.reject(e);
    }
    const become = p.become ?? hc.become;
    const user = become ? (p.become_user ?? hc.become_user) : undefined;
    const key = keyOf(host, hc, p);
    let c = this.open.get(key);
    if (!c) this.open.set(key, (c = this.connector(hc, become, user, become ? becomeHow(hc, p) : {})));
    return c;
  }

  /** Which connection `get` gives for this host and privilege: equal keys, the same connection. */
  key(host: string, p: Privilege = {}): string {
    return keyOf(host, this.settings(host, p.connection, p.connectionVar, p.remote), p);
  }

  /** Ansible's connection plugin this host's connection is (`local` or `ssh`), for action plugins that ask (reboot). */
  transport(host: string, p: Privilege = {}): 'local' | 'ssh' {
    return this.settings(host, p.connection, p.connectionVar, p.remote).connection;
  }

  /** meta reset_connection: the host's connections closed (true if there were any); the next task opens anew. */
  async reset(host: string): Promise<boolean> {
    const mine = [...this.open].filter(([k]) => k.startsWith(`${host}\0`));
    for (const [k] of mine) this.open.delete(k);
    await Promise.all(mine.map(([, c]) => c.then((x) => x.close()).catch(() => undefined)));
    return mine.length > 0;
  }

  closeAll(): Promise<unknown> {
    return Promise.all([...this.open.values()].map((c) => c.then((x) => x.close()).catch(() => undefined)));
  }

  /** Ctrl-C: ends what runs on every connection. */
  killAll(): void {
    for (const c of this.open.values()) c.then((x) => x.close({ kill: true })).catch(() => undefined);
  }
}
