// Secrets never reach the terminal, the JSON report, the retry file or a diff. A var is secret when its
// name says so (password, secret, token, objstore, credential...) or when it is listed in `secret_vars`.
// Every value decrypted from an ansible-vault is secret too, whatever its name (vault/revealed.ts).
import { revealedValues } from '../vault/revealed.ts';
const SECRET_NAME = /(passw|passphrase|secret|token|objstore|credential|access_key|api_key)/i;

export function isSecretName(name: string, listed: unknown): boolean {
  return SECRET_NAME.test(name) || (Array.isArray(listed) && listed.includes(name));
}

/** Every string leaf (>= 4 chars) of every secret var, and every vault-decrypted value: what redact() hides. */
export function secretValues(vars: Record<string, unknown>): string[] {
  const out = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string' && v.length >= 4) out.add(v);
    else if (typeof v === 'number' && String(v).length >= 4) out.add(String(v));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  for (const [k, v] of Object.entries(vars)) if (isSecretName(k, vars.secret_vars)) walk(v);
  for (const v of revealedValues()) out.add(v);
  // Longest first, so a secret that contains another is hidden whole.
  return [...out].sort((a, b) => b.length - a.length);
}

export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('********');
  return out;
}
