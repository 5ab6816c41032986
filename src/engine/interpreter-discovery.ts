// Ansible's Python interpreter discovery (executor/interpreter_discovery.py), for a host whose
// ansible_python_interpreter is auto, auto_legacy, auto_silent or auto_legacy_silent: a shell bootstrap
// says the platform (uname) and which Pythons of INTERPRETER_PYTHON_FALLBACK are there; on Linux the
// first one reads /etc/os-release, and the distribution's version picks the platform Python from
// _INTERPRETER_PYTHON_DISTRO_MAP. What it found is the host's fact discovered_interpreter_python.
import type { Connection } from '../transport/types.ts';

export const DISCOVERY_MODES = ['auto', 'auto_legacy', 'auto_silent', 'auto_legacy_silent'] as const;

/** ansible_python_interpreter asks for discovery (module_common's _get_shebang: empty or a mode). */
export const isDiscoveryMode = (v: unknown): v is string => typeof v === 'string' && (v.trim() === '' || (DISCOVERY_MODES as readonly string[]).includes(v.trim()));

// config/base.yml's defaults (INTERPRETER_PYTHON_FALLBACK, _INTERPRETER_PYTHON_DISTRO_MAP)
const FALLBACK = ['python3.11', 'python3.10', 'python3.9', 'python3.8', 'python3.7', 'python3.6', 'python3.5', '/usr/bin/python3', '/usr/libexec/platform-python', 'python2.7', '/usr/bin/python', 'python'];
const DISTRO_MAP: Record<string, Record<string, string>> = {
  redhat: { '6': '/usr/bin/python', '8': '/usr/libexec/platform-python', '9': '/usr/bin/python3' },
  debian: { '8': '/usr/bin/python', '10': '/usr/bin/python3' },
  fedora: { '23': '/usr/bin/python3' },
  ubuntu: { '14': '/usr/bin/python', '16': '/usr/bin/python3' },
};
// Distribution.OS_FAMILY (lower-cased) for the families the map has
const REDHAT = ['redhat', 'rhel', 'fedora', 'centos', 'scientific', 'slc', 'ascendos', 'cloudlinux', 'psbm', 'oraclelinux', 'ovs', 'oel', 'amazon', 'virtuozzo', 'xenserver', 'alibaba', 'euleros', 'openeuler', 'almalinux', 'rocky', 'tencentos', 'eurolinux', 'kylin linux advanced server'];
const DEBIAN = ['debian', 'ubuntu', 'raspbian', 'neon', 'kde neon', 'linux mint', 'steamos', 'devuan', 'kali', 'cumulus linux', 'pop!_os', 'parrot', 'pardus gnu/linux', 'uos', 'deepin', 'osmc'];
const FAMILY: Record<string, string> = Object.fromEntries([...REDHAT.map((d) => [d, 'redhat']), ...DEBIAN.map((d) => [d, 'debian'])]);

// what python_target.py sends back (platform.dist() is gone from the Pythons of today)
const PLATFORM_SCRIPT = `import io, json, os
def read(p):
    if not os.access(p, os.R_OK):
        return None
    with io.open(p, 'r', encoding='utf-8') as f:
        return f.read()
print(json.dumps(dict(platform_dist_result=[], osrelease_content=read('/etc/os-release') or read('/usr/lib/os-release'))))
`;

const DOC = 'https://docs.ansible.com/ansible-core/2.14/reference_appendices/interpreter_discovery.html';

/** os-release's ID and VERSION_ID (distro's _parse_os_release_content: quotes taken off). */
export function osRelease(content: string): { id: string; version: string } {
  const out: Record<string, string> = {};
  for (const line of content.split('\n')) {
    const m = line.trim().match(/^([A-Za-z0-9_]+)=(.*)$/);
    if (m) out[m[1].toLowerCase()] = m[2].replace(/^(["'])(.*)\1$/, '$2');
  }
  return { id: out.id ?? '', version: out.version_id ?? '' };
}

/** LooseVersion's parts: numbers as numbers, letters as words. */
const loose = (v: string) => (v.match(/\d+|[a-z]+/gi) ?? []).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
function compareLoose(a: string, b: string): number {
  const [x, y] = [loose(a), loose(b)];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] === y[i]) continue;
    if (typeof x[i] === typeof y[i]) return x[i] < y[i] ? -1 : 1;
    return typeof x[i] === 'number' ? -1 : 1;
  }
  return x.length - y.length;
}

