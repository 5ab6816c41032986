// Runs a prepared playbook: plays in order; per play, hosts in serial batches, hosts of a batch in
// parallel, each host through its tasks in order (host-run.ts); one connection per host and privilege
// for the whole run. With Ansible's `linear` strategy (the default) the hosts of a batch take each task
// together (lockstep.ts) and forks bounds the tasks running at once; with `free` a slow host does not
// hold the others back and forks bounds the hosts running at once. A batch past max_fail_percentage,
// one that failed entirely, or any_errors_fatal ends the run, as in Ansible.
import { reservedWarnings } from './play-start.ts';
import type { Listener } from './events.ts';
import { ConnectionPool, realConnector, type Connector } from './connections.ts';
import { emit, HostRun, playPrivilege, type BatchCtx, type RunCtx } from './host-run.ts';
import { limit, Lockstep } from './lockstep.ts';
export { limit } from './lockstep.ts';
import { taskScope, type Prepared, type PreparedPlay, type RunOptions } from './prepare.ts';
import { render, type RenderProblem } from '../template/template.ts';
import { OMIT } from './omit.ts';
import { flushCachedFacts } from './fact-cache.ts';
import { emptyRecap, type Recap } from './recap.ts';
import { secretValues } from '../util/secrets.ts';
import { NO_FILTER } from './tags.ts';
import type { TaskResult } from './events.ts';
import { resolvePlayHosts } from './inventory-change.ts';
import { connVarNames, type HostConn } from '../inventory/host.ts';
import type { ConnectionName } from './connection-keyword.ts';
import { UnreachableError } from '../transport/types.ts';
import { formatProblem } from '../util/errors.ts';
import { isNumber } from '../template/py-float.ts';

export type { Recap } from './recap.ts';

export interface RunSummary {
  results: TaskResult[];
  recap: Record<string, Recap>;
  interrupted: boolean;
  /** hosts that did not get through every play they are in (failed, unreachable, stopped or interrupted) */
  unfinished: string[];
  /** hosts out of the run on a failure at its end (not rescued, nor cleared by meta clear_host_errors): exit code 2 */
  failed: string[];
  /** an error that ended the run, as Ansible's `ERROR!` (a notify that reached no handler...) */
  fatal?: string;
  /** it ended on a file it could not parse, as Ansible's ERROR! of a parser error (exit 4) */
  parseError?: boolean;
}

export interface Runner {
  done: Promise<RunSummary>;
  /** Ctrl-C: ends in-flight commands (by closing connections), starts no new task. */
  interrupt(): void;
}

/** What a test may replace: how connections open, how the engine waits (retries, pauses). */
export interface RunDeps {
  connector?: Connector;
  sleep?: (ms: number) => Promise<void>;
}

