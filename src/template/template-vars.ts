// What rendering a template file adds, for the template module and the template lookup alike: the
// variables of template/__init__.py's generate_ansible_template_vars, and Jinja2's loader for includes.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { strftime } from '../util/strftime.ts';
import type { Scope } from './expr.ts';

/** ansible.cfg's DEFAULT_MANAGED_STR */
const MANAGED = 'Ansible managed';

function owner(uid: number): string {
  try {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[2] === String(uid));
    return line?.split(':')[0] ?? String(uid);
  } catch {
    return String(uid);
  }
}

/**
 * template_host, template_path, template_uid, template_fullpath, template_destpath and
 * ansible_managed (its {host} {uid} {file} and strftime of the file's mtime). template_mtime and
 * template_run_date are Python datetimes skiff does not have: left out, so a use is an undefined variable.
 */
export function templateVars(path: string, fullpath: string | undefined, destPath: string | undefined): Record<string, unknown> {
  const st = statSync(fullpath ?? path);
  const vars = {
    template_host: hostname(),
    template_path: path,
    template_uid: owner(st.uid),
    template_destpath: destPath ?? null,
    template_fullpath: fullpath ?? resolve(path),
  };
  const managed = MANAGED.replace(/\{(host|uid|file)\}/g, (_, k: string) => String({ host: vars.template_host, uid: vars.template_uid, file: vars.template_path }[k]));
  return { ...vars, ansible_managed: strftime(managed, st.mtime) };
}

/** A scope with `vars` over it (Ansible's temp_vars.update(...)). */
export function withVars(scope: Scope, vars: Record<string, unknown>): Scope {
  return (n) => (Object.hasOwn(vars, n) ? { found: true, value: vars[n] } : scope(n));
}

/** Jinja2's FileSystemLoader over `searchPath`: the text of the first file `name` names, or undefined. */
export function templateLoader(searchPath: string[]): (name: string) => string | undefined {
  return (name) => {
    const found = (isAbsolute(name) ? [name] : searchPath.map((d) => join(d, name))).find((p) => existsSync(p) && statSync(p).isFile());
    return found === undefined ? undefined : readFileSync(found, 'utf8');
  };
}
