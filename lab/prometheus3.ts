// Prometheus 3 without installing it: Debian 12 ships 2.42, Debian's unstable suite ships 3.x.
// The package is downloaded with apt from the machine's own configured Debian source (suite sid),
// with private lists and cache so the machine's apt state is untouched, and unpacked with dpkg -x.
// Cached in .lab/cache (kept by `lab down`).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR, HOST_PATH } from './config.ts';
import { must, run } from './proc.ts';

const DIR = join(CACHE_DIR, 'prometheus3');
const BIN = join(DIR, 'root/usr/bin/prometheus');
// the upstream image carries promtool beside prometheus (thanos.yml checks a config with it before a
// reload); Debian ships it as its own package from the same source
const PROMTOOL = join(DIR, 'root/usr/bin/promtool');

/** The first Debian URI of the machine's apt configuration (deb822 or one-line format). */
export function debianUri(): string {
  const files = [
    ...(existsSync('/etc/apt/sources.list.d') ? readdirSync('/etc/apt/sources.list.d').filter((f) => /\.(sources|list)$/.test(f)).map((f) => `/etc/apt/sources.list.d/${f}`) : []),
    '/etc/apt/sources.list',
  ];
  for (const f of files) {
    let text = '';
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    // a Debian archive, not its security archive
    const m = /^URIs:\s*(\S+\/debian)\/?\s*$/m.exec(text) ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian)\/?\s+\S+/m.exec(text);
    if (m) return m[1];
  }
  throw new Error('no Debian archive in the apt configuration (/etc/apt/sources.list*): cannot fetch Prometheus 3');
}

/** Paths of Prometheus 3's prometheus and promtool binaries (downloaded once). */
export async function prometheus3Binary(log: (s: string) => void): Promise<{ prometheus: string; promtool: string }> {
  const have = async (b: string) => existsSync(b) && /version 3\./.test((await run([b, '--version'])).stdout);
  if ((await have(BIN)) && (await have(PROMTOOL))) return { prometheus: BIN, promtool: PROMTOOL };
  log('fetching Prometheus 3 from Debian unstable (apt-get download; nothing is installed) ...');
  rmSync(DIR, { recursive: true, force: true });
  for (const d of ['etc', 'lists/partial', 'cache/archives/partial', 'root']) mkdirSync(join(DIR, d), { recursive: true });
  writeFileSync(
    join(DIR, 'etc/sid.sources'),
    `Types: deb\nURIs: ${debianUri()}\nSuites: sid\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`,
  );
  const apt = [
    '-o', 'Dir::Etc::SourceList=/dev/null',
    '-o', `Dir::Etc::SourceParts=${join(DIR, 'etc')}`,
    '-o', `Dir::State::Lists=${join(DIR, 'lists')}`,
    '-o', `Dir::Cache=${join(DIR, 'cache')}`,
    '-o', 'APT::Sandbox::User=root',
  ];
  const env = { ...process.env, PATH: HOST_PATH, DEBIAN_FRONTEND: 'noninteractive' };
  await must(['apt-get', ...apt, 'update'], { env, timeoutMs: 300_000 });
  await must(['apt-get', ...apt, 'download', 'prometheus', 'promtool'], { env, timeoutMs: 300_000, cwd: DIR });
  for (const pkg of ['prometheus', 'promtool']) {
    const deb = readdirSync(DIR).find((f) => new RegExp(`^${pkg}_3\\..*\\.deb$`).test(f));
    if (!deb) throw new Error(`Debian unstable did not give a ${pkg} 3 package (got: ${readdirSync(DIR).join(', ')})`);
    await must(['dpkg', '-x', join(DIR, deb), join(DIR, 'root')]);
  }
  rmSync(join(DIR, 'lists'), { recursive: true, force: true });
  rmSync(join(DIR, 'cache'), { recursive: true, force: true });
  for (const b of [BIN, PROMTOOL]) {
    const v = (await run([b, '--version'])).stdout.split('\n')[0];
    if (!/version 3\./.test(v)) throw new Error(`${b} is not Prometheus 3: ${v}`);
    log(`  ${v}`);
  }
  return { prometheus: BIN, promtool: PROMTOOL };
}
