// Shared set-up of the lab test files: bring the lab up or skip with the reason (never under CI=true),
// and work around uvu 0.5.6 swallowing errors thrown in test.before (it then reports a pass).
import type { Test } from 'uvu';
import { labCanStart, labUp, type Lab, type LabUpOptions } from './lab.ts';

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
