// The front door's properties. Each runs with a fixed seed and a share of FUZZ_RUNS cases, and says
// which case it is on before running it (so a hang can be told apart from slowness, and reported).
import fc from 'fast-check';
import { attack, bigInventory, bytes, exprSoup, extraSoup, globCase, iniSoup, limitSoup, yamlSoup, type BigInventory } from './attacks.ts';
import { assertRefused, assertSane, assertValid, run, type Outcome } from './check.ts';
import { mutantArb } from './mutate.ts';
import { EXTRA_FILE, INV_DIR, invFile, PLAYBOOK, worldArb, write, type World, type Written } from './world.ts';

export interface PropertyReport {
  name: string;
  runs: number;
  ms: number;
  failed: boolean;
  /** the shrunk input and what went wrong */
  message?: string;
  seed: number;
}

/** Which YAML file of a world receives hostile text: each is read by a loader of its own. */
const YAML_FILES = ['playbook', 'inventory', 'group_vars', 'host_vars', 'extra'] as const;
type YamlFile = (typeof YAML_FILES)[number];

/** The world with one YAML file replaced by `text`, and that file's name. */
function replaced(w: World, which: YamlFile, text: string | Uint8Array): { written: Written; file: string } {
  const written = write({ ...w, format: which === 'inventory' ? 'yaml' : w.format });
  const file = {
    playbook: PLAYBOOK,
    inventory: `${INV_DIR}/hosts.yml`,
    group_vars: `${INV_DIR}/group_vars/all.yml`,
    host_vars: `${INV_DIR}/host_vars/${w.hosts[0].name}.yml`,
    extra: EXTRA_FILE,
  }[which];
  written.files[file] = text;
  if (which === 'extra' && !written.extraVars.includes(`@${EXTRA_FILE}`)) written.extraVars = [...written.extraVars, `@${EXTRA_FILE}`];
  return { written, file };
}

/** The world with its inventory file replaced by an INI file holding `text`. */
function asIni(w: World, text: string | Uint8Array): Written {
  const written = write(w);
  delete written.files[invFile(w)];
  written.files[`${INV_DIR}/hosts.ini`] = text;
  return written;
}

const label = (what: string, w: Written) => `${what}\n--- files:\n${Object.entries(w.files).map(([f, t]) => `# ${f}\n${typeof t === 'string' ? (t.length > 3000 ? t.slice(0, 3000) + `... (${t.length} chars)` : t) : `<${t.length} bytes: ${Buffer.from(t).toString('hex').slice(0, 400)}>`}`).join('\n')}\n--- -e ${JSON.stringify(w.extraVars)} --limit ${JSON.stringify(w.limit)}`;

/** A property over inputs, each run through the front door and judged by `judge`. */
type Judge<T> = (input: T, o: Outcome) => void;
interface Prop<T> {
  weight: number;
  arb: fc.Arbitrary<T>;
  written: (input: T) => Written;
  judge: Judge<T>;
  /** how to show an input in a failure */
  show: (input: T) => string;
}
const prop = <T>(p: Prop<T>) => p as unknown as Prop<unknown>;

