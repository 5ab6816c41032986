// What runs on the Scylla Monitoring hosts: the real Scylla Monitoring release, unpacked unmodified
// in /srv/scylla-monitoring, started by its own start-all.sh as an operator starts it (as root, with
// a scylla target file, without Loki, Alertmanager and the renderer, which thanos.yml does not touch).
// start-all.sh then runs `aprom` (Prometheus) and `agraf` (Grafana) itself, with the images the lab
// imported under the names versions.sh pins.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCYLLA_DIR, type HostSpec } from './config.ts';
import { asOperator, hostPaths, labExec, q } from './host.ts';
import { must, sleep } from './proc.ts';
import { unpackInto } from './upstream.ts';

/** The scylla target file given to start-all.sh (-s). */
export const TARGETS_FILE = '/srv/scylla_servers.yml';
/** start-all.sh's output on the host (in /tmp: a non-root operator cannot write /srv). */
export const START_ALL_LOG = '/tmp/start-all.log';
/** Scylla version for the dashboards (one start-all.sh 4.12.1 supports). */
const SCYLLA_VERSION = '2025.1';

/**
 * The scylla target file: this host's own address. Scylla itself (:9180) is not there, so that job
 * is down; node_exporter (:9100, the same file since no -n is given) is real and up.
 */
function targets(spec: HostSpec): string {
  return `# skiff lab: this host (start-all.sh -s ${TARGETS_FILE})\n- targets:\n    - ${spec.address}\n  labels:\n    cluster: lab-${spec.name}\n    dc: dc1\n`;
}

/** Host files under /srv (written from the root namespace into .lab/hosts/<h>/srv). */
export async function writeServiceFiles(spec: HostSpec): Promise<void> {
  const srv = hostPaths(spec.name).srv;
  await unpackInto(join(srv, 'scylla-monitoring'));
  writeFileSync(join(srv, 'scylla_servers.yml'), targets(spec));
  if (spec.engine === 'podman') {
    // start-grafana.sh mounts grafana/plugins, which the release tarball does not contain; Docker
    // creates a missing bind source, Podman refuses ("statfs ...: no such file or directory"), so a
    // Podman operator makes it first (an empty directory, as Docker would)
    mkdirSync(join(srv, 'scylla-monitoring/grafana/plugins'), { recursive: true });
  }
  const u = spec.user;
  if (u) {
    // a non-root operator owns the release (start-all.sh writes its build/ dirs inside it) and makes
    // the `-d` directory beforehand: Podman, unlike Docker, does not create a missing bind source
    const own = [join(srv, 'scylla-monitoring')];
    const d = dataDirOption(spec);
    if (d) {
      mkdirSync(join(srv, d.replace(/^\/srv\//, '')), { recursive: true });
      own.push(join(srv, d.replace(/^\/srv\//, '')));
    }
    await must(['chown', '-R', `${u.uid}:${u.uid}`, ...own]);
  }
}

/** The `-d DIR` a host's operator gives start-all.sh (the lab keeps it under /srv). */
function dataDirOption(spec: HostSpec): string | undefined {
  const opts = spec.startAll ?? [];
  const d = opts[opts.indexOf('-d') + 1];
  if (!opts.includes('-d')) return undefined;
  if (!d?.startsWith('/srv/')) throw new Error(`${spec.name}: the lab keeps -d under /srv, got ${d}`);
  return d;
}

/** The start-all.sh options of a host, as its operator would type them. */
export function startAllArgs(spec: HostSpec): string[] {
  return ['-s', TARGETS_FILE, ...(spec.startAll ?? []), '--no-loki', '--no-alertmanager', '--no-renderer', '-v', SCYLLA_VERSION];
}

/**
 * The shell command that runs start-all.sh on a host, as its operator (also what tests use to rerun
 * it); `out` redirects its output (a file on the host).
 */
export function startAllCommand(spec: HostSpec, out = '/dev/null'): string {
  return asOperator(spec, `cd ${SCYLLA_DIR} && ./start-all.sh ${startAllArgs(spec).map(q).join(' ')} >${out} 2>&1`);
}

/** kill-all.sh, as the host's operator runs it before start-all.sh again. */
export function killAllCommand(spec: HostSpec): string {
  return asOperator(spec, `cd ${SCYLLA_DIR} && ./kill-all.sh >/dev/null 2>&1`);
}

/** Runs start-all.sh on the host; throws with its output when it fails. */
export async function runStartAll(spec: HostSpec): Promise<void> {
  const cmd = startAllCommand(spec, START_ALL_LOG);
  const r = await labExec(spec.name, cmd, { timeoutMs: 240_000 });
  if (r.code !== 0) {
    const out = await labExec(spec.name, `tail -n 30 ${START_ALL_LOG}`);
    throw new Error(`${spec.name}: start-all.sh exited ${r.code}:\n${out.stdout}${r.stderr}`);
  }
}

/** GET url from the root namespace; status code or undefined when nothing answers. */
export async function httpStatus(url: string, timeoutMs = 1500): Promise<number | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return undefined;
  }
}

/** Waits (bounded) until url answers 200. */
export async function waitHttp200(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: number | undefined;
  for (let i = 0; i < 300 && Date.now() < deadline; i++) {
    last = await httpStatus(url);
    if (last === 200) return;
    await sleep(250);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${last ?? 'no answer'})`);
}
