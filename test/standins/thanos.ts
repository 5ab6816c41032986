// STAND-IN for Thanos v0.39 (`thanos sidecar`, `thanos query`): NOT the real program.
// It exists so skiff's Thanos playbook can be tested without a registry. It checks what the real
// sidecar and querier check at start (see README.md for the exact list and the differences).
//
// Stand-in StoreAPI protocol. Real Thanos speaks gRPC (thanos.Store/Info/Series) on --grpc-address.
// The stand-ins speak HTTP/1.1 + JSON on that port instead, and only to each other:
//   GET /info -> 200 {"standin":"thanos-standin-storeapi/1","component":"sidecar"|"query",
//                     "labels":{...external labels...},"labelSets":[{...}],"minTime":ms,"maxTime":ms}
//                503 {"error":...} while the sidecar is not ready (Prometheus not checked yet)
//   GET|POST /query?query=&time=                  -> Prometheus /api/v1/query JSON
//   GET|POST /query_range?query=&start=&end=&step= -> Prometheus /api/v1/query_range JSON
//     (sidecar: proxied to Prometheus, matchers on external labels handled as Thanos does, every
//      series' labels extended with the external labels; query: fanned out, not deduplicated)
//   anything else -> 404. The HTTP port (--http-address) does NOT serve /info, so a querier whose
//   --endpoint points at an HTTP port (10902/10912) sees an error, as with real Thanos.
import { readFileSync, promises as fsp } from 'node:fs';
import { lookup } from 'node:dns/promises';
import type http from 'node:http';
import { join } from 'node:path';
import YAML from 'yaml';
import {
  type CommandSpec,
  type FlagSpec,
  type Logger,
  type Parsed,
  type Reply,
  UsageError,
  fetchText,
  json,
  listen,
  makeLogger,
  netError,
  params,
  parseArgs,
  parseDuration,
  sleep,
  splitHostPort,
  text,
  usage,
} from './lib.ts';
import { type Series, mergeSeries, rewriteExternalMatchers } from './promql.ts';

/** The Thanos release whose command line this stand-in follows (THANOS_VERSION of Scylla Monitoring 4.12.1). */
export const VERSION = '0.39.1';
export const PROTOCOL = 'thanos-standin-storeapi/1';
const MAX_TIME = 9223372036854775807n; // math.MaxInt64, as real Thanos reports it
const MIN_TIME = -9223372036854775808n;

// ---------------------------------------------------------------------------------------------
// Command line: every flag `thanos sidecar` / `thanos query` v0.39.1 accept (cmd/thanos/main.go,
// sidecar.go, query.go, config.go, pkg/extkingpin/flags.go at tag v0.39.1, hidden flags included),
// so that any command line the real program accepts is accepted here and any other exits 2.
// Each flag is one of:
//   - implemented (the stand-in does what Thanos does with it);
//   - IGNORED: accepted and without effect, because it changes nothing the stand-ins can show
//     (performance tuning, limits, grace periods, telemetry, tracing, UI, logging of requests...);
//   - UNSUPPORTED: it would change what the program serves or where it reads from, which the
//     stand-in does not implement. Accepted by the parser (as Thanos does), but giving it a
//     non-default value makes the stand-in exit 1 with "not implemented by the Thanos stand-in",
//     instead of silently behaving unlike Thanos.
// None of IGNORED/UNSUPPORTED is passed by Scylla Monitoring's start-thanos*.sh or by skiff.

type F = Omit<FlagSpec, 'help'> & { help?: string };
const f = (spec: F): FlagSpec => ({ help: 'Accepted (see thanos.ts).', ...spec });
const str = (name: string, extra: Partial<F> = {}) => f({ name, kind: 'string', ...extra });
const bool = (name: string, dflt = false, extra: Partial<F> = {}) => f({ name, kind: 'bool', default: String(dflt), ...extra });
const dur = (name: string, dflt: string, extra: Partial<F> = {}) => f({ name, kind: 'duration', default: dflt, ...extra });
const int = (name: string, dflt: string, extra: Partial<F> = {}) => f({ name, kind: 'int', default: dflt, ...extra });
const list = (name: string, extra: Partial<F> = {}) => f({ name, kind: 'string', repeatable: true, ...extra });

const APP_FLAGS: FlagSpec[] = [
  { name: 'log.level', kind: 'enum', enumValues: ['error', 'warn', 'info', 'debug'], default: 'info', help: 'Log filtering level.' },
  { name: 'log.format', kind: 'enum', enumValues: ['logfmt', 'json'], default: 'logfmt', help: 'Log format to use.' },
  // implemented: adds name=<value> to every log line, as Thanos' logger does
  str('debug.name', { hidden: true, help: 'Name to add as prefix to log lines.' }),
  // IGNORED: spans go to a tracing backend; no effect on answers or readiness
  str('tracing.config-file', { placeholder: '<file-path>' }),
  str('tracing.config', { placeholder: '<content>' }),
  // IGNORED: Go runtime memory tuning
  bool('enable-auto-gomemlimit'),
  f({ name: 'auto-gomemlimit.ratio', kind: 'float', default: '0.9' }),
];

/** Listener flags shared by sidecar and query (http + gRPC server). */
const SERVER_FLAGS: FlagSpec[] = [
  { name: 'http-address', kind: 'string', default: '0.0.0.0:10902', help: 'Listen host:port for HTTP endpoints.' },
  // IGNORED: how long to drain connections on SIGTERM; the stand-in exits at once (nothing to drain)
  dur('http-grace-period', '2m'),
  // UNSUPPORTED: TLS / basic auth on the HTTP port
  str('http.config', { default: '' }),
  { name: 'grpc-address', kind: 'string', default: '0.0.0.0:10901', help: 'Listen ip:port for the (stand-in) StoreAPI.' },
  // implemented as far as the stand-ins can (no real TLS): cert and key must both be given and be
  // readable at start (Thanos loads them then), and /info reports tls=true, so that a query without
  // --grpc-client-tls-secure cannot use this endpoint and one with it cannot use an endpoint without
  // TLS, as with real gRPC. A client CA (mTLS) is UNSUPPORTED.
  str('grpc-server-tls-cert', { default: '' }),
  str('grpc-server-tls-key', { default: '' }),
  str('grpc-server-tls-client-ca', { default: '' }),
  f({ name: 'grpc-server-tls-min-version', kind: 'enum', enumValues: ['1.0', '1.1', '1.2', '1.3'], default: '1.3' }),
  // IGNORED: connection recycling
  dur('grpc-server-max-connection-age', '60m'),
  dur('grpc-grace-period', '2m'), // IGNORED, as http-grace-period
  // IGNORED: per-request access logging
  str('request.logging-config-file', { placeholder: '<file-path>' }),
  str('request.logging-config', { placeholder: '<content>' }),
  // IGNORED: limits far above anything the lab queries
  int('store.limits.request-series', '0'),
  int('store.limits.request-samples', '0'),
];

