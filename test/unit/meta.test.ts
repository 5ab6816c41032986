// meta actions as Ansible's strategy runs them (targets meta_tasks): end_play and end_batch with
// serial, end_host, clear_host_errors, clear_facts, reset_connection, and what -v says of each.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { calls, opened, play, playbook, type Outcome } from './engine-harness.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const notes = (o: Outcome) => o.events.flatMap((e) => (e.kind === 'note' ? [`${e.host}: ${e.text}`] : e.kind === 'meta' ? [`${e.host}: META: ${e.text}`] : []));

test('meta end_play with serial 1: the play ends, its later batches too; the next play runs', async () => {
  const o = await play({ hosts: ['a', 'b'], playbook: `- hosts: all\n  serial: 1\n  tasks:\n    - probe: x\n    - meta: end_play\n    - probe: never\n- hosts: all\n  tasks:\n    - probe: next\n` });
  assert.equal(calls.sort(), ['a:next', 'a:x', 'b:next']);
  assert.ok(notes(o).includes('a: META: ending play'));
  assert.equal(o.summary!.unfinished, []);
});

test('meta end_batch with serial 1: each batch ends there, the next batch starts', async () => {
  const o = await play({ hosts: ['a', 'b'], playbook: `- hosts: all\n  serial: 1\n  tasks:\n    - probe: x\n    - meta: end_batch\n    - probe: never\n` });
  assert.equal(calls, ['a:x', 'b:x']);
  assert.is(notes(o).filter((n) => n.endsWith('META: ending batch')).length, 2);
});

test('meta end_host with a false when: said as Ansible says it, the host goes on', async () => {
  const o = await play({ hosts: ['a', 'b'], playbook: playbook(`- meta: end_host\n  when: inventory_hostname == 'b'\n- probe: y`) });
  assert.equal(calls, ['a:y']);
  assert.ok(notes(o).includes('a: META: end_host conditional evaluated to False, continuing execution for a'));
  assert.ok(notes(o).includes('b: META: ending play for b'));
  // shown as skipped on a (its skip_reason under -v, as the target greps) and not counted
  const shown = o.events.flatMap((e) => (e.kind === 'meta' && e.skipped ? [[e.host, 'skipped', e.skipped.skip_reason]] : []));
  assert.equal(shown, [['a', 'skipped', 'end_host conditional evaluated to False, continuing execution for a']]);
  assert.is(o.summary!.recap.a.skipped, 0);
});

test('meta clear_host_errors: a host that failed is in the next play again', async () => {
  const pb = (clear: string) => `- hosts: all\n  tasks:\n    - probe: {id: f, fail: "{{ inventory_hostname == 'a' }}"}\n    - probe: x\n${clear}- hosts: all\n  tasks:\n    - probe: next\n`;
  await play({ hosts: ['a', 'b'], playbook: pb('') });
  assert.equal(calls.filter((c) => c.endsWith(':next')).sort(), ['b:next']);
  await play({ hosts: ['a', 'b'], playbook: pb('    - meta: clear_host_errors\n') });
  assert.equal(calls.filter((c) => c.endsWith(':next')).sort(), ['a:next', 'b:next']);
});

test('meta clear_facts: the gathered facts are gone (ansible_facts empty, as Ansible shows it), and a later play gathers them again', async () => {
  const facts = readFileSync(join(import.meta.dirname, 'fixtures', 'facts', 'debian12.txt'), 'utf8');
  const o = await play({
    facts: { a: facts },
    playbook: `- hosts: all\n  gather_facts: true\n  tasks:\n    - assert: {that: ansible_facts is defined}\n    - meta: clear_facts\n    - assert: {that: 'ansible_facts == {}'}\n- hosts: all\n  gather_facts: true\n  tasks:\n    - assert: {that: ansible_facts is defined}\n`,
  });
  assert.equal(o.results.map((r) => r.status), ['ok', 'ok', 'ok', 'ok', 'ok']);
});

test('meta reset_connection: the next task opens a new connection', async () => {
  const o = await play({ playbook: playbook(`- probe: x\n- meta: reset_connection\n- probe: y`) });
  assert.equal(calls, ['a:x', 'a:y']);
  assert.is(opened.length, 2);
  assert.ok(notes(o).includes('a: META: reset connection'));
});

test('test_end_host.yml -vv: a meta whose when is false says META: and is a skipped result with its skip_reason', async () => {
  const { ansibleLines } = await import('../../src/report/ansible-lines.ts');
  const o = await play({ hosts: ['testhost', 'testhost2'], playbook: `- hosts: all\n  tasks:\n    - meta: end_host\n      when: "inventory_hostname == 'testhost2'"\n    - probe: after\n` });
  const out: string[] = [];
  const lines = ansibleLines({ verbosity: 2, diff: false, out: (s) => out.push(s) });
  o.events.forEach(lines);
  const text = out.join('\n');
  assert.match(text, 'META: end_host conditional evaluated to False, continuing execution for testhost');
  assert.match(text, 'META: ending play for testhost2');
  assert.match(text, '"skip_reason": "end_host conditional evaluated to False, continuing execution for testhost"');
});


test('meta refresh_inventory (refresh.yml, refresh_preserve_dynamic.yml): the sources are read again, a host they lost runs nothing more, add_host and group_by are kept', async () => {
  const local = (hs: string[]) => `all:\n  hosts:\n${hs.map((h) => `    ${h}: {connection: local, parity: ${h === 'b' || h === 'd' ? 'even' : 'odd'}}`).join('\n')}\n`;
  await play({
    hosts: local(['a', 'b', 'c']),
    files: { 'new.yml': local(['b', 'c', 'd']) },
    playbook: `- hosts: all
  gather_facts: false
  tasks:
    - probe: before
    - add_host: {name: y, connection: local}
    - group_by: {key: "{{ parity }}"}
    - copy: {src: "{{ playbook_dir }}/new.yml", dest: "{{ playbook_dir }}/hosts.yml"}
      run_once: true
    - meta: refresh_inventory
    - probe: after
- hosts: all
  gather_facts: false
  tasks:
    - probe: "{{ groups.even | sort | join(',') }}"
    - probe: {id: "odd={{ groups.odd | sort | join(',') }}"}
      run_once: true
`,
  });
  // a is gone after the refresh; d is new (in the next play only; never grouped, as no group_by ran
  // there); y (add_host) stays; b stays in even
  assert.equal(calls.filter((c) => !c.endsWith(':before') && !c.includes('odd=')).sort(), ['b:after', 'b:b', 'c:after', 'c:b', 'd:b', 'y:b']);
  // a's group_by is not applied again: a is in no group
  assert.ok(calls.includes('b:odd=c'));
});

test.run();
