// One task on one host: its conditions, its loop (one pass per item), its retries (`until`), the plan
// and (outside check mode) the apply, `changed_when`/`failed_when`, and what `register` keeps. It knows
// nothing of plays, blocks or other hosts: what it needs comes in a TaskEnv, so a unit test can run it
// against a fake connection.
import { dirname } from 'node:path';
import * as v from 'valibot';
import type { TaskDef } from '../playbook/load.ts';
import { UnreachableError, type Connection } from '../transport/types.ts';
import type { Delegation, Status } from './events.ts';
import { ExprError, type Scope } from '../template/expr.ts';
import { holds } from './conditional.ts';
import { pyStr } from '../template/expr-error.ts';
import { itemLabel, itemVars, loopItems, resolveLoop } from './loop.ts';
import { TaskException, TaskFailure, TemplateFailure, type Plan, type TaskContext } from './task-type.ts';
import { render, renderParams, type RenderProblem } from '../template/template.ts';
import { TEXT_FACTS, tracked, UNSAFE, UNSAFE_FACTS } from '../template/unsafe.ts';
import { conditionError, undefinedError, undefinedOption } from './ansible-errors.ts';
import { decide } from './flag.ts';
import { removeOmit } from './omit.ts';
import { resolveHostPaths } from './host-paths.ts';
import { DEFAULT_POLL_S, runAsync } from './async-run.ts';
import { withinTimeout } from './task-timeout.ts';
import { parseParams } from './float-params.ts';
import { isNumber } from '../template/py-float.ts';

/** The connection of a controllerOnly task: it must not use one (a bug in the task type if it does). */
const NO_CONNECTION = new Proxy({} as Connection, {
  get: (_, k) => {
    // inspection (util.inspect, await) is not use
    if (typeof k === 'symbol' || k === 'then' || k === 'toJSON') return undefined;
    throw new Error(`internal: a task type marked controllerOnly used its connection (${String(k)})`);
  },
});

/** A connection opened by its first command (TaskType.lazyConnection): `open` fails only then. */
function lazyConnection(host: string, open: () => Promise<Connection>): Connection & { drop(): void } {
  let conn: Promise<Connection> | undefined;
  return {
    host,
    exec: async (cmd, opts) => (await (conn ??= open())).exec(cmd, opts),
    close: async (opts) => (conn ? (await conn.catch(() => undefined))?.close(opts) : undefined),
    // after a reset: the next command asks for the connection again
    drop: () => void (conn = undefined),
  };
}

export interface TaskEnv {
  /** the scope with these loop vars added (task vars, registered results, play and host vars below) */
  scope(loopVars: Record<string, unknown>): Scope;
  /** the connection this task (or loop item: `delegate_to: "{{ item }}"`) runs on (delegation, become and environment applied) */
  conn(loopVars?: Record<string, unknown>): Promise<Connection>;
  /** the connection plugin `conn(loopVars)` is, and the reset of that connection (closed: the next conn() opens anew) */
  transport?(loopVars?: Record<string, unknown>): 'local' | 'ssh';
  resetConn?(loopVars?: Record<string, unknown>): Promise<unknown>;
  /** the host a loop item was delegated to, each item its own (the output's `[h1 -> db]`); throws what its delegate_to cannot render */
  delegateOf?(loopVars: Record<string, unknown>): Delegation | undefined;
  /** a loop's items' vars, before the first runs */
  loopItems?(all: Record<string, unknown>[]): void;
  /** what TaskContext carries besides the connection and check flag */
  ctx: Omit<TaskContext, 'conn' | 'check'>;
  /** --check */
  check: boolean;
  handler: boolean;
  /**
   * called before each change is applied (durable notifications are recorded there; the facts read
   * ahead are dropped, or what `forget` says may change)
   */
  beforeChange(forget?: (cache: Map<string, unknown>) => boolean): Promise<void>;
  sleep(ms: number): Promise<void>;
  interrupted(): boolean;
  /** host vars a task set (its result's `ansible_facts`, set_fact; include_vars': `included`): seen by everything after it */
  setFacts(facts: Record<string, unknown>, included?: boolean, cacheable?: boolean, unsafe?: ReadonlySet<string>, text?: Readonly<Record<string, number>>, loopVars?: Record<string, unknown>): void;
  /**
   * A result's `add_host` or `add_group` applied to the run's inventory (as Ansible's strategy applies
   * them, check mode too): whether that changed it, which is the task's `changed`
   */
  changeInventory?(result: Record<string, unknown>): boolean;
  /**
   * Interpreter discovery for a task that runs a module, on its connection, when the host's
   * ansible_python_interpreter asks for it and it has not run (interpreter-discovery.ts): what the
   * result gets (Ansible's _execute_module adds the fact and the warnings), or nothing
   */
  discover?(conn: Connection, scope: Scope, loopVars?: Record<string, unknown>): Promise<{ ansible_facts: Record<string, unknown>; warnings: string[] } | undefined>;
}

