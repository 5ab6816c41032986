// Property-based fuzzing of skiff's front door: playbooks, task params, inventories (YAML and INI),
// group_vars/host_vars, -e, --limit and templates. Valid documents must validate; each mutation must
// be refused at its file:line:col; random, hostile and huge input must be refused or read, never
// crash (exit 1, "internal error") and never take long. Fixed seed; FUZZ_RUNS cases in all (a few
// thousand here, many more with `npm run fuzz`), each property in a worker thread that is ended if a
// case stalls or runs out of memory. Then a few real CLI runs: exit 5 before any host is contacted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { globMatch } from '../../src/inventory/pattern.ts';
import { countingListener, pool, skiff } from '../helpers.ts';
import { attack } from './attacks.ts';
import { writeFiles } from './check.ts';
import { KINDS, mutantArb, type Expect } from './mutate.ts';
import { describeCase, PROPERTIES, SEED, TOTAL_RUNS, type PropertyReport } from './properties.ts';
import { PLAYBOOK, worldArb, write, type World, type Written } from './world.ts';

/** A case that reports nothing for this long is taken as hung (each is meant to take milliseconds). */
const STALL_MS = Number(process.env.FUZZ_STALL_MS ?? 60_000);
/** Heap a property's worker may use: an alias bomb that expanded would go past it. */
const HEAP_MB = 1024;

type Outcome = { report: PropertyReport } | { error: string };

/**
 * Runs the properties in `slots` workers, each taking the next property when done with one. A worker
 * that stalls or dies fails its property, showing the case it was on, and a new one goes on.
 */
function runAll(names: string[], slots: number): Map<string, Promise<Outcome>> {
  const settle = new Map<string, (o: Outcome) => void>();
  const outcomes = new Map(names.map((n) => [n, new Promise<Outcome>((r) => settle.set(n, r))]));
  const queue = [...names];
  const startWorker = () => {
    if (!queue.length) return;
    const worker = new Worker(new URL('./worker.mjs', import.meta.url), { workerData: { fuzz: true }, resourceLimits: { maxOldGenerationSizeMb: HEAP_MB } });
    let current: string | undefined;
    let caseNo = -1;
    let heard = Date.now();
    const lastCase = (p: string) => (caseNo < 0 ? 'before its first case' : `on case ${caseNo}:\n${describeCase(p, caseNo)}`);
    const next = () => {
      current = queue.shift();
      caseNo = -1;
      heard = Date.now();
      if (current) worker.postMessage(current);
      else stop();
    };
    const stop = () => {
      clearInterval(watchdog);
      void worker.terminate();
    };
    const fail = (why: string) => {
      const p = current;
      current = undefined;
      stop();
      if (p) settle.get(p)!({ error: `${why} ${lastCase(p)}` });
      startWorker();
    };
    const watchdog = setInterval(() => {
      if (current && Date.now() - heard > STALL_MS) fail(`no progress for ${STALL_MS} ms`);
    }, 1000);
    worker.on('message', (m: { ready?: boolean; property?: string; case?: number; report?: PropertyReport }) => {
      heard = Date.now();
      if (m.case !== undefined) caseNo = m.case;
      if (m.report) settle.get(m.property!)!({ report: m.report });
      if (m.ready || m.report) next();
    });
    worker.on('error', (e) => fail(`worker died (${(e as Error).message})`));
    worker.on('exit', (code) => current && fail(`worker exited with ${code}`));
  };
  for (let i = 0; i < slots; i++) startWorker();
  return outcomes;
}

const started = Date.now();
const names = Object.keys(PROPERTIES);
// a core each: this machine has two
const outcomes = runAll(names, Math.max(1, Math.min(2, availableParallelism())));

let cases = 0;
let failed = 0;
for (const name of names) {
  test(`fuzz: ${name}`, async () => {
    const o = await outcomes.get(name)!;
    const fail = (why: string) => {
      failed++;
      assert.unreachable(`${name}: ${why}\n(seed ${SEED}: FUZZ_SEED=${SEED} FUZZ_RUNS=${TOTAL_RUNS} reproduces it)`);
    };
    if ('error' in o) return fail(o.error);
    cases += o.report.runs;
    console.log(`  ${name}: ${o.report.runs} cases, ${o.report.ms} ms`);
    if (o.report.failed) fail(o.report.message!);
  });
}

