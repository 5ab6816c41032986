// validate_argument_spec: Ansible's check of a role's variables against its meta/argument_specs.yml
// (the task a role with an argument spec starts with, src/playbook/includes.ts), or of any values a
// playbook names. What a spec means (types and their conversions, required, choices, elements,
// nested options, aliases, mutually_exclusive...) is ansible-core's ArgumentSpecValidator, run as it
// is on the controller's Python: a second reading of it here would differ from Ansible's somewhere.
// The role sees its variables as they were either way: Ansible's action reports, it sets nothing.
import { spawn } from 'node:child_process';
import * as v from 'valibot';
import { TaskFailure, type TaskType } from '../../src/engine/task-type.ts';
import { LATER, Undef } from '../../src/template/expr-error.ts';
import { undefinedError } from '../../src/engine/ansible-errors.ts';
import { CONTROLLER_PYTHON } from './core-modules.ts';
import { floatJson } from '../../src/template/py-float.ts';

const Dict = v.record(v.string(), v.unknown(), 'expected a dict');

const schema = v.strictObject({
  /** the options, as an argument spec's `options:` (name -> type, required, default, choices...) */
  argument_spec: Dict,
  /** values checked over the variables of the same names */
  provided_arguments: v.optional(Dict, {}),
  /** what is checked, returned with the result (a role's: type, name, argument_spec_name, path) */
  validate_args_context: v.optional(Dict, {}),
});

// error_messages of ArgumentSpecValidator.validate, as validate_argument_spec's action calls it. Its
// messages name the Python type of a value that does not fit: Ansible's variables are text as its YAML
// loader made it (AnsibleUnicode, at any depth), in dicts and lists its templar rebuilt as plain ones.
const VALIDATE = `
import json, sys
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.parsing.yaml.objects import AnsibleUnicode
def loaded(x):
    if isinstance(x, str):
        return AnsibleUnicode(x)
    if isinstance(x, dict):
        return {k: loaded(v) for k, v in x.items()}
    if isinstance(x, list):
        return [loaded(v) for v in x]
    return x
r = json.load(sys.stdin)
res = ArgumentSpecValidator(r['spec']).validate(loaded(r['params']), validate_role_argument_spec=True)
print(json.dumps(res.error_messages))
`;

/**
 * Values as JSON for Python, a whole float written as one (`37.` is a float there: "cannot be converted
 * to an int"); an undefined one fails as Ansible's templar does when it renders the args.
 */
const json = (x: unknown): string => floatJson(defined(x));

function defined(x: unknown): unknown {
  if (x instanceof Undef) {
    if (x.empty) return '';
    throw new TaskFailure(undefinedError(x.jinja));
  }
  if (x === LATER || typeof x === 'symbol') throw new TaskFailure('a value is not known yet');
  if (Array.isArray(x)) return x.map(defined);
  if (x && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, defined(v)]));
  return x;
}

function validate(spec: Record<string, unknown>, params: Record<string, unknown>): Promise<string[]> {
  const input = json({ spec, params });
  return new Promise((resolve, reject) => {
    const c = spawn(CONTROLLER_PYTHON, ['-c', VALIDATE], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const noCore = (why: string) => new TaskFailure(`validate_argument_spec needs ansible-core on the controller, whose ArgumentSpecValidator checks the arguments (${CONTROLLER_PYTHON} -c 'import ansible'): ${why}`);
    c.on('error', (e) => reject(noCore(e.message)));
    // a Python that ends without reading all of it: its exit says why
    c.stdin.on('error', () => {});
    c.on('close', (code) => {
      if (code === 0) {
        try {
          return resolve(JSON.parse(out) as string[]);
        } catch {
          return reject(noCore(`it printed ${JSON.stringify(out.slice(0, 200))}`));
        }
      }
      const last = err.trim().split('\n').pop() ?? `exited ${code}`;
      // a spec ansible-core cannot read (an unknown type...) fails the task with its exception, as in Ansible
      reject(/ModuleNotFoundError|No module named/.test(last) ? noCore(last) : new TaskFailure(last, { exception: err }));
    });
    c.stdin.end(input);
  });
}

export const validateArgumentSpec: TaskType<v.InferOutput<typeof schema>> = {
  name: 'ansible.builtin.validate_argument_spec',
  controllerOnly: true,
  noAsync: true,
  summary: "check variables against an argument spec (a role's meta/argument_specs.yml), with ansible-core's validator",
  schema,
  async plan(ctx, p) {
    // get_args_from_task_vars: the variables named in the spec, rendered, under the provided arguments
    const fromVars: Record<string, unknown> = {};
    for (const name of Object.keys(p.argument_spec)) {
      const r = ctx.scope?.(name);
      if (r?.found) fromVars[name] = r.value;
    }
    const errors = await validate(p.argument_spec, { ...fromVars, ...p.provided_arguments });
    if (errors.length) {
      const msg = `Validation of arguments failed:\n${errors.join('\n')}`;
      throw new TaskFailure(msg, { validate_args_context: p.validate_args_context, argument_spec_data: p.argument_spec, argument_errors: errors, msg });
    }
    return { changes: [], result: { validate_args_context: p.validate_args_context, changed: false, msg: 'The arg spec validation passed' } };
  },
  async apply() {},
};
