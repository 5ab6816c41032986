// skiff run / skiff validate: settings -> prepare (all checks that need no host) -> run -> progress,
// recap, profile, events, report, retry; with --check --plan FILE, the plan (src/plan/) once it is over.
// runSetup and runAndReport are skiff apply's too (apply.ts).
import { existsSync } from 'node:fs';
import { terminalIO } from '../../engine/vars-prompt.ts';
import type { Origin } from '../../inventory/types.ts';
import { prepare, type Prepared, type RunOptions } from '../../engine/prepare.ts';
import { startRun, type RunSummary } from '../../engine/run.ts';
import { buildPlan, recordedFlags, recordReads, secretExtraVars, planRefusals } from '../../plan/record.ts';
import { writePlan } from '../../plan/write.ts';
import { VERSION } from '../version.ts';
import { useColor } from '../../report/color.ts';
import { openEventLog, type EventLog } from '../../report/events.ts';
import { writeReport, writeRetry } from '../../report/files.ts';
import { profiler } from '../../report/profile.ts';
import { plainProgress, ttyProgress } from '../../report/progress.ts';
import { warningColumns, warningPrinter } from '../../report/warning.ts';
import { formatRecap } from '../../report/recap.ts';
import { customStats, formatCustomStats } from '../../report/custom-stats.ts';
import type { ResolvedConfig, Source } from '../config.ts';
import { badInput, EXIT } from '../output.ts';
import { printWarnings, settingsOf } from '../settings.ts';
import type { Invocation, Values } from '../spec.ts';
import { vaultOf } from '../vault.ts';
import { askNoEcho } from '../../vault/prompt.ts';
import type { InputProblem } from '../../util/errors.ts';
import { splitTags } from '../../engine/tags.ts';
import { walkTasks } from '../../playbook/load.ts';
import { collectionPlaybook, configureCollections } from '../../playbook/collections.ts';
import { listHosts, listTasks } from '../../report/list.ts';
import { REGISTRY } from '../../../tasks/index.ts';
import { configureActionGroups } from '../../../tasks/ansible/core-modules.ts';
import { pythonCallbacks } from '../../report/python-callbacks.ts';

const originOf = (s: Source): Origin =>
  s.kind === 'file' ? { file: s.file, line: s.line, col: s.col } : { file: s.kind === 'flag' ? s.flag : s.kind === 'env' ? s.name : 'default', line: 0, col: 0 };

/** The config's connection settings: a layer under each host's own vars (prepare() puts them there). */
export function connDefaultsOf(config: ResolvedConfig): NonNullable<RunOptions['connDefaults']> {
  const out: NonNullable<RunOptions['connDefaults']> = {};
  const c = config.values;
  if (c.remote_user !== undefined) out.user = { value: c.remote_user, origin: originOf(config.sources.remote_user) };
  if (c.private_key_file !== undefined) out.private_key_file = { value: c.private_key_file, origin: originOf(config.sources.private_key_file) };
  if (c.timeout !== undefined) out.connect_timeout = { value: c.timeout, origin: originOf(config.sources.timeout) };
  // -c smart is Ansible's default, which picks ssh
  if (c.transport !== undefined) out.connection = { value: c.transport === 'smart' ? 'ssh' : c.transport, origin: originOf(config.sources.transport) };
  return out;
}

