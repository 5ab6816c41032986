// Gathered facts (Ansible's `gather_facts` / `setup`): a documented subset, read by one POSIX sh script
// in one exec, and a pure parser from its output to the `ansible_facts` map. A play gathers unless it
// says `gather_facts: false`, as Ansible's. Before the run, validation sees every fact as known-at-run-time (FACT_SHAPE),
// so a misspelled `ansible_distribtion` is refused with a suggestion, before any host is touched.
import type { Connection } from '../transport/types.ts';
import { LATER } from '../template/expr.ts';
import { TaskFailure } from './task-type.ts';

/**
 * The script: sections `@@name` followed by the output of the commands behind it. Every command has a
 * fallback or is allowed to print nothing: a minimal host (busybox, no `ip`, no python) still
 * answers, with those facts absent. Only POSIX sh, uname, cat, date, id, env are required.
 */
export const FACTS_SCRIPT = [
  // the host's environment as a module would see it: before the script's own LC_ALL
  'echo @@env; env',
  'LC_ALL=C; export LC_ALL',
  'echo @@uname; uname -s; uname -r; uname -m; uname -n; uname -v',
  'echo @@hostname; hostname 2>/dev/null || uname -n',
  // Python's socket.getfqdn(), which Ansible's fqdn is: the host name resolved, that address looked up
  `echo @@fqdn; a=$(getent ahosts "$(hostname 2>/dev/null || uname -n)" 2>/dev/null | awk 'NR==1{print $1}'); [ -n "$a" ] && getent hosts "$a" 2>/dev/null | head -n 1`,
  'echo @@os-release; cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null',
  'echo @@debian_version; cat /etc/debian_version 2>/dev/null',
  // the route to a public address is the default one as the kernel picks it; no `ip`: /proc/net/route
  'echo @@route; ip -4 route get 1.1.1.1 2>/dev/null || ip -4 route show default 2>/dev/null',
  'echo @@proc_route; cat /proc/net/route 2>/dev/null',
  'echo @@addr; ip -4 -o addr show 2>/dev/null',
  'echo @@date; date "+%Y %m %d %H %M %S %s %Z %z %A %w %W"; date -u "+%Y-%m-%dT%H:%M:%SZ"',
  'echo @@user; id -un; id -u; id -g; echo "$HOME"; echo "$SHELL"',
  'echo @@init; cat /proc/1/comm 2>/dev/null',
  'echo @@markers; [ -d /run/systemd/system ] && echo systemd; [ -x /sbin/openrc-run ] || [ -x /sbin/openrc ] && echo openrc; [ -d /etc/init.d ] && echo initd',
  // Ansible's interpreter discovery settles on the distribution's /usr/bin/python3 where there is one
  // (INTERPRETER_PYTHON_DISTRO_MAP), not the first python3 on PATH (a pyenv shim, a venv)
  `echo @@python; for p in /usr/bin/python3 python3 python; do command -v "$p" >/dev/null 2>&1 && "$p" -c 'import sys; v = sys.version_info; print(sys.executable); print(v[0], v[1], v[2], v[3], v[4]); print(sys.implementation.name)' 2>/dev/null && break; done`,
  'echo @@pkg; for m in apt-get dnf5 dnf yum apk zypper pacman; do command -v "$m" >/dev/null 2>&1 && echo "$m"; done',
  'echo @@cpu; nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null',
  'echo @@meminfo; cat /proc/meminfo 2>/dev/null',
  'echo @@selinux; cat /sys/fs/selinux/enforce 2>/dev/null',
  'echo @@end',
].join('\n');

export type Facts = Record<string, unknown>;

