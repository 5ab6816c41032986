// valibot issues -> file:line:col problems, pointing at the yaml node each issue is about.
import type * as v from 'valibot';
import type { InputProblem } from '../util/errors.ts';
import { show } from '../util/errors.ts';
import { problemAt, type Path, type YamlSource } from '../util/yaml-source.ts';

export function issuesToProblems(src: YamlSource, base: Path, issues: readonly v.BaseIssue<unknown>[], what: string, known?: string[]): InputProblem[] {
  const out: InputProblem[] = [];
  for (const issue of issues) {
    const rel: (string | number)[] = [];
    let origin: 'key' | 'value' = 'value';
    for (const item of issue.path ?? []) {
      rel.push(item.key as string | number);
      if ('origin' in item && item.origin === 'key') origin = 'key';
    }
    const name = rel.length ? rel.join('.') : what;
    let msg: string;
    // a check's own message ("state link: expected src...") has no `expected` of its own to show
    const expected = issue.message.startsWith('expected') || issue.expected === null ? issue.message : `expected ${issue.expected}`;
    if (issue.received === 'undefined' && issue.kind === 'schema') {
      msg = `${name}: missing required parameter (${expected})`;
    } else if (issue.kind === 'schema' && issue.expected === 'never' && origin === 'key') {
      msg = `unknown parameter ${show(rel[rel.length - 1])} for ${what}${known ? `: expected one of ${known.join(', ')}` : ''}`;
    } else if (issue.type === 'never' && issue.message.startsWith('is ')) {
      // a parameter declared only to be refused by name (a module's option skiff does not support)
      msg = `${name} ${issue.message}`;
    } else if (issue.message.startsWith('Expected ')) {
      // Ansible's own words for it, which users (and Ansible's tests) search for
      msg = `${name}: ${issue.message}: got ${show(issue.input)}`;
    } else {
      msg = `${name}: got ${show(issue.input)}, ${expected}`;
    }
    out.push(problemAt(src, [...base, ...rel], msg, origin));
  }
  return out;
}
