// Ansible's setup / gather_facts module: gathers the host's facts now (src/engine/facts.ts: the same
// script and set as a play's own gathering), for a play with gather_facts: false, or to read them
// again after a change. Reads only: ok, never changed; check mode gathers too.
import * as v from 'valibot';
import { FACT_SHAPE, factVars, gatherFacts, setupSays, type Facts } from '../src/engine/facts.ts';
import { ansibleFacts } from './ansible/python-module.ts';
import type { TaskType } from '../src/engine/task-type.ts';

/** a list option as the module takes it: a list, or text split on commas */
const List = v.pipe(
  v.union([v.string(), v.array(v.string())], 'expected a name or a list of names'),
  v.transform((x) => (Array.isArray(x) ? x : [x]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean)),
);
const schema = v.strictObject({
  gather_subset: v.optional(List),
  filter: v.optional(List),
  fact_path: v.optional(v.string()),
  gather_timeout: v.optional(v.union([v.pipe(v.number(), v.integer(), v.minValue(0)), v.pipe(v.string(), v.regex(/^\s*\d+\s*$/), v.transform(Number))], 'expected a whole number of seconds')),
});
type Params = v.InferOutput<typeof schema>;

/** The subsets skiff's own gathering covers (it has more than those, which does no harm). */
const OWN = ['all', 'min', 'distribution'];

/**
 * skiff's own gathering answers `all`, `min` and `distribution` (Ansible's setup_remote_tmp_dir asks for
 * that one) in one round trip; another subset (`!hardware`, `network`), a filter or a fact_path is
 * Ansible's setup module's to answer: its facts, exactly (they need ansible-core on the controller).
 */
export const setup: TaskType<Params> = {
  name: 'ansible.builtin.setup',
  summary: 'gather the host\'s facts now (ansible_facts, ansible_*)',
  schema,
  sets: () => Object.keys(factVars(FACT_SHAPE)),
  async plan(ctx, p) {
    const subset = p.gather_subset ?? ['all'];
    const python = ctx.vars.ansible_python_interpreter;
    if (subset.every((s) => OWN.includes(s)) && !p.filter?.length && p.fact_path === undefined) {
      const own = { ...(await gatherFacts(ctx.conn)), ...setupSays(subset) };
      if (!ctx.factsNeeded || !subset.every((s) => s === 'all')) return { changes: [], result: { ansible_facts: factVars(own) } };
      // the facts the play reads that skiff's own lack (ansible_interfaces): Ansible's setup's, under skiff's own, as the play's gathering has them
      const found = (own.python as { executable?: unknown } | undefined)?.executable;
      const theirs = await ansibleFacts(ctx.conn, typeof found === 'string' ? found : '/usr/bin/python3', ctx.factsNeeded, { timeout: p.gather_timeout });
      return { changes: [], result: { ansible_facts: factVars({ ...theirs, ...own } as Facts) } };
    }
    const facts = await ansibleFacts(ctx.conn, typeof python === 'string' && !python.includes('{') ? python : '/usr/bin/python3', subset, { factPath: p.fact_path, timeout: p.gather_timeout, filter: p.filter });
    return { changes: [], result: { ansible_facts: factVars(facts as Facts) } };
  },
  async apply() {},
};

export const gatherFactsType: TaskType<Params> = { ...setup, name: 'ansible.builtin.gather_facts' };
