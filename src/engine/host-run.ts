// One host through one play: its tasks in order (blocks with rescue/always, meta tasks, run_once,
// delegate_to), tag and --start-at-task selection, notifications and handlers (flushed by
// `meta: flush_handlers` and at the end of the play). Everything shared with other hosts lives in
// RunCtx (the run) and BatchCtx (this serial batch): results, recap, connections, the stop flags.
import { UnreachableError, type Connection } from '../transport/types.ts';
import type { BlockDef, Handler, Keywords, MetaDef, Node, PlayDef, TaskDef } from '../playbook/load.ts';
import { locate } from '../util/yaml-source.ts';
import { readAhead } from './read-ahead.ts';
import { walkTasks } from '../playbook/load.ts';
import { dirname, resolve } from 'node:path';
import * as v from 'valibot';
import type { ConnectionPool, Privilege } from './connections.ts';
import { connectionVars, type ConnectionVars } from './connection-vars.ts';
import { becomeMethodOf, becomeMethodRefused, type BecomeHow } from '../transport/become.ts';
import { connectionOf, type ConnectionName } from './connection-keyword.ts';
import type { Delegation, Listener, Status, TaskResult } from './events.ts';
import { appearsIn, undefinedError } from './ansible-errors.ts';
import { evaluate, LATER, type Scope } from '../template/expr.ts';
import { holds } from './conditional.ts';
import { factVars, gatherFacts, setupSays, type Facts } from './facts.ts';
import { narrowedSubset, playSubset } from './fact-needs.ts';
import { factsModules, gatherFromModules } from './facts-modules.ts';
import { findModuleFile } from '../playbook/module-search.ts';
import { routedPlugin } from '../playbook/collections.ts';
import { clearPending, markPending, PENDING_MARKERS, readPending } from './pending-handlers.ts';
import type { Prepared, PreparedPlay, RunOptions, VarKeywords } from './prepare.ts';
import { checkIncluded, gathers, startsHere, taskScope } from './prepare.ts';
import { pyStr } from '../template/expr-error.ts';
import { floatMarkedJson, revivingFloats } from '../template/py-float.ts';
import { formatProblem, show } from '../util/errors.ts';
import { count, emptyRecap, type Recap } from './recap.ts';
import { progressChannel } from './progress.ts';
import { itemVars, loopItems, resolveLoop } from './loop.ts';
import { runTask, titleOf, type TaskEnv, type TaskOutcome } from './run-task.ts';
import { changeInventory, refreshInventory } from './inventory-change.ts';
import { matchPattern } from '../inventory/pattern.ts';
import { isSecretName, redact, secretValues } from '../util/secrets.ts';
import { evalTags, tagsSelect, type TagFilter } from './tags.ts';
import { decide, flag, FLAG_KEYWORDS } from './flag.ts';
import { limit, type Cursor, type Limit, type Lockstep, type Round } from './lockstep.ts';
import { OMIT, removeOmit } from './omit.ts';
import { renderEnvironment, withEnvironment } from './environment.ts';
import { cachedFactVars, flushCachedFacts, writeCachedFacts } from './fact-cache.ts';
import { discoverPython, isDiscoveryMode } from './interpreter-discovery.ts';
import { handlersReached, missingHandler, notifyNames, unusableHandler } from './notify.ts';
import { TaskFailure, type FactRead } from './task-type.ts';
import { containsLater, render, renderParams, renderString, type RenderProblem } from '../template/template.ts';
import { holdsTemplate, noteFacts, noteText, noteVar, tracked, UNSAFE, YAML_TEXT } from '../template/unsafe.ts';
import { parseParams } from './float-params.ts';

export interface RunCtx {
  prep: Prepared;
  opts: RunOptions;
  listen: Listener;
  pool: ConnectionPool;
  tags: TagFilter;
  results: TaskResult[];
  recap: Record<string, Recap>;
  /** hosts out of the run: failed or unreachable */
  dead: Map<string, Status>;
  secretsOf: Map<string, string[]>;
  /** check mode: what earlier tasks would have left at a path, per host */
  pendingOf: Map<string, Map<string, unknown>>;
  /** facts read ahead, per host */
  cacheOf: Map<string, Map<string, unknown>>;
  /** gathered facts, per host, for the whole run (a later play gathers them again, unless gathering is smart) */
  factsOf: Map<string, Facts>;
  /** registered results last for the whole run, per host, across plays (as in Ansible) */
  registeredOf: Map<string, Record<string, unknown>>;
  /** per host: plays it got all the way through */
  playsDone: Map<string, number>;
  interrupted: boolean;
  /** a batch went over max_fail_percentage, or any_errors_fatal: nothing more runs */
  aborted: boolean;
  /** --start-at-task: the named task was reached (from then on everything runs) */
  startReached: boolean;
  /** an error that ends the run at once, as Ansible's `ERROR!` (a notify that reaches no handler...) */
  fatal?: string;
  /** the run ended on a file it could not parse (Ansible's AnsibleParserError: exit 4, not a host's failure) */
  parseError?: boolean;
  /** a task changed the inventory (add_host, group_by): later plays resolve their hosts again */
  inventoryChanged?: boolean;
  sleep(ms: number): Promise<void>;
}

export interface BatchCtx {
  pp: PreparedPlay;
  hosts: string[];
  failed: Set<string>;
  /** max_fail_percentage: the batch's hosts stop (handlers only if forced) */
  stopped: boolean;
  /**
   * any_errors_fatal (linear): hosts that were not in a rescue or always when a host failed stop before
   * their next task (`stopping`), the others finish; the run ends after the batch (as linear.py marks them)
   */
  fatal: boolean;
  stopping?: Set<string>;
  /** per host: how many rescue/always sections it is in (Ansible's states any_errors_fatal does not stop) */
  shielded?: Map<string, number>;
  /** linear: the task barrier, and forks, which bounds the tasks running at once (free: the hosts) */
  lockstep?: Lockstep;
  forks?: Limit;
  /** throttle: per task, the bound on the hosts running it at once */
  throttles: Map<TaskDef, Limit>;
  /** linear run_once: the host of a round (lockstep.ts) that runs the task, the others share its result */
  roundOnce?: WeakMap<Round, { arrived: Set<string>; slot: Promise<OnceSlot> }>;
  /** `meta: end_play` or `end_batch`: the batch's hosts end the play normally */
  ended: boolean;
  /** `meta: end_play`: no later batch of the play runs either */
  endedPlay?: boolean;
  /** run_once: the first host of the batch still in it runs the task; the others share its outcome */
  once: Map<TaskDef, OnceSlot>;
  /** hosts whose play is over (done, failed, ended): no longer chosen for run_once */
  left: Set<string>;
}

type Flow = 'ok' | 'failed' | 'unreachable' | 'stop';

/** Dynamic includes one in another, deeper than this, fail (a file that includes itself with no end). */
const MAX_DYNAMIC_DEPTH = 50;

/** A run_once task's run: by `host`; `done` gives its result, or undefined if the host left without. */
export interface OnceSlot {
  host: string;
  done: Promise<TaskResult | undefined>;
  resolve(r?: TaskResult): void;
}

/** run_once handlers' runs without the task barrier, per batch: `handler index#n` -> the n-th run's result */
const onceHandlers = new WeakMap<BatchCtx, Map<string, Promise<TaskResult>>>();

function onceSlot(host: string): OnceSlot {
  let resolve!: (r?: TaskResult) => void;
  const done = new Promise<TaskResult | undefined>((r) => (resolve = r));
  return { host, done, resolve };
}

/** Pure: has this batch failed past the play's max_fail_percentage (or, with serial, entirely)? */
export function overFailLimit(play: Pick<PlayDef, 'max_fail_percentage' | 'serial'>, failed: number, batchSize: number): boolean {
  if (!failed) return false;
  if (play.max_fail_percentage !== undefined) return (failed / batchSize) * 100 > play.max_fail_percentage;
  return play.serial !== undefined && failed >= batchSize;
}

export function emit(rc: RunCtx, r: TaskResult): void {
  const secrets = rc.secretsOf.get(r.host) ?? [];
  const clean: TaskResult = {
    ...r,
    changes: r.changes.map((c) => redact(c, secrets)),
    diff: r.diff && redact(r.diff, secrets),
    msg: r.msg && redact(r.msg, secrets),
    // redacted as JSON text, a whole float kept a float (py-float.ts)
    registered: r.registered === undefined ? undefined : JSON.parse(redact(floatMarkedJson(r.registered), secrets.map((s) => JSON.stringify(s).slice(1, -1))), revivingFloats),
    result: r.result === undefined ? undefined : JSON.parse(redact(floatMarkedJson(r.result), secrets.map((s) => JSON.stringify(s).slice(1, -1))), revivingFloats),
    labels: r.labels === undefined ? undefined : JSON.parse(redact(floatMarkedJson(r.labels), secrets.map((s) => JSON.stringify(s).slice(1, -1))), revivingFloats),
  };
  rc.results.push(clean);
  count((rc.recap[r.host] ??= emptyRecap()), clean);
  rc.listen({ kind: 'result', result: clean });
}

export class HostRun {
  private readonly registered: Record<string, unknown>;
  /** handlers notified and not yet run (a handler stays notified while it runs, as in Ansible) */
  private readonly notified = new Set<Handler>();
  /** running an include_tasks handler: its tasks are handlers too */
  private handling = false;
  /** run_once handlers without lockstep: how many times this host reached each (hosts share the n-th run) */
  private readonly handlerRuns = new Map<Handler, number>();
  /** handlers whose marker is on the host (an earlier run's, or this one's) */
  private readonly pending = new Set<string>();
  /** handlers pending from an earlier run and not notified again in this one: said so when they run */
  private readonly fromEarlier = new Set<string>();
  private ended = false;
  /** meta clear_host_errors in an always: the block that ends does not fail the host */
  private cleared = false;
  /** how many enclosing blocks have an always still ahead: where a failure goes next (any_errors_fatal) */
  private alwaysAhead = 0;
  /** linear: the hosts that took this host's last turn with it */
  private round?: Round;
  /** the outcome of gathering facts at the start of the play ('ok' when there was none to do) */
  private gathered: Flow = 'ok';
  /** the loop vars of the include_tasks loops being run (their tasks see the current items) */
  private outer: Record<string, unknown> = {};
  /** dynamic includes being run, one in another */
  private depth = 0;
  private readonly play: PlayDef;

