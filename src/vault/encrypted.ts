// Ansible's AnsibleVaultEncryptedUnicode: vault text that is decrypted only when its value is needed,
// as the `vault(..., wrap_object=True)` filter gives it, and a `!vault` value the run's passwords do not
// open when loaded (util/yaml-source.ts). Its str() is its plaintext; it knows the passwords it may be
// opened with (the filter's own, those given when it was loaded), else the run's.
import { PluginError, PYTYPE, pyRepr, pyStr, type PyObject } from '../template/expr-error.ts';
import { markRevealed } from './revealed.ts';
import { isVaulted } from './envelope.ts';
import { openVault, type VaultSecret } from './vaultlib.ts';

/** What output shows for a secret (util/secrets.ts's redact writes the same). */
const HIDDEN = '********';

/** The run's vault passwords (lookup/base.ts's useVaultSecrets sets them too). */
let runSecrets: readonly VaultSecret[] = [];
export function useRunSecrets(secrets: readonly VaultSecret[]): void {
  runSecrets = secrets;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Vault text decrypted with these secrets (VaultLib.decrypt), or Ansible's error, in its order: text
 * without the vault header is "input is not vault encrypted data. "; no secrets at all, "Attempting to
 * decrypt but no vault secrets found"; none that fits, "Decryption failed". An AnsibleError: the task's
 * failure, in its words, when it runs (a rescue or ignore_errors takes it).
 */
export function decryptText(vaulttext: string, secrets: readonly VaultSecret[]): string {
  if (!isVaulted(vaulttext)) throw new PluginError('input is not vault encrypted data. ');
  if (!secrets.length) throw new PluginError('Attempting to decrypt but no vault secrets found');
  const r = openVault(vaulttext, secrets);
  if ('error' in r) throw new PluginError(r.kind === 'wrong password' ? 'Decryption failed (no vault secrets were found that could decrypt)' : r.error);
  let text: string;
  try {
    text = utf8.decode(r.plaintext);
  } catch {
    throw new PluginError('the decrypted vault data is not UTF-8: expected text');
  }
  markRevealed(text);
  return text;
}

export class VaultEncrypted implements PyObject {
  declare [PYTYPE]: string;
  constructor(
    readonly vaulttext: string,
    /** the passwords it was sealed with (the vault filter's); undefined: the run's */
    readonly secrets?: readonly VaultSecret[],
  ) {}
  /** AnsibleVaultEncryptedUnicode.data: the plaintext */
  data(secrets = this.secrets ?? runSecrets): string {
    return decryptText(this.vaulttext, secrets);
  }
  str(): string {
    return this.data();
  }
  repr(): string {
    return pyRepr(this.data());
  }
  cmp(o: unknown): number | undefined {
    const a = this.data();
    const b = o instanceof VaultEncrypted ? o.data() : typeof o === 'string' ? o : undefined;
    if (b === undefined) return undefined;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  arith(op: string, o: unknown, reflected: boolean): unknown {
    if (op !== '+' || (typeof o !== 'string' && !(o instanceof VaultEncrypted))) return undefined;
    return reflected ? pyStr(o) + this.data() : this.data() + pyStr(o);
  }
  method(): { found: false } {
    return { found: false };
  }
  /**
   * As JSON (`skiff inventory`, the report): its plaintext (hidden as a secret) when it opens; else, as
   * ansible-inventory writes it, `{"__ansible_vault": ...}`, the vault text hidden too: no output holds
   * it. A template that uses the value fails instead (str()).
   */
  toJSON(): string | { __ansible_vault: string } {
    try {
      return this.data();
    } catch (e) {
      if (e instanceof PluginError) return { __ansible_vault: HIDDEN };
      throw e;
    }
  }
}
Object.defineProperty(VaultEncrypted.prototype, PYTYPE, { value: 'AnsibleVaultEncryptedUnicode' });
