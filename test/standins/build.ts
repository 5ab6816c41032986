// Builds the Thanos and Grafana STAND-IN images as root filesystem tarballs for `podman import`
// (no registry here). Each rootfs holds /usr/bin/node and exactly the shared libraries
// `ldd /usr/bin/node` lists (at those paths), busybox (/bin/sh and its applets, as the real
// images are busybox/alpine based), the stand-in as one bundled script with a #!/usr/bin/node line,
// /etc/passwd and /etc/group, /tmp (1777).
//
//   buildStandinImages(outDir) -> [{ tar, image, entrypoint, changes }]
//   import: podman import --change 'ENTRYPOINT ["/bin/thanos"]' --change 'USER 1001' TAR IMAGE
//           (or `docker import` with the same --change list: every instruction used here, ENTRYPOINT,
//           USER, WORKDIR, ENV, EXPOSE, LABEL, is one both `docker import` and `podman import` accept)
//   names:  THANOS_IMAGE / GRAFANA_IMAGE, the references Scylla Monitoring 4.12.1's own scripts run
//           (start-thanos-sc.sh, start-thanos.sh, start-grafana.sh with versions.sh), so those
//           scripts start the stand-ins unchanged. The images say what they are: a LABEL, the
//           `thanos --version` / Grafana /api/health answers, the programs' log lines.
//   CLI:    npx tsx test/standins/build.ts OUTDIR
//
// Tarballs are written by our own ustar writer (root-owned entries, fixed mtimes), so no root and
// no staging directory are needed, and the same inputs give the same bytes. They are reused when
// the hash of the inputs (stand-in sources, esbuild and yaml versions, and path/size/mtime of node,
// its libraries and busybox) is unchanged.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const NODE = '/usr/bin/node';
const BUSYBOX = '/bin/busybox';
const MTIME = 1_700_000_000; // fixed, for reproducible tarballs
const FORMAT_VERSION = 'standins-v2';

/** Thanos as Scylla Monitoring 4.12.1 runs it: docker.io/thanosio/thanos:$THANOS_VERSION (v0.39.1). */
export const THANOS_IMAGE = 'docker.io/thanosio/thanos:v0.39.1';
/** Grafana as Scylla Monitoring 4.12.1 runs it: docker.io/grafana/grafana:$GRAFANA_VERSION (12.2.0). */
export const GRAFANA_IMAGE = 'docker.io/grafana/grafana:12.2.0';

export interface StandinImage {
  tar: string;
  image: string;
  entrypoint: string[];
  /** extra `docker import` / `podman import` --change instructions (ENTRYPOINT is given separately) */
  changes: string[];
}

// ---------------------------------------------------------------------------------------------
// bundling

const SCRIPTS = {
  thanos: { module: 'thanos.ts' },
  grafana: { module: 'grafana.ts' },
} as const;
type ScriptName = keyof typeof SCRIPTS;

/** Every stand-in source (not the tests) goes into the cache key. */
function sources(): string[] {
  return readdirSync(HERE)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort();
}
let tmpCounter = 0;

