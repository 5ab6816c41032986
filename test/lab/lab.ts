// The lab: real SSH hosts on this one machine, for skiff's integration tests and benchmarks.
//
//   default mode: monitoring 10.213.0.10, prom1..3 10.213.0.11-13, each with podman and a
//                 Prometheus container `aprom` as Scylla Monitoring runs it (+ Grafana stand-in
//                 `agraf` on monitoring when the stand-in images exist)
//   plain mode:   labUp({ plain: N }) replaces them with node1..nodeN (sshd only), for scale benchmarks
//
// Each host = netns `skiff-<name>` + private mount/UTS namespaces + sshd; see host.ts. Everything
// is found again by its own names (netns skiff-*, links sk-*, bridge skiffbr0) and pid files.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import {
  BRIDGE,
  DEFAULT_HOSTS,
  GRAFANA_STANDIN_IMAGE,
  HOSTS_DIR,
  KEY_FILE,
  KNOWN_HOSTS_FILE,
  LAB_DIR,
  STANDINS_BUILD,
  STATE_FILE,
  type HostSpec,
  hostDir,
  netnsName,
  plainHosts,
} from './config.ts';
import { anchorPid, hostPaths, prepareHostDir, sshBanner, sshdPid, startHost } from './host.ts';
import { buildPrometheusTar, buildStandinTars, importImage, type ImageTar } from './images.ts';
import { createHostLinks, ensureBridge, labNetnsNames } from './net.ts';
import { pool, run, waitFor } from './proc.ts';
import { MONITORING_HOST, httpStatus, runAgraf, runAprom, waitHttp200, writeServiceFiles } from './services.ts';
import { ensureClientKey, ensurePackages, exclusive, labCanStart } from './setup.ts';
import { teardown } from './teardown.ts';

export { labCanStart } from './setup.ts';
export { LAB_DIR } from './config.ts';
export { labExec, sshdPid, sshdStartCommand, hostPaths } from './host.ts';
export { LAB_PROMETHEUS_YML, DATASOURCE_TEMPLATE, APROM_RUN, AGRAF_RUN } from './services.ts';

export interface LabHost {
  name: string;
  address: string;
  netns: string;
  /** state dir of the host, in the root namespace: <repo>/.lab/hosts/<name> */
  dir: string;
}

export interface Lab {
  hosts: LabHost[];
  keyFile: string;
  knownHostsFile: string;
  stateDir: string;
  /** 'default' (monitoring + prom1..3 with podman) or 'plain' (node1..N, sshd only) */
  mode: 'default' | 'plain';
  /** images imported into every podman host, e.g. localhost/prometheus:lab and the stand-ins */
  images: string[];
}

export interface LabUpOptions {
  /** N plain hosts node1..nodeN (sshd only) instead of the default hosts */
  plain?: number;
  /** always tear down and rebuild, even if a healthy lab of the same shape is up */
  fresh?: boolean;
  /** progress lines; default: stderr */
  log?: (line: string) => void;
}

interface LabState {
  version: 1;
  labDir: string;
  mode: 'default' | 'plain';
  hosts: HostSpec[];
  images: string[];
  /** whether test/standins/build.ts existed when the lab was built (if it appears later: rebuild) */
  standinsBuilt: boolean;
  upAt: string;
  upSeconds: number;
}

const defaultLog = (line: string) => process.stderr.write(`[lab] ${line}\n`);
const PARALLEL = 20;

// ---------------------------------------------------------------------------------------------
// state

function readState(): LabState | undefined {
  try {
    const s = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as LabState;
    return s.version === 1 && s.labDir === LAB_DIR ? s : undefined;
  } catch {
    return undefined;
  }
}

function toLab(s: LabState): Lab {
  return {
    hosts: s.hosts.map((h) => ({ name: h.name, address: h.address, netns: netnsName(h.name), dir: hostDir(h.name) })),
    keyFile: KEY_FILE,
    knownHostsFile: KNOWN_HOSTS_FILE,
    stateDir: LAB_DIR,
    mode: s.mode,
    images: s.images,
  };
}