export function startRun(prep: Prepared, opts: RunOptions, listen: Listener, deps: RunDeps = {}): Runner {
  const pool = new ConnectionPool((h, c, fromVar, remote) => settingsOf(prep, h, c, fromVar, remote), deps.connector ?? realConnector(opts, (host, text) => listen({ kind: 'note', host, text })));
  // what tasks see of the run as ansible_play_hosts / ansible_play_batch
  const live = { dead: new Map(), batch: new Map() };
  // each host's registered results and set_fact facts: its hostvars show them too
  const registeredOf = new Map<string, Record<string, unknown>>();
  const rc: RunCtx = {
    prep: { ...prep, live, included: new Map(), registeredOf },
    opts,
    listen,
    pool,
    tags: { only: opts.tags?.length ? opts.tags : NO_FILTER.only, skip: opts.skipTags ?? [] },
    results: [],
    recap: {},
    dead: live.dead,
    secretsOf: new Map(),
    pendingOf: new Map(),
    cacheOf: new Map(),
    factsOf: new Map(),
    registeredOf,
    playsDone: new Map(),
    interrupted: false,
    aborted: false,
    startReached: false,
    sleep: deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
  };

  const done = (async (): Promise<RunSummary> => {
    for (const h of new Set(prep.plays.flatMap((p) => p.hosts))) {
      // passwords asked for (-K, -k, --ask-key-passphrase) are hidden like secret vars
      const asked = { become_password: opts.becomePassword, ssh_password: opts.sshPassword, key_passphrase: opts.keyPassphrase };
      rc.secretsOf.set(h, secretValues({ ...prep.hostvars[h], ...prep.extra, ...asked }));
      rc.recap[h] = emptyRecap();
    }
    // --flush-cache: no host's cached facts outlive this run's start (prepare did not read them)
    if (opts.factCache && opts.flushCache) flushCachedFacts(opts.factCache, prep.inventory.hosts);
    try {
      preconnect(rc);
      // ansible-playbook a.yml b.yml: the next playbook runs only if the last play of this one ended
      // with no host failed in its last batch and none unreachable in the run (PlaybookExecutor's `result`)
      let lastFailed = false;
      for (const [i, pp] of prep.plays.entries()) {
        if (rc.interrupted || rc.aborted) break;
        if (i > 0 && pp.play.playbookFile !== prep.plays[i - 1].play.playbookFile && lastFailed) break;
        // the inventory changed (add_host, group_by): the play's hosts are those of the inventory now
        let broken = new Map<string, string>();
        if (rc.inventoryChanged || pp.unmatched) {
          const r = resolvePlayHosts(rc, pp);
          for (const text of r.warnings) listen({ kind: 'note', host: '', text, warning: true });
          for (const h of pp.hosts) rc.recap[h] ??= emptyRecap();
          broken = r.broken;
        }
        // Ansible's TaskQueueManager warns as it runs the play (not for a play with no hosts)
        if (pp.hosts.length) for (const text of reservedWarnings(pp.play, prep.extra)) listen({ kind: 'note', host: '', text, warning: true });
        listen({ kind: 'play', name: pp.play.name, hosts: pp.hosts.filter((h) => !rc.dead.has(h)) });
        // a vars_files that cannot be read for a host new to the play: it fails there
        for (const [host, msg] of broken) {
          emit(rc, { host, play: pp.play.name, task: 'vars_files', type: 'vars_files', status: 'failed', changes: [], msg, ms: 0 });
          rc.dead.set(host, 'failed');
        }
        const hosts = pp.hosts.filter((h) => !rc.dead.has(h));
        const forks = limit(Math.max(1, opts.forks ?? Math.min(50, hosts.length || 1)));
        const strategy = strategyOf(rc, pp, hosts);
        const serial = serialOf(rc, pp, hosts);
        if (strategy instanceof Error || serial instanceof Error) {
          const error = strategy instanceof Error ? strategy : (serial as Error);
          for (const host of hosts) {
            emit(rc, { host, play: pp.play.name, task: strategy instanceof Error ? 'strategy' : 'serial', type: strategy instanceof Error ? 'strategy' : 'serial', status: 'failed', changes: [], msg: error.message, ms: 0 });
            rc.dead.set(host, 'failed');
          }
          rc.aborted = true;
          break;
        }
        for (const batch of batches(hosts, serial)) {
          if (rc.interrupted || rc.aborted) break;
          live.batch.set(pp.play, batch);
          const linear = strategy === 'linear';
          const b: BatchCtx = { pp, hosts: batch, failed: new Set(), stopped: false, fatal: false, ended: false, once: new Map(), left: new Set(), throttles: new Map() };
          // linear: every host of the batch walks the play, forks bounds the tasks running at once
          if (linear) Object.assign(b, { lockstep: new Lockstep(batch), forks });
          const runs = batch.map((h) => new HostRun(rc, b, h));
          // facts first, on every host of the batch (as Ansible's first task): a host may read another's
          await Promise.all(runs.map((r) => forks(() => r.gather())));
          await Promise.all(runs.map((r) => (linear ? r.run() : forks(() => r.run()))));
          lastFailed = b.failed.size > 0 || [...rc.dead.values()].includes('unreachable');
          // Ansible's PlaybookExecutor: any_errors_fatal, or a batch whose every host failed, ends the run
          if (b.fatal || (b.failed.size && b.failed.size >= batch.length)) rc.aborted = true;
          // meta end_play: the play's later batches do not run (their hosts end the play normally)
          if (b.endedPlay) {
            for (const h of hosts.slice(hosts.indexOf(batch.at(-1)!) + 1)) rc.playsDone.set(h, (rc.playsDone.get(h) ?? 0) + 1);
            break;
          }
        }
      }
    } finally {
      await pool.closeAll();
    }
    const unfinished = Object.keys(rc.recap).filter((h) => (rc.playsDone.get(h) ?? 0) < prep.plays.filter((p) => p.hosts.includes(h)).length);
    const failed = [...rc.dead].filter(([, s]) => s === 'failed').map(([h]) => h);
    return { results: rc.results, recap: rc.recap, interrupted: rc.interrupted, unfinished, failed, fatal: rc.fatal, parseError: rc.parseError };
  })();

  return {
    done,
    interrupt() {
      rc.interrupted = true;
      pool.killAll();
    },
  };
}

/**
 * The hosts a later play adds start their SSH handshake at once, beside the first play, instead of
 * when their play begins (thanos.yml's monitoring host waited ~100 ms for its own after the
 * Prometheus hosts' play). Through the connection their first play would open (the pool keeps it);
 * a failure is the same UnreachableError, reported when the play gets there. Not with serial
 * batches, whose point is to touch a few hosts at a time.
 */
