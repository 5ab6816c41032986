// A condition evaluated as Ansible's Conditional does at run time: a `{{ }}` in it is warned about first
// (Ansible's warning, on stderr), then it is evaluated (template/expr.ts condition).
import { condition, type Scope } from '../template/expr.ts';
import { isTemplate } from '../template/is-template.ts';
import { templatedConditionWarning } from './ansible-errors.ts';

/** Whether `cond` holds; `warn` gets Ansible's warning when it is written with template delimiters. */
export function holds(cond: string | boolean, scope: Scope, warn?: (text: string) => void): boolean {
  if (typeof cond === 'boolean') return cond;
  if (warn && isTemplate(cond)) warn(templatedConditionWarning(cond));
  return condition(cond, scope);
}