export const PROPERTIES: Record<string, Prop<unknown>> = {
  'valid documents validate': prop({
    weight: 4,
    arb: worldArb,
    written: (w) => write(w),
    judge: (w, o) => assertValid(o, 'valid world'),
    show: (w) => label('valid world', write(w)),
  }),
  'each mutation is refused, pointing at it': prop({
    weight: 8,
    arb: mutantArb(worldArb),
    written: (m) => m.written,
    judge: (m, o) => assertRefused(o, m.expect, m.what),
    show: (m) => label(m.what, m.written),
  }),
  'random YAML never crashes': prop({
    weight: 3,
    arb: fc.tuple(worldArb, fc.constantFrom(...YAML_FILES), yamlSoup),
    written: ([w, which, text]) => replaced(w, which, text).written,
    judge: ([, which], o) => assertSane(o, `random YAML as ${which}`),
    show: ([w, which, text]) => label(`random YAML as ${which}`, replaced(w, which, text).written),
  }),
  'random INI never crashes': prop({
    weight: 1,
    arb: fc.tuple(worldArb, iniSoup),
    written: ([w, text]) => asIni(w, text),
    judge: (_, o) => assertSane(o, 'random INI'),
    show: ([w, text]) => label('random INI', asIni(w, text)),
  }),
  'random bytes never crash': prop({
    weight: 1,
    arb: fc.tuple(worldArb, fc.constantFrom(...YAML_FILES, 'ini' as const), bytes),
    written: ([w, which, b]) => (which === 'ini' ? asIni(w, b) : replaced(w, which, b).written),
    judge: ([, which], o) => assertSane(o, `random bytes as ${which}`),
    show: ([w, which, b]) => label(`random bytes as ${which}`, which === 'ini' ? asIni(w, b) : replaced(w, which, b).written),
  }),
  'classic YAML attacks are refused or read, never crash': prop({
    weight: 1,
    arb: fc.tuple(worldArb, fc.constantFrom(...YAML_FILES), attack),
    written: ([w, which, a]) => replaced(w, which, a.text).written,
    judge: ([w, which, a], o) => {
      const { file } = replaced(w, which, a.text);
      if (a.refused) assertRefused(o, { file }, `${a.name} as ${which}`);
      else assertSane(o, `${a.name} as ${which}`);
    },
    show: ([w, which, a]) => label(`${a.name} as ${which}`, replaced(w, which, a.text).written),
  }),
  'any -e value is read or refused': prop({
    weight: 1,
    arb: fc.tuple(worldArb, fc.array(extraSoup, { minLength: 1, maxLength: 3 })),
    written: ([w, extra]) => ({ ...write(w), extraVars: extra.map((e) => (e.startsWith('@') ? '@' + e.slice(1).replace(/[/\\]/g, '_') : e)) }),
    judge: (_, o) => assertSane(o, 'random -e'),
    show: ([w, extra]) => label('random -e', { ...write(w), extraVars: extra }),
  }),
  'any --limit is read or refused': prop({
    weight: 1,
    arb: fc.tuple(worldArb, limitSoup),
    written: ([w, limit]) => ({ ...write(w), limit: limit.startsWith('@') ? '@' + limit.slice(1).replace(/[/\\]/g, '_') : limit }),
    judge: (_, o) => assertSane(o, 'random --limit'),
    show: ([w, limit]) => label('random --limit', { ...write(w), limit }),
  }),
  'big and deep inventories validate in bounded time': prop({
    // each case is big: a few dozen in a bounded run
    weight: 0.25,
    arb: bigInventory,
    written: (b) => bigWritten(b),
    judge: (b, o) => assertValid(o, b.name),
    show: (b) => label(b.name, bigWritten(b)),
  }),
  'host globs take bounded time': prop({
    weight: 1,
    arb: fc.tuple(globCase, fc.boolean()),
    written: ([g, asLimit]) => globWritten(g.hosts, g.pattern, asLimit),
    judge: ([, asLimit], o) => assertSane(o, `glob as ${asLimit ? '--limit' : 'hosts:'}`),
    show: ([g, asLimit]) => label(`glob as ${asLimit ? '--limit' : 'hosts:'}`, globWritten(g.hosts, g.pattern, asLimit)),
  }),
  'any template is rendered or refused': prop({
    weight: 3,
    arb: fc.tuple(worldArb, exprSoup, fc.constantFrom('param', 'when', 'inventory var', 'play var')),
    written: ([w, e, where]) => templateIn(w, e, where),
    judge: ([, , where], o) => assertSane(o, `random template in ${where}`),
    show: ([w, e, where]) => label(`random template in ${where}`, templateIn(w, e, where)),
  }),
};

function bigWritten(b: BigInventory): Written {
  return { files: { ...b.files, [PLAYBOOK]: `- hosts: "${b.hosts}"\n  gather_facts: false\n  tasks:\n    - debug: {msg: "{{ inventory_hostname }} {{ groups['all'] | length }}"}\n    - file: {path: /srv/x, state: directory}\n` }, lines: {}, playbook: PLAYBOOK, inventory: INV_DIR, extraVars: [] };
}

