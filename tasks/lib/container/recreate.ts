// Changing a container on a host: recreate it safely (image first, new container created before the
// old one is stopped, old one kept under another name until the new one runs, rolled back
// otherwise), and restart, remove or start it.
//
// recreateScript is pure; it is unit-tested against a fake podman (a shell script keeping state in
// files) in test/unit/container-recreate.test.ts.
import { shJoin, shq } from '../../../src/transport/quote.ts';
import type { Connection } from '../../../src/transport/types.ts';
import { TaskFailure } from '../../../src/engine/task-type.ts';
import type { ContainerSpec, Engine } from './spec.ts';
import { createArgv } from './argv.ts';
import { underLock } from './inspect.ts';
import type { ProgressReport } from '../../../src/engine/task-type.ts';
import { copiedLine, following, waitLine, type Say } from '../progress.ts';

export interface RecreateOptions {
  engine: Engine;
  spec: ContainerSpec;
  /** an old container of that name exists (it is replaced) */
  exists: boolean;
  /** seconds for a graceful stop (Prometheus flushes its head on SIGTERM) */
  stopTimeout: number;
  /** shell run before the new container is created; failing leaves everything untouched */
  beforeCreate?: string;
  /** what beforeCreate does, for progress; its `skiff-precopied:` lines report bytes */
  beforeCreateText?: string;
  /** shell run once the old container is stopped (e.g. copy its data out); failing restarts the old one */
  afterStop?: string;
  /** shell run when the swap is undone after afterStop ran */
  onRollback?: string;
  /** URL fetched with curl on the host until it answers 2xx; otherwise the container must stay up 2 s */
  readyUrl?: string;
  readyTimeout: number;
  /** seconds for the afterStop step (copying data can take a while) */
  afterStopTimeout?: number;
  /** what afterStop does, for progress ("copying the TSDB"); its `skiff-copied:` lines report bytes */
  afterStopText?: string;
  /** told each step as the script on the host reaches it (TaskContext.progress) */
  progress?: Say;
}

/** Exit codes of the recreate script, for messages. */
export const RECREATE_EXIT: Record<number, string> = {
  10: 'a container left by an interrupted recreate exists',
  11: 'the image could not be pulled; the old container is untouched',
  12: 'the new container could not be created; the old container is untouched',
  13: 'the old container could not be stopped; it was left as it was',
  14: 'the step after stopping failed; the old container was started again',
  15: 'renaming failed; the old container was put back',
  16: 'the new container did not start or did not become ready; the old container was put back and started',
  17: 'the step before creating failed; nothing was changed',
  18: 'another recreate of it holds the lock on the host',
  19: 'the lock directory could not be made',
};

/**
 * One remote script for the whole swap, so that a lost connection or a dead skiff cannot stop it
 * half-way (each engine command is bounded with `timeout`), under a lock on the host that the next
 * run's inspect waits for (inspect.ts underLock), so a rerun sees what the swap finished with,
 * never its middle.
 *   image present or pulled -> create NAME-skiff-new -> stop NAME (graceful) -> [afterStop] ->
 *   rename NAME -> NAME-skiff-old -> rename new -> NAME -> start -> ready? -> remove old
 * and on a failure after the stop: remove the new one, rename the old one back and start it.
 * Without an old container: create under NAME-skiff-new and rename, the same way.
 */
