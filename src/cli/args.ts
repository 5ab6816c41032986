// argv -> an Invocation, or every problem with it at once (unknown command or flag with a suggestion,
// a flag the command does not take, a missing value). Parsing is parseArgs' (non-strict, with tokens),
// the checks are ours so that messages keep skiff's shape and name the closest spelling.
import { parseArgs } from 'node:util';
import { closest, type InputProblem } from '../util/errors.ts';
import { COMMANDS, FLAGS, flagsOf, REFUSED_FLAGS, type Invocation, type Values } from './spec.ts';

const argvProblem = (message: string): InputProblem => ({ file: 'argv', line: 0, col: 0, message });

export const visibleCommands = () => Object.keys(COMMANDS).filter((c) => !COMMANDS[c].hidden);

export function parseArgv(argv: string[]): { invocation: Invocation; problems: InputProblem[] } {
  const options = Object.fromEntries(Object.entries(FLAGS).map(([name, f]) => [name, { type: f.type, multiple: !!f.multiple, ...(f.short ? { short: f.short } : {}) }]));
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  const problems: InputProblem[] = [];
  // ansible-playbook's flags skiff refuses by name: the word after one that takes a value is its value
  const refusedOf = (name: string) => REFUSED_FLAGS[name] ? name : Object.keys(REFUSED_FLAGS).find((k) => REFUSED_FLAGS[k].short === name);
  const valueWords = new Set(tokens.filter((t) => t.kind === 'option' && !FLAGS[t.name] && !t.inlineValue && REFUSED_FLAGS[refusedOf(t.name) ?? '']?.value).map((t) => t.index + 1));
  const positionals = tokens.filter((t) => t.kind === 'positional' && !valueWords.has(t.index)).map((t) => (t as { value: string }).value);
  const [command = '', ...args] = positionals;
  const known = command in COMMANDS;
  const values: Values = {};
  const written: Record<string, string> = {};
  // a word holding an unknown flag is reported whole (and nothing else of it is used)
  // and so is a long flag written with one dash (`-check`), though `-c` takes a value: read as
  // `-c heck` it would be a connection nobody meant (`-clocal` stays -c local)
  const oneDashLong = (i: number) => /^-[^-]/.test(argv[i]) && argv[i].slice(1).split('=')[0] in FLAGS && argv[i].length > 2;
  const badWords = new Set(tokens.filter((t) => t.kind === 'option' && (!FLAGS[t.name] || oneDashLong(t.index))).map((t) => t.index));
  const help = tokens.some((t) => t.kind === 'option' && !badWords.has(t.index) && (t.name === 'help' || t.name === 'version'));

  if (command && !known) {
    const hint = closest(command, visibleCommands());
    problems.push(argvProblem(`unknown command ${JSON.stringify(command)}${hint ? ` (did you mean ${hint}?)` : ''}: expected one of ${visibleCommands().join(', ')}`));
  }
  const allowed = new Set(known ? flagsOf(command) : Object.keys(FLAGS));
  const longNames = [...allowed].map((n) => `--${n}`);
  const reportedWords = new Set<number>();
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const spec = FLAGS[t.name];
    const word = argv[t.index];
    if (badWords.has(t.index)) {
      // `-check` is read as the cluster -c -h -e -c -k: report the word once, as a misspelt --check
      if (reportedWords.has(t.index)) continue;
      reportedWords.add(t.index);
      const refused = refusedOf(t.name);
      if (refused && (word.startsWith('--') || word.length === 2 || word.startsWith(`-${t.name}`))) {
        problems.push(argvProblem(`${t.rawName.startsWith('--') ? t.rawName : `${t.rawName} (--${refused})`} is ansible-playbook's, which skiff does not support: ${REFUSED_FLAGS[refused].why}`));
        continue;
      }
      const asLong = word.startsWith('--') ? word.split('=')[0] : `-${word.split('=')[0]}`;
      const hint = closest(asLong, longNames);
      problems.push(argvProblem(`unknown flag ${word.split('=')[0]}${hint ? ` (did you mean ${hint}?)` : ''}${known ? `; see skiff ${command} --help` : ''}`));
      continue;
    }
    const shown = t.rawName.startsWith('--') ? t.rawName : `${t.rawName} (--${t.name})`;
    if (known && !allowed.has(t.name)) {
      const hint = closest(`--${t.name}`, longNames);
      problems.push(argvProblem(`${shown} is not a flag of skiff ${command}${hint && hint !== `--${t.name}` ? ` (did you mean ${hint}?)` : ''}; see skiff ${command} --help`));
      continue;
    }
    if (spec.type === 'boolean') {
      if (t.inlineValue) {
        problems.push(argvProblem(`${shown} takes no value, got ${JSON.stringify(t.value)}`));
        continue;
      }
      if (spec.multiple) ((values[t.name] ??= []) as boolean[]).push(true);
      else values[t.name] = true;
    } else {
      // parseArgs (non-strict) gives no value at the end of argv, and takes the next flag as the value
      // of `-i --check`: both are a missing value
      if (t.value === undefined || (!t.inlineValue && /^-./.test(t.value) && t.value.replace(/^-+/, '').split('=')[0] in FLAGS)) {
        problems.push(argvProblem(`${shown} expects a value (${spec.arg ?? 'VALUE'})${t.value !== undefined ? `, got the flag ${t.value}` : ''}`));
        continue;
      }
      if (spec.multiple) ((values[t.name] ??= []) as string[]).push(t.value);
      else values[t.name] = t.value;
    }
    written[t.name] = t.rawName;
  }
  if (known && !help) {
    const want = COMMANDS[command].args;
    if (args.length > want.length && !want.at(-1)?.many) problems.push(argvProblem(`unexpected argument ${JSON.stringify(args[want.length])}: skiff ${command} takes ${want.length ? want.map((a) => a.name).join(' ') : 'no arguments'}`));
    const missing = want.slice(args.length).filter((a) => !a.optional);
    if (missing.length) problems.push(argvProblem(`${missing.map((a) => a.name).join(' ')} is required; see skiff ${command} --help`));
  }
  return { invocation: { command, values, args, written }, problems };
}
