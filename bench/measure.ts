// One timed run of a contender: wall time, and the controller's peak memory measured two ways.
//
// - tree: every 50 ms, the resident set (VmRSS, /proc/PID/statm) of every process of the run is
//   summed; the peak of that sum is kept. "Of the run" = the process started and its descendants,
//   plus processes that escaped the tree but whose command line names `match` (Ansible's ssh
//   ControlPersist masters daemonize: their parent becomes init). Every 4th sample also sums PSS
//   (/proc/PID/smaps_rollup), which splits pages shared between processes (Ansible's forks share
//   copy-on-write pages with their parent; a plain RSS sum counts those once per fork).
// - fds: every other sample, the open file descriptors of the same processes (/proc/PID/fd), summed.
// - maxrss: /usr/bin/time -f %M, the exact peak RSS of the biggest single process (getrusage
//   RUSAGE_CHILDREN): not sampled, so it also catches a spike between two samples.
// The /usr/bin/time wrapper itself (~2 MB) is not counted.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export interface Measured {
  code: number | null;
  signal: string | null;
  ms: number;
  stdout: string;
  stderr: string;
  /** peak of the summed RSS of the run's processes, sampled every 50 ms (KiB) */
  peakTreeRssKB: number;
  /** peak of the summed PSS, sampled every 200 ms (KiB) */
  peakTreePssKB: number;
  /** /usr/bin/time %M: peak RSS of the biggest single process (KiB) */
  maxRssKB: number;
  /** /usr/bin/time %U + %S: CPU seconds of the command and every child it waited for */
  cpuS: number;
  /** peak of the open file descriptors of the run's processes, summed (/proc/PID/fd, every 100 ms) */
  peakFds: number;
  /** how many processes the run had at most at once, and in all */
  maxProcs: number;
  procsSeen: number;
  /** processes matched by `match` still alive when the run ended (e.g. ssh ControlPersist masters) */
  leftovers: number[];
  timedOut: boolean;
}

export interface MeasureOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs: number;
  /** a string in the command line of processes that belong to the run although outside its tree */
  match?: string;
  intervalMs?: number;
}

const PAGE_KB = 4; // x86_64

/** process groups of the runs in flight (each run is started in its own group) */
const active = new Set<number>();

