// npm run bench -- [--hosts N] [--rounds R] [--smoke] [--out FILE] [--use-running-lab] [--down] [--live] [--no-build]
//                   [--only skiff,ansible,floor]
//
// skiff vs ansible-playbook vs a bare ssh2 floor, on the same lab hosts (see bench/README.md).
// Per round, in this order: skiff cold/warm/check, ansible cold/warm/check, floor. Wall time and the
// controller's peak memory of every run; the files both produced are compared after every cold run.
// Exit 1 if anything failed (a run, a recap assertion, the equivalence check; with --smoke also the
// time budget), 130 when interrupted; targets are reported as PASS/MISS and never change the exit code.
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { labDown, labUp, type Lab } from '../lab/lab.ts';
import { KEY_FILE, KNOWN_HOSTS_FILE, LAB_DIR, STATE_FILE, hostDir, netnsName, type HostSpec } from '../lab/config.ts';
import { sshBanner } from '../lab/host.ts';
import { run } from '../lab/proc.ts';
import { ansibleInventory, type BenchHost } from './ansible/inventory.ts';
import { skiffInventory } from './inventory.ts';
import { killActive, measure, type Measured } from './measure.ts';
import { bundleFresh } from '../bin/bundle.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SKIFF_ROOT = '/srv/skiff-bench'; // bench/generic.yml
const ANSIBLE_ROOT = '/srv/ansible-bench'; // bench/ansible/generic.yml
const TASKS = 10;
/** files whose content is not compared (only existence, type and mode): the `date` output */
const VOLATILE = new Set(['data/initialized']);
const EXPECTED_ENTRIES = ['.', 'app.conf', 'conf.d', 'conf.d/extra.conf', 'data', 'data/initialized', 'env', 'motd', 'token'];

type Contender = 'skiff' | 'ansible' | 'floor' | 'floor-tsx';
type Mode = 'cold' | 'warm' | 'check';

interface RunRecord {
  round: number;
  contender: Contender;
  mode: Mode;
  ms: number;
  /** max(peak of the sampled tree RSS sum, /usr/bin/time %M) in MiB */
  peakMB: number;
  treeRssMB: number;
  treePssMB: number;
  maxRssMB: number;
  maxProcs: number;
  ok: boolean;
  problems: string[];
  recap?: Record<string, { ok: number; changed: number; failed: number; unreachable: number }>;
  /** skiff only: how bin/skiff.mjs started it (see skiffUnderTest) */
  launcher?: 'bundle' | 'tsx';
}

const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);
const MB = (kb: number) => Math.round((kb / 1024) * 10) / 10;

// ---------------------------------------------------------------------------------------------
// arguments

