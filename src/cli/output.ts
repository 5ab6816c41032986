// Exit codes and the one way bad input is reported (README: Exit codes).
import { formatProblem, type InputProblem } from '../util/errors.ts';
import { redact } from '../util/secrets.ts';
import { revealedValues } from '../vault/revealed.ts';

export const EXIT = { ok: 0, internal: 1, failed: 2, unreachable: 4, parseError: 4, badInput: 5, pending: 8, interrupted: 130 } as const;

export function badInput(problems: InputProblem[]): number {
  // a message may quote a value that came out of a vault (a mistyped param rendered from it)
  const hidden = revealedValues().sort((a, b) => b.length - a.length);
  for (const p of problems) process.stderr.write(redact(formatProblem(p), hidden) + '\n');
  process.stderr.write(`skiff: ${problems.length} problem${problems.length > 1 ? 's' : ''} found; nothing was run\n`);
  return EXIT.badInput;
}
