// Runs a prepared playbook: plays in order; per play, hosts in serial batches, hosts of a batch in
// parallel (up to forks), each host through its tasks in order (Ansible's "free" strategy: a slow host
// does not hold the others back; host-run.ts); one connection per host and privilege for the whole run.
// A batch past max_fail_percentage (or any_errors_fatal) ends the run, as in Ansible.
import type { Listener } from './events.ts';
import { ConnectionPool, realConnector, type Connector } from './connections.ts';
import { HostRun, playPrivilege, type BatchCtx, type RunCtx } from './host-run.ts';
import type { Prepared, RunOptions } from './prepare.ts';
import { emptyRecap, type Recap } from './recap.ts';
import { secretValues } from './secrets.ts';
import { NO_FILTER } from './tags.ts';
import type { TaskResult } from './events.ts';

export type { Recap } from './recap.ts';

export interface RunSummary {
  results: TaskResult[];
  recap: Record<string, Recap>;
  interrupted: boolean;
  /** hosts that did not get through every play they are in (failed, unreachable, stopped or interrupted) */
  unfinished: string[];
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

export const limit = (n: number) => {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
};

export function startRun(prep: Prepared, opts: RunOptions, listen: Listener, deps: RunDeps = {}): Runner {
  const pool = new ConnectionPool((h) => prep.conns.get(h)!, deps.connector ?? realConnector(opts, (host, text) => listen({ kind: 'note', host, text })));
  // what tasks see of the run as ansible_play_hosts / ansible_play_batch
  const live = { dead: new Map(), batch: new Map() };
  // each host's registered results and set_fact facts: its hostvars show them too
  const registeredOf = new Map<string, Record<string, unknown>>();
  const rc: RunCtx = {
    prep: { ...prep, live, registeredOf },
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
    try {
      preconnect(rc);
      for (const pp of prep.plays) {
        if (rc.interrupted || rc.aborted) break;
        const hosts = pp.hosts.filter((h) => !rc.dead.has(h));
        listen({ kind: 'play', name: pp.play.name, hosts });
        const forks = limit(Math.max(1, opts.forks ?? Math.min(50, hosts.length || 1)));
        for (const batch of batches(hosts, pp.play.serial)) {
          if (rc.interrupted || rc.aborted) break;
          live.batch.set(pp.play, batch);
          const b: BatchCtx = { pp, hosts: batch, failed: new Set(), stopped: false, ended: false, once: new Map(), left: new Set() };
          const runs = batch.map((h) => new HostRun(rc, b, h));
          // facts first, on every host of the batch (as Ansible's first task): a host may read another's
          await Promise.all(runs.map((r) => forks(() => r.gather())));
          await Promise.all(runs.map((r) => forks(() => r.run())));
        }
      }
    } finally {
      await pool.closeAll();
    }
    const unfinished = Object.keys(rc.recap).filter((h) => (rc.playsDone.get(h) ?? 0) < prep.plays.filter((p) => p.hosts.includes(h)).length);
    return { results: rc.results, recap: rc.recap, interrupted: rc.interrupted, unfinished };
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

/** Pure: Ansible's serial batches (a number of hosts, or a percentage of the play's hosts). */
export function batches(hosts: string[], serial: number | string | undefined): string[][] {
  if (serial === undefined) return [hosts];
  const n = typeof serial === 'number' ? serial : Math.max(1, Math.floor((hosts.length * parseInt(serial, 10)) / 100));
  const out: string[][] = [];
  for (let i = 0; i < hosts.length; i += n) out.push(hosts.slice(i, i + n));
  return out;
}
