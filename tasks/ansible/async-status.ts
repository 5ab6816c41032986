// Ansible's async_status: what an async job (`async:` with `poll: 0`) has come to, read from its result
// file on the host (mode status), or that file removed (mode cleanup). The job's own result once it is
// finished (changed and failed as the job's), else started 1, finished 0. Its files: src/engine/async-job.ts.
import * as v from 'valibot';
import { TaskFailure, type TaskType } from '../../src/engine/task-type.ts';
import { cleanupJob, jobStatus } from '../../src/engine/async-job.ts';
import { asyncDir } from '../../src/engine/async-run.ts';

const schema = v.strictObject({
  /** the job's ansible_job_id */
  jid: v.pipe(v.union([v.string(), v.number()], 'expected a job id'), v.transform(String), v.regex(/^[^/]+$/, 'expected a job id (no /)')),
  mode: v.optional(v.picklist(['status', 'cleanup'], 'expected status or cleanup'), 'status'),
});
type Params = v.InferOutput<typeof schema>;

export const asyncStatus: TaskType<Params> = {
  name: 'ansible.builtin.async_status',
  summary: 'the result of an async job (poll: 0) by its jid, or its result file removed (mode: cleanup)',
  schema,
  async plan(ctx, p) {
    // the module does not support check mode: Ansible skips it there
    if (ctx.check) return { changes: [], skip: true, note: 'skipped in check mode', result: { msg: 'Check mode is not supported for this module' } };
    const dir = asyncDir(ctx.scope ?? ((name) => (Object.hasOwn(ctx.vars, name) ? { found: true, value: ctx.vars[name] } : { found: false, names: [] })));
    const r = p.mode === 'cleanup' ? await cleanupJob(ctx.conn, dir, p.jid) : await jobStatus(ctx.conn, dir, p.jid);
    if (r.failed) throw new TaskFailure(typeof r.msg === 'string' ? r.msg : 'async job failed', r);
    return r.changed === true ? { changes: [`job ${p.jid} finished, changed`], result: r } : { changes: [], result: r };
  },
  async apply() {},
};
