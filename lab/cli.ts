// npx tsx lab/cli.ts up|down|status [--hosts N] [--fresh]     (npm run lab -- up)
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { labDown, labStatus, labUp } from './lab.ts';
import { ensurePackages } from './setup.ts';

const USAGE = `usage: lab up [--hosts N] [--fresh] | down | status | install
  install      the Debian packages the lab and the tests need (apt-get, only what is missing)
  up           default lab: monitoring, prom1..3 (podman + Prometheus container aprom)
  up --hosts N N plain sshd-only hosts node1..nodeN (1..500) instead, for scale benchmarks
  --fresh      rebuild even if a healthy lab of the same shape is up
  down         remove everything the lab made
  status       what is up and whether it answers`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  let plain: number | undefined;
  let fresh = false;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--hosts') plain = Number(rest[++i]);
    else if (rest[i].startsWith('--hosts=')) plain = Number(rest[i].slice('--hosts='.length));
    else if (rest[i] === '--fresh') fresh = true;
    else {
      console.error(`unknown argument: ${rest[i]}\n${USAGE}`);
      return 2;
    }
  }
  if (plain !== undefined && (!Number.isInteger(plain) || plain < 1)) {
    console.error(`--hosts needs a positive integer\n${USAGE}`);
    return 2;
  }
  const t0 = Date.now();
  switch (cmd) {
    case 'up':
      await labUp({ plain, fresh });
      console.log(await labStatus());
      console.log(`(up: ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      return 0;
    case 'down':
      await labDown();
      console.log(`lab down (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      return 0;
    case 'status':
      console.log(await labStatus());
      return 0;
    case 'install':
      await ensurePackages((l) => console.error(`[lab] ${l}`));
      return 0;
    default:
      console.error(USAGE);
      return 2;
  }
}

// Only when run as a script (the lab's modules never act on import).
const isMain = (() => {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();
if (isMain) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`lab: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
