// tasks/lib/container/resume.ts: what an interrupted recreate left is recognised in the plan and
// finished by the script, against the fake podman: the plan's effective container is the one the
// script leaves, old containers go only once the new one is ready, and nothing else is touched.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planResume } from '../../tasks/lib/container/resume.ts';
import type { Inspected } from '../../tasks/lib/container/inspect.ts';
import { recreateScript } from '../../tasks/lib/container/recreate.ts';
import { aprom, same } from './container-fixtures.ts';
import { fakeHost } from './fake-podman.ts';

const NEW = 'aprom-skiff-new';
const OLD = 'aprom-skiff-old';
const facts = (name: string, running: boolean) => ({ ...aprom(), name, running, status: running ? 'running' : 'exited' });

/** The Inspected of a host whose containers are `c` (name -> "<id> <status>"). */
function inspected(c: Record<string, string>): Inspected {
  const f = (n: string) => facts(n, c[n].endsWith('running'));
  const leftovers = [NEW, OLD].filter((n) => n in c);
  return { facts: 'aprom' in c ? f('aprom') : undefined, leftovers, leftoverFacts: Object.fromEntries(leftovers.map((n) => [n, f(n)])) };
}

const cases: { name: string; host: Record<string, string>; after: Record<string, RegExp>; changes: RegExp; env?: Record<string, string>; code?: number }[] = [
  { name: 'stopped before the swap (old stopped for the copy)', host: { aprom: 'old1 exited', [NEW]: 'new1 created' }, after: { aprom: /^old1 running$/ }, changes: /remove aprom-skiff-new/ },
  { name: 'swapped, new not started yet', host: { aprom: 'new1 created', [OLD]: 'old1 exited' }, after: { aprom: /^new1 running$/ }, changes: /once it is ready, remove aprom-skiff-old/ },
  { name: 'swapped and running, old not removed yet', host: { aprom: 'new1 running', [OLD]: 'old1 exited' }, after: { aprom: /^new1 running$/ }, changes: /remove aprom-skiff-old/ },
  { name: 'between the two renames', host: { [NEW]: 'new1 created', [OLD]: 'old1 exited' }, after: { aprom: /^new1 running$/ }, changes: /rename aprom-skiff-new -> aprom/ },
  { name: 'old only (the new one was removed by a rollback)', host: { [OLD]: 'old1 exited' }, after: { aprom: /^old1 running$/ }, changes: /rename aprom-skiff-old -> aprom/ },
  { name: 'first create, not renamed yet', host: { [NEW]: 'new1 created' }, after: { aprom: /^new1 running$/ }, changes: /rename aprom-skiff-new -> aprom/ },
  { name: 'swapped, but the new one is not ready: the old one is put back', host: { aprom: 'new1 created', [OLD]: 'old1 exited' }, env: { CURL_CODE: '503' }, after: { aprom: /^old1 running$/ }, changes: /else put aprom-skiff-old back/, code: 16 },
];

for (const c of cases) {
  test(`resume: ${c.name}`, () => {
    const r = planResume('podman', 'aprom', inspected(c.host), 'http://127.0.0.1:9090/-/ready', 2)!;
    assert.ok(r, 'recognised');
    assert.match(r.changes.join('\n'), c.changes);
    // the rest is planned against the container the script leaves: named aprom, running
    assert.is(r.effective?.name, 'aprom');
    assert.is(r.effective?.running, true);
    const h = fakeHost(c.host);
    const x = h.run(r.script, c.env);
    assert.is(x.status, c.code ?? 0, x.stderr);
    const state = h.state();
    assert.equal(Object.keys(state), Object.keys(c.after), JSON.stringify(state));
    for (const [n, re] of Object.entries(c.after)) assert.match(state[n], re);
  });
}

test('resume: nothing left, nothing to do', () => {
  assert.is(planResume('podman', 'aprom', { facts: facts('aprom', true), leftovers: [] }), undefined);
});

test('a recreate waits for another one holding the lock on the host, then runs', () => {
  const h = fakeHost({ aprom: 'old1 running' });
  const spec = { ...same(aprom()), args: [...aprom().args, '--web.enable-lifecycle'] };
  const script = recreateScript({ engine: 'podman', spec, exists: true, stopTimeout: 30, readyTimeout: 3 });
  // a first recreate that is still running holds the lock for 2 s (as one begun by a skiff that died)
  const holder = `mkdir -p "$XDG_RUNTIME_DIR/skiff"; flock "$XDG_RUNTIME_DIR/skiff/recreate-podman-aprom.lock" sleep 2 & sleep 0.3; `;
  const t = Date.now();
  const x = h.run(holder + script);
  assert.is(x.status, 0, x.stderr);
  assert.ok(Date.now() - t >= 1500, 'it waited for the lock');
  assert.match(h.state().aprom, /^new\d+ running$/);
});

test.run();
