// Where a relative `src:` is found on the controller, as Ansible looks: in `files/` (copy) or
// `templates/` (template) next to the playbook, then next to the playbook itself.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { TaskFailure, type TaskContext } from '../../src/engine/task-type.ts';

export function readSource(ctx: TaskContext, sub: 'files' | 'templates', src: string): { path: string; text: string } {
  const path = findSource(ctx, sub, src);
  return { path, text: readFileSync(path, 'utf8') };
}

/** The path of a regular file `src` on the controller (or a directory, when asked for), looked up as Ansible does. */
export function findSource(ctx: TaskContext, sub: 'files' | 'templates', src: string, directory = false): string {
  // the task's directory (its role's), then ansible_search_path (the role's, its parents', the playbook's)
  const r = ctx.scope?.('ansible_search_path');
  const dirs = [...new Set([ctx.dir ?? '.', ...(r?.found && Array.isArray(r.value) ? r.value.map(String) : [])])];
  const tried = isAbsolute(src) ? [src] : dirs.flatMap((d) => [join(d, sub, src), join(d, src)]);
  const path = tried.find((p) => existsSync(p));
  if (!path) throw new TaskFailure(`src ${src} not found: looked at ${tried.join(', ')}`);
  if (!directory && statSync(path).isDirectory()) throw new TaskFailure(`src ${path} is a directory: copying a directory is not supported by skiff yet (one task per file)`);
  return path;
}
