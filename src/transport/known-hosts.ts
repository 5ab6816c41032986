// OpenSSH known_hosts parsing and host key checking (the subset skiff needs; see sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT").
//
// Line:   [@revoked|@cert-authority] host-patterns key-type base64-key [comment]
// Hosts:  comma-separated patterns with `*`/`?` wildcards and `!` negation, `[host]:port` for ports other
//         than 22, or one hashed entry `|1|base64(salt)|base64(HMAC-SHA1(salt, host-string))`.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type HostKeyVerdict = 'match' | 'mismatch' | 'unknown';

interface KnownHostsEntry {
  marker: '' | '@revoked' | '@cert-authority';
  hosts: string;
  keyType: string;
  key: Buffer;
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. Lower-cased as ssh does. */
export function hostString(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

function parse(text: string): KnownHostsEntry[] {
  const out: KnownHostsEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(/\s+/);
    let marker: KnownHostsEntry['marker'] = '';
    if (f[0].startsWith('@')) {
      if (f[0] !== '@revoked' && f[0] !== '@cert-authority') continue; // unknown marker: ignored, as ssh does
      marker = f.shift() as KnownHostsEntry['marker'];
    }
    if (f.length < 3) continue; // malformed (or an old SSH1 "bits e n" line): skipped
    out.push({ marker, hosts: f[0], keyType: f[1], key: Buffer.from(f[2], 'base64') });
  }
  return out;
}

function wildcardMatch(pattern: string, s: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(s);
}

/** Whether a host-patterns field covers `name` (already in hostString() form). */
function hostsMatch(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (!salt || !hash) return false;
    const want = Buffer.from(hash, 'base64');
    const got = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
    return want.length === got.length && timingSafeEqual(want, got);
  }
  // OpenSSH match_hostname(): a matching negated pattern excludes the host whatever else matches.
  let found = false;
  for (const p of hosts.split(',')) {
    if (p.startsWith('!')) {
      if (wildcardMatch(p.slice(1), name)) return false;
    } else if (wildcardMatch(p, name)) {
      found = true;
    }
  }
  return found;
}

/**
 * Checks a server's host key against known_hosts text.
 * - 'match': some (non-revoked) entry for the host has exactly this key.
 * - 'mismatch': the key is listed as @revoked for the host, or the host has entries of this key
 *   type and none is this key.
 * - 'unknown': no entry of this key type for the host. Like OpenSSH, a host known only by keys of
 *   other types is 'unknown' for a new type (the caller decides whether to accept it).
 * @cert-authority lines are skipped (skiff does not do host certificates).
 */
export function checkHostKey(
  knownHostsText: string,
  host: string,
  port: number,
  keyType: string,
  keyBase64: string,
): HostKeyVerdict {
  const name = hostString(host, port);
  const key = Buffer.from(keyBase64, 'base64');
  let matched = false;
  let sameTypeOther = false;
  for (const e of parse(knownHostsText)) {
    if (e.marker === '@cert-authority' || !hostsMatch(e.hosts, name)) continue;
    const same = e.key.equals(key);
    if (e.marker === '@revoked') {
      if (same) return 'mismatch';
    } else if (same) {
      matched = true;
    } else if (e.keyType === keyType) {
      sameTypeOther = true;
    }
  }
  return matched ? 'match' : sameTypeOther ? 'mismatch' : 'unknown';
}

/** Key types recorded (non-revoked, non-CA) for a host, in file order: used to prefer them in negotiation. */
export function knownKeyTypes(knownHostsText: string, host: string, port: number): string[] {
  const name = hostString(host, port);
  const types = parse(knownHostsText)
    .filter((e) => e.marker === '' && hostsMatch(e.hosts, name))
    .map((e) => e.keyType);
  return [...new Set(types)];
}

/** `SHA256:<unpadded base64>` of the raw key blob, as `ssh-keygen -l` and ssh print it. */
export function fingerprintSha256(keyBase64: string): string {
  const digest = createHash('sha256').update(Buffer.from(keyBase64, 'base64')).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}

/** A plain (unhashed) known_hosts line, without trailing newline. */
export function formatKnownHostsLine(host: string, port: number, keyType: string, keyBase64: string): string {
  return `${hostString(host, port)} ${keyType} ${keyBase64}`;
}

/** The key type named inside an SSH public key blob (its first length-prefixed string). */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) throw new Error('host key blob too short');
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > blob.length) throw new Error('malformed host key blob');
  return blob.subarray(4, 4 + len).toString('latin1');
}
