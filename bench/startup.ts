// The `startup` scenario (issue #24): how long skiff takes to start, per command, against `node -e 0`
// measured in the same run; no lab. Three ways of starting it:
// - repository: `node bin/skiff.mjs` of the tree measured (the bench's pinned copy: its bundle when
//   fresh, as in a checkout);
// - installed: `npm pack` of the repository, `npm install -g --offline` into a temporary prefix, and
//   `node PREFIX/lib/node_modules/skiff/bin/skiff.mjs` (the same form as the repository's, so that the
//   two compare; the `skiff` on PATH adds `#!/usr/bin/env node` on top);
// - executable: `npm run package`'s single file (skipped, with the reason, when it cannot be built).
// The samples are interleaved (every command and way once, then again) so that the load of the
// machine falls on all of them alike. Medians of wall time (the targets') and of CPU time.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { median } from './summary.ts';
import type { Target } from './targets.ts';

export type Way = 'repository' | 'installed' | 'executable';
export const WAYS: Way[] = ['repository', 'installed', 'executable'];
export const BASELINE = 'node -e 0';

export interface StartupResult {
  samples: number;
  /** command -> way -> median wall time, ms (NaN: every sample failed); BASELINE under 'repository' */
  medians: Record<string, Partial<Record<Way, number>>>;
  /** the same, CPU time (user + sys) */
  cpuMedians: Record<string, Partial<Record<Way, number>>>;
  /** ways not measured, and why */
  notRun: Partial<Record<Way, string>>;
  problems: string[];
}

/**
 * One process, fork to exit, through a small Python wrapper: os.wait4 gives the child's CPU time (user +
 * sys, in microseconds; /usr/bin/time's are centiseconds) besides its wall time, and the wrapper's own
 * start is outside both. CPU time is the steadier figure on a machine others load too.
 */
const WRAPPER = `
import os, sys, time
t = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, ru = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write("%f %f %d" % ((time.perf_counter() - t) * 1000, (ru.ru_utime + ru.ru_stime) * 1000, os.waitstatus_to_exitcode(status)))
`;

function timed(argv: string[], cwd: string, env: NodeJS.ProcessEnv, file: string): Promise<{ ms: number; cpuMs: number; code: number | null; out: string }> {
  return new Promise((resolve) => {
    rmSync(file, { force: true });
    const child = spawn('python3', ['-c', WRAPPER, file, ...argv], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => {
      const [ms, cpuMs, rc] = existsSync(file) ? readFileSync(file, 'utf8').split(' ').map(Number) : [NaN, NaN, code ?? -1];
      resolve({ ms, cpuMs, code: rc, out });
    });
  });
}

