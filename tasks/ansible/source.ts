// Where a relative `src:` is found on the controller, as Ansible looks: in `files/` (copy) or
// `templates/` (template) next to the playbook, then next to the playbook itself.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { TaskFailure, type TaskContext } from '../../src/engine/task-type.ts';

export function readSource(ctx: TaskContext, sub: 'files' | 'templates', src: string): { path: string; text: string } {
  const path = findSource(ctx, sub, src);
  return { path, text: readFileSync(path, 'utf8') };
}

/** The path of a regular file `src` on the controller, looked up as Ansible does. */
export function findSource(ctx: TaskContext, sub: 'files' | 'templates', src: string): string {
  const dir = ctx.dir ?? '.';
  const tried = isAbsolute(src) ? [src] : [join(dir, sub, src), join(dir, src)];
  const path = tried.find((p) => existsSync(p));
  if (!path) throw new TaskFailure(`src ${src} not found: looked at ${tried.join(', ')}`);
  if (statSync(path).isDirectory()) throw new TaskFailure(`src ${path} is a directory: copying a directory is not supported by skiff yet (one task per file)`);
  return path;
}
