// Ansible's uri: the host makes an HTTP request (with its curl) and the answer is registered as
// Ansible's: status, content (return_content), json (a JSON answer), content_type, url. It changes
// nothing Ansible counts (always ok); check mode skips it, as Ansible does, since the request may act.
import * as v from 'valibot';
import { Bool, Num } from '../lib/schema.ts';
import { TaskFailure, type TaskType } from '../../src/engine/task-type.ts';
import { curlConfig, shownUrl } from '../lib/curl.ts';
import { toolsOn } from '../lib/host-tools.ts';
import { Headers } from './get-url.ts';
import { floatJson } from '../../src/template/py-float.ts';

const Status = v.pipe(v.union([v.number(), v.string()]), v.transform(Number), v.integer('expected an HTTP status code'));

const schema = v.pipe(
  v.strictObject({
    url: v.pipe(v.string(), v.regex(/^https?:\/\/\S+$/, 'expected an http(s) URL')),
    method: v.optional(v.pipe(v.string(), v.regex(/^[A-Z]+$/, 'expected an HTTP method in capitals (GET, POST...)')), 'GET'),
    body: v.optional(v.unknown()),
    body_format: v.optional(v.picklist(['raw', 'json', 'form-urlencoded']), 'raw'),
    // Ansible's list type splits a text on commas (geerlingguy.jenkins: `status_code: 200,403`)
    status_code: v.optional(v.union([v.array(Status), v.pipe(v.string(), v.includes(','), v.transform((x): (string | number)[] => x.split(',')), v.array(Status)), Status]), 200),
    return_content: v.optional(Bool, false),
    headers: v.optional(Headers),
    /** seconds */
    timeout: v.optional(v.pipe(Num, v.minValue(1)), 30),
    // yes/no, as YAML 1.1 booleans or as text (geerlingguy.jenkins: `follow_redirects: "no"`), are
    // Ansible's older all/none (its choices have them; urls.py reads them so)
    follow_redirects: v.optional(v.pipe(v.union([v.picklist(['all', 'safe', 'none', 'urllib2', 'yes', 'no']), v.boolean()], 'expected all, safe or none'), v.transform((x) => (x === true || x === 'yes' ? 'all' : x === false || x === 'no' ? 'none' : x))), 'safe'),
    validate_certs: v.optional(Bool, true),
    url_username: v.optional(v.string()),
    url_password: v.optional(v.string()),
    force_basic_auth: v.optional(Bool, false),
  }),
  v.check((p) => p.body_format !== 'raw' || p.body === undefined || typeof p.body === 'string', 'expected body as a string with body_format raw (or body_format: json)'),
  v.check((p) => p.body_format !== 'form-urlencoded' || p.body === undefined || (typeof p.body === 'object' && p.body !== null), 'expected body as a map with body_format form-urlencoded'),
);
type Params = v.InferOutput<typeof schema>;

/** The body as sent, and the Content-Type it implies (unless the headers give one). Pure. */
export function requestBody(p: Pick<Params, 'body' | 'body_format' | 'headers'>): { body?: string; headers: Record<string, string> } {
  const headers = { ...(p.headers ?? {}) };
  if (p.body === undefined) return { headers };
  const has = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
  if (p.body_format === 'json') {
    if (!has) headers['Content-Type'] = 'application/json';
    return { body: typeof p.body === 'string' ? p.body : floatJson(p.body), headers };
  }
  if (p.body_format === 'form-urlencoded') {
    if (!has) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    return { body: new URLSearchParams(Object.entries(p.body as Record<string, unknown>).map(([k, x]) => [k, String(x)])).toString(), headers };
  }
  return { body: String(p.body), headers };
}

// the body comes base64-encoded after the status line, so any bytes parse
const SCRIPT = [
  `t=$(mktemp); trap 'rm -f -- "$t"' EXIT`,
  `curl -K - -o "$t" -w '%{http_code} %{num_redirects} %{url_effective} %{content_type}\\n'; echo "@rc $?"`,
  `base64 -w0 < "$t"; echo`,
].join('\n');

/** The answer, from the script's output. Pure. */
export function parseAnswer(out: string): { status: number; redirects: number; url: string; content_type: string; rc: number; content: string } {
  const [head = '', rcLine = '', b64 = ''] = out.split('\n');
  const [code, redirects, url, ...ct] = head.split(' ');
  return { status: Number(code) || -1, redirects: Number(redirects) || 0, url: url ?? '', content_type: ct.join(' '), rc: Number(rcLine.replace('@rc ', '')), content: Buffer.from(b64, 'base64').toString('utf8') };
}

export const uri: TaskType<Params> = {
  name: 'ansible.builtin.uri',
  summary: 'the host makes an HTTP request; status, content and json registered (Ansible\'s uri)',
  schema,
  shortKey: 'url',
  async plan(ctx, p) {
    if (ctx.check) return { changes: [], skip: true, note: `not run in check mode: ${p.method} ${shownUrl(p.url)}` };
    if (!(await toolsOn(ctx.conn, ['curl'])).has('curl')) throw new TaskFailure(`uri: no curl on ${ctx.conn.host}`);
    const { body, headers } = requestBody(p);
    const follow = p.follow_redirects === 'all' || ((p.follow_redirects === 'safe' || p.follow_redirects === 'urllib2') && ['GET', 'HEAD'].includes(p.method));
    const user = p.url_username === undefined ? undefined : { name: p.url_username, password: p.url_password ?? '', basic: p.force_basic_auth };
    const config = curlConfig({ url: p.url, method: p.method, headers, body, follow, timeout: p.timeout, insecure: !p.validate_certs, user });
    const r = await ctx.conn.exec(SCRIPT, { stdin: config, timeoutMs: (p.timeout + 10) * 1000 });
    const a = parseAnswer(r.stdout);
    const result: Record<string, unknown> = { status: a.status, url: a.url || shownUrl(p.url), redirected: a.redirects > 0, content_type: a.content_type, msg: `OK (${Buffer.byteLength(a.content)} bytes)` };
    if (p.return_content) result.content = a.content;
    if (/json/i.test(a.content_type)) {
      try {
        result.json = JSON.parse(a.content);
      } catch {
        // Ansible leaves json out when the answer does not parse
      }
    }
    const want = Array.isArray(p.status_code) ? p.status_code : [p.status_code];
    if (a.rc !== 0 || !want.includes(a.status)) {
      const why = a.rc !== 0 ? `Request failed: ${r.stderr.trim().split('\n').pop() || `curl exit ${a.rc}`}` : result.msg;
      throw new TaskFailure(`Status code was ${a.rc !== 0 ? -1 : a.status} and not [${want.join(', ')}]: ${why}`, { ...result, status: a.rc !== 0 ? -1 : a.status });
    }
    return { changes: [], result };
  },
  async apply() {},
};
