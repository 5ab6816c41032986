// Without a terminal (CI, pipes, the scripts that grep a run's output): Ansible's `default` stdout
// callback, line for line (lib/ansible/plugins/callback/default.py, 2.14): banners padded with `*` to 80
// columns, `ok: [host]`, `fatal: [host]: FAILED! => {json}`, `=> (item=...)` per loop item, `...ignoring`.
// skiff's own extras stay out of these lines: a diff (--diff) and a handler's note are indented below
// them, progress lines start with `progress:`, notes with `note:` (-v), so no grep for Ansible's lines
// matches them.
import type { Delegation, RunEvent, TaskResult } from '../engine/events.ts';
import { floatRepr, pyStr } from '../template/expr-error.ts';
import { PyFloat } from '../template/py-float.ts';

/** Display.banner: the message, a space, `*` up to 80 columns (79 + 1: the width when not on a tty), at least 3 */
export function banner(msg: string): string {
  const m = msg.trim();
  return `\n${m} ${'*'.repeat(Math.max(3, 79 - m.length))}`;
}

/** Python's json.dumps(v, sort_keys=True, ensure_ascii=False, indent=indent): the callback's _dump_results. */
export function pyJson(v: unknown, indent?: number, depth = 0): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || v instanceof PyFloat) {
    const n = Number(v);
    return Number.isNaN(n) ? 'NaN' : !Number.isFinite(n) ? (n > 0 ? 'Infinity' : '-Infinity') : Number.isInteger(v) ? String(n) : floatRepr(n);
  }
  if (typeof v !== 'object') return JSON.stringify(v);
  const entries: [string | undefined, unknown][] = Array.isArray(v)
    ? v.map((x) => [undefined, x])
    : Object.keys(v)
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .sort()
        .map((k) => [k, (v as Record<string, unknown>)[k]]);
  const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
  if (!entries.length) return open + close;
  const parts = entries.map(([k, x]) => (k === undefined ? '' : `${JSON.stringify(k)}: `) + pyJson(x, indent, depth + 1));
  if (indent === undefined) return open + parts.join(', ') + close;
  const pad = ' '.repeat(indent * (depth + 1));
  return `${open}\n${pad}${parts.join(`,\n${pad}`)}\n${' '.repeat(indent * depth)}${close}`;
}

const DEBUG_ALLOWED = ['msg', 'exception', 'warnings', 'deprecations'];
const HIDE_IN_DEBUG = ['changed', 'failed', 'skipped', 'invocation', 'skip_reason'];
const isDebug = (type: string) => type === 'debug' || type.endsWith('.debug');

/** A value without `_ansible_` keys at any depth (strip_internal_keys: a WANT_JSON module that echoes its arguments shows them without Ansible's). */
function stripInternal(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(stripInternal);
  if (!x || typeof x !== 'object' || Object.getPrototypeOf(x) !== Object.prototype) return x;
  return Object.fromEntries(Object.entries(x).filter(([k]) => !k.startsWith('_ansible_')).map(([k, v]) => [k, stripInternal(v)]));
}

/**
 * TaskResult.clean_copy, _clean_results and _dump_results: what of a result is shown (failed, skipped,
 * internal keys, diff, exception out; debug's msg alone).
 */
function shown(result: Record<string, unknown>, type: string, verbosity: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(result)) {
    if (k === 'failed' || k === 'skipped' || k.startsWith('_ansible_') || k === 'exception' || k === 'warnings' || k === 'deprecations') continue;
    if (verbosity < 3 && (k === 'invocation' || k === 'diff')) continue;
    out[k] = stripInternal(x);
  }
  if (isDebug(type)) {
    if ('msg' in result) {
      for (const k of Object.keys(out)) if (!DEBUG_ALLOWED.includes(k)) delete out[k];
    } else for (const k of HIDE_IN_DEBUG) delete out[k];
  }
  return out;
}

export interface LineOptions {
  /** -v count */
  verbosity: number;
  diff: boolean;
  /** ANSI colours as Ansible's (each line of a message wrapped: Display's stringc) */
  color?: boolean;
  /** called after each TASK / RUNNING HANDLER banner, with the task it names */
  onBanner?(t: BannerTask): void;
}

/** Which banner a task's lines go under: one per play, handler or task, role and name. */
export const bannerKey = (t: { play: string; task: string; handler?: boolean; role?: string }): string => `${t.play}\0${t.handler ? 'h' : 't'}\0${t.role ?? ''}\0${t.task}`;

/** The task a banner names, as a callback plugin's v2_playbook_on_task_start sees it. */
export interface BannerTask {
  play: string;
  task: string;
  at?: string;
  type?: string;
  role?: string;
  handler?: boolean;
}

const HUE = { ok: 32, changed: 33, failed: 31, skip: 36 } as const;