  constructor(
    private readonly rc: RunCtx,
    private readonly b: BatchCtx,
    private readonly host: string,
  ) {
    this.play = b.pp.play;
    this.registered = rc.registeredOf.get(host) ?? {};
    rc.registeredOf.set(host, this.registered);
  }

  /** The play's own connection (its become): the facts every task plans from are read ahead through it. */
  private base(): Promise<Connection> {
    return this.rc.pool.get(this.host, playPrivilege(this.rc.prep, this.play, this.host, this.registered));
  }

  /**
   * The login itself (the play's connection without become): handler notifications are kept through
   * it, whatever the play's or a task's become. The play's become_user may not exist yet (a user the
   * play creates: Ansible's keyword_inheritance), and markers kept under one user's home would be lost
   * to a later play or run that becomes another.
   */
  private login(): Promise<Connection> {
    return this.rc.pool.get(this.host, { ...playPrivilege(this.rc.prep, this.play, this.host, this.registered), become: false });
  }

  private stopped(): boolean {
    return this.rc.interrupted || this.rc.aborted || this.rc.fatal !== undefined || this.b.stopped || !!this.b.stopping?.has(this.host) || this.b.ended || this.ended;
  }

  /** linear: waits for this host's turn at the task at `at` (lockstep.ts); false if it must stop meanwhile. */
  private async turn(at: Cursor): Promise<boolean> {
    if (this.b.lockstep) this.round = await this.b.lockstep.turn(this.host, at);
    return !this.stopped();
  }

  /** A rescue or always section: any_errors_fatal does not stop a host in one (Ansible's dont_fail_states). */
  private async shielded(fn: () => Promise<Flow>): Promise<Flow> {
    const m = (this.b.shielded ??= new Map());
    m.set(this.host, (m.get(this.host) ?? 0) + 1);
    try {
      return await fn();
    } finally {
      m.set(this.host, m.get(this.host)! - 1);
    }
  }

  /** Runs `t` within forks (linear) and its throttle (at most that many hosts at once; not with run_once). */
  private bounded(t: TaskDef, once: boolean, fn: () => Promise<TaskResult>): Promise<TaskResult> {
    let run = fn;
    const n = once ? 0 : this.throttleOf(t);
    if (n > 0) {
      let bound = this.b.throttles.get(t);
      if (!bound) this.b.throttles.set(t, (bound = limit(n)));
      run = () => bound(fn);
    }
    const forks = this.b.forks;
    return forks ? forks(run) : run();
  }

  private throttleOf(t: TaskDef): number {
    const value = t.kw.throttle;
    if (typeof value !== 'string') return value ?? 0;
    try {
      const n = Number(render(value, taskScope(this.rc.prep, this.play, this.host, this.registered, t.kw, this.outer), []));
      return Number.isInteger(n) && n > 0 ? n : 0;
    } catch {
      return 0;
    }
  }

  async run(): Promise<void> {
    try {
      await this.walk();
    } finally {
      this.b.lockstep?.leave(this.host);
    }
  }

  private async walk(): Promise<void> {
    const { rc, play, host } = this;
    this.addSecrets(play.vars);
    const handlerNames = play.handlers.filter((x) => x.kind === 'task').map((x) => x.name);
    // a play without handlers has no markers to read
    const login = handlerNames.length ? this.login() : undefined;
    try {
      const conn = await this.base();
      // the markers come in the same round trip when the play logs in without become
      await this.readAhead(conn, login !== undefined && conn === (await login));
    } catch {
      /* unreachable, or the play's become fails: the first task reports it */
    }
    if (login) {
      try {
        // notified in an earlier run that ended before the handler ran: they run at the end of this play
        for (const h of await readPending(await login, handlerNames, rc.cacheOf.get(host)?.get(PENDING_MARKERS.key(null)) as string[] | undefined)) {
          this.pending.add(h);
          this.notified.add(play.handlers.find((x) => x.kind === 'task' && x.name === h)!);
          this.fromEarlier.add(h);
        }
      } catch {
        /* unreachable: the first task reports it */
      }
    }
    let flow: Flow = this.gathered;
    try {
      if (flow === 'ok') flow = await this.nodes(play.tasks, false, []);
    } finally {
      this.leave();
    }
    rc.cacheOf.delete(host);
    // the play's force_handlers, when set, wins over --force-handlers (its default, as in Ansible)
    const force = play.force_handlers ?? rc.opts.forceHandlers === true;
    // ended on purpose (meta end_host / end_play): a normal end of the play
    const graceful = flow === 'ok' || (flow === 'stop' && (this.ended || this.b.ended) && !rc.interrupted && !rc.aborted && !this.b.stopped);
    // Handlers after a failure or an abort only with force_handlers (as in Ansible); never when
    // unreachable or interrupted (their notifications stay recorded on the host for the next run).
    let handlers: Flow = 'stop';
    if (!rc.interrupted && !rc.fatal && rc.dead.get(host) !== 'unreachable' && ((graceful && !rc.dead.has(host)) || force)) handlers = await this.flush(true, [play.tasks.length]);
    if (graceful && handlers === 'ok' && !rc.interrupted && !rc.dead.has(host)) rc.playsDone.set(host, (rc.playsDone.get(host) ?? 0) + 1);
    rc.listen({ kind: 'host-done', host, play: play.name });
  }

  /**
   * Ansible's "Gathering Facts" task, first in the play: the facts become host vars (over inventory
   * vars, under play vars, as in Ansible) and hostvars[host]'s. Every play that gathers. The batch's
   * hosts all gather before any of them goes on, so `hostvars[other].ansible_facts` is there.
   */
  /**
   * The facts of Ansible's setup module (narrowed to the collectors needed) under skiff's own, for a play
   * that reads facts skiff does not gather (fact-needs.ts). Without them (no ansible-core on the
   * controller) a warning, and a task that reads one fails as on an undefined variable. The play's
   * gather_subset, when given, is what setup collects (a fact outside it is undefined, as in Ansible);
   * its fact_path and gather_timeout are setup's.
   */
  private async moreFacts(conn: Connection, facts: Facts, scope: Scope): Promise<Facts> {
    const { rc, play } = this;
    if (!rc.prep.registry.ansibleFacts) return facts;
    const given = play.gatherOptions;
    const narrowed = narrowedSubset(given?.subset);
    const needed = narrowed ? given!.subset : playSubset(play, resolve(play.playbookFile ?? rc.prep.playbook.file));
    if (!needed) return facts;
    const subset = given?.subset ?? needed;
    const python = (facts.python as { executable?: unknown } | undefined)?.executable;
    try {
      const factPath = given?.factPath === undefined ? undefined : pyStr(renderString(given.factPath, scope));
      const theirs = await rc.prep.registry.ansibleFacts(conn, typeof python === 'string' ? python : '/usr/bin/python3', subset, { factPath, timeout: given?.timeout });
      // a narrowed gather_subset (`hardware`, `!all,network`): the facts Ansible's setup gives for it
      // alone, so one it leaves out is undefined as in Ansible (skiff's own would have them all)
      if (narrowed) return theirs as Facts;
      return { ...theirs, ...facts };
    } catch (e) {
      if (e instanceof UnreachableError) throw e;
      this.warn(`only skiff's own facts were gathered: ${(e as Error).message}`);
      return facts;
    }
  }

  /**
   * One module of ansible_facts_modules run as the gathering runs it, without arguments: a library/
   * module beside the playbook (or of the library setting) first, as Ansible's module search; its result.
   */
  private async factsModule(conn: Connection, name: string, scope: Scope): Promise<Record<string, unknown>> {
    const { rc, play, host } = this;
    const types = rc.prep.registry.types;
    const file = findModuleFile(name, { dirs: [resolve(dirname(resolve(play.playbookFile ?? rc.prep.playbook.file)), 'library')], configured: rc.opts.libraryPath ?? [] });
    const type = (file && types.localModule?.(name, file)) || types.get(name) || types.ansibleModule?.(name);
    if (!type) throw new Error(`couldn't resolve module/action '${name}'. This often indicates a misspelling, missing collection, or incorrect module path.`);
    const parsed = v.safeParse(type.schema, {});
    if (!parsed.success) throw new TaskFailure(`${name}: ${parsed.issues.map((i) => i.message).join('; ')}`);
    const ctx = { host, conn, vars: rc.prep.hostvars[host] ?? {}, inventory: rc.prep.inventory, hostvars: rc.prep.hostvars, check: rc.opts.check, secrets: rc.secretsOf.get(host) ?? [], scope };
    const plan = await type.plan(ctx, parsed.output);
    if (plan.skip || rc.opts.check) return plan.result ?? {};
    return (await type.apply(ctx, parsed.output, plan)) ?? plan.result ?? {};
  }

