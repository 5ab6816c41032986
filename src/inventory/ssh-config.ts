// ~/.ssh/config as OpenSSH applies it (npm ssh-config computes a host's settings: first match wins per
// keyword), mapped to skiff's connection settings. Inventory values win over the file (prepare()).
// Honoured: HostName, User, Port, IdentityFile (the first), ProxyJump, UserKnownHostsFile (the first),
// StrictHostKeyChecking (accept-new; a changed key is refused whatever it says), ConnectTimeout.
import { existsSync, readFileSync } from 'node:fs';
import SSHConfig from 'ssh-config';

export interface FromSshConfig {
  address?: string;
  user?: string;
  port?: number;
  private_key_file?: string;
  proxy_jump?: string;
  known_hosts_file?: string;
  connect_timeout?: number;
  accept_new_host_keys?: boolean;
}

const parsed = new Map<string, { cfg?: SSHConfig; error?: string }>();

/** The file, parsed once per run; no cfg when it does not exist (most CI machines), an error when unreadable. */
function load(file: string): { cfg?: SSHConfig; error?: string } {
  let r = parsed.get(file);
  if (!r) {
    try {
      r = existsSync(file) ? { cfg: SSHConfig.parse(readFileSync(file, 'utf8')) } : {};
    } catch (e) {
      r = { error: `cannot read ${file}: ${(e as Error).message}` };
    }
    parsed.set(file, r);
  }
  return r;
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** OpenSSH's tokens in paths: %d home, %u local user, %h host, %r remote user, %p port, %% percent. */
export function expandTokens(s: string, t: { home: string; localUser: string; host: string; user: string; port: number }): string {
  return s.replace(/%([duhrp%])/g, (_, c: string) => ({ d: t.home, u: t.localUser, h: t.host, r: t.user, p: String(t.port), '%': '%' })[c]!);
}

/** Settings the file gives `hostArg` (what ssh would be called with: ansible_host, or the name). */
export function sshConfigFor(file: string, hostArg: string, env: { home: string; localUser: string }): FromSshConfig | { error: string } {
  const { cfg, error } = load(file);
  if (error) return { error };
  if (!cfg) return {};
  const c = cfg.compute(hostArg) as Record<string, string | string[] | undefined>;
  const out: FromSshConfig = {};
  const hostName = first(c.HostName);
  if (hostName) out.address = hostName.replace(/%h/g, hostArg);
  const user = first(c.User);
  if (user) out.user = user;
  const port = Number(first(c.Port));
  if (Number.isInteger(port) && port > 0) out.port = port;
  const tokens = { ...env, host: out.address ?? hostArg, user: out.user ?? env.localUser, port: out.port ?? 22 };
  const key = first(c.IdentityFile);
  if (key) out.private_key_file = expandTokens(key, tokens);
  const jump = first(c.ProxyJump);
  if (jump && jump.toLowerCase() !== 'none') out.proxy_jump = jump;
  const kh = first(c.UserKnownHostsFile);
  if (kh) out.known_hosts_file = expandTokens(kh.split(/\s+/)[0], tokens);
  const timeout = Number(first(c.ConnectTimeout));
  if (timeout > 0) out.connect_timeout = timeout;
  const strict = first(c.StrictHostKeyChecking)?.toLowerCase();
  if (strict === 'accept-new' || strict === 'no' || strict === 'off') out.accept_new_host_keys = true;
  return out;
}

export interface JumpSpec {
  user?: string;
  host: string;
  port?: number;
}

/** Pure: ProxyJump's `[user@]host[:port]` list (comma-separated, or a YAML list), first hop first. */
export function parseJumps(value: string | string[]): { jumps: JumpSpec[] } | { error: string } {
  const parts = (Array.isArray(value) ? value : value.split(',')).map((s) => s.trim()).filter(Boolean);
  const jumps: JumpSpec[] = [];
  for (const p of parts) {
    const m = p.match(/^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s]+)(?::(\d+))?$/);
    if (!m) return { error: `${JSON.stringify(p)}: expected [user@]host[:port]` };
    const port = m[3] === undefined ? undefined : Number(m[3]);
    if (port !== undefined && (port < 1 || port > 65535)) return { error: `${JSON.stringify(p)}: port ${port}: expected 1-65535` };
    jumps.push({ user: m[1], host: m[2].replace(/^\[|\]$/g, ''), port });
  }
  if (!jumps.length) return { error: 'expected at least one jump host' };
  return { jumps };
}

/** What skiff honours of ansible_ssh_common_args / ansible_ssh_extra_args. */
export interface FromSshArgs {
  proxy_jump?: string;
  /** -o UserKnownHostsFile= (the first file) */
  known_hosts_file?: string;
  /** -o StrictHostKeyChecking=accept-new */
  accept_new_host_keys?: true;
  unsupported: string[];
}

/**
 * Pure: Ansible's ansible_ssh_common_args / ansible_ssh_extra_args, read for what skiff can honour: the
 * jump host (`-o ProxyJump=`, `-J`, or `-o ProxyCommand="ssh -W %h:%p [-q] [-p PORT] [user@]host"`), the
 * known hosts file and host key checking that stays on (`yes`, or `accept-new`: an unknown key recorded, a
 * changed one refused). Anything else cannot be honoured and is named: `StrictHostKeyChecking=no` among
 * them, as skiff always checks host keys.
 */
export function sshArgs(args: string): FromSshArgs {
  // shell words: quoted parts may sit inside a word (-o ProxyCommand="ssh -W %h:%p bastion")
  const words = args.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g)?.map((w) => w.replace(/"([^"]*)"|'([^']*)'/g, (_, a, b) => a ?? b)) ?? [];
  const out: FromSshArgs = { unsupported: [] };
  const unsupported = out.unsupported;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const opt = w === '-o' ? words[++i] : w.startsWith('-o') ? w.slice(2) : undefined;
    if (w === '-J') out.proxy_jump = words[++i];
    else if (opt !== undefined) {
      const [k, ...rest] = opt.split('=');
      const val = rest.join('=');
      if (/^proxyjump$/i.test(k)) out.proxy_jump = val;
      else if (/^proxycommand$/i.test(k)) {
        const m = val.match(/^ssh\s+(?:-q\s+)?-W\s+%h:%p(?:\s+-q)?(?:\s+-p\s+(\d+))?(?:\s+-q)?\s+(\S+)$/);
        if (m) out.proxy_jump = `${m[2]}${m[1] ? `:${m[1]}` : ''}`;
        else unsupported.push(`-o ${opt}`);
      } else if (/^userknownhostsfile$/i.test(k) && val.trim()) out.known_hosts_file ??= val.trim().split(/\s+/)[0];
      else if (/^stricthostkeychecking$/i.test(k) && /^(yes|accept-new)$/i.test(val)) {
        if (/^accept-new$/i.test(val)) out.accept_new_host_keys = true;
      } else unsupported.push(`-o ${opt}`);
    } else unsupported.push(w);
  }
  return out;
}
