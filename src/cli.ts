// argv -> options -> prepare (all checks that need no host) -> run -> progress, recap, report, retry.
import { parseArgs } from 'node:util';
import { prepare, type RunOptions } from './engine/prepare.ts';
import { startRun } from './engine/run.ts';
import { loadInventory } from './inventory/load.ts';
import { groupsOf } from './inventory/vars.ts';
import { formatRecap } from './report/recap.ts';
import { writeReport, writeRetry } from './report/files.ts';
import { plainProgress, ttyProgress } from './report/progress.ts';
import { formatProblem, type InputProblem } from './util/errors.ts';
import { redact, secretValues } from './engine/secrets.ts';
import { renderedHostVars } from './engine/prepare.ts';
import { TASK_TYPES } from '../tasks/index.ts';
import { VAULT_FLAGS, vaultMain, vaultSecretsFromFlags } from './cli-vault.ts';
import { revealedValues } from './vault/revealed.ts';
import type { VaultSecret } from './vault/vaultlib.ts';

/** Exit codes, documented in the README. */
export const EXIT = { ok: 0, internal: 1, failed: 2, unreachable: 4, badInput: 5, pending: 8, interrupted: 130 } as const;

const USAGE = `usage:
  skiff run PLAYBOOK -i INVENTORY [--check] [--diff] [--limit PATTERN|@FILE] [-e k=v|@vars.yml]...
            [--forks N] [--report FILE] [--accept-new-host-keys] [--detailed-exitcode] [-v]
  skiff validate PLAYBOOK -i INVENTORY [--limit ...] [-e ...]
  skiff inventory -i INVENTORY [--host NAME]
  skiff tasks                                  list task types
  skiff vault encrypt|decrypt|view|edit|encrypt_string ...   ansible-vault files and values
vault passwords (run, validate, inventory): --vault-id LABEL@FILE|LABEL@prompt (repeatable),
  --vault-password-file FILE (executable: its stdout), --ask-vault-pass, ANSIBLE_VAULT_PASSWORD_FILE
exit codes: 0 ok, 1 internal error, 2 a host failed, 4 a host was unreachable, 5 bad input (nothing was run),
            8 changes pending (--check --detailed-exitcode), 130 interrupted`;