  async gather(): Promise<void> {
    const { rc, play, host } = this;
    // Ansible's implicit gathering gathers in every play; `smart` only where the host has none yet
    if (!gathers(play, rc.opts) || (rc.opts.gathering === 'smart' && rc.factsOf.has(host)) || rc.interrupted || rc.aborted) return;
    // the gathering task is tagged `always` and the play's tags: --skip-tags of one of those leaves it out (PlayIterator)
    if (!tagsSelect(['always', ...this.tagsOf(play.kw)], rc.tags)) return;
    const task = 'Gathering Facts';
    // --start-at-task: a task like any other, passed over until the named one is reached (PlayIterator)
    const start = rc.opts.startAtTask;
    if (start !== undefined && !rc.startReached) {
      if (!startsHere(task, start)) return;
      rc.startReached = true;
    }
    const started = Date.now();
    rc.listen({ kind: 'task-start', host, play: play.name, task, action: 'ansible.builtin.gather_facts' });
    // a play an import_playbook brought under `when`: its gathering is skipped with its tasks (Ansible's
    // _included_conditional on the setup task)
    if (play.kw.when.length) {
      const scope = taskScope(rc.prep, play, host, this.registered, play.kw, this.outer);
      const unmet = play.kw.when.find((w) => !holds(w, scope, (text) => this.warn(text)));
      if (unmet !== undefined) return void emit(rc, { host, play: play.name, task, type: 'gather_facts', handler: false, status: 'skipped', changes: [], msg: `when: ${unmet}`, ms: Date.now() - started });
    }
    let status: Status = 'ok';
    let msg: string | undefined;
    try {
      // the play's environment, as Ansible's setup task has it (less what needs the facts being gathered)
      const scope = taskScope(rc.prep, play, host, this.registered, play.kw, this.outer);
      const conn = withEnvironment(await this.base(), renderEnvironment(play.kw.environment, scope, rc.secretsOf.get(host) ?? [], true));
      const modules = factsModules(definedVar('ansible_facts_modules', scope));
      if (modules) {
        // other modules than setup (ansible_facts_modules): their facts alone, merged as Ansible's gather_facts
        const raw = await gatherFromModules(modules, (name) => this.factsModule(conn, name, scope));
        rc.factsOf.set(host, cachedFactVars(raw).ansible_facts as Facts);
        this.cacheFacts(host, raw);
      } else {
        const facts = await this.moreFacts(conn, { ...(await gatherFacts(conn)), ...setupSays(play.gatherOptions?.subset ?? ['all']) }, scope);
        rc.factsOf.set(host, facts);
        Object.assign((rc.prep.hostvars[host] ??= {}), factVars(facts));
        this.cacheFacts(host, factVars(facts));
      }
    } catch (e) {
      status = e instanceof UnreachableError ? 'unreachable' : 'failed';
      msg = (e as Error).message;
    }
    emit(rc, { host, play: play.name, task, type: 'gather_facts', handler: false, status, changes: [], msg, ms: Date.now() - started });
    if (status === 'ok') return;
    this.gathered = status === 'unreachable' ? 'unreachable' : 'failed';
    this.fail(status);
  }

  /**
   * Facts as Ansible's set_host_facts keeps them: host facts (each under its name and in ansible_facts
   * without the ansible_ prefix), and with fact_caching = jsonfile in the host's cache file.
   */
  private cacheFacts(h: string, vars: Record<string, unknown>): void {
    const { ansible_facts: _, ...facts } = vars;
    const hv = (this.rc.prep.hostvars[h] ??= {});
    const { ansible_facts: namespaced, ...all } = cachedFactVars(facts);
    // internal keys (_ansible_facts_gathered) are no variables: Ansible's clean_facts strips them
    const named = Object.fromEntries(Object.entries(all).filter(([k]) => !k.startsWith('_ansible_')));
    // a fact may not set a host's interpreter (Ansible's clean_facts): it stays in ansible_facts alone
    for (const k of Object.keys(named).filter((k) => /^ansible_.*_interpreter$/.test(k))) {
      this.rc.listen({ kind: 'note', host: h, text: `Removed restricted key from module data: ${k}`, warning: true, again: true });
      delete named[k];
    }
    const had = hv.ansible_facts;
    Object.assign(hv, named, { ansible_facts: { ...(had && typeof had === 'object' && !Array.isArray(had) ? had : {}), ...(namespaced as object) } });
    noteFacts(hv, [...Object.keys(named), 'ansible_facts']);
    if (this.rc.opts.factCache) writeCachedFacts(this.rc.opts.factCache, h, facts);
  }

  /** `vars`: the variables written here (the play's, or a task's layers: kw) whose secret names are looked for */
  private addSecrets(vars: Record<string, unknown>, kw: VarKeywords = {}): void {
    const names = Object.keys(vars).filter((k) => isSecretName(k, (vars as { secret_vars?: unknown }).secret_vars));
    if (!names.length) return;
    const scope = taskScope(this.rc.prep, this.play, this.host, this.registered, kw);
    const values = Object.fromEntries(names.map((k) => [k, evaluate(k, scope)]));
    const all = new Set([...(this.rc.secretsOf.get(this.host) ?? []), ...secretValues({ ...values, secret_vars: names })]);
    this.rc.secretsOf.set(this.host, [...all].sort((a, b) => b.length - a.length));
  }

  /**
   * One round trip for the facts every task of the play will plan from (read-ahead.ts), and the
   * handler markers when the play has handlers: of the tasks that
   * run on the play's own connection and whose params render now (not from a loop item, nor on another
   * host); of params that need a registered result, what the known ones name (readsKnown).
   */
  private async readAhead(conn: Connection, withPending: boolean): Promise<void> {
    // the play's handlers pending from an earlier run: read with the rest
    const reads: FactRead[] = withPending ? [{ source: PENDING_MARKERS, query: null }] : [];
    for (const t of walkTasks(this.play.tasks)) {
      if (!(t.type.reads || t.type.readsKnown) || t.loop || t.kw.loopVars.length) continue;
      try {
        const scope = taskScope(this.rc.prep, this.play, this.host, this.registered, t.kw, {});
        if (!this.onBase(t, () => scope, undefined)) continue;
        const problems: RenderProblem[] = [];
        const rendered = removeOmit(renderParams(t.params, t.type, scope, problems));
        // a registered result not there yet (an unknown variable now, LATER when prepared)
        if (problems.length || containsLater(rendered)) {
          if (t.type.readsKnown && rendered && typeof rendered === 'object') reads.push(...t.type.readsKnown(withoutLater(rendered as Record<string, unknown>)));
          continue;
        }
        const parsed = parseParams(t.type.schema, rendered);
        if (parsed.success && t.type.reads) reads.push(...t.type.reads(parsed.output));
      } catch {
        /* the task reports its own problem when it runs */
      }
    }
    // one fact alone: its own read costs the same round trip (and a task's, only if it runs)
    if (new Set(reads.map((r) => r.source.key(r.query))).size < 2) return;
    this.rc.cacheOf.set(this.host, await readAhead(conn, reads));
  }

  /**
   * Whether task `t` runs on the play's own connection on this host, as the read-ahead read through:
   * not delegated, the same become and become_user, no `environment` (DOCKER_HOST would be another engine).
   */
  private onBase(t: TaskDef, scope: () => Scope, delegate: string | undefined): boolean {
    const { rc, play, host } = this;
    if (delegate !== undefined || t.kw.delegate_to !== undefined || t.kw.environment.some((l) => typeof l === 'string' || Object.keys(l).length)) return false;
    try {
      return rc.pool.key(host, taskPrivilege(t, scope)) === rc.pool.key(host, playPrivilege(rc.prep, play, host, this.registered));
    } catch {
      return false;
    }
  }

  /** `at`: where the list is in the play (lockstep.ts's Cursor); its nodes are at [...at, index]. */
  private async nodes(list: Node[], rescuable: boolean, at: Cursor): Promise<Flow> {
    for (const [i, n] of list.entries()) {
      const here = [...at, i];
      // an include_tasks in a handler's included file is read as a handler include: here it includes
      const flow = n.kind === 'task' ? await (n.include ? this.include(n.include, rescuable, here) : this.task(n, rescuable, here)) : n.kind === 'block' ? await this.block(n, rescuable, here) : await this.meta(n, here, rescuable);
      if (flow !== 'ok') return flow;
    }
    return 'ok';
  }

