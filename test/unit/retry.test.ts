// The retry file (src/report/files.ts): who a rerun with --limit @file must reach.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { writeRetry } from '../../src/report/files.ts';
import type { RunSummary } from '../../src/engine/run.ts';
import { emptyRecap } from '../../src/engine/recap.ts';

const rc = (x: Partial<RunSummary['recap'][string]> = {}) => ({ ...emptyRecap(), ...x });
const name = 'skiff-unit-retry-test';

test('after an interruption: failed hosts, and hosts stopped between two tasks; not the finished ones', () => {
  const s: RunSummary = {
    results: [],
    interrupted: true,
    recap: { done: rc({ ok: 3 }), between: rc({ ok: 1, changed: 1 }), failed: rc({ ok: 1, failed: 1 }), untouched: rc() },
    unfinished: ['between', 'failed', 'untouched'],
    failed: ['failed'],
  };
  const r = writeRetry(`${name}.yml`, s);
  assert.equal(r.hosts.sort(), ['between', 'failed', 'untouched']);
  assert.equal(readFileSync(r.path, 'utf8').trim().split('\n').sort(), ['between', 'failed', 'untouched']);
  // a later clean run removes it
  const clean = writeRetry(`${name}.yml`, { results: [], interrupted: false, recap: { done: rc({ ok: 3 }) }, unfinished: [], failed: [] });
  assert.equal(clean.hosts, []);
  assert.not.ok(existsSync(clean.path));
});

test.run();
