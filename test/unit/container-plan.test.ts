// tasks/lib/container/plan.ts: what a wanted container needs, from the inspected facts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planWanted } from '../../tasks/lib/container/plan.ts';
import { aprom, same } from './container-fixtures.ts';

test('planWanted: create / recreate / start / nothing; pull named when the image is missing', () => {
  const f = aprom();
  const spec = same(f);
  assert.equal(planWanted('podman', spec, { leftovers: [], wantedImagePresent: false }).changes, ['pull localhost/prometheus:lab', 'create container aprom']);
  assert.equal(planWanted('podman', spec, { leftovers: [], facts: f, image: { env: f.env, labels: {} } }), { changes: [], action: 'none' });
  const stopped = { ...f, running: false, status: 'exited' };
  assert.equal(planWanted('podman', spec, { leftovers: [], facts: stopped }).action, 'start');
  const r = planWanted('podman', { ...spec, args: [...spec.args, '--web.enable-lifecycle'] }, { leftovers: [], facts: f, image: { env: f.env, labels: {} } });
  assert.is(r.action, 'recreate');
  assert.equal(r.changes, ['recreate container aprom: args: + --web.enable-lifecycle']);
  assert.match(r.diff!, /\+.*--web\.enable-lifecycle/);
});

test.run();
