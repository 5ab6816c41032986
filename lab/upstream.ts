// The real Scylla Monitoring release the lab runs, read from ../shared/upstream/ at lab-up time and
// unpacked unmodified on each Scylla Monitoring host (never copied into the project).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UPSTREAM_TGZ } from './config.ts';
import { must } from './proc.ts';

/** The top directory inside the tarball. */
const TOP = 'scylla-monitoring-4.12.1';

export function upstreamPresent(): { ok: true } | { ok: false; reason: string } {
  return existsSync(UPSTREAM_TGZ) ? { ok: true } : { ok: false, reason: `the Scylla Monitoring release is missing: ${UPSTREAM_TGZ}` };
}

/** One file of the release, as text. */
export async function upstreamFile(path: string): Promise<string> {
  return must(['tar', '-xzOf', UPSTREAM_TGZ, `${TOP}/${path}`]);
}

export interface PinnedVersions {
  prometheus: string;
  grafana: string;
  thanos: string;
}

/** The image versions the release pins in versions.sh (e.g. PROMETHEUS_VERSION=v3.6.0). */
export function parseVersions(text: string): PinnedVersions {
  const get = (name: string) => {
    const m = new RegExp(`^${name}="?([^"\\s]+)"?`, 'm').exec(text);
    if (!m) throw new Error(`versions.sh has no ${name}`);
    return m[1];
  };
  return { prometheus: get('PROMETHEUS_VERSION'), grafana: get('GRAFANA_VERSION'), thanos: get('THANOS_VERSION') };
}

export async function pinnedVersions(): Promise<PinnedVersions> {
  return parseVersions(await upstreamFile('versions.sh'));
}

/** The image names start-all.sh, start-grafana.sh and start-thanos*.sh run. */
export async function upstreamImages(): Promise<{ prometheus: string; grafana: string; thanos: string }> {
  const v = await pinnedVersions();
  return {
    prometheus: `docker.io/prom/prometheus:${v.prometheus}`,
    grafana: `docker.io/grafana/grafana:${v.grafana}`,
    thanos: `docker.io/thanosio/thanos:${v.thanos}`,
  };
}

/** Unpacks the release into `dir` (seen from the root namespace), as an operator does. */
export async function unpackInto(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await must(['tar', '-xzf', UPSTREAM_TGZ, '-C', dir, '--strip-components=1', '--no-same-owner']);
}

export const upstreamDir = (srv: string) => join(srv, 'scylla-monitoring');
