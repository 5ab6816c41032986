// Ansible's `[WARNING]:` lines as its Display prints them (utils/display.py warning): wrapped with
// Python's textwrap at the terminal's width less one (79 columns at least, and when stdout is not a
// terminal), bright purple when colour is on, each text once a run. They go to stderr, as Ansible's.
import { wrap } from '../util/textwrap.ts';

/** Display.columns: from stdout's terminal, else 79 */
export const warningColumns = (stdout: { isTTY?: boolean; columns?: number }): number => (stdout.isTTY ? Math.max(79, (stdout.columns ?? 0) - 1) : 79);

/** The warning's lines (no final newline), coloured as Ansible's COLOR_WARN when `color`. */
export function warningText(text: string, columns: number, color: boolean): string {
  const lines = wrap(`[WARNING]: ${text}`, columns);
  return (color ? lines.map((l) => `\x1b[1;35m${l}\x1b[0m`) : lines).join('\n');
}

/** A printer of warnings: once a run each (Display._warns), unless `again` (a worker's, shown every time). */
export function warningPrinter(o: { columns: number; color: boolean; write: (s: string) => void }): (text: string, again?: boolean) => void {
  const shown = new Set<string>();
  return (text, again) => {
    const s = warningText(text, o.columns, o.color);
    if (!again && shown.has(s)) return;
    if (!again) shown.add(s);
    o.write(s);
  };
}
