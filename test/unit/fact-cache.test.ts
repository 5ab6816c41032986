// fact_caching = jsonfile (the set_fact target's set_fact_cached_1/2.yml and set_fact_no_cache.yml, run
// with ANSIBLE_CACHE_PLUGIN=jsonfile ANSIBLE_CACHE_PLUGIN_CONNECTION=dir ANSIBLE_CACHE_PLUGIN_PREFIX=prefix_).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCachedFacts } from '../../src/engine/fact-cache.ts';
import { calls, play } from './engine-harness.ts';

const first = `- hosts: all
  tasks:
    - set_fact: {ansible_foobar: foobar_from_set_fact_cacheable, cacheable: true}
    - set_fact: {ansible_foobar_not_cached: this_should_not_be_cached}
    - set_fact: "cacheable=no fact_not_cached='this_should_not_be_cached!'"
    - probe: {id: "{{ ansible_foobar }} {{ ansible_facts.foobar }}"}
- hosts: all
  vars: {ansible_foobar: from_play_vars}
  tasks:
    - probe: {id: "{{ ansible_foobar }}"}
`;
const second = `- hosts: all
  tasks:
    - probe: {id: "{{ ansible_foobar | default('undefined') }} {{ ansible_foobar_not_cached is defined }} {{ fact_not_cached is defined }}"}
`;

test('set_fact cacheable: kept in <dir>/<prefix><host> as JSON; the next run reads it back as a host fact; --flush-cache removes it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-fact-cache-'));
  const factCache = { dir, prefix: 'prefix_', timeoutS: 86400 };
  await play({ playbook: first, opts: { factCache } });
  // a set_fact (cacheable or not) stays over play vars for the rest of the run, as Ansible's set_fact facts
  assert.equal(calls, ['a:foobar_from_set_fact_cacheable foobar_from_set_fact_cacheable', 'a:foobar_from_set_fact_cacheable']);
  assert.equal(readdirSync(dir), ['prefix_a']);
  assert.equal(JSON.parse(readFileSync(join(dir, 'prefix_a'), 'utf8')), { ansible_foobar: 'foobar_from_set_fact_cacheable' });
  await play({ playbook: second, opts: { factCache } });
  assert.equal(calls, ['a:foobar_from_set_fact_cacheable False False']);
  await play({ playbook: second, opts: { factCache, flushCache: true } });
  assert.equal(calls, ['a:undefined False False']);
  assert.not.ok(existsSync(join(dir, 'prefix_a')));
});

test('meta: clear_facts empties the host\'s cache file too, as Ansible\'s clear_facts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-fact-cache-'));
  const factCache = { dir, prefix: '', timeoutS: 0 };
  await play({ playbook: '- hosts: all\n  tasks:\n    - set_fact: {ansible_foobar: x, cacheable: true}\n    - meta: clear_facts\n', opts: { factCache } });
  assert.not.ok(existsSync(join(dir, 'a')));
});

test('a cache file older than the timeout is not read (0: never too old)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-fact-cache-'));
  writeFileSync(join(dir, 'ansible_factsh'), '{"ansible_x": 1}');
  const old = Date.now() / 1000 - 100;
  utimesSync(join(dir, 'ansible_factsh'), old, old);
  assert.is(readCachedFacts({ dir, prefix: 'ansible_facts', timeoutS: 50 }, 'h'), undefined);
  assert.equal(readCachedFacts({ dir, prefix: 'ansible_facts', timeoutS: 0 }, 'h'), { facts: { ansible_x: 1 } });
  writeFileSync(join(dir, 'ansible_factsbad'), '{not json');
  assert.match(String((readCachedFacts({ dir, prefix: 'ansible_facts', timeoutS: 0 }, 'bad') as { error: string }).error), 'Most likely a corrupt file');
  assert.not.ok(existsSync(join(dir, 'ansible_factsbad')), 'erased, as Ansible does');
});

test.run();
