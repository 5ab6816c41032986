// What `skiff run --check --plan FILE` records besides the run's results: the flags that decide what
// runs (so that apply runs the same), and what the run read (inputs.ts). What cannot be recorded
// without holding a secret is refused before the run: a secret given on the command line (-e), and
// answers to vars_prompt.
import type { Prepared, RunOptions } from '../engine/prepare.ts';
import { parseExtraVars } from '../engine/prepare.ts';
import type { RunSummary } from '../engine/run.ts';
import { walkTasks } from '../playbook/load.ts';
import type { InputProblem } from '../util/errors.ts';
import { isSecretName } from '../util/secrets.ts';
import { watchTextReads } from '../util/yaml-source.ts';
import { stepsByHost } from './compare.ts';
import { besides, hashInputs, inventoryPaths, roleDirOf } from './inputs.ts';
import { PLAN_FORMAT, type PlanFile } from './schema.ts';

/** The flags of skiff run a plan keeps and apply runs with: what runs, where, as whom. Not passwords, vault or output flags. */
export const RECORDED_FLAGS = ['inventory', 'limit', 'extra-vars', 'forks', 'user', 'connection', 'private-key', 'timeout', 'tags', 'skip-tags', 'start-at-task', 'flush-cache', 'force-handlers', 'strict', 'become', 'become-user', 'become-method', 'diff'] as const;

type FlagValue = PlanFile['flags'][string];

export function recordedFlags(values: Record<string, unknown>): Record<string, FlagValue> {
  const out: Record<string, FlagValue> = {};
  for (const k of RECORDED_FLAGS) if (values[k] !== undefined && values[k] !== false) out[k] = values[k] as FlagValue;
  return out;
}

/** -e values that name a secret: a plan would hold them as written. Every problem, with where to put them instead. */
export function secretExtraVars(extra: readonly string[]): InputProblem[] {
  const inline = extra.filter((e) => !e.startsWith('@'));
  const vars = parseExtraVars(inline, []);
  return Object.keys(vars)
    .filter((k) => isSecretName(k, vars.secret_vars))
    .map((k) => ({ file: '-e', line: 0, col: 0, message: `${k}: a secret given on the command line would be written into the plan: expected it in a vault-encrypted vars file (-e @FILE, vars_files or group_vars)` }));
}

/** Refused in a plan: what the run would ask on the terminal (apply would ask again, maybe another answer). */
export function planRefusals(prepared: Prepared): InputProblem[] {
  return prepared.plays
    .filter((pp) => pp.play.varsPrompt.length && pp.hosts.length)
    .map((pp) => ({ file: pp.play.playbookFile ?? prepared.playbook.file, line: 0, col: 0, message: `play ${JSON.stringify(pp.play.name)}: vars_prompt cannot be planned (the answers are asked again at apply, and may be secret): expected the values with -e or in a vault-encrypted vars file` }));
}

/** Records every file read as text from now on, until stop(). */
export function recordReads(): { files: Set<string>; stop(): void } {
  const files = new Set<string>();
  const stop = watchTextReads((f) => files.add(f));
  return { files, stop };
}

export interface PlanSource {
  prepared: Prepared;
  opts: RunOptions;
  summary: RunSummary;
  flags: Record<string, FlagValue>;
  playbooks: string[];
  /** files the run read (recordReads) */
  read: Iterable<string>;
  configFile?: string;
  planFile: string;
  now?: Date;
  version: string;
}

/** The plan of a check run: its steps per host and the hashes of everything it was made from. */
export function buildPlan(s: PlanSource): PlanFile {
  const { prepared, opts } = s;
  const read = [...s.read];
  const roleDirs = new Set<string>();
  for (const pp of prepared.plays) {
    for (const t of walkTasks([...pp.play.tasks, ...(pp.play.handlers ?? [])])) if (t.roleDir) roleDirs.add(t.roleDir);
  }
  for (const f of read) {
    const d = roleDirOf(f);
    if (d) roleDirs.add(d);
  }
  const inv = inventoryPaths(typeof opts.inventory === 'string' ? [opts.inventory] : opts.inventory);
  const limitFile = opts.limit?.startsWith('@') ? [opts.limit.slice(1)] : [];
  const playbookFiles = [opts.playbook, ...(opts.morePlaybooks ?? [])];
  const inputs = hashInputs({
    files: [...read, ...playbookFiles, ...inv.files, ...limitFile, ...(s.configFile ? [s.configFile] : [])],
    trees: [...roleDirs, ...inv.trees],
    maybe: [...new Set([...playbookFiles, ...inv.files].flatMap((p) => besides(p)))],
    exclude: [s.planFile],
  });
  const hosts = [...new Set(prepared.plays.flatMap((p) => p.hosts))];
  return {
    format: PLAN_FORMAT,
    skiff: s.version,
    created: (s.now ?? new Date()).toISOString(),
    cwd: process.cwd(),
    playbooks: s.playbooks,
    flags: s.flags,
    inputs,
    hosts: stepsByHost(s.summary.results, hosts),
  };
}

