#!/usr/bin/env node
// Starts skiff from its bundle (dist/skiff.mjs and dist/chunks/, built by `npm run build`; `npm pack`
// and npm install/ci in the repository build it). An installed package has no sources: the bundle it
// is. In the repository the bundle is used only while it is newer than every source file, so an
// edited checkout never runs stale code: else the TypeScript sources run through tsx (a development
// dependency, ~0.4 s more per start).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'skiff.mjs');
const sources = existsSync(join(root, 'src'));

if (!sources || (await import('./bundle.mjs')).bundleFresh(root)) {
  process.argv[1] = bundle;
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  process.argv[1] = join(root, 'src', 'cli.ts');
  await import('../src/cli.ts');
}
