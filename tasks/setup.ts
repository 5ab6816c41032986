// Ansible's setup / gather_facts module: gathers the host's facts now (src/engine/facts.ts: the same
// script and set as a play's own gathering), for a play with gather_facts: false, or to read them
// again after a change. Reads only: ok, never changed; check mode gathers too.
import * as v from 'valibot';
import { FACT_SHAPE, factVars, gatherFacts } from '../src/engine/facts.ts';
import type { TaskType } from '../src/engine/task-type.ts';

/**
 * skiff gathers one fixed set, so only the subsets it covers are accepted: `all`, `min` and
 * `distribution` (it has more than those, which does no harm; Ansible's setup_remote_tmp_dir asks for
 * distribution). Another subset (`network`, `!all,hardware`) would say the play needs facts skiff may
 * not have: refused, so the facts it names are checked by name.
 */
const Subset = v.picklist(['all', 'min', 'distribution'], 'expected all, min or distribution: skiff gathers one fixed set of facts (see README, Coming from Ansible)');
const schema = v.strictObject({
  gather_subset: v.optional(v.union([Subset, v.pipe(v.array(Subset), v.minLength(1))], 'expected all, min or distribution (or a list of them): skiff gathers one fixed set of facts')),
});
type Params = v.InferOutput<typeof schema>;

export const setup: TaskType<Params> = {
  name: 'ansible.builtin.setup',
  summary: 'gather the host\'s facts now (ansible_facts, ansible_*)',
  schema,
  sets: () => Object.keys(factVars(FACT_SHAPE)),
  async plan(ctx) {
    return { changes: [], result: { ansible_facts: factVars(await gatherFacts(ctx.conn)) } };
  },
  async apply() {},
};

export const gatherFactsType: TaskType<Params> = { ...setup, name: 'ansible.builtin.gather_facts' };
