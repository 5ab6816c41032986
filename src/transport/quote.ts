// POSIX shell quoting for command lines that run on remote hosts.
// Remote login shells may be dash/busybox sh, so no bash-only `$'...'` forms (zx's quote() emits those).

/**
 * Quotes `s` as one POSIX sh word: wrapped in single quotes, each `'` written as `'\''`.
 * Inside single quotes nothing is special (`$`, backticks, `\`, newlines), so any string
 * arrives literally. Always quotes, even "safe" words, so the output is predictable.
 * NUL bytes cannot be passed in an argv at all; they are rejected rather than silently truncated.
 */
export function shq(s: string): string {
  if (s.includes('\0')) throw new Error('shq: string contains a NUL byte, which no shell argument can carry');
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Joins arguments into one command line, each quoted with shq(). */
export function shJoin(args: string[]): string {
  return args.map(shq).join(' ');
}
