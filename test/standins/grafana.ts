// STAND-IN for Grafana 12 (provisioning and a sliver of its HTTP API): NOT the real program.
// It is what runs in the lab as docker.io/grafana/grafana:12.2.0, started by Scylla Monitoring's own
// start-grafana.sh. At start it reads, once (a changed file is only seen after a restart):
//   <provisioning>/datasources/*.yaml|*.yml  datasources (a malformed file: exit 1, as Grafana fails)
//   <provisioning>/dashboards/*.yaml|*.yml   dashboard providers (type file, options.path: *.json
//                                            below it, as dashboards in the provider's folder)
// and serves (auth as Grafana, see `identify`):
//   GET  /api/health                        {"database":"ok","version":"12.2.0","commit":"stand-in"} (no auth)
//   GET  /api/org                           {"id":1,"name":"Main Org.",...}            (any signed-in role)
//   GET  /api/search                        folders and dashboards (query, type, tag, folderUIDs, limit)
//   GET  /api/datasources, /api/datasources/name/<name>                                (Admin)
//   POST /api/datasources                   adds one (in memory, as load-grafana.sh does)  (Admin)
//   POST /api/dashboards/db                 adds/overwrites a dashboard (in memory)       (Editor, Admin)
//   POST /api/folders/<uid>/permissions     accepted for an existing folder               (Admin)
//   GET  /api/standin/info                  {startedAt, pid, dir, files} (stand-in only, no auth)
// Flags: --http-port=N, --http-addr=ADDR (stand-in only; default 0.0.0.0:3000). Environment as in
// the real image: GF_PATHS_PROVISIONING (the image sets /etc/grafana/provisioning),
// GF_SERVER_HTTP_PORT, GF_SERVER_HTTP_ADDR, GF_SECURITY_ADMIN_USER / _PASSWORD (admin/admin),
// GF_AUTH_BASIC_ENABLED (true), GF_AUTH_ANONYMOUS_ENABLED (false), GF_AUTH_ANONYMOUS_ORG_ROLE
// (Viewer). As in Grafana (pkg/setting applyEnvVariableOverrides: `if len(envValue) > 0`), a GF_*
// variable set to the EMPTY string is no override: `-e GF_SECURITY_ADMIN_PASSWORD=` leaves the
// password at its default "admin". Every other GF_* variable (GF_DATABASE_WAL,
// GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH, GF_PANELS_*, GF_ANALYTICS_*, ...) is accepted and
// has no effect here (it changes UI, telemetry or storage details the stand-in does not have).
// No database: the admin password is the configured one at every start (real Grafana sets it only
// when it creates its database, so with a persistent /var/lib/grafana a later change is ignored).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type http from 'node:http';
import { join } from 'node:path';
import YAML from 'yaml';
import { type Logger, type Reply, json, listen, makeLogger, text } from './lib.ts';

/** GRAFANA_VERSION of Scylla Monitoring 4.12.1 (versions.sh) */
export const GRAFANA_VERSION = '12.2.0';

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

