// Ansible's PLAY RECAP (default callback's v2_playbook_on_stats): hosts sorted, the name padded to 26
// (after its colour, as hostcolor's %-37s), each count to 4, a blank line after.
import type { Recap } from '../engine/recap.ts';
import { banner } from './ansible-lines.ts';

/** A host with no result counted at all (a play that ended before it ran anything): Ansible's stats never processed it. */
const processed = (r: Recap) => r.unreachable || r.ok + r.changed + r.failed + r.skipped + r.rescued + r.ignored > 0;

export function formatRecap(all: Record<string, Recap>, color: boolean, tty = false): string {
  // as Ansible's: only the hosts its stats processed
  const recap = Object.fromEntries(Object.entries(all).filter(([, r]) => processed(r)));
  if (tty) return terminalRecap(recap, color);
  const c = (code: number, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  // colorize(): `name=count` padded to 4, coloured only when not 0
  const field = (name: string, n: number, code: number) => {
    const s = `${name}=${String(n).padEnd(4)}`;
    return n ? c(code, s) : s;
  };
  const lines = [banner('PLAY RECAP')];
  for (const host of Object.keys(recap).sort()) {
    const r = recap[host];
    const hue = r.unreachable || r.failed ? 31 : r.changed ? 33 : 32;
    lines.push(
      `${c(hue, host)}${' '.repeat(Math.max(0, 26 - host.length))} : ${[field('ok', r.ok, 32), field('changed', r.changed, 33), field('unreachable', r.unreachable, 31), field('failed', r.failed, 31), field('skipped', r.skipped, 36), field('rescued', r.rescued, 32), field('ignored', r.ignored, 35)].join(' ')}`,
    );
  }
  return lines.join('\n') + '\n';
}

/** On a terminal: skiff's own compact table (the host column as wide as the longest name). */
function terminalRecap(recap: Record<string, Recap>, color: boolean): string {
  const c = (code: number, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const width = Math.max(4, ...Object.keys(recap).map((h) => h.length));
  const lines = ['', 'PLAY RECAP ' + '*'.repeat(60)];
  for (const [host, r] of Object.entries(recap)) {
    const hue = r.unreachable || r.failed ? 31 : r.changed ? 33 : 32;
    lines.push(
      `${c(hue, host.padEnd(width))} : ok=${String(r.ok).padEnd(4)} changed=${String(r.changed).padEnd(4)} unreachable=${String(r.unreachable).padEnd(4)} failed=${String(r.failed).padEnd(4)} skipped=${String(r.skipped).padEnd(4)} rescued=${String(r.rescued).padEnd(4)} ignored=${r.ignored}`,
    );
  }
  return lines.join('\n');
}
