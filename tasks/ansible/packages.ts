// Ansible's apt and package (through apt-get and dpkg), and yum/dnf, which skiff reads but does not run
// (it manages packages through apt only): they fail naming what the host lacks, or that skiff has no
// rpm support, so a role's RedHat branch fails clearly instead of doing something else.
import * as v from 'valibot';
import { Bool, Num } from '../lib/schema.ts';
import { shJoin } from '../../src/transport/quote.ts';
import type { Connection } from '../../src/transport/types.ts';
import { TaskFailure, type Plan, type TaskContext, type TaskType } from '../../src/engine/task-type.ts';
import { findModule } from './core-modules.ts';
import { pythonModule } from './python-module.ts';
import { toolsOn } from '../lib/host-tools.ts';

const Name = v.pipe(
  v.string(),
  v.minLength(1, 'expected a package name'),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9+.:_~*-]*(=[A-Za-z0-9+.:_~*-]+)?$/, 'expected a package name, optionally =VERSION (a .deb file or URL is not supported by skiff)'),
);
const Names = v.pipe(
  v.union([v.array(v.string()), v.string()], 'expected a package name or a list of them'),
  // Ansible's apt also reads "a,b" as two names
  v.transform((n) => (Array.isArray(n) ? n : n.split(',').map((s) => s.trim()).filter(Boolean))),
  v.array(Name),
);
/** apt's states, as Ansible's apt takes them (its build-dep and fixed are not skiff's: refused by the message) */
const AptState = v.picklist(['present', 'absent', 'latest'], 'expected present, absent or latest (build-dep and fixed are Ansible apt states skiff does not honour)');
/** package's: the generic module also passes installed/removed on to managers that take them */
const State = v.pipe(
  v.picklist(['present', 'installed', 'absent', 'removed', 'latest'], 'expected present, absent or latest'),
  v.transform((s) => (s === 'installed' ? 'present' : s === 'removed' ? 'absent' : s) as 'present' | 'absent' | 'latest'),
);

const aptSchema = v.pipe(
  v.strictObject({
    name: v.optional(Names),
    /** Ansible's other name for name */
    pkg: v.optional(Names),
    state: v.optional(AptState, 'present'),
    update_cache: v.optional(Bool, false),
    /** seconds: the cache is refreshed only when older than this */
    cache_valid_time: v.optional(v.pipe(Num, v.integer(), v.minValue(0)), 0),
    allow_downgrade: v.optional(Bool, false),
    install_recommends: v.optional(Bool),
    /** absent: also remove configuration files */
    purge: v.optional(Bool, false),
    /** skiff always runs apt-get (never aptitude) */
    force_apt_get: v.optional(v.literal(true, 'expected true (skiff always uses apt-get)')),
  }),
  v.check((p) => p.name === undefined || p.pkg === undefined, 'expected name or pkg, not both'),
  // Ansible's required_one_of asks for the key: an empty list (`name: "{{ apt_install }}"`, [] by
  // default in Oefenweb.apt) is ok, with nothing to do
  v.check((p) => p.name !== undefined || p.pkg !== undefined || p.update_cache, 'expected name (or update_cache: true)'),
  v.transform(({ pkg, ...p }) => ({ ...p, name: p.name ?? pkg ?? [] })),
);
export type AptParams = v.InferOutput<typeof aptSchema>;

/** What dpkg and apt say about the named packages: installed version, and the candidate for `latest`. */
export interface AptFacts {
  installed: Map<string, string>;
  candidate: Map<string, string>;
}

/** Lines of `dpkg-query -W -f='${Package}\t${db:Status-Status}\t${Version}\n'`: installed packages. Pure. */
export function parseDpkg(out: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of out.split('\n')) {
    const [name, status, version] = line.split('\t');
    if (status === 'installed' && version) m.set(name.replace(/:[a-z0-9]+$/, ''), version);
  }
  return m;
}

/** `apt-cache policy A B`: each package's Candidate version (none when apt knows no candidate). Pure. */
export function parsePolicy(out: string): Map<string, string> {
  const m = new Map<string, string>();
  let pkg: string | undefined;
  for (const line of out.split('\n')) {
    const head = /^(\S+):$/.exec(line);
    if (head) pkg = head[1];
    const cand = /^\s+Candidate:\s*(\S+)/.exec(line);
    if (pkg && cand && cand[1] !== '(none)') m.set(pkg, cand[1]);
  }
  return m;
}