/** Flags whose non-default value the stand-in refuses (exit 1) rather than ignore. */
const UNSUPPORTED = new Set([
  'http.config',
  'prometheus.http-client-file',
  'prometheus.http-client',
  'reloader.config-file',
  'reloader.config-envsubst-file',
  'reloader.rule-dir',
  'min-time',
  'web.route-prefix',
  'web.external-prefix',
  'query.mode',
  'selector-label',
  'selector.relabel-config-file',
  'selector.relabel-config',
  'store.sd-files',
  'query.partition-label',
  'grpc-server-tls-client-ca',
]);

const SIDECAR: CommandSpec = {
  name: 'sidecar',
  help: 'Sidecar for Prometheus server. (STAND-IN of Thanos ' + VERSION + ')',
  flags: [
    ...SERVER_FLAGS,
    { name: 'prometheus.url', kind: 'url', default: 'http://localhost:9090', help: "URL at which to reach Prometheus's API." },
    {
      name: 'prometheus.ready_timeout',
      kind: 'duration',
      default: '10s',
      help: 'Maximum time to wait for Prometheus at start (stand-in default 10s; real Thanos: 10m).',
    },
    {
      name: 'prometheus.get_config_interval',
      kind: 'duration',
      default: '5s',
      help: 'How often to re-read the external labels (heartbeat). Stand-in default 5s; real: 30s.',
    },
    { name: 'prometheus.get_config_timeout', kind: 'duration', default: '5s', help: 'Timeout of each Prometheus request (stand-in default 5s; real: 30s).' },
    // UNSUPPORTED: auth/TLS towards Prometheus
    str('prometheus.http-client-file', { placeholder: '<file-path>' }),
    str('prometheus.http-client', { placeholder: '<content>' }),
    { name: 'tsdb.path', kind: 'string', default: './data', help: 'Data directory of TSDB (read only by the shipper, i.e. with an objstore).' },
    // UNSUPPORTED: the reloader (config/rule watching + POST /-/reload); the intervals and method alone change nothing
    str('reloader.config-file', { default: '' }),
    str('reloader.config-envsubst-file', { default: '' }),
    list('reloader.rule-dir'),
    dur('reloader.watch-interval', '3m'),
    dur('reloader.retry-interval', '5s'),
    f({ name: 'reloader.method', kind: 'enum', enumValues: ['http', 'signal'], default: 'http' }),
    str('reloader.process-name', { default: 'prometheus' }),
    { name: 'objstore.config-file', kind: 'string', placeholder: '<file-path>', help: 'Path to YAML object store configuration.' },
    { name: 'objstore.config', kind: 'string', placeholder: '<content>', help: "Alternative to 'objstore.config-file' (content)." },
    { name: 'shipper.upload-compacted', kind: 'bool', help: 'Also upload compacted blocks.' },
    bool('shipper.ignore-unequal-block-size', false, { hidden: true, help: 'Do not fail when min and max block durations differ.' }),
    // IGNORED: the stand-in uploads in ULID order and copies blocks without checking them
    bool('shipper.allow-out-of-order-uploads', false, { hidden: true }),
    bool('shipper.skip-corrupted-blocks', false, { hidden: true }),
    // IGNORED: a hash of each file in meta.json, an optimisation for later downloads
    f({ name: 'hash-func', kind: 'enum', enumValues: ['', 'SHA256'], default: '' }),
    // implemented
    str('shipper.meta-file-name', { default: 'thanos.shipper.json', help: 'the file to store shipper metadata in' }),
    // UNSUPPORTED: limits the served time range
    str('min-time', { default: '0000-01-01T00:00:00Z' }),
  ],
};