/** Ends the runs in flight (SIGKILL to their process groups, which this module started). */
export function killActive(): void {
  for (const pgid of active) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function ppidOf(pid: number): number | undefined {
  const s = readOr(`/proc/${pid}/stat`);
  if (!s) return undefined;
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses; cut after the last ')'
  const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(rest[1]);
}

function rssKB(pid: number): number {
  const s = readOr(`/proc/${pid}/statm`);
  return s ? Number(s.split(' ')[1]) * PAGE_KB : 0;
}

function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

function pssKB(pid: number): number {
  const s = readOr(`/proc/${pid}/smaps_rollup`);
  const m = s && /^Pss:\s+(\d+) kB/m.exec(s);
  return m ? Number(m[1]) : 0;
}

/** Tracks the processes of one run and the peak of their summed memory. */
class TreeSampler {
  private readonly ours = new Set<number>();
  private readonly seen = new Set<number>(); // every pid already classified (ours or not)
  peakRss = 0;
  peakPss = 0;
  peakFds = 0;
  maxProcs = 0;
  procsSeen = 0;
  private ticks = 0;

  constructor(private readonly wrapper: number, private readonly match: string | undefined, preexisting: Set<number>) {
    for (const p of preexisting) this.seen.add(p);
    this.seen.add(wrapper);
  }

  sample(): void {
    let pids: number[];
    try {
      pids = readdirSync('/proc').filter((n) => n.charCodeAt(0) >= 48 && n.charCodeAt(0) <= 57).map(Number);
    } catch {
      return;
    }
    const live = new Set(pids);
    // classify new pids; repeat while it finds more (a child listed before its new parent)
    let fresh = pids.filter((p) => !this.seen.has(p));
    const parent = new Map(fresh.map((p) => [p, ppidOf(p)]));
    for (let pass = 0; pass < 8 && fresh.length; pass++) {
      const next: number[] = [];
      for (const p of fresh) {
        const pp = parent.get(p);
        if (pp === undefined) {
          this.seen.add(p); // already gone
        } else if (pp === this.wrapper || this.ours.has(pp)) {
          this.ours.add(p);
          this.seen.add(p);
          this.procsSeen++;
        } else if (parent.has(pp) && !this.seen.has(pp)) {
          next.push(p); // decide once its parent is decided
        } else {
          if (this.match && (readOr(`/proc/${p}/cmdline`) ?? '').includes(this.match)) {
            this.ours.add(p);
            this.procsSeen++;
          }
          this.seen.add(p);
        }
      }
      if (next.length === fresh.length) {
        for (const p of next) this.seen.add(p);
        break;
      }
      fresh = next;
    }
    for (const p of this.ours) if (!live.has(p)) this.ours.delete(p);
    let rss = 0;
    for (const p of this.ours) rss += rssKB(p);
    this.peakRss = Math.max(this.peakRss, rss);
    this.maxProcs = Math.max(this.maxProcs, this.ours.size);
    if (this.ticks % 2 === 0) {
      let fds = 0;
      for (const p of this.ours) fds += fdCount(p);
      this.peakFds = Math.max(this.peakFds, fds);
    }
    if (this.ticks++ % 4 === 0) {
      let pss = 0;
      for (const p of this.ours) pss += pssKB(p);
      this.peakPss = Math.max(this.peakPss, pss);
    }
  }

  /** processes of the run still alive, matched by `match` (the tree itself has exited) */
  leftovers(): number[] {
    return [...this.ours].filter((p) => readOr(`/proc/${p}/stat`) !== undefined);
  }
}

/**
 * Runs argv under /usr/bin/time, samples its process tree, returns when the command has exited.
 * Bounded by timeoutMs: then the whole process group is killed (it is started in its own group).
 */
export function measure(argv: string[], opts: MeasureOptions): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-time-'));
  const timeFile = join(dir, 'time');
  const preexisting = new Set(readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number));
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-f', '%M %U %S', '-o', timeFile, ...argv], {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group: a timeout kills the whole run
    });
    if (child.pid === undefined) {
      rmSync(dir, { recursive: true, force: true });
      reject(new Error(`cannot start ${argv[0]}`));
      return;
    }
    active.add(child.pid);
    const sampler = new TreeSampler(child.pid, opts.match, preexisting);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    sampler.sample();
    const tick = setInterval(() => sampler.sample(), opts.intervalMs ?? 50);
    let timedOut = false;
    const killer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, opts.timeoutMs);
    child.on('error', (e) => {
      active.delete(child.pid!);
      clearInterval(tick);
      clearTimeout(killer);
      rmSync(dir, { recursive: true, force: true });
      reject(e);
    });
    child.on('close', (code, signal) => {
      const ms = performance.now() - t0;
      active.delete(child.pid!);
      clearInterval(tick);
      clearTimeout(killer);
      const time = readOr(timeFile) ?? '';
      rmSync(dir, { recursive: true, force: true });
      // /usr/bin/time writes "Command exited with non-zero status N" before %M when the command fails
      const [rss, user, sys] = (time.trim().split('\n').pop() ?? '').split(' ').map(Number);
      const maxRssKB = rss || 0;
      const cpuS = Math.round(((user || 0) + (sys || 0)) * 100) / 100;
      resolve({
        code,
        signal,
        ms,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        peakTreeRssKB: sampler.peakRss,
        peakTreePssKB: sampler.peakPss,
        maxRssKB,
        cpuS,
        peakFds: sampler.peakFds,
        maxProcs: sampler.maxProcs,
        procsSeen: sampler.procsSeen,
        leftovers: opts.match ? sampler.leftovers() : [],
        timedOut,
      });
    });
  });
}
