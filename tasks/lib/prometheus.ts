// What the Thanos tasks need to know about a Prometheus container: its flags, where its TSDB and
// config are on the host, how to reach its HTTP API from the host, and the external labels in its
// config (edited with the yaml Document API so comments and every other key stay as they were).
// Pure functions are unit-tested in test/unit/prometheus.test.ts.
import YAML, { isMap, isScalar, isSeq, type Document, type Scalar } from 'yaml';
import { shq } from '../../src/transport/quote.ts';
import type { Connection } from '../../src/transport/types.ts';
import { TaskFailure } from '../../src/engine/task-type.ts';
import type { ContainerFacts, Mount } from './container/spec.ts';
import { isHostNetwork } from './container/compare.ts';
import { following, waitLine, type Say } from './progress.ts';

/**
 * Prometheus' own default TSDB path, relative to its working directory. The official image's CMD
 * says `--storage.tsdb.path=/prometheus`, but Scylla Monitoring's start-all.sh passes arguments of
 * its own after the image, which replace that CMD: the TSDB is then `data/` under the image's
 * WORKDIR /prometheus, i.e. /prometheus/data (where `start-all.sh -d DIR` mounts DIR).
 */
export const DEFAULT_TSDB_PATH = 'data/';
export const DEFAULT_WORKDIR = '/prometheus';
export const DEFAULT_CONFIG_FILE = '/etc/prometheus/prometheus.yml';
export const DEFAULT_LISTEN = '0.0.0.0:9090';

/** Value of `--name=value` or `--name value`; true for a bare boolean flag; undefined when absent. */
export function flagValue(args: string[], name: string): string | true | undefined {
  const flag = `--${name}`;
  let found: string | true | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith(`${flag}=`)) found = a.slice(flag.length + 1);
    else if (a === flag) {
      const next = args[i + 1];
      found = next !== undefined && !next.startsWith('-') ? next : true;
    }
  }
  return found;
}

/**
 * `args` with `--name=value` (or the bare `--name` when value is undefined) present once, replacing
 * any other form or value of the same flag, at the place of the first one (else at the end).
 */
export function setFlag(args: string[], name: string, value?: string): string[] {
  const flag = `--${name}`;
  const want = value === undefined ? flag : `${flag}=${value}`;
  const out: string[] = [];
  let placed = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    let match = false;
    if (a.startsWith(`${flag}=`)) match = true;
    else if (a === flag) {
      match = true;
      const next = args[i + 1];
      if (value !== undefined && next !== undefined && !next.startsWith('-')) i++; // `--name value`
    }
    if (!match) out.push(a);
    else if (!placed) {
      out.push(want);
      placed = true;
    }
  }
  if (!placed) out.push(want);
  return out;
}

/** The TSDB directory in the container, worked out as Prometheus does: the flag, else `data/`, against the working directory. */
export function tsdbPath(args: string[], workdir = DEFAULT_WORKDIR): string {
  const p = stringFlag(args, 'storage.tsdb.path') ?? DEFAULT_TSDB_PATH;
  return cleanPath(p.startsWith('/') ? p : `${workdir || '/'}/${p}`);
}
export const configFile = (args: string[]) => stringFlag(args, 'config.file') ?? DEFAULT_CONFIG_FILE;

function stringFlag(args: string[], name: string): string | undefined {
  const v = flagValue(args, name);
  return typeof v === 'string' ? v : undefined;
}

/** Normalizes a container path (no trailing slash, no `.` parts). */
export function cleanPath(p: string): string {
  const parts: string[] = [];
  for (const x of p.split('/')) {
    if (x === '' || x === '.') continue;
    if (x === '..') parts.pop();
    else parts.push(x);
  }
  return '/' + parts.join('/');
}

/**
 * The host path behind a container path, through the bind mount that covers it (the deepest one),
 * or undefined (inside the container, or in a volume).
 */
