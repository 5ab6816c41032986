#!/usr/bin/env node
// Starts skiff. The bundle built by `npm run build` (run by npm install/ci through `prepare`) starts in
// ~0.1 s; the TypeScript sources through tsx take ~0.4 s. The bundle is used only while it is newer than
// every source file, so an edited checkout never runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'skiff.mjs');

function fresh() {
  if (!existsSync(bundle)) return false;
  const built = statSync(bundle).mtimeMs;
  for (const dir of ['src', 'tasks']) {
    for (const f of readdirSync(join(root, dir), { recursive: true })) {
      if (String(f).endsWith('.ts') && statSync(join(root, dir, String(f))).mtimeMs > built) return false;
    }
  }
  return true;
}

if (fresh()) {
  process.argv[1] = bundle;
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  process.argv[1] = join(root, 'src', 'cli.ts');
  await import('../src/cli.ts');
}