function globWritten(hosts: string[], pattern: string, asLimit: boolean): Written {
  const files = { [`${INV_DIR}/hosts.ini`]: hosts.map((h) => `${h} address=192.0.2.1`).join('\n') + '\n', [PLAYBOOK]: `- hosts: ${asLimit ? 'all' : JSON.stringify(pattern)}\n  tasks: [{debug: x}]\n` };
  return { files, lines: {}, playbook: PLAYBOOK, inventory: INV_DIR, extraVars: [], limit: asLimit ? pattern : undefined };
}

/** The world with `{{ e }}` (or a when: e) in one place where templates are rendered. */
function templateIn(w: World, e: string, where: string): Written {
  const plays = structuredClone(w.plays);
  const tasks = plays[0].tasks as Record<string, unknown>[];
  if (where === 'param') tasks.push({ debug: { msg: `m {{ ${e} }}` } });
  if (where === 'when') tasks.push({ debug: 'x', when: e });
  if (where === 'play var') {
    plays[0].vars = { ...(plays[0].vars as object), pv_t: `{{ ${e} }}` };
    tasks.push({ debug: 'v {{ pv_t }}' });
  }
  if (where === 'inventory var') return write({ ...w, format: 'yaml', allVars: { ...w.allVars, t_inv: `{{ ${e} }}` } }, { playbookTree: plays });
  return write(w, { playbookTree: plays });
}

export const SEED = Number(process.env.FUZZ_SEED ?? 20240615);
/** Cases in all, shared by weight; `npm test` runs a few thousand, `npm run fuzz` many more. */
export const TOTAL_RUNS = Number(process.env.FUZZ_RUNS ?? 2000);

/** Time one property may take: generous, since a run that passes is far quicker. */
const PROPERTY_MS = (runs: number) => 120_000 + runs * 50;

export function runsOf(name: string): number {
  const total = Object.values(PROPERTIES).reduce((n, p) => n + p.weight, 0);
  return Math.max(10, Math.round((TOTAL_RUNS * PROPERTIES[name].weight) / total));
}

/** Runs one property; `onCase` hears of each case before it runs. */
export function runProperty(name: string, onCase: (n: number) => void = () => {}): PropertyReport {
  const p = PROPERTIES[name];
  const started = Date.now();
  let n = 0;
  const details = fc.check(
    fc.property(p.arb, (input) => {
      onCase(n++);
      p.judge(input, run(p.written(input)));
    }),
    // a slow failing case can make shrinking slow: past this budget the run fails as it stands
    { seed: SEED, numRuns: runsOf(name), verbose: 0, plugins: [fc.interruptAfterTimeLimit(PROPERTY_MS(runsOf(name)), { failOnInterrupt: true })] },
  );
  const report: PropertyReport = { name, runs: details.numRuns, ms: Date.now() - started, failed: details.failed, seed: SEED };
  if (details.failed && details.interrupted && !details.counterexample) report.message = `interrupted after ${report.ms} ms and ${details.numRuns} cases (budget ${PROPERTY_MS(runsOf(name))} ms)`;
  else if (details.failed) {
    const input = (details.counterexample as unknown[] | null)?.[0];
    const why = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    report.message = `${why}\n\nafter ${details.numShrinks} shrinks, counterexample path ${details.counterexamplePath}:\n${input === undefined ? '(none)' : p.show(input)}`;
  }
  return report;
}

/**
 * The input of case `n` of a property, generated again from the seed: how a case that never
 * finished (so never reported) is shown. Cases past the run's count are shrink attempts.
 */
export function describeCase(name: string, n: number): string {
  const p = PROPERTIES[name];
  if (n >= runsOf(name)) return `(case ${n} was an attempt to shrink a failing case: rerun to see the failure)`;
  const inputs = fc.sample(p.arb, { seed: SEED, numRuns: n + 1 });
  return p.show(inputs[n]);
}