export async function startupScenario(o: { repo: string; skiffRoot: string; work: string; samples: number; log: (s: string) => void; stopped: () => boolean }): Promise<StartupResult> {
  const { work, log } = o;
  const problems: string[] = [];
  const notRun: StartupResult['notRun'] = {};
  // what validate and run read: a key for the lab inventory (validate parses every key), a local play
  const key = join(work, 'id_ed25519');
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  writeFileSync(join(work, 'known_hosts'), '');
  writeFileSync(join(work, 'local.yml'), '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - name: one task\n      command: "true"\n');
  writeFileSync(join(work, 'hosts.yml'), 'all:\n  hosts:\n    localhost:\n      ansible_connection: local\n');
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'FORCE_COLOR')), CI: 'true' };

  // the ways: argv prefix and the directory holding its playbooks/ and inventory/
  const ways: Partial<Record<Way, { argv: string[]; root: string }>> = { repository: { argv: [process.execPath, join(o.skiffRoot, 'bin', 'skiff.mjs')], root: o.repo } };
  log('startup: npm pack, then npm install -g --offline of the tarball into a temporary prefix ...');
  const pack = spawnSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: o.repo, env, encoding: 'utf8', timeout: 300_000 });
  let tarball: string | undefined;
  try {
    tarball = join(work, (JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string }[])[0].filename);
  } catch {
    notRun.installed = `npm pack failed: ${(pack.stderr || pack.stdout).trim().slice(-500)}`;
  }
  if (tarball) {
    const prefix = join(work, 'prefix');
    const inst = spawnSync('npm', ['install', '-g', tarball, '--prefix', prefix, '--offline', '--no-audit', '--no-fund'], { cwd: work, env, encoding: 'utf8', timeout: 300_000 });
    const pkg = join(prefix, 'lib', 'node_modules', 'skiff');
    if (inst.status !== 0 || !existsSync(join(pkg, 'bin', 'skiff.mjs'))) notRun.installed = `npm install -g failed: ${(inst.stderr || inst.stdout).trim().slice(-500)}`;
    else ways.installed = { argv: [process.execPath, join(pkg, 'bin', 'skiff.mjs')], root: pkg };
  }
  let postject = true;
  try {
    createRequire(join(o.repo, 'package.json')).resolve('postject/dist/cli.js');
  } catch {
    postject = false;
    notRun.executable = 'postject is not installed (npm ci installs it)';
  }
  if (postject) {
    log('startup: npm run package (the single executable) ...');
    const exe = join(work, 'exe', 'skiff');
    mkdirSync(join(work, 'exe'));
    const sea = spawnSync(process.execPath, [join(o.repo, 'scripts', 'sea.mjs'), exe], { cwd: o.repo, env, encoding: 'utf8', timeout: 300_000 });
    if (sea.status !== 0) notRun.executable = `scripts/sea.mjs failed: ${(sea.stderr || sea.stdout).trim().slice(-500)}`;
    else ways.executable = { argv: [exe], root: o.repo };
  }

  const commands: Record<string, (root: string) => string[]> = {
    '--version': () => ['--version'],
    '--help': () => ['--help'],
    'completion bash': () => ['completion', 'bash'],
    tasks: () => ['tasks'],
    'validate thanos.yml': (root) => ['validate', join(root, 'playbooks', 'thanos.yml'), '-i', join(root, 'inventory', 'lab'), '-e', `private_key_file=${key}`, '-e', `known_hosts_file=${join(work, 'known_hosts')}`],
    'run (1 local task)': () => ['run', join(work, 'local.yml'), '-i', join(work, 'hosts.yml')],
  };
  const times: Record<string, Partial<Record<Way, number[]>>> = { [BASELINE]: { repository: [] } };
  const cpu: Record<string, Partial<Record<Way, number[]>>> = { [BASELINE]: { repository: [] } };
  for (const c of Object.keys(commands)) (times[c] = {}), (cpu[c] = {});
  const file = join(work, 'timed.txt');
  log(`startup: ${o.samples} samples of ${Object.keys(commands).length} commands x ${Object.keys(ways).join(', ')}, and ${BASELINE}`);
  for (let i = 0; i < o.samples && !o.stopped(); i++) {
    const b = await timed([process.execPath, '-e', '0'], work, env, file);
    times[BASELINE].repository!.push(b.ms);
    cpu[BASELINE].repository!.push(b.cpuMs);
    for (const [c, args] of Object.entries(commands)) {
      for (const [way, w] of Object.entries(ways) as [Way, { argv: string[]; root: string }][]) {
        const r = await timed([...w.argv, ...args(w.root)], work, env, file);
        if (r.code !== 0) {
          if (i === 0) problems.push(`${way} ${c} exited ${r.code}: ${r.out.trim().slice(-300)}`);
          continue;
        }
        (times[c][way] ??= []).push(r.ms);
        (cpu[c][way] ??= []).push(r.cpuMs);
      }
    }
  }
  const medianOf = (t: typeof times) => {
    const m: StartupResult['medians'] = {};
    for (const [c, byWay] of Object.entries(t)) {
      m[c] = {};
      for (const way of Object.keys(c === BASELINE ? { repository: 1 } : ways) as Way[]) m[c][way] = byWay[way]?.length ? Math.round(median(byWay[way]!) * 10) / 10 : NaN;
    }
    return m;
  };
  return { samples: o.samples, medians: medianOf(times), cpuMedians: medianOf(cpu), notRun, problems };
}

