// The lab: real SSH hosts on this one machine, for skiff's integration tests and benchmarks.
//
//   default mode: monitoring 10.213.0.10, prom1..3 10.213.0.11-13, each a Scylla Monitoring host:
//                 its own Docker engine, a node exporter, and the real Scylla Monitoring release
//                 started by its own start-all.sh (aprom: Prometheus 3, agraf: Grafana stand-in)
//   plain mode:   labUp({ plain: N }) replaces them with node1..nodeN (sshd only), for scale benchmarks
//
// Each host = netns `skiff-<name>` + private mount/UTS namespaces + sshd; see host.ts. Everything
// is found again by its own names (netns skiff-*, links sk-*, bridge skiffbr0) and pid files.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import {
  BRIDGE,
  DEFAULT_HOSTS,
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
import { anchorPid, asOperator, dockerdPid, hostPaths, labExec, prepareHostDir, sshBanner, sshdPid, startHost } from './host.ts';
import { buildPrometheusTar, buildStandinTars, importImage, type ImageTar } from './images.ts';
import { createHostLinks, ensureBridge, labNetnsNames } from './net.ts';
import { pool, run, waitFor } from './proc.ts';
import { httpStatus, runStartAll, waitHttp200, writeServiceFiles } from './services.ts';
import { upstreamImages, upstreamPresent } from './upstream.ts';
import { ensureClientKey, ensurePackages, exclusive, labCanStart } from './setup.ts';
import { teardown } from './teardown.ts';

export { labCanStart } from './setup.ts';
export { LAB_DIR } from './config.ts';
export { DOCKERD_START, asOperator, dockerdPid, labExec, sshdPid, sshdStartCommand, hostPaths } from './host.ts';
export { startAllCommand, startAllArgs, killAllCommand, TARGETS_FILE } from './services.ts';
export { DEFAULT_HOSTS, SCYLLA_DIR, type HostSpec } from './config.ts';

export interface LabHost {
  name: string;
  address: string;
  netns: string;
  /** state dir of the host, in the root namespace: <repo>/.lab/hosts/<name> */
  dir: string;
  /** the account to log in as: the host's operator (HostSpec.user), else root */
  user: string;
  /** the spec it was made from (engine, start-all.sh options, operator) */
  spec: HostSpec;
}

export interface Lab {
  hosts: LabHost[];
  keyFile: string;
  knownHostsFile: string;
  stateDir: string;
  /** 'default' (monitoring + prom1..3, Scylla Monitoring on Docker) or 'plain' (node1..N, sshd only) */
  mode: 'default' | 'plain';
  /** images imported into every Scylla Monitoring host, under the names versions.sh pins */
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
  version: 2;
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

/** Waits (bounded) until the host's container engine answers. */
async function waitEngine(h: HostSpec): Promise<void> {
  await waitFor(
    `${h.engine} on ${h.name} (see ${hostPaths(h.name).dockerdLog})`,
    async () => (await labExec(h.name, asOperator(h, `${h.engine} info >/dev/null 2>&1`), { timeoutMs: 20_000 })).code === 0,
    { timeoutMs: 60_000, intervalMs: 300 },
  );
}

// ---------------------------------------------------------------------------------------------
// state

function readState(): LabState | undefined {
  try {
    const s = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as LabState;
    return s.version === 2 && s.labDir === LAB_DIR ? s : undefined;
  } catch {
    return undefined;
  }
}

function toLab(s: LabState): Lab {
  return {
    hosts: s.hosts.map((h) => ({ name: h.name, address: h.address, netns: netnsName(h.name), dir: hostDir(h.name), user: h.user?.name ?? 'root', spec: h })),
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
    if (h.engine === 'docker' && dockerdPid(h.name) === undefined) p.push(`${h.name}: dockerd not running`);
    if (h.engine && (await httpStatus(`http://${h.address}:9090/-/ready`)) !== 200) p.push(`${h.name}: aprom not ready on :9090`);
    if (h.engine && (await httpStatus(`http://${h.address}:3000/api/health`)) === undefined) p.push(`${h.name}: agraf not answering on :3000`);
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
  const scyllaHosts = specs.filter((h) => h.engine);
  if (scyllaHosts.length) {
    const up = upstreamPresent();
    if (!up.ok) throw new Error(up.reason);
  }
  const imagesP = scyllaHosts.length
    ? upstreamImages().then((names) => Promise.all([buildPrometheusTar(names.prometheus, log), buildStandinTars(log)]).then(([prom, standins]) => [prom, ...standins]))
    : Promise.resolve([] as ImageTar[]);
  imagesP.catch(() => {}); // awaited below; avoid an unhandled rejection meanwhile

  log(`starting ${specs.length} ${mode} host(s) ...`);
  mkdirSync(HOSTS_DIR, { recursive: true });
  await ensureBridge();
  await pool(specs, PARALLEL, async (h) => {
    await prepareHostDir(h, pubKey);
    if (h.engine) await writeServiceFiles(h);
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
  if (scyllaHosts.length) {
    const tars = await imagesP;
    images = tars.map((t) => t.image);
    log(`importing ${images.join(', ')} into ${scyllaHosts.map((h) => h.name).join(', ')} ...`);
    await pool(scyllaHosts, PARALLEL, async (h) => {
      await waitEngine(h);
      for (const t of tars) await importImage(h, t);
    });
    log('running start-all.sh on every Scylla Monitoring host ...');
    await pool(scyllaHosts, PARALLEL, async (h) => {
      await runStartAll(h);
      await waitHttp200(`http://${h.address}:9090/-/ready`, 60_000);
      await waitHttp200(`http://${h.address}:3000/api/health`, 30_000);
    });
    log('aprom and agraf ready on every Scylla Monitoring host');
  }

  const state: LabState = {
    version: 2,
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
  const kind = s.mode === 'plain' ? `plain mode: ${s.hosts.length} sshd-only hosts` : `default mode: ${s.hosts.length} Scylla Monitoring hosts`;
  lines.push(`lab: ${bad.length ? 'UNHEALTHY' : 'up'} (${kind}), up since ${s.upAt} (took ${s.upSeconds.toFixed(1)} s)`);
  lines.push(`state dir: ${LAB_DIR}`);
  lines.push(`ssh: ssh -i ${KEY_FILE} -o UserKnownHostsFile=${KNOWN_HOSTS_FILE} -o StrictHostKeyChecking=yes root@ADDRESS (or the host's operator)`);
  if (s.images.length) lines.push(`images: ${s.images.join(', ')}`);
  const shown = s.hosts.length > 12 ? [...s.hosts.slice(0, 5), ...s.hosts.slice(-2)] : s.hosts;
  for (const h of shown) {
    const sshd = sshdPid(h.name);
    const how = h.engine ? ` ${h.engine}${h.user ? ` as ${h.user.name}` : ''}: start-all.sh ${(h.startAll ?? []).join(' ')}` : '';
    lines.push(`  ${h.name.padEnd(11)} ${h.address.padEnd(13)} netns ${netnsName(h.name).padEnd(17)} sshd ${sshd ?? '-'}${how}`);
    if (shown.length !== s.hosts.length && h === shown[4]) lines.push(`  ... ${s.hosts.length - 7} more`);
  }
  if (bad.length) lines.push('problems:', ...bad.map((b) => `  ${b}`));
  const extra = netns.filter((n) => !s.hosts.some((h) => netnsName(h.name) === n));
  if (extra.length) lines.push(`leftover namespaces: ${extra.join(' ')}`);
  return lines.join('\n');
}

