// The vault and unvault filters (lib/ansible/plugins/filter/encryption.py): a text sealed with a password
// given in the template (not the run's), and vault text opened with one.
import { ExprError, pyStr, typeName } from './expr-error.ts';
import { isVaulted } from '../vault/envelope.ts';
import { decryptText, VaultEncrypted } from '../vault/encrypted.ts';
import { sealVault, type VaultSecret } from '../vault/vaultlib.ts';

type Fn = (v: unknown, args: unknown[], kw: Record<string, unknown>) => unknown;

/** A filter argument by position or by name (Python's call binding), else its default. */
const arg = (args: unknown[], kw: Record<string, unknown>, i: number, name: string, dflt: unknown) => (args.length > i ? args[i] : Object.hasOwn(kw, name) ? kw[name] : dflt);

const secretOf = (secret: unknown, id: unknown, what: string): VaultSecret => {
  if (typeof secret !== 'string') throw new ExprError(`Secret passed is required to be ${what} string, instead we got: <class '${typeName(secret)}'>`);
  return { id: pyStr(id), password: Buffer.from(secret, 'utf8'), from: 'the vault filter' };
};

export const VAULT_FILTERS: Record<string, Fn> = {
  // do_vault(data, secret, salt=None, vaultid='filter_default', wrap_object=False)
  vault: (data, args, kw) => {
    const s = secretOf(arg(args, kw, 0, 'secret', undefined), arg(args, kw, 2, 'vaultid', 'filter_default'), 'a');
    if (typeof data !== 'string') throw new ExprError(`Can only vault strings, instead we got: <class '${typeName(data)}'>`);
    const salt = arg(args, kw, 1, 'salt', null);
    if (salt !== null && salt !== undefined && pyStr(salt) === '') throw new ExprError('Unable to encrypt: Empty or invalid salt passed');
    // VaultAES256.encrypt: a given salt is its text's bytes (the same salt, the same vault text)
    const text = sealVault(Buffer.from(data, 'utf8'), s, salt === null || salt === undefined ? undefined : Buffer.from(pyStr(salt), 'utf8'));
    return arg(args, kw, 3, 'wrap_object', false) === true ? new VaultEncrypted(text, [s]) : text;
  },
  // do_unvault(vault, secret, vaultid='filter_default'): text that is not vault text is given back as it is
  unvault: (vault, args, kw) => {
    const s = secretOf(arg(args, kw, 0, 'secret', undefined), arg(args, kw, 1, 'vaultid', 'filter_default'), 'as');
    if (vault instanceof VaultEncrypted) return vault.data([s]);
    if (typeof vault !== 'string') throw new ExprError(`Vault should be in the form of a string, instead we got: <class '${typeName(vault)}'>`);
    if (!isVaulted(vault)) return vault;
    try {
      return decryptText(vault, [s]);
    } catch (e) {
      throw new ExprError(`Unable to decrypt: ${(e as Error).message}`);
    }
  },
};