function badInput(problems: InputProblem[]): number {
  // a message may quote a value that came out of a vault (a mistyped param rendered from it)
  const hidden = revealedValues().sort((a, b) => b.length - a.length);
  for (const p of problems) process.stderr.write(redact(formatProblem(p), hidden) + '\n');
  process.stderr.write(`skiff: ${problems.length} problem${problems.length > 1 ? 's' : ''} found; nothing was run\n`);
  return EXIT.badInput;
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'vault') return vaultMain(argv.slice(1));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        inventory: { type: 'string', short: 'i' },
        check: { type: 'boolean', short: 'C' },
        diff: { type: 'boolean', short: 'D' },
        limit: { type: 'string', short: 'l' },
        'extra-vars': { type: 'string', short: 'e', multiple: true },
        forks: { type: 'string', short: 'f' },
        report: { type: 'string' },
        'accept-new-host-keys': { type: 'boolean' },
        'detailed-exitcode': { type: 'boolean' },
        verbose: { type: 'boolean', short: 'v', multiple: true },
        host: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        ...VAULT_FLAGS,
      },
    });
  } catch (e) {
    return badInput([{ file: 'argv', line: 0, col: 0, message: `${(e as Error).message}\n${USAGE}` }]);
  }
  const { values: o, positionals: [cmd, target] } = parsed;
  if (o.help || !cmd) {
    process.stdout.write(USAGE + '\n');
    return o.help ? EXIT.ok : EXIT.badInput;
  }
  if (cmd === 'tasks') {
    for (const t of TASK_TYPES.values()) process.stdout.write(`${t.name.padEnd(20)} ${t.summary}\n`);
    return EXIT.ok;
  }
  if (!o.inventory) return badInput([{ file: 'argv', line: 0, col: 0, message: `-i INVENTORY is required\n${USAGE}` }]);
  // passwords first: every vaulted value is decrypted while loading, so a wrong one is bad input
  const { secrets: vault, problems: vp } = cmd === 'run' || cmd === 'validate' || cmd === 'inventory' ? await vaultSecretsFromFlags(o) : { secrets: [], problems: [] };
  if (!vault) return badInput(vp);
  if (cmd === 'inventory') return showInventory(o.inventory, o.host, vault);
  if (cmd !== 'run' && cmd !== 'validate') return badInput([{ file: 'argv', line: 0, col: 0, message: `unknown command ${JSON.stringify(cmd)}: expected run, validate, inventory or tasks\n${USAGE}` }]);
  if (!target) return badInput([{ file: 'argv', line: 0, col: 0, message: `a playbook is required\n${USAGE}` }]);
  const forks = o.forks === undefined ? undefined : Number(o.forks);
  if (forks !== undefined && !(Number.isInteger(forks) && forks > 0)) return badInput([{ file: '--forks', line: 0, col: 0, message: `got ${JSON.stringify(o.forks)}, expected a whole number > 0` }]);
  const opts: RunOptions = {
    playbook: target,
    inventory: o.inventory,
    limit: o.limit,
    extraVars: o['extra-vars'] ?? [],
    check: !!o.check || cmd === 'validate',
    diff: !!o.diff,
    forks,
    acceptNewHostKeys: !!o['accept-new-host-keys'],
    vault,
  };
  const { prepared, problems } = prepare(opts);
  if (!prepared) return badInput(problems);
  const hostCount = new Set(prepared.plays.flatMap((p) => p.hosts)).size;
  if (cmd === 'validate') {
    const tasks = prepared.plays.reduce((n, p) => n + p.play.tasks.length, 0);
    process.stdout.write(`${target}: ${prepared.plays.length} play(s), ${tasks} task(s), ${hostCount} host(s): valid\n`);
    return EXIT.ok;
  }
  if (hostCount === 0) {
    process.stderr.write(`skiff: no hosts matched${opts.limit ? ` (--limit ${opts.limit})` : ''}; nothing to do\n`);
    return EXIT.ok;
  }

  const tty = !!process.stdout.isTTY && process.env.CI !== 'true';
  const out = (s: string) => process.stdout.write(s + '\n');
  const popts = { tty, diff: opts.diff, verbose: !!o.verbose?.length, out };
  const progress = tty ? await ttyProgress(popts) : plainProgress(popts);
  const started = new Date();
  const runner = startRun(prepared, opts, (e) => progress.listen(e));
  let sigints = 0;
  const onSigint = () => {
    sigints++;
    if (sigints > 1) process.exit(EXIT.interrupted);
    process.stderr.write('\nskiff: interrupted: ending in-flight commands, writing recap and retry file (Ctrl-C again to quit now)\n');
    runner.interrupt();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const summary = await runner.done;
  await progress.finish();
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigint);
  out(formatRecap(summary.recap, tty));
  const retry = writeRetry(target, summary);
  if (retry.hosts.length) out(`\nto retry the ${retry.hosts.length} host(s) that did not finish: --limit @${retry.path}`);
  if (o.report) {
    // results are already redacted per host by the engine
    writeReport(o.report, { playbook: target, inventory: opts.inventory, check: opts.check, started: started.toISOString(), finished: new Date().toISOString() }, summary);
  }
  const recaps = Object.values(summary.recap);
  if (summary.interrupted) return EXIT.interrupted;
  if (recaps.some((r) => r.unreachable)) return EXIT.unreachable;
  if (recaps.some((r) => r.failed > 0)) return EXIT.failed;
  if (opts.check && o['detailed-exitcode'] && recaps.some((r) => r.changed > 0)) return EXIT.pending;
  return EXIT.ok;
}

function showInventory(path: string, only: string | undefined, vault: VaultSecret[]): number {
  const { inventory: inv, problems } = loadInventory(path, vault);
  if (!inv) return badInput(problems);
  const ps: InputProblem[] = [];
  const hosts: Record<string, unknown> = {};
  for (const h of inv.hosts) {
    if (only && h !== only) continue;
    const { vars } = renderedHostVars(inv, h, {}, ps);
    const secrets = secretValues(vars);
    hosts[h] = { groups: groupsOf(inv, h).filter((g) => g !== 'all'), vars: JSON.parse(redact(JSON.stringify(vars), secrets.map((s) => JSON.stringify(s).slice(1, -1)))) };
  }
  if (only && !(only in hosts)) return badInput([{ file: '--host', line: 0, col: 0, message: `unknown host ${JSON.stringify(only)}: expected one of ${inv.hosts.join(', ')}` }]);
  if (ps.length) return badInput(ps);
  const groups = Object.fromEntries([...inv.groups.values()].map((g) => [g.name, { hosts: [...g.hosts], children: [...g.children] }]));
  process.stdout.write(JSON.stringify(only ? hosts[only] : { groups, hosts }, null, 2) + '\n');
  return EXIT.ok;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('skiff.mjs')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`skiff: internal error: ${(e as Error).stack ?? e}\n`);
      process.exit(EXIT.internal);
    },
  );
}