  /**
   * A dynamic include (include_tasks), as Ansible's: selected by its own tags, decided by its own `when`
   * (once per loop item), then its file: read with the playbook, or now, its name rendered on this host,
   * and checked as prepare() checks the rest. Its result is Ansible's: ok ("included"), skipped, or failed
   * (a file that is not there; one that cannot be read also ends the run, as Ansible's parser error).
   */
  private async include(b: BlockDef, rescuable: boolean, at: Cursor, turn = true): Promise<Flow> {
    const inc = b.include!;
    if (!tagsSelect(this.tagsOf(inc.kw), this.rc.tags)) return 'ok';
    // linear: the include is a task of the barrier (a handler's took its turn in the flush)
    if (turn && !(await this.turn(at))) return 'stop';
    // where lookups look (first_found), as Ansible's task.get_search_path() plus the playbook's directory
    const searchPath = [...(inc.kw.role ? [inc.kw.role.path, ...inc.kw.role.parents.map((p) => p.path)] : []), dirname(b.src.file), dirname(resolve(this.play.playbookFile ?? this.rc.prep.playbook.file))];
    const scope = (vars: Record<string, unknown>) => taskScope(this.rc.prep, this.play, this.host, this.registered, inc.kw, { ...this.outer, ...vars, ansible_search_path: searchPath });
    // run_once: the batch's first host still in the play includes the file; the others do not (as Ansible's)
    if (flag(inc.kw.run_once, () => scope({}), false) === true && this.b.hosts.find((h) => !this.b.left.has(h)) !== this.host) return 'ok';
    // `loading`: the included file or role could not be read; Ansible's strategy counts that failure
    // itself (_load_included_file: stats 'failures'), so the recap has it failed even where a rescue
    // handles it (includes_loop_rescue: failed=2, rescued=0, and the run ends ok)
    // include_role's banner has no role in it (IncludeRole.get_name: its name, or `include_role : NAME`)
    const isRole = /include_role$/.test(inc.action);
    const bannerRole = isRole ? undefined : inc.kw.role?.name;
    // its name rendered for the banner, as a task's (the strategy templates it with the host's vars)
    const title = titleOf(b.name, () => scope({}));
    const result = (status: Status, msg?: string, ignorable = false, loading = false, label?: unknown[]): Flow => {
      // the include's ignore_errors: a failure of the include task itself (its when, loop or name cannot
      // be rendered) is ignored, as a task's; one of reading what it includes is not (Ansible's strategy)
      const ignored = status === 'failed' && ignorable && !this.rc.aborted && flag(inc.kw.ignore_errors, () => scope({}), false) === true;
      const failed = status === 'failed' && !ignored;
      // a run that ends is no block's to rescue
      if (this.rc.aborted) rescuable = false;
      // a handler's include, and one in its included file, is a handler's (Ansible's RUNNING HANDLER banner)
      emit(this.rc, { host: this.host, play: this.play.name, task: b.name, title, type: inc.action, handler: this.handling, role: bannerRole, status, changes: [], msg, rescued: (failed && rescuable && !loading) || undefined, ignored: ignored || undefined, ms: 0, ...(label ? { labels: label } : {}) });
      // the include's own result, as Ansible registers it (the last one of a loop's)
      if (inc.register) this.registered[inc.register] = status === 'failed' ? { failed: true, changed: false, msg } : status === 'skipped' ? { changed: false, skipped: true, skip_reason: 'Conditional result was False' } : { changed: false, include: inc.file, include_args: {} };
      if (failed && !rescuable) {
        this.fail('failed');
        // any_errors_fatal as a task's failure (the include's own keywords: any_errors_fatal target's 50897.yml)
        this.fatal({ kw: inc.kw } as TaskDef);
      }
      return failed ? 'failed' : 'ok';
    };
    let runs: Record<string, unknown>[] = [{}];
    if (b.loop) {
      try {
        const loop = resolveLoop(b.loop, scope({}));
        const ps: RenderProblem[] = [];
        const { value, taint } = tracked(() => render(loop.value, scope({}), [], ps));
        // as a task's: a loop's undefined variable waits for the include's `when`; false, it is skipped
        if (ps.some((p) => p.undefinedVar !== undefined)) {
          let met = true;
          try {
            met = inc.kw.when.every((w) => holds(w, scope({}), () => undefined));
          } catch {
            met = true;
          }
          if (!met) return result('skipped');
        }
        if (ps.length) throw new Error(ps[0].message);
        const r = loopItems(loop.kind, value, b.roleDir ?? dirname(b.src.file), { scope: scope({}), action: inc.action });
        if ('error' in r) throw new Error(r.error);
        runs = r.items.map((_, i) => itemVars(loop, r.items, i, loop.kind !== 'loop' || (taint & UNSAFE) !== 0));
      } catch (e) {
        // a loop over a registered value that is not a list: known only now
        return result('failed', `${b.loop.kind}: ${(e as Error).message}`, true);
      }
    }
    // every item's file is included first (each said and counted), then their tasks run in turn: Ansible's
    // strategy takes the include's results together (IncludedFile.process_include_results), so a failure
    // in the first file's tasks still leaves the second one counted
    const files: { i: number; vars: Record<string, unknown>; nodes: Node[] }[] = [];
    // the include's `when` is evaluated in its worker, as a task's: a warning once per include on this host
    const warn = this.workerWarn();
    for (const [i, vars] of runs.entries()) {
      if (this.stopped()) return 'stop';
      let nodes = b.block;
      let target = inc.target ?? inc.file;
      try {
        const s = scope(vars);
        if (!inc.kw.when.every((w) => holds(w, s, warn))) continue;
        if (!inc.loaded) {
          if (this.depth >= MAX_DYNAMIC_DEPTH) return result('failed', `${inc.action}: includes nest more than ${MAX_DYNAMIC_DEPTH} deep: expected fewer levels (an include that includes itself without an end?)`);
          const ps: RenderProblem[] = [];
          const rendered = render(inc.file, s, [], ps);
          if (ps.length) return result('failed', `${inc.action}: ${ps[0].message}`, true);
          const name = pyStr(rendered);
          const from = inc.from && (render(inc.from, s, [], ps) as Record<string, unknown>);
          if (ps.length) return result('failed', `${inc.action}: ${ps[0].message}`, true);
          // an omitted *_from (`tasks_from: "{{ x | default(omit) }}"`) is not given
          const r = inc.load(name, from && Object.fromEntries(Object.entries(removeOmit(from) as Record<string, unknown>).map(([k, x]) => [k, pyStr(x)])));
          if (r.missing) return result('failed', r.problems[0]?.message ?? `Could not find or access '${r.target}' on the Ansible Controller.`, false, true);
          // a file that cannot be read ends the run, as Ansible's parser error does (exit 4)
          if (!r.nodes) {
            this.rc.aborted = true;
            this.rc.parseError = true;
          }
          const problems = r.nodes ? checkIncluded(this.rc.prep, this.play, r.nodes, this.host, this.registered) : r.problems;
          if (problems.length) return result('failed', `${inc.action} ${show(name)}: ${problems.map(formatProblem).join('\n')}`, false, true);
          nodes = r.nodes!;
          target = r.target;
          // a role's handlers join the play's (once: its handlers are read with its first include)
          for (const h of r.handlers ?? []) if (h.kind === 'task' && !this.play.handlers.includes(h)) this.play.handlers.push(h);
        }
      } catch (e) {
        return result('failed', `${inc.action}: ${(e as Error).message}`, true);
      }
      // a role's handlers read with the playbook join the play's when it is first included
      for (const h of inc.handlers ?? []) if (h.kind === 'task' && !this.play.handlers.includes(h)) this.play.handlers.push(h);
      files.push({ i, vars, nodes });
      // Ansible counts an included file, not an included role; a loop's item is named as its results' are
      const label = b.loop ? [b.loop.label === undefined ? vars[String(vars.ansible_loop_var)] : render(b.loop.label, scope(vars), [])] : undefined;
      if (!isRole) result('ok', `included: ${target}`, false, false, label);
    }
    if (!files.length) result('skipped');
    // an include_role that runs shows its banner alone (Ansible's task start; no result line of its own)
    else if (isRole) this.rc.listen({ kind: 'display', host: this.host, play: this.play.name, task: b.name, title, role: undefined, handler: this.handling, text: '' });
    for (const { i, vars, nodes } of files) {
      if (this.stopped()) return 'stop';
      const saved = this.outer;
      this.outer = { ...saved, ...vars };
      this.depth++;
      try {
        const flow = await this.nodes(nodes, rescuable, [...at, 0, i]);
        if (flow !== 'ok') return flow;
      } finally {
        this.outer = saved;
        this.depth--;
      }
    }
    return 'ok';
  }

  /** Ansible's block: rescue runs after a failure in block, always after both, whatever happened. */
  private async block(b: BlockDef, rescuable: boolean, at: Cursor): Promise<Flow> {
    if (this.stopped()) return 'stop';
    if (b.include) return this.include(b, rescuable, at);
    // include_role's public: from now on the play's other tasks see the role's vars and defaults, as
    // Ansible appends it to the play's roles when it runs
    if (b.exposes) {
      Object.assign(this.play.roleVars, b.exposes.vars);
      Object.assign(this.play.roleDefaults, b.exposes.defaults);
    }
    const always = b.always.length > 0;
    if (always) this.alwaysAhead++;
    let flow: Flow;
    try {
      flow = await this.nodes(b.block, rescuable || b.rescue.length > 0, [...at, 0]);
      if (flow === 'failed' && b.rescue.length) flow = await this.shielded(() => this.nodes(b.rescue, rescuable, [...at, 1]));
    } finally {
      if (always) this.alwaysAhead--;
    }
    if (always && (flow === 'ok' || flow === 'failed')) {
      const after = await this.shielded(() => this.nodes(b.always, rescuable, [...at, 2]));
      if (after !== 'ok') flow = after;
      // meta clear_host_errors there: the host goes on, as if nothing had failed
      if (this.cleared && flow === 'failed') {
        flow = 'ok';
        this.rc.dead.delete(this.host);
        this.b.failed.delete(this.host);
      }
      this.cleared = false;
    }
    if (flow === 'failed' && !rescuable) this.fail('failed');
    return flow;
  }

  /** Ansible's meta actions (strategy/__init__.py _execute_meta), each said as Ansible says it under -vv. */
  private async meta(m: MetaDef, at: Cursor, rescuable = false, handler = false): Promise<Flow> {
    const { rc, b, host } = this;
    // the flush at the end of a section, with nothing to run: the host got through the section
    if (m.implicit && m.action === 'flush_handlers' && !this.notified.size) return 'ok';
    if (this.stopped()) return 'stop';
    // a handler runs whatever the tags (as a handler's tasks: selected())
    if (!m.implicit && !handler && !tagsSelect(this.tagsOf(m.kw), rc.tags)) return 'ok';
    if (!(await this.turn(at))) return 'stop';
    // Ansible's banner for the meta task (a handler's too), with the text under -vv; an implicit one says nothing
    const say = (text: string, skipped?: Record<string, unknown>) => m.implicit || rc.listen({ kind: 'meta', host, play: this.play.name, task: m.written ?? 'meta', handler, role: m.kw.role?.name, text, skipped });
    // these three run whatever `when` says (Ansible warns that it is not supported there)
    const unconditional = m.action === 'noop' || m.action === 'refresh_inventory' || m.action === 'reset_connection';
    if (unconditional && m.kw.when.length && !m.implicit) this.warn(`${m.action} task does not support when conditional`);
    const scope = taskScope(rc.prep, this.play, host, this.registered, m.kw, this.outer);
    // Ansible's strategy evaluates a meta task's `when` itself: its warning is shown once a run
    if (!unconditional && !m.kw.when.every((w) => holds(w, scope, (text) => this.warn(text)))) {
      const why: Partial<Record<MetaDef['action'], string>> = {
        flush_handlers: `, not running handlers for ${host}`,
        clear_facts: `, not clearing facts and fact cache for ${host}`,
        clear_host_errors: `, not clearing host error state for ${host}`,
        end_batch: ', continuing current batch',
        end_play: ', continuing play',
        end_host: `, continuing execution for ${host}`,
      };
      const reason = `${m.action} conditional evaluated to False${why[m.action] ?? ''}`;
      // Ansible's result: msg is the action, but end_host's own words
      const msg = m.action === 'end_host' ? `end_host conditional evaluated to false, continuing execution for ${host}` : m.action;
      say(reason, { msg, skipped: true, skip_reason: reason });
      return 'ok';
    }
    // the play's hosts, as Ansible's meta actions that act on all of them
    const playHosts = b.pp.hosts;
    switch (m.action) {
      case 'flush_handlers':
        say(`triggered running handlers for ${host}`);
        return this.flush(false, at, rescuable);
      case 'noop':
        say('noop');
        return 'ok';
      case 'end_host':
        say(`ending play for ${host}`);
        this.ended = true;
        return 'stop';
      case 'end_batch':
        say('ending batch');
        b.ended = true;
        return 'stop';
      case 'end_play':
        say('ending play');
        b.ended = true;
        b.endedPlay = true;
        return 'stop';
      case 'clear_host_errors':
        // this host goes on past its failure (in an always), and failed and unreachable hosts of the
        // play are in the run again: later plays include them
        this.cleared = true;
        for (const h of playHosts) rc.dead.delete(h);
        b.failed.clear();
        say('cleared host errors');
        return 'ok';
      case 'clear_facts':
        // the gathered facts (not set_fact's): gone from hostvars, gathered again by a later play
        for (const h of playHosts) {
          // the fact cache too (Ansible's clear_facts pops the host from it)
          if (rc.opts.factCache) flushCachedFacts(rc.opts.factCache, [h]);
          // the discovered interpreter too: the next module task discovers it again
          const hv = rc.prep.hostvars[h];
          const namespaced = hv?.ansible_facts;
          if (hv && namespaced && typeof namespaced === 'object' && 'discovered_interpreter_python' in namespaced) {
            const { discovered_interpreter_python: _, ...rest } = namespaced as Record<string, unknown>;
            hv.ansible_facts = rest;
            delete hv.discovered_interpreter_python;
          }
          const facts = rc.factsOf.get(h);
          if (!facts) continue;
          for (const k of Object.keys(factVars(facts))) {
            delete rc.prep.hostvars[h]?.[k];
            if (rc.prep.hostvars[h]) noteVar(rc.prep.hostvars[h], k, undefined);
          }
          rc.factsOf.delete(h);
        }
        say('facts cleared');
        return 'ok';
      case 'reset_connection':
        say((await rc.pool.reset(host)) ? 'reset connection' : 'no connection, nothing to reset');
        return 'ok';
      case 'refresh_inventory': {
        refreshInventory(rc);
        say('inventory successfully refreshed');
        // the play goes on over the hosts its pattern matches now (the strategy's _set_hosts_cache): a
        // host the sources no longer have runs nothing more of it; one they newly have joins later plays
        const now = matchPattern(rc.prep.inventory, b.pp.pattern ?? b.pp.play.hosts);
        if ('error' in now || !now.hosts.includes(host)) {
          this.ended = true;
          return 'stop';
        }
        return 'ok';
      }
    }
  }

