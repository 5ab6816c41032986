// Runs a playbook through the engine in-process, as the CLI does (prepare, then startRun), on hosts
// that are this machine (connection: local) through a recording connector, with a `probe` task type
// that logs what ran where. What a test asserts is what a user would see: which tasks ran on which
// host in which order, the results and the recap. HOME is a temporary directory (handler markers).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import type { Connector } from '../../src/engine/connections.ts';
import type { RunEvent, TaskResult } from '../../src/engine/events.ts';
import { prepare, type RunOptions } from '../../src/engine/prepare.ts';
import { startRun, type RunSummary } from '../../src/engine/run.ts';
import { TaskFailure, type Registry, type TaskType } from '../../src/engine/task-type.ts';
import { connectLocal } from '../../src/transport/local.ts';
import { UnreachableError } from '../../src/transport/types.ts';
import { FACTS_SCRIPT } from '../../src/engine/facts.ts';
import { formatProblem } from '../../src/util/errors.ts';
import { REGISTRY } from '../../tasks/index.ts';

// every directory this process makes lives under one, removed when it exits (thousands were left in /tmp)
const scratch = mkdtempSync(join(tmpdir(), 'skiff-engine-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
const home = mkdtempSync(join(scratch, 'home-'));
process.env.HOME = home;

/** What probes did, in order: `host:id` (host = where it ran: the delegate, if any). */
export const calls: string[] = [];
const attempts = new Map<string, number>();
/** per probe id: how many hosts were in it at once, at most (probes with `hold`) */
export const peak = new Map<string, number>();
const running = new Map<string, number>();

const ProbeSchema = v.strictObject({
  id: v.pipe(v.union([v.string(), v.number()]), v.transform(String)),
  /** plan a change (default true) */
  change: v.optional(v.boolean(), true),
  /** fail with this message */
  fail: v.optional(v.union([v.string(), v.boolean()])),
  /** fail the first N attempts on this host (for until/retries) */
  fail_times: v.optional(v.number()),
  /** returned as `out` in the registered result */
  out: v.optional(v.unknown()),
  /** reported through ctx.progress while applying */
  say: v.optional(v.string()),
  /** stay this many ms in apply (how many hosts run it at once: `peak`) */
  hold: v.optional(v.number()),
});
type Probe = v.InferOutput<typeof ProbeSchema>;

const probe: TaskType<Probe> = {
  name: 'probe',
  summary: 'test task: records that it ran',
  schema: ProbeSchema,
  shortKey: 'id',
  async plan(ctx, p) {
    return p.change ? { changes: [`probe ${p.id}`] } : { changes: [], result: { out: p.out } };
  },
  async apply(ctx, p) {
    calls.push(`${ctx.conn.host}:${p.id}`);
    if (p.say !== undefined) ctx.progress?.({ text: p.say });
    if (p.hold !== undefined) {
      running.set(p.id, (running.get(p.id) ?? 0) + 1);
      peak.set(p.id, Math.max(peak.get(p.id) ?? 0, running.get(p.id)!));
      await new Promise((r) => setTimeout(r, p.hold));
      running.set(p.id, running.get(p.id)! - 1);
    }
    const key = `${ctx.host}:${p.id}`;
    const n = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, n);
    if (p.fail_times !== undefined && n <= p.fail_times) throw new TaskFailure(`probe ${p.id} attempt ${n} failed`, { attempt: n });
    if (p.fail) throw new TaskFailure(typeof p.fail === 'string' ? p.fail : `probe ${p.id} failed`, { out: p.out });
    return { out: p.out, attempt: n };
  },
};

export const TEST_REGISTRY: Registry = { ...REGISTRY, types: Object.assign(new Map([...REGISTRY.types, ['probe', probe as TaskType]]), { refuse: REGISTRY.types.refuse, localModule: REGISTRY.types.localModule, ansibleModule: REGISTRY.types.ansibleModule, actionPlugin: REGISTRY.types.actionPlugin, resolvedName: REGISTRY.types.resolvedName, actionGroup: REGISTRY.types.actionGroup, loadWarnings: REGISTRY.types.loadWarnings }) };

/** Every connection opened: `host become becomeUser`. */
export const opened: string[] = [];
/** Every connection opened under become: `host method exe flags` (`-` for what is not given; become_method and friends). */
export const becameBy: string[] = [];
/** Every connection opened: `host local|ssh` (the connection keyword's effect). */
export const reached: string[] = [];
/** Every connection opened: `host user@address:port` (connection variables' effect). */
export const via: string[] = [];
/** Every command run, as `host: first line`, in order (round trips counted by tests of the read-ahead). */
export const execs: string[] = [];
/** Hosts that ran the facts script, in order. */
export const gathered: string[] = [];
/** What the facts script prints, per host (the case's `facts`): a captured output, not this machine's. */
let factsOutput: Record<string, string> = {};
const connector: Connector = async (hc, become, becomeUser, how = {}) => {
  opened.push(`${hc.name} ${become} ${becomeUser ?? '-'}`);
  if (become) becameBy.push(`${hc.name} ${how.method ?? 'sudo'} ${how.exe ?? '-'} ${how.flags ?? '-'}`);
  reached.push(`${hc.name} ${hc.connection}`);
  via.push(`${hc.name} ${hc.user}@${hc.address}:${hc.port}`);
  // a host named down*: cannot be reached
  if (hc.name.startsWith('down')) throw new UnreachableError(hc.name, `${hc.name}: connection refused`);
  // become is recorded, not used: sudo is not what these tests are about (the lab tests use it)
  const local = connectLocal(hc.name, false);
  return {
    host: hc.name,
    exec: (cmd, o) => {
      execs.push(`${hc.name}: ${cmd.split('\n')[0]}`);
      if (!cmd.endsWith(FACTS_SCRIPT)) return local.exec(cmd, o); // after the play's `export`s, if it has an environment
      gathered.push(hc.name);
      const out = factsOutput[hc.name];
      return Promise.resolve(out === undefined ? { code: 127, stdout: '', stderr: `no facts output given for ${hc.name}` } : { code: 0, stdout: out, stderr: '' });
    },
    close: (o) => local.close(o),
  };
};

export interface Outcome {
  code: 'bad-input' | 'ran';
  problems: string[];
  summary?: RunSummary;
  results: TaskResult[];
  events: RunEvent[];
  /** `host task status` per result, in order */
  lines: string[];
  sleeps: number[];
  /** what prepare warned of before the run (printed before the first play) */
  warnings?: string[];
}

export interface Case {
  playbook: string;
  /** host names (all local) or a full inventory YAML */
  hosts?: string[] | string;
  opts?: Partial<RunOptions>;
  files?: Record<string, string>;
  /** per host: what the facts script prints there (see test/unit/fixtures/facts) */
  facts?: Record<string, string>;
  /** waits really wait (async jobs run on this machine while skiff polls them) */
  realSleep?: boolean;
  /** files (of `files`) named after the playbook on the command line, run after it (ansible-playbook a.yml b.yml) */
  more?: string[];
}

let n = 0;
export async function play(c: Case): Promise<Outcome> {
  calls.length = 0;
  opened.length = 0;
  becameBy.length = 0;
  reached.length = 0;
  via.length = 0;
  execs.length = 0;
  gathered.length = 0;
  factsOutput = c.facts ?? {};
  attempts.clear();
  peak.clear();
  const dir = mkdtempSync(join(scratch, 'play-'));
  const inv = join(dir, 'hosts.yml');
  const hosts = c.hosts ?? ['a'];
  writeFileSync(inv, typeof hosts === 'string' ? hosts : `all:\n  hosts:\n${hosts.map((h) => `    ${h}: {connection: local}`).join('\n')}\n`);
  const pb = join(dir, `play${n++}.yml`);
  writeFileSync(pb, c.playbook);
  for (const [f, text] of Object.entries(c.files ?? {})) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  // a case that gives no facts runs with Ansible's `gathering = explicit`: its plays gather only when they
  // say gather_facts: true (the facts tests give facts, and get Ansible's implicit default)
  const gathering = c.facts ? 'implicit' : 'explicit';
  const opts: RunOptions = { playbook: pb, inventory: inv, extraVars: [], check: false, diff: false, acceptNewHostKeys: false, gathering, ...(c.more ? { morePlaybooks: c.more.map((f) => join(dir, f)) } : {}), ...c.opts };
  const { prepared, problems, warnings } = prepare(opts, TEST_REGISTRY);
  if (!prepared) return { code: 'bad-input', problems: problems.map(formatProblem), results: [], events: [], lines: [], sleeps: [] };
  const events: RunEvent[] = [];
  const sleeps: number[] = [];
  const summary = await startRun(prepared, opts, (e) => events.push(e), { connector, sleep: async (ms) => { sleeps.push(ms); if (c.realSleep) await new Promise((r) => setTimeout(r, ms)); } }).done;
  const results = summary.results;
  return { code: 'ran', problems: [], summary, results, events, lines: results.map((r) => `${r.host} ${r.task} ${r.status}`), sleeps, warnings };
}

/** The YAML of a one-play playbook over `hosts: all` with these tasks (and handlers). */
export function playbook(tasks: string, extra = ''): string {
  return `- hosts: all\n${extra}  tasks:\n${tasks.replace(/^/gm, '    ')}\n`;
}
