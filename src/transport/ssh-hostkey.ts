// Host key verification for one SSH hop (a host, or a jump host on the way to it): against known_hosts,
// plain and hashed entries, with OpenSSH's algorithm preference for keys already recorded. A changed
// key is never accepted; an unknown one only with --accept-new-host-keys (or StrictHostKeyChecking
// accept-new in ~/.ssh/config).
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ConnectConfig } from 'ssh2';
import { checkHostKey, fingerprintSha256, formatKnownHostsLine, keyTypeOfBlob, knownKeyTypes, type HostKeyVerdict } from './known-hosts.ts';
import { HostKeyMismatchError, UnreachableError } from './types.ts';

// ssh2's default host key algorithm order (same list, spelled out so it can be reordered).
const HOST_KEY_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

export async function readKnownHosts(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw e;
  }
}

/**
 * Like OpenSSH, offer the host key algorithms already recorded for this host first; otherwise a host
 * known by (say) its ECDSA key would negotiate ed25519 and look "unknown".
 */
export function hostKeyAlgorithms(knownTypes: string[]): string[] | undefined {
  const first = knownTypes.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
  const preferred = HOST_KEY_ALGORITHMS.filter((a) => first.includes(a));
  if (preferred.length === 0) return undefined;
  return [...preferred, ...HOST_KEY_ALGORITHMS.filter((a) => !preferred.includes(a))];
}

export interface KeyCheck {
  /** the inventory name, for messages and HostKeyMismatchError */
  host: string;
  address: string;
  port: number;
  knownHostsFile: string;
  acceptNewHostKeys: boolean;
  /** makes the error this hop reports (it names the hop) */
  unreachable(msg: string): UnreachableError;
}

/**
 * The algorithms and hostVerifier for ssh2's ConnectConfig, and the reason of a refusal (ssh2 itself
 * only says "Host denied").
 */
export async function hostKeyCheck(c: KeyCheck): Promise<{ config: Pick<ConnectConfig, 'algorithms' | 'hostVerifier'>; refusal: () => UnreachableError | undefined }> {
  // Names this host may be recorded under; a match on either is a match, a mismatch on either refuses.
  const names = c.host === c.address ? [c.address] : [c.address, c.host];
  let text: string;
  try {
    text = await readKnownHosts(c.knownHostsFile);
  } catch (e) {
    throw c.unreachable(`cannot read known_hosts ${c.knownHostsFile}: ${(e as Error).message}`);
  }
  const algos = hostKeyAlgorithms(names.flatMap((n) => knownKeyTypes(text, n, c.port)));
  let refusal: UnreachableError | undefined;
  const hostVerifier = (key: Buffer, verify: (ok: boolean) => void): void => {
    void (async () => {
      const keyType = keyTypeOfBlob(key);
      const b64 = key.toString('base64');
      const fp = fingerprintSha256(b64);
      // re-read: another connection (same address, other inventory name) may have appended meanwhile
      const now = await readKnownHosts(c.knownHostsFile);
      const verdicts: HostKeyVerdict[] = names.map((n) => checkHostKey(now, n, c.port, keyType, b64));
      if (verdicts.includes('mismatch')) {
        refusal = new HostKeyMismatchError(c.host, fp, c.knownHostsFile);
        return verify(false);
      }
      if (verdicts.includes('match')) return verify(true);
      if (!c.acceptNewHostKeys) {
        refusal = c.unreachable(`host key is not in ${c.knownHostsFile} (${keyType} ${fp}); check the fingerprint and rerun with --accept-new-host-keys to record it`);
        return verify(false);
      }
      await mkdir(dirname(c.knownHostsFile), { recursive: true, mode: 0o700 });
      const sep = now !== '' && !now.endsWith('\n') ? '\n' : '';
      await appendFile(c.knownHostsFile, `${sep}${formatKnownHostsLine(c.address, c.port, keyType, b64)}\n`, { mode: 0o600 });
      verify(true);
    })().catch((e: Error) => {
      refusal = c.unreachable(`host key check failed (${c.knownHostsFile}): ${e.message}`);
      verify(false);
    });
  };
  const config: Pick<ConnectConfig, 'algorithms' | 'hostVerifier'> = { hostVerifier };
  if (algos) config.algorithms = { serverHostKey: algos as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] };
  return { config, refusal: () => refusal };
}
