// --profile: where the time went, like Ansible's profile_tasks callback, from the `ms` of every result
// the engine emits. Hosts run independently (not task by task in lockstep as Ansible's linear
// strategy), so a task's time is its slowest host's, with that host named; a host's time is the sum of
// its tasks' (each host runs its tasks one after another).
import type { RunEvent } from '../engine/events.ts';

export interface Profile {
  listen(e: RunEvent): void;
  format(): string;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(2)}s`;

export function profiler(): Profile {
  const tasks = new Map<string, { label: string; max: number; host: string; total: number; hosts: number }>();
  const hosts = new Map<string, number>();
  return {
    listen(e) {
      if (e.kind !== 'result') return;
      const r = e.result;
      const label = `${r.play} : ${r.handler ? 'handler: ' : ''}${r.task}`;
      const t = tasks.get(label) ?? { label, max: -1, host: r.host, total: 0, hosts: 0 };
      if (r.ms > t.max) [t.max, t.host] = [r.ms, r.host];
      t.total += r.ms;
      t.hosts++;
      tasks.set(label, t);
      hosts.set(r.host, (hosts.get(r.host) ?? 0) + r.ms);
    },
    format() {
      const trows = [...tasks.values()].sort((a, b) => b.max - a.max);
      const hrows = [...hosts.entries()].sort((a, b) => b[1] - a[1]);
      const w = Math.max(10, ...trows.map((t) => t.label.length), ...hrows.map(([h]) => h.length));
      return [
        '',
        'TASKS (slowest host, slowest first) ' + '*'.repeat(40),
        ...trows.map((t) => `${t.label.padEnd(w)}  ${secs(t.max).padStart(9)}  ${t.host}${t.hosts > 1 ? ` (${t.hosts} hosts, ${secs(t.total)} in all)` : ''}`),
        '',
        'HOSTS (time in tasks, slowest first) ' + '*'.repeat(39),
        ...hrows.map(([h, ms]) => `${h.padEnd(w)}  ${secs(ms).padStart(9)}`),
      ].join('\n');
    },
  };
}
