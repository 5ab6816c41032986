// Every value decrypted from a vault in this process. The engine hides the values of variables it
// considers secret (util/secrets.ts); a vaulted value is secret whatever its variable is called and
// wherever it goes (a template may copy it into another variable, a task parameter, an error message),
// so the decrypted text itself is remembered and hidden everywhere output is redacted. A process-wide
// set, because the plaintext exists process-wide once decrypted; nothing is ever removed.
const revealed = new Set<string>();

/** Shorter values are not hidden by text replacement (util/secrets.ts: every "true" would go). */
export const MIN_HIDDEN = 4;

/**
 * What a template derived from a secret (`{{ db_password | b64encode }}`, template/expr.ts): hidden like
 * a vault value, but not a vault value (an inventory password equal to one is still plain text).
 */
const derived = new Set<string>();

/** Remembers every text or number inside a decrypted value (a whole vaulted file: each of its values). */
export function markRevealed(value: unknown): void {
  remember(revealed, value);
}

export function markDerived(value: unknown): void {
  remember(derived, value);
}

function remember(set: Set<string>, value: unknown): void {
  const walk = (x: unknown) => {
    if (typeof x === 'string') {
      if (x.length >= MIN_HIDDEN) set.add(x);
      // a multi-line secret (a key file) is also hidden line by line: a diff shows it by lines
      if (x.includes('\n')) for (const l of x.split('\n')) if (l.trim().length >= MIN_HIDDEN) set.add(l.trim());
    } else if (typeof x === 'number' || typeof x === 'bigint') {
      if (String(x).length >= MIN_HIDDEN) set.add(String(x));
    } else if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') Object.values(x).forEach(walk);
  };
  walk(value);
}

/** Every value to hide: the decrypted ones and those derived from secrets. */
export function revealedValues(): string[] {
  return [...revealed, ...derived];
}

/** Whether this text was decrypted from a vault. */
export function isRevealed(s: string): boolean {
  return revealed.has(s);
}
