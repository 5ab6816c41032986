// Inspect JSON fixtures (test/unit/fixtures) shared by the container-*.test.ts files and
// prometheus.test.ts; not a test file itself.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ContainerFacts, ContainerSpec } from '../../tasks/lib/container/spec.ts';
import { normalizeInspect } from '../../tasks/lib/container/inspect.ts';
import { specFromFacts } from '../../tasks/lib/container/compare.ts';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => JSON.parse(readFileSync(join(here, 'fixtures', name), 'utf8')) as unknown[];
// captured from the lab: `podman container inspect aprom` (podman 4.3.1), and a container created with
// bridge networking, ports, a named volume, a read-only :z bind, env, label, restart policy, extra host
export const podmanAprom = fixture('podman-inspect-aprom.json');
export const podmanBridge = fixture('podman-inspect-bridge.json');
// captured from the lab's prom3: aprom as start-all.sh runs it under rootless Podman as `scylla`
// (uid 2000): -u 2000:2000 --userns=keep-id, host network, -d /srv/prometheus-data
export const podmanKeepId = fixture('podman-rootless-keep-id-aprom.json');
// written from docker's documented inspect format: Scylla Monitoring's aprom on docker (bridge,
// -p 9090:9090, :Z binds, the official image's anonymous VOLUME /prometheus)
export const dockerAprom = fixture('docker-inspect-aprom.json');

export const aprom = () => normalizeInspect(podmanAprom);
export const same = (f: ContainerFacts): ContainerSpec => specFromFacts(f, { env: f.env, labels: f.labels });