/** One provisioning YAML file as a map; undefined when empty. Throws as Grafana fails on it. */
function readProvisioningFile(path: string): Record<string, unknown> | undefined {
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
  if (cfg === null || cfg === undefined) return undefined;
  if (!isMap(cfg)) throw new ProvisioningError(`could not parse provisioning file ${path}: not a mapping`);
  return cfg;
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
    const cfg = readProvisioningFile(path);
    if (cfg === undefined) continue; // empty file
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
      // A key written without a value (`isDefault:`) is YAML null, which Go's yaml leaves at the
      // zero value: Scylla's datasource.yml has such keys (user, password, database, basicAuth,
      // isDefault), and Grafana accepts them. So null is "not given" for every key.
      for (const k of Object.keys(ds)) if (ds[k] === null) delete ds[k];
      for (const k of ['password', 'typeLogoUrl']) {
        if (ds[k] !== undefined && typeof ds[k] !== 'string') {
          throw new ProvisioningError(`${path}: datasources[${i}].${k}: cannot unmarshal ${typeof ds[k]} into string`);
        }
      }
      if (ds.orgId !== undefined && !Number.isInteger(ds.orgId)) {
        throw new ProvisioningError(`${path}: datasources[${i}].orgId: cannot unmarshal ${JSON.stringify(ds.orgId)} into int64`);
      }
      if (ds.secureJsonData !== undefined && !isMap(ds.secureJsonData)) {
        throw new ProvisioningError(`${path}: datasources[${i}].secureJsonData is not a mapping`);
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

// ---------------------------------------------------------------------------------------------
// dashboards

interface Folder {
  id: number;
  uid: string;
  title: string;
}
interface Dashboard {
  id: number;
  uid: string;
  title: string;
  tags: string[];
  folderUid: string; // '' = General
  version: number;
  json: Record<string, unknown>;
}

const slug = (t: string) =>
  t
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
const shortUid = (seed: string) => createHash('sha256').update(seed).digest('base64url').slice(0, 14);

function jsonFilesBelow(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory() || (e.isSymbolicLink() && statSync(p).isDirectory())) out.push(...jsonFilesBelow(p));
    else if (e.name.endsWith('.json')) out.push(p);
  }
  return out.sort();
}

/**
 * Dashboard providers as Grafana reads them at start: a YAML error or a wrong shape fails the start
 * (exit 1); a provider path that cannot be read, or a dashboard file that is not JSON, is logged
 * and skipped (Grafana logs and goes on). Only `type: file` providers (the default) are read.
 */
export function loadDashboards(dir: string, log: Logger): { folders: Folder[]; dashboards: Dashboard[]; files: string[] } {
  const folders: Folder[] = [];
  const dashboards: Dashboard[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return { folders, dashboards, files: [] };
    throw new ProvisioningError(`could not read ${dir}: ${err.code}`);
  }
  const files = names.filter((n) => /\.ya?ml$/.test(n)).sort();
  for (const f of files) {
    const path = join(dir, f);
    const cfg = readProvisioningFile(path);
    if (cfg === undefined) continue; // empty file
    const providers = cfg.providers ?? [];
    if (!Array.isArray(providers)) throw new ProvisioningError(`${path}: yaml: unmarshal errors: providers is not a list`);
    for (const [i, raw] of providers.entries()) {
      if (!isMap(raw)) throw new ProvisioningError(`${path}: providers[${i}] is not a mapping`);
      const pr = interpolate(raw) as Record<string, unknown>;
      for (const k of Object.keys(pr)) if (pr[k] === null) delete pr[k];
      if ((pr.type ?? 'file') !== 'file') continue;
      const opts = isMap(pr.options) ? pr.options : {};
      const dashPath = typeof opts.path === 'string' ? opts.path : '';
      let folderUid = '';
      const folderTitle = typeof pr.folder === 'string' ? pr.folder : '';
      if (folderTitle !== '') {
        const existing = folders.find((x) => x.title === folderTitle);
        folderUid = existing?.uid ?? (typeof pr.folderUid === 'string' && pr.folderUid !== '' ? pr.folderUid : shortUid(`folder:${folderTitle}`));
        if (!existing) folders.push({ id: folders.length + 1, uid: folderUid, title: folderTitle });
      }
      let jsonFiles: string[];
      try {
        jsonFiles = jsonFilesBelow(dashPath);
      } catch (e) {
        log.error('Cannot read directory', { logger: 'provisioning.dashboard', path: dashPath, error: (e as NodeJS.ErrnoException).code ?? String(e) });
        continue;
      }
      for (const jf of jsonFiles) {
        let d: unknown;
        try {
          d = JSON.parse(readFileSync(jf, 'utf8'));
        } catch (e) {
          log.error('failed to load dashboard from', { logger: 'provisioning.dashboard', file: jf, error: (e as Error).message });
          continue;
        }
        if (!isMap(d)) continue;
        const title = typeof d.title === 'string' ? d.title : '';
        if (title === '') {
          log.error('failed to load dashboard from', { logger: 'provisioning.dashboard', file: jf, error: 'Dashboard title cannot be empty' });
          continue;
        }
        const uid = typeof d.uid === 'string' && d.uid !== '' ? d.uid : shortUid(`dash:${jf}`);
        if (dashboards.some((x) => x.uid === uid)) {
          log.warn('the same UID is used more than once', { logger: 'provisioning.dashboard', uid, file: jf });
          continue;
        }
        dashboards.push({ id: folders.length + dashboards.length + 1000, uid, title, tags: Array.isArray(d.tags) ? d.tags.map(String) : [], folderUid, version: 1, json: d });
      }
    }
  }
  return { folders, dashboards, files };
}

