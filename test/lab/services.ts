// What runs on the Scylla Monitoring hosts: the real Scylla Monitoring release, unpacked unmodified
// in /srv/scylla-monitoring, started by its own start-all.sh as an operator starts it (as root, with
// a scylla target file, without Loki, Alertmanager and the renderer, which thanos.yml does not touch).
// start-all.sh then runs `aprom` (Prometheus) and `agraf` (Grafana) itself, with the images the lab
// imported under the names versions.sh pins.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCYLLA_DIR, type HostSpec } from './config.ts';
import { hostPaths, labExec, q } from './host.ts';
import { sleep } from './proc.ts';
import { unpackInto } from './upstream.ts';

/** The scylla target file given to start-all.sh (-s). */
export const TARGETS_FILE = '/srv/scylla_servers.yml';
/** start-all.sh's output on the host. */
export const START_ALL_LOG = '/srv/start-all.log';
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
}

/** The start-all.sh options of a host, as its operator would type them. */
export function startAllArgs(spec: HostSpec): string[] {
  return ['-s', TARGETS_FILE, ...(spec.startAll ?? []), '--no-loki', '--no-alertmanager', '--no-renderer', '-v', SCYLLA_VERSION];
}

/** The shell command that runs start-all.sh on a host (also what tests use to rerun it). */
export function startAllCommand(spec: HostSpec): string {
  return `cd ${SCYLLA_DIR} && ./start-all.sh ${startAllArgs(spec).map(q).join(' ')}`;
}

/** kill-all.sh, as an operator runs it before start-all.sh again. */
export const KILL_ALL_COMMAND = `cd ${SCYLLA_DIR} && ./kill-all.sh`;

/** Runs start-all.sh on the host; throws with its output when it fails. */
export async function runStartAll(spec: HostSpec): Promise<void> {
  const cmd = `${startAllCommand(spec)} >${START_ALL_LOG} 2>&1`;
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