export async function runCommand(inv: Invocation): Promise<number> {
  const { command, values: o, args: [target, ...morePlaybooks] } = inv;
  // a plan: what the run read is recorded from the first file read (ansible.cfg is added by name)
  const planning = typeof o.plan === 'string' ? startPlan(inv) : undefined;
  if (planning && 'problems' in planning) return badInput(planning.problems);
  try {
    const setup = await runSetup(inv);
    if ('code' in setup) return setup.code;
    const { opts, config } = setup;
    const { prepared, problems, warnings } = prepare(opts, REGISTRY);
    printWarnings(warnings ?? []);
    if (!prepared) return badInput(problems);
    const hostCount = new Set(prepared.plays.flatMap((p) => p.hosts)).size;
    // ansible-playbook --syntax-check: what validate checks (more than Ansible's: no host is needed for any of it), in Ansible's words
    if (o['syntax-check']) {
      process.stdout.write(`\nplaybook: ${[target, ...morePlaybooks].join(' ')}\n`);
      return EXIT.ok;
    }
    if (command === 'validate') {
      const tasks = prepared.plays.reduce((n, p) => n + [...walkTasks(p.play.tasks)].length, 0);
      process.stdout.write(`${target}: ${prepared.plays.length} play(s), ${tasks} task(s), ${hostCount} host(s): valid\n`);
      return EXIT.ok;
    }
    if (o['list-hosts'] || o['list-tasks'] || o['list-tags']) {
      if (o['list-hosts']) process.stdout.write(listHosts(prepared) + '\n');
      if (o['list-tasks'] || o['list-tags']) process.stdout.write(listTasks(prepared, opts, { tasks: !!o['list-tasks'], tags: !!o['list-tags'] }) + '\n');
      return EXIT.ok;
    }
    if (planning) {
      const refused = planRefusals(prepared);
      if (refused.length) return badInput(refused);
    }
    if (hostCount === 0) {
      process.stderr.write(`skiff: no hosts matched${opts.limit ? ` (--limit ${opts.limit})` : ''}; nothing to do\n`);
      return EXIT.ok;
    }
    const { code, summary } = await runAndReport(prepared, opts, o, config, target);
    if (!summary) return code;
    if (planning && !summary.interrupted) {
      const written = planning.finish(prepared, opts, config, summary);
      if (written.error) {
        process.stderr.write(`skiff: the plan was not written: ${o.plan}: ${written.error}\n`);
        return Math.max(code, EXIT.failed);
      }
      // with --events -, stdout is the event stream
      (o.events === '-' ? process.stderr : process.stdout).write(`\nplan written to ${o.plan}: review it with skiff show ${o.plan}, apply it with skiff apply ${o.plan}\n`);
    }
    return code;
  } finally {
    if (planning && 'stop' in planning) planning.stop();
  }
}

/**
 * --plan FILE (with --check alone): refused at once when the command line holds a secret; else the
 * recording of what the run reads, and the plan written once the run is over.
 */
function startPlan({ values: o, args }: Invocation): { problems: InputProblem[] } | { stop(): void; finish(prepared: Prepared, opts: RunOptions, config: ResolvedConfig, summary: RunSummary): { error?: string } } {
  if (!o.check) return { problems: [{ file: '--plan', line: 0, col: 0, message: 'a plan is what a check run would change: expected --check with --plan' }] };
  const secret = secretExtraVars((o['extra-vars'] as string[] | undefined) ?? []);
  if (secret.length) return { problems: secret };
  const reads = recordReads();
  return {
    stop: reads.stop,
    finish: (prepared, opts, config, summary) =>
      writePlan(o.plan as string, buildPlan({ prepared, opts, summary, flags: recordedFlags(o), playbooks: args, read: reads.files, configFile: config.file, planFile: o.plan as string, version: VERSION })),
  };
}

/** Settings, vault, passwords and fact cache: the options of a run, or the exit code of what is wrong. */
export async function runSetup({ command, values: o, args: [target, ...morePlaybooks] }: Invocation): Promise<{ opts: RunOptions; config: ResolvedConfig } | { code: number }> {
  const { config, problems: cp } = settingsOf({ command, values: o, args: [target], written: {} });
  if (!config) return { code: badInput(cp) };
  printWarnings(config.warnings);
  const c = config.values;
  const { secrets: vault, problems: vp } = await vaultOf(o, config);
  if (!vault) return { code: badInput(vp) };
  const asked = await askPasswords(o);
  if ('problems' in asked) return { code: badInput(asked.problems) };
  const factCache = factCacheOf(config);
  if (factCache && 'problems' in factCache) return { code: badInput(factCache.problems) };
  // one set of collection roots for the run (modules, roles, playbooks, the Python processes)
  const collections = c.collections_path ?? c.collections_paths;
  configureCollections({ paths: collections === undefined ? undefined : collections.split(':').filter(Boolean), scanSysPath: c.collections_scan_sys_path });
  configureActionGroups({ validateMetadata: c.validate_action_group_metadata });
  // a collection's playbook by full name (ns.coll.playbook), as ansible-playbook takes it; a path that is there wins
  const playbooks = [target, ...morePlaybooks].map((p) => (existsSync(p) ? p : (collectionPlaybook(p)?.file ?? p)));
  const opts: RunOptions = {
    playbook: playbooks[0],
    morePlaybooks: playbooks.slice(1),
    factCache,
    flushCache: !!o['flush-cache'],
    // Ansible's default inventory; where it is not, the implicit localhost alone (with a warning)
    inventory: c.inventory ?? ['/etc/ansible/hosts'],
    limit: o.limit as string | undefined,
    extraVars: (o['extra-vars'] as string[] | undefined) ?? [],
    check: !!o.check || command === 'validate' || !!o['syntax-check'],
    diff: !!o.diff,
    forks: c.forks,
    strategy: c.strategy,
    gathering: c.gathering,
    acceptNewHostKeys: !!o['accept-new-host-keys'],
    connDefaults: connDefaultsOf(config),
    // made absolute and joined with ':' by the config (Ansible's list of paths)
    rolesPath: c.roles_path === undefined ? undefined : c.roles_path.split(':').filter(Boolean),
    libraryPath: c.library === undefined ? undefined : c.library.split(':').filter(Boolean),
    tags: splitTags(o.tags as string[] | undefined),
    skipTags: splitTags(o['skip-tags'] as string[] | undefined),
    startAtTask: o['start-at-task'] as string | undefined,
    forceHandlers: o['force-handlers'] ? true : c.force_handlers,
    errorOnMissingHandler: c.error_on_missing_handler,
    noLog: c.no_log,
    strict: !!o.strict,
    verbosity: (o.verbose as boolean[] | undefined)?.length ?? 0,
    configFile: config.file,
    vault,
    // the flags over ansible.cfg's [privilege_escalation] (or ANSIBLE_BECOME*)
    become: o.become === true || c.become === true ? true : undefined,
    becomeUser: (o['become-user'] as string | undefined) ?? c.become_user,
    becomeMethod: (o['become-method'] as string | undefined) ?? c.become_method,
    ...asked,
    promptIO: command === 'run' && !o['syntax-check'] && !o['list-hosts'] && !o['list-tasks'] && !o['list-tags'] ? terminalIO() : undefined,
  };
  return { opts, config };
}