export function recreateScript(o: RecreateOptions): string {
  const E = shq(o.engine);
  const N = shq(o.spec.name);
  const NEW = shq(`${o.spec.name}-skiff-new`);
  const OLD = shq(`${o.spec.name}-skiff-old`);
  const img = shq(o.spec.image);
  const create = shJoin(createArgv(o.engine, o.spec, `${o.spec.name}-skiff-new`));
  const tries = Math.max(1, Math.ceil(o.readyTimeout));
  const L: string[] = [
    `step() { echo "skiff-step: $*"; }`,
    `say() { echo "$*" >&2; }`,
    `rollback() { :; ${o.onRollback ?? ''}`,
    `}`,
    `if ${E} container inspect ${OLD} >/dev/null 2>&1; then say "container ${o.spec.name}-skiff-old exists (left by an interrupted recreate): check it, then remove it or rename it back to ${o.spec.name}"; exit 10; fi`,
    `${E} rm -f ${NEW} >/dev/null 2>&1 || true`,
    `if ! ${E} image inspect ${img} >/dev/null 2>&1; then step pull ${img}; timeout 900 ${E} pull ${img} >/dev/null || { say "cannot pull ${o.spec.image}"; exit 11; }; fi`,
  ];
  if (o.beforeCreate) L.push(`step before-create`, `( ${o.beforeCreate}\n) || exit 17`);
  L.push(
    `step create`,
    // the command line goes to stderr on failure (it holds no secret: env values are not logged)
    `if ! timeout 300 ${create} >/dev/null; then ${E} rm -f ${NEW} >/dev/null 2>&1; say "create failed; ${o.spec.name} is untouched"; exit 12; fi`,
  );
  if (o.exists) {
    L.push(
      `was_running=$(${E} container inspect -f '{{.State.Running}}' ${N} 2>/dev/null)`,
      `step stop`,
      `if ! timeout ${o.stopTimeout + 60} ${E} stop -t ${o.stopTimeout} ${N} >/dev/null; then ${E} rm -f ${NEW} >/dev/null 2>&1; say "cannot stop ${o.spec.name}"; exit 13; fi`,
    );
    if (o.afterStop) {
      L.push(
        `step after-stop`,
        `if ! ( timeout ${o.afterStopTimeout ?? 3600} sh -c ${shq(o.afterStop)} ); then`,
        `  rollback; ${E} rm -f ${NEW} >/dev/null 2>&1; [ "$was_running" = true ] && ${E} start ${N} >/dev/null; exit 14; fi`,
      );
    }
    L.push(
      `step swap`,
      `if ! ${E} rename ${N} ${OLD}; then rollback; ${E} rm -f ${NEW} >/dev/null 2>&1; [ "$was_running" = true ] && ${E} start ${N} >/dev/null; exit 15; fi`,
      `if ! ${E} rename ${NEW} ${N}; then ${E} rename ${OLD} ${N}; rollback; ${E} rm -f ${NEW} >/dev/null 2>&1; [ "$was_running" = true ] && ${E} start ${N} >/dev/null; exit 15; fi`,
    );
  } else {
    L.push(`was_running=false`, `step rename`, `if ! ${E} rename ${NEW} ${N}; then ${E} rm -f ${NEW} >/dev/null 2>&1; exit 15; fi`);
  }
  L.push(
    `step start`,
    `ok=1; timeout 120 ${E} start ${N} >/dev/null || ok=0`,
    `i=0; while [ $ok = 1 ]; do`,
    `  [ "$(${E} container inspect -f '{{.State.Running}}' ${N} 2>/dev/null)" = true ] || { ok=0; say "${o.spec.name} stopped running"; break; }`,
    o.readyUrl
      ? `  code=$(curl -s -o /dev/null -w '%{http_code}' -m 3 ${shq(o.readyUrl)} 2>/dev/null); case "$code" in 2??) break;; esac`
      : `  [ $i -ge 2 ] && break`,
    `  i=$((i+1)); [ $i -ge ${o.readyUrl ? tries : 3} ] && { ok=0; say "${o.spec.name} not ready${o.readyUrl ? ` at ${o.readyUrl} (last answer: \${code:-none})` : ''} after $i s"; break; }`,
    `  echo "skiff-wait: $i${o.readyUrl ? ' $code' : ''}"`,
    `  sleep 1`,
    `done`,
    `if [ $ok = 0 ]; then`,
    `  say "--- last log lines of the new ${o.spec.name}:"; ${E} logs --tail 15 ${N} 2>&1 | sed 's/^/    /' >&2`,
    `  ${E} rm -f ${N} >/dev/null 2>&1`,
  );
  if (o.exists) L.push(`  ${E} rename ${OLD} ${N}; rollback; [ "$was_running" = true ] && ${E} start ${N} >/dev/null`);
  L.push(`  exit 16`, `fi`);
  if (o.exists) L.push(`step remove-old`, `${E} rm ${OLD} >/dev/null || say "warning: could not remove ${o.spec.name}-skiff-old"`);
  L.push(`step done`);
  return underLock(o.engine, o.spec.name, L);
}

