// Ansible's VaultLib: which password decrypts a value, and which one encrypts. Results are values,
// never exceptions: the caller knows the file and position to name.
import { decrypt, encrypt } from './aes256.ts';
import { DEFAULT_ID, formatEnvelope, parseEnvelope } from './envelope.ts';

/** One password, under the vault id (label) it was given with: `--vault-id prod@file` is "prod". */
export interface VaultSecret {
  id: string;
  password: Buffer;
  /** where it came from, for messages: a file name or "prompt" (never the password) */
  from: string;
}

export type Opened = { plaintext: Buffer; secret: VaultSecret; vaultId: string } | { error: string; kind: 'format' | 'no password' | 'wrong password' };

/**
 * Decrypts vault text with the first secret that fits. Ansible tries every secret it has, whatever
 * the header's vault id (the id is not signed: only a hint); the ones given under the header's id
 * are tried first, so a file labelled "prod" costs one key derivation, not one per password.
 */
export function openVault(text: string, secrets: readonly VaultSecret[]): Opened {
  const env = parseEnvelope(text);
  if ('error' in env) return { kind: 'format', error: `not ansible-vault text: ${env.error}` };
  if (!secrets.length) return { kind: 'no password', error: `encrypted (vault id ${JSON.stringify(env.vaultId)}) and no vault password was given: expected --vault-password-file FILE, --vault-id LABEL@FILE, --ask-vault-pass or ANSIBLE_VAULT_PASSWORD_FILE` };
  const ordered = [...secrets.filter((s) => s.id === env.vaultId), ...secrets.filter((s) => s.id !== env.vaultId)];
  for (const s of ordered) {
    const r = decrypt(env, s.password);
    if ('plaintext' in r) return { plaintext: r.plaintext, secret: s, vaultId: env.vaultId };
    if (r.error === 'corrupt') return { kind: 'format', error: 'the HMAC fits but the decrypted data has bad padding: expected data written by ansible-vault' };
  }
  const tried = ordered.map((s) => `${s.id} (${s.from})`).join(', ');
  return { kind: 'wrong password', error: `no vault password given fits (vault id ${JSON.stringify(env.vaultId)}; tried ${tried}): expected the password it was encrypted with` };
}

/** Vault text of plaintext encrypted with secret; a labelled secret makes a 1.2 header, as in Ansible. */
export function sealVault(plaintext: Buffer, secret: VaultSecret, salt?: Buffer): string {
  return formatEnvelope({ ...encrypt(plaintext, secret.password, salt), vaultId: secret.id });
}

/**
 * The secret to encrypt with, as Ansible's match_encrypt_secret() and ansible-vault pick it: the one
 * named by --encrypt-vault-id, else the only one given; with several and no choice, an error.
 */
export function encryptSecret(secrets: readonly VaultSecret[], encryptId?: string): VaultSecret | { error: string } {
  if (encryptId) {
    const s = secrets.find((x) => x.id === encryptId);
    return s ?? { error: `--encrypt-vault-id ${JSON.stringify(encryptId)} names no vault id given: expected one of ${secrets.map((x) => x.id).join(', ') || '(none)'}` };
  }
  if (secrets.length > 1) return { error: `the vault ids ${secrets.map((x) => x.id).join(', ')} are available to encrypt: expected --encrypt-vault-id to choose one` };
  return secrets[0] ?? { error: 'a vault password is required to encrypt: expected --vault-password-file FILE, --vault-id LABEL@FILE or --ask-vault-pass' };
}

export { DEFAULT_ID };
