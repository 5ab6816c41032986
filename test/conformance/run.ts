// `npm run conformance [-- --targets DIR] [--only a,b] [--tool both|skiff|ansible] [--json FILE]`:
// Ansible's own integration targets, run as ansible-test runs them (testhost with
// ansible_connection=local, output_dir, ANSIBLE_ROLES_PATH = the targets, runme.sh with its own
// calls), once under Debian's ansible-core and once under skiff, and compared run by run.
// Nothing is fetched: the targets are the pinned copy beside this file (GPL-3.0, see its README) or a
// directory given with --targets (a checkout's test/integration/targets).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { parseRecap, type RunRecord, compareTarget, type TargetResult, formatTable, summary } from './compare.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
export const PINNED = join(here, 'ansible-2.14.17', 'targets');

/** The targets issue #22 names, then more: each is run unless --only narrows it. */
export const TARGETS = [
  'lineinfile', 'blockinfile', 'file', 'copy', 'template', 'stat', 'command_shell', 'set_fact', 'assert', 'debug',
  'loops', 'until', 'blocks', 'handlers', 'tags', 'include_import', 'any_errors_fatal', 'filter_core', 'test_core',
  'delegate_to', 'changed_when', 'failed_when', 'ignore_errors', 'check_mode', 'conditionals', 'environment',
  'register', 'omit', 'no_log', 'loop_control', 'loop-until', 'lookup_first_found', 'lookup_sequence',
  'lookup_together', 'lookup_nested', 'lookup_subelements', 'lookup_items', 'lookup_dict', 'lookup_indexed_items',
  'include_vars', 'add_host', 'group_by', 'ping', 'pause', 'tempfile', 'getent', 'meta_tasks', 'special_vars',
  'var_templating', 'var_blending', 'var_precedence', 'strategy_free', 'strategy_linear', 'throttle',
];

type Tool = 'ansible' | 'skiff';

/** One target under one tool, in a fresh copy of the targets: every playbook run it made. */
export function runTarget(targetsDir: string, target: string, tool: Tool, timeoutS = 300): { rc: number; runs: RunRecord[]; log: string } {
  const work = mkdtempSync(join(tmpdir(), `conformance-${target}-${tool}-`));
  const targets = join(work, 'targets');
  // ansible-test copies the integration directory; a target may write beside its files.
  cpSync(targetsDir, targets, { recursive: true, filter: (src) => !src.includes('/.git') });
  const out = join(work, 'output');
  const runsDir = join(work, 'runs');
  mkdirSync(out);
  mkdirSync(runsDir);
  // ansible-test's posix inventory for the controller as test host (inventory.py, create_posix_inventory)
  writeFileSync(join(work, 'inventory'), `[testgroup]\ntesthost ansible_connection=local ansible_pipelining=yes ansible_python_interpreter=/usr/bin/python3\n`);
  writeFileSync(join(work, 'ansible.cfg'), '[defaults]\n');
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PATH: `${join(here, 'shim')}:${process.env.PATH}`,
    CONFORMANCE_TOOL: tool,
    CONFORMANCE_RUNS: runsDir,
    SKIFF_BIN: join(root, 'bin', 'skiff.mjs'),
    ANSIBLE_CONFIG: join(work, 'ansible.cfg'),
    ANSIBLE_ROLES_PATH: targets,
    ANSIBLE_PLAYBOOK_DIR: work,
    ANSIBLE_NOCOLOR: '1',
    NO_COLOR: '1',
    OUTPUT_DIR: out,
    INVENTORY_PATH: join(work, 'inventory'),
  };
  delete env.FORCE_COLOR;
  const dir = join(targets, target);
  let cmd: string[];
  let cwd: string;
  if (existsSync(join(dir, 'runme.sh'))) {
    cmd = ['bash', 'runme.sh'];
    cwd = dir;
  } else {
    // command_integration_role: one play over testhost, facts gathered, output_dir, the target as its role
    const aliases = existsSync(join(dir, 'aliases')) ? readFileSync(join(dir, 'aliases'), 'utf8') : '';
    const play = { hosts: 'testhost', gather_facts: !aliases.includes('gather_facts/no/'), vars: { output_dir: out }, roles: [target] };
    writeFileSync(join(work, `${target}-play.yml`), JSON.stringify([play], null, 4));
    cmd = ['ansible-playbook', `${target}-play.yml`, '-i', 'inventory'];
    cwd = work;
  }
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd, env, encoding: 'utf8', timeout: timeoutS * 1000, killSignal: 'SIGKILL', maxBuffer: 256 << 20 });
  const log = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const runs: RunRecord[] = [];
  for (let n = 1; existsSync(join(runsDir, `${n}.json`)) || existsSync(join(runsDir, `${n}.out`)); n++) {
    const meta = existsSync(join(runsDir, `${n}.json`)) ? JSON.parse(readFileSync(join(runsDir, `${n}.json`), 'utf8')) : { rc: -1, argv: [] };
    const stdout = existsSync(join(runsDir, `${n}.out`)) ? readFileSync(join(runsDir, `${n}.out`), 'utf8') : '';
    const stderr = existsSync(join(runsDir, `${n}.err`)) ? readFileSync(join(runsDir, `${n}.err`), 'utf8') : '';
    runs.push({ rc: meta.rc, argv: meta.argv, recap: parseRecap(stdout), stdout, stderr });
  }
  if (!process.env.CONFORMANCE_KEEP) rmSync(work, { recursive: true, force: true });
  return { rc: r.status ?? (r.signal ? 124 : -1), runs, log };
}

