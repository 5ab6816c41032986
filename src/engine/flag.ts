// A boolean keyword (no_log, diff, ignore_errors, check_mode, become, run_once, any_errors_fatal) as
// Ansible takes it: true/false, or a template decided per host when the task runs
// (`ignore_errors: "{{ ansible_check_mode }}"`). Its expression was checked before the run.
import { truthy, type Scope } from '../template/expr.ts';

/** A keyword's value as Ansible's boolean() reads it: 'false', 'no', 'off', '0' in any case are false. */
const keywordBool = (v: unknown) => (typeof v === 'string' ? v !== '' && !/^(false|no|off|0|n|f)$/i.test(v) : truthy(v));
import { render } from '../template/template.ts';

/** The keyword's value on this host; throws what the expression throws (the task then fails). */
export function decide(value: boolean | string | undefined, scope: () => Scope): boolean | undefined {
  if (typeof value !== 'string') return value;
  return keywordBool(render(value, scope(), []));
}

/** As decide(), but an expression that cannot be read gives `failed` (no_log: hide all). */
export function flag<T>(value: boolean | string | undefined, scope: () => Scope, failed: T): boolean | T | undefined {
  try {
    return decide(value, scope);
  } catch {
    return failed;
  }
}