export interface ItemOutcome {
  status: Status;
  /** what `register` keeps of this item (Ansible's shape: changed, failed, skipped, rc, stdout...) */
  result: Record<string, unknown>;
  changes: string[];
  diff?: string;
  note?: string;
  /** failed: why */
  msg?: string;
  label?: string;
  /** what Ansible's output names the item by: loop_control's label, else the item itself */
  shown?: unknown;
  /**
   * its failure is the whole task's, the loop's other items dropped: Ansible's templating error in the
   * task's options escapes its _run_loop (post_validate raises), so there are no item results
   */
  wholeTask?: boolean;
  /** the host this item was delegated to */
  delegated?: Delegation;
}

export interface TaskOutcome {
  status: Status;
  result: Record<string, unknown>;
  changes: string[];
  diff?: string;
  msg?: string;
  /** a loop's items, as the output names each (its results are in result.results, in the same order) */
  labels?: unknown[];
  /** a loop's items' delegates, where delegate_to names one per item */
  delegates?: (Delegation | undefined)[];
}

/**
 * The first condition that does not hold, if any (undefined: they all hold). One that uses an
 * undefined variable fails the task with Ansible's message (`at`: the task, named for `when`).
 */
/** Ansible 2.14's skip_reason for a false `when`, whichever condition it was (skiff says which in its note) */
const SKIP_REASON = 'Conditional result was False';

const firstUnmet = (list: (string | boolean)[], scope: Scope, warn: ((text: string) => void) | undefined, at?: TaskDef): string | undefined => {
  for (const w of list) {
    let met: boolean;
    try {
      met = holds(w, scope, warn);
    } catch (e) {
      throw conditionError(String(w), e, at);
    }
    if (!met) return String(w);
  }
  return undefined;
};
const asList = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

export async function runTask(t: TaskDef, env: TaskEnv): Promise<TaskOutcome> {
  if (!t.loop) return fromItem(keepFacts(t, await runItem(t, env, {}), env));
  let loop = t.loop;
  let value: unknown;
  let unsafe = t.loop.kind !== 'loop';
  const text = { bits: 0 };
  try {
    loop = resolveLoop(t.loop, env.scope({}));
    const problems: RenderProblem[] = [];
    const r = tracked(() => render(loop.value, env.scope({}), [], problems, [], text));
    value = r.value;
    unsafe ||= (r.taint & UNSAFE) !== 0;
    // Ansible keeps a loop's undefined variable until the task's `when` is known: false, it is skipped
    // (task_executor's _loop_eval_error); a `when` that needs the item fails as the loop does
    if (problems.some((p) => p.undefinedVar !== undefined)) {
      let unmet: string | undefined;
      try {
        unmet = firstUnmet(t.kw.when, env.scope({}), env.ctx.warn, t);
      } catch {
        unmet = undefined;
      }
      if (unmet !== undefined) return { status: 'skipped', result: { changed: false, skipped: true, failed: false, skip_reason: SKIP_REASON }, changes: [], msg: `when: ${unmet}` };
    }
    // Ansible's loop error is the templar's own (no "task includes an option" around it)
    if (problems[0]?.exception !== undefined) throw new TaskException(problems[0].exception);
    if (problems[0]?.pluginError !== undefined) throw new TemplateFailure(problems[0].pluginError);
    if (problems.length) throw new TaskFailure(problems[0].undefinedVar !== undefined ? undefinedError(problems[0].undefinedVar) : problems.map((p) => p.message).join('; '));
  } catch (e) {
    return failedOutcome(e);
  }
  const r = loopItems(loop.kind, value, t.roleDir ?? dirname(t.src.file), { scope: env.scope({}), action: t.type.name });
  if ('error' in r) return { status: 'failed', result: { failed: true, changed: false, msg: r.error }, changes: [], msg: r.error };
  const items: ItemOutcome[] = [];
  const allVars = r.items.map((_, i) => itemVars(loop, r.items, i, unsafe, loop.kind === 'loop' ? text.bits : 0));
  // every item's delegate is in ansible_delegated_vars from the first item on (VariableManager._get_delegated_vars)
  env.loopItems?.(allVars);
  for (const [i, item] of r.items.entries()) {
    if (env.interrupted()) break;
    if (i > 0 && loop.pauseS) await env.sleep(loop.pauseS * 1000);
    const loopVars = allVars[i];
    let label: string;
    let shown: unknown = item;
    try {
      if (loop.label !== undefined) shown = render(loop.label, env.scope(loopVars), []);
      label = loop.label === undefined ? itemLabel(item) : String(shown);
    } catch {
      label = itemLabel(item);
    }
    const o = keepFacts(t, await runItem(t, env, loopVars), env, loopVars);
    if (o.wholeTask) return fromItem(o);
    // a skipped item names no delegate (its delegate_to was never templated: Ansible's `skipping: [a]`)
    items.push({ ...o, label, shown, delegated: o.status === 'skipped' ? undefined : itemDelegate(env, loopVars), result: { ...o.result, ...loopVars } });
  }
  return fromLoop(items);
}

