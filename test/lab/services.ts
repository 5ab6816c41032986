// What runs on the podman hosts: a Prometheus container `aprom` started the way Scylla Monitoring's
// start-all.sh starts it (config bind-mounted from the host, data inside the container, no
// lifecycle flag, no external labels), and on `monitoring` the Scylla Monitoring grafana files plus
// the Grafana stand-in `agraf` when its image exists.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GRAFANA_STANDIN_IMAGE, PROM_IMAGE, type HostSpec } from './config.ts';
import { hostPaths, labExec } from './host.ts';
import { sleep } from './proc.ts';

export const MONITORING_HOST = 'monitoring';

// No external_labels: adding them is skiff's job.
export const LAB_PROMETHEUS_YML = `global:
  scrape_interval: 5s
  evaluation_interval: 5s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ['localhost:9090']
`;

export const DATASOURCE_TEMPLATE = `apiVersion: 1
datasources:
- name: prometheus
  type: prometheus
  url: http://DB_ADDRESS
  access: proxy
  basicAuth: false
  isDefault: true
- name: alertmanager
  type: camptocamp-prometheus-alertmanager-datasource
  orgId: 1
  typeLogoUrl: public/img/icn-datasource.svg
  access: proxy
  url: http://AM_ADDRESS
  basicAuth: false
  jsonData:
    severity_critical: '4'
    severity_high: '3'
`;

export const APROM_RUN =
  'podman run -d --name aprom --user 65534:65534' +
  ' -v /srv/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:z' +
  ` ${PROM_IMAGE}` +
  ' --config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=/prometheus --web.listen-address=0.0.0.0:9090';

export const AGRAF_RUN =
  'podman run -d --name agraf' +
  ' -v /srv/scylla-monitoring/grafana/provisioning:/etc/grafana/provisioning:z' +
  ` ${GRAFANA_STANDIN_IMAGE}`;

/** Host files under /srv (written from the root namespace into .lab/hosts/<h>/srv). */
export function writeServiceFiles(spec: HostSpec): void {
  const srv = hostPaths(spec.name).srv;
  mkdirSync(join(srv, 'prometheus'), { recursive: true });
  writeFileSync(join(srv, 'prometheus/prometheus.yml'), LAB_PROMETHEUS_YML);
  if (spec.name !== MONITORING_HOST) return;
  const grafana = join(srv, 'scylla-monitoring/grafana');
  mkdirSync(join(grafana, 'provisioning/datasources'), { recursive: true });
  writeFileSync(join(grafana, 'datasource.yml'), DATASOURCE_TEMPLATE);
  // start-all.sh generates this copy with sed from the template
  writeFileSync(
    join(grafana, 'provisioning/datasources/datasource.yaml'),
    DATASOURCE_TEMPLATE.replace('DB_ADDRESS', `${spec.address}:9090`).replace('AM_ADDRESS', `${spec.address}:9093`),
  );
}

async function podmanRun(host: string, cmd: string): Promise<void> {
  const r = await labExec(host, cmd, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`${host}: ${cmd} exited ${r.code}: ${r.stderr.trim()}`);
}

export const runAprom = (host: string) => podmanRun(host, APROM_RUN);
export const runAgraf = (host: string) => podmanRun(host, AGRAF_RUN);

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