const QUERY: CommandSpec = {
  name: 'query',
  help: 'Query node exposing PromQL enabled Query API with data retrieved from multiple store nodes. (STAND-IN)',
  flags: [
    ...SERVER_FLAGS,
    // implemented as in grpc-server-tls-*: only "TLS or not" is compared with the endpoint's
    bool('grpc-client-tls-secure'),
    // IGNORED: certificate details (no real TLS between stand-ins)
    bool('grpc-client-tls-skip-verify'),
    str('grpc-client-tls-cert', { default: '' }),
    str('grpc-client-tls-key', { default: '' }),
    str('grpc-client-tls-ca', { default: '' }),
    str('grpc-client-server-name', { default: '' }),
    // IGNORED: transport compression
    f({ name: 'grpc-compression', kind: 'enum', enumValues: ['snappy', 'none'], default: 'none' }),
    // UNSUPPORTED: route prefixes move every HTTP path
    str('web.route-prefix', { default: '' }),
    str('web.external-prefix', { default: '' }),
    // IGNORED: UI links and CORS headers
    str('web.prefix-header', { default: '' }),
    bool('web.disable-cors'),
    { name: 'query.timeout', kind: 'duration', default: '2m', help: 'Maximum time to process query by query node.' },
    // IGNORED: the stand-in has no PromQL engine of its own (each Prometheus evaluates, see
    // README.md); which engine Thanos would use does not change the answers to the lab's queries
    f({ name: 'query.promql-engine', kind: 'enum', enumValues: ['prometheus', 'thanos'], default: 'prometheus' }),
    bool('query.disable-fallback', false, { hidden: true }),
    bool('query.enable-x-functions'),
    // UNSUPPORTED: distributed mode
    f({ name: 'query.mode', kind: 'enum', enumValues: ['local', 'distributed'], default: 'local' }),
    // IGNORED: concurrency, lookback and evaluation tuning (evaluation is Prometheus' own)
    int('query.max-concurrent', '20'),
    dur('query.lookback-delta', '0s'),
    bool('query.dynamic-lookback-delta', true, { hidden: true }),
    int('query.max-concurrent-select', '4'),
    list('query.conn-metric.label'),
    f({ name: 'deduplication.func', kind: 'enum', enumValues: ['penalty', 'chain'], default: 'penalty' }),
    { name: 'query.replica-label', kind: 'string', repeatable: true, help: 'Labels to treat as replica indicators (repeatable, comma separated).' },
    list('query.partition-label'), // UNSUPPORTED
    bool('query.distributed-with-overlapping-interval', false, { hidden: true }),
    dur('query.instant.default.max_source_resolution', '0s', { hidden: true }),
    dur('query.metadata.default-time-range', '0s'),
    list('selector-label'), // UNSUPPORTED
    bool('query.auto-downsampling'), // IGNORED: no downsampled data behind sidecars
    { name: 'query.partial-response', kind: 'bool', default: 'true', help: 'Enable partial response for queries.' },
    // IGNORED: the stand-in serves no rules/targets/metadata/exemplars APIs
    bool('rule.partial-response', true, { hidden: true }),
    bool('target.partial-response', true, { hidden: true }),
    bool('metric-metadata.partial-response', true, { hidden: true }),
    bool('exemplar.partial-response', true, { hidden: true }),
    str('query.active-query-path', { default: '' }), // IGNORED: crash forensics file
    list('enable-feature'), // IGNORED: promql-experimental-functions is up to each Prometheus
    dur('query.default-evaluation-interval', '1m'),
    dur('query.default-step', '1s'),
    dur('store.response-timeout', '0ms'),
    f({ name: 'grpc.proxy-strategy', kind: 'enum', enumValues: ['eager', 'lazy'], default: 'eager', hidden: true }),
    int('query.lazy-retrieval-max-buffered-responses', '20', { hidden: true }),
    str('selector.relabel-config-file', { placeholder: '<file-path>' }), // UNSUPPORTED
    str('selector.relabel-config', { placeholder: '<content>' }), // UNSUPPORTED
    str('alert.query-url'), // IGNORED: a link in the UI
    // IGNORED: histogram buckets of telemetry metrics
    list('query.telemetry.request-duration-seconds-quantiles'),
    list('query.telemetry.request-samples-quantiles'),
    list('query.telemetry.request-series-seconds-quantiles'),
    // IGNORED: tenancy (no tenant labels in the lab; enforce-tenancy off)
    str('query.tenant-header', { default: 'THANOS-TENANT' }),
    str('query.default-tenant-id', { default: 'default-tenant' }),
    f({ name: 'query.tenant-certificate-field', kind: 'enum', enumValues: ['', 'organization', 'organizationalUnit', 'commonName'], default: '' }),
    bool('query.enforce-tenancy'),
    str('query.tenant-label-name', { default: 'tenant_id' }),
    dur('store.sd-dns-interval', '30s'), // IGNORED: dns+ names are resolved at every poll
    str('store.sd-dns-resolver', { default: 'miekgdns', hidden: true }),
    { name: 'store.unhealthy-timeout', kind: 'duration', default: '5m', help: 'Timeout before an unhealthy store is cleaned from the store UI page.' },
    dur('endpoint.info-timeout', '5s', { hidden: true }), // IGNORED: the stand-in's /info timeout is 5s
    { name: 'endpoint.sd-config-file', kind: 'string', placeholder: '<file-path>', help: 'Path to Config File with endpoint definitions.' },
    { name: 'endpoint.sd-config', kind: 'string', placeholder: '<content>', help: 'Content of Config File with endpoint definitions.' },
    { name: 'endpoint.sd-config-reload-interval', kind: 'duration', default: '5m', help: 'Accepted; the stand-in re-reads the file at every poll.' },
    list('store.sd-files', { placeholder: '<path>' }), // UNSUPPORTED (deprecated file SD)
    dur('store.sd-interval', '5m'),
    { name: 'endpoint', kind: 'string', repeatable: true, placeholder: '<endpoint>', help: 'Addresses of Thanos API servers (repeatable). dns+ supported.' },
    // implemented like --endpoint: the stand-in fans out to every endpoint; the differences (round
    // robin inside a group, strict = kept even when unhealthy) do not show with the lab's sidecars
    list('endpoint-group', { placeholder: '<endpoint-group>' }),
    list('endpoint-strict', { placeholder: '<endpoint-strict>' }),
    list('endpoint-group-strict', { placeholder: '<endpoint-group-strict>' }),
    // No --store, --rule, --metadata, --exemplar, --target: removed in Thanos 0.38 (#7890), so
    // `thanos query --store=...` exits 2 ("unknown long flag '--store'"), as 0.38+ does.
  ],
};

/** Exits (via Fatal) when an UNSUPPORTED flag got a value other than its default. */
function refuseUnsupported(p: Parsed, cmd: CommandSpec): void {
  for (const spec of [...APP_FLAGS, ...cmd.flags]) {
    if (!UNSUPPORTED.has(spec.name)) continue;
    const given = spec.repeatable ? (p.lists.get(spec.name) ?? []).length > 0 : spec.kind === 'bool' ? false : (p.values.get(spec.name) ?? spec.default ?? '') !== (spec.default ?? '');
    if (given) throw new Fatal(`flag --${spec.name} is accepted by Thanos ${VERSION} but not implemented by the Thanos stand-in`);
  }
}

const COMMANDS = [SIDECAR, QUERY];
const REAL_ONLY_COMMANDS = ['store', 'compact', 'rule', 'receive', 'query-frontend', 'tools', 'bucket', 'check', 'downsample'];

/** JSON with int64 sentinels written exactly (JS numbers cannot hold math.MaxInt64). */
function jsonBig(status: number, value: unknown): Reply {
  const body = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `__BIGINT__${v}__` : v)).replace(
    /"__BIGINT__(-?\d+)__"/g,
    '$1',
  );
  return { status, body, type: 'application/json' };
}

const promError = (status: number, errorType: string, error: string): Reply => json(status, { status: 'error', errorType, error });
const notFound = (): Reply => text(404, '404 page not found\n');

function exitWith(code: number): never {
  // stderr is synchronous for files, pipes and TTYs on Linux: nothing is lost
  process.exit(code);
}

class Fatal extends Error {}

/** gRPC server TLS as Thanos' pkg/tls NewServerConfig checks it; returns whether TLS is on. */
function serverTls(p: Parsed): boolean {
  const cert = p.values.get('grpc-server-tls-cert') ?? '';
  const key = p.values.get('grpc-server-tls-key') ?? '';
  if (cert === '' && key === '') return false;
  if (cert === '' || key === '') throw new Fatal('setup gRPC server: both server key and certificate must be provided');
  for (const file of [cert, key]) {
    try {
      readFileSync(file);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'EACCES' ? 'permission denied' : err.code;
      throw new Fatal(`setup gRPC server: server credentials: open ${file}: ${why}`);
    }
  }
  return true;
}