/** The item's delegate, for the output; none where it cannot be rendered (the item's own failure says why). */
function itemDelegate(env: TaskEnv, loopVars: Record<string, unknown>): Delegation | undefined {
  try {
    return env.delegateOf?.(loopVars);
  } catch {
    return undefined;
  }
}

/**
 * A result's `ansible_facts` become host vars at once: the next item of a loop sees them, as Ansible's
 * `set_fact: acc="{{ acc + [item] }}"` idiom expects. Not those of a failed or skipped item, nor
 * debug's (`debug: var=ansible_facts` shows them, as Ansible's task executor leaves debug out: #74060).
 */
function keepFacts(t: TaskDef, o: ItemOutcome, env: TaskEnv, loopVars: Record<string, unknown> = {}): ItemOutcome {
  const f = o.result.ansible_facts;
  if (/^(?:ansible\.(?:builtin|legacy)\.)?debug$/.test(t.type.name)) return o;
  // set_fact's cacheable (Ansible's internal _ansible_facts_cacheable, not shown)
  // and which facts are unsafe (set_fact's, internal too)
  const { _ansible_facts_cacheable: cacheable, [UNSAFE_FACTS]: unsafe, [TEXT_FACTS]: text, ...result } = o.result;
  if ((o.status === 'ok' || o.status === 'changed') && f && typeof f === 'object' && !Array.isArray(f)) env.setFacts(f as Record<string, unknown>, t.type.includesVars, cacheable === true, new Set(unsafe as string[] | undefined), text as Record<string, number> | undefined, loopVars);
  return cacheable === undefined && unsafe === undefined && text === undefined ? o : { ...o, result };
}

/** Pure: a loop's items as one task result, as Ansible reports it (failed if any failed, etc.). */
export function fromLoop(items: ItemOutcome[]): TaskOutcome {
  const any = (s: Status) => items.some((o) => o.status === s);
  const status: Status = any('unreachable') ? 'unreachable' : any('failed') ? 'failed' : any('changed') ? 'changed' : items.length && items.every((o) => o.status === 'skipped') ? 'skipped' : items.length ? 'ok' : 'skipped';
  const failedItems = items.filter((o) => o.status === 'failed' || o.status === 'unreachable');
  const msg = failedItems.length ? failedItems.map((o) => `(item=${o.label}) ${o.msg}`).join('; ') : items.length ? undefined : 'no items';
  return {
    status,
    // changed when an item changed, even if another failed (TaskExecutor.run), as the recap counts it
    // the result's msg is Ansible's words (TaskExecutor.run); skiff's own, naming the items, is the outcome's
    result: { results: items.map((o) => o.result), changed: status === 'changed' || items.some((o) => o.result.changed === true), failed: status === 'failed', skipped: status === 'skipped', ...(msg ? { msg: failedItems.length ? 'One or more items failed' : msg } : {}) },
    changes: items.flatMap((o) => o.changes.map((c) => `(item=${o.label}) ${c}`)),
    diff: items.map((o) => o.diff).filter(Boolean).join('\n') || undefined,
    msg,
    labels: items.map((o) => o.shown),
    ...(items.some((o) => o.delegated) ? { delegates: items.map((o) => o.delegated) } : {}),
  };
}

function fromItem(o: ItemOutcome): TaskOutcome {
  return { status: o.status, result: o.result, changes: o.changes, diff: o.diff, msg: o.msg ?? o.note };
}

