// What the engine tells the outside world while it runs. Reporters (progress, recap, JSON) only listen.

export type Status = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

export interface TaskResult {
  host: string;
  play: string;
  task: string;
  /** where the task is written (file:line:col): what a plan names a task by */
  at?: string;
  /** the name as the TASK banner shows it: templated with this host's vars (as written where it cannot be) */
  title?: string;
  type: string;
  status: Status;
  /** pending (check mode) or applied changes, one line each */
  changes: string[];
  diff?: string;
  /** the task's `diff: true`: its diff is shown even without --diff */
  showDiff?: boolean;
  msg?: string;
  /** true when a failure was ignored by `ignore_errors` */
  ignored?: boolean;
  /** true when a failure was handled by an enclosing block's `rescue` */
  rescued?: boolean;
  /** the host the task ran on, when `delegate_to` sent it elsewhere */
  delegatedTo?: string;
  /** that host's ansible_host, where it is not its name (Ansible's label: `[h1 -> db(10.0.0.5)]`) */
  delegatedAddress?: string;
  /** per loop item, the host it was delegated to (`delegate_to: "{{ item }}"`), in result.results' order */
  itemDelegates?: (Delegation | undefined)[];
  /** what `register` kept (secrets masked; hidden under no_log) */
  registered?: unknown;
  handler?: boolean;
  /** the whole result, as Ansible's output prints it (secrets masked; censored under no_log) */
  result?: Record<string, unknown>;
  /** a loop's items as the output names them, in result.results' order */
  labels?: unknown[];
  /** the role of the task, for Ansible's `TASK [role : name]` */
  role?: string;
  ms: number;
}

export type RunEvent =
  | { kind: 'play'; name: string; hosts: string[] }
  /** a task starts on a host: `at` where it is written (file:line:col), `action` its module, as Ansible's callbacks see the task */
  | { kind: 'task-start'; host: string; play: string; task: string; at?: string; action?: string; handler?: boolean; role?: string }
  | { kind: 'result'; result: TaskResult }
  /** a meta task run on a host (not an implicit one): Ansible's banner, under -vv `META: text`; skipped: its `when` said no (Ansible's skipped result) */
  | { kind: 'meta'; host: string; play: string; task: string; handler: boolean; role?: string; text: string; skipped?: Record<string, unknown> }
  | { kind: 'host-done'; host: string; play: string }
  /** how skiff reaches a host, when it is worth saying (shown under -v) */
  /**
   * warning: Ansible's `[WARNING]:` (on stderr), shown once a run as Ansible's Display does; `again`: shown
   * each time it comes (Ansible's worker process shows a task's warnings, once per task on a host)
   */
  | { kind: 'note'; host: string; text: string; warning?: boolean; again?: boolean }
  /** a line Ansible's default callback shows while a task runs on a host (`ASYNC POLL on h: jid=...`), under its banner */
  | { kind: 'display'; host: string; play: string; task: string; title?: string; role?: string; handler: boolean; text: string }
  | ProgressEvent;

/** A running task's report (engine/progress.ts): throttled, redacted, with a rate for bytes. */
export interface ProgressEvent {
  kind: 'progress';
  host: string;
  play: string;
  task: string;
  text: string;
  done?: number;
  total?: number;
  unit?: 'bytes';
  /** bytes per second over the last few seconds (bytes only, once there are two reports to go by) */
  rate?: number;
}

export type Listener = (e: RunEvent) => void;

/** Where a delegated task (or loop item) ran: the host, and its ansible_host where that is not its name. */
export interface Delegation {
  to: string;
  address?: string;
}
