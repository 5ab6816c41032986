// Help text, made from the flag and command tables (spec.ts): `skiff --help`, `skiff COMMAND --help`.
import { visibleCommands } from './args.ts';
import { COMMANDS, FLAGS, flagsOf, type Invocation } from './spec.ts';

export const EXIT_CODES = `exit codes: 0 ok, 1 internal error, 2 a host failed, 4 a host was unreachable or an included file could not be parsed (as Ansible's), 5 bad input (nothing was run),
            8 changes pending (--check --detailed-exitcode), 130 interrupted`;

const flagLabel = (name: string) => {
  const f = FLAGS[name];
  return `${f.short ? `-${f.short}, ` : '    '}--${name}${f.arg ? ` ${f.arg}` : ''}`;
};

export function usage(): string {
  const cmds = visibleCommands();
  const w = Math.max(...cmds.map((c) => c.length));
  return [
    'usage: skiff COMMAND [options]     (skiff COMMAND --help for its flags and examples)',
    '',
    'commands:',
    ...cmds.map((c) => `  ${c.padEnd(w)}  ${COMMANDS[c].summary}`),
    '',
    '  --version  print the version',
    '',
    EXIT_CODES,
  ].join('\n');
}

export function commandHelp(command: string): string {
  const c = COMMANDS[command];
  const args = c.args.map((a) => (a.optional ? `[${a.name}]` : a.many ? `${a.name}...` : a.name)).join(' ');
  const flags = flagsOf(command).filter((f) => f !== 'version');
  const w = Math.max(...flags.map((f) => flagLabel(f).length));
  return [
    `usage: skiff ${command}${args ? ` ${args}` : ''}${flags.length > 1 ? ' [options]' : ''}`,
    '',
    c.summary,
    ...(c.description ? ['', c.description] : []),
    '',
    'options:',
    ...flags.map((f) => `  ${flagLabel(f).padEnd(w)}  ${FLAGS[f].help}`),
    '',
    'examples:',
    ...c.examples.map((e) => `  ${e}`),
  ].join('\n');
}

/** `skiff help [COMMAND]` */
export async function helpCommand(inv: Invocation): Promise<number> {
  const [name] = inv.args;
  if (name && !(name in COMMANDS)) {
    const { parseArgv } = await import('./args.ts');
    // same message (and suggestion) as an unknown command
    const { problems } = parseArgv([name]);
    const { badInput } = await import('./output.ts');
    return badInput(problems);
  }
  process.stdout.write((name ? commandHelp(name) : usage()) + '\n');
  return 0;
}
