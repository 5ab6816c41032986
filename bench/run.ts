// npm run bench -- [--hosts 2,20,200,500] [--rounds R] [--smoke] [--scenario all|scale|thanos|startup|blind] [--sizes 50M,2G,10G] [--out FILE]
//                   [--use-running-lab] [--down] [--live] [--no-build] [--only skiff,ansible,mitogen,floor]
//                   [--ansible-max-hosts 20] [--ansible-max-s 120]
//
// skiff vs ansible-playbook vs Ansible+Mitogen vs a bare ssh2 floor, on the same lab hosts, at each
// host count (see bench/README.md); then the `thanos` scenario on a fresh default lab (`startup`, on
// its own: start-up time per command, no lab: bench/startup.ts). Per round, in
// this order: skiff cold/warm/check, ansible cold/warm/check, mitogen cold/warm/check, floor. Wall
// time, the controller's peak memory and open fds of every run; the files they produced are compared
// after every cold run. Exit 1 if anything failed (a run, a recap assertion, the equivalence check,
// Mitogen not active; with --smoke also the time budget), 130 when interrupted; targets are reported
// as PASS/MISS and never change the exit code.
import { blindMain } from './blind.ts';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { labDown, labUp, type Lab } from '../lab/lab.ts';
import { KEY_FILE, KNOWN_HOSTS_FILE, LAB_DIR, MAX_PLAIN_HOSTS, STATE_FILE, hostDir, netnsName, type HostSpec } from '../lab/config.ts';
import { sshBanner } from '../lab/host.ts';
import { nsFileInode, pidsInNamespaces, run } from '../lab/proc.ts';
import { ansibleInventory, type BenchHost } from './ansible/inventory.ts';
import { skiffInventory } from './inventory.ts';
import { killActive, measure, type Measured } from './measure.ts';
import { stats, table, type Contender, type Mode, type RunRecord, type Stat } from './summary.ts';
import { evaluateTargets, targetLine } from './targets.ts';
import { chartSvg } from './chart.ts';
import { nextStep } from './limits.ts';
import { thanosScenario, type ThanosResult } from './thanos.ts';
import { startupScenario, startupTable, startupTargets } from './startup.ts';
import { bundleFresh } from '../bin/bundle.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SKIFF_ROOT = '/srv/skiff-bench'; // bench/generic.yml
const ANSIBLE_ROOT = '/srv/ansible-bench'; // bench/ansible/generic.yml (ansible and mitogen)
const TASKS = 10;
/** files whose content is not compared (only existence, type and mode): the `date` output */
const VOLATILE = new Set(['data/initialized']);
const EXPECTED_ENTRIES = ['.', 'app.conf', 'conf.d', 'conf.d/extra.conf', 'data', 'data/initialized', 'env', 'motd', 'token'];
/** the Ansible contenders: the same playbook, plain (`linear`) or with Mitogen's strategy */
const ANSIBLE_CFG: Record<'ansible' | 'mitogen', string> = { ansible: 'bench/ansible/ansible.cfg', mitogen: 'bench/ansible/mitogen.cfg' };

const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);
const MB = (kb: number) => Math.round((kb / 1024) * 10) / 10;

// ---------------------------------------------------------------------------------------------
// arguments

const { values: argv } = parseArgs({
  options: {
    hosts: { type: 'string', default: '2,20,200,500' },
    rounds: { type: 'string', default: '5' },
    smoke: { type: 'boolean', default: false },
    scenario: { type: 'string' },
    sizes: { type: 'string', default: '50M,2G,10G' },
    out: { type: 'string' },
    'use-running-lab': { type: 'boolean', default: false },
    down: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    live: { type: 'boolean', default: false },
    only: { type: 'string' },
    'ansible-max-hosts': { type: 'string', default: '20' },
    'ansible-max-s': { type: 'string', default: '120' },
  },
});
const smoke = argv.smoke!;
const counts = smoke ? [2] : [...new Set(argv.hosts!.split(',').map((x) => Number(x.trim())))].sort((a, b) => a - b);
const rounds = smoke ? 1 : Number(argv.rounds);
for (const n of counts) if (!Number.isInteger(n) || n < 1 || n > MAX_PLAIN_HOSTS) throw new Error(`--hosts: expected a list of 1..${MAX_PLAIN_HOSTS}, got ${argv.hosts}`);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) throw new Error(`--rounds: expected 1..50, got ${argv.rounds}`);
/**
 * Ansible contenders run up to --ansible-max-hosts hosts, and stop at the next count once one of
 * their runs took longer than --ansible-max-s: at 200 hosts one ansible-playbook run takes minutes
 * on 2 cores, and 15 of them per count would take the whole benchmark's time.
 */
const ansibleMaxHosts = Number(argv['ansible-max-hosts']);
const ansibleMaxMs = Number(argv['ansible-max-s']) * 1000;
if (!Number.isInteger(ansibleMaxHosts) || ansibleMaxHosts < 0) throw new Error(`--ansible-max-hosts: expected a host count, got ${argv['ansible-max-hosts']}`);
if (!(ansibleMaxMs > 0)) throw new Error(`--ansible-max-s: expected seconds, got ${argv['ansible-max-s']}`);
/** thanos needs a fresh default lab: not with --smoke (npm test ran thanos.yml already) or a lab that must not be rebuilt */
const scenario = argv.scenario ?? (smoke || argv['use-running-lab'] ? 'scale' : 'all');
if (!['all', 'scale', 'thanos', 'startup', 'blind'].includes(scenario)) throw new Error(`--scenario: expected all, scale, thanos, startup or blind, got ${scenario}`);
if (!['scale', 'startup'].includes(scenario) && (smoke || argv['use-running-lab'])) throw new Error('--scenario thanos rebuilds the default lab: not with --smoke or --use-running-lab');
/** --only skiff,floor: skip the others (to iterate on skiff; no equivalence check without both) */
const ALL = ['skiff', 'ansible', 'mitogen', 'floor'];
const contenders = new Set((argv.only ?? ALL.join(',')).split(',').map((x) => x.trim()));
for (const x of contenders) if (!ALL.includes(x)) throw new Error(`--only: unknown contender ${x} (${ALL.join(', ')})`);
if (smoke && contenders.size < ALL.length) throw new Error('--smoke runs every contender');
const started = Date.now();
/**
 * The smoke run is part of the test suite: it must end in < 2 min, whatever happens. The budget
 * starts once the prerequisites are there (a first apt-get install of ansible-core is not counted).
 */