function failedOutcome(e: unknown): TaskOutcome {
  const o = failedItem(e);
  return fromItem(o);
}

function failedItem(e: unknown): ItemOutcome {
  if (e instanceof UnreachableError) return { status: 'unreachable', result: { unreachable: true, changed: false, msg: e.message }, changes: [], msg: e.message };
  const failure = e instanceof TaskFailure || e instanceof ExprError;
  const msg = failure ? (e as Error).message : `internal error: ${(e as Error).stack ?? e}`;
  if (e instanceof TaskException) return { status: 'failed', result: { changed: false, exception: e.traceback, failed: true }, changes: [], msg };
  if (e instanceof TemplateFailure) return { status: 'failed', result: { failed: true, msg }, changes: [], msg };
  // changed as the module said it (Ansible's command: true, even failing)
  // a msg the task fails with that is not text stays as it is (fail's and assert's: a list, a map)
  const kept = e instanceof TaskFailure && Object.hasOwn(e.result, 'msg') && typeof e.result.msg !== 'string' ? { msg: e.result.msg } : { msg };
  return { status: 'failed', result: { ...(e instanceof TaskFailure ? e.result : {}), changed: e instanceof TaskFailure && e.result.changed === true, failed: true, ...kept }, changes: [], msg };
}

/**
 * A task's name as Ansible's strategy shows it in the banner: templated with the host's vars, registered
 * results included (`name: "{{ r.stdout }}"`), left as written where it cannot be (fail_on_undefined=False).
 */
