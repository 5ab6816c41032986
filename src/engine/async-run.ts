// A task with `async: N` as Ansible 2.14 runs it (action/__init__.py, task_executor.py's
// _poll_async_result): refused where Ansible's action refuses it and in check mode; otherwise its
// command starts as a background job on the host; with `poll: 0` the task ends there (started, not
// finished), else skiff looks at the job every `poll` seconds until it is finished or N seconds of
// polls are spent, then removes its result file.
import type { TaskDef } from '../playbook/load.ts';
import { render } from '../template/template.ts';
import type { Scope } from '../template/expr.ts';
import { pyStr } from '../template/expr-error.ts';
import { cleanupJob, DEFAULT_ASYNC_DIR, finishedJob, jobStatus, startJob, type Job } from './async-job.ts';
import { UnreachableError } from '../transport/types.ts';
import { TaskFailure, type Plan, type TaskContext } from './task-type.ts';

/** Ansible's DEFAULT_POLL_INTERVAL: poll when the task says async but not poll */
export const DEFAULT_POLL_S = 15;

export interface AsyncEnv {
  sleep(ms: number): Promise<void>;
  beforeChange(): Promise<void>;
}

/**
 * The async dir of the shell plugins' option: the task's `ansible_async_dir`, else ANSIBLE_ASYNC_DIR
 * of skiff's environment, else ~/.ansible_async.
 */
export function asyncDir(scope: Scope, env: NodeJS.ProcessEnv = process.env): string {
  if (scope('ansible_async_dir').found) return String(render('{{ ansible_async_dir }}', scope, []));
  return env.ANSIBLE_ASYNC_DIR || DEFAULT_ASYNC_DIR;
}

/** The task's result with async N (> 0) and poll P; a failure is thrown as TaskFailure with its result. */
export async function runAsync(t: TaskDef, env: AsyncEnv, ctx: TaskContext, scope: Scope, params: unknown, asyncS: number, pollS: number): Promise<{ result: Record<string, unknown>; plan: Plan; changed: boolean }> {
  // ActionBase.run's order: async not supported, then check mode
  if (t.type.noAsync) throw new TaskFailure('async is not supported for this task.');
  if (ctx.check) throw new TaskFailure('check mode and async cannot be used on same task.');
  if (!t.type.background && !t.type.startJob) throw new TaskFailure(`async is not supported by skiff for ${t.type.aliasOf ?? t.type.name}: skiff runs command, shell and the modules it runs through Ansible's own Python in the background`);
  const dir = asyncDir(scope);
  const plan = await t.type.plan(ctx, params);
  let job: Job;
  if (plan.changes.length) {
    await env.beforeChange();
    // a Python module starts under Ansible's async_wrapper; command and shell as skiff's job (async-job.ts)
    job = t.type.startJob ? await t.type.startJob(ctx, params, dir, asyncS) : await startJob(ctx.conn, dir, asyncS, t.type.background!(ctx, params, plan));
  } else {
    // nothing to run (creates exists...): Ansible's module would find that in the background and end at once
    job = await finishedJob(ctx.conn, dir, { changed: false, ...(plan.result ?? {}) });
  }
  // fire and forget: action/__init__.py says changed, whatever the job will do
  if (pollS === 0) return { result: { ansible_job_id: job.jid, started: 1, finished: 0, results_file: job.resultsFile }, plan, changed: true };
  let left = asyncS;
  let last: Record<string, unknown> | undefined;
  while (left > 0) {
    await env.sleep(pollS * 1000);
    try {
      last = await jobStatus(ctx.conn, dir, job.jid);
    } catch (e) {
      // a connection that fails while polling is retried until the time is spent (Ansible's poll loop)
      left -= pollS;
      if (left <= 0 || !(e instanceof UnreachableError)) throw e;
      continue;
    }
    if (Number(last.finished) === 1 || last.failed) break;
    left -= pollS;
    // the default callback's v2_runner_on_async_poll, each poll that finds the job running
    ctx.say?.(`ASYNC POLL on ${ctx.host}: jid=${job.jid} started=${pyStr(last.started)} finished=${pyStr(last.finished)}`);
    ctx.progress?.({ text: `async job ${job.jid} not finished, ${Math.max(left, 0)} s left` });
  }
  // and v2_runner_on_async_failed / _ok once polling is over
  const over = (failed: boolean) => ctx.say?.(`ASYNC ${failed ? 'FAILED' : 'OK'} on ${ctx.host}: jid=${job.jid}`);
  if (!last || Number(last.finished) !== 1) {
    over(true);
    throw new TaskFailure(`async task did not complete within the requested time - ${asyncS}s`, { changed: false, ...(last ? { async_result: last } : {}) });
  }
  await cleanupJob(ctx.conn, dir, job.jid).catch(() => undefined);
  over(!!last.failed);
  if (last.failed) throw new TaskFailure(typeof last.msg === 'string' ? last.msg : 'async job failed', last);
  return { result: last, plan, changed: last.changed === true };
}
