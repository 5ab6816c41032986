// skiff apply PLAN: what was reviewed, on the hosts where it still holds.
//   1. no host contacted: the plan's format, skiff's version, the directory, its age (--max-age), and
//      the hashes of every file it was made from; any of them wrong refuses the whole apply;
//   2. the check run of the plan made again (read only): a host whose steps now differ from the
//      planned ones has drifted and is not touched (named with the first task that differs). Leaving
//      a host out may change what the others would do (run_once, a value read from another host):
//      so again, with those hosts left out, until no further host differs;
//   3. the playbook runs for real on the hosts left, with the plan's flags: handlers, loops,
//      registered values, run_once and delegate_to mean what they mean in any run.
// Between 2 and 3 a host could still change: the window is that of one check run, not a review's.
import { resolve } from 'node:path';
import { prepare, resolveLimit } from '../../engine/prepare.ts';
import { startRun } from '../../engine/run.ts';
import { driftOf, failedInPlan, formatDrift, parseDuration, stepsByHost, tooOld } from '../../plan/compare.ts';
import { changedInputs, rehash } from '../../plan/inputs.ts';
import { readPlan } from '../../plan/read.ts';
import type { PlanFile } from '../../plan/schema.ts';
import type { InputProblem } from '../../util/errors.ts';
import { REGISTRY } from '../../../tasks/index.ts';
import { writeRetry } from '../../report/files.ts';
import { badInput, EXIT } from '../output.ts';
import { printWarnings } from '../settings.ts';
import type { Invocation, Values } from '../spec.ts';
import { VERSION } from '../version.ts';
import { runAndReport, runSetup } from './run.ts';

/** apply's own flags: how to reach the hosts and what to show; what runs is the plan's. */
const OWN_FLAGS = ['report', 'accept-new-host-keys', 'profile', 'events', 'verbose', 'ask-become-pass', 'ask-pass', 'ask-key-passphrase', 'vault-id', 'vault-password-file', 'vault-pass-file', 'ask-vault-pass', 'ask-vault-password'];

export const DEFAULT_MAX_AGE = '24h';

/** Step 1: everything that refuses the whole plan, with no host contacted. */
export function planProblems(file: string, plan: PlanFile, maxAge: string, now = new Date()): InputProblem[] {
  const at = (message: string): InputProblem => ({ file, line: 0, col: 0, message });
  if (plan.skiff !== VERSION) return [at(`made by skiff ${plan.skiff}, this is skiff ${VERSION}: expected a plan made by this skiff (plan again)`)];
  if (resolve(plan.cwd) !== process.cwd()) return [at(`made in ${plan.cwd}: expected skiff apply run there (relative paths and ansible.cfg are read from the current directory)`)];
  const ms = parseDuration(maxAge);
  if (ms === undefined) return [{ file: '--max-age', line: 0, col: 0, message: `${JSON.stringify(maxAge)}: expected a duration such as 30m, 24h or 2d` }];
  const old = tooOld(plan.created, now, ms);
  if (old) return [at(`refused: ${old}`)];
  const changed = changedInputs(plan.inputs, rehash(plan.inputs, [file]));
  return changed.map((c) => at(`refused: ${c}: the plan no longer says what this playbook would do (plan again and review it)`));
}

export async function applyCommand({ values: own, args: [file] }: Invocation): Promise<number> {
  const read = readPlan(file);
  if ('problems' in read) return badInput(read.problems);
  const { plan } = read;
  const refusedWhole = planProblems(file, plan, (own['max-age'] as string | undefined) ?? DEFAULT_MAX_AGE);
  if (refusedWhole.length) return badInput(refusedWhole);

  // the run's command line as planned, with this command's passwords, vault and output flags
  const values: Values = { ...plan.flags, check: true };
  for (const k of OWN_FLAGS) if (own[k] !== undefined) values[k] = own[k];
  const setup = await runSetup({ command: 'run', values, args: plan.playbooks, written: {} });
  if ('code' in setup) return setup.code;
  const { opts, config } = setup;
  // a plan holds no vars_prompt (record.ts refuses them): nothing to ask
  opts.promptIO = undefined;
  const first = prepare(opts, REGISTRY);
  printWarnings(first.warnings ?? []);
  if (!first.prepared) return badInput(first.problems);

  const planned = Object.keys(plan.hosts);
  let hosts = planned;
  if (typeof own.limit === 'string') {
    const problems: InputProblem[] = [];
    const chosen = resolveLimit(first.prepared.inventory, own.limit, problems);
    if (!chosen) return badInput(problems);
    if (problems.length) return badInput(problems);
    hosts = planned.filter((h) => chosen.has(h));
    if (!hosts.length) {
      process.stderr.write(`skiff: no host of the plan matched --limit ${own.limit} (the plan has ${planned.join(', ')}); nothing to do\n`);
      return EXIT.ok;
    }
  }
  const out = (s: string) => (own.events === '-' ? process.stderr : process.stdout).write(s + '\n');
  const refused = new Map<string, string>();
  const unreachable = new Set<string>();
  for (const h of hosts) {
    const d = failedInPlan(h, plan.hosts[h]);
    if (d) refused.set(h, formatDrift(d));
  }

  // step 2: the check again, until the hosts left out change nothing more
  let prepared = first.prepared;
  let limit = opts.limit;
  for (let round = 0; ; round++) {
    const left = hosts.filter((h) => !refused.has(h));
    if (!left.length) break;
    if (round > 0 || left.length !== planned.length) {
      limit = left.join(',');
      const again = prepare({ ...opts, limit }, REGISTRY);
      if (!again.prepared) return badInput(again.problems);
      prepared = again.prepared;
    }
    out(`checking ${left.length} host(s) against the plan (read only): ${left.join(', ')}`);
    const checked = await startRun(prepared, { ...opts, limit, check: true }, () => {}).done;
    if (checked.interrupted) return EXIT.interrupted;
    const now = stepsByHost(checked.results, left);
    let more = false;
    for (const h of left) {
      const d = driftOf(h, plan.hosts[h], now[h] ?? []);
      if (!d) continue;
      refused.set(h, formatDrift(d));
      // a host that cannot be reached is not one that drifted: exit code as an unreachable host
      if (checked.recap[h]?.unreachable) unreachable.add(h);
      more = true;
    }
    if (!more) break;
  }
  for (const why of refused.values()) out(`REFUSED ${why}`);
  const ready = hosts.filter((h) => !refused.has(h));
  const refusals = [...refused].map(([host, why]) => ({ host, why, unreachable: unreachable.has(host) }));
  if (!ready.length) {
    out('\nno host matches the plan: nothing was applied');
    const c = config.values;
    if (c.retry_files_enabled !== false) {
      const retry = writeRetry(plan.playbooks[0], { results: [], recap: {}, interrupted: false, unfinished: [...refused.keys()], failed: [] }, c.retry_files_save_path);
      out(`\nto retry the ${retry.hosts.length} host(s) that did not finish: --limit @${retry.path}`);
    }
    return unreachable.size ? EXIT.unreachable : EXIT.failed;
  }

  // step 3: the real run, on the hosts that still match
  const realOpts = { ...opts, check: false, limit: ready.length === planned.length ? opts.limit : ready.join(',') };
  const real = prepare(realOpts, REGISTRY);
  if (!real.prepared) return badInput(real.problems);
  out(`applying the plan on ${ready.length} host(s): ${ready.join(', ')}`);
  const { code } = await runAndReport(real.prepared, realOpts, values, config, plan.playbooks[0], refusals);
  return code;
}
