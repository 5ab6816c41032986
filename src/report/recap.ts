// Ansible's PLAY RECAP, one line per host.
import type { Recap } from '../engine/recap.ts';

export function formatRecap(recap: Record<string, Recap>, color: boolean): string {
  const c = (code: number, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const width = Math.max(4, ...Object.keys(recap).map((h) => h.length));
  const lines = ['', 'PLAY RECAP ' + '*'.repeat(60)];
  for (const [host, r] of Object.entries(recap)) {
    const hue = r.unreachable || r.failed ? 31 : r.changed ? 33 : 32;
    lines.push(
      `${c(hue, host.padEnd(width))} : ok=${String(r.ok).padEnd(4)} changed=${String(r.changed).padEnd(4)} unreachable=${r.unreachable ? 1 : 0}    failed=${String(r.failed).padEnd(4)} skipped=${String(r.skipped).padEnd(4)} rescued=${String(r.rescued).padEnd(4)} ignored=${r.ignored}`,
    );
  }
  return lines.join('\n');
}
