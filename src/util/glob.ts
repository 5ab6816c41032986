// File-name globs as Ansible's fileglob reads them: the with_fileglob loop (engine/loop.ts) and the
// fileglob filter (template/jinja-filters.ts).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The regular files in `dir` whose name matches `glob`, sorted, as `join(shown, name)`. */
export function globFiles(dir: string, glob: string, shown = dir): string[] {
  if (!existsSync(dir)) return [];
  const re = globRe(glob);
  return readdirSync(dir).filter((f) => re.test(f) && statSync(join(dir, f)).isFile()).sort().map((f) => join(shown, f));
}

/** A file-name glob as a regular expression (a leading dot is matched only by a leading dot, as in the shell). */
function globRe(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[' && glob.indexOf(']', i + 2) > 0) {
      const end = glob.indexOf(']', i + 2);
      re += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|[\\\]]/g, '\\$&');
  }
  return new RegExp(`^${glob.startsWith('.') ? '' : '(?!\\.)'}${re}$`);
}
