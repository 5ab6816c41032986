// wait-http: poll a URL from the host (curl) until it answers with the expected status.
// Read-only: never "changed"; in check mode it is skipped, since what it waits for may not exist yet.
import * as v from 'valibot';
import { shq } from '../src/transport/quote.ts';
import { TaskFailure, type TaskType } from '../src/engine/task-type.ts';
import { following, waitLine } from './lib/progress.ts';

const schema = v.strictObject({
  url: v.pipe(v.string(), v.regex(/^https?:\/\/[^/\s]+/, 'expected a URL like http://127.0.0.1:9090/-/ready')),
  status: v.optional(v.union([v.number(), v.array(v.number())]), 200),
  method: v.optional(v.picklist(['GET', 'POST', 'HEAD']), 'GET'),
  /** seconds to keep trying */
  timeout: v.optional(v.pipe(v.number(), v.minValue(0)), 60),
  body_contains: v.optional(v.string()),
});
type Params = v.InferOutput<typeof schema>;

/**
 * One remote loop instead of one round trip per try. Prints a `skiff-wait:` line per failed try (for
 * progress), then "<status>\n<body>" of the last try.
 */
export function pollScript(p: Params): string {
  const want = (Array.isArray(p.status) ? p.status : [p.status]).join(' ');
  const tries = Math.max(1, Math.ceil(p.timeout));
  return [
    `i=0; while :; do`,
    `  code=$(curl -s -o /tmp/.skiff-wait.$$ -w '%{http_code}' -m 5 -X ${p.method} ${shq(p.url)} 2>/dev/null) || code=000`,
    `  ok=0; for w in ${want}; do [ "$code" = "$w" ] && ok=1; done`,
    p.body_contains ? `  [ $ok = 1 ] && ! grep -qF -- ${shq(p.body_contains)} /tmp/.skiff-wait.$$ && ok=0` : ':',
    `  i=$((i+1)); if [ $ok = 1 ] || [ $i -ge ${tries} ]; then break; fi; echo "skiff-wait: $i $code"; sleep 1`,
    `done; echo "$code"; head -c 2000 /tmp/.skiff-wait.$$ 2>/dev/null; rm -f /tmp/.skiff-wait.$$; [ $ok = 1 ]`,
  ].join('\n');
}

/** The last try's "<status>\n<body>": what follows the progress lines (the body itself may hold anything). */
export function answerOf(stdout: string): string {
  let at = 0;
  while (stdout.startsWith('skiff-wait: ', at)) {
    const nl = stdout.indexOf('\n', at);
    if (nl < 0) return '';
    at = nl + 1;
  }
  return stdout.slice(at);
}

export const waitHttp: TaskType<Params> = {
  name: 'wait-http',
  summary: 'wait until a URL (fetched on the host) answers with the expected status',
  schema,
  shortKey: 'url',
  async plan(ctx, p) {
    if (ctx.check) return { changes: [], skip: true, note: `would wait for ${p.url}` };
    const tries = Math.max(1, Math.ceil(p.timeout));
    const r = await ctx.conn.exec(pollScript(p), { timeoutMs: (p.timeout + 10) * 1000, onStdout: following(ctx.progress, (l) => waitLine(l, p.url, tries)) });
    const [code, ...body] = answerOf(r.stdout).split('\n');
    if (r.code !== 0) throw new TaskFailure(`${p.url} answered ${code || 'nothing'} after ${p.timeout}s, expected ${JSON.stringify(p.status)}${p.body_contains ? ` with ${JSON.stringify(p.body_contains)}` : ''}`);
    return { changes: [], result: { status: Number(code), body: body.join('\n') } };
  },
  async apply() {},
};