/**
 * Runs a prepared playbook as `skiff run` shows it: progress, recap, profile, events, report, retry
 * file, exit code. `refused`: hosts skiff apply did not touch (drifted since the plan), each with why:
 * said after the recap, in the retry file, and a failed host's exit code.
 */
export async function runAndReport(prepared: Prepared, opts: RunOptions, o: Values, config: ResolvedConfig, target: string, refused: { host: string; why: string; unreachable?: boolean }[] = []): Promise<{ code: number; summary?: RunSummary }> {
  const c = config.values;
  let events: EventLog | undefined;
  if (typeof o.events === 'string') {
    const r = openEventLog(o.events);
    if (!r.log) return { code: badInput([{ file: '--events', line: 0, col: 0, message: `${o.events}: ${r.error}` }]) };
    events = r.log;
  }
  // with --events -, stdout is the event stream: everything for people goes to stderr
  const human = o.events === '-' ? process.stderr : process.stdout;
  // listr2 draws on stdout whatever we write to (and falls back to plain lines there when stdout is
  // not a terminal): with --events - that would put the tree into the event stream, so the tree only
  // when people have stdout; otherwise plain lines on stderr
  const tty = human === process.stdout && !!human.isTTY && process.env.CI !== 'true';
  const color = useColor(process.env, tty);
  const out = (s: string) => human.write(s + '\n');
  const verbosity = (o.verbose as boolean[] | undefined)?.length ?? 0;
  // Ansible's warnings: on stderr, wrapped as its Display wraps them (whatever --events says of stdout)
  const warn = warningPrinter({ columns: warningColumns(process.stdout), color: useColor(process.env, !!process.stdout.isTTY), write: (s) => process.stderr.write(s + '\n') });
  // Ansible's Python callback plugins, called after skiff's own output of each event (Ansible calls the
  // stdout callback first); a task starts for them under its banner, where the banners are printed
  const enabled = (c.callbacks_enabled ?? c.callback_whitelist ?? '').split(',').map((n) => n.trim()).filter(Boolean);
  const callbacks = pythonCallbacks({ enabled, playbooks: [opts.playbook, ...(opts.morePlaybooks ?? [])], pluginPath: c.callback_plugins, verbosity, bannerDriven: !tty, out, err: (s) => process.stderr.write(s + '\n') });
  const popts = { tty, diff: opts.diff, verbose: verbosity > 0, verbosity, color, out, warn, onBanner: callbacks?.taskStart };
  const progress = tty ? await ttyProgress(popts) : plainProgress(popts);
  const profile = o.profile ? profiler() : undefined;
  // ansible-playbook -vv's header: scripts count the plays by it (Ansible's blocks target does)
  if (((o.verbose as boolean[] | undefined)?.length ?? 0) >= 2) out(`PLAYBOOK: ${target}\n${prepared.playbook.plays.length} plays in ${target}`);
  const started = new Date();
  const runner = startRun(prepared, opts, (e) => {
    events?.listen(e);
    profile?.listen(e);
    progress.listen(e);
    callbacks?.listen(e);
  });
  let sigints = 0;
  const onSigint = () => {
    sigints++;
    if (sigints > 1) process.exit(EXIT.interrupted);
    process.stderr.write('\nskiff: interrupted: ending in-flight commands, writing recap and retry file (Ctrl-C again to quit now)\n');
    runner.interrupt();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const ran = await runner.done;
  await progress.finish();
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigint);
  events?.end({ recap: ran.recap, interrupted: ran.interrupted });
  // Ansible's last word on an error that ended the run, where Ansible prints it
  if (ran.fatal) process.stderr.write(`ERROR! ${ran.fatal}\n`);
  out(formatRecap(ran.recap, color, tty));
  const custom = c.show_custom_stats ? formatCustomStats(customStats(ran.results)) : undefined;
  if (custom) out(custom);
  if (profile) out(profile.format());
  callbacks?.stats(ran.recap);
  callbacks?.close();
  if (refused.length) out(`\nnot applied (drifted since the plan, not touched):\n${refused.map((r) => `  ${r.why}`).join('\n')}`);
  // refused hosts have their work left, as interrupted ones: the retry file names them
  const summary = refused.length ? { ...ran, unfinished: [...ran.unfinished, ...refused.map((r) => r.host).filter((h) => !ran.unfinished.includes(h))] } : ran;
  const retry = c.retry_files_enabled === false ? { hosts: [], path: '' } : writeRetry(target, summary, c.retry_files_save_path);
  if (retry.hosts.length) out(`\nto retry the ${retry.hosts.length} host(s) that did not finish: --limit @${retry.path}`);
  if (typeof o.report === 'string') {
    // results are already redacted per host by the engine
    writeReport(o.report, { playbook: target, inventory: opts.inventory, check: opts.check, started: started.toISOString(), finished: new Date().toISOString() }, summary);
  }
  return { code: exitCodeOf(summary, opts, o, refused), summary };
}