/** fnmatch's special characters in a package name: apt's module matches such names against the cache */
const GLOB = /[*?[]/;
const namesOf = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : typeof x === 'string' && !/\{[{%]/.test(x) ? x.split(',').map((n) => n.trim()) : []);

const split = (spec: string) => {
  const at = spec.indexOf('=');
  return at < 0 ? { name: spec, version: undefined } : { name: spec.slice(0, at), version: spec.slice(at + 1) };
};
/** apt's `name=1.2*`: the version as a glob. */
const versionMatches = (have: string, want: string) => new RegExp(`^${want.replace(/[.+^$()|[\]\\?{}]/g, '\\$&').replace(/\*/g, '.*')}$`).test(have);

/** Which packages apt-get has to install, upgrade or remove for `p`, from facts. Pure. */
export function planApt(p: Pick<AptParams, 'name' | 'state'>, f: AptFacts): { install: string[]; upgrade: string[]; remove: string[] } {
  const out = { install: [] as string[], upgrade: [] as string[], remove: [] as string[] };
  for (const spec of p.name) {
    const { name, version } = split(spec);
    const have = f.installed.get(name);
    if (p.state === 'absent') {
      if (have !== undefined) out.remove.push(name);
    } else if (have === undefined || (version !== undefined && !versionMatches(have, version))) out.install.push(spec);
    else if (p.state === 'latest' && version === undefined && f.candidate.has(name) && f.candidate.get(name) !== have) out.upgrade.push(name);
  }
  return out;
}

const APT_ENV = 'DEBIAN_FRONTEND=noninteractive';

/** The apt-get command lines for a plan. Pure. */
export function aptCommands(p: Pick<AptParams, 'allow_downgrade' | 'install_recommends' | 'purge'>, todo: ReturnType<typeof planApt>): string[] {
  const cmds: string[] = [];
  const add = [...todo.install, ...todo.upgrade];
  if (add.length) {
    const opts = ['-y', '-q', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold'];
    if (p.allow_downgrade) opts.push('--allow-downgrades');
    if (p.install_recommends === true) opts.push('--install-recommends');
    if (p.install_recommends === false) opts.push('--no-install-recommends');
    cmds.push(`${APT_ENV} apt-get install ${shJoin(opts)} -- ${shJoin(add)}`);
  }
  if (todo.remove.length) cmds.push(`${APT_ENV} apt-get ${p.purge ? 'purge' : 'remove'} -y -q -- ${shJoin(todo.remove)}`);
  return cmds;
}

/** Seconds since the apt cache was last refreshed, as the apt module's get_cache_mtime measures it. */
async function cacheAge(conn: Connection): Promise<number> {
  // the apt module's get_cache_mtime: apt's update-success stamp, else the lists directory
  const r = await conn.exec(`echo $(( $(date +%s) - $(stat -c %Y /var/lib/apt/periodic/update-success-stamp 2>/dev/null || stat -c %Y /var/lib/apt/lists 2>/dev/null || echo 0) ))`);
  const n = Number(r.stdout.trim());
  return Number.isFinite(n) ? n : Infinity;
}

async function readAptFacts(conn: Connection, p: AptParams): Promise<AptFacts> {
  const names = p.name.map((s) => split(s).name);
  if (!names.length) return { installed: new Map(), candidate: new Map() };
  // dpkg-query exits 1 when a name is unknown to it (not installed, ever): that is a fact, not an error
  const q = `dpkg-query -W -f='\${Package}\\t\${db:Status-Status}\\t\${Version}\\n' -- ${shJoin(names)} 2>/dev/null; echo @policy;` + (p.state === 'latest' ? ` apt-cache policy -- ${shJoin(names)}` : '');
  const r = await conn.exec(q);
  const [dpkg, policy = ''] = r.stdout.split('@policy\n');
  return { installed: parseDpkg(dpkg), candidate: parsePolicy(policy) };
}

interface AptState {
  commands: string[];
  updateCache: boolean;
}

async function planAptTask(ctx: TaskContext, p: AptParams, module: string): Promise<{ changes: string[]; state: AptState; result: Record<string, unknown>; note?: string }> {
  const have = await toolsOn(ctx.conn, ['apt-get', 'dpkg-query']);
  if (!have.has('apt-get') || !have.has('dpkg-query')) throw new TaskFailure(`${module}: no ${have.has('apt-get') ? 'dpkg-query' : 'apt-get'} on ${ctx.conn.host}`);
  // Ansible's apt refreshes for update_cache, or for cache_valid_time alone, when the cache is older
  let stale = (p.update_cache || p.cache_valid_time > 0) && (p.cache_valid_time === 0 || (await cacheAge(ctx.conn)) > p.cache_valid_time);
  let cache_updated = false;
  let note: string | undefined;
  // As Ansible's apt: the cache is refreshed before deciding (so `latest` sees new versions) and does
  // not count as a change when packages are named; never in check mode, which writes nothing.
  if (stale && p.name.length) {
    if (ctx.check) {
      note = 'apt cache not refreshed in check mode';
      // Ansible's apt says cache_updated in check mode all the same (its `module.check_mode or ...`)
      cache_updated = true;
    }
    else {
      await updateCache(ctx.conn, module);
      cache_updated = true;
      stale = false;
    }
  }
  const todo = planApt(p, await readAptFacts(ctx.conn, p));
  const commands = aptCommands(p, todo);
  // check mode: apt-get simulates what it would do, as Ansible's apt runs it (--simulate), so a package
  // apt cannot install (a conflict, an unknown name) fails here too (mrlesmithjr's ntp on Debian 12)
  if (ctx.check) for (const cmd of commands) await runApt(ctx.conn, cmd.replace(/ apt-get (install|remove|purge) /, ' apt-get $1 --simulate '), module);
  const changes = [
    ...(stale && !p.name.length ? ['update the apt cache'] : []),
    ...todo.install.map((n) => `install ${n}`),
    ...todo.upgrade.map((n) => `upgrade ${n}`),
    ...todo.remove.map((n) => `${p.purge ? 'purge' : 'remove'} ${n}`),
  ];
  return { changes, state: { commands, updateCache: stale && !p.name.length }, result: { cache_updated }, note };
}

async function updateCache(conn: Connection, module: string): Promise<void> {
  const r = await conn.exec(`${APT_ENV} apt-get update -q`);
  if (r.code !== 0) throw new TaskFailure(`${module}: apt-get update exited ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
}

/** One apt-get command; its stdout, or the task failed with its last lines. */
async function runApt(conn: Connection, cmd: string, module: string, before = ''): Promise<string> {
  const r = await conn.exec(cmd);
  const stdout = before + r.stdout;
  if (r.code !== 0) throw new TaskFailure(`${module}: apt-get exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`, { rc: r.code, stdout, stderr: r.stderr });
  return stdout;
}

async function applyApt(ctx: TaskContext, s: AptState, module: string): Promise<Record<string, unknown>> {
  if (s.updateCache) await updateCache(ctx.conn, module);
  let stdout = '';
  for (const cmd of s.commands) stdout = await runApt(ctx.conn, cmd, module, stdout);
  return { cache_updated: s.updateCache, stdout, stdout_lines: stdout ? stdout.replace(/\n$/, '').split('\n') : [] };
}

export const apt: TaskType<AptParams, AptState> = {
  name: 'ansible.builtin.apt',
  summary: 'Debian packages are installed (present, latest) or absent, through apt-get (Ansible\'s apt)',
  schema: aptSchema,
  shortKey: 'name',
  // a glob among the names (`name: "*"` with latest upgrades all: the CIS roles) is for Ansible's apt module
  refuseParam: (key, value) => ((key === 'name' || key === 'pkg') && namesOf(value).some((n) => GLOB.test(split(n).name)) ? `${key}: a glob (${namesOf(value).join(', ')}) is an apt name skiff's apt does not match` : undefined),
  plan: (ctx, p) => planAptTask(ctx, p, 'apt'),
  apply: (ctx, _p, plan) => applyApt(ctx, plan.state!, 'apt'),
};

// Ansible's package action passes every argument but `use` on to the manager's own module (yum's
// enablerepo...): those are for the manager to take or refuse when the task runs
const packageSchema = v.looseObject({
  /** optional: Ansible's package action validates nothing, the manager's module does (update_cache alone) */
  name: v.optional(v.pipe(v.union([v.array(v.string()), v.string()], 'expected a package name or a list of them'), v.transform((n) => (Array.isArray(n) ? n : n.split(',').map((x) => x.trim()).filter(Boolean))))),
  state: v.optional(State, 'present'),
  /** the manager's module: `auto` is the host's pkg_mgr fact */
  use: v.optional(v.string(), 'auto'),
  allow_downgrade: v.optional(Bool),
});
type PackageParams = v.InferOutput<typeof packageSchema>;
type PackageState = { apt: AptState } | { module: TaskType; args: Record<string, unknown>; plan: Plan };

/** A host without apt: name the manager it has, since skiff cannot use it. */
async function noApt(conn: Connection, module: string): Promise<never> {
  const have = await toolsOn(conn, ['dnf', 'yum', 'zypper', 'apk', 'pacman']);
  const other = [...have][0];
  throw new TaskFailure(other ? `${module}: ${conn.host} manages packages with ${other}, which skiff does not run (apt only)` : `${module}: no apt-get on ${conn.host}`);
}

/** The host's package manager as Ansible's pkg_mgr fact names it: the gathered fact, else the tool there. */
async function pkgMgr(ctx: TaskContext): Promise<string | undefined> {
  const fact = (ctx.vars.ansible_facts as { pkg_mgr?: unknown } | undefined)?.pkg_mgr;
  if (typeof fact === 'string' && fact !== 'unknown') return fact;
  const have = await toolsOn(ctx.conn, ['apt-get', 'dnf', 'yum']);
  return have.has('apt-get') ? 'apt' : have.has('dnf') ? 'dnf' : have.has('yum') ? 'yum' : undefined;
}

export const packageType: TaskType<PackageParams, PackageState> = {
  name: 'ansible.builtin.package',
  summary: "packages are installed or absent through the host's manager (skiff's apt; another manager, or an option of the manager's own, through Ansible's module of it)",
  schema: packageSchema,
  shortKey: 'name',
  async plan(ctx, p) {
    const { name, state, use, allow_downgrade, ...own } = p;
    const manager = use === 'auto' ? await pkgMgr(ctx) : use;
    // skiff's apt takes plain names; no name, or a glob (`*` with latest: upgrade all), is apt's module's
    const plain = name !== undefined && name.length > 0 && name.every((n) => v.is(Name, n) && !GLOB.test(split(n).name));
    if ((manager === 'apt' || manager === undefined) && !Object.keys(own).length && plain) {
      if (!(await toolsOn(ctx.conn, ['apt-get'])).has('apt-get')) await noApt(ctx.conn, 'package');
      const plan = await planAptTask(ctx, { name: name!, state, allow_downgrade: allow_downgrade ?? false, update_cache: false, cache_valid_time: 0, purge: false, install_recommends: undefined, force_apt_get: undefined }, 'package');
      return { ...plan, state: plan.state && { apt: plan.state } };
    }
    const found = manager === undefined ? undefined : findModule(`ansible.builtin.${manager}`);
    if (typeof found !== 'object') throw new TaskFailure(`package: the manager ${manager ?? '(none found)'} on ${ctx.conn.host} runs through Ansible's module of it, which the controller's ansible-core ${typeof found === 'string' ? 'runs through an action plugin skiff does not have' : 'does not have'}`);
    const module = pythonModule(`ansible.legacy.${manager}`, found.path);
    const args = { ...(name === undefined ? {} : { name }), state, ...(allow_downgrade === undefined ? {} : { allow_downgrade }), ...own };
    const plan = await module.plan(ctx, args);
    return { ...plan, state: { module, args, plan } };
  },
  apply: (ctx, _p, plan) => ('apt' in plan.state! ? applyApt(ctx, plan.state.apt, 'package') : plan.state!.module.apply(ctx, plan.state!.args, plan.state!.plan)),
};

const rpmSchema = v.strictObject({
  name: v.optional(v.union([v.array(v.string()), v.string()], 'expected a package name or a list of them')),
  state: v.optional(v.picklist(['present', 'installed', 'absent', 'removed', 'latest'], 'expected present, absent or latest')),
  update_cache: v.optional(Bool),
  enablerepo: v.optional(v.union([v.array(v.string()), v.string()])),
  disablerepo: v.optional(v.union([v.array(v.string()), v.string()])),
  lock_timeout: v.optional(Num),
  disable_gpg_check: v.optional(Bool),
});
type RpmParams = v.InferOutput<typeof rpmSchema>;

/** yum and dnf: read, so a role's RedHat branch is checked; on a host they fail with the reason. */
function rpmManager(tool: 'yum' | 'dnf'): TaskType<RpmParams> {
  return {
    name: `ansible.builtin.${tool}`,
    summary: `RedHat packages (${tool}): read, but skiff runs apt only, so it fails on a host`,
    schema: rpmSchema,
    shortKey: 'name',
    async plan(ctx) {
      const have = await toolsOn(ctx.conn, [tool]);
      if (!have.has(tool)) throw new TaskFailure(`${tool}: no ${tool} on ${ctx.conn.host}`);
      throw new TaskFailure(`${tool}: skiff does not run ${tool} (apt only); ${ctx.conn.host} has it: use command: ${tool} install -y PKG with creates:`);
    },
    async apply() {},
  };
}
export const yum = rpmManager('yum');
export const dnf = rpmManager('dnf');

