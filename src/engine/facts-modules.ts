// Ansible's FACTS_MODULES (the variable ansible_facts_modules): the modules a play's gathering runs,
// `smart` (the default) being the setup module. Their facts are merged in order, a later module's
// over an earlier's: maps key by key, lists as Ansible's merge_hash(list_merge='append_rp'), and the
// gathering says it was done (`_ansible_facts_gathered`): plugins/action/gather_facts.py.
import { isDeepStrictEqual } from 'node:util';
import { TaskFailure } from './task-type.ts';

const SETUP = /^(?:ansible\.(?:builtin|legacy)\.)?setup$/;

/**
 * The modules the gathering runs instead of skiff's own facts and Ansible's setup, from the value of
 * ansible_facts_modules (a list, or a comma-separated text); undefined when that is setup alone
 * (`smart`, setup, unset): skiff's own gathering is that.
 */
export function factsModules(value: unknown): string[] | undefined {
  const list = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : [];
  return list.some((m) => m !== 'smart' && !SETUP.test(m)) ? list.map((m) => (m === 'smart' ? 'ansible.legacy.setup' : m)) : undefined;
}

const isMap = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);

/** merge_hash(x, y, recursive=True, list_merge='append_rp'): y's facts over x's. */
export function mergeFacts(x: Record<string, unknown>, y: Record<string, unknown>): Record<string, unknown> {
  const out = { ...x };
  for (const [k, yv] of Object.entries(y)) {
    const xv = out[k];
    if (!Object.hasOwn(out, k)) out[k] = yv;
    else if (isMap(xv) && isMap(yv)) out[k] = mergeFacts(xv, yv);
    // the earlier list without what the later has, then the later (doubles each had are kept)
    else if (Array.isArray(xv) && Array.isArray(yv)) out[k] = [...xv.filter((z) => !yv.some((w) => isDeepStrictEqual(z, w))), ...yv];
    else out[k] = yv;
  }
  return out;
}

/**
 * The gathering's facts from these modules, each run by `run` (its result, or a TaskFailure): merged
 * in order and marked gathered. A module that fails fails the gathering in Ansible's words, after the
 * others ran; one that skips (skipped: true) gives no facts.
 */
export async function gatherFromModules(modules: string[], run: (name: string) => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
  let facts: Record<string, unknown> = {};
  const failed: string[] = [];
  for (const name of modules) {
    let result: Record<string, unknown>;
    try {
      result = await run(name);
    } catch (e) {
      if (!(e instanceof TaskFailure)) throw e;
      failed.push(name);
      continue;
    }
    if (result.skipped === true) continue;
    if (isMap(result.ansible_facts)) facts = mergeFacts(facts, result.ansible_facts);
  }
  if (failed.length) throw new TaskFailure(`The following modules failed to execute: ${failed.join(', ')}\n`);
  return { ...facts, _ansible_facts_gathered: true };
}