  /** The tags of a task, templated ones rendered with its vars on this host. */
  private tagsOf(kw: Keywords): string[] {
    return evalTags(kw.tags, () => taskScope(this.rc.prep, this.play, this.host, this.registered, kw, this.outer));
  }

  private selected(t: TaskDef): boolean {
    // a handler's tasks run whatever the tags (as Ansible's included handler tasks)
    if (this.handling) return true;
    if (!tagsSelect(this.tagsOf(t.kw), this.rc.tags)) return false;
    const start = this.rc.opts.startAtTask;
    if (start === undefined || this.rc.startReached) return true;
    if (!startsHere(t.name, start)) return false;
    this.rc.startReached = true;
    return true;
  }

  private async task(t: TaskDef, rescuable: boolean, at: Cursor): Promise<Flow> {
    if (this.stopped()) return 'stop';
    if (!this.selected(t)) return 'ok';
    if (!(await this.turn(at))) return 'stop';
    // Ansible's free strategy refuses an action that bypasses the host loop (add_host, pause): an ERROR!
    if (t.type.once && !this.b.lockstep) {
      const action = t.type.name.replace(/^ansible\.(?:builtin|legacy)\./, '');
      return this.endRun(`The '${action}' module bypasses the host loop, which is currently not supported in the free strategy and would instead execute for every host in the inventory list.`, t);
    }
    if (!t.type.once && !this.decided(t, t.kw.run_once, false)) return this.settle(t, await this.bounded(t, false, () => this.execute(t, this.handling, rescuable)), rescuable);
    const r = await this.runOnce(t, rescuable);
    if (r.host === this.host) return this.settle(t, r, rescuable);
    // another host ran it: its registered result and facts are this host's too (execute gave them)
    if (r.status !== 'failed' && r.status !== 'unreachable') return 'ok';
    if (r.ignored) return 'ok';
    const mine: TaskResult = { ...r, host: this.host, changes: [], diff: undefined, registered: undefined, msg: `run_once: failed on ${r.host}`, rescued: rescuable, ms: 0, status: 'failed' };
    emit(this.rc, mine);
    return this.settle(t, mine, rescuable);
  }

  /**
   * run_once: the batch's first host that is still in the play runs it (as Ansible's first host of
   * the batch), the others wait for its result; if that host leaves the play before reaching the
   * task (it failed, or ended), the next one is chosen.
   */
  private async runOnce(t: TaskDef, rescuable: boolean): Promise<TaskResult> {
    // linear: the round's hosts (lockstep.ts), all at this task, are released together and get here in
    // the same turn of the event loop; once they have, the first of them in the batch's order runs it
    // (Ansible's first host), whichever got here first (that raced: a rerun picked another host)
    if (this.b.lockstep && this.round) {
      const round = this.round;
      const all = (this.b.roundOnce ??= new WeakMap());
      let ro = all.get(round);
      if (!ro) {
        const arrived = new Set<string>();
        const chosen = new Promise<OnceSlot>((res) => setImmediate(() => res(onceSlot(round.hosts.find((h) => arrived.has(h)) ?? this.host))));
        all.set(round, (ro = { arrived, slot: chosen }));
      }
      ro.arrived.add(this.host);
      const slot = await ro.slot;
      if (slot.host !== this.host) return (await slot.done) ?? this.execute(t, this.handling, rescuable, this.onceKw(t));
      let r: TaskResult | undefined;
      try {
        return (r = await this.bounded(t, true, () => this.execute(t, this.handling, rescuable, this.onceKw(t))));
      } finally {
        slot.resolve(r);
      }
    }
    for (;;) {
      let slot = this.b.once.get(t);
      if (!slot) this.b.once.set(t, (slot = onceSlot(this.b.hosts.find((h) => !this.b.left.has(h)) ?? this.host)));
      if (slot.host === this.host) {
        const r = await this.execute(t, this.handling, rescuable, this.onceKw(t));
        slot.resolve(r);
        return r;
      }
      const r = await slot.done;
      if (r) return r;
      if (this.b.once.get(t) === slot) this.b.once.delete(t);
    }
  }

  /**
   * Whether the task's run_once keyword is on (not only an action that bypasses the host loop, as
   * add_host: Ansible's get_task_hosts gives those results to the host that ran them alone).
   */
  private onceKw(t: TaskDef): boolean {
    return this.decided(t, t.kw.run_once, false);
  }

  /**
   * The hosts a result is given to (its register, its facts): run_once's are the batch's, but for the
   * unreachable ones (Ansible's get_task_hosts), whether or not they reached the task.
   */
  private resultHosts(once: boolean): string[] {
    return once ? this.b.hosts.filter((h) => h === this.host || this.rc.dead.get(h) !== 'unreachable') : [this.host];
  }

  private registeredOf(h: string): Record<string, unknown> {
    if (h === this.host) return this.registered;
    return this.rc.registeredOf.get(h) ?? this.rc.registeredOf.set(h, {}).get(h)!;
  }

  /** This host's play is over: run_once tasks it was chosen for and did not reach go to another. */
  private leave(): void {
    this.b.left.add(this.host);
    for (const slot of this.b.once.values()) if (slot.host === this.host) slot.resolve(undefined);
  }

  /** A result's consequence for the host: go on, or out of the play (and maybe the batch). */
  private settle(t: TaskDef, r: TaskResult, rescuable: boolean): Flow {
    if (r.ignored) return 'ok';
    if (r.status === 'unreachable') {
      this.fail('unreachable');
      this.fatal(t);
      return 'unreachable';
    }
    if (r.status !== 'failed') return 'ok';
    if (rescuable) return 'failed';
    this.fail('failed');
    this.fatal(t);
    return 'failed';
  }

  /**
   * any_errors_fatal on a failure no rescue catches (linear only: Ansible's free warns and ignores it):
   * the batch's hosts stop before their next task, but for those in a rescue or always (this host too,
   * if an always is ahead of it), which finish it first; the run ends after the batch.
   */
  private fatal(t: TaskDef): void {
    const { b, host } = this;
    if (!b.lockstep || !(this.decided(t, t.kw.any_errors_fatal, false) || this.play.any_errors_fatal)) return;
    // this host goes to an always if one is ahead (a failure in rescue is no shield); the others are
    // shielded while in a rescue or an always
    const stop = b.hosts.filter((h) => !b.left.has(h) && (h === host ? this.alwaysAhead === 0 : !(b.shielded?.get(h) ?? 0)));
    if (!stop.length) return;
    b.stopping ??= new Set();
    stop.forEach((h) => b.stopping!.add(h));
    b.fatal = true;
  }

  /** A templated boolean keyword of `t` on this host, outside its run (`failed` if unreadable). */
  private decided(t: TaskDef, value: boolean | string | undefined, failed: boolean): boolean {
    return flag(value, () => taskScope(this.rc.prep, this.play, this.host, this.registered, t.kw, this.outer), failed) === true;
  }

  private fail(status: Status): void {
    const { rc, b, host } = this;
    if (!rc.dead.has(host)) rc.dead.set(host, status);
    b.failed.add(host);
    if (overFailLimit(this.play, b.failed.size, b.hosts.length)) {
      b.stopped = true;
      rc.aborted = true;
    }
  }

  /**
   * A flush: one pass over the play's handlers in their order, each notified one run (Ansible's
   * HANDLERS state). One notified meanwhile runs in this pass if it comes later in the list, else at
   * the next flush; one that notifies itself is not run again (it is still notified while it runs).
   */
  private async flush(force: boolean, at: Cursor, rescuable = false): Promise<Flow> {
    for (const [k, h] of this.play.handlers.entries()) {
      if (!this.notified.has(h)) continue;
      if (this.rc.interrupted || this.rc.fatal || (!force && this.stopped())) return 'stop';
      if (!(await this.turn([...at, k])) && !force) return 'stop';
      this.handling = true;
      let flow: Flow;
      try {
        flow = await this.handler(h, rescuable, [...at, k]);
      } finally {
        this.handling = false;
      }
      this.notified.delete(h);
      if (flow !== 'ok') return flow;
      if (!this.rc.opts.check && h.kind === 'task') {
        await clearPending(await this.login(), [h.name]);
        this.pending.delete(h.name);
      }
    }
    return 'ok';
  }