/** _version_fuzzy_match: the exact version, else the nearest one before it, else the oldest. */
export function versionMatch(version: string, map: Record<string, string>): string | undefined {
  if (map[version]) return map[version];
  const sorted = Object.keys(map).sort(compareLoose);
  const after = sorted.findIndex((k) => compareLoose(k, version) > 0);
  const pos = after < 0 ? sorted.length : after;
  return map[sorted[pos === 0 ? 0 : pos - 1]];
}

export interface Discovered {
  interpreter: string;
  /** the result's warnings (none in a _silent mode) */
  warnings: string[];
}

/** Discovery on this connection, as Ansible's discover_interpreter (its warnings in its words). */
export async function discoverPython(conn: Connection, host: string, mode: string): Promise<Discovered> {
  const legacy = mode.startsWith('auto_legacy');
  const silent = mode.endsWith('_silent');
  const warnings: string[] = [];
  const warn = (w: string) => void (silent || warnings.push(w));
  let platform = 'unknown';
  let found = ['/usr/bin/python'];
  try {
    const boot = await conn.exec(`echo PLATFORM; uname; echo FOUND; ${FALLBACK.map((p) => `command -v '${p}'`).join('; ')}; echo ENDFOUND`);
    const m = boot.stdout.match(/^PLATFORM[\r\n]+([\s\S]*)FOUND([\s\S]*)ENDFOUND/);
    if (!m) throw new Error('unexpected output from Python interpreter discovery');
    platform = m[1].toLowerCase().trim();
    found = m[2].split(/\r?\n/).filter((l) => l.startsWith('/')).map((l) => l.trim());
    if (!found.length) {
      warn(`No python interpreters found for host ${host} (tried ${JSON.stringify(FALLBACK).replace(/"/g, "'").replace(/,/g, ', ')})`);
      return { interpreter: '/usr/bin/python', warnings };
    }
    if (platform !== 'linux') return fallback();
    const r = await conn.exec(found[0], { stdin: PLATFORM_SCRIPT });
    const info = JSON.parse(r.stdout) as { osrelease_content?: string | null };
    const { id, version } = osRelease(info.osrelease_content ?? '');
    if (!id || !version) return fallback();
    const distro = id.toLowerCase().trim();
    const versions = DISTRO_MAP[distro] ?? DISTRO_MAP[FAMILY[distro] ?? ''];
    if (!versions) return fallback();
    const platformPython = versionMatch(version, versions)!;
    // Ansible's transition for hosts that had /usr/bin/python
    if (legacy && platformPython !== '/usr/bin/python' && found.includes('/usr/bin/python')) {
      warn(`Distribution ${id} ${version} on host ${host} should use ${platformPython}, but is using /usr/bin/python for backward compatibility with prior Ansible releases. See ${DOC} for more information`);
      return { interpreter: '/usr/bin/python', warnings };
    }
    if (!found.includes(platformPython)) {
      if (!FALLBACK.includes(platformPython)) warn(`Platform interpreter ${platformPython} on host ${host} is missing from bootstrap list`);
      warn(`Distribution ${id} ${version} on host ${host} should use ${platformPython}, but is using ${found[0]}, since the discovered platform python interpreter was not present. See ${DOC} for more information.`);
      return { interpreter: found[0], warnings };
    }
    return { interpreter: platformPython, warnings };
  } catch (e) {
    warn(`Unhandled error in Python interpreter discovery for host ${host}: ${(e as Error).message}`);
    return fallback();
  }

  function fallback(): Discovered {
    warn(`Platform ${platform} on host ${host} is using the discovered Python interpreter at ${found[0]}, but future installation of another Python interpreter could change the meaning of that path. See ${DOC} for more information.`);
    return { interpreter: found[0], warnings };
  }
}
