// Live progress. On a TTY: a listr2 tree, one row per host showing its current task. Without a TTY
// (CI, pipes, cron): Ansible's default callback's lines (ansible-lines.ts), greppable as Ansible's.
import type { ListrTaskWrapper } from 'listr2';
import type { ProgressEvent, RunEvent, TaskResult } from '../engine/events.ts';
import { alignColorEnv } from './color.ts';
import { ansibleLines, type BannerTask } from './ansible-lines.ts';

export interface Progress {
  listen(e: RunEvent): void;
  /** resolves once everything shown is flushed */
  finish(): Promise<void>;
}

export interface ProgressOptions {
  tty: boolean;
  diff: boolean;
  verbose: boolean;
  /** the -v count (Ansible's verbosity: -v adds results, -vvv indents them) */
  verbosity?: number;
  /** ANSI colours (report/color.ts decides: NO_COLOR, FORCE_COLOR, terminal) */
  color: boolean;
  out: (s: string) => void;
  /** Ansible's `[WARNING]:` lines (report/warning.ts): stderr, as Ansible's; `out` without it */
  warn?: (text: string, again?: boolean) => void;
  /** without a TTY: at most one progress line per host this often (a CI log must stay readable) */
  progressEveryMs?: number;
  /** after a task's banner (plain output): Python callback plugins' v2_playbook_on_task_start goes there */
  onBanner?: (t: BannerTask) => void;
}

/** n bytes in decimal units (as `du --si` and most tools print rates): [value, unit] */
function scaled(n: number): [number, string] {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) (n /= 1000), i++;
  return [n, units[i]];
}

export function formatBytes(n: number): string {
  const [v, u] = scaled(n);
  return u === 'B' ? `${Math.round(v)} B` : `${v.toFixed(1)} ${u}`;
}

/** 180 MB/s, 4.5 MB/s: a decimal only where it says something */
export function formatRate(bytesPerS: number): string {
  const [v, u] = scaled(bytesPerS);
  return `${v >= 10 || u === 'B' ? Math.round(v) : v.toFixed(1)} ${u}/s`;
}

/** `copying the TSDB of aprom 3.2 GB / 41.0 GB, 180 MB/s`; `3 / 10` for other counts. */
export function formatProgress(e: Pick<ProgressEvent, 'text' | 'done' | 'total' | 'unit' | 'rate'>): string {
  if (e.done === undefined) return e.text;
  const fmt = e.unit === 'bytes' ? formatBytes : String;
  const amount = e.total === undefined ? fmt(e.done) : `${fmt(e.done)} / ${fmt(e.total)}`;
  return `${e.text} ${amount}${e.rate !== undefined ? `, ${formatRate(e.rate)}` : ''}`;
}

const MARK: Record<TaskResult['status'], string> = { ok: 'ok', changed: 'changed', failed: 'failed', skipped: 'skipping', unreachable: 'unreachable' };
const HUE: Record<TaskResult['status'], number> = { ok: 32, changed: 33, failed: 31, skipped: 36, unreachable: 31 };

export function describe(r: TaskResult, o: { diff: boolean; verbose: boolean; color: boolean }): string {
  const c = (s: string) => (o.color ? `\x1b[${HUE[r.status]}m${s}\x1b[0m` : s);
  const host = r.delegatedTo ? `${r.host} -> ${r.delegatedTo}` : r.host;
  const marks = `${r.ignored ? ' (ignored)' : ''}${r.rescued ? ' (rescued)' : ''}`;
  const lines = [c(`${MARK[r.status]}: [${host}] ${r.handler ? 'handler: ' : ''}${r.task}${marks}`)];
  if (r.msg && (r.status === 'failed' || r.status === 'unreachable' || o.verbose || r.status === 'skipped' || /^(?:ansible\.(?:builtin|legacy)\.)?debug$/.test(r.type) || r.handler)) lines.push(`    ${r.msg}`);
  if (r.status === 'changed' || o.verbose) for (const ch of r.changes) lines.push(`    ~ ${ch}`);
  if ((o.diff || r.showDiff) && r.diff) lines.push(...r.diff.split('\n').map((l) => `    ${l}`));
  return lines.join('\n');
}

export function plainProgress(o: ProgressOptions): Progress {
  const every = o.progressEveryMs ?? 5000;
  const lastLine = new Map<string, number>();
  const warn = o.warn ?? ((t: string) => o.out(`[WARNING]: ${t}`));
  const lines = ansibleLines({ verbosity: o.verbosity ?? (o.verbose ? 1 : 0), diff: o.diff, color: o.color, out: o.out, warn, onBanner: o.onBanner });
  return {
    listen(e) {
      if (e.kind === 'play' || e.kind === 'result' || e.kind === 'meta' || e.kind === 'display') lines(e);
      else if (e.kind === 'note') {
        // Ansible's own warning (a notify that reaches no handler, a condition written with {{ }}...)
        if (e.warning) warn(e.text, e.again);
        else if (o.verbose) o.out(`note: ${e.text}`);
      } else if (e.kind === 'progress') {
        // the first report of a host at once, then one every few seconds: enough to tell a slow step from a hang
        const now = Date.now();
        if (now - (lastLine.get(e.host) ?? -Infinity) < every) return;
        lastLine.set(e.host, now);
        o.out(`progress: [${e.host}] ${e.task}: ${formatProgress(e)}`);
      }
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

const firstLine = (s: string | undefined) => (s ?? '').trim().split('\n')[0];

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
      } else if (e.kind === 'progress') {
        // on the host's own row: the step it is in, how far, how fast
        const r = rows.get(e.host);
        if (r && !r.finished) (r.title = `${e.host}: ${e.task}: ${formatProgress(e)}`), sync(e.host);
      } else if (e.kind === 'result') {
        const res = e.result;
        const r = rows.get(res.host);
        if (r) {
          r.lines.push(`${MARK[res.status]}: ${res.task}${res.changes.length && res.status === 'changed' ? ` (${res.changes.length} change${res.changes.length > 1 ? 's' : ''})` : ''}`);
          // the failed row replaces its title with this (listr2's showErrorMessage): keep the host's
          // name in it, and one line only, since the whole message is in the details below the tree
          if (res.status === 'failed' && !res.ignored && !res.rescued) r.failed = `${res.host}: ${res.task}: ${firstLine(res.msg)}`;
          if (res.status === 'unreachable') r.failed = `${res.host}: unreachable: ${firstLine(res.msg)}`;
          sync(res.host);
        }
        if (res.status === 'changed' || res.status === 'failed' || res.status === 'unreachable' || o.verbose) detail.push(describe(res, o));
      } else if (e.kind === 'note') {
        if (e.warning) detail.push(`[WARNING]: ${e.text}`);
        else if (o.verbose) detail.push(`note: ${e.text}`);
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
