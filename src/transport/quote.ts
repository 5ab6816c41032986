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

/**
 * One word as Ansible's run_command passes an argument of the command module: Python's
 * os.path.expanduser(os.path.expandvars(word)), done by the host's shell, whose environment is the
 * task's. `$name` and `${name}` become the variable's value where it is set and stay as written where
 * it is not (`"${name-\$name}"`); a leading `~` or `~user` is the home directory (the shell's tilde
 * expansion, left as written for an unknown user, as Python's). Everything else is literal (shq).
 */
export function shExpandWord(word: string): string {
  const tilde = /^~[A-Za-z0-9_.-]*(\/|$)/.exec(word)?.[0] ?? ''; // with its slash: a quoted one would end no tilde prefix
  const rest = word.slice(tilde.length);
  let out = tilde;
  let last = 0;
  for (const m of rest.matchAll(/\$(\w+|\{[^}]*\})/g)) {
    const braced = m[1].startsWith('{');
    const name = braced ? m[1].slice(1, -1) : m[1];
    // a name no shell variable can have (`$1`, `${a b}`) is never in the environment: left as written
    if (!/^[A-Za-z_]\w*$/.test(name)) continue;
    if (m.index > last) out += shq(rest.slice(last, m.index));
    out += `"\${${name}-${braced ? `\\\${${name}\\}` : `\\$${name}`}}"`;
    last = m.index + m[0].length;
  }
  if (last < rest.length || out === '') out += shq(rest.slice(last));
  return out;
}
