// Runs a prepared playbook: per play, hosts in parallel (up to forks), each host through its tasks in
// order (Ansible's "free" strategy: a slow host does not hold the others back); one connection per
// host for the whole run; notified handlers once at the end of the play (notifications kept on the
// host until the handler ran: pending-handlers.ts).
import * as v from 'valibot';
import { connectLocal } from '../transport/local.ts';
import { connectSsh } from '../transport/ssh.ts';
import { UnreachableError, type Connection } from '../transport/types.ts';
import type { TaskDef } from '../playbook/load.ts';
import { evaluate, ExprError, truthy, type Scope } from './expr.ts';
import type { Listener, Status, TaskResult } from './events.ts';
import type { Prepared, RunOptions } from './prepare.ts';
import { taskScope } from './prepare.ts';
import { isSecretName, redact, secretValues } from './secrets.ts';
import { TaskFailure, type TaskContext } from './task-type.ts';
import { containsLater, render } from './template.ts';
import { readManyFacts } from '../../tasks/lib/files.ts';
import { withFaultHook } from '../transport/fault-hook.ts';
import { clearPending, markPending, readPending } from './pending-handlers.ts';

export interface RunSummary {
  results: TaskResult[];
  recap: Record<string, Recap>;
  interrupted: boolean;
  /** hosts that did not get through every play they are in (failed, unreachable, or interrupted) */
  unfinished: string[];
}

export interface Recap {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  ignored: number;
  unreachable: boolean;
}

export interface Runner {
  done: Promise<RunSummary>;
  /** Ctrl-C: ends in-flight commands (by closing connections), starts no new task. */
  interrupt(): void;
}