export async function main(argv: string[]): Promise<void> {
  let p: Parsed;
  try {
    if (argv.length > 0 && REAL_ONLY_COMMANDS.includes(argv.find((a) => !a.startsWith('-')) ?? '')) {
      throw new UsageError(
        `expected command but got "${argv.find((a) => !a.startsWith('-'))}" (the Thanos stand-in implements only: sidecar, query)`,
      );
    }
    p = parseArgs(argv, APP_FLAGS, COMMANDS);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`Error parsing commandline arguments: [thanos ${argv.join(' ')}]: ${e.message}\n`);
    const cmd = COMMANDS.find((c) => argv.includes(c.name)) ?? null;
    process.stderr.write(usage('thanos', cmd, APP_FLAGS, COMMANDS));
    exitWith(2);
  }
  if (p.version) {
    process.stdout.write(`thanos, version ${VERSION} (stand-in)\n`);
    return;
  }
  if (p.help) {
    process.stdout.write(usage('thanos', COMMANDS.find((c) => c.name === p.command) ?? null, APP_FLAGS, COMMANDS));
    return;
  }
  const debugName = p.values.get('debug.name');
  const log = makeLogger(p.values.get('log.level')!, p.values.get('log.format')!, { standin: 'thanos', ...(debugName ? { name: debugName } : {}) });
  const servers: http.Server[] = [];
  const shutdown = (sig: string) => {
    log.info('caught signal. Exiting.', { signal: sig });
    for (const s of servers) s.close();
    exitWith(0);
  };
  process.on('SIGTERM', () => shutdown('terminated'));
  process.on('SIGINT', () => shutdown('interrupt'));
  try {
    refuseUnsupported(p, COMMANDS.find((c) => c.name === p.command)!);
    if (p.command === 'sidecar') await runSidecar(p, log, servers);
    else await runQuery(p, log, servers);
  } catch (e) {
    if (e instanceof Error) {
      log.error('running command failed', { err: e.message });
      for (const s of servers) s.close();
      exitWith(1);
    }
    throw e;
  }
}

// =============================================================================================
// sidecar

interface Bucket {
  directory: string;
}

/** Parses the objstore config like Thanos (strict top level; never echoes the content). */
function loadObjstore(file: string | undefined, inline: string | undefined): Bucket | null {
  let content: string;
  if (file && inline) throw new Fatal('getting object store config: both objstore.config-file and objstore.config flags set.');
  if (file !== undefined && file !== '') {
    try {
      content = readFileSync(file, 'utf8');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'EACCES' ? 'permission denied' : err.code;
      throw new Fatal(`getting object store config: open ${file}: ${why}`);
    }
  } else if (inline !== undefined) content = inline;
  else return null;
  if (content.trim() === '') return null; // Thanos: no bucket, uploads disabled
  const doc = YAML.parseDocument(content, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    // position and code only: the content may hold credentials
    const line = content.slice(0, e.pos[0]).split('\n').length;
    throw new Fatal(`parsing config YAML file: yaml: line ${line}: ${e.code}`);
  }
  const conf = doc.toJS() as unknown;
  if (typeof conf !== 'object' || conf === null || Array.isArray(conf)) {
    throw new Fatal('parsing config YAML file: yaml: unmarshal errors: cannot unmarshal into client.BucketConfig');
  }
  for (const k of Object.keys(conf)) {
    if (!['type', 'config', 'prefix'].includes(k)) {
      throw new Fatal(`parsing config YAML file: yaml: unmarshal errors: field ${k} not found in type client.BucketConfig`);
    }
  }
  const c = conf as { type?: unknown; config?: unknown };
  const type = String(c.type ?? '').toUpperCase();
  const known = ['S3', 'GCS', 'AZURE', 'SWIFT', 'COS', 'ALIYUNOSS', 'BOS', 'OCI', 'OBS'];
  if (known.includes(type)) throw new Fatal(`create bucket client: the Thanos stand-in supports only FILESYSTEM, got ${type}`);
  if (type !== 'FILESYSTEM') throw new Fatal(`create bucket client: unsupported bucket type: ${type}`);
  const cfg = (c.config ?? {}) as { directory?: unknown };
  if (typeof cfg !== 'object' || typeof cfg.directory !== 'string' || cfg.directory === '') {
    throw new Fatal('create bucket client: missing directory for filesystem bucket');
  }
  return { directory: cfg.directory };
}

function promURL(base: string, path: string): string {
  return new URL(path, base.endsWith('/') ? base : base + '/').toString();
}

async function fetchExternalLabels(base: string, timeoutMs: number): Promise<Record<string, string>> {
  const r = await fetchText(promURL(base, 'api/v1/status/config'), timeoutMs);
  if (r.status !== 200) throw new Error(`request config against ${promURL(base, 'api/v1/status/config')}: ${r.status}: ${r.body.trim().slice(0, 200)}`);
  const body = JSON.parse(r.body) as { data?: { yaml?: string } };
  if (typeof body.data?.yaml !== 'string') throw new Error('unexpected response from Prometheus config endpoint');
  const cfg = YAML.parse(body.data.yaml) as { global?: { external_labels?: Record<string, unknown> } } | null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(cfg?.global?.external_labels ?? {})) out[k] = String(v);
  return out;
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