test('fuzz: in all', () => {
  console.log(`  ${cases} cases (FUZZ_RUNS=${TOTAL_RUNS}, seed ${SEED}) in ${Math.round((Date.now() - started) / 1000)} s`);
  // a failed property stops at its failure: only a clean run has them all
  if (!failed) assert.ok(cases >= TOTAL_RUNS * 0.9, `ran ${cases} cases, expected about ${TOTAL_RUNS}`);
});

test('host globs match as the RegExp they replaced did', () => {
  const re = (g: string) => new RegExp('^' + g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  const small = (alphabet: string[], max: number) => fc.string({ unit: fc.constantFrom(...alphabet), maxLength: max });
  fc.assert(
    fc.property(small(['a', 'b', '*', '?', '.', '-'], 8), small(['a', 'b', '.', '-'], 10), (g, name) => globMatch(g, name) === re(g).test(name)),
    { seed: SEED, numRuns: 5000 },
  );
});

// ---- the real CLI, for what a user sees: exit code and message ----

/** Mutations whose refusal has a line in a file (the command line's own are in test/unit/bad-input). */
const CLI_KINDS = KINDS.filter((k) => !/^(-e|--limit)/.test(k));
const CLI_MUTANTS = Math.min(100, Math.max(16, Math.round(TOTAL_RUNS / 150)));

interface CliCase {
  what: string;
  written: Written;
  expect: Expect;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('the CLI refuses broken and hostile input with exit 5 and file:line:col, before contacting any host', async () => {
  const listener = await countingListener();
  // every host is the listener: a refusal that did not happen would show as a connection
  const local = (w: World): World => ({ ...w, hosts: w.hosts.map((h) => ({ ...h, vars: { ...h.vars, address: '127.0.0.1', port: listener.port } })) });
  const mutants: CliCase[] = fc.sample(mutantArb(worldArb.map(local), CLI_KINDS), { seed: SEED, numRuns: CLI_MUTANTS });
  const base = local(fc.sample(worldArb, { seed: SEED, numRuns: 1 })[0]);
  const asPlaybook = (what: string, text: string): CliCase => {
    const written = write(base);
    written.files[PLAYBOOK] = text;
    return { what, written, expect: { file: PLAYBOOK } };
  };
  const cases: CliCase[] = [
    ...mutants,
    // the two cases of issue #15: exit 1 and a stack trace before
    asPlaybook('alias bomb (10 levels of 10)', `- hosts: all\n  vars:\n${Array.from({ length: 10 }, (_, i) => `    a${i}: &a${i} [${Array(10).fill(i ? `*a${i - 1}` : '"lol"').join(', ')}]`).join('\n')}\n  tasks: []\n`),
    asPlaybook('alias to an undefined anchor', '- hosts: all\n  vars:\n    a: *nothere\n  tasks: []\n'),
    ...fc.sample(attack.filter((a) => a.refused), { seed: SEED, numRuns: 6 }).map((a) => asPlaybook(a.name, a.text)),
  ];
  const results = await pool(cases, 2, (c) => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-fuzz-cli-'));
    writeFiles(dir, c.written.files);
    const args = ['run', c.written.playbook, '-i', c.written.inventory, '--check', '--strict', ...c.written.extraVars.flatMap((e) => ['-e', e]), ...(c.written.limit ? ['--limit', c.written.limit] : [])];
    return skiff(args, { cwd: dir, timeoutMs: 30_000 }).finally(() => rmSync(dir, { recursive: true, force: true }));
  });
  const failures: string[] = [];
  cases.forEach((c, i) => {
    const r = results[i];
    const at = new RegExp(`(^|\\n)${escape(c.expect.file)}:${c.expect.line ?? '\\d+'}:\\d+: `);
    if (r.code !== 5) failures.push(`${c.what}: exit ${r.code}, expected 5\n${r.stderr.slice(0, 2000)}`);
    else if (/internal error/.test(r.stderr)) failures.push(`${c.what}: internal error\n${r.stderr.slice(0, 2000)}`);
    else if (!at.test(r.stderr)) failures.push(`${c.what}: no ${at} in\n${r.stderr.slice(0, 2000)}`);
  });
  const contacted = listener.count();
  await listener.close();
  assert.is(failures.join('\n\n'), '', `${failures.length} of ${cases.length} inputs not refused as expected`);
  assert.is(contacted, 0, 'a host was contacted although the input was bad');
  console.log(`  CLI runs: ${cases.length}, each exit 5 with file:line:col`);
});

test.run();
