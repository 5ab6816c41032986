// The playbook language on the lab's real hosts over SSH: loops, until/retries, block/rescue/always,
// tags, delegate_to, run_once, and serial with max_fail_percentage; what is left on each host is read
// from the host's own files.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labExec, type Lab } from '../../lab/lab.ts';
import { labInventory, useLab } from './use-lab.ts';
import { skiff } from '../helpers.ts';

const PLAYBOOK = 'test/lab/playbooks/language.yml';
const SERIAL = 'test/lab/playbooks/language-serial.yml';
let lab: Lab | undefined;
let inv = '';
const tmp = mkdtempSync(join(tmpdir(), 'skiff-language-'));

const guard = useLab(test, 'playbook language lab tests', {}, async (l) => {
  lab = l;
  inv = join(tmp, 'hosts.yml');
  writeFileSync(inv, labInventory(l));
  await Promise.all(l.hosts.map((h) => labExec(h.name, 'rm -rf /srv/skiff-language /srv/skiff-language-serial')));
});

const file = (host: string, path: string) => {
  const p = join(lab!.hosts.find((h) => h.name === host)!.dir, 'srv', path);
  return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
};
type Report = { recap: Record<string, { changed: number; rescued: number; failed: number }>; results: { host: string; task: string; status: string; changes: string[]; delegatedTo?: string }[] };
const report = (f: string): Report => JSON.parse(readFileSync(f, 'utf8'));

test('loops, until, block/rescue/always, delegate_to and run_once on every host; a second run changes nothing', async () => {
  if (!guard.lab()) return;
  const names = lab!.hosts.map((h) => h.name);
  const r1 = await skiff(['run', PLAYBOOK, '-i', inv, '--report', join(tmp, 'r1.json')]);
  assert.is(r1.code, 0, r1.stdout + r1.stderr);
  const rep = report(join(tmp, 'r1.json'));
  for (const h of names) {
    // loop: one file per item, labels in the output
    assert.is(file(h, 'skiff-language/alpha.conf'), 'alpha=1\n');
    assert.is(file(h, 'skiff-language/beta.conf'), 'beta=2\n');
    // until: the flag appeared ~2 s after it was started, and the wait saw it
    assert.ok(file(h, 'skiff-language/ready') !== undefined, `${h}: waited for the flag`);
    // block: always everywhere; rescue only where the block failed
    assert.is(file(h, 'skiff-language/always'), 'ran\n');
    assert.is(file(h, 'skiff-language/rescued'), h === 'prom2' ? 'fails on prom2\n' : undefined);
    assert.is(rep.recap[h].rescued, h === 'prom2' ? 1 : 0);
    assert.is(rep.recap[h].failed, 0);
    // become_user: the task ran through sudo as that user
    assert.is(file(h, 'skiff-language/who'), 'nobody\n');
    // tags: a never-tagged task did not run
    assert.is(file(h, 'skiff-language/extra'), undefined);
    // delegate_to: written on monitoring, for each host
    assert.is(file('monitoring', `skiff-language/from-${h}`), `${h}\n`);
  }
  const loop = rep.results.find((r) => r.task === 'one file per item' && r.host === 'prom1')!;
  assert.equal(loop.changes.map((c) => c.split(' ')[0]), ['(item=alpha)', '(item=beta)']);
  assert.is(rep.results.find((r) => r.task === 'each host recorded on monitoring' && r.host === 'prom1')!.delegatedTo, 'monitoring');
  // run_once: on the batch's first host only
  assert.equal(names.filter((h) => file(h, 'skiff-language/once') !== undefined), [names[0]]);
  assert.is(rep.results.filter((r) => r.task === 'once for the whole batch').length, 1);

  const r2 = await skiff(['run', PLAYBOOK, '-i', inv, '--report', join(tmp, 'r2.json')]);
  assert.is(r2.code, 0, r2.stdout + r2.stderr);
  for (const [h, rc] of Object.entries(report(join(tmp, 'r2.json')).recap)) assert.is(rc.changed, 0, `${h}: second run changed nothing`);

  // tags: --tags extra runs that task (and nothing else but `always`-tagged ones: there are none)
  const r3 = await skiff(['run', PLAYBOOK, '-i', inv, '--tags', 'extra', '--report', join(tmp, 'r3.json')]);
  assert.is(r3.code, 0, r3.stdout + r3.stderr);
  assert.equal([...new Set(report(join(tmp, 'r3.json')).results.map((r) => r.task))], ['only with --tags extra']);
  for (const h of names) assert.is(file(h, 'skiff-language/extra'), 'extra\n');
});

test('serial 2 with max_fail_percentage 40: a failure in the first batch ends the run; the rest are in the retry file', async () => {
  if (!guard.lab()) return;
  const names = lab!.hosts.map((h) => h.name);
  const r = await skiff(['run', SERIAL, '-i', inv, '-e', `fail_host=${names[1]}`]);
  assert.is(r.code, 2, r.stdout + r.stderr);
  // first batch: names[1] failed; the second batch never started. names[0] stopped too, unless it had
  // already finished (hosts of a batch do not wait for each other): then it is not in the retry file.
  const done = names.map((h) => file(h, 'skiff-language-serial/done') !== undefined);
  assert.equal(done.slice(1), [false, false, false]);
  const retry = readFileSync('.skiff/retry/language-serial.retry', 'utf8').trim().split('\n').sort();
  assert.equal(retry, (done[0] ? names.slice(1) : names).sort());
  // the rerun of the retry file, with the failure fixed, finishes the job
  const again = await skiff(['run', SERIAL, '-i', inv, '-e', 'fail_host=none', '--limit', '@.skiff/retry/language-serial.retry']);
  assert.is(again.code, 0, again.stdout + again.stderr);
  assert.ok(names.every((h) => file(h, 'skiff-language-serial/done') !== undefined));
});

test.run();