/** Bundles one stand-in into a single CommonJS script (with a #!/usr/bin/node line). */
async function bundle(name: ScriptName): Promise<string> {
  const esbuild = await import('esbuild');
  const r = await esbuild.build({
    stdin: {
      contents: `import { main } from './${SCRIPTS[name].module}';\nmain(process.argv.slice(2)).catch((e) => { console.error(e); process.exit(1); });\n`,
      resolveDir: HERE,
      loader: 'ts',
      sourcefile: `${name}-entry.ts`,
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    banner: { js: `#!/usr/bin/node\n// ${name.toUpperCase()} STAND-IN (skiff test/standins): not the real program.` },
    logLevel: 'silent',
  });
  return r.outputFiles[0].text;
}

/**
 * Writes the bundled stand-ins to dir (thanos.cjs, grafana.cjs, mode 0755) and returns their
 * paths: what the tests run directly with node.
 */
export async function bundleStandins(dir: string): Promise<{ thanos: string; grafana: string }> {
  mkdirSync(dir, { recursive: true });
  const out = { thanos: join(dir, 'thanos.cjs'), grafana: join(dir, 'grafana.cjs') };
  writeFileSync(out.thanos, await bundle('thanos'), { mode: 0o755 });
  writeFileSync(out.grafana, await bundle('grafana'), { mode: 0o755 });
  return out;
}

// ---------------------------------------------------------------------------------------------
// ustar writer

type Entry =
  | { path: string; type: 'dir'; mode: number; uid?: number; gid?: number }
  | { path: string; type: 'file'; mode: number; uid?: number; gid?: number; content: Buffer }
  | { path: string; type: 'hostfile'; mode: number; source: string }
  | { path: string; type: 'symlink'; target: string };

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function header(path: string, typeflag: string, mode: number, size: number, uid: number, gid: number, link = ''): Buffer {
  const h = Buffer.alloc(512, 0);
  let name = path;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = path.lastIndexOf('/', 154);
    prefix = path.slice(0, cut);
    name = path.slice(cut + 1);
    if (cut <= 0 || Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155) throw new Error(`path too long for ustar: ${path}`);
  }
  if (Buffer.byteLength(link) > 100) throw new Error(`link target too long: ${link}`);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode & 0o7777, 8), 100, 'ascii');
  h.write(octal(uid, 8), 108, 'ascii');
  h.write(octal(gid, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(MTIME, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(typeflag, 156, 'ascii');
  h.write(link, 157, 100, 'utf8');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write(uid === 0 ? 'root' : '', 265, 32, 'ascii');
  h.write(gid === 0 ? 'root' : '', 297, 32, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

function writeTar(file: string, entries: Entry[]): void {
  const fd = openSync(file, 'w', 0o644);
  try {
    const pad = (n: number) => {
      const r = n % 512;
      if (r) writeSync(fd, Buffer.alloc(512 - r, 0));
    };
    for (const e of entries) {
      const p = e.path.replace(/^\/+/, '');
      if (e.type === 'dir') {
        writeSync(fd, header(p.endsWith('/') ? p : `${p}/`, '5', e.mode, 0, e.uid ?? 0, e.gid ?? 0));
      } else if (e.type === 'symlink') {
        writeSync(fd, header(p, '2', 0o777, 0, 0, 0, e.target));
      } else if (e.type === 'file') {
        writeSync(fd, header(p, '0', e.mode, e.content.length, e.uid ?? 0, e.gid ?? 0));
        writeSync(fd, e.content);
        pad(e.content.length);
      } else {
        const src = openSync(e.source, 'r');
        try {
          const size = fstatSync(src).size;
          writeSync(fd, header(p, '0', e.mode, size, 0, 0));
          const buf = Buffer.alloc(4 << 20);
          let done = 0;
          while (done < size) {
            const n = readSync(src, buf, 0, Math.min(buf.length, size - done), done);
            if (n <= 0) throw new Error(`short read on ${e.source}`);
            writeSync(fd, buf, 0, n);
            done += n;
          }
          pad(size);
        } finally {
          closeSync(src);
        }
      }
    }
    writeSync(fd, Buffer.alloc(1024, 0));
  } finally {
    closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------
// rootfs

/** Absolute paths `ldd` prints for a binary (both `name => /path` and bare `/path` lines). */
function lddPaths(bin: string): string[] {
  const out = execFileSync('ldd', [bin], { encoding: 'utf8' });
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (m) libs.push(m[1]);
  }
  return libs;
}

function busyboxApplets(): string[] {
  try {
    return execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' })
      .split('\n')
      .map((s) => s.trim())
      .filter((s) => /^[a-z0-9_.[-]+$/.test(s) && s !== 'busybox');
  } catch {
    return ['sh', 'ls', 'cat', 'wget', 'ps', 'kill', 'sleep', 'id'];
  }
}

function dirsOf(paths: string[]): string[] {
  const set = new Set<string>();
  for (const p of paths) {
    let d = dirname(p);
    while (d !== '/' && d !== '.') {
      set.add(d);
      d = dirname(d);
    }
  }
  return [...set].sort();
}

interface ImageDef {
  image: string;
  tarName: string;
  program: string; // path in the image
  script: string; // bundled script content
  passwd: string;
  group: string;
  extraDirs: Array<{ path: string; mode: number; uid: number; gid: number }>;
  changes: string[];
}

function rootfsEntries(def: ImageDef, libs: string[], applets: string[]): Entry[] {
  const files = [NODE, ...libs, '/bin/busybox', def.program, '/etc/passwd', '/etc/group'];
  const special = new Map(def.extraDirs.map((d) => [d.path, d]));
  const dirs = new Set([...dirsOf(files), '/tmp', '/proc', '/sys', '/dev', '/root', '/home', '/var', '/run', ...special.keys()]);
  for (const d of [...dirs]) for (const parent of dirsOf([`${d}/x`])) dirs.add(parent);
  const entries: Entry[] = [];
  for (const d of [...dirs].sort()) {
    const s = special.get(d);
    if (s) entries.push({ path: d, type: 'dir', mode: s.mode, uid: s.uid, gid: s.gid });
    else entries.push({ path: d, type: 'dir', mode: d === '/tmp' ? 0o1777 : d === '/root' ? 0o700 : 0o755 });
  }
  entries.push({ path: NODE, type: 'hostfile', mode: 0o755, source: NODE });
  for (const lib of libs) entries.push({ path: lib, type: 'hostfile', mode: 0o755, source: realOf(lib) });
  entries.push({ path: '/bin/busybox', type: 'hostfile', mode: 0o755, source: BUSYBOX });
  for (const a of applets) {
    const p = `/bin/${a}`;
    if (p !== def.program) entries.push({ path: p, type: 'symlink', target: 'busybox' });
  }
  entries.push({ path: def.program, type: 'file', mode: 0o755, content: Buffer.from(def.script) });
  entries.push({ path: '/etc/passwd', type: 'file', mode: 0o644, content: Buffer.from(def.passwd) });
  entries.push({ path: '/etc/group', type: 'file', mode: 0o644, content: Buffer.from(def.group) });
  return entries;
}

function realOf(p: string): string {
  // copy the file the path resolves to, under the path ldd printed
  return execFileSync('readlink', ['-f', p], { encoding: 'utf8' }).trim();
}

function inputsHash(libs: string[]): string {
  const h = createHash('sha256');
  h.update(FORMAT_VERSION);
  for (const s of sources()) h.update(s).update(readFileSync(join(HERE, s)));
  const req = createRequire(import.meta.url);
  for (const pkg of ['esbuild/package.json', 'yaml/package.json']) {
    try {
      h.update(pkg).update(String((req(pkg) as { version?: string }).version));
    } catch {
      h.update(pkg).update('?');
    }
  }
  for (const f of [NODE, BUSYBOX, ...libs]) {
    const st = statSync(f);
    h.update(`${f}:${st.size}:${st.mtimeMs}:${st.ino}`);
  }
  return h.digest('hex');
}

/** Builds (or reuses) the two stand-in image tarballs in outDir. */
export async function buildStandinImages(outDir: string): Promise<StandinImage[]> {
  outDir = resolve(outDir);
  mkdirSync(outDir, { recursive: true });
  const libs = lddPaths(NODE);
  const hash = inputsHash(libs);
  const base = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n';
  const baseGroup = 'root:x:0:\nnobody:x:65534:\n';
  const defs: Array<Omit<ImageDef, 'script'> & { scriptName: ScriptName }> = [
    {
      image: THANOS_IMAGE,
      tarName: 'thanos-standin.tar',
      program: '/bin/thanos',
      scriptName: 'thanos',
      passwd: base + 'thanos:x:1001:1001:thanos:/home/thanos:/bin/false\n',
      group: baseGroup + 'thanos:x:1001:\n',
      extraDirs: [{ path: '/home/thanos', mode: 0o755, uid: 1001, gid: 1001 }],
      // like thanosio/thanos (runs as 1001 since v0.32, working directory /); `--user` overrides it
      changes: ['USER 1001', 'LABEL org.opencontainers.image.title="Thanos STAND-IN (not Thanos)"'],
    },
    {
      image: GRAFANA_IMAGE,
      tarName: 'grafana-standin.tar',
      program: '/bin/grafana-standin',
      scriptName: 'grafana',
      passwd: base + 'grafana:x:472:0:grafana:/usr/share/grafana:/bin/false\n',
      group: baseGroup,
      extraDirs: [
        { path: '/etc/grafana', mode: 0o755, uid: 0, gid: 0 },
        { path: '/etc/grafana/provisioning', mode: 0o755, uid: 0, gid: 0 },
        { path: '/etc/grafana/provisioning/datasources', mode: 0o755, uid: 0, gid: 0 },
        { path: '/var/lib/grafana', mode: 0o755, uid: 472, gid: 0 },
        { path: '/var/lib/grafana/plugins', mode: 0o755, uid: 472, gid: 0 },
        { path: '/var/log/grafana', mode: 0o755, uid: 472, gid: 0 },
        { path: '/usr/share/grafana', mode: 0o755, uid: 0, gid: 0 },
      ],
      // as grafana/grafana: user 472, working directory /usr/share/grafana, the GF_PATHS_* of its
      // Dockerfile (start-grafana.sh overrides GF_PATHS_PROVISIONING with -e), port 3000
      changes: [
        'USER 472',
        'WORKDIR /usr/share/grafana',
        'ENV GF_PATHS_CONFIG=/etc/grafana/grafana.ini',
        'ENV GF_PATHS_DATA=/var/lib/grafana',
        'ENV GF_PATHS_HOME=/usr/share/grafana',
        'ENV GF_PATHS_LOGS=/var/log/grafana',
        'ENV GF_PATHS_PLUGINS=/var/lib/grafana/plugins',
        'ENV GF_PATHS_PROVISIONING=/etc/grafana/provisioning',
        'EXPOSE 3000',
        'LABEL org.opencontainers.image.title="Grafana STAND-IN (not Grafana)"',
      ],
    },
  ];
  const applets = busyboxApplets();
  const out: StandinImage[] = [];
  for (const d of defs) {
    const tar = join(outDir, d.tarName);
    const stamp = `${tar}.inputs`;
    const result: StandinImage = { tar, image: d.image, entrypoint: [d.program], changes: d.changes };
    out.push(result);
    if (existsSync(tar) && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) continue;
    const script = await bundle(d.scriptName);
    const tmp = `${tar}.tmp-${process.pid}-${Date.now()}-${tmpCounter++}`;
    try {
      writeTar(tmp, rootfsEntries({ ...d, script }, libs, applets));
      renameSync(tmp, tar);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    writeFileSync(stamp, hash);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// CLI

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  const outDir = process.argv[2];
  if (!outDir) {
    process.stderr.write('usage: npx tsx test/standins/build.ts OUTDIR\n');
    process.exit(2);
  }
  const t0 = Date.now();
  buildStandinImages(outDir)
    .then((list) => {
      for (const img of list) {
        const mb = (statSync(img.tar).size / 1048576).toFixed(1);
        process.stdout.write(`${img.image}\t${img.tar}\t${mb} MiB\tentrypoint=${JSON.stringify(img.entrypoint)}\tchanges=${JSON.stringify(img.changes)}\n`);
      }
      process.stderr.write(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    })
    .catch((e: unknown) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    });
}
