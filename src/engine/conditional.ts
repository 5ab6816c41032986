// A condition evaluated as Ansible's Conditional does at run time: a `{{ }}` in it is warned about first
// (Ansible's warning, on stderr), then it is evaluated (template/expr.ts condition).
import { condition, conditionText, LATER, truthy, type Scope } from '../template/expr.ts';
import { isTemplate } from '../template/is-template.ts';
import { renderString } from '../template/template.ts';
import { templatedConditionWarning } from './ansible-errors.ts';
import { literalText } from '../template/unsafe.ts';

/**
 * A condition with template text that is not one whole `{{ expr }}` (`"{{ x }}" == 'a'`,
 * `{{ a }} and {{ b }}`): Ansible's Conditional templates it first, then reads the text as an expression.
 */
const templatedText = (cond: string) => isTemplate(cond) && conditionText(cond) === cond;

/** The template that checks a condition before the run (prepare.ts): as the run will evaluate it. */
export function conditionTemplate(cond: string): string {
  return templatedText(cond) ? cond : `{{ ${conditionText(cond)} }}`;
}

/** Whether `cond` holds; `warn` gets Ansible's warning when it is written with template delimiters. */
export function holds(cond: string | boolean, scope: Scope, warn?: (text: string) => void): boolean {
  if (typeof cond === 'boolean') return cond;
  // `!unsafe` text is a condition too (Conditional only disables lookups in it)
  cond = literalText(cond) ?? cond;
  if (warn && isTemplate(cond)) warn(templatedConditionWarning(cond));
  if (templatedText(cond)) {
    const text = renderString(cond, scope);
    if (text === LATER) throw new Error(`internal: condition ${cond} rendered at run time with a value only known later`);
    return typeof text === 'string' ? condition(text, scope) : truthy(text);
  }
  return condition(cond, scope);
}
