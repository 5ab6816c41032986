// test/conformance/compare.ts: how a target's runs under ansible-core and skiff are judged.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compareTarget, firstError, parseRecap, summary, type RunRecord } from '../conformance/compare.ts';

const recapText = (ok: number, changed: number, failed = 0, skipped = 0) =>
  `PLAY RECAP *****\ntesthost                   : ok=${ok}    changed=${changed}    unreachable=0    failed=${failed}    skipped=${skipped}    rescued=0    ignored=0   \n`;
const run = (rc: number, out: string, err = ''): RunRecord => ({ rc, argv: ['x.yml'], recap: parseRecap(out), stdout: out, stderr: err });

test('the recap line of either tool is read, colours and padding aside', () => {
  const r = parseRecap(`\x1b[0;33mtesthost\x1b[0m : ok=12   changed=3    unreachable=0    failed=1    skipped=2    rescued=0    ignored=4`);
  assert.equal(r.testhost, { ok: 12, changed: 3, unreachable: 0, failed: 1, skipped: 2, rescued: 0, ignored: 4 });
  assert.equal(parseRecap('no recap here'), {});
});

test('equal exit codes and recaps agree; other counts under equal exit codes are a silent difference', () => {
  const same = compareTarget('t', { rc: 0, runs: [run(0, recapText(5, 2))] }, { rc: 0, runs: [run(0, recapText(5, 2))] });
  assert.is(same.agreed, 1);
  assert.is(same.difference, undefined);
  const silent = compareTarget('t', { rc: 0, runs: [run(0, recapText(5, 2))] }, { rc: 0, runs: [run(0, recapText(5, 1))] });
  assert.is(silent.agreed, 0);
  assert.is(silent.silent, 1);
  assert.match(silent.difference!, /silent: testhost changed: ansible 2, skiff 1/);
});

test('a run expected to fail agrees when skiff fails too; a run skiff never reached does not', () => {
  const a = { rc: 0, runs: [run(2, ''), run(0, recapText(1, 0))] };
  const r = compareTarget('t', a, { rc: 1, runs: [run(2, '')] });
  assert.is(r.ansibleRuns, 2);
  assert.is(r.agreed, 1);
  assert.match(r.difference!, /run 2 .* not reached/);
});

test('a skiff refusal names its first error line without the temporary directory', () => {
  const s = run(5, '', 'warning: something\n/tmp/conformance-stat-skiff-Ab12/targets/stat/tasks/main.yml:3:5: ping is an Ansible module not supported by skiff\n');
  assert.is(firstError(s), 'targets/stat/tasks/main.yml:3:5: ping is an Ansible module not supported by skiff');
  const r = compareTarget('stat', { rc: 0, runs: [run(0, recapText(3, 0))] }, { rc: 5, runs: [s] });
  assert.match(r.difference!, /^run 1: ansible rc 0, skiff rc 5: targets\/stat/);
});

test('the summary counts only the runs of targets ansible-core passes', () => {
  const passing = compareTarget('a', { rc: 0, runs: [run(0, recapText(1, 0)), run(0, recapText(2, 0))] }, { rc: 0, runs: [run(0, recapText(1, 0)), run(0, recapText(2, 0))] });
  const ansibleFails = compareTarget('b', { rc: 1, runs: [run(1, '')] }, { rc: 1, runs: [run(1, '')] });
  const s = summary([passing, ansibleFails]);
  assert.match(s, /ansible-core passes 1\/2; skiff passes 1 of those/);
  assert.match(s, /runs of the targets ansible-core passes: 2; skiff agrees on 2 \(100\.0%\)/);
});

test.run();