async function runSidecar(p: Parsed, log: Logger, servers: http.Server[]): Promise<void> {
  const v = (k: string) => p.values.get(k);
  const prom = v('prometheus.url')!;
  const tsdb = v('tsdb.path')!;
  const readyTimeout = parseDuration(v('prometheus.ready_timeout')!);
  const interval = Math.max(100, parseDuration(v('prometheus.get_config_interval')!));
  const reqTimeout = Math.max(100, parseDuration(v('prometheus.get_config_timeout')!));
  const exitAfter = parseDuration(process.env.THANOS_STANDIN_UNREACHABLE_EXIT_AFTER || '30s');
  const uploadCompacted = p.bools.get('shipper.upload-compacted')!;

  log.info('starting sidecar (STAND-IN of Thanos ' + VERSION + ')', { 'prometheus.url': prom, 'tsdb.path': tsdb });

  // 1. object storage config (read first, like Thanos)
  const bucket = loadObjstore(v('objstore.config-file'), v('objstore.config'));
  if (bucket) log.info('starting sidecar with uploads', { bucket: 'FILESYSTEM' });
  else log.info('no supported bucket was configured, uploads will be disabled');
  const tls = serverTls(p);
  const shipperMetaFile = v('shipper.meta-file-name')!;

  // state shared with the handlers
  let extLabels: Record<string, string> = {};
  let ready = false;
  let promUp = 0;
  let lastHeartbeat = 0;
  let uploads = 0;
  let uploadFailures = 0;
  const startedAt = Date.now();

  const minTime = async (): Promise<bigint> => {
    // oldest local block, like the sidecar's view of what Prometheus holds
    try {
      let min: number | null = null;
      for (const name of await fsp.readdir(tsdb)) {
        if (!ULID.test(name)) continue;
        try {
          const meta = JSON.parse(await fsp.readFile(join(tsdb, name, 'meta.json'), 'utf8')) as { minTime?: number };
          if (typeof meta.minTime === 'number' && (min === null || meta.minTime < min)) min = meta.minTime;
        } catch {
          /* incomplete block */
        }
      }
      return BigInt(min ?? startedAt);
    } catch {
      return MIN_TIME;
    }
  };

  // 2. listeners (bound before Prometheus is checked, like Thanos; /-/ready says 503 until then)
  const httpServer = await listen(v('http-address')!, (_req, url) => {
    switch (url.pathname) {
      case '/-/healthy':
        return text(200, 'thanos is healthy');
      case '/-/ready':
        return ready ? text(200, 'thanos is ready') : text(503, 'thanos is not ready\n');
      case '/metrics':
        return text(
          200,
          [
            `# stand-in metrics (not the real Thanos set)`,
            `thanos_build_info{branch="stand-in",revision="stand-in",version="${VERSION}"} 1`,
            `thanos_sidecar_prometheus_up ${promUp}`,
            `thanos_sidecar_last_heartbeat_success_time_seconds ${lastHeartbeat / 1000}`,
            `thanos_shipper_uploads_total ${uploads}`,
            `thanos_shipper_upload_failures_total ${uploadFailures}`,
            `thanos_status_ready ${ready ? 1 : 0}`,
            '',
          ].join('\n'),
        );
      default:
        return notFound();
    }
  });
  servers.push(httpServer);
  log.info('listening for requests and metrics', { component: 'sidecar', address: v('http-address') });

  const proxy = async (kind: 'query' | 'query_range', req: http.IncomingMessage, url: URL, body: string): Promise<Reply> => {
    if (!ready) return promError(503, 'unavailable', 'sidecar is not ready');
    const ps = params(url, req, body);
    const q = ps.get('query');
    if (q === null) return promError(400, 'bad_data', 'invalid parameter "query": no query given');
    const fwd = new URLSearchParams();
    for (const k of ['time', 'start', 'end', 'step', 'timeout']) {
      const val = ps.get(k);
      if (val !== null) fwd.set(k, val);
    }
    fwd.set('query', rewriteExternalMatchers(q, extLabels));
    let r: { status: number; body: string };
    try {
      r = await fetchText(promURL(prom, `api/v1/${kind}`), 120_000, {
        method: 'POST',
        body: fwd.toString(),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
    } catch (e) {
      return promError(503, 'unavailable', `query Prometheus: ${netError(e)}`);
    }
    let parsed: { status?: string; data?: { resultType?: string; result?: unknown } };
    try {
      parsed = JSON.parse(r.body) as typeof parsed;
    } catch {
      return promError(502, 'unavailable', `unexpected answer from Prometheus: HTTP ${r.status}`);
    }
    const data = parsed.data;
    if (parsed.status === 'success' && data && (data.resultType === 'vector' || data.resultType === 'matrix')) {
      for (const s of data.result as Series[]) s.metric = { ...(s.metric ?? {}), ...extLabels };
    }
    return json(r.status, parsed);
  };

  const grpcServer = await listen(v('grpc-address')!, async (req, url, body) => {
    switch (url.pathname) {
      case '/info':
        if (!ready) return json(503, { error: 'sidecar is not ready: external labels not known yet' });
        return jsonBig(200, {
          standin: PROTOCOL,
          component: 'sidecar',
          tls,
          labels: extLabels,
          labelSets: [extLabels],
          minTime: await minTime(),
          maxTime: MAX_TIME,
        });
      case '/query':
        return proxy('query', req, url, body);
      case '/query_range':
        return proxy('query_range', req, url, body);
      default:
        return notFound();
    }
  });
  servers.push(grpcServer);
  log.info('listening for serving gRPC (stand-in HTTP/JSON StoreAPI)', { address: v('grpc-address') });

  // 3. with uploads, the TSDB directory must be readable by this uid. Thanos reads --tsdb.path only
  // in its shipper: without an objstore a missing or unreadable directory does not matter (it starts
  // and serves). With one, real 0.39 logs the error (IsWALDirAccessible) and its shipper then fails
  // at every sync, never uploading: the stand-in exits 1 instead, to make that visible.
  if (bucket) {
    try {
      await fsp.readdir(tsdb);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code === 'EACCES' ? 'permission denied' : err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'ENOTDIR' ? 'not a directory' : err.message;
      throw new Fatal(`TSDB directory is not readable (uid ${process.getuid?.() ?? '?'}), so no block can be uploaded: open ${tsdb}: ${why}`);
    }
  }

  // 4. external labels, retried until --prometheus.ready_timeout
  const deadline = Date.now() + readyTimeout;
  let lastErr = '';
  for (;;) {
    try {
      extLabels = await fetchExternalLabels(prom, reqTimeout);
      break;
    } catch (e) {
      lastErr = netError(e);
      log.warn('failed to fetch initial external labels. Is Prometheus running? Retrying', { err: lastErr });
    }
    if (Date.now() >= deadline) {
      throw new Fatal(`initial external labels query: context deadline exceeded (waited ${v('prometheus.ready_timeout')}): ${lastErr}`);
    }
    await sleep(Math.min(1000, Math.max(0, deadline - Date.now())));
  }
  if (Object.keys(extLabels).length === 0) {
    throw new Fatal(
      'no external labels configured on Prometheus server, uniquely identifying external labels must be configured; see https://thanos.io/tip/thanos/storage.md#external-labels for details.',
    );
  }
  promUp = 1;
  lastHeartbeat = Date.now();
  log.info('successfully loaded prometheus external labels', { external_labels: JSON.stringify(extLabels) });

  // 5. with uploads: compaction must be disabled (min == max block duration)
  if (bucket) {
    let r: { status: number; body: string } | null = null;
    for (;;) {
      try {
        r = await fetchText(promURL(prom, 'api/v1/status/flags'), reqTimeout);
        break;
      } catch (e) {
        lastErr = netError(e);
        log.warn('failed to get Prometheus flags. Is Prometheus running? Retrying', { err: lastErr });
      }
      if (Date.now() >= deadline) throw new Fatal(`fetch Prometheus flags: ${lastErr}`);
      await sleep(Math.min(1000, Math.max(0, deadline - Date.now())));
    }
    if (r.status === 404) {
      log.warn('failed to check Prometheus flags, due to potentially older Prometheus. No extra validation is done.');
    } else if (r.status !== 200) {
      throw new Fatal(`fetch Prometheus flags: HTTP ${r.status}`);
    } else {
      const flags = (JSON.parse(r.body) as { data?: Record<string, string> }).data ?? {};
      const minS = flags['storage.tsdb.min-block-duration'] ?? '';
      const maxS = flags['storage.tsdb.max-block-duration'] ?? '';
      let minD: number, maxD: number;
      try {
        minD = parseDuration(minS);
        maxD = parseDuration(maxS);
      } catch (e) {
        throw new Fatal(`parse Prometheus flags: ${(e as Error).message}`);
      }
      if (minD !== maxD) {
        if (!p.bools.get('shipper.ignore-unequal-block-size')) {
          throw new Fatal(
            `found that TSDB Max time is ${maxS} and Min time is ${minS}. Compaction needs to be disabled (storage.tsdb.min-block-duration = storage.tsdb.max-block-duration)`,
          );
        }
        log.warn('flag to ignore Prometheus min/max block duration flags differing is being used.');
      }
      if (minD !== 2 * 3600e3) log.warn('found that TSDB block time is not 2h. Only 2h block time is recommended.', { 'block-time': minS });
      log.info('successfully validated prometheus flags');
    }
  }

  ready = true;
  log.info('changing probe status', { status: 'ready' });

  // 6. heartbeat: re-read the external labels; exit when Prometheus stays unreachable
  let failingSince: number | null = null;
  let beating = false;
  setInterval(() => {
    if (beating) return;
    beating = true;
    fetchExternalLabels(prom, reqTimeout)
      .then((labels) => {
        if (JSON.stringify(labels) !== JSON.stringify(extLabels)) {
          log.info('external labels changed', { external_labels: JSON.stringify(labels) });
          extLabels = labels;
        }
        failingSince = null;
        promUp = 1;
        lastHeartbeat = Date.now();
      })
      .catch((e: unknown) => {
        promUp = 0;
        failingSince ??= Date.now();
        log.warn('heartbeat failed', { err: netError(e) });
        if (Date.now() - failingSince >= exitAfter) {
          log.error('running command failed', { err: `Prometheus at ${prom} unreachable for ${Math.round((Date.now() - failingSince) / 1000)}s (stand-in exits after ${exitAfter / 1000}s)` });
          for (const s of servers) s.close();
          exitWith(1);
        }
      })
      .finally(() => {
        beating = false;
      });
  }, interval);

  // 7. shipper
  if (bucket) {
    let shipping = false;
    const ship = async () => {
      if (shipping) return;
      shipping = true;
      try {
        const r = await shipOnce(tsdb, bucket.directory, extLabels, uploadCompacted, shipperMetaFile, log);
        uploads += r.uploaded;
        uploadFailures += r.failed;
      } finally {
        shipping = false;
      }
    };
    void ship();
    setInterval(() => void ship(), Number(process.env.THANOS_STANDIN_SHIPPER_INTERVAL_MS) || 10_000);
  }
}

async function shipOnce(
  tsdb: string,
  bucketDir: string,
  labels: Record<string, string>,
  uploadCompacted: boolean,
  metaFileName: string,
  log: Logger,
): Promise<{ uploaded: number; failed: number }> {
  let uploaded = 0;
  let failed = 0;
  let names: string[];
  try {
    names = (await fsp.readdir(tsdb)).filter((n) => ULID.test(n)).sort();
  } catch (e) {
    log.error('shipper: read tsdb dir failed', { err: (e as Error).message });
    return { uploaded, failed: 1 };
  }
  const metaFile = join(tsdb, metaFileName);
  let shipMeta: { version: number; uploaded: string[] } = { version: 1, uploaded: [] };
  try {
    const m = JSON.parse(await fsp.readFile(metaFile, 'utf8')) as { uploaded?: unknown };
    if (Array.isArray(m.uploaded)) shipMeta.uploaded = m.uploaded.map(String);
  } catch {
    /* first run */
  }
  const done = new Set(shipMeta.uploaded);
  let changed = false;
  for (const name of names) {
    if (done.has(name)) continue;
    const blockDir = join(tsdb, name);
    let meta: Record<string, unknown> & { compaction?: { level?: number } };
    try {
      meta = JSON.parse(await fsp.readFile(join(blockDir, 'meta.json'), 'utf8')) as typeof meta;
    } catch {
      continue; // not a completed block (yet)
    }
    if ((meta.compaction?.level ?? 1) > 1 && !uploadCompacted) continue;
    const dst = join(bucketDir, name);
    try {
      try {
        await fsp.access(join(dst, 'meta.json'));
        done.add(name);
        changed = true;
        continue; // already in the bucket
      } catch {
        /* not there yet */
      }
      await fsp.mkdir(dst, { recursive: true });
      await fsp.cp(blockDir, dst, { recursive: true, filter: (src) => src !== join(blockDir, 'meta.json') });
      const withThanos = { ...meta, thanos: { labels, downsample: { resolution: 0 }, source: 'sidecar' } };
      await fsp.writeFile(join(dst, 'meta.json'), JSON.stringify(withThanos, null, '\t'));
      done.add(name);
      changed = true;
      uploaded++;
      log.info('upload new block', { id: name });
    } catch (e) {
      failed++;
      log.error('shipping failed', { block: name, err: (e as Error).message });
    }
  }
  if (changed) {
    shipMeta = { version: 1, uploaded: [...done].sort() };
    const tmp = `${metaFile}.tmp`;
    try {
      await fsp.writeFile(tmp, JSON.stringify(shipMeta, null, '\t'));
      await fsp.rename(tmp, metaFile);
    } catch (e) {
      log.error('updating meta file failed', { err: (e as Error).message });
    }
  }
  return { uploaded, failed };
}

// =============================================================================================
// query

interface EndpointState {
  name: string;
  componentType: string | null;
  lastCheck: string | null;
  lastError: string | null;
  labelSets: Array<Record<string, string>>;
  minTime: bigint;
  maxTime: bigint;
  lastOkAt: number | null;
}

interface InfoReply {
  standin?: string;
  tls?: boolean;
  component?: string;
  labelSets?: Array<Record<string, string>>;
  minTime?: number;
  maxTime?: number;
}

function parseBigInts(body: string): InfoReply & { minTimeBig: bigint; maxTimeBig: bigint } {
  const info = JSON.parse(body) as InfoReply;
  const grab = (k: string, dflt: bigint) => {
    const m = new RegExp(`"${k}"\\s*:\\s*(-?\\d+)`).exec(body);
    return m ? BigInt(m[1]) : dflt;
  };
  return { ...info, minTimeBig: grab('minTime', MIN_TIME), maxTimeBig: grab('maxTime', MAX_TIME) };
}

async function runQuery(p: Parsed, log: Logger, servers: http.Server[]): Promise<void> {
  const v = (k: string) => p.values.get(k);
  const replicaLabels = p.lists.get('query.replica-label')!.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const queryTimeout = parseDuration(v('query.timeout')!);
  const unhealthyTimeout = parseDuration(v('store.unhealthy-timeout')!);
  const partialDefault = p.bools.get('query.partial-response')!;
  const staticEndpoints = ['endpoint', 'endpoint-strict', 'endpoint-group', 'endpoint-group-strict'].flatMap((k) => p.lists.get(k)!);
  const clientTls = p.bools.get('grpc-client-tls-secure')!;
  const tls = serverTls(p);
  const sdFile = v('endpoint.sd-config-file');
  const sdInline = v('endpoint.sd-config');
  const pollMs = Number(process.env.THANOS_STANDIN_ENDPOINT_POLL_MS) || 5000;

  log.info('starting query node (STAND-IN of Thanos ' + VERSION + ')', { replica_labels: replicaLabels.join(',') });

  const parseSd = (content: string, where: string): string[] => {
    let cfg: unknown;
    try {
      cfg = YAML.parse(content);
    } catch (e) {
      throw new Error(`unable to unmarshal config content: ${where}: ${(e as Error).message.split('\n')[0]}`);
    }
    if (cfg === null || cfg === undefined) return [];
    const eps = (cfg as { endpoints?: unknown }).endpoints;
    if (eps === undefined) return [];
    if (!Array.isArray(eps)) throw new Error(`unable to unmarshal config content: ${where}: endpoints is not a list`);
    return eps.map((e) => String((e as { address?: unknown }).address ?? ''));
  };
  let sdEndpoints: string[] = [];
  const readSd = (initial: boolean) => {
    try {
      if (sdFile) sdEndpoints = parseSd(readFileSync(sdFile, 'utf8'), sdFile);
      else if (sdInline) sdEndpoints = parseSd(sdInline, '<inline>');
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (initial) throw new Fatal(`unable to load config initially: unable to load config file: ${msg}`);
      log.error('failed to reload endpoint config', { err: msg });
    }
  };
  readSd(true);

  const states = new Map<string, EndpointState>();

  const specs = async (): Promise<string[]> => {
    readSd(false);
    const out: string[] = [];
    const seen = new Set<string>();
    for (const addr of [...sdEndpoints, ...staticEndpoints]) {
      let resolved: string[] = [addr];
      if (addr.startsWith('dnssrv+') || addr.startsWith('dnssrvnoa+')) {
        log.error('the Thanos stand-in does not support dnssrv+ endpoints', { addr });
        continue;
      }
      if (addr.startsWith('dns+')) {
        try {
          const { host, port } = splitHostPort(addr.slice(4));
          resolved = (await lookup(host, { all: true })).map((a) => (a.family === 6 ? `[${a.address}]:${port}` : `${a.address}:${port}`));
        } catch (e) {
          log.error('failed to resolve addresses for endpoints', { err: (e as Error).message, addr });
          continue;
        }
      }
      for (const r of resolved) {
        if (seen.has(r)) {
          log.warn('Duplicate endpoint address is provided', { addr: r });
          continue;
        }
        seen.add(r);
        out.push(r);
      }
    }
    return out;
  };

  const checkOne = async (addr: string): Promise<void> => {
    const st: EndpointState = states.get(addr) ?? {
      name: addr,
      componentType: null,
      lastCheck: null,
      lastError: null,
      labelSets: [],
      minTime: MIN_TIME,
      maxTime: MAX_TIME,
      lastOkAt: null,
    };
    states.set(addr, st);
    const wasHealthy = st.componentType !== null && st.lastError === null;
    try {
      let r: { status: number; body: string };
      try {
        r = await fetchText(`http://${addr}/info`, 5000);
      } catch (e) {
        throw new Error(`rpc error: code = Unavailable desc = connection error: ${netError(e)}`);
      }
      let info: ReturnType<typeof parseBigInts>;
      try {
        info = parseBigInts(r.body);
      } catch {
        throw new Error(`rpc error: code = Unavailable desc = not a (stand-in) StoreAPI: HTTP ${r.status} from GET /info`);
      }
      if (r.status !== 200 || info.standin !== PROTOCOL) {
        throw new Error(`rpc error: code = Unavailable desc = not a ready (stand-in) StoreAPI: HTTP ${r.status} from GET /info`);
      }
      // no real TLS between stand-ins: a mismatch fails as the gRPC handshake would
      if ((info.tls ?? false) !== clientTls) {
        throw new Error(
          clientTls
            ? 'rpc error: code = Unavailable desc = connection error: tls: first record does not look like a TLS handshake'
            : 'rpc error: code = Unavailable desc = connection closed before server preface received (endpoint serves TLS)',
        );
      }
      st.componentType = info.component ?? 'sidecar';
      st.labelSets = info.labelSets ?? [];
      st.minTime = info.minTimeBig;
      st.maxTime = info.maxTimeBig;
      st.lastError = null;
      st.lastOkAt = Date.now();
      if (!wasHealthy) {
        const lset = st.labelSets.map((l) => JSON.stringify(l)).join(',');
        log.info(`adding new ${st.componentType} with [storeEndpoints]`, { address: addr, extLset: lset });
        for (const other of states.values()) {
          if (other !== st && other.lastError === null && other.componentType === 'sidecar' && JSON.stringify(other.labelSets) === JSON.stringify(st.labelSets)) {
            log.warn('found duplicate storeAPI producer (sidecar or ruler). This is not advices as it will malform data in in the same bucket', {
              address: addr,
              extLset: lset,
            });
          }
        }
      }
    } catch (e) {
      st.lastError = (e as Error).message;
      if (wasHealthy) log.warn('update of endpoint failed', { address: addr, err: st.lastError });
      else if (st.componentType === null) log.debug('endpoint not reachable', { address: addr, err: st.lastError });
    }
    st.lastCheck = new Date().toISOString();
  };

  let polling = false;
  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      const want = await specs();
      // healthy endpoints are re-checked every pollMs (5 s); others every second, so a sidecar that
      // becomes ready shortly after the querier starts is listed within about a second
      const due = want.filter((a) => {
        const st = states.get(a);
        const ok = st !== undefined && st.componentType !== null && st.lastError === null;
        return !ok || st.lastCheck === null || Date.now() - Date.parse(st.lastCheck) >= pollMs - 500;
      });
      await Promise.all(due.map((a) => checkOne(a)));
      for (const [addr, st] of states) {
        if (!want.includes(addr)) {
          states.delete(addr);
          if (st.componentType) log.info("removing endpoint because it's unhealthy or does not exist", { address: addr });
        } else if (st.lastError !== null && st.lastOkAt !== null && Date.now() - st.lastOkAt > unhealthyTimeout) {
          st.componentType = null; // hidden from /api/v1/stores, like a cleaned-up store
        }
      }
    } finally {
      polling = false;
    }
  };

  const healthy = () =>
    [...states.values()].filter((s) => s.componentType !== null && s.lastError === null).sort((a, b) => (a.name < b.name ? -1 : 1));

  const fanOut = async (
    kind: 'query' | 'query_range',
    ps: URLSearchParams,
    dedup: boolean,
    labels: string[],
    partial: boolean,
  ): Promise<Reply> => {
    const q = ps.get('query');
    if (q === null || q === '') return promError(400, 'bad_data', 'invalid parameter "query": 1:1: parse error: no expression found in input');
    if (kind === 'query_range' && (!ps.get('start') || !ps.get('end') || !ps.get('step'))) {
      return promError(400, 'bad_data', 'invalid parameter "start"/"end"/"step": missing');
    }
    const fwd = new URLSearchParams();
    for (const k of ['query', 'time', 'start', 'end', 'step', 'timeout']) {
      const val = ps.get(k);
      if (val !== null) fwd.set(k, val);
    }
    const eps = healthy();
    const warnings: string[] = [];
    if (eps.length === 0) {
      return json(200, { status: 'success', data: { resultType: kind === 'query' ? 'vector' : 'matrix', result: [] }, warnings: ['No StoreAPIs matched for this query'] });
    }
    const answers = await Promise.all(
      eps.map(async (ep) => {
        try {
          const r = await fetchText(`http://${ep.name}/${kind}`, queryTimeout, {
            method: 'POST',
            body: fwd.toString(),
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          });
          return { ep, r, err: null as string | null };
        } catch (e) {
          return { ep, r: null, err: netError(e) };
        }
      }),
    );
    let resultType: string | null = null;
    const perStore: Series[][] = [];
    let scalar: unknown = null;
    for (const a of answers) {
      if (a.err !== null || a.r === null) {
        if (!partial) return promError(503, 'unavailable', `receive series from ${a.ep.name}: ${a.err}`);
        warnings.push(`receive series from ${a.ep.name}: ${a.err}`);
        continue;
      }
      let body: { status?: string; errorType?: string; error?: string; warnings?: string[]; data?: { resultType?: string; result?: unknown } };
      try {
        body = JSON.parse(a.r.body) as typeof body;
      } catch {
        warnings.push(`receive series from ${a.ep.name}: HTTP ${a.r.status}`);
        continue;
      }
      if (body.status !== 'success') {
        if (a.r.status === 400 || a.r.status === 422) return json(a.r.status, body); // bad PromQL: same everywhere
        if (!partial) return promError(503, 'unavailable', `receive series from ${a.ep.name}: ${body.error}`);
        warnings.push(`receive series from ${a.ep.name}: ${body.error ?? `HTTP ${a.r.status}`}`);
        continue;
      }
      for (const w of body.warnings ?? []) warnings.push(w);
      const rt = body.data?.resultType ?? 'vector';
      resultType ??= rt;
      if (rt === 'vector' || rt === 'matrix') perStore.push((body.data?.result as Series[]) ?? []);
      else scalar ??= body.data?.result;
    }
    if (resultType === null) {
      return promError(503, 'unavailable', `no store answered: ${warnings.join('; ')}`);
    }
    const result = resultType === 'vector' || resultType === 'matrix' ? mergeSeries(perStore, dedup ? labels : []) : scalar;
    const out: Record<string, unknown> = { status: 'success', data: { resultType, result } };
    if (warnings.length > 0) out.warnings = warnings;
    return json(200, out);
  };

  const truthy = (s: string | null, dflt: boolean) => (s === null || s === '' ? dflt : /^(1|t|true)$/i.test(s));

  const httpServer = await listen(v('http-address')!, async (req, url, body) => {
    switch (url.pathname) {
      case '/-/healthy':
        return text(200, 'thanos is healthy');
      case '/-/ready':
        return text(200, 'thanos is ready');
      case '/metrics': {
        const h = healthy();
        return text(
          200,
          [
            '# stand-in metrics (not the real Thanos set)',
            `thanos_build_info{branch="stand-in",revision="stand-in",version="${VERSION}"} 1`,
            ...h.map((s) => `thanos_store_nodes_grpc_connections{external_labels=${JSON.stringify(s.labelSets.map((l) => JSON.stringify(l)).join(','))},store_type="${s.componentType}"} 1`),
            '',
          ].join('\n'),
        );
      }
      case '/api/v1/stores': {
        const data: Record<string, unknown[]> = {};
        for (const s of [...states.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
          if (s.componentType === null) continue; // like Thanos: never-reached endpoints are not listed
          (data[s.componentType] ??= []).push({
            name: s.name,
            lastCheck: s.lastCheck,
            lastError: s.lastError,
            labelSets: s.labelSets,
            minTime: s.minTime,
            maxTime: s.maxTime,
          });
        }
        return jsonBig(200, { status: 'success', data });
      }
      case '/api/v1/standin/endpoints':
        // stand-in only: every configured endpoint, including never-reached ones, with its error
        return jsonBig(200, { status: 'success', data: [...states.values()] });
      case '/api/v1/query':
      case '/api/v1/query_range': {
        if (req.method !== 'GET' && req.method !== 'POST') return promError(405, 'bad_data', 'method not allowed');
        const ps = params(url, req, body);
        const dedup = truthy(ps.get('dedup'), true);
        const rl = [...ps.getAll('replicaLabels'), ...ps.getAll('replicaLabels[]')];
        return fanOut(
          url.pathname === '/api/v1/query' ? 'query' : 'query_range',
          ps,
          dedup,
          rl.length > 0 ? rl : replicaLabels,
          truthy(ps.get('partial_response'), partialDefault),
        );
      }
      default:
        if (url.pathname.startsWith('/api/v1/')) return promError(404, 'not_found', `the Thanos stand-in does not implement ${url.pathname}`);
        return notFound();
    }
  });
  servers.push(httpServer);
  log.info('listening for query and metrics', { address: v('http-address') });

  const grpcServer = await listen(v('grpc-address')!, async (req, url, body) => {
    switch (url.pathname) {
      case '/info': {
        const h = healthy();
        let min = MAX_TIME;
        let max = MIN_TIME;
        for (const s of h) {
          if (s.minTime < min) min = s.minTime;
          if (s.maxTime > max) max = s.maxTime;
        }
        const labelSets = h.flatMap((s) => s.labelSets);
        return jsonBig(200, {
          standin: PROTOCOL,
          component: 'query',
          tls,
          labels: {},
          labelSets,
          minTime: h.length ? min : MIN_TIME,
          maxTime: h.length ? max : MAX_TIME,
        });
      }
      case '/query':
      case '/query_range':
        return fanOut(url.pathname === '/query' ? 'query' : 'query_range', params(url, req, body), false, [], true);
      default:
        return notFound();
    }
  });
  servers.push(grpcServer);
  log.info('listening for serving gRPC (stand-in HTTP/JSON StoreAPI)', { address: v('grpc-address') });

  await poll();
  setInterval(() => void poll(), Math.min(1000, pollMs));
}
