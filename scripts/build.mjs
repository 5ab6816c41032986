// npm run build [-- OUTDIR]: the bundle bin/skiff.mjs starts (dist/skiff.mjs and its chunks in dist/chunks/).
//
// - Every dependency is inlined: the packed package has no runtime dependency, so `npm install -g`
//   fetches nothing, runs no install script (npm 11 warns about each unapproved one) and needs no tsx.
// - Split at every dynamic import (esbuild --splitting): `skiff --version` loads the entry chunk only,
//   a command's handler and the libraries only it uses (ssh2, listr2, yaml...) are loaded on use.
// - ssh2's optional native parts stay outside the bundle, required from node_modules when there is
//   one (the repository: the crypto binding npm built is used, as before), else skipped by ssh2's own
//   try/catch (the installed package: Node's crypto instead).
// - dist/meta.json (esbuild's metafile) says which sources each output file holds: the start-up test
//   (test/package/startup.test.ts) reads it to tell which libraries a command loaded.
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** ssh2's optional native modules, left to be required at run time (see above) */
export const nativeOptional = {
  name: 'native-optional',
  setup(b) {
    b.onResolve({ filter: /^cpu-features$/ }, (a) => ({ path: a.path, external: true }));
    // ssh2/lib/protocol/crypto.js: require('./crypto/build/Release/sshcrypto.node'), by package path
    b.onResolve({ filter: /\.node$/ }, (a) => ({ path: a.resolveDir.includes('/node_modules/ssh2/') ? 'ssh2/lib/protocol/crypto/build/Release/sshcrypto.node' : a.path, external: true }));
  },
};

// ssh2 and other CommonJS dependencies call require() for Node's modules and use __dirname: in an
// ES module both come from import.meta.url
const banner = [
  "import { createRequire as __skiffCreateRequire } from 'node:module';",
  "import { fileURLToPath as __skiffFileURLToPath } from 'node:url';",
  'const require = __skiffCreateRequire(import.meta.url);',
  'const __filename = __skiffFileURLToPath(import.meta.url);',
  "const __dirname = __skiffFileURLToPath(new URL('.', import.meta.url));",
].join(' ');

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist');
  rmSync(join(out, 'chunks'), { recursive: true, force: true });
  const r = await build({
    entryPoints: { skiff: join(root, 'src', 'cli.ts') },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    splitting: true,
    outdir: out,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    banner: { js: banner },
    plugins: [nativeOptional],
    metafile: true,
    logLevel: 'warning',
  });
  writeFileSync(join(out, 'meta.json'), JSON.stringify(r.metafile));
}
