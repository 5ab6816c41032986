// The text form of an ansible-vault value, as lib/ansible/parsing/vault/__init__.py writes and reads it:
//   $ANSIBLE_VAULT;1.1;AES256            (1.2 adds ";<vault id>")
//   hex(hex(salt) \n hex(hmac) \n hex(ciphertext))   in lines of 80 columns, each ending in \n
// The hex is doubled: Ansible calls the outer layer "unnecessary but getting rid of it is a backwards
// incompatible vault format change". Nothing here decrypts: it only takes the text apart.

export const HEADER = '$ANSIBLE_VAULT';
/** The vault id of a 1.1 file, and of a password given without a label (Ansible's DEFAULT_VAULT_IDENTITY). */
export const DEFAULT_ID = 'default';

export interface Envelope {
  version: '1.1' | '1.2';
  cipher: 'AES256';
  /** the label in a 1.2 header; DEFAULT_ID for 1.1 */
  vaultId: string;
  salt: Buffer;
  /** the HMAC (32 bytes when whole): compared in constant time by the cipher, never by this module */
  hmac: Buffer;
  ciphertext: Buffer;
}

/** Whether text is vault data, as Ansible's is_encrypted() decides it: it starts with the header. */
export function isVaulted(text: string): boolean {
  return text.startsWith(HEADER);
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Buffer.from(s, 'hex') stops silently at the first bad character: Python's unhexlify refuses it, so do we. */
function unhex(s: string, what: string): Buffer | string {
  if (!HEX.test(s)) return `${what} is not hexadecimal text of even length`;
  return Buffer.from(s, 'hex');
}

/** Takes vault text apart, or says why it is not vault text (a reason, never the text itself). */
export function parseEnvelope(text: string): Envelope | { error: string } {
  if (!isVaulted(text)) return { error: `it does not start with ${HEADER}` };
  // Python's splitlines(): \n, \r\n and \r all end a line
  const lines = text.split(/\r\n|\r|\n/);
  const head = lines[0].trim().split(';').map((s) => s.trim());
  const [, version, cipher, id] = head;
  if (version !== '1.1' && version !== '1.2') return { error: `version ${JSON.stringify(version ?? '')} in its header, expected 1.1 or 1.2` };
  if (cipher !== 'AES256') return { error: `cipher ${JSON.stringify(cipher ?? '')} in its header, expected AES256` };
  if (head.length > 4) return { error: `${head.length} fields in its header, expected at most 4` };
  const outer = unhex(lines.slice(1).join(''), 'the encrypted data');
  if (typeof outer === 'string') return { error: outer };
  const parts = splitN(outer.toString('latin1'), '\n', 3);
  if (parts.length < 3) return { error: 'the encrypted data does not hold a salt, an HMAC and a ciphertext' };
  const salt = unhex(parts[0], 'the salt');
  const hmac = unhex(parts[1], 'the HMAC');
  const ciphertext = unhex(parts[2], 'the ciphertext');
  for (const p of [salt, hmac, ciphertext]) if (typeof p === 'string') return { error: p };
  if ((salt as Buffer).length === 0) return { error: 'the salt is empty' };
  // Ansible reads a vault id only from a header of four fields (whatever the version says)
  return { version, cipher, vaultId: id || DEFAULT_ID, salt: salt as Buffer, hmac: hmac as Buffer, ciphertext: ciphertext as Buffer };
}

/** Python's str.split(sep, n - 1): at most n parts, the last one keeps the separators. */
function splitN(s: string, sep: string, n: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (out.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + sep.length);
  }
  out.push(rest);
  return out;
}

/**
 * Vault text for an encrypted value, byte for byte as format_vaulttext_envelope() writes it: version
 * 1.2 with the id in the header when the id is not "default", else 1.1; lowercase hex; 80 columns;
 * a final newline.
 */
export function formatEnvelope(e: { salt: Buffer; hmac: Buffer; ciphertext: Buffer; vaultId?: string }): string {
  const inner = [e.salt.toString('hex'), e.hmac.toString('hex'), e.ciphertext.toString('hex')].join('\n');
  const body = Buffer.from(inner, 'latin1').toString('hex');
  const labelled = !!e.vaultId && e.vaultId !== DEFAULT_ID;
  const header = labelled ? `${HEADER};1.2;AES256;${e.vaultId}` : `${HEADER};1.1;AES256`;
  const lines = [header];
  for (let i = 0; i < body.length; i += 80) lines.push(body.slice(i, i + 80));
  return lines.join('\n') + '\n';
}
