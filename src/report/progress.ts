// Live progress. On a TTY: a listr2 tree, one row per host showing its current task. Without a TTY
// (CI, pipes, cron): one plain line per task and host, greppable, as Ansible prints.
import type { ListrTaskWrapper } from 'listr2';
import type { RunEvent, TaskResult } from '../engine/events.ts';
import { alignColorEnv } from './color.ts';

export interface Progress {
  listen(e: RunEvent): void;
  /** resolves once everything shown is flushed */
  finish(): Promise<void>;
}

export interface ProgressOptions {
  tty: boolean;
  diff: boolean;
  verbose: boolean;
  /** ANSI colours (report/color.ts decides: NO_COLOR, FORCE_COLOR, terminal) */
  color: boolean;
  out: (s: string) => void;
}

const MARK: Record<TaskResult['status'], string> = { ok: 'ok', changed: 'changed', failed: 'failed', skipped: 'skipping', unreachable: 'unreachable' };
const HUE: Record<TaskResult['status'], number> = { ok: 32, changed: 33, failed: 31, skipped: 36, unreachable: 31 };

export function describe(r: TaskResult, o: { diff: boolean; verbose: boolean; color: boolean }): string {
  const c = (s: string) => (o.color ? `\x1b[${HUE[r.status]}m${s}\x1b[0m` : s);
  const host = r.delegatedTo ? `${r.host} -> ${r.delegatedTo}` : r.host;
  const marks = `${r.ignored ? ' (ignored)' : ''}${r.rescued ? ' (rescued)' : ''}`;
  const lines = [c(`${MARK[r.status]}: [${host}] ${r.handler ? 'handler: ' : ''}${r.task}${marks}`)];
  if (r.msg && (r.status === 'failed' || r.status === 'unreachable' || o.verbose || r.status === 'skipped' || r.type === 'debug' || r.handler)) lines.push(`    ${r.msg}`);
  if (r.status === 'changed' || o.verbose) for (const ch of r.changes) lines.push(`    ~ ${ch}`);
  if (o.diff && r.diff) lines.push(...r.diff.split('\n').map((l) => `    ${l}`));
  return lines.join('\n');
}

export function plainProgress(o: ProgressOptions): Progress {
  return {
    listen(e) {
      if (e.kind === 'play') o.out(`\nPLAY [${e.name}] (${e.hosts.length} host${e.hosts.length === 1 ? '' : 's'})`);
      else if (e.kind === 'result') o.out(describe(e.result, o));
    },
    finish: async () => {},
  };
}

interface HostRow {
  task?: ListrTaskWrapper<unknown, any, any>;
  title: string;
  lines: string[];
  done?: () => void;
  failed?: string;
  finished: boolean;
}

/** listr2 is loaded only for a terminal: runs from cron and CI do not pay for it. */
export async function ttyProgress(o: ProgressOptions): Promise<Progress> {
  alignColorEnv(o.color);
  const { Listr } = await import('listr2');
  let chain = Promise.resolve();
  let rows = new Map<string, HostRow>();
  const detail: string[] = [];
  const sync = (host: string) => {
    const r = rows.get(host);
    if (!r?.task) return;
    r.task.title = r.title;
    if (r.lines.length) r.task.output = r.lines.slice(-3).join('\n');
    if (r.finished) {
      r.done?.();
      r.done = undefined;
    }
  };
  return {
    listen(e) {
      if (e.kind === 'play') {
        const playRows = new Map(e.hosts.map((h) => [h, { title: h, lines: [], finished: false } as HostRow]));
        rows = playRows;
        const list = new Listr(
          e.hosts.map((h) => ({
            title: h,
            task: (_: unknown, task: ListrTaskWrapper<unknown, any, any>) =>
              new Promise<void>((resolve, reject) => {
                const row = playRows.get(h)!;
                row.task = task;
                row.done = () => (row.failed ? reject(new Error(row.failed)) : resolve());
                sync(h);
              }),
          })),
          { concurrent: true, exitOnError: false, registerSignalListeners: false, rendererOptions: { collapseSubtasks: false, showErrorMessage: true } },
        );
        chain = chain.then(async () => {
          o.out(`\nPLAY [${e.name}]`);
          await list.run().catch(() => undefined);
        });
      } else if (e.kind === 'task-start') {
        const r = rows.get(e.host);
        if (r) (r.title = `${e.host}: ${e.task}`), sync(e.host);
      } else if (e.kind === 'result') {
        const res = e.result;
        const r = rows.get(res.host);
        if (r) {
          r.lines.push(`${MARK[res.status]}: ${res.task}${res.changes.length && res.status === 'changed' ? ` (${res.changes.length} change${res.changes.length > 1 ? 's' : ''})` : ''}`);
          if (res.status === 'failed' && !res.ignored) r.failed = `${res.task}: ${res.msg}`;
          if (res.status === 'unreachable') r.failed = `unreachable: ${res.msg}`;
          sync(res.host);
        }
        if (res.status === 'changed' || res.status === 'failed' || res.status === 'unreachable' || o.verbose) detail.push(describe(res, o));
      } else if (e.kind === 'host-done') {
        const r = rows.get(e.host);
        if (r) {
          r.finished = true;
          r.title = `${e.host}: ${r.failed ? 'failed' : 'done'}`;
          sync(e.host);
        }
      }
    },
    async finish() {
      // Hosts that never finished (interrupted) must not keep the tree waiting.
      for (const [h, r] of rows) if (!r.finished) ((r.finished = true), (r.failed ??= 'interrupted'), sync(h));
      await chain;
      if (detail.length) o.out('\n' + detail.join('\n'));
    },
  };
}
