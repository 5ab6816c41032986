// Ansible's per-host counts, accumulated from results as they come.
import type { TaskResult } from './events.ts';

export interface Recap {
  /** tasks that did not fail: changed ones too, as Ansible counts them */
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  /** failures a block's `rescue` handled (not counted as failed, as in Ansible) */
  rescued: number;
  /** failures `ignore_errors` let pass, unreachables `ignore_unreachable` did (counted as ok too, as in Ansible) */
  ignored: number;
  /** times the host was unreachable (Ansible's `dark` count: once per task it could not be reached on) */
  unreachable: number;
}

export const emptyRecap = (): Recap => ({ ok: 0, changed: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0, unreachable: 0 });

/** Pure: the recap after one more result. */
export function count(rc: Recap, r: Pick<TaskResult, 'status' | 'ignored' | 'rescued'> & { result?: Record<string, unknown> }): void {
  if (r.status === 'unreachable' && !r.ignored) rc.unreachable++;
  else if (r.status === 'failed' && r.rescued) rc.rescued++;
  else if ((r.status === 'failed' || r.status === 'unreachable') && r.ignored) {
    rc.ok++;
    rc.ignored++;
    // an ignored failure that changed something counts as changed too (Ansible's strategy)
    if (r.status === 'failed' && r.result?.changed === true) rc.changed++;
  } else if (r.status === 'changed') {
    rc.ok++;
    rc.changed++;
  } else rc[r.status]++;
}
