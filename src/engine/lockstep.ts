// Ansible's `linear` strategy (lib/ansible/plugins/strategy/linear.py) as a barrier per task: the hosts
// of a batch walk their tasks each in its own HostRun, and before each task a host takes its turn here.
// A turn is given when every host of the batch is waiting for one (none still runs a task), to the hosts
// whose next task comes first in the play; the others wait (Ansible gives them a noop). So no host
// starts its next task before every host finished the current one, and a host in a rescue, or one that
// skips an include, waits for the others at the tasks it does not run, as in Ansible's lockstep.
// Only a task's start waits: commands, read-ahead and run_once's sharing work as with `free`.

/**
 * A task's place in the play: the indexes of the path to it through the task tree (a block's section,
 * an include loop's item...). Paths compare in order, so the smallest is the task that comes first.
 */
export type Cursor = readonly number[];

/** Pure: <0 when `a` comes before `b` in the play (a path before its own children). */
export function compareCursors(a: Cursor, b: Cursor): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** The hosts given a turn together: they run the same task (run_once picks one of them). */
export interface Round {
  hosts: string[];
}

export class Lockstep {
  /** hosts of the batch still walking the play */
  private readonly members: Set<string>;
  /** hosts waiting for their turn, at the task they want to run */
  private readonly waiting = new Map<string, { at: Cursor; go: (r: Round) => void }>();

  constructor(hosts: Iterable<string>) {
    this.members = new Set(hosts);
  }

  /** Resolves when `host` may start the task at `at`. A host that left the batch goes on at once. */
  turn(host: string, at: Cursor): Promise<Round> {
    if (!this.members.has(host)) return Promise.resolve({ hosts: [host] });
    return new Promise((go) => {
      this.waiting.set(host, { at, go });
      this.release();
    });
  }

  /** `host` walks no more tasks in this play (done, failed out, ended): no one waits for it. */
  leave(host: string): void {
    if (!this.members.delete(host)) return;
    this.waiting.delete(host);
    this.release();
  }

  private release(): void {
    // a host still running a task (or not at its first turn yet) holds everyone back
    if (this.waiting.size < this.members.size || !this.waiting.size) return;
    let first: Cursor | undefined;
    for (const w of this.waiting.values()) if (!first || compareCursors(w.at, first) < 0) first = w.at;
    // in the batch's order: the first of them is the one run_once picks, as Ansible's first host
    const round: Round = { hosts: [...this.members].filter((h) => compareCursors(this.waiting.get(h)!.at, first!) === 0) };
    for (const host of round.hosts) {
      const w = this.waiting.get(host)!;
      this.waiting.delete(host);
      w.go(round);
    }
  }
}

/** At most `n` of the calls run at once; the others wait their turn, first come first served. */
export const limit = (n: number) => {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
};
export type Limit = ReturnType<typeof limit>;