function preconnect(rc: RunCtx): void {
  const plays = rc.prep.plays;
  if (plays.some((pp) => pp.play.serial !== undefined)) return;
  const seen = new Set(plays[0]?.hosts ?? []);
  for (const pp of plays.slice(1)) {
    const { play } = pp;
    for (const h of pp.hosts) {
      if (seen.has(h)) continue;
      seen.add(h);
      rc.pool.get(h, playPrivilege(rc.prep, play, h, rc.registeredOf.get(h) ?? {})).catch(() => undefined);
    }
  }
}

/**
 * How to reach a host: as prepared, or, for a host the run added (add_host), worked out from its vars
 * when first needed; settings that are wrong make it unreachable, with why.
 */
function settingsOf(prep: Prepared, h: string, connection?: ConnectionName, fromVar = false, remote?: Record<string, unknown>): HostConn {
  const known = prep.conns.get(h) ?? worked(prep, h, prep.connect?.(h));
  prep.conns.set(h, known);
  if (!prep.inventory.hosts.includes(h)) return known;
  // the connection keyword: over -c, under the host's own ansible_connection (the implicit localhost has
  // one); ansible_connection set in a play's or task's vars: over both
  const asKnown = connection === undefined || connection === known.connection || (!fromVar && connVarNames({ ...prep.hostvars[h], ...prep.extra }).connection !== undefined);
  if (asKnown && !remote) return known;
  // another connection, or a play's or task's vars say how to reach the host: other settings, checked as the inventory's
  const variants = variantsOf.get(known) ?? variantsOf.set(known, new Map()).get(known)!;
  const key = `${connection}${fromVar ? ' var' : ''}${remote ? `\0${JSON.stringify(remote)}` : ''}`;
  const v = variants.get(key) ?? worked(prep, h, prep.connect?.(h, connection, fromVar, remote));
  variants.set(key, v);
  return v;
}

/** A host's settings under another connection or its vars' remote settings, kept with its own (dropped with them when its vars change) */
const variantsOf = new WeakMap<HostConn, Map<string, HostConn>>();

function worked(prep: Prepared, h: string, r: ReturnType<NonNullable<Prepared['connect']>> | undefined): HostConn {
  if (!r || 'problems' in r) throw new UnreachableError(h, r && 'problems' in r ? r.problems.map(formatProblem).join('\n') : `unknown host ${JSON.stringify(h)}`);
  return r.conn;
}

/** The play's strategy: its `strategy:` (an expression rendered with its vars), else the configured one. */
function strategyOf(rc: RunCtx, pp: PreparedPlay, hosts: string[]): 'linear' | 'free' | Error {
  const { play } = pp;
  let value: unknown = play.strategy ?? rc.opts.strategy ?? 'linear';
  try {
    if (play.strategy !== undefined && hosts.length) value = render(play.strategy, taskScope(rc.prep, play, hosts[0], {}, play.kw), []);
  } catch (e) {
    return new Error(`strategy: ${(e as Error).message}`);
  }
  if (value === 'linear') return 'linear';
  if (value === 'free' || value === 'host_pinned') return 'free';
  return new Error(`Invalid play strategy specified: ${String(value)}: expected linear, free or host_pinned`);
}

/** The play's serial, its expression rendered at the play's start (omit, or nothing: no serial, as Ansible's). */
function serialOf(rc: RunCtx, pp: PreparedPlay, hosts: string[]): number | string | undefined | Error {
  const { play } = pp;
  if (typeof play.serial !== 'string' || !play.serial.includes('{{')) return play.serial;
  if (!hosts.length) return undefined;
  const problems: RenderProblem[] = [];
  const value = render(play.serial, taskScope(rc.prep, play, hosts[0], {}, play.kw, {}), [], problems);
  if (problems.length) return new Error(`serial: ${problems[0].message}`);
  if (value === OMIT || value === null || value === '') return undefined;
  if (isNumber(value) && Number.isInteger(Number(value)) && Number(value) >= 1) return Number(value);
  if (typeof value === 'string' && /^\d+$/.test(value.trim()) && +value >= 1) return +value;
  if (typeof value === 'string' && /^\d+%$/.test(value.trim())) return value.trim();
  return new Error(`serial: got ${JSON.stringify(value)}, expected a number of hosts or a percentage like "30%"`);
}

/** Pure: Ansible's serial batches (a number of hosts, or a percentage of the play's hosts). */
export function batches(hosts: string[], serial: number | string | undefined): string[][] {
  if (serial === undefined) return [hosts];
  const n = typeof serial === 'number' ? serial : Math.max(1, Math.floor((hosts.length * parseInt(serial, 10)) / 100));
  const out: string[][] = [];
  for (let i = 0; i < hosts.length; i += n) out.push(hosts.slice(i, i + n));
  return out;
}
