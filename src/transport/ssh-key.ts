// Private key files, read and parsed by ssh2's key parser alone: `skiff validate` checks every key
// (readable, parsed, decrypted) without loading the rest of ssh2 (client, agent, SFTP: most of its
// start-up cost), which only a run that connects needs (ssh-auth.ts).
import { readFileSync } from 'node:fs';
import keyParser from 'ssh2/lib/protocol/keyParser.js';

type ParsedKey = ReturnType<typeof keyParser.parseKey>;
export interface LoadedKey {
  key?: Exclude<ParsedKey, Error | unknown[]>;
  encrypted: boolean;
  error?: string;
}

/**
 * Key files read and decrypted once per run, per passphrase: decrypting an OpenSSH key (bcrypt KDF) costs
 * ~0.6 s, and the check before the run and every connection that uses the key would each pay it again.
 */
const loaded = new Map<string, LoadedKey>();

export function loadKey(file: string, passphrase?: string): LoadedKey {
  const id = `${file}\0${passphrase ?? ''}`;
  let k = loaded.get(id);
  if (k) return k;
  let data: Buffer | undefined;
  try {
    data = readFileSync(file);
  } catch (e) {
    k = { encrypted: false, error: `cannot read it: ${(e as Error).message}` };
  }
  if (data) {
    const parsed = keyParser.parseKey(data, passphrase);
    if (parsed instanceof Error) k = { encrypted: /encrypted|passphrase|bad decrypt/i.test(parsed.message), error: parsed.message };
    else k = { key: (Array.isArray(parsed) ? parsed[0] : parsed) as LoadedKey['key'], encrypted: false };
  }
  loaded.set(id, k!);
  return k!;
}

/** Can this key file be used as given (read, parsed, decrypted)? An error says why not. */
export function keyProblem(file: string, passphrase?: string): { encrypted: boolean; error?: string } {
  const { encrypted, error } = loadKey(file, passphrase);
  return { encrypted, error };
}
