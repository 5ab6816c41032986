// Planning a wanted container (shared by the container, run-sidecar and run-query tasks): from
// what inspect read, the changes to name, the --diff and the action to apply.
//
// Pure over the inspected facts; unit-tested in test/unit/container-plan.test.ts.
import type { ContainerSpec, Engine } from './spec.ts';
import type { Inspected } from './inspect.ts';
import { compareContainer, specFromFacts } from './compare.ts';
import { containerDiff } from './argv.ts';
import { planResume, type Resume } from './resume.ts';

export interface ContainerPlanState {
  inspected: Inspected;
  /** 'recreate' | 'create' | 'start' | 'none' */
  action: 'create' | 'recreate' | 'start' | 'none';
  /** an interrupted recreate to finish first (resume.ts) */
  resume?: Resume;
}

/**
 * Changes needed to get `spec` running; pure over the inspected facts. What an interrupted recreate
 * left is finished first (resume.ts), and the rest is planned against the container it leaves.
 */
export function planWanted(engine: Engine, spec: ContainerSpec, ins: Inspected, readyUrl?: string, readyTimeout?: number): { changes: string[]; diff?: string; action: ContainerPlanState['action']; resume?: Resume } {
  const resume = planResume(engine, spec.name, ins, readyUrl, readyTimeout);
  if (!resume) return planFor(engine, spec, ins);
  const rest = planFor(engine, spec, { ...ins, facts: resume.effective, leftovers: [] });
  return { ...rest, changes: [...resume.changes, ...rest.changes], resume };
}

function planFor(engine: Engine, spec: ContainerSpec, ins: Inspected): { changes: string[]; diff?: string; action: ContainerPlanState['action'] } {
  const pull = ins.wantedImagePresent === false ? [`pull ${spec.image}`] : [];
  if (!ins.facts) return { changes: [...pull, `create container ${spec.name}`], diff: containerDiff(engine, spec.name, undefined, spec), action: 'create' };
  const diffs = compareContainer(spec, ins.facts);
  if (diffs.length) {
    const before = specFromFacts(ins.facts, ins.image ?? { env: {}, labels: {} });
    return { changes: [...pull, `recreate container ${spec.name}: ${diffs.join('; ')}`], diff: containerDiff(engine, spec.name, before, spec), action: 'recreate' };
  }
  if (!ins.facts.running) return { changes: [`start container ${spec.name} (${ins.facts.status})`], action: 'start' };
  return { changes: [], action: 'none' };
}