export function titleOf(name: string, scope: () => Scope): string | undefined {
  if (!/\{[{%]/.test(name)) return undefined;
  const ps: RenderProblem[] = [];
  try {
    const v = render(name, scope(), [], ps);
    return ps.length ? undefined : pyStr(v);
  } catch {
    return undefined;
  }
}

/** Ansible: `until` without `retries` tries 3 more times; attempts = retries + 1. */
export function attemptsOf(t: TaskDef, scope: Scope): number {
  if (t.meta.until === undefined) return 1;
  return countOf('retries', t.meta.retries ?? 3, scope, true) + 1;
}

/** retries / delay: a number, or its expression's value on this host (a number as Ansible's int()). */
export function countOf(key: string, value: number | string, scope: Scope, whole: boolean): number {
  if (typeof value === 'number') return value;
  const x = render(value, scope, []);
  const n = isNumber(x) ? Number(x) : typeof x === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(x) ? Number(x) : NaN;
  if (!(n >= 0) || (whole && !Number.isInteger(n))) throw new TaskFailure(`${key}: ${JSON.stringify(value)} gave ${pyStr(x)}, expected ${whole ? 'a whole number (0 or more)' : 'a number of seconds'}`);
  return n;
}

async function runItem(t: TaskDef, env: TaskEnv, loopVars: Record<string, unknown>): Promise<ItemOutcome> {
  try {
    const scope = env.scope(loopVars);
    const unmet = firstUnmet(t.kw.when, scope, env.ctx.warn, t);
    if (unmet !== undefined) return { status: 'skipped', result: { changed: false, skipped: true, failed: false, skip_reason: SKIP_REASON }, changes: [], note: `when: ${unmet}` };
    const problems: RenderProblem[] = [];
    const unsafe = new Set<string>();
    const textClass = new Map<string, number>();
    const rendered = removeOmit(renderParams(t.params, t.type, scope, problems, unsafe, textClass));
    const undef = problems.find((p) => p.undefinedVar !== undefined);
    if (undef) return { ...failedItem(undefinedOption(undef.undefinedVar!, t)), wholeTask: true };
    // a test's or filter's error is the task's message as Ansible words it, alone
    const plugin = problems.find((p) => p.pluginError !== undefined);
    if (plugin?.wholeTask) return { ...failedItem(new TemplateFailure(plugin.pluginError!)), wholeTask: true };
    if (plugin) throw new TemplateFailure(plugin.pluginError!);
    const exception = problems.find((p) => p.exception !== undefined);
    if (exception) throw new TaskException(exception.exception!);
    if (problems.length) throw new TaskFailure(problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('; '));
    const parsed = parseParams(t.type.schema, rendered);
    // an issue of the whole params (a check across them) is the message alone, as the module's own
    if (!parsed.success) throw new TaskFailure(parsed.issues.map((i) => (i.path?.length ? `${i.path.map((p) => p.key).join('.')}: ${i.message}` : i.message)).join('; '));
    const mode = decide(t.kw.check_mode, () => scope, 'check_mode', t.kw.enclosing?.check_mode);
    const check = mode === true || (env.check && mode !== false);
    const lazy = t.type.lazyConnection && !t.type.controllerOnly ? lazyConnection(env.ctx.host, () => env.conn(loopVars)) : undefined;
    const ctx: TaskContext = { ...env.ctx, conn: t.type.controllerOnly ? NO_CONNECTION : (lazy ?? (await env.conn(loopVars))), check, scope, dir: t.roleDir ?? dirname(t.src.file), untemplated: t.params, unsafe, textClass, collections: t.collections };
    if (env.transport) ctx.transport = () => env.transport!(loopVars);
    // only a lazy connection can be had anew within the task: the others are the task's for its whole run
    if (lazy && env.resetConn)
      ctx.resetConnection = async () => {
        lazy.drop();
        await env.resetConn!(loopVars);
      };
    const params = await resolveHostPaths(ctx.conn, t.type.hostPaths, parsed.output);
    const found = t.type.controllerOnly || t.type.noModule ? undefined : await env.discover?.(ctx.conn, scope, loopVars);
    const attempts = attemptsOf(t, scope);
    for (let attempt = 1; ; attempt++) {
      const o = withDiscovered(await attemptOnce(t, env, ctx, params, scope, t.meta.until === undefined ? undefined : attempt), found);
      // until: not for what check mode only planned, nor for a skipped task (Ansible does not retry those)
      if (t.meta.until === undefined || o.status === 'skipped' || (check && o.status === 'changed')) return o;
      const met = firstUnmet(asList(t.meta.until), resultScope(t, o.result, scope), env.ctx.warn) === undefined;
      if (met) return o;
      if (attempt >= attempts || env.interrupted()) {
        const msg = `until: ${asList(t.meta.until).join(' and ')}: not met after ${attempt} attempt${attempt > 1 ? 's' : ''}${o.msg ? ` (last: ${o.msg})` : ''}`;
        // Ansible's quirk: once out of attempts, `attempts` is the retries asked for (one less than made)
        const last = attempts > 1 ? { attempts: attempts - 1 } : {};
        // and its TaskResult takes failed_when's verdict over `failed`: a task whose failed_when held
        // false is not failed, though its result says failed (until target, Ansible #34139)
        if (o.result.failed_when_result === false) return { ...o, result: { ...o.result, failed: true, ...last } };
        return { ...o, status: 'failed', msg, result: { ...o.result, failed: true, msg, ...last } };
      }
      const delay = countOf('delay', t.meta.delay ?? 5, scope, false);
      ctx.progress?.({ text: `attempt ${attempt} of ${attempts}: until ${asList(t.meta.until).join(' and ')} not met, next in ${delay} s` });
      // Ansible's v2_runner_retry line, under the task's banner
      ctx.say?.(`FAILED - RETRYING: [${ctx.host}]: ${titleOf(t.name, () => scope) ?? t.name} (${attempts - attempt} retries left).`);
      await env.sleep(delay * 1000);
    }
  } catch (e) {
    return failedItem(e);
  }
}

/** The discovered interpreter in the result's ansible_facts, its warnings in warnings (ActionBase._execute_module). */
function withDiscovered(o: ItemOutcome, found: Awaited<ReturnType<NonNullable<TaskEnv['discover']>>>): ItemOutcome {
  if (!found) return o;
  const facts = o.result.ansible_facts;
  const warnings = Array.isArray(o.result.warnings) ? o.result.warnings : [];
  const result = { ...o.result, ansible_facts: { ...(facts && typeof facts === 'object' && !Array.isArray(facts) ? facts : {}), ...found.ansible_facts } };
  return { ...o, result: found.warnings.length ? { ...result, warnings: [...warnings, ...found.warnings] } : result };
}

/** The task's action once: its plan, then (unless check mode or nothing to change) its apply. */
async function act(t: TaskDef, env: TaskEnv, ctx: TaskContext, params: unknown, scope: Scope): Promise<{ plan?: Plan; out: Record<string, unknown>; status: Status }> {
  const asyncS = t.meta.async === undefined ? 0 : countOf('async', t.meta.async, scope, true);
  if (asyncS > 0) {
    const poll = countOf('poll', t.meta.poll ?? DEFAULT_POLL_S, scope, true);
    const r = await runAsync(t, { sleep: env.sleep, beforeChange: () => env.beforeChange() }, ctx, scope, params, asyncS, poll);
    return { plan: r.plan, out: r.result, status: r.changed ? 'changed' : 'ok' };
  }
  const plan = await t.type.plan(ctx, params);
  const out = { ...(plan.result ?? {}) };
  if (plan.skip) return { plan, out, status: 'skipped' };
  if (plan.changes.length === 0) return { plan, out, status: 'ok' };
  if (ctx.check) return { plan, out, status: 'changed' };
  await env.beforeChange(t.type.forget && ((cache) => t.type.forget!(params, cache)));
  const applied = (await t.type.apply(ctx, params, plan)) ?? {};
  return { plan, out: { ...out, ...applied }, status: applied.changed === false ? 'ok' : 'changed' };
}

/** One run of the task; with until, `attempt` is in its result before changed_when and failed_when see it (as Ansible's). */
async function attemptOnce(t: TaskDef, env: TaskEnv, ctx: TaskContext, params: unknown, scope: Scope, attempt?: number): Promise<ItemOutcome> {
  let status: Status;
  let plan;
  let out: Record<string, unknown>;
  try {
    const seconds = t.kw.timeout === undefined ? 0 : countOf('timeout', t.kw.timeout, scope, true);
    ({ plan, out, status } = await withinTimeout(seconds, t.type.name, ctx.conn, (conn) => act(t, env, seconds ? { ...ctx, conn } : ctx, params, scope)));
    // before changed_when and failed_when, which see the result as Ansible's post_process_whens does
    if (t.type.changesInventory && env.changeInventory && status !== 'skipped') {
      const changed = env.changeInventory(out);
      status = changed ? 'changed' : 'ok';
      // `changed_when: <its own register> is changed` reads it (Ansible's result carries it then)
      out = { ...out, changed };
    }
  } catch (e) {
    if (e instanceof UnreachableError) throw e;
    const f = failedItem(e);
    // failed_when can still say a failure is fine (e.g. `failed_when: rc > 1`)
    if (t.meta.failed_when === undefined || !(e instanceof TaskFailure)) return f;
    plan = undefined;
    out = f.result;
    status = 'changed';
  }
  if (attempt !== undefined) out = { ...out, attempts: attempt };
  const rs = resultScope(t, out, scope);
  if (status !== 'skipped') {
    // Ansible's order: changed_when, then failed_when (its value kept as failed_when_result); one that
    // cannot be evaluated fails the task, the result kept, its error as `<cond>_when_result`
    let cond = 'changed_when';
    try {
      if (t.meta.changed_when !== undefined) status = firstUnmet(asList(t.meta.changed_when), rs, env.ctx.warn) === undefined ? 'changed' : 'ok';
      cond = 'failed_when';
      if (t.meta.failed_when !== undefined) {
        const failed = firstUnmet(asList(t.meta.failed_when), rs, env.ctx.warn) === undefined;
        out = { ...out, failed_when_result: failed };
        if (failed) {
          const msg = `failed_when: ${asList(t.meta.failed_when).join(' and ')}`;
          // Ansible's result stays the module's (its msg, its changed): an ignored one counts changed
          return { status: 'failed', result: { ...out, changed: status === 'changed', failed: true }, changes: plan?.changes ?? [], msg };
        }
      }
    } catch (e) {
      if (!(e instanceof ExprError || e instanceof TaskFailure)) throw e;
      const why = (e as Error).message;
      return { status: 'failed', result: { ...out, changed: status === 'changed', failed: true, [`${cond}_result`]: why }, changes: plan?.changes ?? [], msg: typeof out.msg === 'string' ? out.msg : why };
    }
  }
  return {
    status,
    // Ansible's result has `skipped` only when the task (or item) was skipped
    result: { ...out, changed: status === 'changed', failed: false, ...(status === 'skipped' ? { skipped: true } : {}) },
    changes: status === 'ok' ? [] : (plan?.changes ?? []),
    diff: status === 'ok' ? undefined : plan?.diff,
    note: plan?.note,
  };
}

/**
 * What changed_when, failed_when and until see: the task's result under its `register` name (as
 * Ansible users write `until: r.rc == 0`), as `result`, and field by field.
 */
function resultScope(t: TaskDef, out: Record<string, unknown>, scope: Scope): Scope {
  return (n) => (n === t.meta.register || n === 'result' ? { found: true, value: out } : Object.hasOwn(out, n) ? { found: true, value: out[n] } : scope(n));
}
