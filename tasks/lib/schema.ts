// Parameter pieces shared by task schemas.
import * as v from 'valibot';
import { MODE_EXPECTED, parseMode } from './mode.ts';
import { FALSES, TRUES } from '../../src/engine/flag.ts';

/**
 * A boolean module parameter as Ansible's argument spec takes it (type bool, convert_bool.py): true/false,
 * or yes/no, on/off, true/false, y/n, t/f, 1/0 as text in any case, or the numbers 1/0, which is what
 * `follow=yes` in the free form and `"{{ 'no' }}"` give.
 */
const TRUE = ['y', 'yes', 'on', '1', 'true', 't'];
const FALSE = ['n', 'no', 'off', '0', 'false', 'f'];
export function ansibleBool(x: unknown): boolean | undefined {
  if (typeof x === 'boolean') return x;
  if (x === 1 || x === 0) return x === 1;
  if (typeof x !== 'string') return undefined;
  const s = x.toLowerCase();
  return TRUE.includes(s) ? true : FALSE.includes(s) ? false : undefined;
}
export const Bool = v.pipe(
  v.union([v.boolean(), v.string(), v.number()], 'expected true or false'),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const b = ansibleBool(dataset.value);
    if (b === undefined) {
      addIssue({ message: 'expected true or false (or yes/no, on/off, 1/0)' });
      return NEVER;
    }
    return b;
  }),
);

/**
 * Ansible's `unsafe_writes` (the files doc fragment): where a file cannot be replaced atomically, write it
 * in place instead of failing (tasks/lib/files.ts tempBeside). Unset: the host's ANSIBLE_UNSAFE_WRITES.
 */
export const UNSAFE_WRITES = { unsafe_writes: v.optional(Bool) };

/** A number module parameter (type int/float): a number, or its digits as text (`timeout=10` in the free form). */
export const Num = v.union([v.number(), v.pipe(v.string(), v.regex(/^\s*-?\d+(?:\.\d+)?\s*$/), v.transform(Number))], 'expected a number');

export const AbsPath = v.pipe(v.string(), v.regex(/^\//, 'expected an absolute path'));
/** A `str` option as Ansible's modules take it: a number or a boolean becomes its Python text (`yes` is 'True'). */
export const PyStr = v.pipe(
  v.union([v.string(), v.number(), v.boolean()], 'expected a string'),
  v.transform((x) => (typeof x === 'boolean' ? (x ? 'True' : 'False') : String(x))),
);
/**
 * A path on the host as Ansible's `type='path'` options take it: `~`, `$VAR` and relative paths are
 * the host's to resolve, at run time (a task type names such params in `hostPaths`).
 */
export const HostPath = v.pipe(v.string(), v.minLength(1, 'expected a path'));
/**
 * A mode as Ansible reads it: octal written with its leading 0 (`0644` unquoted, which the YAML loader
 * keeps as that text, or `"0644"`), 3 or 4 octal digits quoted, or symbolic (`"u=rw,g=r,o="`). A bare
 * `644` is refused: YAML makes it the decimal 644, which Ansible would turn into mode 01204.
 */
export const Mode = v.pipe(
  v.union([v.string(), v.number()], MODE_EXPECTED),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const r = parseMode(dataset.value);
    if ('error' in r) {
      addIssue({ message: r.error });
      return NEVER;
    }
    return r.mode;
  }),
);
/** Mode, or copy's `preserve`: the source file's mode. */
export const ModeOrPreserve = v.union([v.literal('preserve'), Mode], (issue) => (issue.input === 'preserve' ? '' : issue.issues?.at(-1)?.message ?? MODE_EXPECTED));
export const Owner = v.pipe(v.union([v.string(), v.number()]), v.transform(String));
/** A Prometheus label name (external labels, the query's replica label). */
export const LabelName = v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a Prometheus label name'));

/** A regular expression, as line and lineinfile take it (JavaScript's syntax; the common cases read as in Python). */
export const Regex = v.pipe(
  v.string(),
  v.check((s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  }, 'expected a valid regular expression'),
);

// Ansible's booleans (module_utils.parsing.convert_bool): true/false, yes/no, on/off, 1/0, y/n, t/f
export const AnsibleBool = v.pipe(
  v.union([v.boolean(), v.string(), v.number()], 'expected true or false'),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const x = dataset.value;
    if (typeof x === 'boolean') return x;
    const s = String(x).toLowerCase();
    if (TRUES.includes(s)) return true;
    if (FALSES.includes(s)) return false;
    // Ansible's text, so a playbook's check of the message reads the same
    addIssue({ message: `The value ${JSON.stringify(x)} is not a valid boolean: expected one of ${[...TRUES, ...FALSES].join(', ')}` });
    return NEVER;
  }),
);

/** A whole number as Ansible's `int` type reads it: an integer, a float cut down, or a text of digits. */
export const AnsibleInt = v.pipe(
  v.union([v.number(), v.string()], 'expected a whole number'),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const x = dataset.value;
    if (typeof x === 'number') return Math.trunc(x);
    if (/^\s*[-+]?\d+\s*$/.test(x)) return parseInt(x, 10);
    addIssue({ message: `got ${JSON.stringify(x)}, unable to convert to int: expected a whole number` });
    return NEVER;
  }),
);
