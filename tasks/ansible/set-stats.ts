// Ansible's set_stats (plugins/action/set_stats.py): custom statistics for the run, shown after the
// recap under CUSTOM STATS when show_custom_stats is on (src/report/custom-stats.ts adds them up from
// the results). Runs on the controller alone; never changed. The result is `ansible_stats`: the data,
// and whether it counts per host (else for the whole run) and adds up (else the last one wins).
import * as v from 'valibot';
import { TaskFailure, type TaskType } from '../../src/engine/task-type.ts';
import { hasTemplate, renderString } from '../../src/template/template.ts';
import { pyStr } from '../../src/template/expr-error.ts';
import { ansibleBool } from '../lib/schema.ts';

// Ansible's action takes anything and says itself what is wrong (a task failure a rescue can handle)
const schema = v.strictObject({
  data: v.optional(v.unknown()),
  per_host: v.optional(v.unknown()),
  aggregate: v.optional(v.unknown()),
});
type Params = v.InferOutput<typeof schema>;

/** Python's keywords, which Ansible's isidentifier refuses as names (with True, False, None). */
const PY_KEYWORDS = new Set('False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '));
const isIdentifier = (k: string) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && !PY_KEYWORDS.has(k);

/** Ansible's boolean(x, strict=False): only its true spellings are true. */
const looseBool = (x: unknown, dflt: boolean) => (x === undefined || x === null ? dflt : ansibleBool(typeof x === 'string' ? x.trim() : x) === true);

export const setStats: TaskType<Params> = {
  name: 'ansible.builtin.set_stats',
  controllerOnly: true,
  summary: "custom statistics shown after the recap with show_custom_stats (Ansible's set_stats)",
  schema,
  async plan(ctx, p) {
    const given = p.data ?? {};
    if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new TaskFailure("The 'data' option needs to be a dictionary/hash");
    const data: Record<string, unknown> = {};
    for (const [k0, x] of Object.entries(given)) {
      const k = hasTemplate(k0) && ctx.scope ? pyStr(renderString(k0, ctx.scope)) : k0;
      if (!isIdentifier(k)) throw new TaskFailure(`The variable name '${k}' is not valid. Variables must start with a letter or underscore character, and contain only letters, numbers and underscores.`);
      data[k] = x;
    }
    return { changes: [], result: { ansible_stats: { data, per_host: looseBool(p.per_host, false), aggregate: looseBool(p.aggregate, true) } } };
  },
  async apply() {},
};
