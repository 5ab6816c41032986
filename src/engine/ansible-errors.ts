// Ansible's own texts for a task that meets an undefined variable when it runs (playbook/base.py,
// playbook/conditional.py, errors/__init__.py of ansible-core 2.14): targets and users test them
// (`'is undefined' in ansible_failed_result.msg`), so they are Ansible's word for word.
import { resolve } from 'node:path';
import type { TaskDef } from '../playbook/load.ts';
import { problemAt } from '../util/yaml-source.ts';
import { PluginError, PyException, undefinedText } from '../template/expr-error.ts';
import { TaskFailure } from './task-type.ts';
import { UnknownPlugin } from '../template/py-plugins.ts';

/** AnsibleError's `obj=` suffix: where the task is (Ansible's file, line and column of the task). */
export function appearsIn(t: Pick<TaskDef, 'src' | 'path'>): string {
  const p = problemAt(t.src, t.path, '');
  return `\n\nThe error appears to be in '${resolve(p.file)}': line ${p.line}, column ${p.col}, but may\nbe elsewhere in the file depending on the exact syntax problem.`;
}

/** AnsibleUndefinedVariable as the templar raises it: the Jinja2 message, then its cause (the same). */
export const undefinedError = (jinja: string) => `${jinja}. ${jinja}`;

/** A parameter (`args`) that uses an undefined variable. */
export function undefinedOption(jinja: string, t: Pick<TaskDef, 'src' | 'path'>): TaskFailure {
  return new TaskFailure(`The task includes an option with an undefined variable. The error was: ${undefinedError(jinja)}${appearsIn(t)}`);
}

/**
 * A condition (when, failed_when, changed_when, until, assert's that) that could not be evaluated:
 * Ansible's text when a variable was undefined, else the error as it is. `t`: the task, for `when`
 * (Ansible names the task's place there; not for the others).
 */
export function conditionError(cond: string, e: unknown, t?: Pick<TaskDef, 'src' | 'path'>): unknown {
  const jinja = undefinedText(e);
  // a filter's error, or a Python exception (ZeroDivisionError): Conditional's AnsibleError with its text
  if (e instanceof PluginError || e instanceof PyException) {
    // a filter or test nothing provides: Conditional templated the condition inside `{% if %}`
    const wrapped = `{% if ${cond} %} True {% else %} False {% endif %}`;
    // Templar.do_template's words for a TypeError (`'<' not supported between instances of ...`)
    const text = e instanceof UnknownPlugin ? e.withTemplate(wrapped) : e instanceof PyException && e.pyType === 'TypeError' ? `Unexpected templating type error occurred on (${wrapped}): ${e.message}. ${e.message}` : e.message;
    const msg = `The conditional check '${cond}' failed. The error was: ${text}`;
    return new TaskFailure(t ? msg + appearsIn(t) : msg);
  }
  if (jinja === undefined) return e;
  const msg = `The conditional check '${cond}' failed. The error was: error while evaluating conditional (${cond}): ${undefinedError(jinja)}`;
  return new TaskFailure(t ? msg + appearsIn(t) : msg);
}

/**
 * Ansible's run-time warning for a condition (when, changed_when, failed_when, until, assert's `that`
 * as a list) written with `{{ }}` or `{% %}` (Conditional._check_conditional): shown once per task on a host.
 */
export const templatedConditionWarning = (cond: string) => `conditional statements should not include jinja2 templating delimiters such as {{ }} or {% %}. Found: ${cond}`;
