// Container images without a registry: root filesystem tarballs imported with `docker import` or
// `podman import` under the names Scylla Monitoring's scripts run. The Prometheus image is built
// here from Debian's Prometheus 3 binary; the Thanos/Grafana stand-ins come from test/standins/build.ts.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IMAGES_DIR, STANDINS_BUILD, type HostSpec } from './config.ts';
import { prometheus3Binary } from './prometheus3.ts';
import { INNER_IMAGES, asOperator, labExec, q } from './host.ts';
import { must } from './proc.ts';

export interface ImageTar {
  tar: string;
  image: string;
  entrypoint: string[];
  /** extra `import --change` instructions (ones both `docker import` and `podman import` accept) */
  changes?: string[];
}

const BUSYBOX = '/bin/busybox';

// The upstream image's /etc/prometheus/prometheus.yml (start-all.sh mounts its own over it).
const DEFAULT_PROM_YML = `global:
  scrape_interval: 15s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ['localhost:9090']
`;

/**
 * Debian builds Prometheus with `--storage.tsdb.path` defaulting to /var/lib/prometheus/metrics2/;
 * the upstream binary in docker.io/prom/prometheus defaults to `data/`, under the image's WORKDIR
 * /prometheus. start-all.sh passes no TSDB path, so the default decides where the data is: this
 * wrapper restores upstream's default and is otherwise the binary itself (exec, same pid, same args).
 */
const PROM_WRAPPER = `#!/bin/sh
# skiff lab: upstream's default TSDB path (data/), which Debian's build changed; see images.ts
for a in "$@"; do
  case "$a" in --storage.tsdb.path|--storage.tsdb.path=*|--agent) exec /bin/prometheus.debian "$@" ;; esac
done
exec /bin/prometheus.debian --storage.tsdb.path=data/ "$@"
`;

/** Shared libraries a binary loads, as absolute paths (from ldd). */
async function sharedLibs(bin: string): Promise<string[]> {
  const out = await must(['ldd', bin]);
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (m) libs.push(m[1]);
  }
  return libs;
}

/**
 * The image start-all.sh runs as docker.io/prom/prometheus:<PROMETHEUS_VERSION>: Debian's
 * Prometheus 3 binary (see prometheus3.ts) with upstream's defaults restored, its two libraries,
 * its promtool, busybox (the upstream image is busybox based: sh, kill, wget), and the upstream image's settings:
 * USER nobody, WORKDIR /prometheus, VOLUME /prometheus, the same ENTRYPOINT and CMD.
 * Built once into .lab/images/ and rebuilt only when the binary changes.
 */
export async function buildPrometheusTar(image: string, log: (s: string) => void): Promise<ImageTar> {
  const { prometheus: bin, promtool } = await prometheus3Binary(log);
  const tar = join(IMAGES_DIR, 'prometheus3-rootfs.tar');
  const stampFile = `${tar}.stamp`;
  const st = statSync(bin);
  const stamp = `${st.size}:${st.mtimeMs}:${statSync(promtool).size}:v4`;
  const result: ImageTar = {
    tar,
    image,
    entrypoint: ['/bin/prometheus'],
    changes: [
      'USER nobody',
      'WORKDIR /prometheus',
      'VOLUME ["/prometheus"]',
      'EXPOSE 9090',
      'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]',
    ],
  };
  if (existsSync(tar) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return result;

  const root = join(IMAGES_DIR, 'prometheus-rootfs');
  rmSync(root, { recursive: true, force: true });
  const put = (src: string, dst: string) => {
    mkdirSync(dirname(join(root, dst)), { recursive: true });
    copyFileSync(src, join(root, dst));
  };
  put(bin, '/bin/prometheus.debian');
  writeFileSync(join(root, 'bin/prometheus'), PROM_WRAPPER);
  put(promtool, '/bin/promtool');
  for (const lib of new Set([...(await sharedLibs(bin)), ...(await sharedLibs(promtool))])) put(lib, lib);
  put(BUSYBOX, '/bin/busybox');
  // every applet, as in upstream's busybox base (sh, rm, mktemp, wget, ...)
  for (const tool of (await must([BUSYBOX, '--list'])).split('\n').filter((t) => /^[\w.-]+$/.test(t) && t !== 'busybox')) {
    if (!existsSync(join(root, 'bin', tool))) symlinkSync('busybox', join(root, 'bin', tool));
  }
  mkdirSync(join(root, 'etc/prometheus'), { recursive: true });
  writeFileSync(join(root, 'etc/prometheus/prometheus.yml'), DEFAULT_PROM_YML);
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnobody:x:65534:\n');
  for (const d of ['prometheus', 'tmp', 'root', 'home', 'proc', 'sys', 'dev']) mkdirSync(join(root, d), { recursive: true });
  await must(['chown', '65534:65534', join(root, 'prometheus')]);
  await must(['chmod', '1777', join(root, 'tmp')]);
  await must(['chmod', '755', join(root, 'bin/prometheus'), join(root, 'bin/prometheus.debian'), join(root, 'bin/promtool'), join(root, 'bin/busybox')]);
  await must(['tar', '-C', root, '--numeric-owner', '-cf', `${tar}.tmp`, '.']);
  await must(['mv', `${tar}.tmp`, tar]);
  writeFileSync(stampFile, stamp);
  rmSync(root, { recursive: true, force: true });
  return result;
}

/** Stand-in images from test/standins/build.ts, or [] (with a note) while that file does not exist. */
export async function buildStandinTars(log: (s: string) => void): Promise<ImageTar[]> {
  if (!existsSync(STANDINS_BUILD)) {
    log(`note: ${STANDINS_BUILD} does not exist yet: no Thanos/Grafana stand-in images`);
    return [];
  }
  const mod = (await import(pathToFileURL(STANDINS_BUILD).href)) as {
    buildStandinImages?: (outDir: string) => Promise<Array<{ tar: string; image: string; entrypoint: string[] }>>;
  };
  if (typeof mod.buildStandinImages !== 'function') {
    log(`note: ${STANDINS_BUILD} has no buildStandinImages export: skipping stand-in images`);
    return [];
  }
  const outDir = join(IMAGES_DIR, 'standins');
  mkdirSync(outDir, { recursive: true });
  return await mod.buildStandinImages(outDir);
}

/**
 * `docker import` / `podman import` inside a host, as its operator, so that the image lands in the
 * store start-all.sh uses (a rootless operator's own).
 */
export async function importImage(spec: HostSpec, img: ImageTar): Promise<void> {
  const { name: host, engine } = spec;
  if (!engine) throw new Error(`${host} has no container engine`);
  const changes = [`ENTRYPOINT ${JSON.stringify(img.entrypoint)}`, ...(img.changes ?? [])];
  // the host sees .lab/images at INNER_IMAGES (the checkout may be under a dir the host has its own of)
  const tar = img.tar.startsWith(IMAGES_DIR + '/') ? INNER_IMAGES + img.tar.slice(IMAGES_DIR.length) : img.tar;
  const cmd = [engine, 'import', ...changes.flatMap((c) => ['--change', q(c)]), q(tar), q(img.image)].join(' ');
  const r = await labExec(host, asOperator(spec, `${cmd} >/dev/null`), { timeoutMs: 180_000 });
  if (r.code !== 0) throw new Error(`${host}: ${cmd} exited ${r.code}: ${r.stderr.trim()}`);
}