let DEADLINE = started + 12 * 3600_000;
const SMOKE_BUDGET_MS = 105_000;
/** a run's time limit: its own bound, and never past the deadline */
const budget = (ms: number) => Math.max(1000, Math.min(ms, DEADLINE - Date.now()));

// ---------------------------------------------------------------------------------------------
// prerequisites (Debian packages, never pip)

async function aptInstall(pkgs: string[]): Promise<void> {
  log(`installing ${pkgs.join(' ')} (apt-get) ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = await run(['apt-get', 'install', '-y', ...pkgs], { env, timeoutMs: 600_000 });
  if (r.code !== 0) {
    await run(['apt-get', 'update'], { env, timeoutMs: 300_000 });
    r = await run(['apt-get', 'install', '-y', ...pkgs], { env, timeoutMs: 600_000 });
  }
  if (r.code !== 0) throw new Error(`apt-get install ${pkgs.join(' ')} failed: ${r.stderr.trim().slice(-1000)}`);
}

/** where Debian's ansible-mitogen puts the strategy bench/ansible/mitogen.cfg names */
const MITOGEN_STRATEGY = '/usr/lib/python3/dist-packages/ansible_mitogen/plugins/strategy/mitogen_linear.py';

async function prerequisites(): Promise<string> {
  const missing: string[] = [];
  if ((await run(['sh', '-c', 'command -v ansible-playbook'])).code !== 0) missing.push('ansible-core');
  // Debian's package (its Ansible plugins for Debian's ansible-core); python3-mitogen alone is only the library
  if (contenders.has('mitogen') && !existsSync(MITOGEN_STRATEGY)) missing.push('ansible-mitogen');
  if (!existsSync('/usr/bin/time')) missing.push('time');
  // lab hosts share the machine's /usr: Debian's python3 there is the hosts' interpreter too
  // (the machine's pyenv python lives under /root, which lab hosts do not see)
  if (!existsSync('/usr/bin/python3')) missing.push('python3');
  if (missing.length) await aptInstall(missing);
  const v = await run(['ansible-playbook', '--version']);
  return v.stdout.split('\n')[0].trim();
}

// ---------------------------------------------------------------------------------------------
// the lab

/**
 * The lab that is up, as it is: read from its state file, never rebuilt (labUp would rebuild an
 * unhealthy lab, under whoever else is using it). Only the hosts used are checked: sshd must answer.
 */
async function runningLab(n: number): Promise<{ lab: Lab; hosts: Lab['hosts'] } | { problem: string }> {
  let s: { mode: 'default' | 'plain'; hosts: HostSpec[]; images?: string[] };
  try {
    s = JSON.parse(readFileSync(STATE_FILE, 'utf8'));
  } catch {
    return { problem: `no lab is up (${STATE_FILE} missing)` };
  }
  const lab: Lab = {
    // the benchmark logs in as root everywhere (its files go under /srv, which root owns)
    hosts: s.hosts.map((h) => ({ name: h.name, address: h.address, netns: netnsName(h.name), dir: hostDir(h.name), user: 'root', spec: h })),
    keyFile: KEY_FILE,
    knownHostsFile: KNOWN_HOSTS_FILE,
    stateDir: LAB_DIR,
    mode: s.mode,
    images: s.images ?? [],
  };
  const hosts = lab.hosts.slice(0, n);
  const silent = (await Promise.all(hosts.map(async (h) => ((await sshBanner(h.address)) ? undefined : h.name)))).filter(Boolean);
  if (silent.length) return { problem: `the ${s.mode} lab is not healthy: no SSH banner from ${silent.join(', ')}` };
  if (!existsSync(KEY_FILE) || !existsSync(KNOWN_HOSTS_FILE)) return { problem: 'the lab client key or known_hosts is missing' };
  return { lab, hosts };
}

/**
 * --use-running-lab: the running lab's first hosts (as many as the largest count, or all it has),
 * or an error. --smoke: the same when a healthy lab with >= 2 hosts is up (in npm test: the default
 * lab, after the lab tests), else 2 plain hosts. Otherwise: one plain lab of the largest count
 * (labUp({ plain: N }), which replaces any other lab); each count uses its first N hosts.
 */
async function getLab(want: number): Promise<{ lab: Lab; hosts: Lab['hosts']; running: boolean }> {
  if (argv['use-running-lab'] || smoke) {
    const r = await runningLab(want);
    if ('lab' in r && (!smoke || r.hosts.length >= 2)) {
      if (r.hosts.length < want) log(`the running lab has ${r.lab.hosts.length} host(s): the counts above it are not measured`);
      return { ...r, running: true };
    }
    if (!smoke) throw new Error(`--use-running-lab: ${'problem' in r ? r.problem : 'too few hosts'}`);
    log(`${'problem' in r ? r.problem : 'the running lab has too few hosts'}: bringing up ${want} plain hosts`);
  }
  const lab = await labUp({ plain: want });
  return { lab, hosts: lab.hosts.slice(0, want), running: false };
}

/** MemAvailable of the machine, MiB */
function memAvailableMB(): number {
  const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** What the idle lab hosts take from the machine: the PSS of every process in their network namespaces. */
function labFootprint(hosts: Lab['hosts']): { procs: number; mb: number } {
  const inodes = new Set(hosts.map((h) => nsFileInode(`/var/run/netns/${h.netns}`)).filter((i): i is number => i !== undefined));
  const pids = [...pidsInNamespaces(inodes, new Set()).values()].flat();
  let kb = 0;
  for (const p of pids) {
    try {
      kb += Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {
      /* gone */
    }
  }
  return { procs: pids.length, mb: MB(kb) };
}

/** the open-files limit this process has, which skiff and the others inherit */
function fdLimits(): { soft: number; hard: number } {
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  const n = (x?: string) => (x === 'unlimited' ? Infinity : Number(x));
  return { soft: n(m?.[1]), hard: n(m?.[2]) };
}

// ---------------------------------------------------------------------------------------------
// host files, read from the root namespace: each lab host's /srv is a bind mount of
// .lab/hosts/<host>/srv (lab/host.ts), so this is the host's own view of the same files

const srvPath = (h: Lab['hosts'][number], root: string) => join(h.dir, 'srv', relative('/srv', root));

function resetRoot(hosts: Lab['hosts'], root: string): void {
  for (const h of hosts) rmSync(srvPath(h, root), { recursive: true, force: true });
}

type Snapshot = Map<string, string>; // relative path -> "type mode uid:gid content"

function snapshot(dir: string): Snapshot {
  const out: Snapshot = new Map();
  const walk = (rel: string, depth: number) => {
    if (depth > 8 || out.size > 1000) return;
    const p = rel === '.' ? dir : join(dir, rel);
    let st;
    try {
      st = lstatSync(p);
    } catch {
      return;
    }
    const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
    const kind = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'link' : 'other';
    let content = '';
    if (kind === 'file') content = VOLATILE.has(rel) ? '(not compared)' : JSON.stringify(readFileSync(p, 'utf8').slice(0, 10_000));
    if (kind === 'link') content = readlinkSync(p);
    out.set(rel, `${kind} ${mode} ${st.uid}:${st.gid} ${content}`);
    if (kind === 'dir') for (const e of readdirSync(p).sort()) walk(rel === '.' ? e : `${rel}/${e}`, depth + 1);
  };
  walk('.', 0);
  return out;
}

/** skiff's tree (snapshot after its cold run) against what `other` (ansible or mitogen) just wrote */
function compareTrees(hosts: Lab['hosts'], skiffSnaps: Map<string, Snapshot>, other: 'ansible' | 'mitogen'): string[] {
  const problems: string[] = [];
  for (const h of hosts) {
    const a = skiffSnaps.get(h.name);
    const b = snapshot(srvPath(h, ANSIBLE_ROOT));
    if (!a) {
      problems.push(`${h.name}: no snapshot of ${SKIFF_ROOT}`);
      continue;
    }
    for (const [name, snap] of [['skiff', a], [other, b]] as const) {
      const got = [...snap.keys()].sort().join(' ');
      if (got !== EXPECTED_ENTRIES.join(' ')) problems.push(`${h.name}: ${name} produced [${got}], expected [${EXPECTED_ENTRIES.join(' ')}]`);
    }
    for (const k of new Set([...a.keys(), ...b.keys()])) {
      if (a.get(k) !== b.get(k)) problems.push(`${h.name}: ${k}: skiff ${a.get(k) ?? '(missing)'} | ${other} ${b.get(k) ?? '(missing)'}`);
    }
    const app = a.get('app.conf');
    if (app && !app.endsWith(JSON.stringify(`name=${h.name}\nport=9090\n`))) problems.push(`${h.name}: app.conf holds ${app}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// contenders

interface Ctx {
  hosts: Lab['hosts'];
  lab: Lab;
  work: string;
  skiffInv: string;
  ansibleInv: string;
  timeoutMs: number;
  /** the tree whose bin/skiff.mjs is run (see skiffUnderTest) */
  skiffRoot: string;
}

function record(c: Ctx, round: number, contender: Contender, mode: Mode, m: Measured, problems: string[], recap?: RunRecord['recap']): RunRecord {
  if (m.timedOut) problems.unshift(`timed out after ${Math.round(m.ms)} ms`);
  const peakKB = Math.max(m.peakTreeRssKB, m.maxRssKB);
  return {
    hosts: c.hosts.length,
    round,
    contender,
    mode,
    ms: Math.round(m.ms),
    peakMB: MB(peakKB),
    treeRssMB: MB(m.peakTreeRssKB),
    treePssMB: MB(m.peakTreePssKB),
    maxRssMB: MB(m.maxRssKB),
    maxProcs: m.maxProcs,
    cpuS: m.cpuS,
    peakFds: m.peakFds,
    ok: problems.length === 0,
    problems,
    ...(problems.length && recap ? { recap } : {}),
  };
}

const tail = (s: string, n = 1500) => (s.length > n ? '...' + s.slice(-n) : s).trim();
/** the lines that say what failed (skiff: "failed:"/"unreachable:" + the message line; Ansible: "fatal:"), at most 6 */
function failureLines(out: string): string {
  const lines = out.split('\n');
  const picked: string[] = [];
  lines.forEach((l, i) => {
    if (/^(failed|unreachable|fatal):|^fatal: |FAILED!|UNREACHABLE!/.test(l)) picked.push(l.slice(0, 400) + (lines[i + 1]?.startsWith('    ') ? ` / ${lines[i + 1].trim().slice(0, 300)}` : ''));
  });
  return picked.length ? `${picked.slice(0, 6).join(' || ')}${picked.length > 6 ? ` (+${picked.length - 6} more)` : ''} || ` : '';
}

async function runSkiff(c: Ctx, round: number, mode: Mode): Promise<RunRecord> {
  const report = join(c.work, `skiff-${round}-${mode}.json`);
  rmSync(report, { force: true });
  const args = [process.execPath, join(c.skiffRoot, 'bin', 'skiff.mjs'), 'run', 'bench/generic.yml', '-i', c.skiffInv, '--forks', String(c.hosts.length), '--report', report];
  if (mode === 'check') args.push('--check');
  const launcher = bundleFresh(c.skiffRoot) ? 'bundle' : 'tsx';
  const m = await measure(args, { cwd: REPO, env: { ...process.env, CI: 'true' }, timeoutMs: budget(c.timeoutMs) });
  const problems: string[] = [];
  if (m.code !== 0) problems.push(`skiff exited ${m.code ?? m.signal}: ${failureLines(m.stdout)}${tail(m.stdout + m.stderr)}`);
  let recap: RunRecord['recap'];
  try {
    const r = JSON.parse(readFileSync(report, 'utf8')) as { recap: Record<string, { ok: number; changed: number; failed: number; unreachable: boolean }> };
    recap = Object.fromEntries(Object.entries(r.recap).map(([h, x]) => [h, { ok: x.ok, changed: x.changed, failed: x.failed, unreachable: x.unreachable ? 1 : 0 }]));
  } catch (e) {
    problems.push(`no report ${report}: ${(e as Error).message}`);
  }
  if (recap) problems.push(...checkRecap(c.hosts, recap, mode));
  return { ...record(c, round, 'skiff', mode, m, problems, recap), launcher };
}

/** Every host is in the recap with all tasks ok (changed ones count as ok too, as in Ansible); warm and check runs change nothing. */
function checkRecap(hosts: Lab['hosts'], recap: NonNullable<RunRecord['recap']>, mode: Mode): string[] {
  const p: string[] = [];
  for (const h of hosts) {
    const r = recap[h.name];
    if (!r) p.push(`${h.name}: missing from the recap`);
    else if (r.failed || r.unreachable) p.push(`${h.name}: failed=${r.failed} unreachable=${r.unreachable}`);
    else if (r.ok !== TASKS) p.push(`${h.name}: ok=${r.ok} changed=${r.changed}, expected ${TASKS} tasks`);
    else if (mode !== 'cold' && r.changed !== 0) p.push(`${h.name}: ${mode} run reported changed=${r.changed}, expected 0`);
    else if (mode === 'cold' && r.changed !== TASKS) p.push(`${h.name}: cold run reported changed=${r.changed}, expected ${TASKS}`);
  }
  return p;
}

function parseAnsibleRecap(out: string): NonNullable<RunRecord['recap']> {
  const recap: NonNullable<RunRecord['recap']> = {};
  const at = out.lastIndexOf('PLAY RECAP');
  const re = /^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm;
  for (const m of (at < 0 ? '' : out.slice(at)).matchAll(re)) {
    // ok counts the changed tasks too, in Ansible's recap as in skiff's
    recap[m[1]] = { ok: Number(m[2]), changed: Number(m[3]), unreachable: Number(m[4]), failed: Number(m[5]) };
  }
  return recap;
}

/** ansible-playbook with the contender's config; `extra` before the playbook (--check, -vvv) */
async function ansibleRun(c: Ctx, who: 'ansible' | 'mitogen', extra: string[]): Promise<Measured> {
  // a fresh ControlPath directory per run: the run makes its own connections, like skiff's
  const cp = mkdtempSync(join(c.work, 'cp-'));
  const args = ['ansible-playbook', '-i', c.ansibleInv, '--forks', String(c.hosts.length), ...extra, 'bench/ansible/generic.yml'];
  const env = {
    ...process.env,
    ANSIBLE_CONFIG: join(REPO, ANSIBLE_CFG[who]),
    ANSIBLE_SSH_CONTROL_PATH_DIR: cp,
    ANSIBLE_NOCOLOR: '1',
  };
  const m = await measure(args, { cwd: REPO, env, timeoutMs: budget(c.timeoutMs), match: cp });
  // end the run's ControlPersist masters (processes this run started, found by their ControlPath)
  for (const pid of m.leftovers) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  rmSync(cp, { recursive: true, force: true });
  return m;
}

async function runAnsible(c: Ctx, who: 'ansible' | 'mitogen', round: number, mode: Mode): Promise<RunRecord> {
  const m = await ansibleRun(c, who, mode === 'check' ? ['--check'] : []);
  const problems: string[] = [];
  if (m.code !== 0) problems.push(`ansible-playbook (${who}) exited ${m.code ?? m.signal}: ${failureLines(m.stdout)}${tail(m.stdout + m.stderr)}`);
  const recap = parseAnsibleRecap(m.stdout);
  problems.push(...checkRecap(c.hosts, recap, mode));
  return record(c, round, who, mode, m, problems, recap);
}

/**
 * Is Mitogen's strategy really what runs? One untimed `-vvv --check` run on the count's hosts, with
 * the same config: its log must show ansible_mitogen at work, and its connection multiplexer used
 * for every host. Without it, Ansible would quietly measure its own `linear` strategy. [] = active.
 */
async function mitogenInactive(c: Ctx): Promise<string[]> {
  const m = await ansibleRun(c, 'mitogen', ['-vvv', '--check']);
  const out = m.stdout + m.stderr;
  const problems: string[] = [];
  if (!/ansible_mitogen\.affinity/.test(out)) problems.push(`no ansible_mitogen in the -vvv log: ${tail(out, 600)}`);
  const missing = c.hosts.filter((h) => !out.includes(`to connect to "${h.name}"`)).map((h) => h.name);
  if (missing.length) problems.push(`Mitogen's multiplexer connected to no ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` (+${missing.length - 10})` : ''}`);
  return problems;
}

/**
 * The floor: bench/floor.ts compiled to JavaScript and run by plain node, as skiff runs from its
 * bundle (dist/skiff.mjs); floor-tsx: the same script through the tsx loader, as skiff runs from its
 * TypeScript sources when the bundle is missing or stale.
 */
async function runFloor(c: Ctx, round: number, tsx: boolean): Promise<RunRecord> {
  const script = tsx ? ['--import', 'tsx', 'bench/floor.ts'] : [FLOOR_JS];
  const args = [process.execPath, ...script, '--key', c.lab.keyFile, '--known-hosts', c.lab.knownHostsFile, ...c.hosts.map((h) => h.address)];
  const m = await measure(args, { cwd: REPO, env: process.env, timeoutMs: budget(c.timeoutMs) });
  const problems = m.code === 0 ? [] : [`floor exited ${m.code ?? m.signal}: ${tail(m.stdout + m.stderr)}`];
  return record(c, round, tsx ? 'floor-tsx' : 'floor', 'warm', m, problems);
}

/**
 * The skiff that is measured (bin/skiff.mjs starts its bundle when bundleFresh, else the sources
 * through tsx; a stale or missing bundle is rebuilt first, as `npm ci` does, unless --no-build): unless --live, a copy of bin/, dist/, src/, tasks/ and package.json
 * taken once at the start (timestamps kept, so bin/skiff.mjs makes the same bundle-or-tsx choice at
 * the same cost), beside node_modules so that packages resolve. Edits to the working tree during a
 * benchmark then change nothing: every round measures the same code.
 */
const PINNED = join(REPO, 'node_modules', '.cache', 'skiff-bench', 'skiff');
async function skiffUnderTest(pin = !argv.live): Promise<{ root: string; launcher: 'bundle' | 'tsx' }> {
  if (!bundleFresh(REPO) && !argv['no-build'] && /"build"\s*:/.test(readFileSync(join(REPO, 'package.json'), 'utf8'))) {
    log('dist/skiff.mjs is missing or older than the sources: npm run build');
    const r = await run(['npm', 'run', 'build'], { cwd: REPO, timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`npm run build failed: ${(r.stderr || r.stdout).trim().slice(-1000)}`);
  }
  let root = REPO;
  if (pin) {
    root = PINNED;
    rmSync(PINNED, { recursive: true, force: true });
    for (const d of ['bin', 'dist', 'src', 'tasks', 'package.json']) {
      if (existsSync(join(REPO, d))) cpSync(join(REPO, d), join(PINNED, d), { recursive: true, preserveTimestamps: true });
    }
  }
  return { root, launcher: bundleFresh(root) ? 'bundle' : 'tsx' };
}

/** The commit measured, and whether skiff's files differ from it (read-only git). */
async function revision(): Promise<{ commit?: string; dirty?: string[] }> {
  const head = await run(['git', 'rev-parse', '--short', 'HEAD'], { cwd: REPO });
  if (head.code !== 0) return {};
  const st = await run(['git', 'status', '--porcelain', '--', 'src', 'tasks', 'bin', 'package.json'], { cwd: REPO });
  return { commit: head.stdout.trim(), dirty: st.stdout.split('\n').filter(Boolean) };
}

/** bench/floor.ts as plain JavaScript, beside node_modules so that `ssh2` resolves (not committed). */
const FLOOR_JS = join(REPO, 'node_modules', '.cache', 'skiff-bench', 'floor.mjs');
async function buildFloorJs(): Promise<void> {
  mkdirSync(dirname(FLOOR_JS), { recursive: true });
  const r = await run([join(REPO, 'node_modules/.bin/esbuild'), join(REPO, 'bench/floor.ts'), '--platform=node', '--format=esm', '--target=node20', `--outfile=${FLOOR_JS}`, '--log-level=warning'], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`esbuild bench/floor.ts failed: ${r.stderr.trim()}`);
}

// ---------------------------------------------------------------------------------------------
// main

/**
 * --scenario startup: no lab, no Ansible. `rounds` x 4 samples of each command (20 by default): a
 * start takes tens of milliseconds, and one sample says little on a shared machine.
 */
async function startupMain(): Promise<number> {
  const rev = await revision();
  // the working tree itself (a few minutes of runs need no pinned copy)
  const { root: skiffRoot, launcher } = await skiffUnderTest(false);
  log(`skiff ${rev.commit ?? '(no git)'}${rev.dirty?.length ? ` + ${rev.dirty.length} uncommitted file(s)` : ''}, the repository's started from its ${launcher === 'bundle' ? 'bundle' : 'TypeScript sources through tsx'}`);
  const work = mkdtempSync(join(tmpdir(), 'skiff-bench-'));
  const outFile = resolve(REPO, argv.out ?? 'bench/results-startup.json');
  let stopped = false;
  process.on('SIGINT', () => (stopped ? process.exit(130) : (stopped = true)));
  const loadAtStart = loadavg().map((x) => Math.round(x * 10) / 10);
  try {
    const r = await startupScenario({ repo: REPO, skiffRoot, work, samples: rounds * 4, log, stopped: () => stopped });
    const targets = startupTargets(r);
    const out = ['', `skiff start-up ${rev.commit ?? ''}, node ${process.version}, load average at the start ${loadAtStart.join(' ')}, at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores`, '', startupTable(r), ''];
    for (const t of targets) out.push(targetLine(t));
    process.stdout.write(out.join('\n') + '\n');
    mkdirSync(dirname(outFile), { recursive: true });
    writeFileSync(outFile, JSON.stringify({ date: new Date().toISOString(), scenario, node: process.version, skiff: { ...rev, launcher }, machine: { cpus: cpus().length, loadAtStart, loadNow: loadavg() }, ...r, targets }, null, 2) + '\n');
    log(`wrote ${relative(process.cwd(), outFile)}`);
    return stopped ? 130 : r.problems.length || Object.keys(r.notRun).some((w) => w === 'installed') ? 1 : 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  if (scenario === 'startup') return startupMain();
  // issue #23's figures: fresh labs of their own, no Ansible (not part of `all`)
  if (scenario === 'blind') return blindMain({ repo: REPO, sizes: argv.sizes!, out: resolve(REPO, argv.out ?? 'bench/results-blind.json'), log });
  const ansibleVersion = await prerequisites();
  if (smoke) DEADLINE = Date.now() + SMOKE_BUDGET_MS;
  await buildFloorJs();
  const rev = await revision();
  const { root: skiffRoot, launcher } = await skiffUnderTest();
  log(`skiff ${rev.commit ?? '(no git)'}${rev.dirty?.length ? ` + ${rev.dirty.length} uncommitted file(s)` : ''}, started from its ${launcher === 'bundle' ? 'bundle dist/skiff.mjs' : 'TypeScript sources through tsx'}`);
  const fd = fdLimits();
  const loadAtStart = loadavg().map((x) => Math.round(x * 10) / 10);
  const work = mkdtempSync(join(tmpdir(), 'skiff-bench-'));
  const outFile = resolve(REPO, argv.out ?? (smoke ? 'bench/results-smoke.json' : 'bench/results.json'));
  const svgFile = outFile.replace(/\.json$/, '') + '.svg';
  mkdirSync(dirname(outFile), { recursive: true });

  const records: RunRecord[] = [];
  const equivalence: { hosts: number; round: number; with: 'ansible' | 'mitogen'; ok: boolean; problems: string[] }[] = [];
  /** what was not run, and why (Ansible past its limits, Mitogen not active, counts above the lab) */
  const notRun: string[] = [];
  const problemsOutside: string[] = [];
  let labInfo: { mode: string; running: boolean; hosts: number; upSeconds: number; procs: number; mb: number; availableMB: number } | undefined;
  let thanos: ThanosResult | undefined;
  const meta = () => ({
    date: new Date().toISOString(),
    hostCounts: counts,
    rounds,
    smoke,
    scenario,
    contenders: [...contenders],
    ansibleLimits: { maxHosts: ansibleMaxHosts, maxSeconds: ansibleMaxMs / 1000 },
    lab: labInfo,
    node: process.version,
    ansible: ansibleVersion,
    skiff: { ...rev, launcher, pinned: skiffRoot !== REPO },
    // other load on the machine shows in every figure: the load average at the start and now
    machine: { cpus: cpus().length, fdSoft: fd.soft, fdHard: fd.hard, loadAtStart, loadNow: loadavg().map((x) => Math.round(x * 10) / 10) },
  });
  // SIGINT/SIGTERM: end the run in flight, then summarize what was measured (a second signal: exit now)
  let stop: string | undefined;
  const onSignal = (sig: string) => {
    if (stop) process.exit(130);
    stop = `interrupted by ${sig}`;
    log(`${sig}: ending the run in flight, then writing what was measured`);
    killActive();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  const partial = () => writeFileSync(outFile, JSON.stringify({ ...meta(), partial: true, equivalence, notRun, thanos, runs: records }, null, 2) + '\n');
  const show = (r: RunRecord) => {
    if (stop) return log(`${r.hosts} hosts round ${r.round} ${r.contender} ${r.mode}: ended (${stop}), not counted`);
    records.push(r);
    // after every run: the runs so far, so that an external kill loses nothing measured
    partial();
    log(`${String(r.hosts).padStart(3)} hosts round ${r.round} ${r.contender.padEnd(9)} ${r.mode.padEnd(5)} ${String(r.ms).padStart(6)} ms  peak ${r.peakMB.toFixed(1).padStart(6)} MB ${String(r.peakFds).padStart(5)} fds (${r.maxProcs} proc)${r.ok ? '' : `  FAILED: ${r.problems.slice(0, 5).join('; ').slice(0, 2000)}`}`);
  };
  let aborted: string | undefined;

  try {
    // -------- scale: every count on the first N hosts of one lab
    if (scenario !== 'thanos') {
      const t0 = Date.now();
      const { lab, hosts: all, running } = await getLab(counts.at(-1)!);
      const foot = labFootprint(all);
      labInfo = { mode: lab.mode, running, hosts: all.length, upSeconds: Math.round((Date.now() - t0) / 100) / 10, procs: foot.procs, mb: foot.mb, availableMB: memAvailableMB() };
      log(`the ${all.length} idle lab hosts: ${foot.procs} processes, ${foot.mb} MB PSS; the machine has ${labInfo.availableMB} MB available`);
      log(`${all.length} host(s) of the ${lab.mode} lab; counts ${counts.join(', ')}; ${rounds} round(s); ${ansibleVersion}`);
      /** Ansible contenders that took too long at a count: not run at the larger ones */
      const tooSlow = new Map<string, string>();
      for (const n of counts) {
        if (stop || aborted) break;
        if (n > all.length) {
          notRun.push(`${n} hosts: the lab has ${all.length}`);
          continue;
        }
        const hosts = all.slice(0, n);
        const dir = mkdtempSync(join(work, `${n}-`));
        const benchHosts: BenchHost[] = hosts.map((h) => ({ name: h.name, address: h.address }));
        const c: Ctx = {
          hosts,
          lab,
          work: dir,
          skiffInv: join(dir, 'skiff-hosts.yml'),
          ansibleInv: join(dir, 'ansible-hosts.ini'),
          timeoutMs: smoke ? 60_000 : 120_000 + 5_000 * n,
          skiffRoot,
        };
        writeFileSync(c.skiffInv, skiffInventory(benchHosts, lab.keyFile, lab.knownHostsFile));
        writeFileSync(c.ansibleInv, ansibleInventory(benchHosts, lab.keyFile, lab.knownHostsFile));
        const ansibles = (['ansible', 'mitogen'] as const).filter((k) => {
          if (!contenders.has(k)) return false;
          const why = n > ansibleMaxHosts ? `above --ansible-max-hosts ${ansibleMaxHosts}` : tooSlow.get(k);
          if (why) notRun.push(`${k} at ${n} hosts: ${why}`);
          return !why;
        });
        if (ansibles.includes('mitogen')) {
          const p = await mitogenInactive(c);
          if (p.length) {
            problemsOutside.push(`${n} hosts: Mitogen is not active, its runs are left out: ${p.join('; ')}`);
            log(`${n} hosts: MITOGEN NOT ACTIVE: ${p.join('; ')}`);
            ansibles.splice(ansibles.indexOf('mitogen'), 1);
          } else log(`${n} hosts: Mitogen active (ansible_mitogen's multiplexer connected to every host in a -vvv run)`);
        }
        for (let round = 1; round <= rounds; round++) {
          if (Date.now() > DEADLINE) {
            aborted = `deadline reached before round ${round} at ${n} hosts`;
            break;
          }
          if (stop) break;
          // every step is skipped once a signal came (see onSignal)
          const step = async (fn: () => Promise<RunRecord>) => {
            if (!stop && Date.now() > DEADLINE) aborted ??= `time budget used up in round ${round} at ${n} hosts`;
            if (!stop && !aborted) show(await fn());
          };
          // A: skiff
          let skiffSnaps: Map<string, Snapshot> | undefined;
          if (contenders.has('skiff')) {
            resetRoot(hosts, SKIFF_ROOT);
            await step(() => runSkiff(c, round, 'cold'));
            skiffSnaps = new Map(hosts.map((h) => [h.name, snapshot(srvPath(h, SKIFF_ROOT))]));
            await step(() => runSkiff(c, round, 'warm'));
            await step(() => runSkiff(c, round, 'check'));
          }
          // B: ansible, then the same playbook with Mitogen (both write /srv/ansible-bench)
          for (const who of ansibles) {
            if (stop) break;
            resetRoot(hosts, ANSIBLE_ROOT);
            await step(() => runAnsible(c, who, round, 'cold'));
            if (skiffSnaps && !stop && !aborted) {
              const eq = compareTrees(hosts, skiffSnaps, who);
              equivalence.push({ hosts: n, round, with: who, ok: eq.length === 0, problems: eq });
              log(`${n} hosts round ${round} equivalence of ${SKIFF_ROOT} and ${ANSIBLE_ROOT} (${who}): ${eq.length ? `DIFFERENT\n  ${eq.slice(0, 10).join('\n  ')}` : 'same'}`);
            }
            // --smoke: their cold run only (recap, equivalence, Mitogen active): each Ansible run takes
            // 5-20 s even at 2 hosts, and the smoke run must end in < 2 min inside npm test
            if (smoke) continue;
            await step(() => runAnsible(c, who, round, 'warm'));
            await step(() => runAnsible(c, who, round, 'check'));
          }
          // C: the floor (and the same through tsx)
          if (contenders.has('floor')) {
            await step(() => runFloor(c, round, false));
            await step(() => runFloor(c, round, true));
          }
        }
        for (const k of ansibles) {
          const slow = records.filter((r) => r.hosts === n && r.contender === k && r.ms > ansibleMaxMs);
          if (slow.length) tooSlow.set(k, `a run at ${n} hosts took ${(Math.max(...slow.map((r) => r.ms)) / 1000).toFixed(0)} s, above --ansible-max-s ${ansibleMaxMs / 1000}`);
        }
      }
    }

    // -------- thanos: playbooks/thanos.yml on a fresh default lab
    if (scenario !== 'scale' && !stop && !aborted) {
      try {
        thanos = await thanosScenario({ repo: REPO, skiffRoot, work, rounds, timeoutMs: budget, log, stopped: () => !!stop });
      } catch (e) {
        // the lab did not come up: what the scale part measured is still summarized
        problemsOutside.push(`thanos: ${(e as Error).message}`);
        log(`thanos: ${(e as Error).message}`);
      }
      partial();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (stop) aborted = stop;

  const st = stats(records);
  const floor = launcher === 'bundle' ? 'floor' : 'floor-tsx';
  const get = (h: number, k: Contender, m: Mode) => st.find((s) => s.hosts === h && s.contender === k && s.mode === m);
  const ratio = (a?: Stat, b?: Stat) => (a && b && Number.isFinite(a.medianMs / b.medianMs) ? Math.round((a.medianMs / b.medianMs) * 1000) / 1000 : undefined);
  const ratios = Object.fromEntries(
    [...new Set(st.map((s) => s.hosts))].map((h) => [
      h,
      {
        /** against the floor started the way skiff was: plain node for the bundle, tsx for the sources */
        skiffOverFloorWarm: ratio(get(h, 'skiff', 'warm'), get(h, floor, 'warm')),
        skiffOverFloorCold: ratio(get(h, 'skiff', 'cold'), get(h, floor, 'warm')),
        skiffOverFloorJsWarm: ratio(get(h, 'skiff', 'warm'), get(h, 'floor', 'warm')),
        skiffOverFloorTsxWarm: ratio(get(h, 'skiff', 'warm'), get(h, 'floor-tsx', 'warm')),
        ...Object.fromEntries(
          (['ansible', 'mitogen'] as const).flatMap((k) => (['cold', 'warm', 'check'] as const).map((m) => [`skiffOver${k[0].toUpperCase()}${k.slice(1)}${m[0].toUpperCase()}${m.slice(1)}`, ratio(get(h, 'skiff', m), get(h, k, m))])),
        ),
      },
    ]),
  );
  const targets = evaluateTargets({ stats: st, floor, thanos: thanos && { rerunMs: thanos.rerunMs } });
  const limits = nextStep({
    stats: st,
    next: 1000,
    floor,
    fdSoft: fd.soft,
    fdHard: fd.hard,
    memTargetMB: 250,
    lab: labInfo && { hosts: labInfo.hosts, mb: labInfo.mb, availableMB: labInfo.availableMB },
  });
  const thanosFailures = thanos ? thanos.runs.filter((r) => !r.ok).length : 0;
  const failures = records.filter((r) => !r.ok).length + equivalence.filter((e) => !e.ok).length + problemsOutside.length + thanosFailures + (aborted ? 1 : 0);
  if (st.length) writeFileSync(svgFile, chartSvg(st, `skiff ${rev.commit ?? ''}: median wall time against hosts (${rounds} round${rounds > 1 ? 's' : ''}, ${new Date().toISOString().slice(0, 10)})`));

  const out: string[] = [];
  out.push('', `skiff benchmark: ${counts.join(', ')} host(s) (${labInfo ? `${labInfo.mode} lab${labInfo.running ? ', the running one' : ''}` : 'no scale run'}), ${rounds} round(s), node ${process.version}, ${ansibleVersion}`);
  out.push(`load average (1, 5, 15 min) at the start ${loadAtStart.join(' ')}, at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores`);
  out.push(`skiff ${rev.commit ?? '(no git)'}${rev.dirty?.length ? ` + uncommitted ${rev.dirty.map((d) => d.slice(3)).join(' ')}` : ''}, started from ${launcher === 'bundle' ? 'its bundle (dist/skiff.mjs)' : 'its sources (tsx)'}`, '');
  const changedMidway = records.some((r) => r.launcher && r.launcher !== launcher);
  if (changedMidway) out.push(`NOTE: the sources changed during the benchmark: some skiff runs started from ${launcher === 'bundle' ? 'tsx' : 'the bundle'} (see runs[].launcher)`, '');
  if (st.length) out.push(table(st), '');
  const x = (r?: number) => (r === undefined ? 'n/a' : `${r.toFixed(3)} (skiff ${r > 0 ? (1 / r).toFixed(1) : '-'}x faster)`);
  for (const [h, r] of Object.entries(ratios)) {
    out.push(`${h} hosts: skiff/${floor} warm ${r.skiffOverFloorWarm?.toFixed(2) ?? 'n/a'}, cold ${r.skiffOverFloorCold?.toFixed(2) ?? 'n/a'} (skiff/floor ${r.skiffOverFloorJsWarm?.toFixed(2) ?? 'n/a'}, skiff/floor-tsx ${r.skiffOverFloorTsxWarm?.toFixed(2) ?? 'n/a'})`);
    for (const k of ['Ansible', 'Mitogen']) {
      const rr = r as Record<string, number | undefined>;
      if (rr[`skiffOver${k}Warm`] !== undefined || rr[`skiffOver${k}Cold`] !== undefined) out.push(`  skiff/${k.toLowerCase()} cold ${x(rr[`skiffOver${k}Cold`])}, warm ${x(rr[`skiffOver${k}Warm`])}, check ${x(rr[`skiffOver${k}Check`])}`);
    }
  }
  out.push(`equivalence: ${equivalence.length ? (equivalence.every((e) => e.ok) ? `same files on every host in all ${equivalence.length} comparison(s)` : `DIFFERENT in ${equivalence.filter((e) => !e.ok).length} comparison(s)`) : 'not checked (needs skiff and an Ansible contender)'}`);
  for (const n of notRun) out.push(`not run: ${n}`);
  for (const p of problemsOutside) out.push(`FAILED: ${p}`);
  if (thanos) {
    const f = (ms: number) => (Number.isNaN(ms) ? 'failed' : `${ms} ms`);
    out.push('', `thanos (playbooks/thanos.yml, fresh default lab up in ${thanos.labUpSeconds} s): first run ${f(thanos.firstMs)}, rerun ${f(thanos.rerunMs)} (median), check ${f(thanos.checkMs)} (median); peak ${Math.max(...thanos.runs.map((r) => r.peakMB))} MB${thanosFailures ? `; ${thanosFailures} run(s) FAILED` : ''}`);
  }
  out.push('', ...limits.lines, '');
  for (const t of targets) out.push(targetLine(t));
  if (st.length) out.push(`chart: ${relative(process.cwd(), svgFile)}`);
  if (aborted) out.push(`ABORTED: ${aborted}`);
  out.push(failures ? `\n${failures} failure(s): see the [bench] lines above` : '');
  process.stdout.write(out.join('\n') + '\n');

  const result = {
    ...meta(),
    partial: !!aborted,
    sourcesChangedDuringRun: changedMidway,
    stats: st,
    ratios,
    targets,
    limits,
    thanos,
    equivalence,
    notRun,
    problems: problemsOutside,
    runs: records,
    failures,
    aborted,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  writeFileSync(outFile, JSON.stringify(result, null, 2) + '\n');
  log(`wrote ${relative(process.cwd(), outFile)}${st.length ? ` and ${relative(process.cwd(), svgFile)}` : ''} (${result.seconds} s)`);

  if (argv.down) await labDown();
  return stop ? 130 : failures ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`bench: ${process.env.BENCH_DEBUG ? ((e as Error).stack ?? e) : ((e as Error).message ?? e)}\n`);
    process.exit(1);
  },
);
