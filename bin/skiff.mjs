#!/usr/bin/env node
// Starts skiff. The bundle built by `npm run build` (run by npm install/ci through `prepare`) starts in
// ~0.1 s; the TypeScript sources through tsx take ~0.4 s. The bundle is used only while it is newer than
// every source file, so an edited checkout never runs stale code.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleFresh } from './bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'skiff.mjs');

if (bundleFresh(root)) {
  process.argv[1] = bundle;
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  process.argv[1] = join(root, 'src', 'cli.ts');
  await import('../src/cli.ts');
}
