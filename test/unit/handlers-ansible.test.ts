// Handlers as Ansible 2.14 runs them, each case taken from its integration target
// (test/conformance/ansible-2.14.17/targets/handlers): the order handlers run in, which handlers a
// notify reaches, what a handler may be, and force_handlers. Handler names differ from test to test:
// a handler left notified by a failed run stays pending on the host (pending-handlers.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calls, play } from './engine-harness.ts';
import { skiff } from '../helpers.ts';

const warnings = (o: Awaited<ReturnType<typeof play>>) => o.events.flatMap((e) => (e.kind === 'note' && e.warning ? [e.text] : []));

test('order.yml: handlers run in the order the play defines them, not the order they were notified', async () => {
  const o = await play({
    playbook: `- hosts: all
  tasks:
    - set_fact: {foo: ''}
      changed_when: true
      notify: [o4, o3, o1, o2, o5]
  handlers:
    - {name: o1, set_fact: {foo: "{{ foo ~ 1 }}"}}
    - {name: o2, set_fact: {foo: "{{ foo ~ 2 }}"}}
    - {name: o3, set_fact: {foo: "{{ foo ~ 3 }}"}}
    - {name: o4, set_fact: {foo: "{{ foo ~ 4 }}"}}
    - {name: o5, assert: {that: ["foo == '1234'"], fail_msg: "{{ foo }}"}}
`,
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a set_fact changed', 'a o1 ok', 'a o2 ok', 'a o3 ok', 'a o4 ok', 'a o5 ok']);
});

test('check mode: a handler runs as its module does in check mode, not as a blanket change (geerlingguy.php: restart of a service the host lacks fails)', async () => {
  const o = await play({
    playbook: `- hosts: all
  tasks:
    - debug: {msg: a}
      changed_when: true
      notify: [ck1, ck2, ck3]
  handlers:
    - {name: ck1, command: echo hi}
    - {name: ck2, debug: {msg: ran}}
    - {name: ck3, fail: {msg: "no such service"}}
`,
    opts: { check: true },
  });
  assert.equal(o.problems, []);
  // command has no check mode (skipped); debug runs (ok); a handler that fails, fails
  assert.equal(o.lines, ['a debug changed', 'a ck1 skipped', 'a ck2 ok', 'a ck3 failed']);
});

test('test_handlers_infinite_loop.yml: a handler that notifies an earlier one gets it run at the next flush; one that notifies itself is not run again', async () => {
  const o = await play({
    playbook: `- hosts: all
  tasks:
    - {probe: c, notify: [loop1, self_notify]}
  handlers:
    - {name: loop1, probe: h1, notify: loop2}
    - {name: loop2, probe: h2, notify: loop1}
    - {name: self_notify, probe: s, notify: self_notify}
`,
  });
  assert.equal(o.problems, []);
  // the flush after the tasks, then the one at the end of the play (Ansible's two)
  assert.equal(calls, ['a:c', 'a:h1', 'a:h2', 'a:s', 'a:h1', 'a:h2']);
  assert.equal(o.summary!.unfinished, []);
});

test('test_handlers_listen.yml: a name reaches the first handler of that name only, a listen topic every listener', async () => {
  await play({
    playbook: `- hosts: all
  tasks:
    - {probe: c, notify: notify_listen}
  handlers:
    - {name: notify_listen, probe: first}
    - {name: notify_listen, probe: second}
    - {name: l1, probe: l1, listen: notify_listen}
    - {name: l2, probe: l2, listen: [notify_listen]}
    - {name: l3, probe: l3, listen: not_notified}
`,
  });
  assert.equal(calls, ['a:c', 'a:first', 'a:l1', 'a:l2']);
});

test("test_templating_in_handlers.yml: a handler's templated name matches, a templated listen topic does not (taken as written); a notify template may give a list", async () => {
  const o = await play({
    playbook: `- hosts: all
  vars: {handler2: name2, handler4: name4, handler_list: [name5, name6]}
  tasks:
    - {probe: c, notify: ["{{ handler2 }}", "{{ handler4 }}"]}
    - meta: flush_handlers
    - {probe: d, notify: "{{ handler_list }}"}
  handlers:
    - {name: "{{ handler2 }}", probe: t2}
    - {name: testlistener2, probe: t4, listen: "{{ handler4 }}"}
    - {name: name5, probe: t5}
    - {probe: t6, listen: name6}
`,
    opts: { errorOnMissingHandler: false },
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:c', 'a:t2', 'a:d', 'a:t5', 'a:t6']);
  assert.equal(warnings(o), ["The requested handler 'name4' was not found in either the main handlers list nor in the listening handlers list"]);
});

test("test_handlers_inexistent_notify.yml: a notify that reaches no handler is Ansible's error when the task changes, and ends the run", async () => {
  const pb = `- hosts: all
  tasks:
    - {name: quiet, probe: {id: q, change: false}, notify: notify_inexistent_handler}
    - {name: test notify an inexistent handler, probe: n, notify: notify_inexistent_handler}
    - {name: later, probe: later}
`;
  const o = await play({ hosts: ['a', 'b'], playbook: pb });
  assert.equal(o.code, 'ran', 'not refused before the run: a task that changes nothing notifies nothing');
  assert.not.ok(calls.some((c) => c.endsWith(':later')));
  const failed = o.results.filter((r) => r.status === 'failed');
  assert.ok(failed.length >= 1);
  assert.is(failed[0].msg, "ERROR! The requested handler 'notify_inexistent_handler' was not found in either the main handlers list nor in the listening handlers list");
  // ANSIBLE_ERROR_ON_MISSING_HANDLER=false: a warning, and the run goes on
  const lenient = await play({ playbook: pb, opts: { errorOnMissingHandler: false } });
  assert.equal(lenient.lines, ['a quiet ok', 'a test notify an inexistent handler changed', 'a later changed']);
  assert.equal(warnings(lenient).length, 1);
});

test('test_notify_included.yml: an include_tasks handler runs its tasks as handlers; their names are not handlers', async () => {
  const o = await play({
    playbook: `- hosts: all
  tasks:
    - {probe: c, notify: include_handler}
    - meta: flush_handlers
    - {probe: d, notify: handler_from_include}
  handlers:
    - name: include_handler
      include_tasks: included-handlers.yml
`,
    files: { 'included-handlers.yml': '- {name: handler_from_include, probe: included}\n' },
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:c', 'a:included', 'a:d']);
  assert.ok(o.results.find((r) => r.task === 'handler_from_include')!.handler, 'shown as a handler');
  assert.match(o.results.at(-1)!.msg!, "The requested handler 'handler_from_include' was not found");
});

test('test_notify_included.yml, nested: an include_tasks inside an include_tasks handler includes its file; both includes show as a handler', async () => {
  const o = await play({
    playbook: `- hosts: all
  tasks:
    - {probe: c, notify: include_handler}
  handlers:
    - name: include_handler
      include_tasks: included-handlers.yml
`,
    files: { 'included-handlers.yml': '- {probe: included}\n- include_tasks: deeper.yml\n', 'deeper.yml': '- {probe: deep}\n' },
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:c', 'a:included', 'a:deep']);
  const includes = o.results.filter((r) => /include_tasks$/.test(r.type));
  assert.equal(includes.map((r) => [r.task, r.handler]), [['include_handler', true], ['include_tasks', true]]);
});

test('test_handlers_include.yml: the tasks of an import_tasks (and of a block) in handlers are handlers, each reached by its name', async () => {
  await play({
    playbook: `- hosts: all
  tasks:
    - {probe: c, notify: [imported handler, in a block]}
  handlers:
    - import_tasks: handlers.yml
    - block:
        - {name: in a block, probe: b}
`,
    files: { 'handlers.yml': '- {name: imported handler, probe: i}\n' },
  });
  assert.equal(calls, ['a:c', 'a:i', 'a:b']);
});

test("test_block_as_handler*.yml, test_role_as_handler.yml: Ansible's parser refuses a nested block and a role as a handler", async () => {
  const nested = await play({
    playbook: `- hosts: all
  tasks:
    - probe: c
  handlers:
    - name: handler
      block:
        - {name: fine, probe: f}
        - name: nested
          block:
            - {name: in a nested block, probe: n}
`,
  });
  assert.is(nested.code, 'bad-input');
  assert.match(nested.problems.join('\n'), /play\d+\.yml:9:11: ERROR! Using a block as a handler is not supported\./);
  const role = await play({ playbook: `- hosts: all\n  tasks:\n    - probe: c\n  handlers:\n    - name: role_handler\n      include_role: {name: doesnotmatter_fails_at_parse_time}\n` });
  assert.match(role.problems.join('\n'), /:6:7: ERROR! Using 'include_role' as a handler is not supported\./);
});

test('test_handlers_meta.yml, test_flush_handlers_as_handler.yml: meta noop is a handler; flush_handlers as a handler is an error', async () => {
  const noop = await play({ playbook: `- hosts: all\n  tasks:\n    - {probe: c, notify: noop_handler}\n    - probe: after\n  handlers:\n    - {name: noop_handler, meta: noop}\n` });
  assert.equal(noop.lines, ['a probe changed', 'a probe changed']);
  assert.equal(noop.summary!.unfinished, []);
  const flush = await play({ playbook: `- hosts: all\n  tasks:\n    - {probe: c, notify: flush_handler}\n  handlers:\n    - {name: flush_handler, meta: flush_handlers}\n` });
  assert.is(flush.results.at(-1)!.status, 'failed');
  assert.is(flush.results.at(-1)!.msg, 'ERROR! flush_handlers cannot be used as a handler');
});

test("test_force_handlers.yml: a play's force_handlers: false wins over --force-handlers; unset, --force-handlers decides", async () => {
  const pb = (force: string) => `- hosts: all
${force}  tasks:
    - {probe: c, notify: echoing handler}
    - {name: fail a, probe: {id: x, fail: "{{ inventory_hostname == 'a' }}"}}
  handlers:
    - {name: echoing handler, probe: handler}
`;
  await play({ hosts: ['a', 'b'], playbook: pb('  force_handlers: false\n'), opts: { forceHandlers: true } });
  assert.equal(calls.filter((c) => c.endsWith(':handler')), ['b:handler']);
  await play({ hosts: ['a', 'b'], playbook: pb(''), opts: { forceHandlers: true } });
  assert.equal(calls.filter((c) => c.endsWith(':handler')).sort(), ['a:handler', 'b:handler']);
  await play({ hosts: ['a', 'b'], playbook: pb('  force_handlers: true\n'), opts: { forceHandlers: false } });
  assert.equal(calls.filter((c) => c.endsWith(':handler')).sort(), ['a:handler', 'b:handler']);
});

test('test_handlers_template_run_once.yml: run_once on a handler runs it once for the batch; a templated false, on every host', async () => {
  const pb = (once: string) => `- hosts: all\n  tasks:\n    - {probe: c, notify: once_handler}\n  handlers:\n    - {name: once_handler, probe: h, run_once: ${once}}\n`;
  await play({ hosts: ['a', 'b', 'c'], playbook: pb('true') });
  assert.is(calls.filter((c) => c.endsWith(':h')).length, 1);
  await play({ hosts: ['a', 'b', 'c'], playbook: pb('"{{ testvar | default(False) }}"') });
  assert.is(calls.filter((c) => c.endsWith(':h')).length, 3);
});

test('test_flush_handlers_rescue_always.yml: a handler failing in a flush inside a block goes to the rescue, and counts as a failure', async () => {
  const o = await play({
    hosts: ['a', 'b'],
    playbook: `- hosts: all
  tasks:
    - block:
        - {probe: c, notify: sometimes_fail}
        - meta: flush_handlers
      rescue:
        - {name: rescue ran, probe: r}
      always:
        - {name: always ran, probe: al}
    - {name: should run for both hosts, probe: both}
  handlers:
    - {name: sometimes_fail, probe: {id: h, fail: "{{ inventory_hostname == 'a' }}"}}
`,
  });
  assert.equal(calls.filter((c) => c.startsWith('a:')), ['a:c', 'a:h', 'a:r', 'a:al', 'a:both']);
  assert.equal(calls.filter((c) => c.startsWith('b:')), ['b:c', 'b:h', 'b:al', 'b:both']);
  assert.is(o.summary!.recap.a.failed, 1);
  assert.is(o.summary!.recap.a.rescued, 0);
});

test("roles: a role's handler is reached by ROLE : NAME and by a listen topic from the play; roles' handlers run before the play's", async () => {
  await play({
    playbook: `- hosts: all
  roles: [web]
  tasks:
    - {probe: c, notify: ["web : restart web", from_play]}
  handlers:
    - {name: play listener, probe: p, listen: from_play}
`,
    files: { 'roles/web/tasks/main.yml': '- probe: w\n', 'roles/web/handlers/main.yml': '- {name: restart web, probe: restarted}\n- {name: role listener, probe: rl, listen: from_play}\n' },
  });
  assert.equal(calls, ['a:w', 'a:c', 'a:restarted', 'a:rl', 'a:p']);
});

test("58841.yml: a handler whose name cannot be templated is unusable (Ansible's warning); the others are still reached", async () => {
  const o = await play({
    playbook: `- hosts: all
  tasks:
    - {probe: c, notify: handler name}
  handlers:
    - {name: "handler name with {{ test_var }}", probe: with_var}
    - {name: handler name, probe: plain}
`,
  });
  assert.equal(calls, ['a:c', 'a:plain']);
  assert.match(warnings(o)[0] ?? '', "Handler 'handler name with {{ test_var }}' is unusable because it has no listen topics");
});

test('runme.sh: ANSIBLE_FORCE_HANDLERS=true forces handlers; ANSIBLE_ERROR_ON_MISSING_HANDLER=false makes a missing handler a warning', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-handlers-env-'));
  writeFileSync(join(dir, 'inv.yml'), 'all:\n  hosts:\n    A: {connection: local}\n');
  writeFileSync(join(dir, 'force.yml'), '- hosts: all\n  tasks:\n    - {command: echo, notify: env forced}\n    - fail: {msg: Fail A}\n  handlers:\n    - {name: env forced, command: echo CALLED_HANDLER_A}\n');
  writeFileSync(join(dir, 'missing.yml'), '- hosts: all\n  tasks:\n    - {command: echo, notify: notify_inexistent_handler}\n');
  const env = { HOME: dir, ANSIBLE_CONFIG: join(dir, 'none.cfg') };
  // -v, as runme.sh runs it: the handler's stdout is in its result line
  const plain = await skiff(['run', join(dir, 'force.yml'), '-i', join(dir, 'inv.yml'), '-v'], { env, cwd: dir });
  assert.not.match(plain.stdout, 'CALLED_HANDLER_A');
  const forced = await skiff(['run', join(dir, 'force.yml'), '-i', join(dir, 'inv.yml'), '-v'], { env: { ...env, ANSIBLE_FORCE_HANDLERS: 'true' }, cwd: dir });
  assert.match(forced.stdout, 'CALLED_HANDLER_A');
  const strict = await skiff(['run', join(dir, 'missing.yml'), '-i', join(dir, 'inv.yml')], { env, cwd: dir });
  assert.is(strict.code, 2, strict.stdout + strict.stderr);
  assert.match(strict.stderr, "ERROR! The requested handler 'notify_inexistent_handler' was not found in either the main handlers list nor in the listening handlers list");
  const lenient = await skiff(['run', join(dir, 'missing.yml'), '-i', join(dir, 'inv.yml')], { env: { ...env, ANSIBLE_ERROR_ON_MISSING_HANDLER: 'false' }, cwd: dir });
  assert.is(lenient.code, 0, lenient.stdout + lenient.stderr);
  assert.match(lenient.stderr, "[WARNING]: The requested handler 'notify_inexistent_handler' was not found");
});

test('test_handlers_meta.yml: a meta handler runs under its RUNNING HANDLER banner, and -vv says META: noop', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-handlers-meta-'));
  writeFileSync(join(dir, 'inv.yml'), 'all:\n  hosts:\n    A: {connection: local}\n');
  writeFileSync(join(dir, 'meta.yml'), '- hosts: A\n  gather_facts: false\n  tasks:\n    - {command: echo, notify: [noop_handler]}\n  handlers:\n    - {name: noop_handler, meta: noop}\n');
  const env = { HOME: dir, ANSIBLE_CONFIG: join(dir, 'none.cfg') };
  const r = await skiff(['run', join(dir, 'meta.yml'), '-i', join(dir, 'inv.yml'), '-vv'], { env, cwd: dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  const count = (re: RegExp) => r.stdout.split('\n').filter((l) => re.test(l)).length;
  assert.is(count(/RUNNING HANDLER \[noop_handler\]/), 1, r.stdout);
  assert.is(count(/META: noop/), 1, r.stdout);
  // without -vv, the banner alone
  const quiet = await skiff(['run', join(dir, 'meta.yml'), '-i', join(dir, 'inv.yml')], { env, cwd: dir });
  assert.match(quiet.stdout, 'RUNNING HANDLER [noop_handler]');
  assert.not.match(quiet.stdout, 'META:');
});

test("keyword_inheritance: a play's become_user that does not exist yet (a user the play creates) does not stop a task without become from notifying its handler", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-handlers-become-'));
  writeFileSync(join(dir, 'inv.yml'), 'all:\n  hosts:\n    A: {connection: local}\n');
  // the markers of notified handlers are kept through the login, not through the play's become
  writeFileSync(join(dir, 'pb.yml'), `- hosts: all
  become: true
  become_user: skiff-nosuch-user
  tasks:
    - {command: echo made, become: false, notify: after}
  handlers:
    - {name: after, command: echo HANDLER_RAN, become: false}
`);
  const r = await skiff(['run', join(dir, 'pb.yml'), '-i', join(dir, 'inv.yml'), '-v'], { env: { HOME: dir, ANSIBLE_CONFIG: join(dir, 'none.cfg') }, cwd: dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, 'HANDLER_RAN');
  assert.not.match(r.stdout + r.stderr, 'internal error');
  // and nothing is left pending: the marker was removed through the same login
  assert.equal(readdirSync(join(dir, '.cache/skiff/handlers')), []);
});

test.run();
