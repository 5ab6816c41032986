// Finishing a recreate that was interrupted on the host (recreate.ts): its script was killed (the
// engine restarted, the host rebooted) and left NAME-skiff-new and/or NAME-skiff-old. A skiff that
// died is not such a case: its script keeps running on the host, and inspect waits for it (lock).
// Recognised states, and what finishes them (forward wherever the new container already took the
// name, back otherwise; old containers are removed only once the new one is ready):
//   NAME + NAME-skiff-new          stopped before the swap: remove the unused new one, start NAME
//   NAME + NAME-skiff-old          swapped: start NAME; ready -> remove the old; else put the old back
//   NAME-skiff-new + -old, no NAME between the renames: rename new -> NAME, then as above
//   NAME-skiff-old only            the new one was removed by a rollback: rename the old back, start it
//   NAME-skiff-new only            a first create: rename it to NAME, start it
//
// planResume is pure (unit-tested in test/unit/container-resume.test.ts with the fake podman).
import { shq } from '../../../src/transport/quote.ts';
import type { Connection } from '../../../src/transport/types.ts';
import { TaskFailure } from '../../../src/engine/task-type.ts';
import type { ContainerFacts, Engine } from './spec.ts';
import { underLock, type Inspected } from './inspect.ts';

export interface Resume {
  /** what the plan names */
  changes: string[];
  /** the container as it will be once finished, running (what the rest of the plan is made against) */
  effective?: ContainerFacts;
  /** the shell that finishes it */
  script: string;
}

/** Pure: how to finish what an interrupted recreate of `name` left, or undefined when nothing is left. */
export function planResume(engine: Engine, name: string, ins: Inspected, readyUrl?: string, readyTimeout = 60): Resume | undefined {
  if (!ins.leftovers.length) return undefined;
  const NEW = `${name}-skiff-new`;
  const OLD = `${name}-skiff-old`;
  const has = (n: string) => ins.leftovers.includes(n);
  const facts = ins.leftoverFacts ?? {};
  const changes: string[] = [];
  let effective: ContainerFacts | undefined = ins.facts;
  if (!ins.facts) {
    const from = has(NEW) ? NEW : OLD;
    changes.push(`rename ${from} -> ${name} (left by an interrupted recreate)`);
    effective = facts[from] && { ...facts[from], name };
  } else if (has(NEW)) {
    changes.push(`remove ${NEW} (created by an interrupted recreate, never started)`);
  }
  const oldStays = has(OLD) && !(ins.facts === undefined && !has(NEW));
  if (oldStays) changes.push(`start ${name} and, once it is ready, remove ${OLD} (else put ${OLD} back)`);
  else changes.push(`start ${name} if it is stopped`);
  if (effective) effective = { ...effective, running: true, status: 'running' };
  return { changes, effective, script: resumeScript(engine, name, readyUrl, readyTimeout) };
}

/** The shell that finishes it, under the same lock as a recreate (one state machine on the host). */
export function resumeScript(engine: Engine, name: string, readyUrl?: string, readyTimeout = 60): string {
  const E = shq(engine);
  const N = shq(name);
  const NEW = shq(`${name}-skiff-new`);
  const OLD = shq(`${name}-skiff-old`);
  const tries = Math.max(1, Math.ceil(readyTimeout));
  const body = [
    `has() { ${E} container inspect "$1" >/dev/null 2>&1; }`,
    `running() { [ "$(${E} container inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ]; }`,
    `if ! has ${N}; then if has ${NEW}; then ${E} rename ${NEW} ${N} || exit 15; elif has ${OLD}; then ${E} rename ${OLD} ${N} || exit 15; fi; fi`,
    `if has ${NEW}; then ${E} rm -f ${NEW} >/dev/null || exit 15; fi`,
    `running ${N} || timeout 120 ${E} start ${N} >/dev/null || true`,
    `if has ${OLD}; then`,
    `  i=0; ok=0; while [ $i -lt ${tries} ]; do running ${N} || break;` +
      (readyUrl ? ` case "$(curl -s -o /dev/null -w '%{http_code}' -m 3 ${shq(readyUrl)} 2>/dev/null)" in 2??) ok=1; break;; esac;` : ` [ $i -ge 2 ] && { ok=1; break; };`) +
      ` i=$((i+1)); sleep 1; done`,
    `  if [ $ok = 1 ]; then ${E} rm ${OLD} >/dev/null || exit 15; else`,
    `    echo "${name} did not become ready: ${name}-skiff-old put back" >&2; ${E} logs --tail 15 ${N} 2>&1 | sed 's/^/    /' >&2`,
    `    ${E} rm -f ${N} >/dev/null; ${E} rename ${OLD} ${N} && ${E} start ${N} >/dev/null; exit 16; fi`,
    `fi`,
    `running ${N} || { echo "${name} is not running after finishing the interrupted recreate" >&2; exit 16; }`,
  ];
  return underLock(engine, name, body);
}

export async function resume(conn: Connection, name: string, r: Resume, readyTimeout = 60): Promise<void> {
  const x = await conn.exec(r.script, { timeoutMs: (900 + 240 + readyTimeout * 5) * 1000 });
  if (x.code !== 0) throw new TaskFailure(`finishing the interrupted recreate of ${name} failed (exit ${x.code}): ${x.stderr.trim().split('\n').slice(-8).join('\n')}`);
}