// ---------------------------------------------------------------------------------------------
// auth, as Grafana 12's authn service: clients are tried in order; basic auth (when enabled and a
// Basic header is sent) and, when it fails or is absent, anonymous (when enabled). A failed basic
// login thus still gets the anonymous role when anonymous access is on (authn falls through to the
// next client), and basic credentials are not even looked at when basic auth is disabled.

type Role = 'Admin' | 'Editor' | 'Viewer';
const RANK: Record<Role, number> = { Viewer: 1, Editor: 2, Admin: 3 };

/** GF_* variable as Grafana applies it: unset or empty = the default. */
const gf = (name: string, dflt: string): string => {
  const v = process.env[name];
  return v !== undefined && v.length > 0 ? v : dflt;
};
const gfBool = (name: string, dflt: boolean): boolean => {
  const v = gf(name, String(dflt)).toLowerCase();
  return v === 'true' || v === '1' || v === 'yes' || v === 'on';
};

// ---------------------------------------------------------------------------------------------

export async function main(argv: string[]): Promise<void> {
  let port = gf('GF_SERVER_HTTP_PORT', '3000');
  let addr = gf('GF_SERVER_HTTP_ADDR', '0.0.0.0');
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
  const provisioning = gf('GF_PATHS_PROVISIONING', '/etc/grafana/provisioning');
  const dir = join(provisioning, 'datasources');
  let loaded: ReturnType<typeof loadDatasources>;
  let dash: ReturnType<typeof loadDashboards>;
  try {
    loaded = loadDatasources(dir);
    dash = loadDashboards(join(provisioning, 'dashboards'), log);
  } catch (e) {
    if (!(e instanceof ProvisioningError)) throw e;
    log.error('Failed to provision', { error: e.message });
    process.stderr.write(`Grafana server (stand-in) failed to start: provisioning error: ${e.message}\n`);
    process.exit(1);
  }
  const { files } = loaded;
  const datasources = [...loaded.datasources];
  const { folders, dashboards } = dash;
  log.info('inserting datasources from configuration', { count: datasources.length, dir, files: files.join(',') });
  log.info('dashboards provisioned', { folders: folders.length, dashboards: dashboards.length, files: dash.files.join(',') });
  const startedAt = new Date().toISOString();

  const adminUser = gf('GF_SECURITY_ADMIN_USER', 'admin');
  const adminPass = gf('GF_SECURITY_ADMIN_PASSWORD', 'admin');
  const basicEnabled = gfBool('GF_AUTH_BASIC_ENABLED', true);
  const anonEnabled = gfBool('GF_AUTH_ANONYMOUS_ENABLED', false);
  const anonRoleRaw = gf('GF_AUTH_ANONYMOUS_ORG_ROLE', 'Viewer');
  const anonRole: Role = (['Admin', 'Editor', 'Viewer'] as const).find((r) => r === anonRoleRaw) ?? 'Viewer';
  const expectAuth = 'Basic ' + Buffer.from(`${adminUser}:${adminPass}`).toString('base64');
  const identify = (req: http.IncomingMessage): Role | null => {
    const h = req.headers.authorization ?? '';
    if (basicEnabled && h.startsWith('Basic ') && h === expectAuth) return 'Admin';
    if (anonEnabled) return anonRole;
    return null;
  };
  const ORG = { id: 1, name: 'Main Org.', address: { address1: '', address2: '', city: '', zipCode: '', state: '', country: '' } };

  const folderHit = (f: Folder) => ({
    id: f.id,
    uid: f.uid,
    orgId: 1,
    title: f.title,
    uri: `db/${slug(f.title)}`,
    url: `/dashboards/f/${f.uid}/${slug(f.title)}`,
    slug: '',
    type: 'dash-folder',
    tags: [],
    isStarred: false,
    sortMeta: 0,
  });
  const dashHit = (d: Dashboard) => {
    const f = folders.find((x) => x.uid === d.folderUid);
    return {
      id: d.id,
      uid: d.uid,
      orgId: 1,
      title: d.title,
      uri: `db/${slug(d.title)}`,
      url: `/d/${d.uid}/${slug(d.title)}`,
      slug: '',
      type: 'dash-db',
      tags: d.tags,
      isStarred: false,
      ...(f ? { folderId: f.id, folderUid: f.uid, folderTitle: f.title, folderUrl: `/dashboards/f/${f.uid}/${slug(f.title)}` } : {}),
      sortMeta: 0,
    };
  };
  const parseBody = (body: string): Record<string, unknown> | null => {
    try {
      const v = JSON.parse(body) as unknown;
      return isMap(v) ? v : null;
    } catch {
      return null;
    }
  };

  const api = (req: http.IncomingMessage, url: URL, body: string, role: Role): Reply => {
    const need = (r: Role): Reply | null => (RANK[role] >= RANK[r] ? null : json(403, { message: 'You\'ll need additional permissions to perform this action.', accessErrorId: 'ACE0000000001' }));
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/api/org' && req.method === 'GET') return json(200, ORG);
    if (path === '/api/search' && req.method === 'GET') {
      const q = (url.searchParams.get('query') ?? '').toLowerCase();
      const type = url.searchParams.get('type');
      const tags = url.searchParams.getAll('tag');
      const inFolders = url.searchParams.getAll('folderUIDs').flatMap((x) => x.split(','));
      const limit = Number(url.searchParams.get('limit')) || 1000;
      const hits = [
        ...(type === null || type === 'dash-folder' ? folders.filter((f) => tags.length === 0).map(folderHit) : []),
        ...(type === null || type === 'dash-db' ? dashboards.filter((d) => tags.every((t) => d.tags.includes(t))).map(dashHit) : []),
      ]
        .filter((h) => h.title.toLowerCase().includes(q))
        .filter((h) => inFolders.length === 0 || inFolders.includes((h as { folderUid?: string }).folderUid ?? 'general'))
        .sort((a, b) => (a.type === b.type ? a.title.localeCompare(b.title) : a.type === 'dash-folder' ? -1 : 1));
      return json(200, hits.slice(0, limit));
    }
    if (path === '/api/datasources' && req.method === 'GET') return need('Admin') ?? json(200, datasources);
    const byName = /^\/api\/datasources\/name\/(.+)$/.exec(path);
    if (byName && req.method === 'GET') {
      const ds = datasources.find((d) => d.name === decodeURIComponent(byName[1]));
      return need('Admin') ?? (ds ? json(200, ds) : json(404, { message: 'Data source not found' }));
    }
    if (path === '/api/datasources' && req.method === 'POST') {
      const denied = need('Admin');
      if (denied) return denied;
      const b = parseBody(body);
      if (!b || typeof b.name !== 'string' || b.name === '' || typeof b.type !== 'string' || b.type === '') return json(400, { message: 'bad request data' });
      if (datasources.some((d) => d.name === b.name)) return json(409, { message: 'data source with the same name already exists' });
      const ds: Datasource = {
        id: Math.max(0, ...datasources.map((d) => d.id)) + 1,
        uid: typeof b.uid === 'string' && b.uid !== '' ? b.uid : shortUid(`ds:${b.name}`),
        orgId: 1,
        name: b.name,
        type: b.type,
        access: b.access === 'direct' ? 'direct' : 'proxy',
        url: typeof b.url === 'string' ? b.url : '',
        user: typeof b.user === 'string' ? b.user : '',
        database: typeof b.database === 'string' ? b.database : '',
        basicAuth: b.basicAuth === true,
        isDefault: b.isDefault === true && !datasources.some((d) => d.isDefault),
        jsonData: isMap(b.jsonData) ? b.jsonData : {},
        readOnly: false,
      };
      datasources.push(ds);
      datasources.sort((x, y) => x.name.localeCompare(y.name));
      return json(200, { datasource: ds, id: ds.id, message: 'Datasource added', name: ds.name });
    }
    if (path === '/api/dashboards/db' && req.method === 'POST') {
      const denied = need('Editor');
      if (denied) return denied;
      const b = parseBody(body);
      const d = b && isMap(b.dashboard) ? b.dashboard : null;
      if (!b || !d) return json(400, { message: 'bad request data' });
      const title = typeof d.title === 'string' ? d.title : '';
      if (title === '') return json(400, { message: 'Dashboard title cannot be empty', status: 'empty-name' });
      const folderUid = typeof b.folderUid === 'string' ? b.folderUid : '';
      if (folderUid !== '' && !folders.some((f) => f.uid === folderUid)) return json(400, { message: 'folder not found', status: 'not-found' });
      const uid = typeof d.uid === 'string' && d.uid !== '' ? d.uid : shortUid(`dash:${title}:${Date.now()}`);
      const prev = dashboards.find((x) => x.uid === uid) ?? dashboards.find((x) => x.title === title && x.folderUid === folderUid);
      if (prev && b.overwrite !== true) {
        const sameUid = prev.uid === uid;
        return json(412, {
          message: sameUid ? 'A dashboard with the same uid already exists' : 'A dashboard with the same name in the folder already exists',
          status: sameUid ? 'version-mismatch' : 'name-exists',
        });
      }
      const entry: Dashboard = prev
        ? Object.assign(prev, { title, uid, folderUid, json: d, version: prev.version + 1, tags: Array.isArray(d.tags) ? d.tags.map(String) : [] })
        : { id: 1000 + folders.length + dashboards.length + 1, uid, title, folderUid, json: d, version: 1, tags: Array.isArray(d.tags) ? d.tags.map(String) : [] };
      if (!prev) dashboards.push(entry);
      return json(200, { id: entry.id, uid: entry.uid, url: `/d/${entry.uid}/${slug(title)}`, status: 'success', version: entry.version, slug: slug(title) });
    }
    const perm = /^\/api\/folders\/([^/]*)\/permissions$/.exec(path);
    if (perm && req.method === 'POST') {
      const denied = need('Admin');
      if (denied) return denied;
      if (!folders.some((f) => f.uid === decodeURIComponent(perm[1]))) return json(404, { message: 'Folder not found', status: 'not-found' });
      const b = parseBody(body);
      if (!b || !Array.isArray(b.items)) return json(400, { message: 'bad request data' });
      return json(200, { message: 'Folder permissions updated' });
    }
    return json(404, { message: 'Not found (the Grafana stand-in implements only part of the API: see test/standins/grafana.ts)' });
  };

  const listenAddr = addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
  try {
    const srv = await listen(listenAddr, (req, url, body) => {
      if (url.pathname === '/api/health') {
        return json(200, { database: 'ok', version: GRAFANA_VERSION, commit: 'stand-in' });
      }
      if (url.pathname === '/api/standin/info') return json(200, { startedAt, pid: process.pid, dir, files });
      if (url.pathname.startsWith('/api/')) {
        const role = identify(req);
        if (role === null) return json(401, { message: 'Unauthorized', messageId: 'auth.unauthorized', statusCode: 401 });
        return api(req, url, body, role);
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