function exitCodeOf(summary: RunSummary, opts: RunOptions, o: Values, refused: { unreachable?: boolean }[]): number {
  const recaps = Object.values(summary.recap);
  if (summary.interrupted) return EXIT.interrupted;
  // an included file Ansible could not parse: ansible-playbook's exit code for an AnsibleParserError
  if (summary.parseError) return EXIT.parseError;
  if (recaps.some((r) => r.unreachable > 0) || refused.some((r) => r.unreachable)) return EXIT.unreachable;
  // as Ansible's: a host whose failure meta clear_host_errors cleared is not failed (its recap still counts it)
  // (skiff apply: a host that drifted since the plan and was not touched counts as a failed one)
  if (summary.failed.length || refused.length) return EXIT.failed;
  if (opts.check && o['detailed-exitcode'] && recaps.some((r) => r.changed > 0)) return EXIT.pending;
  return EXIT.ok;
}

/** fact_caching = jsonfile: its directory, prefix and timeout; memory (the default): none. */
function factCacheOf(config: ResolvedConfig): RunOptions['factCache'] | { problems: InputProblem[] } {
  const c = config.values;
  if (c.fact_caching !== 'jsonfile') return undefined;
  if (c.fact_caching_connection === undefined) {
    const s = config.sources.fact_caching;
    const at = s.kind === 'file' ? { file: s.file, line: s.line, col: s.col } : { file: s.kind === 'env' ? s.name : 'fact_caching', line: 0, col: 0 };
    return { problems: [{ ...at, message: "the 'jsonfile' cache plugin requires fact_caching_connection (ANSIBLE_CACHE_PLUGIN_CONNECTION): expected the directory of its files" }] };
  }
  return { dir: c.fact_caching_connection, prefix: c.fact_caching_prefix ?? 'ansible_facts', timeoutS: c.fact_caching_timeout ?? 86400 };
}

/** -K, -k, --ask-key-passphrase: asked once, on the terminal, no echo (Ansible's prompts). */
async function askPasswords(o: Invocation['values']): Promise<Pick<RunOptions, 'becomePassword' | 'sshPassword' | 'keyPassphrase'> | { problems: InputProblem[] }> {
  const out: Pick<RunOptions, 'becomePassword' | 'sshPassword' | 'keyPassphrase'> = {};
  const asks = [
    ['ask-pass', 'SSH password: ', 'sshPassword'],
    ['ask-become-pass', 'BECOME password: ', 'becomePassword'],
    ['ask-key-passphrase', 'private key passphrase: ', 'keyPassphrase'],
  ] as const;
  for (const [flag, question, key] of asks) {
    if (!o[flag]) continue;
    const r = await askNoEcho(question);
    if (typeof r !== 'string') return { problems: [{ file: `--${flag}`, line: 0, col: 0, message: r.error }] };
    out[key] = r;
  }
  return out;
}
