// Parameter pieces shared by task schemas.
import * as v from 'valibot';

export const AbsPath = v.pipe(v.string(), v.regex(/^\//, 'expected an absolute path'));
/**
 * Modes are quoted strings only: an unquoted 0644 is octal in YAML 1.1 but 644 is decimal, and
 * guessing which one was meant is how files end up mode 1204.
 */
export const Mode = v.pipe(
  v.string('expected a quoted octal mode like "0644"'),
  v.regex(/^[0-7]{3,4}$/, 'expected an octal mode like "0644"'),
  v.transform((s) => s.padStart(4, '0')),
);
export const Owner = v.pipe(v.union([v.string(), v.number()]), v.transform(String));
/** A Prometheus label name (external labels, the query's replica label). */
export const LabelName = v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a Prometheus label name'));
