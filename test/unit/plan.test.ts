// The pure parts of reviewed changes (src/plan/): a host's planned steps against a new check, the
// plan's age, the inputs' hashes, and the plan file's schema.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { driftOf, failedInPlan, formatDrift, parseDuration, tooOld } from '../../src/plan/compare.ts';
import { changedInputs, hashInputs, rehash, roleDirOf } from '../../src/plan/inputs.ts';
import { parsePlan } from '../../src/plan/read.ts';
import { PLAN_FORMAT, type Step } from '../../src/plan/schema.ts';

const write: Step = { play: 'prom', task: 'config', at: 'site.yml:5:7', type: 'content', status: 'changed', changes: ['write /etc/prometheus/prometheus.yml (1.2 kB)'], diff: '+a\n' };
const sidecar: Step = { play: 'prom', task: 'sidecar', at: 'site.yml:9:7', type: 'run-sidecar', status: 'changed', changes: ['create thanos-sidecar'] };

test('the same steps: no drift', () => {
  assert.is(driftOf('prom2', [write, sidecar], [{ ...write }, { ...sidecar }]), undefined);
});

test('a change no longer needed: drift named by host, task and both outcomes', () => {
  const d = driftOf('prom2', [write, sidecar], [{ ...write, status: 'ok', changes: [], diff: undefined }, sidecar]);
  assert.ok(d);
  assert.is(formatDrift(d!), "prom2: config [site.yml:5:7]: planned 'write /etc/prometheus/prometheus.yml (1.2 kB)' at review, now 'nothing to do'");
});

test('the same change line with another diff (other content) is drift', () => {
  const d = driftOf('h', [write], [{ ...write, diff: '+b\n' }]);
  assert.ok(d);
  assert.match(d!.now, /another diff/);
});

test('a task that now fails, or another task in its place, or one more task: drift', () => {
  assert.match(driftOf('h', [write], [{ ...write, status: 'failed', changes: [], msg: 'permission denied\nmore' }])!.now, /^failed: permission denied$/);
  assert.match(driftOf('h', [write, sidecar], [sidecar, write])!.planned, /^config \[site\.yml:5:7\]/);
  assert.is(driftOf('h', [write], [write, sidecar])!.planned, 'no such task');
});

test('a debug message that differs is no drift (msg is not what the plan changes)', () => {
  const dbg: Step = { play: 'p', task: 'say', type: 'debug', status: 'ok', changes: [], msg: 'at 12:00' };
  assert.is(driftOf('h', [dbg], [{ ...dbg, msg: 'at 12:01' }]), undefined);
});

test('a host that failed when planned is never applied; an ignored failure does not count', () => {
  assert.ok(failedInPlan('h', [{ ...write, status: 'failed', msg: 'boom' }]));
  assert.is(failedInPlan('h', [{ ...write, status: 'failed', ignored: true }]), undefined);
  assert.ok(failedInPlan('h', [{ ...write, status: 'unreachable' }]));
});

test('durations and age', () => {
  assert.is(parseDuration('24h'), 86_400_000);
  assert.is(parseDuration('90m'), 5_400_000);
  assert.is(parseDuration('2d'), 172_800_000);
  assert.is(parseDuration('30'), 30_000);
  assert.is(parseDuration('a day'), undefined);
  const created = '2026-01-01T00:00:00.000Z';
  assert.is(tooOld(created, new Date('2026-01-01T23:00:00Z'), 86_400_000), undefined);
  assert.match(tooOld(created, new Date('2026-01-02T01:00:00Z'), 86_400_000)!, /made 25h ago .* more than --max-age 24h/);
  assert.match(tooOld(created, new Date('2025-12-31T00:00:00Z'), 86_400_000)!, /future/);
});

test('inputs: a changed file, a file added to a directory, a directory that appeared', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-plan-inputs-'));
  try {
    mkdirSync(join(dir, 'group_vars'));
    writeFileSync(join(dir, 'group_vars', 'all.yml'), 'a: 1\n');
    writeFileSync(join(dir, 'site.yml'), '- hosts: all\n');
    writeFileSync(join(dir, 'plan.json'), '{}');
    const inputs = hashInputs({ files: [join(dir, 'site.yml')], trees: [], maybe: [join(dir, 'group_vars'), join(dir, 'host_vars'), dir], exclude: [join(dir, 'plan.json')] });
    assert.ok(inputs.every((i) => i.path !== join(dir, 'plan.json')), 'the plan itself is no input');
    assert.equal(changedInputs(inputs, rehash(inputs, [join(dir, 'plan.json')])), []);
    writeFileSync(join(dir, 'group_vars', 'all.yml'), 'a: 2\n');
    writeFileSync(join(dir, 'group_vars', 'web.yml'), 'b: 1\n');
    mkdirSync(join(dir, 'host_vars'));
    assert.equal(changedInputs(inputs, rehash(inputs, [join(dir, 'plan.json')])).sort(), [
      `${dir}/group_vars/all.yml: changed since the plan`,
      `${dir}/group_vars: files added or removed since the plan`,
      `${dir}/host_vars: directory added since the plan`,
      `${dir}: files added or removed since the plan`,
    ].sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a role's directory from a file the run read in it", () => {
  assert.is(roleDirOf('/p/roles/thanos/tasks/main.yml'), '/p/roles/thanos');
  assert.is(roleDirOf('/p/roles/thanos/defaults/main.yml'), '/p/roles/thanos');
  assert.is(roleDirOf('/p/playbooks/tasks/main.yml'), undefined);
});

const good = { format: PLAN_FORMAT, skiff: '0.1.0', created: '2026-01-01T00:00:00.000Z', cwd: '/x', playbooks: ['site.yml'], flags: { inventory: ['inv.yml'] }, inputs: [{ path: '/x/site.yml', sha256: 'a'.repeat(64) }], hosts: { h: [write] } };

test('the plan file: read back when whole; refused with the file and what was expected otherwise', () => {
  assert.ok('plan' in parsePlan('p.json', JSON.stringify(good)));
  const notJson = parsePlan('p.json', '{"format": "skiff-pl');
  assert.ok('problems' in notJson);
  assert.match((notJson as { problems: { message: string }[] }).problems[0].message, /^not a plan: .*expected the JSON file skiff run --check --plan writes/);
  const other = parsePlan('p.json', JSON.stringify({ ...good, format: 'terraform' }));
  assert.equal((other as { problems: { file: string; message: string }[] }).problems.map((p) => [p.file, p.message]), [['p.json', 'format "terraform": expected "skiff-plan/1" (a plan written by skiff run --check --plan)']]);
  const bad = parsePlan('p.json', JSON.stringify({ ...good, inputs: [{ path: '/x', sha256: 'nope' }], hosts: { h: [{ ...write, status: 'done' }] } }));
  const msgs = (bad as { problems: { message: string }[] }).problems.map((p) => p.message);
  assert.ok(msgs.some((m) => m.startsWith('inputs.0.sha256:') && m.includes('a sha256 in hex')), msgs.join('\n'));
  assert.ok(msgs.some((m) => m.startsWith('hosts.h.0.status:') && m.includes('"changed"')), msgs.join('\n'));
});

test.run();
