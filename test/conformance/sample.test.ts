// A bounded sample of the conformance run (npm run conformance runs them all): Ansible's own targets
// that skiff passes, each run under ansible-core 2.14 and under skiff and compared run by run. A target
// here that skiff stops passing, or whose recap stops matching Ansible's, fails the suite.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { PINNED, runTarget } from './run.ts';
import { compareTarget, formatTable } from './compare.ts';

/** Targets skiff passes as ansible-core does (grown as the conformance table grows). */
export const SAMPLE = (process.env.CONFORMANCE_SAMPLE ?? 'ping,getent,register,assert,add_host,group_by').split(',').filter(Boolean);

// the targets run as ansible-test runs them: as root, on this machine, with ansible-core installed
// (lab/setup.ts installs it); elsewhere they cannot run, which CI does not accept
const missing = process.getuid?.() !== 0 ? 'not root' : spawnSync('ansible-playbook', ['--version']).status !== 0 ? 'ansible-playbook is not installed (npm run lab -- install)' : '';
if (missing && process.env.CI === 'true') throw new Error(`conformance sample cannot run: ${missing}`);

for (const target of SAMPLE) {
  test(`conformance: Ansible's ${target} target passes under skiff as under ansible-core, run by run`, () => {
    if (missing) return console.log(`  skipped: ${missing}`);
    const ans = runTarget(PINNED, target, 'ansible', 300);
    const sk = runTarget(PINNED, target, 'skiff', 300);
    const r = compareTarget(target, ans, sk);
    const table = formatTable([r]);
    assert.ok(r.ansible!.pass, `ansible-core fails its own target:\n${ans.log.slice(-2000)}`);
    assert.ok(r.skiff!.pass, `skiff fails:\n${table}\n${sk.log.slice(-3000)}`);
    assert.is(r.agreed, r.ansibleRuns, table);
    assert.is(r.silent, 0, table);
    assert.is(r.skiff!.internalErrors, 0, table);
  });
}

test.run();