/** The lines one result prints (after its task's banner): Ansible's v2_runner_on_* and v2_runner_item_on_*. */
export function resultLines(r: TaskResult, o: LineOptions): string[] {
  const host = hostLabel(r.host, r.delegatedTo === undefined ? undefined : { to: r.delegatedTo, address: r.delegatedAddress });
  const result = r.result ?? { changed: r.status === 'changed', ...(r.msg ? { msg: r.msg } : {}) };
  // debug's results are always shown, indented, and those that ask for it (_ansible_verbose_always:
  // assert's unless quiet); others under -v, indented from -vvv
  // (not a censored one: no_log leaves no _ansible_verbose_always in it)
  const always = (x: Record<string, unknown>) => !('censored' in x) && (isDebug(r.type) || x._ansible_verbose_always === true);
  const debug = always(result) && r.status !== 'skipped' && r.status !== 'failed';
  const dump = (x: Record<string, unknown>, always = false) => pyJson(shown(x, r.type, o.verbosity), always || o.verbosity > 2 ? 4 : undefined);
  const verbose = (x: Record<string, unknown>, always: boolean) => (always || o.verbosity > 0 ? ` => ${dump(x, always)}` : '');
  const lines: string[] = [];
  const say = (hue: number, text: string) => lines.push(o.color ? text.split('\n').map((l) => `\x1b[${hue}m${l}\x1b[0m`).join('\n') : text);
  // the default callback's _handle_exception: a result's traceback, its last line below -vvv
  const exception = (x: Record<string, unknown>) => {
    if (typeof x.exception !== 'string') return;
    const text = o.verbosity < 3 ? `An exception occurred during task execution. To see the full traceback, use -vvv. The error was: ${x.exception.trim().split('\n').pop()}` : `The full traceback is:\n${x.exception}`;
    say(HUE.failed, text);
  };
  const items = Array.isArray(result.results) && r.labels ? (result.results as Record<string, unknown>[]) : undefined;
  if (items) {
    items.forEach((item, i) => {
      const label = pyStr(r.labels![i]);
      // each item's own delegate (`delegate_to: "{{ item }}"`)
      const on = r.itemDelegates?.[i] ? hostLabel(r.host, r.itemDelegates[i]) : host;
      // Ansible's TaskResult.is_failed: failed_when's verdict, when there is one, over `failed`
      const failed = 'failed_when_result' in item ? !!item.failed_when_result : !!item.failed;
      // an unreachable item is a failed one in the default callback's words (v2_runner_item_on_failed)
      if (failed || item.unreachable === true) {
        exception(item);
        say(HUE.failed, `failed: [${on}] (item=${label}) => ${dump(item)}`);
      }
      // the default callback's skipping lines name the host alone, delegated or not
      else if (item.skipped) say(HUE.skip, `skipping: [${r.host}] => (item=${label}) ${verbose(item, false)}`);
      else say(item.changed ? HUE.changed : HUE.ok, `${item.changed ? 'changed' : 'ok'}: [${on}] => (item=${label})${verbose(item, always(item))}`);
    });
    if (r.status === 'skipped') say(HUE.skip, `skipping: [${r.host}]${verbose({ ...result, results: undefined }, false)}`);
    // and the loop's own UNREACHABLE line (the strategy's v2_runner_on_unreachable for the whole result)
    else if (r.status === 'unreachable') say(HUE.failed, `fatal: [${host}]: UNREACHABLE! => ${dump(result)}`);
    // an item that failed on a Python exception of its templates: Ansible shows the loop's own failure too
    else if (r.status === 'failed' && items.some((i) => typeof i.exception === 'string')) {
      const { results: _, ...rest } = result;
      say(HUE.failed, `fatal: [${host}]: FAILED! => ${dump(rest)}`);
    }
    // under no_log the task's own line too: Ansible's censored result has no results left to hide it
    else if ('censored' in result) lines.push(...resultLines({ ...r, result: { ...result, results: undefined }, labels: undefined }, o));
  } else if (r.status === 'failed') {
    exception(result);
    // a failed result that asks to be shown (assert's) is indented too: the default callback's _dump_results
    say(HUE.failed, `fatal: [${host}]: FAILED! => ${dump(result, result._ansible_verbose_always === true && !('censored' in result))}`);
  }
  else if (r.status === 'unreachable') say(HUE.failed, `fatal: [${host}]: UNREACHABLE! => ${dump(result)}`);
  else if (r.status === 'skipped') say(HUE.skip, `skipping: [${r.host}]${verbose(result, false)}`);
  // an included file: v2_playbook_on_include's line, not a result's
  else if (r.status === 'ok' && r.msg?.startsWith('included: ')) say(HUE.skip, `${r.msg} for ${host}${r.labels?.length ? ` => (item=${pyStr(r.labels[0])})` : ''}`);
  else say(r.status === 'changed' ? HUE.changed : HUE.ok, `${r.status === 'changed' ? 'changed' : 'ok'}: [${host}]${verbose(result, debug)}`);
  if (r.status === 'failed' && r.ignored) say(HUE.skip, '...ignoring');
  // skiff's own: the note a handler run leaves (why it ran), the diff; indented, under Ansible's line
  if (r.handler && r.msg && r.status !== 'failed' && !isDebug(r.type)) lines.push(`    ${r.msg}`);
  if ((o.diff || r.showDiff) && r.diff) lines.push(...r.diff.split('\n').map((l) => `    ${l}`));
  return lines;
}