export function hostPathOf(mounts: Mount[], containerPath: string): { hostPath?: string; mount?: Mount } {
  const p = cleanPath(containerPath);
  const covering = mounts
    .filter((m) => p === m.target || p.startsWith(m.target === '/' ? '/' : `${m.target}/`))
    .sort((a, b) => b.target.length - a.target.length)[0];
  if (!covering) return {};
  if (covering.kind !== 'bind') return { mount: covering };
  const rest = p.slice(covering.target.length).replace(/^\//, '');
  return { hostPath: rest ? `${covering.source.replace(/\/$/, '')}/${rest}` : covering.source, mount: covering };
}

/** The port Prometheus listens on in its container (--web.listen-address, default :9090). */
export function listenPort(args: string[]): string {
  const listen = stringFlag(args, 'web.listen-address') ?? DEFAULT_LISTEN;
  return listen.slice(listen.lastIndexOf(':') + 1);
}

/** http://127.0.0.1:PORT of Prometheus as seen from its host (host networking or a published port). */
export function hostUrl(f: ContainerFacts): string | undefined {
  const port = listenPort(f.args);
  const prefix = routePrefix(f.args);
  if (isHostNetwork(f.network)) return `http://127.0.0.1:${port}${prefix}`;
  const p = f.ports.find((x) => x.containerPort === port && x.proto === 'tcp');
  if (!p) return undefined;
  const ip = p.hostIp === '' ? '127.0.0.1' : p.hostIp.replace(/^\[|\]$/g, '');
  return `http://${ip.includes(':') ? `[${ip}]` : ip}:${p.hostPort}${prefix}`;
}

function routePrefix(args: string[]): string {
  const r = stringFlag(args, 'web.route-prefix');
  if (r === undefined) return '';
  const c = cleanPath(r);
  return c === '/' ? '' : c;
}

// ---------------------------------------------------------------------------------------------
// external labels

/** The yaml stringify options that keep a file's own layout (sequence indentation). */
function styleOf(text: string): YAML.ToStringOptions {
  // `key:\n- item` (not indented) vs `key:\n  - item`
  const m = /^( *)[^\s#-][^\n]*:[ \t]*\n(?: *#[^\n]*\n)*( *)- /m.exec(text);
  const indentSeq = m ? m[2].length > m[1].length : true;
  const ind = /^( +)\S/m.exec(text);
  return { indentSeq, indent: ind ? Math.min(ind[1].length, 8) : 2, lineWidth: 0, minContentWidth: 0 };
}

export function parseYaml(text: string, what: string): Document.Parsed {
  const doc = YAML.parseDocument(text);
  if (doc.errors.length) throw new TaskFailure(`${what}: cannot parse YAML: ${doc.errors[0].message}`);
  return doc;
}

/** `global.external_labels` of a Prometheus config text ({} when none). */
export function externalLabels(text: string): Record<string, string> {
  const v = (YAML.parse(text) ?? {}) as { global?: { external_labels?: Record<string, unknown> } };
  return Object.fromEntries(Object.entries(v.global?.external_labels ?? {}).map(([k, x]) => [k, String(x)]));
}

/**
 * The config text with these external labels set (others kept), or the same text when they are
 * already set. Only `global.external_labels` changes: the edit is made in the text itself (a value
 * replaced through its source range, a line inserted after the last key of its block map), so
 * comments, order, quoting and each block's own indentation stay. Whatever the text edit cannot
 * handle (flow maps) goes through the yaml Document API; either way the result is parsed back and
 * must differ from the original only in those labels.
 */
export function withExternalLabels(text: string, labels: Record<string, string>, what = 'prometheus.yml'): string {
  const have = externalLabels(text);
  if (Object.entries(labels).every(([k, x]) => have[k] === x)) return text;
  const doc = parseYaml(text, what);
  if (doc.contents !== null && !isMap(doc.contents) && !(isScalar(doc.contents) && doc.contents.value === null)) throw new TaskFailure(`${what}: expected a map at the top`);
  const global = doc.get('global', true);
  if (global !== undefined && global !== null && !isMap(global) && !(isScalar(global) && global.value === null)) throw new TaskFailure(`${what}: global is not a map`);
  let out: string | undefined;
  try {
    out = textEdit(text, doc, labels);
  } catch {
    out = undefined;
  }
  if (out === undefined || !sameExceptLabels(text, out, labels)) {
    if (doc.contents === null || isScalar(doc.contents)) doc.contents = doc.createNode({}) as never;
    const g = doc.get('global', true);
    if (g === null || isScalar(g)) doc.set('global', doc.createNode({}));
    const el = doc.getIn(['global', 'external_labels'], true);
    if (el === null || isScalar(el)) doc.setIn(['global', 'external_labels'], doc.createNode({}));
    for (const [k, x] of Object.entries(labels)) doc.setIn(['global', 'external_labels', k], doc.createNode(x));
    out = doc.toString(styleOf(text));
  }
  if (!sameExceptLabels(text, out, labels)) throw new TaskFailure(`${what}: setting external labels would change more than them (file left unchanged)`);
  return out;
}

function sameExceptLabels(before: string, after: string, labels: Record<string, string>): boolean {
  const a = (YAML.parse(before) ?? {}) as Record<string, any>;
  const b = (YAML.parse(after) ?? {}) as Record<string, any>;
  const want = { ...(a.global?.external_labels ?? {}), ...labels };
  if (JSON.stringify(Object.fromEntries(Object.entries(b.global?.external_labels ?? {}).map(([k, x]) => [k, String(x)]))) !== JSON.stringify(Object.fromEntries(Object.entries(want).map(([k, x]) => [k, String(x)])))) return false;
  const strip = (o: Record<string, any>) => {
    const c = structuredClone(o);
    if (c.global && typeof c.global === 'object') delete c.global.external_labels;
    if (c.global === null || (typeof c.global === 'object' && Object.keys(c.global).length === 0)) delete c.global;
    return c;
  };
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

const lineStart = (text: string, at: number) => text.lastIndexOf('\n', at - 1) + 1;
/** The offset where a new line can go after the node ending at `end`. */
function afterLine(text: string, end: number): { at: number; prefix: string } {
  if (end > 0 && text[end - 1] === '\n') return { at: end, prefix: '' };
  const nl = text.indexOf('\n', end);
  return nl < 0 ? { at: text.length, prefix: '\n' } : { at: nl + 1, prefix: '' };
}

function textEdit(text: string, doc: Document.Parsed, labels: Record<string, string>): string | undefined {
  const edits: { at: number; del: number; ins: string }[] = [];
  const global = doc.get('global', true);
  const entry = (k: string, x: string) => `${k}: ${plainOrQuoted(x)}`;
  if (global === undefined || global === null || (isScalar(global) && global.value === null)) {
    if (global !== undefined && global !== null) return undefined; // `global:` with nothing: let the Document API do it
    const block = ['global:', '  external_labels:', ...Object.entries(labels).map(([k, x]) => `    ${entry(k, x)}`)].join('\n') + '\n';
    const { at, prefix } = afterLine(text, text.length);
    edits.push({ at, del: 0, ins: (text.trim() === '' ? '' : prefix) + block });
  } else {
    if (!isMap(global) || global.flow || !global.items.length) return undefined;
    const gIndent = (global.items[0].key as Scalar).range![0] - lineStart(text, (global.items[0].key as Scalar).range![0]);
    const el = global.get('external_labels', true);
    if (el === undefined || (isScalar(el) && el.value === null)) {
      if (el !== undefined) return undefined;
      const last = global.items[global.items.length - 1];
      const end = ((last.value as Scalar | null)?.range ?? (last.key as Scalar).range!)[1];
      const { at, prefix } = afterLine(text, end);
      const pad = ' '.repeat(gIndent);
      const inner = ' '.repeat(gIndent + Math.max(2, gIndent));
      edits.push({ at, del: 0, ins: prefix + [`${pad}external_labels:`, ...Object.entries(labels).map(([k, x]) => `${inner}${entry(k, x)}`)].join('\n') + '\n' });
    } else {
      if (!isMap(el) || el.flow || !el.items.length) return undefined;
      const first = el.items[0].key as Scalar;
      const pad = ' '.repeat(first.range![0] - lineStart(text, first.range![0]));
      const adds: string[] = [];
      for (const [k, x] of Object.entries(labels)) {
        const pair = el.items.find((it) => String((it.key as Scalar).value) === k);
        if (!pair) adds.push(`${pad}${entry(k, x)}`);
        else if (String((pair.value as Scalar | null)?.value) !== x) {
          const node = pair.value as Scalar | null;
          if (!node || !isScalar(node) || !node.range) return undefined;
          const quoted = node.type === 'QUOTE_DOUBLE' ? JSON.stringify(x) : node.type === 'QUOTE_SINGLE' ? `'${x.replace(/'/g, "''")}'` : plainOrQuoted(x);
          edits.push({ at: node.range[0], del: node.range[1] - node.range[0], ins: quoted });
        }
      }
      if (adds.length) {
        const last = el.items[el.items.length - 1];
        const end = ((last.value as Scalar | null)?.range ?? (last.key as Scalar).range!)[1];
        const { at, prefix } = afterLine(text, end);
        edits.push({ at, del: 0, ins: prefix + adds.join('\n') + '\n' });
      }
    }
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.at - a.at)) out = out.slice(0, e.at) + e.ins + out.slice(e.at + e.del);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Grafana datasources

/**
 * The text with the `url` of the datasource named `name` set to `url`. Only that scalar's bytes
 * change: it is replaced in place through its source range (quoting style kept when possible), so
 * placeholders like DB_ADDRESS elsewhere and the file's layout stay exactly as they were.
 * Returns undefined when the file has no datasource of that name.
 */
export function withDatasourceUrl(text: string, name: string, url: string, what = 'datasource file'): string | undefined {
  const doc = parseYaml(text, what);
  const list = doc.get('datasources', true);
  if (!isSeq(list)) return undefined;
  const idx = list.items.findIndex((it) => isMap(it) && String(it.get('name')) === name);
  if (idx < 0) return undefined;
  const item = list.items[idx];
  if (!isMap(item)) return undefined;
  const node = item.get('url', true) as Scalar | undefined;
  if (node !== undefined && !isScalar(node)) throw new TaskFailure(`${what}: url of datasource ${name} is not a string`);
  if (node && String(node.value) === url) return text;
  let out: string;
  if (node?.range) {
    const [start, end] = node.range;
    const quoted = node.type === 'QUOTE_DOUBLE' ? JSON.stringify(url) : node.type === 'QUOTE_SINGLE' ? `'${url.replace(/'/g, "''")}'` : plainOrQuoted(url);
    out = text.slice(0, start) + quoted + text.slice(end);
  } else {
    item.set('url', url);
    out = doc.toString(styleOf(text));
  }
  // never write what would not read back as wanted
  const check = YAML.parse(out) as { datasources?: { name?: unknown; url?: unknown }[] };
  const got = check?.datasources?.find((d) => String(d?.name) === name)?.url;
  if (got !== url) throw new TaskFailure(`${what}: editing url of ${name} gave ${JSON.stringify(got)}, expected ${JSON.stringify(url)} (file left unchanged)`);
  return out;
}

function plainOrQuoted(s: string): string {
  const plain = YAML.stringify(s, { lineWidth: 0 }).trimEnd();
  return plain.includes('\n') ? JSON.stringify(s) : plain;
}

// ---------------------------------------------------------------------------------------------
// HTTP from the host

export interface HttpAnswer {
  status: number;
  body: string;
}

/** Shell: the body of one request in the file "$t", its status in $code (000: no answer). */
const fetchInto = (method: 'GET' | 'POST', url: string, timeoutS: number) =>
  `t=$(mktemp) || exit 3; code=$(curl -s -o "$t" -w '%{http_code}' -m ${timeoutS} -X ${method} ${shq(url)} 2>/dev/null) || code=000`;

/** One curl on the host (status 0 = no answer). Never fails the task by itself. */
export async function curl(conn: Connection, method: 'GET' | 'POST', url: string, timeoutS = 10): Promise<HttpAnswer> {
  const cmd = `${fetchInto(method, url, timeoutS)}; echo "$code"; cat "$t"; rm -f "$t"`;
  const r = await conn.exec(cmd, { timeoutMs: (timeoutS + 10) * 1000 });
  if (r.code !== 0) throw new TaskFailure(`cannot run curl on ${conn.host}: ${r.stderr.trim() || `exit ${r.code}`}`);
  const nl = r.stdout.indexOf('\n');
  return { status: Number(r.stdout.slice(0, nl)) || 0, body: r.stdout.slice(nl + 1) };
}

/** Several GETs on the host in one round trip, answered in order (status 0 = no answer). */
export async function curlAll(conn: Connection, urls: string[], timeoutS = 10): Promise<HttpAnswer[]> {
  const one = (url: string) => `${fetchInto('GET', url, timeoutS)}; printf '%s ' "$code"; base64 -w0 < "$t"; echo; rm -f "$t"`;
  const r = await conn.exec(urls.map(one).join('\n'), { timeoutMs: (timeoutS * urls.length + 10) * 1000 });
  if (r.code !== 0) throw new TaskFailure(`cannot run curl on ${conn.host}: ${r.stderr.trim() || `exit ${r.code}`}`);
  const lines = r.stdout.split('\n');
  return urls.map((_, i) => {
    const [code, body = ''] = (lines[i] ?? '').split(' ');
    return { status: Number(code) || 0, body: Buffer.from(body, 'base64').toString('utf8') };
  });
}

/**
 * Polls a URL on the host until it answers 2xx (one remote loop, bounded). Each failed try prints a
 * `skiff-wait:` line, which `say` turns into "waiting for URL ...: up to N s left".
 */
export async function waitReady(conn: Connection, url: string, timeoutS: number, say?: Say): Promise<void> {
  const tries = Math.max(1, Math.ceil(timeoutS));
  const cmd = `i=0; while :; do code=$(curl -s -o /dev/null -w '%{http_code}' -m 3 ${shq(url)} 2>/dev/null); case "$code" in 2??) exit 0;; esac; i=$((i+1)); [ $i -ge ${tries} ] && { echo "$code"; exit 1; }; echo "skiff-wait: $i $code"; sleep 1; done`;
  const r = await conn.exec(cmd, { timeoutMs: (timeoutS * 4 + 20) * 1000, onStdout: following(say, (l) => waitLine(l, `${url} to answer 2xx`, tries)) });
  if (r.code !== 0) throw new TaskFailure(`${url} not ready after ${timeoutS}s (last answer: ${r.stdout.trim().split('\n').at(-1) || 'none'})`);
}

/**
 * Pure: shell checking the Prometheus config in the host file "$n" with promtool inside the running
 * `container` (its own version: what this Prometheus accepts), `--syntax-only`: a full check also
 * refuses a rule file that is not there, and Scylla's config names /etc/prometheus/prometheus.rules.yml,
 * which start-all.sh does not mount (Prometheus itself takes a missing rule file as no rules). When
 * the image has promtool (upstream's has; one without is told, not refused: the reload that follows
 * keeps the old config if Prometheus cannot load the new one, and the config API check catches it).
 * promtool's own words reach stderr only when it refuses.
 */
export function promtoolCheck(engine: string, container: string): string {
  const E = shq(engine);
  const C = shq(container);
  const inside = `f=/tmp/.skiff-check-$$.yml; umask 077; cat > "$f" || exit 1; out=$(promtool check config --syntax-only "$f" 2>&1); rc=$?; rm -f "$f"; [ $rc = 0 ] || printf '%s\\n' "$out" >&2; exit $rc`;
  return [
    `if ${E} exec ${C} sh -c 'command -v promtool' >/dev/null 2>&1; then`,
    `  ${E} exec -i ${C} sh -c ${shq(inside)} < "$n"`,
    `else echo ${shq(`note: ${container} has no promtool: the new config was not checked before the reload`)} >&2; fi`,
  ].join('\n');
}