/** Ansible's `distribution` for an os-release ID (its own spelling of each). */
const DISTRIBUTION: Record<string, string> = {
  debian: 'Debian', ubuntu: 'Ubuntu', linuxmint: 'Linux Mint', raspbian: 'Debian', kali: 'Kali', pop: 'Pop!_OS',
  rhel: 'RedHat', centos: 'CentOS', rocky: 'Rocky', almalinux: 'AlmaLinux', fedora: 'Fedora', amzn: 'Amazon', ol: 'OracleLinux', scientific: 'Scientific',
  alpine: 'Alpine', arch: 'Archlinux', manjaro: 'Archlinux', sles: 'SLES', 'opensuse-leap': 'openSUSE Leap', 'opensuse-tumbleweed': 'openSUSE Tumbleweed',
};
/** Ansible's `os_family` for a distribution; others by os-release ID_LIKE, else the distribution itself. */
const FAMILY: Record<string, string> = {
  Debian: 'Debian', Ubuntu: 'Debian', 'Linux Mint': 'Debian', Kali: 'Debian', 'Pop!_OS': 'Debian',
  RedHat: 'RedHat', CentOS: 'RedHat', Rocky: 'RedHat', AlmaLinux: 'RedHat', Fedora: 'RedHat', Amazon: 'RedHat', OracleLinux: 'RedHat', Scientific: 'RedHat',
  Alpine: 'Alpine', Archlinux: 'Archlinux', SLES: 'Suse', 'openSUSE Leap': 'Suse', 'openSUSE Tumbleweed': 'Suse',
};
const LIKE_FAMILY: [RegExp, string][] = [[/\b(debian|ubuntu)\b/, 'Debian'], [/\b(rhel|fedora|centos)\b/, 'RedHat'], [/\bsuse\b/, 'Suse'], [/\barch\b/, 'Archlinux']];
const PKG_MGR: Record<string, string> = { 'apt-get': 'apt', dnf5: 'dnf5', dnf: 'dnf', yum: 'yum', apk: 'apk', zypper: 'zypper', pacman: 'pacman' };

function sections(out: string): Map<string, string[]> {
  const s = new Map<string, string[]>();
  let cur: string[] | undefined;
  for (const line of out.split('\n')) {
    const m = line.match(/^@@([a-z_-]+)$/);
    if (m) s.set(m[1], (cur = []));
    else cur?.push(line);
  }
  for (const lines of s.values()) while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return s;
}

/** os-release is shell assignments: `KEY=value`, `KEY="value"`, `KEY='value'`. */
export function parseOsRelease(lines: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of lines) {
    const m = l.match(/^([A-Z0-9_]+)=(.*)$/);
    if (!m) continue;
    let v = m[2].trim();
    if (/^".*"$/.test(v)) v = v.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
    else if (/^'.*'$/.test(v)) v = v.slice(1, -1);
    out[m[1]] = v;
  }
  return out;
}

const int = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s.trim()) ? parseInt(s, 10) : undefined);
const mask = (prefix: number) => [0, 1, 2, 3].map((i) => (prefix >= 8 * (i + 1) ? 255 : prefix <= 8 * i ? 0 : 256 - 2 ** (8 - (prefix - 8 * i)))).join('.');
const network = (addr: string, prefix: number) => addr.split('.').map((o, i) => Number(o) & Number(mask(prefix).split('.')[i])).join('.');
/** /proc/net/route writes addresses as little-endian hex */
const hexIp = (h: string) => [6, 4, 2, 0].map((i) => parseInt(h.slice(i, i + 2), 16)).join('.');

function defaultIpv4(s: Map<string, string[]>): Facts {
  const route = (s.get('route') ?? []).join(' ');
  let iface = route.match(/\bdev (\S+)/)?.[1];
  let gateway = route.match(/\bvia (\S+)/)?.[1];
  let address = route.match(/\bsrc (\S+)/)?.[1];
  if (!iface) {
    // no `ip`: the kernel's table, the default route being destination 00000000
    const row = (s.get('proc_route') ?? []).map((l) => l.trim().split(/\s+/)).find((f) => f[1] === '00000000' && f[2] !== undefined);
    if (row) [iface, gateway] = [row[0], row[2] === '00000000' ? undefined : hexIp(row[2])];
  }
  if (!iface) return {}; // no default route: Ansible's value too
  const out: Facts = { interface: iface };
  if (gateway) out.gateway = gateway;
  for (const l of s.get('addr') ?? []) {
    const m = l.match(/^\d+:\s+(\S+)\s+inet (\d+\.\d+\.\d+\.\d+)\/(\d+)(?: brd (\S+))?/);
    if (!m || m[1] !== iface || (address && m[2] !== address)) continue;
    const prefix = Number(m[3]);
    address = m[2];
    Object.assign(out, { prefix: String(prefix), netmask: mask(prefix), network: network(m[2], prefix), ...(m[4] ? { broadcast: m[4] } : {}) });
    break;
  }
  if (address) out.address = address;
  return out;
}