/** Ansible's host_label: `h1`, `h1 -> db`, or `h1 -> db(10.0.0.5)` where the delegate's ansible_host is not its name. */
function hostLabel(host: string, d: Delegation | undefined): string {
  if (!d || d.to === host) return host;
  return `${host} -> ${d.to}${d.address !== undefined && d.address !== d.to ? `(${d.address})` : ''}`;
}

/** The banner a result goes under: `TASK [role : name]`, `RUNNING HANDLER [...]`. */
export function taskBanner(r: Pick<TaskResult, 'task' | 'role' | 'handler'> & { title?: string }): string {
  const task = r.title ?? r.task;
  // the default callback strips the name it shows (`name: "1.4.2 | PATCH | ... "` in the CIS roles)
  const name = (r.role && r.task !== 'Gathering Facts' ? `${r.role} : ${task}` : task).trim();
  return banner(`${r.handler ? 'RUNNING HANDLER' : 'TASK'} [${name}]`);
}

/**
 * The listener: a play's banner when it starts, a task's banner before its first result, and again when
 * another task's result came in between or the same host reports again (the next task of the same name).
 */
/** The warnings of a result the default callback shows (v2_runner_on_ok/failed, v2_runner_item_on_failed). */
export function resultWarnings(r: TaskResult): string[] {
  if (r.status !== 'ok' && r.status !== 'changed' && r.status !== 'failed') return [];
  const of = (x: unknown) => (x && typeof x === 'object' && Array.isArray((x as { warnings?: unknown }).warnings) ? ((x as { warnings: unknown[] }).warnings.filter((w) => typeof w === 'string') as string[]) : []);
  const items = Array.isArray(r.result?.results) ? (r.result.results as unknown[]) : [];
  return [...items.filter((i) => (i as { failed?: unknown })?.failed === true).flatMap(of), ...of(r.result)];
}

export function ansibleLines(o: LineOptions & { out: (s: string) => void; warn?: (s: string) => void }): (e: RunEvent) => void {
  let current: string | undefined;
  let hosts = new Set<string>();
  return (e) => {
    if (e.kind === 'play') {
      o.out(banner(e.name.trim() ? `PLAY [${e.name}]` : 'PLAY'));
      // Ansible's v2_playbook_on_no_hosts_matched
      if (!e.hosts.length) o.out('skipping: no hosts matched');
      current = undefined;
    } else if (e.kind === 'meta') {
      // Ansible's _execute_meta sends the task start for each host it runs on: the banner each time
      // (its result goes to no callback), then display.vv(`META: ...`)
      o.out(taskBanner(e));
      o.onBanner?.({ play: e.play, task: e.task, type: 'meta', role: e.role, handler: e.handler });
      if (o.verbosity >= 2) o.out(`META: ${e.text}`);
      // a skipped one goes to v2_runner_on_skipped too (not counted in the recap)
      if (e.skipped) o.out(`skipping: [${e.host}]${o.verbosity > 0 ? ` => ${pyJson(shown(e.skipped, 'meta', o.verbosity), o.verbosity > 2 ? 4 : undefined)}` : ''}`);
      current = undefined;
    } else if (e.kind === 'display') {
      // under the task's banner, before its result (which then needs no banner of its own)
      const key = bannerKey(e);
      if (key !== current || hosts.has(e.host)) {
        o.out(taskBanner(e));
        o.onBanner?.({ play: e.play, task: e.task, role: e.role, handler: e.handler });
        current = key;
        hosts = new Set();
      }
      // an empty text is the banner alone (an include_role that runs)
      if (e.text) o.out(e.text);
    } else if (e.kind === 'result') {
      const r = e.result;
      const key = bannerKey(r);
      // a looped include's files are said one after another under one banner (v2_playbook_on_include)
      const nextFile = key === current && r.labels !== undefined && r.msg?.startsWith('included: ');
      if (key !== current || (hosts.has(r.host) && !nextFile)) {
        o.out(taskBanner(r));
        o.onBanner?.({ play: r.play, task: r.task, at: r.at, type: r.type, role: r.role, handler: r.handler });
        current = key;
        hosts = new Set();
      }
      hosts.add(r.host);
      // a module's own warnings (its result's `warnings`), as the default callback's _handle_warnings
      // shows them: after the banner, before the result's line, once a run each (the printer's)
      for (const w of resultWarnings(r)) o.warn?.(w);
      for (const l of resultLines(r, o)) o.out(l);
    }
  };
}