const limit = (n: number) => {
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

export function startRun(prep: Prepared, opts: RunOptions, listen: Listener): Runner {
  const conns = new Map<string, Promise<Connection>>();
  const dead = new Map<string, Status>(); // hosts out of the run: failed or unreachable
  const results: TaskResult[] = [];
  const recap: Record<string, Recap> = {};
  let interrupted = false;
  const secretsOf = new Map<string, string[]>();
  const pendingOf = new Map<string, Map<string, unknown>>(); // check mode: predicted files per host
  const cacheOf = new Map<string, Map<string, unknown>>(); // facts read ahead, per host

  /**
   * One round trip for the file facts every task of the play will plan from (those whose params
   * render now, i.e. not from a registered result), instead of one per task.
   */
  async function readAhead(host: string, conn: Connection, tasks: TaskDef[], scope: Scope): Promise<void> {
    const paths = new Set<string>();
    for (const t of tasks) {
      if (!t.type.reads) continue;
      try {
        const rendered = render(t.params, scope, [], [], t.type.shellParams);
        if (containsLater(rendered)) continue;
        const parsed = v.safeParse(t.type.schema, rendered);
        if (parsed.success) t.type.reads(parsed.output).forEach((p) => paths.add(p));
      } catch {
        /* the task reports its own problem when it runs */
      }
    }
    if (paths.size < 2) return;
    cacheOf.set(host, (await readManyFacts(conn, [...paths])) as Map<string, unknown>);
  }

  const emit = (r: TaskResult) => {
    const secrets = secretsOf.get(r.host) ?? [];
    const clean: TaskResult = { ...r, changes: r.changes.map((c) => redact(c, secrets)), diff: r.diff && redact(r.diff, secrets), msg: r.msg && redact(r.msg, secrets) };
    results.push(clean);
    const rc = (recap[r.host] ??= { ok: 0, changed: 0, failed: 0, skipped: 0, ignored: 0, unreachable: false });
    if (r.status === 'unreachable') rc.unreachable = true;
    else if (r.ignored) rc.ignored++;
    else rc[r.status]++;
    listen({ kind: 'result', result: clean });
  };

  /** One connection per host and privilege: a play's `become` overrides the inventory's (as in Ansible). */
  const connect = (host: string, playBecome?: boolean): Promise<Connection> => {
    const hc = prep.conns.get(host)!;
    const become = playBecome ?? hc.become;
    const key = `${host}\0${become}`;
    let c = conns.get(key);
    if (!c) {
      const raw =
        hc.connection === 'local'
          ? Promise.resolve(connectLocal(host, become))
          : connectSsh({
              host,
              address: hc.address,
              port: hc.port,
              user: hc.user,
              privateKeyFile: hc.private_key_file,
              become,
              knownHostsFile: hc.known_hosts_file,
              acceptNewHostKeys: opts.acceptNewHostKeys,
              connectTimeoutMs: hc.connect_timeout * 1000,
            });
      c = raw.then((x) => withFaultHook(x));
      conns.set(key, c);
    }
    return c;
  };

  async function runTask(t: TaskDef, host: string, playName: string, conn: Connection, scope: Scope, registered: Record<string, unknown>, handler: boolean, pending: Set<string>): Promise<TaskResult> {
    const started = Date.now();
    const base = { host, play: playName, task: t.name, type: t.type.name, handler, changes: [] as string[] };
    const res = (status: Status, extra: Partial<TaskResult> = {}): TaskResult => ({ ...base, status, ms: Date.now() - started, ...extra });
    const hide = t.meta.no_log === true;
    let marked: string[] = [];
    try {
      const when = t.meta.when;
      if (when !== undefined) {
        const list = Array.isArray(when) ? when : [when];
        for (const w of list) {
          const ok = typeof w === 'boolean' ? w : truthy(evaluate(w, scope));
          if (!ok) {
            if (t.meta.register) registered[t.meta.register] = { changed: false, skipped: true, failed: false };
            return res('skipped', { msg: `when: ${w}` });
          }
        }
      }
      const problems: { path: (string | number)[]; message: string }[] = [];
      const rendered = render(t.params, scope, [], problems, t.type.shellParams);
      if (problems.length) throw new TaskFailure(problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('; '));
      const parsed = v.safeParse(t.type.schema, rendered);
      if (!parsed.success) throw new TaskFailure(parsed.issues.map((i) => `${(i.path ?? []).map((p) => p.key).join('.')}: ${i.message}`).join('; '));
      const hv = prep.hostvars[host];
      const ctx: TaskContext = { host, conn, vars: hv, inventory: prep.inventory, hostvars: prep.hostvars, check: opts.check && t.meta.check_mode !== false, secrets: secretsOf.get(host) ?? [], pending: pendingOf.get(host) ?? pendingOf.set(host, new Map()).get(host), cache: cacheOf.get(host) };
      if (t.meta.check_mode === true) ctx.check = true;
      if (handler && ctx.check) {
        return res('changed', { changes: [`would run handler ${t.name}`], msg: 'would run (check mode)' });
      }
      const plan = await t.type.plan(ctx, parsed.output);
      let status: Status;
      let out: Record<string, unknown> = { ...(plan.result ?? {}) };
      if (plan.skip) status = 'skipped';
      else if (plan.changes.length === 0) status = 'ok';
      else if (ctx.check) status = 'changed';
      else {
        ctx.cache?.clear(); // what was read ahead may be stale from here on
        // before the change: a crash between it and the handler must not lose the notification
        marked = t.notify.filter((n) => !pending.has(n));
        await markPending(conn, marked);
        marked.forEach((n) => pending.add(n));
        out = { ...out, ...((await t.type.apply(ctx, parsed.output, plan)) ?? {}) };
        status = 'changed';
      }
      const resultScope: Scope = (n) => (n in out ? { found: true, value: out[n] } : n === 'result' ? { found: true, value: out } : scope(n));
      if (t.meta.failed_when !== undefined && status !== 'skipped') {
        const f = typeof t.meta.failed_when === 'boolean' ? t.meta.failed_when : truthy(evaluate(t.meta.failed_when, resultScope));
        if (f) throw new TaskFailure(`failed_when: ${t.meta.failed_when}`, out);
      }
      if (t.meta.changed_when !== undefined && status !== 'skipped') {
        const c = typeof t.meta.changed_when === 'boolean' ? t.meta.changed_when : truthy(evaluate(t.meta.changed_when, resultScope));
        status = c ? 'changed' : 'ok';
      }
      if (status !== 'changed' && marked.length) {
        // changed_when said no: nothing to notify after all
        await clearPending(conn, marked);
        marked.forEach((n) => pending.delete(n));
      }
      if (t.meta.register) registered[t.meta.register] = { ...out, changed: status === 'changed', failed: false, skipped: status === 'skipped' };
      return res(status, { changes: hide ? plan.changes.map(() => '(hidden: no_log)') : plan.changes, diff: hide ? undefined : plan.diff, msg: hide ? undefined : plan.note });
    } catch (e) {
      if (e instanceof UnreachableError) return res('unreachable', { msg: e.message });
      const failure = e instanceof TaskFailure || e instanceof ExprError;
      const msg = failure ? (e as Error).message : `internal error: ${(e as Error).stack ?? e}`;
      if (t.meta.register) registered[t.meta.register] = { ...(e instanceof TaskFailure ? e.result : {}), changed: false, failed: true, skipped: false, msg };
      if (interrupted) return res('failed', { msg: 'interrupted' });
      return res('failed', { msg: hide ? '(hidden: no_log)' : msg, ignored: t.meta.ignore_errors === true });
    }
  }

  // registered results last for the whole run, per host, across plays (as in Ansible)
  const registeredOf = new Map<string, Record<string, unknown>>();
  const playsDone = new Map<string, number>(); // per host: plays it got all the way through
  async function runHost(pp: Prepared['plays'][number], host: string) {
    const { play } = pp;
    const registered = registeredOf.get(host) ?? {};
    registeredOf.set(host, registered);
    const scope = taskScope(prep, play, host, registered);
    // Play vars can hold secrets too: add their rendered values to what this host's output hides.
    const playSecrets = Object.keys(play.vars).filter((k) => isSecretName(k, play.vars.secret_vars));
    if (playSecrets.length) {
      const values = Object.fromEntries(playSecrets.map((k) => [k, evaluate(k, scope)]));
      secretsOf.set(host, [...new Set([...(secretsOf.get(host) ?? []), ...secretValues({ ...values, secret_vars: playSecrets })])].sort((a, b) => b.length - a.length));
    }
    const notified = new Set<string>();
    /** handlers whose marker is on the host (an earlier run's, or this one's) */
    const pending = new Set<string>();
    let conn: Connection | undefined;
    const one = async (t: TaskDef, handler: boolean) => {
      if (interrupted || dead.has(host)) return false;
      listen({ kind: 'task-start', host, play: play.name, task: t.name });
      let r: TaskResult;
      try {
        conn ??= await connect(host, play.become);
        r = await runTask(t, host, play.name, conn, scope, registered, handler, pending);
      } catch (e) {
        r = { host, play: play.name, task: t.name, type: t.type.name, status: 'unreachable', changes: [], msg: (e as Error).message, ms: 0, handler };
      }
      emit(r);
      if (r.status === 'unreachable' || (r.status === 'failed' && !r.ignored)) {
        dead.set(host, r.status);
        return false;
      }
      if (r.status === 'changed') t.notify.forEach((n) => notified.add(n));
      if (handler && !opts.check) {
        await clearPending(conn!, [t.name]);
        pending.delete(t.name);
      }
      return true;
    };
    try {
      conn = await connect(host, play.become);
      // notified in an earlier run that ended before the handler ran: they run at the end of this play
      for (const h of await readPending(conn, play.handlers.map((x) => x.name))) {
        pending.add(h);
        notified.add(h);
      }
      await readAhead(host, conn, play.tasks, scope);
    } catch {
      /* unreachable: the first task reports it */
    }
    for (const t of play.tasks) if (!(await one(t, false))) break;
    cacheOf.delete(host);
    // Handlers run even after a later failure? Ansible does not (without force_handlers); neither do we.
    if (!dead.has(host)) for (const h of play.handlers) if (notified.has(h.name) && !(await one(h, true))) break;
    if (!interrupted && !dead.has(host)) playsDone.set(host, (playsDone.get(host) ?? 0) + 1);
    listen({ kind: 'host-done', host, play: play.name });
  }

  const done = (async (): Promise<RunSummary> => {
    for (const h of new Set(prep.plays.flatMap((p) => p.hosts))) {
      secretsOf.set(h, secretValues({ ...prep.hostvars[h], ...prep.extra }));
      recap[h] = { ok: 0, changed: 0, failed: 0, skipped: 0, ignored: 0, unreachable: false };
    }
    try {
      for (const pp of prep.plays) {
        if (interrupted) break;
        const hosts = pp.hosts.filter((h) => !dead.has(h));
        listen({ kind: 'play', name: pp.play.name, hosts });
        const forks = limit(Math.max(1, opts.forks ?? Math.min(50, hosts.length || 1)));
        for (const batch of batches(hosts, pp.play.serial)) {
          if (interrupted) break;
          await Promise.all(batch.map((h) => forks(() => runHost(pp, h))));
        }
      }
    } finally {
      await Promise.all([...conns.values()].map((c) => c.then((x) => x.close()).catch(() => undefined)));
    }
    const unfinished = Object.keys(recap).filter((h) => (playsDone.get(h) ?? 0) < prep.plays.filter((p) => p.hosts.includes(h)).length);
    return { results, recap, interrupted, unfinished };
  })();

  return {
    done,
    interrupt() {
      interrupted = true;
      for (const c of conns.values()) c.then((x) => x.close({ kill: true })).catch(() => undefined);
    },
  };
}

function batches(hosts: string[], serial: number | string | undefined): string[][] {
  if (serial === undefined) return [hosts];
  const n = typeof serial === 'number' ? serial : Math.max(1, Math.floor((hosts.length * parseInt(serial, 10)) / 100));
  const out: string[][] = [];
  for (let i = 0; i < hosts.length; i += n) out.push(hosts.slice(i, i + n));
  return out;
}

