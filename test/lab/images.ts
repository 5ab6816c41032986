// Container images without a registry: root filesystem tarballs imported with `podman import`.
// The Prometheus image is built here from Debian's binary; the Thanos/Grafana stand-ins come
// from test/standins/build.ts (another module's contract) when it exists.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IMAGES_DIR, PROM_IMAGE, STANDINS_BUILD } from './config.ts';
import { INNER_IMAGES, labExec, q } from './host.ts';
import { must } from './proc.ts';

export interface ImageTar {
  tar: string;
  image: string;
  entrypoint: string[];
  /** extra `podman import --change` instructions */
  changes?: string[];
}

const PROM_BIN = '/usr/bin/prometheus';
const BUSYBOX = '/bin/busybox';

const DEFAULT_PROM_YML = `global:
  scrape_interval: 15s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ['localhost:9090']
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
 * The Prometheus image's rootfs: /bin/prometheus and its two libs, busybox (sh, wget: as in the
 * official image, which is busybox-based), a default config, /prometheus owned by nobody (65534).
 * Built once into .lab/images/ and rebuilt only when Debian's binary changes.
 */
export async function buildPrometheusTar(): Promise<ImageTar> {
  const tar = join(IMAGES_DIR, 'prometheus-rootfs.tar');
  const stampFile = join(IMAGES_DIR, 'prometheus-rootfs.stamp');
  const st = statSync(PROM_BIN);
  const stamp = `${st.size}:${st.mtimeMs}:v2`;
  const image: ImageTar = {
    tar,
    image: PROM_IMAGE,
    entrypoint: ['/bin/prometheus'],
    changes: [
      'USER 65534',
      'WORKDIR /prometheus',
      'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]',
    ],
  };
  if (existsSync(tar) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return image;

  const root = join(IMAGES_DIR, 'prometheus-rootfs');
  rmSync(root, { recursive: true, force: true });
  const put = (src: string, dst: string) => {
    mkdirSync(dirname(join(root, dst)), { recursive: true });
    copyFileSync(src, join(root, dst));
  };
  put(PROM_BIN, '/bin/prometheus');
  for (const lib of await sharedLibs(PROM_BIN)) put(lib, lib);
  put(BUSYBOX, '/bin/busybox');
  for (const tool of ['sh', 'wget', 'cat', 'ls', 'ps', 'kill', 'sleep']) symlinkSync('busybox', join(root, 'bin', tool));
  mkdirSync(join(root, 'etc/prometheus'), { recursive: true });
  writeFileSync(join(root, 'etc/prometheus/prometheus.yml'), DEFAULT_PROM_YML);
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnobody:x:65534:\n');
  for (const d of ['prometheus', 'tmp', 'root', 'home', 'proc', 'sys', 'dev']) mkdirSync(join(root, d), { recursive: true });
  await must(['chown', '65534:65534', join(root, 'prometheus')]);
  await must(['chmod', '1777', join(root, 'tmp')]);
  await must(['chmod', '755', join(root, 'bin/prometheus'), join(root, 'bin/busybox')]);
  await must(['tar', '-C', root, '--numeric-owner', '-cf', `${tar}.tmp`, '.']);
  await must(['mv', `${tar}.tmp`, tar]);
  writeFileSync(stampFile, stamp);
  rmSync(root, { recursive: true, force: true });
  return image;
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

/** `podman import` inside a host, so the image lands in that host's own store. */
export async function importImage(host: string, img: ImageTar): Promise<void> {
  const changes = [`ENTRYPOINT ${JSON.stringify(img.entrypoint)}`, ...(img.changes ?? [])];
  // the host sees .lab/images at INNER_IMAGES (the checkout may be under a dir the host has its own of)
  const tar = img.tar.startsWith(IMAGES_DIR + '/') ? INNER_IMAGES + img.tar.slice(IMAGES_DIR.length) : img.tar;
  const cmd = ['podman', 'import', ...changes.flatMap((c) => ['--change', q(c)]), q(tar), q(img.image)].join(' ');
  const r = await labExec(host, cmd, { timeoutMs: 180_000 });
  if (r.code !== 0) throw new Error(`${host}: ${cmd} exited ${r.code}: ${r.stderr.trim()}`);
}
