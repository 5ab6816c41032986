// npm run package [-- OUT]: skiff as one executable file (default dist/skiff), with no Node project
// around it: Node's single executable application (SEA, Node >= 20), i.e. a copy of this `node`
// binary with skiff injected (postject, the nodejs org's tool).
//
// Node 20's SEA runs one CommonJS script, whose require() reaches Node's own modules only: so skiff
// is bundled here once more, as a single CommonJS file with every library inlined (the package's
// bundle is ES modules split into chunks). Its dynamic imports become lazily initialised modules of
// the same file: what a command does not use is parsed (V8's code cache, built in, saves most of that)
// but never run. ssh2's optional native parts are left out (its own try/catch: Node's crypto instead).
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * ssh2's optional native modules (cpu-features, its crypto binding) as modules that throw on load, as
 * a missing one does: ssh2's try/catch then uses Node's crypto. Not require()d at run time: the SEA's
 * require() reaches Node's modules only, and warns on every other name.
 */
const nativeAbsent = {
  name: 'native-absent',
  setup(b) {
    b.onResolve({ filter: /^cpu-features$|\.node$/ }, (a) => ({ path: a.path, namespace: 'native-absent' }));
    b.onLoad({ filter: /.*/, namespace: 'native-absent' }, (a) => ({ contents: `throw new Error(${JSON.stringify(`${a.path} is not in the executable`)});`, loader: 'js' }));
  },
};

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? join(root, 'dist', 'skiff'));
const work = mkdtempSync(join(tmpdir(), 'skiff-sea-'));

try {
  const script = join(work, 'skiff.cjs');
  await build({
    stdin: {
      // what cli.ts does when it is the entry point, for the executable's own argv
      contents: "import { main, EXIT } from './src/cli.ts';\nmain(process.argv.slice(2)).then((code) => process.exit(code), (e) => { process.stderr.write(`skiff: internal error: ${e?.stack ?? e}\\n`); process.exit(EXIT.internal); });\n",
      resolveDir: root,
      sourcefile: 'sea-main.ts',
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: script,
    plugins: [nativeAbsent],
    // cli.ts's own entry check reads import.meta.url, which a CommonJS file has not: it stays false
    logOverride: { 'empty-import-meta': 'silent' },
    logLevel: 'warning',
  });

  const blob = join(work, 'skiff.blob');
  const config = join(work, 'sea-config.json');
  writeFileSync(config, JSON.stringify({ main: script, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }));
  const gen = spawnSync(process.execPath, ['--experimental-sea-config', config], { encoding: 'utf8' });
  if (gen.status !== 0) throw new Error(`node --experimental-sea-config failed: ${gen.stderr || gen.stdout}`);

  let cli;
  try {
    cli = createRequire(import.meta.url).resolve('postject/dist/cli.js');
  } catch {
    throw new Error('postject is missing: npm ci installs it (a development dependency)');
  }
  mkdirSync(dirname(out), { recursive: true });
  rmSync(out, { force: true });
  copyFileSync(process.execPath, out);
  chmodSync(out, 0o755);
  // the resource and fuse names Node's SEA looks for (Node's docs, "Single executable applications")
  const inj = spawnSync(process.execPath, [cli, out, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], { encoding: 'utf8' });
  // LIEF (inside postject) warns "Can't find string offset for section name '.note.100'" on Node's
  // binary, harmlessly (nodejs/postject#83): not repeated here
  const said = `${inj.stdout}${inj.stderr}`.split('\n').filter((l) => l.trim() && !/Can't find string offset for section name/.test(l));
  if (inj.status !== 0) throw new Error(`postject failed: ${said.join('\n')}`);
  const v = spawnSync(out, ['--version'], { encoding: 'utf8' });
  if (v.status !== 0) throw new Error(`${out} --version failed: ${v.stderr}`);
  process.stdout.write(`${out}: ${v.stdout.trim()} (node ${process.version}, one file)\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
