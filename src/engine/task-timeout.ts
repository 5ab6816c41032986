// The `timeout` keyword, as Ansible's TaskExecutor has it: each attempt of the task (each item, each
// `until` retry) may take at most that many seconds; then it fails with Ansible's message. Ansible
// raises out of the action with SIGALRM and leaves what ran on the host; skiff also ends the command in
// flight (every exec of the attempt gets the time left as its own timeout), so nothing runs on unseen.
import type { Connection } from '../transport/types.ts';
import { TaskFailure } from './task-type.ts';

/** TaskExecutor's words: `The shell action failed to execute in the expected time frame (1) and was terminated` */
export const timeoutMessage = (action: string, seconds: number) => `The ${action} action failed to execute in the expected time frame (${seconds}) and was terminated`;

/** A connection whose commands end by the deadline at the latest (each keeps a shorter timeout of its own). */
export function untilDeadline(conn: Connection, deadline: number): Connection {
  return {
    host: conn.host,
    exec: (cmd, opts = {}) => {
      const left = Math.max(1, deadline - Date.now());
      return conn.exec(cmd, { ...opts, timeoutMs: Math.min(opts.timeoutMs ?? left, left) });
    },
    close: (opts) => conn.close(opts),
  };
}

/** Runs one attempt within `seconds` (0: no limit); past it, the attempt fails with Ansible's message. */
export async function withinTimeout<T>(seconds: number, action: string, conn: Connection, attempt: (conn: Connection) => Promise<T>): Promise<T> {
  if (seconds <= 0) return attempt(conn);
  const deadline = Date.now() + seconds * 1000;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TaskFailure(timeoutMessage(action, seconds))), seconds * 1000);
  });
  const run = attempt(untilDeadline(conn, deadline));
  // the attempt's own end after the deadline (its command killed) is not a second failure
  run.catch(() => undefined);
  try {
    return await Promise.race([run, expired]);
  } finally {
    clearTimeout(timer);
  }
}
