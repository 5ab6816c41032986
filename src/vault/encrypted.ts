// Ansible's AnsibleVaultEncryptedUnicode: vault text that is decrypted only when its value is needed,
// as the `vault(..., wrap_object=True)` filter gives it. Its str() is its plaintext; it knows the
// passwords it may be opened with (the filter's own), else the run's.
import { ExprError, PYTYPE, pyRepr, pyStr, type PyObject } from '../template/expr-error.ts';
import { markRevealed } from './revealed.ts';
import { openVault, type VaultSecret } from './vaultlib.ts';

/** The run's vault passwords (lookup/base.ts's useVaultSecrets sets them too). */
let runSecrets: readonly VaultSecret[] = [];
export function useRunSecrets(secrets: readonly VaultSecret[]): void {
  runSecrets = secrets;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Vault text decrypted with these secrets (VaultLib.decrypt), or Ansible's error: no secrets at all is
 * "Attempting to decrypt but no vault secrets found"; none that fits, "Decryption failed".
 */
export function decryptText(vaulttext: string, secrets: readonly VaultSecret[]): string {
  if (!secrets.length) throw new ExprError('Attempting to decrypt but no vault secrets found');
  const r = openVault(vaulttext, secrets);
  if ('error' in r) throw new ExprError(r.kind === 'wrong password' ? 'Decryption failed (no vault secrets were found that could decrypt)' : r.error);
  let text: string;
  try {
    text = utf8.decode(r.plaintext);
  } catch {
    throw new ExprError('the decrypted vault data is not UTF-8: expected text');
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
  toJSON(): string {
    return this.data();
  }
}
Object.defineProperty(VaultEncrypted.prototype, PYTYPE, { value: 'AnsibleVaultEncryptedUnicode' });