/** Pure: what a line of the recreate script's stdout tells the operator, if anything. */
export function recreateProgress(line: string, o: Pick<RecreateOptions, 'spec' | 'stopTimeout' | 'readyUrl' | 'readyTimeout' | 'afterStopText' | 'beforeCreateText'>): ProgressReport | undefined {
  const name = o.spec.name;
  const afterStop = o.afterStopText ?? 'running the step after the stop';
  if (line.startsWith('skiff-wait: ')) return waitLine(line, `the new ${name} to be ready${o.readyUrl ? ` at ${o.readyUrl}` : ''}`, o.readyUrl ? Math.max(1, Math.ceil(o.readyTimeout)) : 3);
  if (line.startsWith('skiff-copied: ')) return copiedLine(line, afterStop);
  if (line.startsWith('skiff-precopied: ')) return copiedLine(`skiff-copied: ${line.slice(17)}`, o.beforeCreateText ?? `preparing to create the new ${name}`);
  const m = /^skiff-step: (\S+)(?: (.*))?$/.exec(line);
  if (!m) return undefined;
  const text: Record<string, string> = {
    pull: `pulling image ${m[2] ?? o.spec.image}`,
    'before-create': o.beforeCreateText ?? `preparing to create the new ${name}`,
    create: `creating the new ${name}`,
    stop: `stopping ${name} (gracefully: up to ${o.stopTimeout} s)`,
    'after-stop': afterStop,
    swap: `swapping the old and new ${name}`,
    rename: `naming the new container ${name}`,
    start: `starting the new ${name}`,
    'remove-old': `removing the old ${name}`,
  };
  return text[m[1]] ? { text: text[m[1]] } : undefined;
}

export async function recreate(conn: Connection, o: RecreateOptions): Promise<void> {
  const budget = 900 + 300 + o.stopTimeout + 60 + (o.afterStop ? (o.afterStopTimeout ?? 3600) : 0) + 120 + o.readyTimeout * 5 + 60;
  const r = await conn.exec(recreateScript(o), { timeoutMs: budget * 1000, onStdout: following(o.progress, (l) => recreateProgress(l, o)) });
  if (r.code !== 0) {
    const steps = r.stdout.split('\n').filter((l) => l.startsWith('skiff-step: ')).map((l) => l.slice(12));
    const why = RECREATE_EXIT[r.code] ?? `exit ${r.code}`;
    const detail = r.stderr.trim().split('\n').slice(-20).join('\n');
    throw new TaskFailure(`recreating container ${o.spec.name} failed at step ${steps[steps.length - 1] ?? '?'}: ${why}${detail ? `\n${detail}` : ''}`);
  }
}

/** `ENGINE restart` (graceful: -t seconds), then bounded wait for a ready URL (curl on the host). */
export async function restartContainer(conn: Connection, engine: Engine, name: string, stopTimeout = 30, readyUrl?: string, readyTimeout = 60): Promise<void> {
  const E = shq(engine);
  const tries = Math.max(1, Math.ceil(readyTimeout));
  const script = [
    `timeout ${stopTimeout + 120} ${E} restart -t ${stopTimeout} ${shq(name)} >/dev/null || exit 1`,
    readyUrl
      ? `i=0; while :; do code=$(curl -s -o /dev/null -w '%{http_code}' -m 3 ${shq(readyUrl)} 2>/dev/null); case "$code" in 2??) exit 0;; esac; i=$((i+1)); [ $i -ge ${tries} ] && { echo "not ready at ${readyUrl} after $i s (last answer: \${code:-none})" >&2; exit 2; }; sleep 1; done`
      : 'true',
  ].join('\n');
  const r = await conn.exec(script, { timeoutMs: (stopTimeout + 180 + readyTimeout) * 1000 });
  if (r.code !== 0) throw new TaskFailure(`restarting container ${name} failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ') || `exit ${r.code}`}`);
}

export async function removeContainer(conn: Connection, engine: Engine, name: string, stopTimeout = 30): Promise<void> {
  const E = shq(engine);
  const r = await conn.exec(`timeout ${stopTimeout + 60} ${E} stop -t ${stopTimeout} ${shq(name)} >/dev/null 2>&1; ${E} rm -f ${shq(name)} >/dev/null`, { timeoutMs: (stopTimeout + 120) * 1000 });
  if (r.code !== 0) throw new TaskFailure(`removing container ${name} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
}

export async function startContainer(conn: Connection, engine: Engine, name: string): Promise<void> {
  const r = await conn.exec(`timeout 120 ${shq(engine)} start ${shq(name)} >/dev/null`, { timeoutMs: 130_000 });
  if (r.code !== 0) throw new TaskFailure(`starting container ${name} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
}