const { values: argv } = parseArgs({
  options: {
    hosts: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '5' },
    smoke: { type: 'boolean', default: false },
    out: { type: 'string' },
    'use-running-lab': { type: 'boolean', default: false },
    down: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    live: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const smoke = argv.smoke!;
const wantHosts = smoke ? 2 : Number(argv.hosts);
const rounds = smoke ? 1 : Number(argv.rounds);
if (!Number.isInteger(wantHosts) || wantHosts < 1 || wantHosts > 200) throw new Error(`--hosts: expected 1..200, got ${argv.hosts}`);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) throw new Error(`--rounds: expected 1..50, got ${argv.rounds}`);
/** --only skiff,floor: skip the others (to iterate on skiff; no equivalence check without both) */
const contenders = new Set((argv.only ?? 'skiff,ansible,floor').split(',').map((x) => x.trim()));
for (const x of contenders) if (!['skiff', 'ansible', 'floor'].includes(x)) throw new Error(`--only: unknown contender ${x} (skiff, ansible, floor)`);
if (smoke && contenders.size < 3) throw new Error('--smoke runs every contender');
const started = Date.now();
/**
 * The smoke run is part of the test suite: it must end in < 2 min, whatever happens. The budget
 * starts once the prerequisites are there (a first apt-get install of ansible-core is not counted).
 */
let DEADLINE = started + 6 * 3600_000;
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

async function prerequisites(): Promise<string> {
  const missing: string[] = [];
  if ((await run(['sh', '-c', 'command -v ansible-playbook'])).code !== 0) missing.push('ansible-core');
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
 * --use-running-lab: the running lab's first N hosts, or an error. --smoke: the same when a healthy
 * lab with >= 2 hosts is up (in npm test: the default lab, after the lab tests), else 2 plain hosts.
 * Otherwise: a plain lab of N hosts (labUp({ plain: N }), which replaces any other lab).
 */
async function getLab(): Promise<{ lab: Lab; hosts: Lab['hosts']; running: boolean }> {
  if (argv['use-running-lab'] || smoke) {
    const r = await runningLab(wantHosts);
    if ('lab' in r && (!smoke || r.hosts.length >= 2)) {
      if (r.hosts.length < wantHosts) log(`the running lab has ${r.lab.hosts.length} host(s): using ${r.hosts.length}, not ${wantHosts}`);
      return { ...r, running: true };
    }
    if (!smoke) throw new Error(`--use-running-lab: ${'problem' in r ? r.problem : 'too few hosts'}`);
    log(`${'problem' in r ? r.problem : 'the running lab has too few hosts'}: bringing up ${wantHosts} plain hosts`);
  }
  const lab = await labUp({ plain: wantHosts });
  return { lab, hosts: lab.hosts.slice(0, wantHosts), running: false };
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

function compareTrees(hosts: Lab['hosts'], skiffSnaps: Map<string, Snapshot>): string[] {
  const problems: string[] = [];
  for (const h of hosts) {
    const a = skiffSnaps.get(h.name);
    const b = snapshot(srvPath(h, ANSIBLE_ROOT));
    if (!a) {
      problems.push(`${h.name}: no snapshot of ${SKIFF_ROOT}`);
      continue;
    }
    for (const [name, snap] of [['skiff', a], ['ansible', b]] as const) {
      const got = [...snap.keys()].sort().join(' ');
      if (got !== EXPECTED_ENTRIES.join(' ')) problems.push(`${h.name}: ${name} produced [${got}], expected [${EXPECTED_ENTRIES.join(' ')}]`);
    }
    for (const k of new Set([...a.keys(), ...b.keys()])) {
      if (a.get(k) !== b.get(k)) problems.push(`${h.name}: ${k}: skiff ${a.get(k) ?? '(missing)'} | ansible ${b.get(k) ?? '(missing)'}`);
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

function record(round: number, contender: Contender, mode: Mode, m: Measured, problems: string[], recap?: RunRecord['recap']): RunRecord {
  if (m.timedOut) problems.unshift(`timed out after ${Math.round(m.ms)} ms`);
  const peakKB = Math.max(m.peakTreeRssKB, m.maxRssKB);
  return {
    round,
    contender,
    mode,
    ms: Math.round(m.ms),
    peakMB: MB(peakKB),
    treeRssMB: MB(m.peakTreeRssKB),
    treePssMB: MB(m.peakTreePssKB),
    maxRssMB: MB(m.maxRssKB),
    maxProcs: m.maxProcs,
    ok: problems.length === 0,
    problems,
    recap,
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
  return { ...record(round, 'skiff', mode, m, problems, recap), launcher };
}

/** Every host is in the recap with all tasks ok or changed; warm and check runs change nothing. */
function checkRecap(hosts: Lab['hosts'], recap: NonNullable<RunRecord['recap']>, mode: Mode): string[] {
  const p: string[] = [];
  for (const h of hosts) {
    const r = recap[h.name];
    if (!r) p.push(`${h.name}: missing from the recap`);
    else if (r.failed || r.unreachable) p.push(`${h.name}: failed=${r.failed} unreachable=${r.unreachable}`);
    else if (r.ok + r.changed !== TASKS) p.push(`${h.name}: ok=${r.ok} changed=${r.changed}, expected ${TASKS} tasks`);
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
    // Ansible's ok counts the changed tasks too; skiff's does not: store skiff's meaning
    recap[m[1]] = { ok: Number(m[2]) - Number(m[3]), changed: Number(m[3]), unreachable: Number(m[4]), failed: Number(m[5]) };
  }
  return recap;
}

async function runAnsible(c: Ctx, round: number, mode: Mode): Promise<RunRecord> {
  // a fresh ControlPath directory per run: the run makes its own connections, like skiff's
  const cp = mkdtempSync(join(c.work, 'cp-'));
  const args = ['ansible-playbook', '-i', c.ansibleInv, '--forks', String(c.hosts.length), 'bench/ansible/generic.yml'];
  if (mode === 'check') args.push('--check');
  const env = {
    ...process.env,
    ANSIBLE_CONFIG: join(REPO, 'bench/ansible/ansible.cfg'),
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
  const problems: string[] = [];
  if (m.code !== 0) problems.push(`ansible-playbook exited ${m.code ?? m.signal}: ${failureLines(m.stdout)}${tail(m.stdout + m.stderr)}`);
  const recap = parseAnsibleRecap(m.stdout);
  problems.push(...checkRecap(c.hosts, recap, mode));
  return record(round, 'ansible', mode, m, problems, recap);
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
  return record(round, tsx ? 'floor-tsx' : 'floor', 'warm', m, problems);
}

/**
 * The skiff that is measured (bin/skiff.mjs starts its bundle when bundleFresh, else the sources
 * through tsx; a stale or missing bundle is rebuilt first, as `npm ci` does, unless --no-build): unless --live, a copy of bin/, dist/, src/, tasks/ and package.json
 * taken once at the start (timestamps kept, so bin/skiff.mjs makes the same bundle-or-tsx choice at
 * the same cost), beside node_modules so that packages resolve. Edits to the working tree during a
 * benchmark then change nothing: every round measures the same code.
 */
const PINNED = join(REPO, 'node_modules', '.cache', 'skiff-bench', 'skiff');
async function skiffUnderTest(): Promise<{ root: string; launcher: 'bundle' | 'tsx' }> {
  if (!bundleFresh(REPO) && !argv['no-build'] && /"build"\s*:/.test(readFileSync(join(REPO, 'package.json'), 'utf8'))) {
    log('dist/skiff.mjs is missing or older than the sources: npm run build');
    const r = await run(['npm', 'run', 'build'], { cwd: REPO, timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`npm run build failed: ${(r.stderr || r.stdout).trim().slice(-1000)}`);
  }
  let root = REPO;
  if (!argv.live) {
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
// summary

interface Stat {
  contender: Contender;
  mode: Mode;
  n: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  peakMB: number;
  peakPssMB: number;
  failures: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const k = Math.floor(s.length / 2);
  return s.length % 2 ? s[k] : Math.round((s[k - 1] + s[k]) / 2);
}

function stats(records: RunRecord[]): Stat[] {
  const out: Stat[] = [];
  const keys: [Contender, Mode][] = [['skiff', 'cold'], ['skiff', 'warm'], ['skiff', 'check'], ['ansible', 'cold'], ['ansible', 'warm'], ['ansible', 'check'], ['floor', 'warm'], ['floor-tsx', 'warm']];
  for (const [contender, mode] of keys) {
    const rs = records.filter((r) => r.contender === contender && r.mode === mode);
    if (!rs.length) continue;
    const ms = rs.map((r) => r.ms);
    out.push({
      contender,
      mode,
      n: rs.length,
      medianMs: median(ms),
      minMs: Math.min(...ms),
      maxMs: Math.max(...ms),
      peakMB: Math.max(...rs.map((r) => r.peakMB)),
      peakPssMB: Math.max(...rs.map((r) => r.treePssMB)),
      failures: rs.filter((r) => !r.ok).length,
    });
  }
  return out;
}

function table(st: Stat[]): string {
  const head = ['contender', 'mode', 'runs', 'median ms', 'min ms', 'max ms', 'peak MB (RSS)', 'peak MB (PSS)', 'failed'];
  const rows = st.map((s) => [s.contender, s.contender.startsWith('floor') ? '-' : s.mode, String(s.n), String(s.medianMs), String(s.minMs), String(s.maxMs), s.peakMB.toFixed(1), s.peakPssMB.toFixed(1), String(s.failures)]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// main

async function main(): Promise<number> {
  const ansibleVersion = await prerequisites();
  if (smoke) DEADLINE = Date.now() + SMOKE_BUDGET_MS;
  await buildFloorJs();
  const rev = await revision();
  const { root: skiffRoot, launcher } = await skiffUnderTest();
  log(`skiff ${rev.commit ?? '(no git)'}${rev.dirty?.length ? ` + ${rev.dirty.length} uncommitted file(s)` : ''}, started from its ${launcher === 'bundle' ? 'bundle dist/skiff.mjs' : 'TypeScript sources through tsx'}`);
  const { lab, hosts, running } = await getLab();
  log(`${hosts.length} host(s) of the ${lab.mode} lab: ${hosts.length > 6 ? `${hosts[0].name}..${hosts[hosts.length - 1].name}` : hosts.map((h) => h.name).join(' ')}; ${rounds} round(s); ${ansibleVersion}`);

  const work = mkdtempSync(join(tmpdir(), 'skiff-bench-'));
  const benchHosts: BenchHost[] = hosts.map((h) => ({ name: h.name, address: h.address }));
  const c: Ctx = {
    hosts,
    lab,
    work,
    skiffInv: join(work, 'skiff-hosts.yml'),
    ansibleInv: join(work, 'ansible-hosts.ini'),
    timeoutMs: smoke ? 60_000 : 60_000 + 3_000 * hosts.length,
    skiffRoot,
  };
  writeFileSync(c.skiffInv, skiffInventory(benchHosts, lab.keyFile, lab.knownHostsFile));
  writeFileSync(c.ansibleInv, ansibleInventory(benchHosts, lab.keyFile, lab.knownHostsFile));

  const records: RunRecord[] = [];
  const equivalence: { round: number; ok: boolean; problems: string[] }[] = [];
  const outFile = resolve(REPO, argv.out ?? (smoke ? 'bench/results-smoke.json' : 'bench/results.json'));
  mkdirSync(dirname(outFile), { recursive: true });
  const meta = () => ({
    date: new Date().toISOString(),
    hosts: hosts.length,
    hostNames: hosts.map((h) => h.name),
    rounds,
    smoke,
    contenders: [...contenders],
    lab: { mode: lab.mode, running },
    node: process.version,
    ansible: ansibleVersion,
    skiff: { ...rev, launcher, pinned: skiffRoot !== REPO },
    machine: { cpus: cpus().length },
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
  const show = (r: RunRecord) => {
    if (stop) return log(`round ${r.round} ${r.contender} ${r.mode}: ended (${stop}), not counted`);
    records.push(r);
    // after every run: the runs so far, so that an external kill loses nothing measured
    writeFileSync(outFile, JSON.stringify({ ...meta(), partial: true, equivalence, runs: records }, null, 2) + '\n');
    log(`round ${r.round} ${r.contender.padEnd(7)} ${r.mode.padEnd(5)} ${String(r.ms).padStart(6)} ms  peak ${r.peakMB.toFixed(1).padStart(6)} MB (${r.maxProcs} proc)${r.ok ? '' : `  FAILED: ${r.problems.slice(0, 5).join('; ')}`}`);
  };
  let aborted: string | undefined;
  try {
    for (let round = 1; round <= rounds; round++) {
      if (Date.now() > DEADLINE) {
        aborted = `deadline reached before round ${round}`;
        break;
      }
      if (stop) break;
      // every step is skipped once a signal came (see onSignal)
      const step = async (fn: () => Promise<RunRecord>) => {
        if (!stop && Date.now() > DEADLINE) aborted ??= `time budget used up in round ${round}`;
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
      // B: ansible
      if (contenders.has('ansible') && !stop) {
        resetRoot(hosts, ANSIBLE_ROOT);
        await step(() => runAnsible(c, round, 'cold'));
        if (skiffSnaps && !stop) {
          const eq = compareTrees(hosts, skiffSnaps);
          equivalence.push({ round, ok: eq.length === 0, problems: eq });
          log(`round ${round} equivalence of ${SKIFF_ROOT} and ${ANSIBLE_ROOT} on ${hosts.length} host(s): ${eq.length ? `DIFFERENT\n  ${eq.slice(0, 10).join('\n  ')}` : 'same'}`);
        }
        await step(() => runAnsible(c, round, 'warm'));
        await step(() => runAnsible(c, round, 'check'));
      }
      // C: the floor (and the same through tsx)
      if (contenders.has('floor')) {
        await step(() => runFloor(c, round, false));
        await step(() => runFloor(c, round, true));
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (stop) aborted = stop;

  const st = stats(records);
  const get = (k: Contender, m: Mode) => st.find((s) => s.contender === k && s.mode === m);
  const ratio = (a?: Stat, b?: Stat) => (a && b ? Math.round((a.medianMs / b.medianMs) * 1000) / 1000 : undefined);
  const ratios = {
    skiffOverAnsibleCold: ratio(get('skiff', 'cold'), get('ansible', 'cold')),
    skiffOverAnsibleWarm: ratio(get('skiff', 'warm'), get('ansible', 'warm')),
    skiffOverAnsibleCheck: ratio(get('skiff', 'check'), get('ansible', 'check')),
    /** against the floor started the way skiff was: plain node for the bundle, tsx for the sources */
    skiffOverFloorWarm: ratio(get('skiff', 'warm'), get(launcher === 'bundle' ? 'floor' : 'floor-tsx', 'warm')),
    skiffOverFloorJsWarm: ratio(get('skiff', 'warm'), get('floor', 'warm')),
    skiffOverFloorTsxWarm: ratio(get('skiff', 'warm'), get('floor-tsx', 'warm')),
  };
  const skiffPeak = Math.max(0, ...st.filter((s) => s.contender === 'skiff').map((s) => s.peakMB));
  const n = hosts.length;
  const at = (want: number) => (n === want ? `at ${n} hosts` : `measured at ${n} hosts; the target is for ${want}`);
  const verdict = (ok: boolean | undefined) => (ok === undefined ? 'N/A ' : ok ? 'PASS' : 'MISS');
  const targets = [
    { name: 'warm >= 10x faster than Ansible', value: ratios.skiffOverAnsibleWarm && 1 / ratios.skiffOverAnsibleWarm, pass: ratios.skiffOverAnsibleWarm === undefined ? undefined : 1 / ratios.skiffOverAnsibleWarm >= 10, scope: at(20) },
    { name: 'warm <= 2x the floor', value: ratios.skiffOverFloorWarm, pass: ratios.skiffOverFloorWarm === undefined ? undefined : ratios.skiffOverFloorWarm <= 2, scope: at(20) },
    { name: 'cold >= 3x faster than Ansible', value: ratios.skiffOverAnsibleCold && 1 / ratios.skiffOverAnsibleCold, pass: ratios.skiffOverAnsibleCold === undefined ? undefined : 1 / ratios.skiffOverAnsibleCold >= 3, scope: `at ${n} hosts` },
    { name: 'controller peak memory < 150 MB', value: skiffPeak, pass: skiffPeak ? skiffPeak < 150 : undefined, scope: at(200) },
  ];
  const failures = records.filter((r) => !r.ok).length + equivalence.filter((e) => !e.ok).length + (aborted ? 1 : 0);

  const out: string[] = [];
  out.push('', `skiff benchmark: ${n} host(s) (${lab.mode} lab${running ? ', the running one' : ''}), ${rounds} round(s), node ${process.version}, ${ansibleVersion}`);
  out.push(`skiff ${rev.commit ?? '(no git)'}${rev.dirty?.length ? ` + uncommitted ${rev.dirty.map((d) => d.slice(3)).join(' ')}` : ''}, started from ${launcher === 'bundle' ? 'its bundle (dist/skiff.mjs)' : 'its sources (tsx)'}`, '');
  const changedMidway = records.some((r) => r.launcher && r.launcher !== launcher);
  if (changedMidway) out.push(`NOTE: the sources changed during the benchmark: some skiff runs started from ${launcher === 'bundle' ? 'tsx' : 'the bundle'} (see runs[].launcher)`, '');
  out.push(table(st), '');
  const x = (r?: number) => (r === undefined ? 'n/a' : `${r.toFixed(3)} (skiff ${r > 0 ? (1 / r).toFixed(1) : '-'}x faster)`);
  out.push(`skiff/ansible cold  ${x(ratios.skiffOverAnsibleCold)}`);
  out.push(`skiff/ansible warm  ${x(ratios.skiffOverAnsibleWarm)}`);
  out.push(`skiff/ansible check ${x(ratios.skiffOverAnsibleCheck)}`);
  out.push(`skiff/floor   warm  ${ratios.skiffOverFloorWarm?.toFixed(2) ?? 'n/a'}   (against ${launcher === 'bundle' ? 'floor' : 'floor-tsx'}, started as skiff was: ${launcher}; skiff/floor ${ratios.skiffOverFloorJsWarm?.toFixed(2) ?? 'n/a'}, skiff/floor-tsx ${ratios.skiffOverFloorTsxWarm?.toFixed(2) ?? 'n/a'})`);
  out.push(`equivalence: ${equivalence.length ? (equivalence.every((e) => e.ok) ? `same files on every host in all ${equivalence.length} round(s)` : `DIFFERENT in ${equivalence.filter((e) => !e.ok).length} round(s)`) : 'not checked (needs skiff and ansible)'}`);
  out.push('');
  for (const t of targets) out.push(`${verdict(t.pass)}  ${t.name}: ${t.value === undefined ? 'n/a' : t.name.includes('memory') ? `${t.value.toFixed(1)} MB` : `${t.value.toFixed(2)}x`} (${t.scope})`);
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
    equivalence,
    runs: records,
    failures,
    aborted,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  writeFileSync(outFile, JSON.stringify(result, null, 2) + '\n');
  log(`wrote ${relative(process.cwd(), outFile)} (${result.seconds} s)`);

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
