// set_fact: host vars for every later task of the run (Ansible's set_fact). Reads nothing, changes
// nothing on the host: the values go back as the result's `ansible_facts`, which the engine keeps.
import * as v from 'valibot';
import type { TaskType } from '../../src/engine/task-type.ts';
import { TaskFailure } from '../../src/engine/task-type.ts';
import { hasTemplate, renderString } from '../../src/template/template.ts';
import { pyStr } from '../../src/template/expr-error.ts';
import { jinja2Native } from '../../src/template/native-concat.ts';
import { Identifier } from '../../src/playbook/schema.ts';
import { ansibleBool } from '../lib/schema.ts';
import { TEXT_FACTS, UNSAFE_FACTS } from '../../src/template/unsafe.ts';

/** A name, or a template that renders to one when the task runs (`"{{ item.0 }}={{ item.1 }}"`), as Ansible's action templates its keys. */
const Name = v.union([Identifier, v.pipe(v.string(), v.check(hasTemplate))], 'expected a variable name (letters, digits, _)');

const schema = v.pipe(
  v.record(Name, v.unknown(), 'expected a map of variable names to values'),
  v.check((p) => Object.keys(p).some((k) => k !== 'cacheable'), 'expected at least one variable to set'),
  // cacheable: also host facts, kept in the fact cache (engine/fact-cache.ts) as Ansible's
  v.check((p) => p.cacheable === undefined || ansibleBool(p.cacheable) !== undefined, 'cacheable: expected true or false'),
);
type Params = v.InferOutput<typeof schema>;

export const setFact: TaskType<Params> = {
  name: 'ansible.builtin.set_fact',
  controllerOnly: true,
  summary: 'set host variables for the tasks after it (Ansible\'s set_fact)',
  schema,
  sets: (raw) => (raw && typeof raw === 'object' && !Array.isArray(raw) ? Object.keys(raw).filter((k) => k !== 'cacheable') : []),
  async plan(ctx, p) {
    const { cacheable, ...given } = p;
    const facts: Record<string, unknown> = {};
    // the facts whose value read an unsafe one: never templated again (the engine keeps them so)
    const unsafe: string[] = [];
    const text: Record<string, number> = {};
    for (const [k0, x] of Object.entries(given)) {
      const k = hasTemplate(k0) && ctx.scope ? pyStr(renderString(k0, ctx.scope)) : k0;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new TaskFailure(`The variable name '${k}' is not valid. Variables must start with a letter or underscore character, and contain only letters, numbers and underscores.`);
      facts[k] = x;
      if (ctx.unsafe?.has(k0)) unsafe.push(k);
      if (ctx.textClass?.get(k0)) text[k] = ctx.textClass.get(k0)!;
    }
    // as Ansible 2.14's set_fact without jinja2_native: a value that is the text true/false/yes/no,
    // in any case, written so or rendered so, becomes a boolean (`a: "yes"`, `a=no`, `"{{ 'True' }}"`);
    // in native mode text stays text (set_fact_bool_conv_jinja2_native.yml)
    if (!jinja2Native()) for (const [k, x] of Object.entries(facts)) if (typeof x === 'string' && /^(?:true|false|yes|no)$/i.test(x)) facts[k] = /^(?:true|yes)$/i.test(x);
    return { changes: [], result: { ansible_facts: facts, ...(ansibleBool(cacheable) ? { _ansible_facts_cacheable: true } : {}), ...(unsafe.length ? { [UNSAFE_FACTS]: unsafe } : {}), ...(Object.keys(text).length ? { [TEXT_FACTS]: text } : {}) } };
  },
  async apply() {},
};
