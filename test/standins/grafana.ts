// STAND-IN for Grafana (datasource provisioning and a sliver of its HTTP API): NOT the real program.
// At start it reads every *.yaml / *.yml under <provisioning>/datasources/ (like Grafana, once: a
// changed file is only seen after a restart) and serves:
//   GET /api/health                    -> {"database":"ok","version":"stand-in",...}   (no auth)
//   GET /api/datasources               -> datasources loaded at start (basic auth, like Grafana)
//   GET /api/datasources/name/<name>   -> one datasource (basic auth)
//   GET /api/standin/info              -> {startedAt, pid, files} (stand-in only, no auth)
// Flags: --http-port=N, --http-addr=ADDR (default 0.0.0.0:3000). Environment as in the real image:
// GF_PATHS_PROVISIONING (default /etc/grafana/provisioning), GF_SERVER_HTTP_PORT, GF_SERVER_HTTP_ADDR,
// GF_SECURITY_ADMIN_USER / GF_SECURITY_ADMIN_PASSWORD (default admin/admin).
// A malformed provisioning file makes it exit 1, as Grafana fails to start on provisioning errors.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { json, listen, makeLogger, text } from './lib.ts';

export const GRAFANA_VERSION = '11.0.0-standin';

interface Datasource {
  id: number;
  uid: string;
  orgId: number;
  name: string;
  type: string;
  access: string;
  url: string;
  user: string;
  database: string;
  basicAuth: boolean;
  isDefault: boolean;
  jsonData: Record<string, unknown>;
  readOnly: boolean;
}

class ProvisioningError extends Error {}

