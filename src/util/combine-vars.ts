// Ansible's hash_behaviour (DEFAULT_HASH_BEHAVIOUR: [defaults] hash_behaviour, ANSIBLE_HASH_BEHAVIOUR):
// how two layers of variables that both give a name are combined (utils/vars.py combine_vars). replace,
// the default: the higher layer's value alone. merge: two dicts are merged key by key, recursively, the
// higher one's value winning where both have a key that is not a dict in both; lists are replaced.
// A setting of the run, as Ansible's is a constant of its process: set once, from the config, before
// the inventory and playbook are read.
export type HashBehaviour = 'replace' | 'merge';

let behaviour: HashBehaviour = 'replace';

export function setHashBehaviour(b: HashBehaviour): void {
  behaviour = b;
}

export const hashMerging = (): boolean => behaviour === 'merge';

/** A plain dict of variables (YAML's mapping): not a list, nor a class instance (Undefined, a view). */
export const isVarsDict = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x) && Object.getPrototypeOf(x) === Object.prototype;

/** merge_hash(x, y) with recursive=True, list_merge='replace': y's keys over x's, dicts merged. */
export function mergeHash(x: Record<string, unknown>, y: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...x };
  for (const [k, v] of Object.entries(y)) {
    const had = out[k];
    out[k] = Object.hasOwn(out, k) && isVarsDict(had) && isVarsDict(v) ? mergeHash(had, v) : v;
  }
  return out;
}

/** combine_vars(a, b): b's variables over a's, as hash_behaviour says. */
export function combineVars(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  return behaviour === 'merge' ? mergeHash(a, b) : { ...a, ...b };
}