  /**
   * One notified handler: a meta task, an include_tasks (its tasks run, as handlers), or a task. In a
   * flush inside a block with rescue the host goes on to the rescue, but a handler's failure still
   * counts as one (Ansible 2.14: its iterator is in HANDLERS, not rescuing, when the result comes).
   */
  private async handler(h: Handler, rescuable: boolean, at: Cursor): Promise<Flow> {
    if (h.kind === 'meta') {
      if (h.action === 'flush_handlers') return this.endRun('flush_handlers cannot be used as a handler');
      return this.meta(h, at, false, true);
    }
    // the include's failures are its tasks'
    if (h.include) return this.include(h.include, rescuable, at, false);
    if (!this.decided(h, h.kw.run_once, false)) return this.settle(h, await this.bounded(h, false, () => this.execute(h, true, false)), rescuable);
    return this.settle(h, this.b.lockstep && this.round ? await this.runOnce(h, false) : await this.handlerOnce(h), rescuable);
  }

  /**
   * A run_once handler without the task barrier (free): the first host of the batch to reach it runs
   * it, the hosts that reach it for the same time share that result.
   */
  private async handlerOnce(h: TaskDef): Promise<TaskResult> {
    const n = (this.handlerRuns.get(h) ?? 0) + 1;
    this.handlerRuns.set(h, n);
    const runs = onceHandlers.get(this.b) ?? onceHandlers.set(this.b, new Map()).get(this.b)!;
    const key = `${this.play.handlers.indexOf(h)}#${n}`;
    const first = runs.get(key);
    if (!first) {
      const mine = this.execute(h, true, false, true);
      runs.set(key, mine);
      return mine;
    }
    const r = await first;
    if ((r.status !== 'failed' && r.status !== 'unreachable') || r.ignored) return r;
    const mine: TaskResult = { ...r, host: this.host, changes: [], diff: undefined, registered: undefined, msg: `run_once: failed on ${r.host}`, ms: 0, status: 'failed' };
    emit(this.rc, mine);
    return mine;
  }

  /** Ends the run here, as Ansible's `ERROR!` does; without a task to fail, a result says why. */
  private endRun(msg: string, t?: TaskDef): Flow {
    this.rc.fatal ??= msg;
    this.rc.aborted = true;
    if (!t) emit(this.rc, { host: this.host, play: this.play.name, task: 'meta: flush_handlers', type: 'meta', handler: true, status: 'failed', changes: [], msg: `ERROR! ${msg}`, ms: 0 });
    this.fail('failed');
    return 'failed';
  }

  /**
   * The handlers a task's notify reaches on this host. A name that reaches none ends the run, as in
   * Ansible (error_on_missing_handler); with that setting false it is a warning.
   */
  private handlersFor(t: TaskDef, report = true): { handlers: Handler[]; error?: string } {
    const { rc, play, host } = this;
    const scopeOf = (n: Handler) => taskScope(rc.prep, play, host, this.registered, n.kw, n === t ? this.outer : {});
    let r;
    try {
      r = handlersReached(play.handlers, notifyNames(t.notify, () => scopeOf(t)), scopeOf);
    } catch (e) {
      return { handlers: [], error: `notify: ${(e as Error).message}` };
    }
    if (report) for (const u of r.unusable) this.warn(unusableHandler(u.handler.name, u.error));
    let error: string | undefined;
    for (const m of r.missing) {
      if (rc.opts.errorOnMissingHandler !== false) error ??= missingHandler(m);
      else if (report) this.warn(missingHandler(m));
    }
    return { handlers: r.handlers, error };
  }

  private warn(text: string): void {
    this.rc.listen({ kind: 'note', host: this.host, text, warning: true });
  }

  /** Warnings of one task run on this host: each once, shown again by the next run (Ansible's worker's Display). */
  private workerWarn(): (text: string) => void {
    const seen = new Set<string>();
    return (text) => {
      if (seen.has(text)) return;
      seen.add(text);
      this.rc.listen({ kind: 'note', host: this.host, text, warning: true, again: true });
    };
  }

