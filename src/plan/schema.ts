// The plan file `skiff run --check --plan FILE` writes and `skiff apply` / `skiff show` read: what a
// reviewer saw, per host, and what it was made from. Read back through this schema, so a file edited
// by hand or written by another format is refused with what was expected, never half-used.
import * as v from 'valibot';

export const PLAN_FORMAT = 'skiff-plan/1';

/** One task's result on one host as the check run planned it (already masked as the run's output). */
export const StepSchema = v.object({
  play: v.string(),
  /** the task's name as written, and as the TASK banner showed it (templated) */
  task: v.string(),
  title: v.optional(v.string()),
  /** where the task is written: file:line:col */
  at: v.optional(v.string()),
  type: v.string(),
  status: v.picklist(['ok', 'changed', 'failed', 'skipped', 'unreachable']),
  changes: v.array(v.string()),
  diff: v.optional(v.string()),
  labels: v.optional(v.array(v.unknown())),
  handler: v.optional(v.boolean()),
  delegatedTo: v.optional(v.string()),
  ignored: v.optional(v.boolean()),
  rescued: v.optional(v.boolean()),
  msg: v.optional(v.string()),
});
export type Step = v.InferOutput<typeof StepSchema>;

/** A file the run read (or a directory whose listing counts): sha256 of its bytes, null when it was absent. */
export const InputSchema = v.object({
  path: v.string(),
  sha256: v.nullable(v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'a sha256 in hex'))),
  /** a directory: the hash is of its listing (names of its files, recursively), so an added file counts */
  dir: v.optional(v.literal(true)),
});
export type Input = v.InferOutput<typeof InputSchema>;

const FlagValue = v.union([v.string(), v.boolean(), v.array(v.string()), v.array(v.boolean())]);

export const PlanSchema = v.object({
  format: v.literal(PLAN_FORMAT),
  skiff: v.string(),
  /** when the check run ended (ISO 8601): apply refuses a plan older than --max-age */
  created: v.pipe(v.string(), v.isoTimestamp('an ISO 8601 timestamp')),
  /** where skiff ran: relative paths and ansible.cfg are read from there */
  cwd: v.string(),
  /** the run's command line: its playbooks and the flags that decide what runs (no password, no vault flag) */
  playbooks: v.pipe(v.array(v.string()), v.minLength(1, 'at least one playbook')),
  flags: v.record(v.string(), FlagValue),
  inputs: v.array(InputSchema),
  /** the planned hosts, in the run's order, each with its steps */
  hosts: v.record(v.string(), v.array(StepSchema)),
});
export type PlanFile = v.InferOutput<typeof PlanSchema>;