/** Grafana interpolates $VAR / ${VAR} in provisioning values ($$ is a literal $). */
function interpolate(v: unknown): unknown {
  if (typeof v === 'string') {
    return v.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, a?: string, b?: string) =>
      m === '$$' ? '$' : (process.env[a ?? b ?? ''] ?? ''),
    );
  }
  if (Array.isArray(v)) return v.map(interpolate);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolate(x)]));
  return v;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function loadDatasources(dir: string): { datasources: Datasource[]; files: string[] } {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return { datasources: [], files: [] }; // Grafana: nothing to provision
    throw new ProvisioningError(`could not read ${dir}: ${err.code}`);
  }
  const files = names.filter((n) => /\.ya?ml$/.test(n)).sort();
  const byName = new Map<string, Datasource>();
  const defaults = new Map<number, number>();
  let nextId = 1;
  for (const f of files) {
    const path = join(dir, f);
    let src: string;
    try {
      src = readFileSync(path, 'utf8');
    } catch (e) {
      throw new ProvisioningError(`could not read ${path}: ${(e as NodeJS.ErrnoException).code}`);
    }
    const doc = YAML.parseDocument(src, { prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const line = src.slice(0, e.pos[0]).split('\n').length;
      throw new ProvisioningError(`could not parse provisioning file ${path}: yaml: line ${line}: ${e.message.split('\n')[0]}`);
    }
    const cfg = doc.toJS() as unknown;
    if (cfg === null || cfg === undefined) continue; // empty file
    if (!isMap(cfg)) throw new ProvisioningError(`could not parse provisioning file ${path}: not a mapping`);
    const apiVersion = cfg.apiVersion ?? 0;
    if (typeof apiVersion !== 'number' || ![0, 1].includes(apiVersion)) {
      throw new ProvisioningError(`${path}: unsupported apiVersion ${JSON.stringify(apiVersion)}`);
    }
    if (cfg.deleteDatasources !== undefined && !Array.isArray(cfg.deleteDatasources)) {
      throw new ProvisioningError(`${path}: deleteDatasources must be a list`);
    }
    for (const del of (cfg.deleteDatasources as unknown[] | undefined) ?? []) {
      if (isMap(del) && typeof del.name === 'string') byName.delete(del.name);
    }
    const list = cfg.datasources ?? [];
    if (!Array.isArray(list)) throw new ProvisioningError(`${path}: yaml: unmarshal errors: datasources is not a list`);
    for (const [i, raw] of list.entries()) {
      if (!isMap(raw)) throw new ProvisioningError(`${path}: datasources[${i}] is not a mapping`);
      const ds = interpolate(raw) as Record<string, unknown>;
      for (const k of ['name', 'type', 'url', 'access', 'uid', 'user', 'database']) {
        if (ds[k] !== undefined && ds[k] !== null && typeof ds[k] !== 'string') {
          throw new ProvisioningError(`${path}: datasources[${i}].${k}: cannot unmarshal ${typeof ds[k]} into string`);
        }
      }
      for (const k of ['isDefault', 'basicAuth', 'editable']) {
        if (ds[k] !== undefined && typeof ds[k] !== 'boolean') {
          throw new ProvisioningError(`${path}: datasources[${i}].${k}: cannot unmarshal ${JSON.stringify(ds[k])} into bool`);
        }
      }
      if (ds.jsonData !== undefined && ds.jsonData !== null && !isMap(ds.jsonData)) {
        throw new ProvisioningError(`${path}: datasources[${i}].jsonData is not a mapping`);
      }
      if (typeof ds.name !== 'string' || ds.name === '') throw new ProvisioningError(`${path}: datasources[${i}]: data source name is missing`);
      if (typeof ds.type !== 'string' || ds.type === '') throw new ProvisioningError(`${path}: datasource "${ds.name}": type is missing`);
      const orgId = typeof ds.orgId === 'number' && ds.orgId > 0 ? ds.orgId : 1;
      let access = (ds.access as string | undefined) ?? 'proxy';
      if (access !== 'proxy' && access !== 'direct') access = 'proxy';
      if (ds.isDefault === true) {
        const n = (defaults.get(orgId) ?? 0) + 1;
        defaults.set(orgId, n);
        if (n > 1) throw new ProvisioningError('datasource.yaml config is invalid. Only one datasource per organization can be marked as default');
      }
      const prev = byName.get(ds.name);
      byName.set(ds.name, {
        id: prev?.id ?? nextId++,
        uid: (ds.uid as string | undefined) ?? `standin-${ds.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
        orgId,
        name: ds.name,
        type: ds.type,
        access,
        url: (ds.url as string | undefined) ?? '',
        user: (ds.user as string | undefined) ?? '',
        database: (ds.database as string | undefined) ?? '',
        basicAuth: (ds.basicAuth as boolean | undefined) ?? false,
        isDefault: (ds.isDefault as boolean | undefined) ?? false,
        jsonData: (ds.jsonData as Record<string, unknown> | undefined) ?? {},
        readOnly: ds.editable !== true,
      });
    }
  }
  const datasources = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  return { datasources, files };
}

export async function main(argv: string[]): Promise<void> {
  let port = process.env.GF_SERVER_HTTP_PORT || '3000';
  let addr = process.env.GF_SERVER_HTTP_ADDR || '0.0.0.0';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--?(http-port|http-addr)(?:=(.*))?$/.exec(a);
    if (a === '-v' || a === '--version') {
      process.stdout.write(`Version ${GRAFANA_VERSION} (Grafana stand-in)\n`);
      return;
    }
    if (!m) {
      process.stderr.write(`flag provided but not defined: ${a}\nusage: grafana-standin [--http-port=3000] [--http-addr=0.0.0.0]\n`);
      process.exit(2);
    }
    const val = m[2] ?? argv[++i];
    if (val === undefined) {
      process.stderr.write(`flag needs an argument: ${a}\n`);
      process.exit(2);
    }
    if (m[1] === 'http-port') port = val;
    else addr = val;
  }
  if (!/^\d+$/.test(port) || Number(port) > 65535) {
    process.stderr.write(`invalid http port: ${port}\n`);
    process.exit(2);
  }
  const log = makeLogger('info', 'logfmt', { standin: 'grafana', logger: 'provisioning' });
  const provisioning = process.env.GF_PATHS_PROVISIONING || '/etc/grafana/provisioning';
  const dir = join(provisioning, 'datasources');
  let loaded: ReturnType<typeof loadDatasources>;
  try {
    loaded = loadDatasources(dir);
  } catch (e) {
    if (!(e instanceof ProvisioningError)) throw e;
    log.error('Failed to provision data sources', { error: e.message });
    process.stderr.write(`Grafana server (stand-in) failed to start: Datasource provisioning error: ${e.message}\n`);
    process.exit(1);
  }
  const { datasources, files } = loaded;
  log.info('inserting datasources from configuration', { count: datasources.length, dir, files: files.join(',') });
  const startedAt = new Date().toISOString();
  const user = process.env.GF_SECURITY_ADMIN_USER || 'admin';
  const pass = process.env.GF_SECURITY_ADMIN_PASSWORD || 'admin';
  const expectAuth = 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');

  const listenAddr = addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
  try {
    const srv = await listen(listenAddr, (req, url) => {
      if (url.pathname === '/api/health') {
        return json(200, { commit: 'standin', database: 'ok', version: GRAFANA_VERSION });
      }
      if (url.pathname === '/api/standin/info') return json(200, { startedAt, pid: process.pid, dir, files });
      if (url.pathname.startsWith('/api/')) {
        if (req.headers.authorization !== expectAuth) return json(401, { message: 'Unauthorized' });
        if (url.pathname === '/api/datasources' && req.method === 'GET') return json(200, datasources);
        const m = /^\/api\/datasources\/name\/(.+)$/.exec(url.pathname);
        if (m && req.method === 'GET') {
          const ds = datasources.find((d) => d.name === decodeURIComponent(m[1]));
          return ds ? json(200, ds) : json(404, { message: 'Data source not found' });
        }
        return json(404, { message: 'Not found (Grafana stand-in implements only /api/health and /api/datasources)' });
      }
      return text(404, 'Not found\n');
    });
    log.info('HTTP Server Listen', { address: listenAddr, protocol: 'http' });
    const stop = (sig: string) => {
      log.info('Shutdown started', { reason: `System signal: ${sig}` });
      srv.close();
      process.exit(0);
    };
    process.on('SIGTERM', () => stop('terminated'));
    process.on('SIGINT', () => stop('interrupt'));
  } catch (e) {
    log.error('Server shutdown', { error: (e as Error).message });
    process.exit(1);
  }
}