  private async execute(t: TaskDef, handler: boolean, rescuable: boolean, once = false): Promise<TaskResult> {
    const { rc, host, play } = this;
    const targets = this.resultHosts(once);
    const started = Date.now();
    rc.listen({ kind: 'task-start', host, play: play.name, task: t.name, at: whereWritten(t), action: t.type.name, handler, role: t.kw.role?.name });
    this.addSecrets({ ...t.kw.roleVars, ...t.kw.vars, ...t.kw.roleParams, ...t.kw.includeParams }, t.kw);
    // the task's delegate (none in a loop whose delegate_to needs the item: each item has its own). A
    // delegated task sees the delegates' vars as ansible_delegated_vars (Ansible's VariableManager: every
    // item's), and the connection's magic vars (ansible_host...) of the host it reaches
    let delegate: string | undefined;
    const delegatedVars: Record<string, unknown> = {};
    const delegated = { ansible_delegated_vars: delegatedVars };
    const plain = (loopVars: Record<string, unknown>) => taskScope(rc.prep, play, host, this.registered, t.kw, { ...this.outer, ...loopVars });
    const scope = (loopVars: Record<string, unknown>) => {
      const to = t.loop && t.kw.delegate_to !== undefined && Object.keys(loopVars).length ? itemDelegate(loopVars) : delegate;
      addDelegate(to);
      return taskScope(rc.prep, play, host, this.registered, t.kw, { ...(Object.keys(delegatedVars).length ? delegated : {}), ...this.outer, ...loopVars }, to);
    };
    const addDelegate = (d: string | undefined) => {
      if (d !== undefined && !Object.hasOwn(delegatedVars, d)) delegatedVars[d] = { ...(rc.prep.hostvars[d] ?? {}), inventory_hostname: d };
    };
    // delegate_to rendered with these loop vars (without ansible_delegated_vars, which it decides); omit is none
    const delegateIn = (loopVars: Record<string, unknown>): string | undefined => {
      if (t.kw.delegate_to === undefined) return undefined;
      const ps: RenderProblem[] = [];
      const d = render(t.kw.delegate_to, plain(loopVars), [], ps);
      if (ps.length) throw new TaskFailure(ps[0].undefinedVar !== undefined ? `The field 'delegate_to' has an invalid value, which includes an undefined variable. The error was: ${undefinedError(ps[0].undefinedVar)}${appearsIn(t)}` : `delegate_to: ${ps[0].message}`);
      return d === OMIT ? undefined : pyStr(d);
    };
    // each item's, once (the scope is asked for often)
    const perItem = new WeakMap<Record<string, unknown>, string | undefined>();
    const itemDelegate = (loopVars: Record<string, unknown>): string | undefined => {
      if (!perItem.has(loopVars)) {
        let d: string | undefined;
        try {
          d = delegateIn(loopVars);
        } catch {
          d = undefined;
        }
        perItem.set(loopVars, d);
      }
      return perItem.get(loopVars);
    };
    const base = { host, play: play.name, task: t.name, at: whereWritten(t), type: t.type.name, handler, changes: [] as string[] };
    // as the task starts: its own register is not yet in what the name may read
    const title = titleOf(t.name, () => scope({}));
    let marked: string[] = [];
    let outcome;
    // an expression that cannot be read hides everything: a secret is never shown by mistake
    const hide = flag(t.kw.no_log ?? rc.opts.noLog, () => scope({}), true, t.kw.enclosing?.no_log);
    const showDiff = flag(t.kw.diff, () => scope({}), undefined, t.kw.enclosing?.diff);
    // an unreadable one does not hide the failure
    const ignore = flag(t.kw.ignore_errors, () => scope({}), false, t.kw.enclosing?.ignore_errors) === true;
    const ignoreUnreachable = flag(t.kw.ignore_unreachable, () => scope({}), false) === true;
    // masked like the result: the host's secrets (read when sent: task vars add some), all under no_log
    const progress = progressChannel({ host, play: play.name, task: t.name }, rc.listen, (s) => (hide ? '(hidden: no_log)' : redact(s, rc.secretsOf.get(host) ?? [])));
    try {
      // a boolean keyword that is no boolean on this host fails the task, as Ansible's post-validation
      for (const key of FLAG_KEYWORDS) decide(t.kw[key], () => scope({}), key, t.kw.enclosing?.[key]);
      // an omitted delegate_to (`{{ x | default(omit) }}`) is none, as Ansible's post-validation leaves it;
      // in a loop, one that needs the item is each item's (TaskExecutor templates it per item)
      const byItem = t.loop !== undefined && t.kw.delegate_to !== undefined;
      if (byItem) {
        try {
          delegate = delegateIn({});
        } catch {
          delegate = undefined;
        }
      } else delegate = delegateIn({});
      addDelegate(delegate);
      // the host this item runs on (the task's own delegate outside a loop)
      const delegateFor = (loopVars: Record<string, unknown> = {}) => (byItem && Object.keys(loopVars).length ? delegateIn(loopVars) : delegate);
      let current = delegate;
      // delegate_facts: the task's facts are the delegated host's (Ansible's _process_pending_results
      // gives them to get_delegated_hosts instead of the task's hosts; its register stays this host's).
      // That host is the item's (`delegate_to: "{{ item }}"` in a loop: each item's result names its own)
      const factsTo = (loopVars: Record<string, unknown>): string[] => {
        if (t.kw.delegate_to === undefined || decide(t.kw.delegate_facts, () => scope(loopVars), 'delegate_facts', t.kw.enclosing?.delegate_facts) !== true) return targets;
        const ps: RenderProblem[] = [];
        const d = render(t.kw.delegate_to, scope(loopVars), [], ps);
        if (ps.length) throw new TaskFailure(`delegate_to: ${ps[0].message}`);
        return d === OMIT ? targets : [String(d)];
      };
      const delegating = delegate !== undefined || byItem;
      // with delegate_facts, the delegated host's interpreter is its own fact
      const delegatesFacts = delegating && decide(t.kw.delegate_facts, () => scope({}), 'delegate_facts', t.kw.enclosing?.delegate_facts) === true;
      const env: TaskEnv = {
        scope,
        conn: async (loopVars = {}) => {
          current = delegateFor(loopVars);
          return withEnvironment(await rc.pool.get(current ?? host, taskPrivilege(t, () => scope({}))), renderEnvironment(t.kw.environment, scope({}), rc.secretsOf.get(host) ?? []));
        },
        transport: (loopVars = {}) => rc.pool.transport(delegateFor(loopVars) ?? host, taskPrivilege(t, () => scope({}))),
        resetConn: (loopVars = {}) => rc.pool.reset(delegateFor(loopVars) ?? host),
        loopItems: (all) => {
          if (byItem) for (const lv of all) addDelegate(itemDelegate(lv));
        },
        delegateOf: (loopVars) => {
          const d = byItem ? delegateIn(loopVars) : undefined;
          return d === undefined || d === host ? undefined : delegation(rc.prep.hostvars, d);
        },
        ctx: {
          host,
          vars: rc.prep.hostvars[host] ?? {},
          inventory: rc.prep.inventory,
          hostvars: rc.prep.hostvars,
          secrets: rc.secretsOf.get(host) ?? [],
          // facts read ahead and predicted files are this host's: not for a task sent elsewhere
          pending: delegating ? new Map() : (rc.pendingOf.get(host) ?? rc.pendingOf.set(host, new Map()).get(host)),
          // read through the play's connection: not for a task that sees the host as another user
          cache: this.onBase(t, () => scope({}), delegate) ? rc.cacheOf.get(host) : undefined,
          progress: progress.report,
          sleep: rc.sleep,
          diff: showDiff ?? rc.opts.diff ?? false,
          warn: this.workerWarn(),
          factsNeeded: rc.prep.registry.ansibleFacts && /(^|\.)(setup|gather_facts)$/.test(t.type.aliasOf ?? t.type.name) ? playSubset(play, resolve(play.playbookFile ?? rc.prep.playbook.file)) : undefined,
          say: (text) => rc.listen({ kind: 'display', host, play: play.name, task: t.name, title, role: t.kw.role?.name, handler, text }),
        },
        check: rc.opts.check,
        handler,
        // before the change: a crash between it and the handler must not lose the notification
        beforeChange: async (forget) => {
          // what was read ahead may be stale from here on, whichever connection makes the change
          // (the task type may know exactly what: a file task, its path)
          const mine = rc.cacheOf.get(host);
          if (mine && !(!delegating && forget?.(mine))) mine.clear();
          if (current !== undefined) rc.cacheOf.get(current)?.clear();
          // a name that reaches no handler is reported after the task (Ansible's order)
          const now = [...new Set(this.handlersFor(t, false).handlers.flatMap((n) => (n.kind === 'task' ? [n.name] : [])))].filter((n) => !this.pending.has(n));
          if (!now.length) return;
          await markPending(await this.login(), now);
          now.forEach((n) => this.pending.add(n));
          marked = [...marked, ...now];
        },
        sleep: rc.sleep,
        interrupted: () => rc.interrupted,
        // set_fact's layer is the registered one (Ansible's precedence: over play, block and task vars)
        // gathered ones (setup) are host facts, as the play's own gathering: in hostvars[host] too
        // run_once: every host of the batch gets them (Ansible's _process_pending_results)
        setFacts: (facts, included, cacheable, unsafe, text, loopVars = {}) => {
          for (const h of factsTo(loopVars)) {
            if (included) {
              Object.assign(rc.prep.included!.get(h) ?? rc.prep.included!.set(h, {}).get(h)!, facts);
              continue;
            }
            const kind = t.type.aliasOf ?? t.type.name;
            // skiff's setup gives its facts as factVars (ansible_facts within), set_fact may set them;
            // another module's `ansible_facts` fact is no gathering: Ansible's clean_facts drops it
            const gathered = /^ansible\.builtin\.(setup|gather_facts|set_fact)$/.test(kind) ? facts.ansible_facts : undefined;
            // a module's facts (package_facts, getent...) are host facts: in ansible_facts without the
            // ansible_ prefix, and each as a variable (Ansible's set_host_facts, INJECT_FACTS_AS_VARS)
            if (!gathered && !/(^|\.)set_fact$/.test(kind)) {
              this.cacheFacts(h, facts);
              continue;
            }
            if (!gathered || typeof gathered !== 'object' || Array.isArray(gathered)) {
              const into = Object.assign(this.registeredOf(h), facts);
              // set_fact's value is templated again when read, unless it was unsafe (Ansible does not wrap it)
              for (const [k, x] of Object.entries(facts)) {
                noteVar(into, k, unsafe?.has(k) ? 'unsafe' : holdsTemplate(x) ? 'templated' : undefined);
                // its strings' class, for type_debug (NativeJinjaText, AnsibleUnicode)
                noteText(into, k, text?.[k] ?? 0);
              }
              // cacheable: a host fact too (under play vars once this play is over), kept in the fact cache
              if (cacheable) this.cacheFacts(h, facts);
              continue;
            }
            rc.factsOf.set(h, gathered as Facts);
            noteFacts(Object.assign((rc.prep.hostvars[h] ??= {}), facts), Object.keys(facts));
            this.cacheFacts(h, factVars(gathered as Facts));
          }
        },
        changeInventory: (result) => changeInventory(rc, host, t, result),
        // once per host until clear_facts (the fact says it ran). A delegated task's is the delegate's
        // (each item's own): with delegate_facts, that host's fact; without, found for this task only,
        // its warnings in the result but no fact (ActionBase._configure_module keeps it in the task's
        // copy of ansible_delegated_vars)
        discover: async (conn, taskScope, loopVars = {}) => {
          const to = delegateFor(loopVars);
          const on = to ?? host;
          // the delegated host's own setting: its inventory vars (Ansible reads ansible_delegated_vars)
          const mode = to === undefined ? definedVar('ansible_python_interpreter', taskScope) : rc.prep.hostvars[on]?.ansible_python_interpreter;
          const facts = rc.prep.hostvars[on]?.ansible_facts as Record<string, unknown> | undefined;
          if (!isDiscoveryMode(mode) || typeof facts?.discovered_interpreter_python === 'string') return undefined;
          const found = await discoverPython(conn, on, mode.trim() || 'auto');
          if (to !== undefined && !delegatesFacts) return found.warnings.length ? { ansible_facts: {}, warnings: found.warnings } : undefined;
          // at once: the module of this very task runs under it
          this.cacheFacts(on, { discovered_interpreter_python: found.interpreter });
          return { ansible_facts: { discovered_interpreter_python: found.interpreter }, warnings: found.warnings };
        },
      };
      outcome = await runTask(t, env);
    } catch (e) {
      const msg = (e as Error).message;
      outcome = { status: 'failed' as Status, result: { failed: true, changed: false, msg }, changes: [], msg };
    }
    progress.end();
    if (outcome.status !== 'changed' && marked.length) {
      // changed_when said no (or the change failed): nothing to notify after all
      await clearPending(await this.login(), marked).catch(() => undefined);
      marked.forEach((n) => this.pending.delete(n));
    }
    // a registered result is unsafe (TaskExecutor's wrap_var): never templated again; but not set_fact's
    // and include_vars' (_ACTION_WITH_CLEAN_FACTS), templated when read as their facts are, unless it
    // failed (TaskExecutor.run wraps the error's msg, which may quote a template)
    if (t.meta.register) {
      const clean = t.type.includesVars || /(^|\.)set_fact$/.test(t.type.aliasOf ?? t.type.name);
      const result = withoutCallbackKeys(outcome.result);
      const how = !clean || result.failed === true ? 'unsafe' : holdsTemplate(result) ? 'templated' : undefined;
      for (const h of targets) {
        noteVar(Object.assign(this.registeredOf(h), { [t.meta.register]: result }), t.meta.register, how);
        // include_vars' facts are as its YAML loader made them: AnsibleUnicode text (type_debug)
        noteText(this.registeredOf(h), t.meta.register, t.type.includesVars ? YAML_TEXT : 0);
      }
    }
    if (outcome.status === 'changed') {
      const { handlers, error } = this.handlersFor(t);
      for (const n of handlers) {
        this.notified.add(n);
        this.fromEarlier.delete(n.name);
      }
      if (error) {
        this.endRun(error, t);
        outcome = { ...outcome, status: 'failed' as Status, msg: `ERROR! ${error}` };
      }
    }
    if (handler && this.fromEarlier.delete(t.name) && outcome.status !== 'failed') outcome.msg ??= 'notified by an earlier run that ended before this handler ran';
    const failed = outcome.status === 'failed';
    // what a block's rescue sees of the failure (as Ansible names it)
    if (failed) Object.assign(this.registered, { ansible_failed_task: { name: t.name, action: t.type.name }, ansible_failed_result: hide ? { censored: 'hidden: no_log' } : outcome.result });
    const r: TaskResult = {
      ...base,
      title,
      status: rc.interrupted && failed ? 'failed' : outcome.status,
      changes: hide ? outcome.changes.map(() => '(hidden: no_log)') : outcome.changes,
      diff: hide || showDiff === false ? undefined : outcome.diff,
      showDiff: showDiff === true && !hide ? true : undefined,
      msg: rc.interrupted && failed ? 'interrupted' : hide && outcome.msg ? '(hidden: no_log)' : outcome.msg,
      ignored: (failed && ignore) || (outcome.status === 'unreachable' && ignoreUnreachable) ? true : undefined,
      rescued: failed && !ignore && rescuable ? true : undefined,
      delegatedTo: delegate && delegate !== host ? delegate : undefined,
      ...(delegate && delegate !== host ? { delegatedAddress: delegation(rc.prep.hostvars, delegate).address } : {}),
      ...((outcome as TaskOutcome).delegates && !hide ? { itemDelegates: (outcome as TaskOutcome).delegates } : {}),
      registered: t.meta.register ? (hide ? '(hidden: no_log)' : outcome.result) : undefined,
      // Ansible's own words under no_log
      result: hide ? censored(outcome.result) : outcome.result,
      // each item is still shown under no_log, as `(item=None)` (Ansible's TaskExecutor censors the label)
      labels: hide ? (Array.isArray(outcome.result.results) ? outcome.result.results.map(() => null) : undefined) : (outcome as { labels?: unknown[] }).labels,
      role: t.kw.role?.name,
      ms: Date.now() - started,
    };
    emit(rc, r);
    return r;
  }
}