/** the table: per command, each way's median wall time and its ratio to node -e 0, then its CPU time */
export function startupTable(r: StartupResult): string {
  const base = r.medians[BASELINE]?.repository ?? NaN;
  const baseCpu = r.cpuMedians[BASELINE]?.repository ?? NaN;
  const ways = WAYS.filter((w) => w === 'repository' || Object.values(r.medians).some((m) => m[w] !== undefined));
  const cell = (ms: number | undefined, b: number) => (ms === undefined ? 'n/a' : Number.isNaN(ms) ? 'failed' : `${Math.round(ms)} ms ${(ms / b).toFixed(1)}x`);
  const w0 = Math.max(...Object.keys(r.medians).map((c) => c.length));
  const row = (c: string, f: (w: Way) => string) => `${c.padEnd(w0)}  ${ways.map((w) => f(w).padEnd(16)).join('')}`;
  const lines = [
    `start-up, median of ${r.samples}: wall time (x = / ${BASELINE}: ${Math.round(base)} ms in the same run), then CPU time (x = / ${BASELINE}: ${Math.round(baseCpu)} ms)`,
    row('command', (w) => w) + '| ' + ways.map((w) => `${w} cpu`.padEnd(16)).join(''),
  ];
  for (const c of Object.keys(r.medians)) {
    if (c === BASELINE) lines.push(`${c.padEnd(w0)}  ${Math.round(base)} ms wall, ${Math.round(baseCpu)} ms CPU`);
    else lines.push(row(c, (w) => cell(r.medians[c][w], base)) + '| ' + ways.map((w) => cell(r.cpuMedians[c][w], baseCpu).padEnd(16)).join(''));
  }
  for (const [w, why] of Object.entries(r.notRun)) lines.push(`not run: ${w}: ${why}`);
  for (const p of r.problems) lines.push(`FAILED: ${p}`);
  return lines.join('\n');
}

/** issue #24's targets; the installed package is what users run, the repository's figures are judged too */
export function startupTargets(r: StartupResult): Target[] {
  const base = r.medians[BASELINE]?.repository;
  const vsNode = (name: string, c: string, way: Way, atMost: number): Target => {
    const ms = r.medians[c]?.[way];
    if (ms === undefined) return { name, verdict: 'N/A', detail: `${way} not measured${r.notRun[way] ? `: ${r.notRun[way]}` : ''}` };
    if (Number.isNaN(ms)) return { name, verdict: 'MISS', detail: `every ${way} ${c} failed` };
    if (!base) return { name, verdict: 'N/A', detail: `${BASELINE} not measured` };
    const x = ms / base;
    const cpuX = (r.cpuMedians[c]?.[way] ?? NaN) / (r.cpuMedians[BASELINE]?.repository ?? NaN);
    return { name, verdict: x <= atMost ? 'PASS' : 'MISS', value: x, detail: `${x.toFixed(2)}x: ${Math.round(ms)} ms / ${BASELINE} ${Math.round(base)} ms (CPU time ${cpuX.toFixed(2)}x)` };
  };
  const out = [
    vsNode('skiff --version <= 2x node -e 0 (installed)', '--version', 'installed', 2),
    vsNode('skiff --version <= 2x node -e 0 (repository)', '--version', 'repository', 2),
    vsNode('skiff validate thanos.yml <= 3x node -e 0 (installed)', 'validate thanos.yml', 'installed', 3),
    vsNode('skiff validate thanos.yml <= 3x node -e 0 (repository)', 'validate thanos.yml', 'repository', 3),
  ];
  // "as fast as": within 10 % (the noise between two medians of the same code on a shared machine)
  const name = "the installed package's skiff run starts as fast as the repository's (<= 1.1x)";
  const run = 'run (1 local task)';
  const a = r.medians[run]?.installed;
  const b = r.medians[run]?.repository;
  if (a === undefined || b === undefined) out.push({ name, verdict: 'N/A', detail: `not measured${r.notRun.installed ? `: ${r.notRun.installed}` : ''}` });
  else if (Number.isNaN(a) || Number.isNaN(b)) out.push({ name, verdict: 'MISS', detail: 'a run failed' });
  else {
    const cpuX = (r.cpuMedians[run]?.installed ?? NaN) / (r.cpuMedians[run]?.repository ?? NaN);
    out.push({ name, verdict: a / b <= 1.1 ? 'PASS' : 'MISS', value: a / b, detail: `${(a / b).toFixed(2)}x: installed ${Math.round(a)} ms, repository ${Math.round(b)} ms (CPU time ${cpuX.toFixed(2)}x)` });
  }
  return out;
}
