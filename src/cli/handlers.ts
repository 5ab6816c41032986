// What runs each command of spec.ts, loaded on use: `skiff --help` and completion do not load the
// engine. Apart from the tables (spec.ts) because the commands read those tables: only cli.ts imports
// this file, so no command leads back to itself through spec.ts.
import type { Invocation } from './spec.ts';

export type Handler = (inv: Invocation) => Promise<number>;

export const HANDLERS: Record<string, () => Promise<Handler>> = {
  run: async () => (await import('./commands/run.ts')).runCommand,
  validate: async () => (await import('./commands/run.ts')).runCommand,
  apply: async () => (await import('./commands/apply.ts')).applyCommand,
  show: async () => (await import('./commands/show.ts')).showCommand,
  inventory: async () => (await import('./commands/inventory.ts')).inventoryCommand,
  tasks: async () => (await import('./commands/tasks.ts')).tasksCommand,
  config: async () => (await import('./commands/config.ts')).configCommand,
  completion: async () => (await import('./commands/completion.ts')).completionCommand,
  help: async () => (await import('./help.ts')).helpCommand,
  vault: async () => (inv) => import('../cli-vault.ts').then((m) => m.vaultMain(inv.args)),
  __complete: async () => (await import('./commands/completion.ts')).completeCommand,
};

/** Commands with a command line of their own, given argv as is: vault (ansible-vault's options, parsed by cli-vault.ts). */
export const RAW: Record<string, () => Promise<(argv: string[]) => Promise<number>>> = {
  vault: async () => (await import('../cli-vault.ts')).vaultMain,
};
