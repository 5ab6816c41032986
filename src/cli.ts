// The entry point (bin/skiff.mjs and the bundle start here): argv -> command (tables in cli/spec.ts)
// -> its handler (cli/handlers.ts). Handlers live in cli/commands/ and are loaded only when used.
import { parseArgv } from './cli/args.ts';
import { commandHelp, usage } from './cli/help.ts';
import { badInput, EXIT } from './cli/output.ts';
import { HANDLERS, RAW } from './cli/handlers.ts';
import { VERSION } from './cli/version.ts';

export { EXIT } from './cli/output.ts';

export async function main(argv: string[]): Promise<number> {
  // a command with a command line of its own (vault: ansible-vault's), options and all
  const raw = argv[0] !== undefined && Object.hasOwn(RAW, argv[0]) ? RAW[argv[0]] : undefined;
  if (raw) return (await raw())(argv.slice(1));
  const { invocation: inv, problems } = parseArgv(argv);
  if (inv.values.version) {
    process.stdout.write(`skiff ${VERSION}\n`);
    return EXIT.ok;
  }
  if (inv.values.help && !problems.length) {
    process.stdout.write((inv.command ? commandHelp(inv.command) : usage()) + '\n');
    return EXIT.ok;
  }
  if (!inv.command && !problems.length) {
    process.stdout.write(usage() + '\n');
    return EXIT.badInput;
  }
  if (problems.length) return badInput(problems);
  const handler = await HANDLERS[inv.command]();
  return handler(inv);
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