function args(argv: string[]) {
  // 900 s a target: ansible-core's handlers target alone takes over 300 s on this 2-core machine
  const o = { targets: PINNED, only: TARGETS, tool: 'both' as 'both' | Tool, json: '', logs: '', ansibleFrom: '', timeoutS: 900 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--targets') o.targets = resolve(argv[++i]);
    else if (a === '--only') o.only = argv[++i].split(',').filter(Boolean);
    else if (a === '--tool') o.tool = argv[++i] as 'both' | Tool;
    else if (a === '--json') o.json = argv[++i];
    else if (a === '--logs') o.logs = argv[++i];
    else if (a === '--ansible-from') o.ansibleFrom = argv[++i];
    else if (a === '--timeout') o.timeoutS = Number(argv[++i]);
    else throw new Error(`conformance: unknown argument ${a}`);
  }
  return o;
}

async function main() {
  const o = args(process.argv.slice(2));
  const results: TargetResult[] = [];
  const known = new Set(readdirSync(o.targets));
  const earlier = new Map<string, { rc: number; runs: RunRecord[] }>();
  if (o.ansibleFrom)
    for (const r of JSON.parse(readFileSync(o.ansibleFrom, 'utf8')) as TargetResult[]) if (r.ansibleOutcome) earlier.set(r.target, r.ansibleOutcome);
  for (const t of o.only) {
    if (!known.has(t)) {
      console.error(`conformance: no target ${t} in ${o.targets}`);
      process.exitCode = 2;
      continue;
    }
    const started = Date.now();
    // ansible-core's runs from an earlier --json of the same targets (they do not change), else run now
    const ans = earlier.get(t) ?? (o.tool === 'skiff' ? undefined : runTarget(o.targets, t, 'ansible', o.timeoutS));
    const sk = o.tool !== 'ansible' ? runTarget(o.targets, t, 'skiff', o.timeoutS) : undefined;
    if (o.logs) {
      mkdirSync(o.logs, { recursive: true });
      if (ans && "log" in ans) writeFileSync(join(o.logs, `${t}.ansible.log`), String(ans.log));
      if (sk) writeFileSync(join(o.logs, `${t}.skiff.log`), sk.log);
    }
    const res = compareTarget(t, ans, sk);
    // kept for --ansible-from: exit codes and recaps, not the output
    if (ans) res.ansibleOutcome = { rc: ans.rc, runs: ans.runs.map((r) => ({ ...r, stdout: '', stderr: '' })) };
    results.push(res);
    // written after each target: a long run stopped midway keeps what it measured
    if (o.json) writeFileSync(o.json, JSON.stringify(results, null, 2) + '\n');
    console.error(`${t}: ansible ${ans ? (ans.rc === 0 ? 'pass' : 'FAIL') : '-'}, skiff ${sk ? (sk.rc === 0 ? 'pass' : 'FAIL') : '-'} (${((Date.now() - started) / 1000).toFixed(1)} s)${res.difference ? `: ${res.difference}` : ''}`);
  }
  console.log(formatTable(results));
  console.log(summary(results));
  if (o.json) writeFileSync(o.json, JSON.stringify(results, null, 2) + '\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
