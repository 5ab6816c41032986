// lookup('template', name, ...): a template file (templates/ along the search path) rendered with the
// task's variables, as lib/ansible/plugins/lookup/template.py: convert_data (on by default) reads a
// list, map or boolean back from the text (ansible_eval_concat); the Jinja2 delimiters may be given.
import { dirname, join } from 'node:path';
import { LATER, type Scope } from '../template/expr.ts';
import { pyStr, truthy } from '../template/expr-error.ts';
import { ANSIBLE_SYNTAX, renderText, TemplateError, type Syntax } from '../template/jinja-template.ts';
import { UnknownPlugin } from '../template/py-plugins.ts';
import { findInSearchPath } from '../template/lookup-first-found.ts';
import { templateLoader, templateVars, withVars } from '../template/template-vars.ts';
import { pyLiteral } from '../inventory/py-literal.ts';
import { jinja2Native, nativeText } from '../template/native-concat.ts';
import { LookupError, listify } from './builtin.ts';
import { lookupFiles, readLookupFile } from './base.ts';
import { markUnsafe, NATIVE } from '../template/unsafe.ts';

const DELIMITERS = ['variable_start_string', 'variable_end_string', 'comment_start_string', 'comment_end_string'] as const;

export function templateLookup(terms: unknown, kw: Record<string, unknown>, scope: Scope): unknown[] {
  const { baseDir, searchPath } = lookupFiles(scope);
  const syntax: Syntax = { ...ANSIBLE_SYNTAX };
  for (const k of DELIMITERS) if (typeof kw[k] === 'string') syntax[k] = kw[k] as string;
  const convert = kw.convert_data === undefined ? true : truthy(kw.convert_data);
  const extra = kw.template_vars && typeof kw.template_vars === 'object' ? (kw.template_vars as Record<string, unknown>) : {};
  const terms2 = listify(terms);
  return (Array.isArray(terms2) ? terms2 : Object.keys(terms2)).map((term) => {
    const file = findInSearchPath(searchPath, 'templates', pyStr(term), baseDir);
    if (!file) throw new LookupError(`the template file ${pyStr(term)} could not be found for the lookup`);
    // includes: the template's own directory, then each search path's templates/ and itself
    const incl = [dirname(file), ...searchPath.flatMap((p) => [join(p, 'templates'), p])];
    const vars = { ...templateVars(pyStr(term), file, undefined), ...extra };
    const text = readLookupFile(file);
    let out: string | typeof LATER;
    try {
      out = renderText(text, withVars(scope, vars), { pyEscapes: true, syntax, load: templateLoader(incl) });
    } catch (e) {
      // a filter or test no plugin provides: the templar's AnsibleError, and its cause, as the lookup's error
      const own = e instanceof TemplateError ? e.origin : e;
      if (own instanceof UnknownPlugin) throw new LookupError(`${own.withTemplate(text)}. ${own.withTemplate(text)}`);
      throw e;
    }
    if (out === LATER) return out;
    // lookup/template.py: without convert_data its text is a NativeJinjaText, never read back as a value
    if (!convert) {
      markUnsafe(NATIVE);
      return out;
    }
    // jinja2_native: the lookup's text is kept as text (NativeJinjaText), unless the lookup itself
    // renders natively (its jinja2_native option): then ansible_native_concat's value (native-concat.ts)
    if (jinja2Native()) {
      if (truthy(kw.jinja2_native)) return nativeText(out, text);
      markUnsafe(NATIVE);
      return out;
    }
    // ansible_eval_concat reads Jinja2's output, before the trailing newlines are put back
    const jinja = out.replace(/\n+$/, '');
    if (jinja.startsWith('{') || jinja.startsWith('[') || jinja === 'True' || jinja === 'False') {
      const v = pyLiteral(jinja);
      if (typeof v !== 'string') return v;
    }
    return out;
  });
}
