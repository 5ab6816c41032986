// Ansible's debug (lib/ansible/plugins/action/debug.py): msg (any value: text, a list or a map, shown
// as JSON when not text), or var (an expression, registered under its text), or neither ("Hello
// world!"), with verbosity. A var that is not defined is printed as Ansible prints it, "VARIABLE IS NOT
// DEFINED!", not a failure. Like every parameter, var is rendered first (Task.post_validate templates a
// task's args): `var: "{{ name }}"` shows the variable `name` holds, and one of its templates that is
// undefined fails the task (lookup_vars: `var: "{{ lookup('vars', 'nope') }}"`).
import * as v from 'valibot';
import type { TaskType } from '../../src/engine/task-type.ts';
import { evaluate, type Scope } from '../../src/template/expr.ts';
import { pyStr, UndefinedError } from '../../src/template/expr-error.ts';
import { renderString } from '../../src/template/template.ts';
import { floatJson } from '../../src/template/py-float.ts';

/** Python's int() of a number or of digits (`verbosity: "1"`, from `debug: msg=x verbosity=1`) */
const Verbosity = v.pipe(
  v.union([v.number(), v.pipe(v.string(), v.regex(/^\s*\d+\s*$/), v.transform(Number))], 'expected a verbosity (0 or more)'),
  v.transform(Math.trunc),
  v.minValue(0, 'expected a verbosity (0 or more)'),
);

const schema = v.pipe(
  v.strictObject({
    msg: v.optional(v.unknown()),
    var: v.optional(v.unknown()),
    /** shown only at this -v level or above: tasks do not see skiff's -v, so a debug above 0 is skipped */
    verbosity: v.optional(Verbosity, 0),
  }),
  v.check((p) => p.msg === undefined || p.var === undefined, "expected msg or var, not both ('msg' and 'var' are incompatible options)"),
);
type Params = v.InferOutput<typeof schema>;

const show = (x: unknown) => (typeof x === 'string' ? x : floatJson(x, 2));
const NOT_DEFINED = 'VARIABLE IS NOT DEFINED!';

/**
 * The value of `var` (already rendered) as Ansible's debug finds it: a template (one a variable's value
 * brought) is rendered again (and, if that leaves it as it was, read as an expression); a bare text is
 * an expression (`x.y`, `x | length`); anything else is not a variable.
 */
function valueOf(expr: unknown, scope: Scope, unsafe: boolean): unknown {
  try {
    if (typeof expr !== 'string') return NOT_DEFINED;
    // unsafe text (`var: "{{ item }}"` of a with_* loop) is not templated: Ansible's
    // template("{{" + results + "}}") keeps AnsibleUnsafeText's class, so shows that text itself
    if (unsafe) return `{{${expr}}}`;
    if (/\{[{%]/.test(expr)) {
      const out = renderString(expr, scope);
      return out === expr ? evaluate(expr, scope) : out;
    }
    return evaluate(expr, scope);
  } catch (e) {
    if (e instanceof UndefinedError) return NOT_DEFINED;
    throw e;
  }
}

export const debugType: TaskType<Params> = {
  name: 'ansible.builtin.debug',
  controllerOnly: true,
  summary: 'print msg or the value of var (nothing on the host changes)',
  schema,
  shortKey: 'msg',
  async plan(ctx, p) {
    if (p.verbosity > 0) return { changes: [], skip: true, note: `verbosity ${p.verbosity}: skiff runs at verbosity 0`, result: { skipped_reason: 'Verbosity threshold not met.' } };
    if (p.var !== undefined) {
      const value = valueOf(p.var, ctx.scope!, ctx.unsafe?.has('var') === true);
      // Ansible keys a list or a dict var by its Python type
      const key = Array.isArray(p.var) ? "<class 'list'>" : p.var && typeof p.var === 'object' ? "<class 'dict'>" : pyStr(p.var);
      return { changes: [], note: `${key}: ${show(value)}`, result: { [key]: value } };
    }
    const msg = p.msg === undefined ? 'Hello world!' : p.msg;
    return { changes: [], note: show(msg), result: { msg } };
  },
  async apply() {},
};