/** Per-host health problems of a lab described by `s` ([] = healthy). */
async function problems(s: LabState): Promise<string[]> {
  const out: string[] = [];
  if (!existsSync(KEY_FILE) || !existsSync(KNOWN_HOSTS_FILE)) out.push('client key or known_hosts missing');
  if ((await run(['ip', 'link', 'show', BRIDGE])).code !== 0) out.push(`bridge ${BRIDGE} missing`);
  if (s.mode === 'default' && existsSync(STANDINS_BUILD) && !s.standinsBuilt) out.push('stand-in images appeared since the lab was built');
  const perHost = await pool(s.hosts, 50, async (h) => {
    const p: string[] = [];
    if (anchorPid(h.name) === undefined) p.push(`${h.name}: anchor process gone`);
    if (sshdPid(h.name) === undefined) p.push(`${h.name}: sshd not running`);
    else if (!(await sshBanner(h.address))) p.push(`${h.name}: no SSH banner on ${h.address}:22`);
    if (h.podman && (await httpStatus(`http://${h.address}:9090/-/ready`)) !== 200) p.push(`${h.name}: aprom not ready on :9090`);
    if (h.name === MONITORING_HOST && s.images.includes(GRAFANA_STANDIN_IMAGE) && (await httpStatus(`http://${h.address}:3000/api/health`)) === undefined) {
      p.push(`${h.name}: agraf not answering on :3000`);
    }
    return p;
  });
  return out.concat(perHost.flat());
}

// ---------------------------------------------------------------------------------------------
// up

export function labUp(opts: LabUpOptions = {}): Promise<Lab> {
  return exclusive(() => up(opts));
}

async function up(opts: LabUpOptions): Promise<Lab> {
  const log = opts.log ?? defaultLog;
  const mode: LabState['mode'] = opts.plain ? 'plain' : 'default';
  const specs = opts.plain ? plainHosts(opts.plain) : DEFAULT_HOSTS;

  // fast path: the same lab is up and every host answers
  const prev = readState();
  if (!opts.fresh && prev && prev.mode === mode && prev.hosts.length === specs.length) {
    const bad = await problems(prev);
    if (!bad.length) return toLab(prev);
    log(`lab is up but unhealthy, rebuilding: ${bad.slice(0, 5).join('; ')}${bad.length > 5 ? ` (+${bad.length - 5} more)` : ''}`);
  }

  const t0 = Date.now();
  const can = await labCanStart();
  if (!can.ok) throw new Error(`lab cannot start here: ${can.reason}`);
  await ensurePackages(log);
  await teardown(log);
  const pubKey = await ensureClientKey();

  // images are built while the hosts start (the stand-ins may take a while)
  const podmanHosts = specs.filter((h) => h.podman);
  const imagesP = podmanHosts.length
    ? Promise.all([buildPrometheusTar(), buildStandinTars(log)]).then(([prom, standins]) => [prom, ...standins])
    : Promise.resolve([] as ImageTar[]);
  imagesP.catch(() => {}); // awaited below; avoid an unhandled rejection meanwhile

  log(`starting ${specs.length} ${mode} host(s) ...`);
  mkdirSync(HOSTS_DIR, { recursive: true });
  await ensureBridge();
  await pool(specs, PARALLEL, async (h) => {
    await prepareHostDir(h, pubKey);
    if (h.podman) writeServiceFiles(h);
  });
  await createHostLinks(specs.map((h) => h.name));
  let started = 0;
  await pool(specs, PARALLEL, async (h) => {
    await startHost(h);
    started++;
    if (specs.length > 10 && (started % 20 === 0 || started === specs.length)) log(`  sshd up on ${started}/${specs.length} hosts`);
  });
  writeKnownHosts(specs);
  await pool(specs, 50, (h) =>
    waitFor(`SSH banner of ${h.name} (${h.address}:22)`, () => sshBanner(h.address), { timeoutMs: 15_000, intervalMs: 100 }),
  );
  log(`sshd answers on all ${specs.length} hosts (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

  let images: string[] = [];
  if (podmanHosts.length) {
    const tars = await imagesP;
    images = tars.map((t) => t.image);
    log(`importing ${images.join(', ')} into ${podmanHosts.map((h) => h.name).join(', ')} ...`);
    await pool(podmanHosts, PARALLEL, async (h) => {
      // Prometheus first: it starts up while the stand-ins are imported
      await importImage(h.name, tars[0]);
      await runAprom(h.name);
      for (const t of tars.slice(1)) await importImage(h.name, t);
      if (h.name === MONITORING_HOST && images.includes(GRAFANA_STANDIN_IMAGE)) await runAgraf(h.name);
    });
    await pool(podmanHosts, PARALLEL, (h) => waitHttp200(`http://${h.address}:9090/-/ready`, 30_000));
    const mon = podmanHosts.find((h) => h.name === MONITORING_HOST);
    if (mon && images.includes(GRAFANA_STANDIN_IMAGE)) {
      await waitHttp200(`http://${mon.address}:3000/api/health`, 30_000);
    }
    log('aprom ready on every podman host');
  }

  const state: LabState = {
    version: 1,
    labDir: LAB_DIR,
    mode,
    hosts: specs,
    images,
    standinsBuilt: existsSync(STANDINS_BUILD),
    upAt: new Date().toISOString(),
    upSeconds: (Date.now() - t0) / 1000,
  };
  writeFileSync(STATE_FILE, JSON.stringify(state, null, 2) + '\n');
  log(`lab up in ${state.upSeconds.toFixed(1)} s`);
  return toLab(state);
}

