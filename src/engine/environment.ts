// A task's `environment:` (Ansible's ActionBase._compute_environment_string): every layer from the play
// in, each templated when the task runs on the host and merged in order (inner wins), then exported in
// the shell of each command the task runs.
import type { Connection } from '../transport/types.ts';
import type { EnvLayer } from '../playbook/load.ts';
import { shq } from '../transport/quote.ts';
import type { Scope } from '../template/expr.ts';
import { isPyObject, pyStr } from '../template/expr-error.ts';
import { floatJson } from '../template/py-float.ts';
import { containsLater, render, type RenderProblem } from '../template/template.ts';
import { undefinedError } from './ansible-errors.ts';
import { TaskFailure } from './task-type.ts';

const isMap = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * The variables, rendered for the host. A layer written as an expression (`environment: "{{ env }}"`)
 * must come to a map, as Ansible requires. `gathering`: for the facts the play gathers, a value that
 * needs `ansible_env` (not gathered yet) is left out, as Ansible's Task._post_validate_environment does.
 * A secret value is refused: it would be in the remote command line, visible to every user of the host.
 */
export function renderEnvironment(layers: EnvLayer[], scope: Scope, secrets: string[], gathering = false): Record<string, string> {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) {
    const value = typeof layer === 'string' ? rendered(layer, scope) : layer;
    if (!isMap(value)) throw new TaskFailure(`environment must be a dictionary, received ${pyStr(value)} (${pyClass(value)})`);
    Object.assign(merged, value);
  }
  const out: Record<string, string> = {};
  for (const [k, raw] of Object.entries(merged)) {
    const problems: RenderProblem[] = [];
    const value = render(raw, scope, [], problems);
    // before the play's first gathering the facts are only known to come (LATER), or undefined
    if (gathering && (containsLater(value) || problems.some((p) => /ansible_env|ansible_facts\.env/.test(p.undefinedVar ?? p.message)))) continue;
    if (problems.length) throw failure(problems);
    const text = typeof value === 'string' ? value : isPyObject(value) ? value.str() : floatJson(value);
    if (secrets.some((s) => s && text.includes(s))) throw new TaskFailure(`environment: ${k} holds a secret, which would be visible in the host's process list: pass it in a file instead`);
    out[k] = text;
  }
  return out;
}

function rendered(text: string, scope: Scope): unknown {
  const problems: RenderProblem[] = [];
  const value = render(text, scope, [], problems);
  if (problems.length) throw failure(problems);
  return value;
}

const failure = (problems: RenderProblem[]) => new TaskFailure(problems[0].undefinedVar !== undefined ? undefinedError(problems[0].undefinedVar) : problems.map((p) => p.message).join('; '));

/** Python's class name in Ansible's message (`<class 'str'>`) */
const pyClass = (v: unknown) => `<class '${typeof v === 'string' ? 'str' : Array.isArray(v) ? 'list' : typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'float') : typeof v === 'boolean' ? 'bool' : 'NoneType'}'>`;

/** `conn` with `env` exported in each command's own shell (inside sudo's `sh -c` under become, since sudo resets the environment). */
export function withEnvironment(conn: Connection, env: Record<string, string>): Connection {
  const names = Object.keys(env);
  if (!names.length) return conn;
  const prefix = `export ${names.map((k) => `${k}=${shq(env[k])}`).join(' ')}; `;
  return { host: conn.host, exec: (cmd, o) => conn.exec(prefix + cmd, o), close: (o) => conn.close(o) };
}
