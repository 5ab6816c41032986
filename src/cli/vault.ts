// The vault passwords of a run, validate or inventory invocation: its --vault-id / --vault-password-file /
// --ask-vault-pass flags, ANSIBLE_VAULT_PASSWORD_FILE, and ansible.cfg's vault_password_file, which
// Ansible adds to the others (it does not replace them).
import { vaultSecretsFromFlags, type VaultFlagValues } from '../cli-vault.ts';
import type { InputProblem } from '../util/errors.ts';
import type { VaultSecret } from '../vault/vaultlib.ts';
import type { ResolvedConfig } from './config.ts';
import type { Values } from './spec.ts';

export async function vaultOf(values: Values, config: ResolvedConfig): Promise<{ secrets?: VaultSecret[]; problems: InputProblem[] }> {
  const o = values as VaultFlagValues;
  const fromCfg = config.sources.vault_password_file?.kind === 'file' ? config.values.vault_password_file : undefined;
  const files = [...(o['vault-password-file'] ?? []), ...(typeof fromCfg === 'string' ? [fromCfg] : [])];
  return vaultSecretsFromFlags({ ...o, 'vault-password-file': files });
}