function writeKnownHosts(specs: HostSpec[]): void {
  const lines = specs.map((h) => {
    const [type, key] = readFileSync(`${hostPaths(h.name).hostKey}.pub`, 'utf8').trim().split(/\s+/);
    return `${h.address} ${type} ${key}`;
  });
  writeFileSync(KNOWN_HOSTS_FILE, lines.join('\n') + '\n');
}

// ---------------------------------------------------------------------------------------------
// down

export function labDown(opts: { log?: (line: string) => void } = {}): Promise<void> {
  return exclusive(() => teardown(opts.log ?? defaultLog));
}

// ---------------------------------------------------------------------------------------------
// status

export async function labStatus(): Promise<string> {
  const s = readState();
  const netns = labNetnsNames();
  const lines: string[] = [];
  if (!s) {
    lines.push(`lab: down (no ${STATE_FILE})`);
    if (netns.length) lines.push(`leftover namespaces (removed by the next up/down): ${netns.join(' ')}`);
    return lines.join('\n');
  }
  const bad = await problems(s);
  const kind = s.mode === 'plain' ? `plain mode: ${s.hosts.length} sshd-only hosts` : `default mode: ${s.hosts.length} podman hosts`;
  lines.push(`lab: ${bad.length ? 'UNHEALTHY' : 'up'} (${kind}), up since ${s.upAt} (took ${s.upSeconds.toFixed(1)} s)`);
  lines.push(`state dir: ${LAB_DIR}`);
  lines.push(`ssh: ssh -i ${KEY_FILE} -o UserKnownHostsFile=${KNOWN_HOSTS_FILE} -o StrictHostKeyChecking=yes root@ADDRESS`);
  if (s.images.length) lines.push(`images: ${s.images.join(', ')}`);
  const shown = s.hosts.length > 12 ? [...s.hosts.slice(0, 5), ...s.hosts.slice(-2)] : s.hosts;
  for (const h of shown) {
    const sshd = sshdPid(h.name);
    lines.push(`  ${h.name.padEnd(11)} ${h.address.padEnd(13)} netns ${netnsName(h.name).padEnd(17)} sshd ${sshd ?? '-'}`);
    if (shown.length !== s.hosts.length && h === shown[4]) lines.push(`  ... ${s.hosts.length - 7} more`);
  }
  if (bad.length) lines.push('problems:', ...bad.map((b) => `  ${b}`));
  const extra = netns.filter((n) => !s.hosts.some((h) => netnsName(h.name) === n));
  if (extra.length) lines.push(`leftover namespaces: ${extra.join(' ')}`);
  return lines.join('\n');
}

