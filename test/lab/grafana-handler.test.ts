// Durable handlers on the real stack: thanos.yml points Grafana's datasource at the query and notifies
// "restart grafana". When that restart fails, or the run is interrupted right after the datasource
// task, the next run restarts Grafana although nothing changes again; the run after that changes nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labExec } from '../../lab/lab.ts';
import { useLab } from './use-lab.ts';
import { background, skiff } from '../helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'skiff-grafana-handler-'));
const INV = 'inventory/lab';
const QUERY_URL = 'http://10.213.0.10:10904';
type Report = { recap: Record<string, { changed: number; failed: number }>; results: { host: string; task: string; status: string; handler?: boolean }[] };

const guard = useLab(test, 'durable handler lab tests');

const run = async (pb: string, name: string, extra: string[] = []) => {
  const file = join(tmp, `${name}.json`);
  const r = await skiff(['run', `playbooks/${pb}.yml`, '-i', INV, '--report', file, ...extra], { timeoutMs: 600_000 });
  return { r, rep: (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { recap: {}, results: [] }) as Report };
};
const startedAt = async () => (await labExec('monitoring', `docker inspect agraf --format '{{.State.StartedAt}}'`)).stdout.trim();
const datasourceUrl = async () => (await labExec('monitoring', `grep -o 'url: http://[^ ]*:90[0-9]*\\|url: ${QUERY_URL}' /srv/scylla-monitoring/grafana/provisioning/datasources/datasource.yaml | head -1`)).stdout.trim();
const handlerRan = (rep: Report) => rep.results.some((x) => x.handler && x.task === 'restart grafana' && x.status === 'changed');
const changed = (rep: Report) => Object.values(rep.recap).reduce((n, x) => n + x.changed, 0);

/** Back to Grafana on Prometheus (thanos-rollback.yml), so that thanos.yml changes the datasource again. */
async function rollback() {
  const rb = await run('thanos-rollback', `rollback-${Date.now()}`);
  assert.is(rb.r.code, 0, rb.r.stdout + rb.r.stderr);
  assert.not.match(await datasourceUrl(), QUERY_URL);
}

/** The next run restarts Grafana though nothing else changes; the one after changes nothing. */
async function nextRunsFinishTheJob(name: string) {
  const before = await startedAt();
  const next = await run('thanos', `${name}-next`);
  assert.is(next.r.code, 0, next.r.stdout + next.r.stderr);
  assert.ok(handlerRan(next.rep), `the pending restart ran: ${next.r.stdout}`);
  assert.match(next.r.stdout, /RUNNING HANDLER \[restart grafana\]/); // Ansible's banner
  assert.is.not(await startedAt(), before, 'agraf was restarted');
  const after = await run('thanos', `${name}-after`);
  assert.is(after.r.code, 0, after.r.stdout);
  assert.is(changed(after.rep), 0, after.r.stdout);
  assert.not.ok(handlerRan(after.rep), 'and only once');
}

test('the Grafana restart fails once: the next run restarts Grafana, the run after changes nothing', async () => {
  if (!guard.lab()) return;
  await rollback();
  // the restart fails: the container it names is not there (as a restart that cannot happen would)
  const failing = await run('thanos', 'restart-fails', ['-e', 'grafana_container=agraf-gone']);
  assert.is(failing.r.code, 2, failing.r.stdout + failing.r.stderr);
  assert.is(failing.rep.results.find((x) => x.handler && x.task === 'restart grafana')?.status, 'failed');
  assert.match(await datasourceUrl(), QUERY_URL, 'the datasource was changed');
  await nextRunsFinishTheJob('restart-fails');
});

test('the run is interrupted right after the datasource task: the next run restarts Grafana, the run after changes nothing', async () => {
  if (!guard.lab()) return;
  await rollback();
  let sent = false;
  const { done } = background(['run', 'playbooks/thanos.yml', '-i', INV], (out, child) => {
    // Ansible's lines: the task's banner, then its status line for the host
    if (!sent && /TASK \[Grafana datasource on the query\] \*+\n(?:.*\n)*?changed: \[monitoring\]/.test(out)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  const r = await done;
  assert.ok(sent, r.out);
  assert.is(r.code, 130, r.out);
  assert.match(await datasourceUrl(), QUERY_URL, 'the datasource was changed before the interrupt');
  await nextRunsFinishTheJob('interrupted');
});

test.run();