function dateTime(lines: string[]): Facts | undefined {
  const f = (lines[0] ?? '').split(' ');
  if (f.length < 12) return undefined;
  const [year, month, day, hour, minute, second, epoch, tz, tz_offset, weekday, weekday_number, weeknumber] = f;
  return {
    year, month, day, hour, minute, second, epoch, epoch_int: epoch, tz, tz_offset, weekday, weekday_number, weeknumber,
    date: `${year}-${month}-${day}`,
    time: `${hour}:${minute}:${second}`,
    iso8601: lines[1] ?? '',
    iso8601_basic_short: `${year}${month}${day}T${hour}${minute}${second}`,
  };
}

/**
 * Ansible's service_mgr: PID 1's name (a few renamed), unless it is `init` or a shell (it says nothing
 * then); else what the system shows signs of.
 */
function serviceMgr(init: string | undefined, markers: string[]): string {
  const renamed: Record<string, string> = { procd: 'openwrt_init', 'runit-init': 'runit', svscan: 'svc', 'openrc-init': 'openrc' };
  const proc1 = init?.split('/').pop()?.trim();
  if (proc1 && proc1 !== 'init' && !proc1.endsWith('sh')) return renamed[proc1] ?? proc1;
  if (markers.includes('systemd')) return 'systemd';
  if (markers.includes('openrc')) return 'openrc';
  return markers.includes('initd') ? 'sysvinit' : 'service';
}

/**
 * As Python's socket.getfqdn(): of the names the host's address has (`getent hosts` of it: address,
 * name, aliases), the first with a dot, else the first; the host name when its address has none.
 * An older script printed `hostname -f` here: one word, taken as it is.
 */
function getfqdn(line: string | undefined, hostname: string): string {
  const words = (line ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 1) return words[0];
  const names = words.slice(1);
  return names.find((n) => n.includes('.')) ?? names[0] ?? hostname;
}

function env(lines: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  let last: string | undefined;
  for (const l of lines) {
    const m = l.match(/^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s);
    if (m) out[(last = m[1])] = m[2];
    else if (last !== undefined) out[last] += `\n${l}`; // a value with a newline in it
  }
  return out;
}

/** Pure: the facts script's output as Ansible's `ansible_facts` (keys without the `ansible_` prefix). */
export function parseFacts(out: string): Facts {
  const s = sections(out);
  const get = (k: string) => s.get(k) ?? [];
  const [system, kernel, machine, nodename, kernelVersion] = get('uname');
  const os = parseOsRelease(get('os-release'));
  const id = (os.ID ?? '').toLowerCase();
  const distribution = DISTRIBUTION[id] ?? (os.NAME || system || 'NA');
  const debianVersion = get('debian_version')[0]?.trim();
  // Ansible takes Debian's point release from /etc/debian_version ("12.11"); testing has "trixie/sid" there
  const version = distribution === 'Debian' && debianVersion && /^\d+(\.\d+)*$/.test(debianVersion) ? debianVersion : (os.VERSION_ID ?? '');
  const likeFamily = LIKE_FAMILY.find(([re]) => re.test(os.ID_LIKE ?? ''))?.[1];
  const hostname = (get('hostname')[0] ?? nodename ?? '').trim();
  const fqdn = getfqdn(get('fqdn')[0], hostname);
  const [user_id, uid, gid, dir, shell] = get('user');
  const [pyExe, pyVer, pyImpl] = get('python');
  const pv = pyVer?.split(' ');
  const mem = Object.fromEntries(get('meminfo').map((l) => l.match(/^(\w+):\s+(\d+) kB/)).filter((m) => m !== null).map((m) => [m![1], Math.floor(Number(m![2]) / 1024)]));
  const cpus = int(get('cpu')[0]);
  const enforce = get('selinux')[0]?.trim();
  const facts: Facts = {
    system: system ?? '',
    kernel: kernel ?? '',
    kernel_version: kernelVersion ?? '',
    architecture: machine ?? '',
    machine: machine ?? '',
    nodename: nodename ?? '',
    hostname: hostname.split('.')[0],
    fqdn,
    domain: fqdn.split('.').slice(1).join('.'),
    distribution,
    distribution_version: version,
    distribution_major_version: version.split('.')[0] || 'NA',
    distribution_release: os.VERSION_CODENAME || os.VERSION?.match(/\(([^)]+)\)/)?.[1] || 'NA',
    os_family: FAMILY[distribution] ?? likeFamily ?? distribution,
    default_ipv4: defaultIpv4(s),
    date_time: dateTime(get('date')) ?? {},
    service_mgr: serviceMgr(get('init')[0]?.trim(), get('markers')),
    pkg_mgr: PKG_MGR[get('pkg')[0] ?? ''] ?? 'unknown',
    user_id: user_id ?? '',
    user_uid: int(uid) ?? -1,
    user_gid: int(gid) ?? -1,
    user_dir: dir ?? '',
    user_shell: shell ?? '',
    env: env(get('env')),
    selinux: enforce === '1' ? { status: 'enabled', mode: 'enforcing' } : enforce === '0' ? { status: 'enabled', mode: 'permissive' } : { status: 'disabled' },
  };
  if (cpus !== undefined) Object.assign(facts, { processor_vcpus: cpus, processor_nproc: cpus });
  if (mem.MemTotal !== undefined) Object.assign(facts, { memtotal_mb: mem.MemTotal, memfree_mb: mem.MemFree ?? 0, swaptotal_mb: mem.SwapTotal ?? 0 });
  if (pyExe && pv?.length === 5) {
    const [major, minor, micro, releaselevel, serial] = pv;
    facts.python = { executable: pyExe, type: pyImpl?.trim() || 'cpython', version: { major: Number(major), minor: Number(minor), micro: Number(micro), releaselevel, serial: Number(serial) }, version_info: [Number(major), Number(minor), Number(micro), releaselevel, Number(serial)] };
    facts.python_version = `${major}.${minor}.${micro}`;
  }
  return facts;
}

