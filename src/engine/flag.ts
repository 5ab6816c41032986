// A boolean keyword (no_log, diff, ignore_errors, check_mode, become, run_once, any_errors_fatal) as
// Ansible takes it: true/false, or a template decided per host when the task runs
// (`ignore_errors: "{{ ansible_check_mode }}"`). Its expression was checked before the run.
import type { Scope } from '../template/expr.ts';

import { render } from '../template/template.ts';
import { OMIT } from './omit.ts';
import { isNumber } from '../template/py-float.ts';

/** a task's boolean keywords (Ansible's isa='bool' field attributes of Base, Conditional, Become, Task) */
export const FLAG_KEYWORDS = ['no_log', 'diff', 'ignore_errors', 'ignore_unreachable', 'check_mode', 'become', 'run_once', 'any_errors_fatal', 'delegate_facts'] as const;

/** Ansible's boolean words (module_utils.parsing.convert_bool), lower case */
export const TRUES = ['y', 'yes', 'on', '1', 'true', 't'];
export const FALSES = ['n', 'no', 'off', '0', 'false', 'f'];
const VALID = [...TRUES, ...FALSES].map((x) => `'${x}'`).concat(['1', '0']).join(', ');

/**
 * A keyword's value as Ansible's post-validation reads it (boolean(value, strict=True)): the words of
 * convert_bool in any case and spacing, 1 and 0; anything else fails the task with Ansible's message.
 */
export function keywordBool(value: unknown, name: string): boolean {
  if (typeof value === 'boolean') return value;
  // a template that comes to None: unset, as Ansible's post-validation skips a None keyword
  if (value === null || value === undefined) return false;
  const word = typeof value === 'string' ? value.trim().toLowerCase() : isNumber(value) ? String(Number(value)) : undefined;
  if (word !== undefined && TRUES.includes(word)) return true;
  if (word !== undefined && FALSES.includes(word)) return false;
  const shown = typeof value === 'string' ? value : isNumber(value) ? String(value) : JSON.stringify(value);
  const why = `The value '${shown}' is not a valid boolean.  Valid booleans include: ${VALID}`;
  throw new Error(`the field '${name}' has an invalid value (${shown}), and could not be converted to an bool.The error was: ${why}`);
}

/** The keyword's value on this host; throws what the expression throws, or a value no boolean (the task then fails). */
export function decide(value: boolean | string | undefined, scope: () => Scope, name = 'value', enclosing?: boolean | string): boolean | undefined {
  if (typeof value !== 'string') return value;
  const v = /\{[{%]/.test(value) ? render(value, scope(), []) : value;
  // `become: "{{ omit }}"`: the value of what encloses the task, as Ansible's post_validate takes omit
  // (set_to_context; omit target)
  if (v === OMIT) return enclosing === undefined ? undefined : decide(enclosing, scope, name);
  return keywordBool(v, name);
}

/** As decide(), but an expression that cannot be read gives `failed` (no_log: hide all). */
export function flag<T>(value: boolean | string | undefined, scope: () => Scope, failed: T, enclosing?: boolean | string): boolean | T | undefined {
  try {
    return decide(value, scope, 'value', enclosing);
  } catch {
    return failed;
  }
}
