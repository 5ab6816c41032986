// ansible-vault inside YAML: the `!vault |` scalar that `ansible-vault encrypt_string` prints, and whole
// files encrypted by `ansible-vault encrypt`. Decrypted when the file is loaded. A whole file that cannot
// be is bad input found before any host is contacted (Ansible's loader fails on it too); a `!vault` value
// that cannot be is kept as vault text, and fails where its plaintext is used, as in Ansible.
import { isScalar, visit, type Document, type Scalar, type ScalarTag } from 'yaml';
import { show } from '../util/errors.ts';
import { openVault, type VaultSecret } from './vaultlib.ts';

/** Read as the text it holds; decrypted by the loader once the document is known to be sound. */
export const vaultTag: ScalarTag = { tag: '!vault', resolve: (s: string) => s };

/** The `!vault` scalars of a document, in document order. Only called once its depth is bounded. */
export function vaultScalars(doc: Document): Scalar[] {
  const out: Scalar[] = [];
  visit(doc, {
    Scalar(_key, node) {
      if (isScalar(node) && node.tag === '!vault') out.push(node);
    },
  });
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The decrypted text of vault data, or a message that names the value by its header (the first
 * line: no secret in it) and says what was expected.
 */
export function openText(vaulttext: string, secrets: readonly VaultSecret[], what: string): { text: string } | { error: string } {
  const head = show(vaulttext.split('\n')[0]);
  const r = openVault(vaulttext, secrets);
  if ('error' in r) {
    if (r.kind === 'format') return { error: `${what} ${head}: ${r.error}: expected the "$ANSIBLE_VAULT;1.1;AES256" text that ansible-vault writes` };
    return { error: `${what} ${head}: ${r.error}` };
  }
  try {
    return { text: utf8.decode(r.plaintext) };
  } catch {
    return { error: `${what} ${head}: decrypted, but the plaintext is not UTF-8: expected text` };
  }
}
