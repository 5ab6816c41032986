// A task's rendered params as its type's schema takes them, where a whole float (template/py-float.ts's
// PyFloat: `content: "{{ version }}"` of `version: 1.0`) is among them. Schemas take plain numbers and
// text; Ansible's modules take a float as its str() where they want text (`1.0` written to a file) and
// as a number elsewhere (`timeout: 2.0`).
import * as v from 'valibot';
import { PyFloat, plainNumbers } from '../template/py-float.ts';
import { schemaEntries } from './task-type.ts';

type Schema = v.GenericSchema & { wrapped?: Schema; item?: Schema };

/** The schema inside optional(), nullable() and nullish(). */
function unwrapped(s: Schema): Schema {
  while ((s.type === 'optional' || s.type === 'nullable' || s.type === 'nullish' || s.type === 'exact_optional') && s.wrapped) s = s.wrapped;
  return s;
}

/** A text param: the schema makes a number its text (a number given for `content` or `owner` is `str(n)`). */
const takesText = (s: Schema) => {
  const r = v.safeParse(s, 2);
  return r.success && r.output === '2';
};

/** A number param: the schema takes 2 and refuses "2". */
const numberOnly = (s: Schema) => v.safeParse(s, 2).success && !v.safeParse(s, '2').success;

/** Text Python's int() or float() reads (not inf or nan: no param wants them) */
const NUMERIC_TEXT = /^\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** One value for a param of schema `s` (undefined: not a param the schema names). */
function forParam(x: unknown, s: Schema | undefined): unknown {
  if (s === undefined) return plainNumbers(x);
  const u = unwrapped(s);
  // a param of any value (debug's msg, assert's that): the float as it is, shown as `2.0`
  if (u.type === 'unknown' || u.type === 'any') return x;
  // a map of any values (validate_argument_spec's provided_arguments): its floats as they are too
  if (u.type === 'record' && ['unknown', 'any'].includes((u as Schema & { value?: Schema }).value?.type ?? '')) return x;
  if (x instanceof PyFloat) return takesText(u) ? x.str() : x.value;
  // the text of a number where a number is wanted: a template's number is text (`"{{ base + 1 }}"`,
  // ansible_eval_concat), and Ansible's argument spec makes an int or float option of it again
  if (typeof x === 'string' && NUMERIC_TEXT.test(x) && numberOnly(u)) return Number(x);
  if (Array.isArray(x) && u.type === 'array' && u.item) return x.map((i) => forParam(i, u.item));
  return plainNumbers(x);
}

/**
 * `params` for `schema`: each PyFloat given as its text where the param is text, else as its number,
 * and a number's text as the number where only a number is taken;
 * as they are for a schema of any names and values (set_fact's, a Python module's), where the float
 * goes on as a float. The same object where it holds no float.
 */
export function paramsFor(schema: unknown, params: unknown): unknown {
  const entries = schemaEntries(schema) as Record<string, Schema> | undefined;
  if (!entries) return params;
  if (!params || typeof params !== 'object' || Array.isArray(params) || Object.getPrototypeOf(params) !== Object.prototype) return plainNumbers(params);
  let changed = false;
  const out = Object.fromEntries(
    Object.entries(params).map(([k, x]) => {
      const y = forParam(x, Object.hasOwn(entries, k) ? entries[k] : undefined);
      if (y !== x) changed = true;
      return [k, y];
    }),
  );
  return changed ? out : params;
}

/** v.safeParse of a task's params by its type's schema, floats given as paramsFor gives them. */
export const parseParams = <S extends v.GenericSchema>(schema: S, params: unknown) => v.safeParse(schema, paramsFor(schema, params));

/**
 * What a play, block or task keeps as written, floats and all: variables, module arguments, items to
 * loop over, the tasks inside, conditions and the environment (whose values are text: `2.0`).
 */
const KEPT = new Set(['vars', 'args', 'module_defaults', 'environment', 'tasks', 'pre_tasks', 'post_tasks', 'handlers', 'block', 'rescue', 'always', 'roles', 'loop', 'when', 'changed_when', 'failed_when', 'until', 'vars_prompt', 'vars_files']);

/**
 * A play's, block's or task's keywords with each whole float as its number (`delay: 2.0`, `retries: 3.`):
 * their schemas take numbers, and Ansible reads them as int() or float() of it.
 */
export function plainKeywords<T>(raw: T): T {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || Object.getPrototypeOf(raw) !== Object.prototype) return raw;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(raw)) {
    out[k] = KEPT.has(k) || k.startsWith('with_') ? x : plainNumbers(x);
    if (out[k] !== x) changed = true;
  }
  return (changed ? out : raw) as T;
}
