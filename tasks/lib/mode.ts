// File modes as Ansible reads them: octal ("0644", or 0644 unquoted, which the YAML loader keeps as the
// text written: see src/util/yaml-source.ts) or symbolic ("u=rwx,g=rx,o="). A symbolic mode is given to
// chmod as written; to compare it with what is on the host it is computed against the current mode.

const OCTAL = /^[0-7]{3,4}$/;
const CLAUSE = /^([ugoa]*)([-+=])([rwxXstugo]*)$/;

export const MODE_EXPECTED = 'expected an octal mode with its leading 0 (0644 or "0644") or a symbolic one ("u=rw,g=r,o=")';

/** The mode as skiff keeps it ("0644" or the symbolic text), or why it is refused. Pure. */
export function parseMode(value: unknown): { mode: string } | { error: string } {
  if (typeof value === 'number')
    return { error: `${MODE_EXPECTED}: YAML reads an unquoted ${value} without a leading 0 as the decimal number ${value} (Ansible would set mode 0${value.toString(8)})` };
  if (typeof value !== 'string') return { error: MODE_EXPECTED };
  if (OCTAL.test(value)) return { mode: value.padStart(4, '0') };
  // more leading zeros ("02770", a setgid directory's mode as roles write it): Ansible reads any digits as octal
  if (/^0+[0-7]{1,4}$/.test(value)) return { mode: parseInt(value, 8).toString(8).padStart(4, '0') };
  if (value.split(',').every((c) => CLAUSE.test(c))) return { mode: value };
  return { error: MODE_EXPECTED };
}

export const isSymbolic = (mode: string): boolean => !OCTAL.test(mode);

/**
 * The octal mode ("0750") that `chmod MODE` leaves on a path whose mode is `current`, as GNU chmod
 * computes it (no umask: an empty "who" is everyone, as Ansible applies it). Pure.
 */
export function effectiveMode(mode: string, current: string | undefined, isDir: boolean): string {
  if (!isSymbolic(mode)) return mode;
  let m = parseInt(current ?? (isDir ? '0755' : '0644'), 8);
  for (const clause of mode.split(',')) {
    const [, who, op, perms] = CLAUSE.exec(clause)!;
    const classes = who === '' || who.includes('a') ? 'ugo' : who;
    let add = 0;
    let clear = 0;
    for (const c of classes) {
      const shift = c === 'u' ? 6 : c === 'g' ? 3 : 0;
      clear |= (7 << shift) | (c === 'u' ? 0o4000 : c === 'g' ? 0o2000 : 0o1000);
      for (const p of perms) {
        if (p === 'r') add |= 4 << shift;
        else if (p === 'w') add |= 2 << shift;
        else if (p === 'x' || (p === 'X' && (isDir || (m & 0o111) !== 0))) add |= 1 << shift;
        else if (p === 's') add |= c === 'u' ? 0o4000 : c === 'g' ? 0o2000 : 0;
        else if (p === 't') add |= c === 'o' ? 0o1000 : 0;
        else if ('ugo'.includes(p)) add |= ((m >> (p === 'u' ? 6 : p === 'g' ? 3 : 0)) & 7) << shift;
      }
    }
    m = op === '+' ? m | add : op === '-' ? m & ~add : (m & ~clear) | add;
  }
  return m.toString(8).padStart(4, '0');
}
