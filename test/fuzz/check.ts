// Runs one case through the front door in-process (prepare(): inventory, playbook, -e, --limit, every
// task's params rendered for every host: all that `skiff run --check` does before contacting a host)
// and states what a user would see: nothing wrong, or problems, each at a file:line:col.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { prepare } from '../../src/engine/prepare.ts';
import { REGISTRY } from '../../tasks/index.ts';
import { formatProblem, type InputProblem } from '../../src/util/errors.ts';
import { UNREADABLE } from '../../src/util/yaml-source.ts';
import { BAD_BYTES, BAD_BYTES_MARK, type Expect } from './mutate.ts';
import type { Files, Written } from './world.ts';

export interface Outcome {
  problems: InputProblem[];
  /** what prepare() threw: the CLI would print "internal error" and exit 1 */
  crash?: string;
  ms: number;
}

/**
 * One case must not take longer than this (the whole front door, in-process): a guard against
 * blow-ups, not a measure of speed. Far above what any case takes on an idle machine (under a
 * second), far below what the blow-ups found took (tens of seconds to hours), with room for a shared,
 * busy CI machine (3 s failed there once).
 */
export const CASE_MS = Number(process.env.FUZZ_CASE_MS ?? 15000);

let root: string | undefined;
let n = 0;

/** Writes the files; the marker of bytes that are not UTF-8 becomes such bytes. */
export function writeFiles(dir: string, files: Files) {
  for (const [rel, content] of Object.entries(files)) {
    const f = join(dir, rel);
    mkdirSync(dirname(f), { recursive: true });
    if (typeof content === 'string' && content.includes(BAD_BYTES_MARK)) {
      const parts = content.split(BAD_BYTES_MARK);
      const bytes = parts.flatMap((p, i) => (i ? [Buffer.from(BAD_BYTES[(p.length + i) % BAD_BYTES.length]), Buffer.from(p)] : [Buffer.from(p)]));
      writeFileSync(f, Buffer.concat(bytes));
    } else writeFileSync(f, content);
  }
}

/** `@file` arguments name files of the case. */
const inCase = (dir: string, arg: string) => (arg.startsWith('@') ? '@' + join(dir, arg.slice(1)) : arg);

export function run(w: Written): Outcome {
  root ??= mkdtempSync(join(tmpdir(), 'skiff-fuzz-'));
  const dir = join(root, String(n++));
  mkdirSync(dir);
  try {
    writeFiles(dir, w.files);
    const started = performance.now();
    try {
      const { problems } = prepare({
        playbook: join(dir, w.playbook),
        inventory: join(dir, w.inventory),
        extraVars: w.extraVars.map((e) => inCase(dir, e)),
        limit: w.limit === undefined ? undefined : inCase(dir, w.limit),
        check: true,
        diff: false,
        acceptNewHostKeys: false,
        // skiff validate --strict: an undefined name is refused before the run (without it, Ansible's
        // way, it fails its task when it runs, which a front-door check cannot see)
        strict: true,
      }, REGISTRY);
      return { problems, ms: performance.now() - started };
    } catch (e) {
      return { problems: [], crash: (e as Error)?.stack ?? String(e), ms: performance.now() - started };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function cleanup() {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
}

/** Problems that cannot have a line: about the command line, or a file that cannot be read at all. */
const ARGV = ['-e', '--limit', 'argv', '--forks', '--host'];
function needsLine(p: InputProblem): boolean {
  return !ARGV.includes(p.file) && !/^(cannot read|inventory not found|no inventory file)/.test(p.message);
}

const shown = (ps: InputProblem[]) => ps.map((p) => '  ' + formatProblem(p)).join('\n');

/** The invariants of every case, valid or not: no crash, in time, every problem with a position. */
export function assertSane(o: Outcome, label: string): void {
  if (o.crash) throw new Error(`${label}: crashed (the CLI would say "internal error", exit 1):\n${o.crash}`);
  if (o.ms > CASE_MS) throw new Error(`${label}: took ${Math.round(o.ms)} ms (bound ${CASE_MS} ms)`);
  const unplaced = o.problems.filter((p) => needsLine(p) && !(p.line >= 1 && p.col >= 1 && /:\d+:\d+: /.test(formatProblem(p))));
  if (unplaced.length) throw new Error(`${label}: problems without a line:col:\n${shown(unplaced)}`);
  // the loader's last resort: input it did not foresee, so a check to add there
  const unforeseen = o.problems.filter((p) => p.message.startsWith(UNREADABLE));
  if (unforeseen.length) throw new Error(`${label}: YAML the loader did not foresee:\n${shown(unforeseen)}`);
  const blank = o.problems.filter((p) => !p.file || !p.message.trim());
  if (blank.length) throw new Error(`${label}: problems without a file or a message:\n${shown(blank)}`);
}

export function assertValid(o: Outcome, label: string): void {
  assertSane(o, label);
  if (o.problems.length) throw new Error(`${label}: a valid input was refused:\n${shown(o.problems)}`);
}

const sameFile = (p: InputProblem, file: string) => p.file === file || p.file.endsWith('/' + file);

/** Refused, with a problem in the expected file (at the expected line, when known). */
export function assertRefused(o: Outcome, expect: Expect, label: string): void {
  assertSane(o, label);
  if (!o.problems.length) throw new Error(`${label}: accepted, expected a refusal in ${expect.file}${expect.line ? `:${expect.line}` : ''}`);
  const inFile = o.problems.filter((p) => sameFile(p, expect.file));
  const at = inFile.filter((p) => expect.line === undefined || p.line === expect.line);
  const said = at.filter((p) => !expect.message || expect.message.test(p.message));
  if (!said.length) {
    const want = `${expect.file}${expect.line ? `:${expect.line}` : ''}${expect.message ? ` matching ${expect.message}` : ''}`;
    throw new Error(`${label}: refused, but not at ${want}:\n${shown(o.problems)}`);
  }
}
