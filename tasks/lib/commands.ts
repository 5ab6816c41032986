// What command-like tasks share: the registered result in Ansible's shape, and the words of a
// command line as Ansible's command module splits it.
import type { ExecResult } from '../../src/transport/types.ts';
import { TaskFailure } from '../../src/engine/task-type.ts';

/** rc/stdout/stderr as Ansible's command module registers them: trailing newlines stripped, lines as Python's splitlines(). */
export function commandResult(r: ExecResult): Record<string, unknown> & { rc: number } {
  const trim = (x: string) => x.replace(/[\r\n]+$/, '');
  const [stdout, stderr] = [trim(r.stdout), trim(r.stderr)];
  const lines = (x: string) => (x === '' ? [] : x.split(/\r?\n/));
  return { rc: r.code, stdout, stderr, stdout_lines: lines(stdout), stderr_lines: lines(stderr) };
}

/** The failure of a command that exited non-zero, with the last lines it printed. */
export function commandFailure(r: ExecResult, result: Record<string, unknown>, what = 'command'): TaskFailure {
  const tail = r.stderr.trim().split('\n').slice(-3).join(' | ') || r.stdout.trim().split('\n').slice(-1)[0] || '';
  return new TaskFailure(`${what} exited ${r.code}${r.code === 124 ? ' (timed out)' : ''}: ${tail}`, result);
}

/**
 * Words of a command line as Python's shlex.split (POSIX mode) makes them, which is how Ansible's
 * command module runs a free-form line without a shell. Null when a quote is not closed. Pure.
 */
export function shlexSplit(line: string): string[] | null {
  const out: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (/\s/.test(c)) {
      if (word !== null) out.push(word);
      word = null;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return null;
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let s = '';
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length && '\\"$`\n'.includes(line[j + 1])) s += line[++j];
        else s += line[j];
      }
      if (j >= line.length) return null;
      word = (word ?? '') + s;
      i = j;
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i];
    } else word = (word ?? '') + c;
  }
  if (word !== null) out.push(word);
  return out;
}

/** Python's str.splitlines(): every line break Python knows ends a line, the last one's end dropped. */
export const pySplitLines = (x: string): string[] => (x === '' ? [] : x.replace(/(\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029])$/, '').split(/\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/));

/**
 * What Ansible's action plugins register for a command they run themselves (raw, script:
 * ActionBase._low_level_execute_command): stdout and stderr as printed, nothing stripped.
 */
export function lowLevelResult(r: ExecResult): { rc: number; stdout: string; stdout_lines: string[]; stderr: string; stderr_lines: string[] } {
  return { rc: r.code, stdout: r.stdout, stdout_lines: pySplitLines(r.stdout), stderr: r.stderr, stderr_lines: pySplitLines(r.stderr) };
}
