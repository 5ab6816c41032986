// Shared set-up of the lab test files: bring the lab up or skip with the reason (never under CI=true),
// and work around uvu 0.5.6 swallowing errors thrown in test.before (it then reports a pass).
import type { Test } from 'uvu';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as assert from 'uvu/assert';
import { netnsName } from '../../lab/config.ts';
import { labCanStart, labExec, labUp, sshdStartCommand, type Lab, type LabUpOptions } from '../../lab/lab.ts';

export interface LabGuard {
  /** the lab, or undefined when skipping; throws the set-up error, if any */
  lab(): Lab | undefined;
}

export function useLab(test: Test, what: string, opts: LabUpOptions = {}, then?: (lab: Lab) => Promise<void>): LabGuard {
  let lab: Lab | undefined;
  let error: unknown;
  test.before(async () => {
    try {
      const can = await labCanStart();
      if (!can.ok) {
        if (process.env.CI === 'true') throw new Error(`lab cannot start under CI: ${can.reason}`);
        console.log(`  SKIP ${what}: ${can.reason}`);
        return;
      }
      lab = await labUp(opts);
      await then?.(lab);
    } catch (e) {
      error = e;
      lab = undefined;
    }
  });
  return {
    lab() {
      if (error) throw error;
      return lab;
    },
  };
}

/** An inventory of the lab's hosts in one group `lab`, as a user would write it. */
export function labInventory(lab: Lab, extraVars = ''): string {
  const hosts = lab.hosts.map((h) => `        ${h.name}: {address: ${h.address}}`).join('\n');
  return `all:\n  vars:\n    user: root\n    private_key_file: ${lab.keyFile}\n    known_hosts_file: ${lab.knownHostsFile}\n${extraVars}  children:\n    lab:\n      hosts:\n${hosts}\n`;
}

/** Kills every sshd process (listener and sessions) in one lab host's network namespace. */
export function killSshd(host: string): number {
  const pids = execFileSync('ip', ['netns', 'pids', netnsName(host)], { encoding: 'utf8' }).split('\n').filter(Boolean);
  let n = 0;
  for (const p of pids) {
    try {
      if (readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'sshd') {
        process.kill(Number(p), 'SIGKILL');
        n++;
      }
    } catch {
      /* already gone */
    }
  }
  return n;
}

export async function restartSshd(host: string) {
  const r = await labExec(host, sshdStartCommand(host));
  assert.is(r.code, 0, r.stderr);
  for (let i = 0; i < 50; i++) {
    const ok = await labExec(host, `cat < /dev/null > /dev/tcp/127.0.0.1/22 2>/dev/null || nc -z 127.0.0.1 22 2>/dev/null || (exec 3<>/dev/tcp/127.0.0.1/22) 2>/dev/null; ss -ltn 2>/dev/null | grep -q ':22 '`);
    if (ok.code === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

