// Whether dist/skiff.mjs (built by `npm run build`) is newer than every .ts file of src/ and tasks/:
// bin/skiff.mjs starts from it only then, and the benchmark checks the same thing.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** @param {string} root the repository root @returns {boolean} */
export function bundleFresh(root) {
  const bundle = join(root, 'dist', 'skiff.mjs');
  if (!existsSync(bundle)) return false;
  const built = statSync(bundle).mtimeMs;
  for (const dir of ['src', 'tasks']) {
    for (const f of readdirSync(join(root, dir), { recursive: true })) {
      if (String(f).endsWith('.ts') && statSync(join(root, dir, String(f))).mtimeMs > built) return false;
    }
  }
  return true;
}