/**
 * The variables facts are seen as: `ansible_facts` itself, and each fact as `ansible_<name>` (Ansible's
 * INJECT_FACTS_AS_VARS). The local facts (facts.d) keep their name in ansible_facts too (namespace_facts
 * leaves `ansible_local` prefixed), so they are the variable `ansible_local`, not `ansible_ansible_local`;
 * so do gather_subset and module_setup.
 */
export function factVars(facts: Facts): Record<string, unknown> {
  return { ansible_facts: facts, ...Object.fromEntries(Object.entries(facts).map(([k, v]) => [UNPREFIXED.has(k) ? k : `ansible_${k}`, v])) };
}

/**
 * Setup's facts that it names without the `ansible_` prefix (ansible_local, which keeps its own, and
 * what setup says of itself: gather_subset, module_setup): a variable under that name.
 */
const UNPREFIXED = new Set(['ansible_local', 'gather_subset', 'module_setup']);

/** What setup says of itself among its facts: the subset it was given, and that it ran. */
export const setupSays = (subset: string[]): Facts => ({ gather_subset: subset, module_setup: true });

const L = LATER;
/**
 * What validation knows of the facts before any host is read: every name, and the keys of the maps
 * whose keys are fixed; each value known at run time. `env`'s keys are the host's, so all of it is.
 */
export const FACT_SHAPE: Facts = {
  system: L, kernel: L, kernel_version: L, architecture: L, machine: L, nodename: L, hostname: L, fqdn: L, domain: L,
  distribution: L, distribution_version: L, distribution_major_version: L, distribution_release: L, os_family: L,
  default_ipv4: { interface: L, address: L, gateway: L, prefix: L, netmask: L, network: L, broadcast: L },
  date_time: Object.fromEntries(['year', 'month', 'day', 'hour', 'minute', 'second', 'epoch', 'epoch_int', 'tz', 'tz_offset', 'weekday', 'weekday_number', 'weeknumber', 'date', 'time', 'iso8601', 'iso8601_basic_short'].map((k) => [k, L])),
  service_mgr: L, pkg_mgr: L, user_id: L, user_uid: L, user_gid: L, user_dir: L, user_shell: L, env: L,
  selinux: { status: L, mode: L },
  processor_vcpus: L, processor_nproc: L, memtotal_mb: L, memfree_mb: L, swaptotal_mb: L,
  python: { executable: L, type: L, version: { major: L, minor: L, micro: L, releaselevel: L, serial: L }, version_info: L },
  python_version: L,
};


/** A host's facts, read through its connection in one exec. */
export async function gatherFacts(conn: Connection): Promise<Facts> {
  const r = await conn.exec(FACTS_SCRIPT, { timeoutMs: GATHER_TIMEOUT_MS });
  if (r.code !== 0) throw new TaskFailure(`gathering facts: the script exited ${r.code}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').slice(-3).join(' ')}` : ''}`);
  return parseFacts(r.stdout);
}
/** every command of the script is local to the host and quick: a minute means something hangs */
const GATHER_TIMEOUT_MS = 60_000;
