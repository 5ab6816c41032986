// Ansible's pause: wait some seconds or minutes, or until the operator presses Enter at the prompt.
// Once for the whole batch, as Ansible runs it (its action bypasses the host loop). Without a terminal
// on stdin a prompt is not waited for (cron, CI), as in Ansible: the task says so and goes on.
import * as v from 'valibot';
import { createInterface } from 'node:readline';
import type { TaskType } from '../../src/engine/task-type.ts';
import { askNoEcho } from '../../src/vault/prompt.ts';
import { AnsibleBool, AnsibleInt } from '../lib/schema.ts';

const schema = v.pipe(
  v.strictObject({
    minutes: v.optional(AnsibleInt),
    seconds: v.optional(AnsibleInt),
    prompt: v.optional(v.pipe(v.union([v.string(), v.number()]), v.transform(String))),
    /** the typed input is shown (default) */
    echo: v.optional(AnsibleBool, true),
  }),
  v.check((p) => p.minutes === undefined || p.seconds === undefined, 'parameters are mutually exclusive: minutes|seconds'),
);
type Params = v.InferOutput<typeof schema>;

/** Python's str(datetime.now()): what Ansible returns as start and stop. */
function pyNow(): string {
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds() * 1000, 6)}`;
}

const WARNING = '[WARNING]: Not waiting for response to prompt as stdin is not interactive';

/** One line typed at the terminal (echoed or not). */
async function readLine(question: string, echo: boolean): Promise<string> {
  if (!echo) {
    const r = await askNoEcho(question);
    if (typeof r !== 'string') throw new Error(r.error);
    return r;
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
  }
}

export const pause: TaskType<Params> = {
  name: 'ansible.builtin.pause',
  controllerOnly: true,
  summary: 'wait seconds or minutes, or for Enter at a prompt (once per batch)',
  schema,
  once: true,
  async plan(ctx, p) {
    const minutes = p.minutes !== undefined;
    const given = minutes ? p.minutes! * 60 : p.seconds;
    const start = Date.now();
    const result: Record<string, unknown> = { rc: 0, stderr: '', stdout: '', start: pyNow(), echo: p.echo, user_input: '' };
    let note: string | undefined;
    if (given !== undefined) {
      // Ansible's alarm is whole seconds, at least one
      const seconds = Math.max(1, given);
      for (let left = seconds; left > 0; left--) {
        ctx.progress?.({ text: `pausing: ${left} s left${p.prompt ? ` (${p.prompt})` : ''}` });
        await (ctx.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))(1000);
      }
    } else if (process.stdin.isTTY) {
      result.user_input = await readLine(`${p.prompt ?? 'Press enter to continue, Ctrl+C to interrupt'}${p.echo ? '' : ' (output is hidden)'}: `, p.echo);
    } else note = WARNING;
    const took = (Date.now() - start) / 1000;
    // Python's str(round(x, 2)): a float always has its point (1.0)
    const round2 = (x: number) => { const r = Math.round(x * 100) / 100; return Number.isInteger(r) ? r.toFixed(1) : String(r); };
    result.stop = pyNow();
    result.delta = Math.trunc(took);
    result.stdout = minutes ? `Paused for ${round2(took / 60)} minutes` : `Paused for ${round2(took)} seconds`;
    return { changes: [], note: note ?? String(result.stdout), result };
  },
  async apply() {},
};