/** A delegate as the output names it: with its ansible_host where that is not its name (Ansible's host_label). */
function delegation(hostvars: Record<string, Record<string, unknown>>, to: string): Delegation {
  const address = hostvars[to]?.ansible_host;
  return typeof address === 'string' && address !== to ? { to, address } : { to };
}

/** file:line:col of a task as written (worked out once per task, not per host). */
function whereWritten(t: TaskDef): string {
  let at = writtenAt.get(t);
  if (at === undefined) {
    const { line, col } = locate(t.src, t.path);
    writtenAt.set(t, (at = `${t.src.file}:${line}:${col}`));
  }
  return at;
}
const writtenAt = new WeakMap<TaskDef, string>();

/**
 * The play's own privilege on a host (its `become` templated there, under the connection variables
 * its vars set): the connection its tasks share.
 */
export function playPrivilege(prep: Prepared, play: PlayDef, host: string, registered: Record<string, unknown>): Privilege {
  const scope = once(() => taskScope(prep, play, host, registered, play.kw, {}));
  // what cannot be worked out here fails each task where it renders it (taskPrivilege)
  const tried = <T>(f: () => T, otherwise: T): T => {
    try {
      return f();
    } catch {
      return otherwise;
    }
  };
  const cv = tried(() => connectionVars(scope()), {});
  const how = tried(() => becomeHowOf(play.kw, cv, scope), undefined);
  return {
    ...play.kw,
    become: cv.become ?? flag(play.kw.become, scope, false),
    ...tried(() => becomeUserOf(play.kw.become_user, scope), {}),
    ...(cv.become_user !== undefined ? { become_user: cv.become_user } : {}),
    ...(how ? { become_how: how } : {}),
    ...tried(() => connectionFrom(cv.connection, play.kw.connection, scope), { connection: undefined }),
    ...tried(() => withRemoteUser(play.kw.remote_user, cv, scope), {}),
  };
}

/** A become_user written as a template, rendered on this host (a name that is no user fails the task). */
function becomeUserOf(user: string | undefined, scope: () => Scope): { become_user?: string } {
  if (user === undefined || !/\{[{%]/.test(user)) return {};
  const ps: RenderProblem[] = [];
  const name = pyStr(render(user, scope(), [], ps));
  if (ps.length) throw new TaskFailure(`become_user: ${ps[0].message}`);
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)) throw new TaskFailure(`become_user: ${JSON.stringify(user)} gave ${JSON.stringify(name)}, expected a user name`);
  return { become_user: name };
}

/**
 * A task's become and connection on this host (throws for a connection or become method skiff does not
 * have: the task fails). Connection variables win over the keywords, as in Ansible (connection-vars.ts).
 * A delegated task: Ansible reads the delegate's variables, which skiff has from its inventory alone
 * (ConnectionPool's settings); of the rest, the task's own vars (and include params) count.
 */
function taskPrivilege(t: TaskDef, taskScope: () => Scope, delegated = t.kw.delegate_to !== undefined): Privilege {
  const scope = once(taskScope);
  const own = { ...t.kw.vars, ...t.kw.includeParams };
  const cv = connectionVars(delegated ? (name) => (Object.hasOwn(own, name) ? scope()(name) : { found: false, names: [] }) : scope());
  const how = becomeHowOf(t.kw, cv, scope);
  return {
    ...t.kw,
    become: cv.become ?? decide(t.kw.become, scope, 'become', t.kw.enclosing?.become),
    ...becomeUserOf(t.kw.become_user, scope),
    ...(cv.become_user !== undefined ? { become_user: cv.become_user } : {}),
    ...(how ? { become_how: how } : {}),
    ...connectionFrom(cv.connection, t.kw.connection, scope),
    ...(delegated ? {} : withRemoteUser(t.kw.remote_user, cv, scope)),
  };
}

/**
 * The settings a play's or task's vars give over the inventory's, and remote_user: the SSH user where no
 * variable names one (variables win over keywords, keywords over -u, as Ansible's connection options).
 */
function withRemoteUser(keyword: string | undefined, cv: ConnectionVars, scope: () => Scope): { remote?: Record<string, unknown> } {
  const remote = cv.remote;
  if (keyword === undefined || remote?.ansible_user !== undefined) return remote ? { remote } : {};
  const inInventory = scope()('ansible_user');
  if (inInventory.found && !inInventory.magic) return remote ? { remote } : {};
  const ps: RenderProblem[] = [];
  const user = render(keyword, scope(), [], ps);
  if (ps.length) throw new TaskFailure(`remote_user: ${ps[0].message}`);
  return { remote: { ...remote, ansible_user: pyStr(user) } };
}

/** The connection: ansible_connection's (over the keyword, and over the host's own), else the keyword's. */
function connectionFrom(fromVar: string | undefined, keyword: string | undefined, scope: () => Scope): { connection: ConnectionName | undefined; connectionVar?: boolean } {
  if (fromVar === undefined) return { connection: connectionOf(keyword, scope) };
  // a collection's name for a connection may route to one skiff has (meta/runtime.yml redirect to ansible.builtin.local)
  const routed = routedPlugin('connection', fromVar);
  const c = routed === 'smart' ? 'ssh' : routed;
  if (c !== 'local' && c !== 'ssh') throw new TaskFailure(`ansible_connection ${fromVar} is not supported by skiff: expected local, ssh or smart (skiff has no other connection plugin)`);
  return { connection: c, connectionVar: true };
}

/**
 * become_method, become_exe and become_flags rendered on this host: ansible_become_method (and _exe,
 * _flags) set in any variable over the keywords, as Ansible's become plugin options take them. A method
 * skiff has not (doas, pbrun, runas...) fails the task.
 */
function becomeHowOf(kw: TaskDef['kw'], cv: ConnectionVars, scope: () => Scope): BecomeHow | undefined {
  const text = (x: unknown, what: string): string | undefined => {
    if (x === undefined || x === null) return undefined;
    const ps: RenderProblem[] = [];
    const r = render(x, scope(), [], ps);
    if (ps.length) throw new TaskFailure(`${what}: ${ps[0].message}`);
    return r === null || r === undefined || r === OMIT ? undefined : pyStr(r);
  };
  const how: BecomeHow = {};
  const m = cv.become_method ?? text(kw.become_method, 'become_method');
  if (m !== undefined) {
    const method = becomeMethodOf(m);
    if (!method) throw new TaskFailure(becomeMethodRefused(m));
    how.method = method;
  }
  const exe = cv.become_exe ?? text(kw.become_exe, 'become_exe');
  if (exe) how.exe = exe;
  const flags = cv.become_flags ?? text(kw.become_flags, 'become_flags');
  if (flags !== undefined) how.flags = flags;
  return Object.keys(how).length ? how : undefined;
}

/** The task's scope built once for all the lookups of its privilege (each build walks its layers). */
function once(make: () => Scope): () => Scope {
  let made: Scope | undefined;
  return () => (made ??= make());
}

/** The params known before the run: what needs a registered result (LATER, or not rendered) left out, at any depth. */
function withoutLater(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) {
    if (x === LATER || x === undefined) continue;
    out[k] = x && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype ? withoutLater(x as Record<string, unknown>) : x;
  }
  return out;
}

const CENSORED = "the output has been hidden due to the fact that 'no_log: true' was specified for this result";

/**
 * A result under no_log as Ansible's TaskResult.clean_copy leaves it for the output: the censored
 * message and changed; a loop's items each so too, with what tells ok from failed or skipped.
 */
function censored(result: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { censored: CENSORED, changed: result.changed === true };
  if (!Array.isArray(result.results)) return out;
  const item = (x: unknown) => {
    const r = (x && typeof x === 'object' ? x : {}) as Record<string, unknown>;
    const failed = 'failed_when_result' in r ? !!r.failed_when_result : !!r.failed;
    return { censored: CENSORED, changed: r.changed === true, ...(failed ? { failed: true } : {}), ...(r.skipped ? { skipped: true } : {}) };
  };
  return { ...out, results: result.results.map(item) };
}

/**
 * A result as `register` keeps it: without Ansible's internal keys (`_ansible_verbose_always`, and any
 * `_ansible_` key a module echoes back, at any depth: the strategy's strip_internal_keys), which
 * Ansible's registered results do not carry; per item too.
 */
function withoutCallbackKeys(result: Record<string, unknown>): Record<string, unknown> {
  // the module's params (invocation) are for the callback: Ansible's strategy drops them from what it
  // registers (its items keep theirs)
  const { invocation: _, ...top } = result;
  return stripInternal(top) as Record<string, unknown>;
}

/** `_ansible_*` keys left out of every dict within (copies only where one is found) */
function stripInternal(x: unknown): unknown {
  if (Array.isArray(x)) {
    const out = x.map(stripInternal);
    return out.some((y, i) => y !== x[i]) ? out : x;
  }
  if (!x || typeof x !== 'object' || Object.getPrototypeOf(x) !== Object.prototype) return x;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) {
    if (k.startsWith('_ansible_')) {
      changed = true;
      continue;
    }
    const w = stripInternal(v);
    if (w !== v) changed = true;
    out[k] = w;
  }
  // symbol-keyed marks (unsafe, text classes) stay with the dict they belong to
  return changed ? Object.assign(out, Object.fromEntries(Object.getOwnPropertySymbols(x).map((s) => [s, (x as Record<symbol, unknown>)[s]]))) : x;
}

/** a variable's value in this scope, or undefined when it is not defined (or not known yet) */
function definedVar(name: string, scope: Scope): unknown {
  try {
    const x = evaluate(name, scope);
    return x === LATER ? undefined : x;
  } catch {
    return undefined;
  }
}
