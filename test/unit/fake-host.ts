// A Connection that records every command and answers from a table (first matching pattern wins;
// anything else exits 0 with no output): for modules that would change this machine's packages,
// services or users, tested without touching them.
import type { Connection, ExecResult } from '../../src/transport/types.ts';
import type { TaskContext } from '../../src/engine/task-type.ts';

export type Answer = Partial<ExecResult> | ((cmd: string) => Partial<ExecResult>);

export interface FakeHost extends Connection {
  /** every command run, in order */
  cmds: string[];
}

export function fakeHost(answers: [RegExp, Answer][], host = 'h1'): FakeHost {
  const cmds: string[] = [];
  return {
    host,
    cmds,
    async exec(cmd) {
      cmds.push(cmd);
      const hit = answers.find(([re]) => re.test(cmd));
      const a = hit ? (typeof hit[1] === 'function' ? hit[1](cmd) : hit[1]) : {};
      return { code: 0, stdout: '', stderr: '', ...a };
    },
    async close() {},
  };
}

/** A task context on a fake host. */
export function fakeCtx(conn: Connection, check = false): TaskContext {
  return { host: conn.host, conn, vars: {}, inventory: {} as TaskContext['inventory'], hostvars: {}, check, secrets: [], pending: new Map() };
}

/** `command -v` answers: the tools this fake host has. */
export const tools = (...names: string[]): [RegExp, Answer] => [/^command -v /, (cmd) => ({ stdout: names.filter((n) => cmd.includes(`command -v '${n}'`)).join('\n') + '\n' })];

/** The message a promise rejects with (an assertion error when it resolves). */
export async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a failure, it succeeded');
}
