// Everything that can be checked without a host: inventory, playbook, extra vars, --limit, every
// task's parameters rendered for every host it will run on, key files. Problems are collected and
// returned together, before any connection is opened.
import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { loadInventory } from '../inventory/load.ts';
import { matchPattern } from '../inventory/pattern.ts';
import { connInput, connVarNames, hostConn, HostConnSchema, readable, type HostConn } from '../inventory/host.ts';
import { groupHosts, hostVars } from '../inventory/vars.ts';
import type { Inventory, Origin } from '../inventory/types.ts';
import { issuesToProblems } from '../playbook/issues.ts';
import { loadPlaybook, type PlayDef, type Playbook, type TaskDef } from '../playbook/load.ts';
import { show, type InputProblem } from '../util/errors.ts';
import { loadYaml, problemAt } from '../util/yaml-source.ts';
import type { VaultSecret } from '../vault/vaultlib.ts';
import { TASK_TYPES } from '../../tasks/index.ts';
import { ExprError, LATER, type Scope } from './expr.ts';
import { containsLater, render, scopeOf, type Path } from './template.ts';

export interface RunOptions {
  playbook: string;
  inventory: string;
  limit?: string;
  extraVars: string[]; // raw -e values
  check: boolean;
  diff: boolean;
  forks?: number;
  acceptNewHostKeys: boolean;
  /** passwords for ansible-vault data in the inventory, the playbook and -e @files */
  vault?: readonly VaultSecret[];
}

export interface PreparedPlay {
  play: PlayDef;
  hosts: string[];
}

export interface Prepared {
  inventory: Inventory;
  playbook: Playbook;
  plays: PreparedPlay[];
  extra: Record<string, unknown>;
  /** each host's inventory vars, templates rendered */
  hostvars: Record<string, Record<string, unknown>>;
  conns: Map<string, HostConn>;
}

export function parseExtraVars(raw: string[], problems: InputProblem[], vault: readonly VaultSecret[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of raw) {
    if (e.startsWith('@')) {
      const { source, problems: p } = loadYaml(e.slice(1), vault);
      problems.push(...p);
      if (!source) continue;
      if (!source.value || typeof source.value !== 'object' || Array.isArray(source.value)) {
        problems.push(problemAt(source, [], `expected a map of variables, got ${show(source.value)}`));
        continue;
      }
      Object.assign(out, source.value);
    } else if (e.trim().startsWith('{')) {
      try {
        Object.assign(out, JSON.parse(e));
      } catch (err) {
        problems.push({ file: '-e', line: 0, col: 0, message: `${show(e)}: expected JSON object (${(err as Error).message})` });
      }
    } else {
      for (const kv of e.split(/\s+(?=[A-Za-z_][A-Za-z0-9_]*=)/)) {
        const m = kv.match(/^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s);
        if (!m) problems.push({ file: '-e', line: 0, col: 0, message: `${show(kv)}: expected key=value, @file.yml or a JSON object` });
        else out[m[1]] = m[2];
      }
    }
  }
  return out;
}

/** --limit: a pattern, or @file with one host (or pattern) per line, as written by a failed run. */
export function resolveLimit(inv: Inventory, limit: string, problems: InputProblem[]): Set<string> | undefined {
  let patterns: string[];
  let file = '--limit';
  if (limit.startsWith('@')) {
    file = limit.slice(1);
    try {
      patterns = readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    } catch (e) {
      problems.push({ file, line: 0, col: 0, message: `cannot read limit file: ${(e as Error).message}` });
      return undefined;
    }
  } else patterns = [limit];
  const out = new Set<string>();
  patterns.forEach((p, i) => {
    const r = matchPattern(inv, p);
    if ('error' in r) problems.push({ file, line: file === '--limit' ? 0 : i + 1, col: file === '--limit' ? 0 : 1, message: `${r.error}` });
    else r.hosts.forEach((h) => out.add(h));
  });
  return out;
}

/**
 * Longest chain of inventory vars whose templates use one another (`a: "{{ b }}"`, `b: "{{ c }}"`...):
 * each link is a level of recursion, and a chain of 2,000 ran out of stack ("internal error").
 */
const MAX_VAR_CHAIN = 100;

/** Host vars as tasks see them: templates in inventory values rendered lazily against the same vars. */
export function renderedHostVars(inv: Inventory, host: string, extra: Record<string, unknown>, problems: InputProblem[]): { vars: Record<string, unknown>; origins: Record<string, Origin> } {
  const { vars, origins } = hostVars(inv, host);
  const out: Record<string, unknown> = {};
  const busy = new Set<string>();
  const magic = { inventory_hostname: host, groups: groupsMap(inv) };
  // own keys only (Object.hasOwn): `{{ constructor }}` is an unknown variable, not Object's
  const scope: Scope = (name) => {
    if (Object.hasOwn(extra, name)) return { found: true, value: extra[name] };
    if (Object.hasOwn(out, name)) return { found: true, value: out[name] };
    if (Object.hasOwn(vars, name) && !busy.has(name)) {
      // an ExprError: reported against the var whose template went one link too far
      if (busy.size >= MAX_VAR_CHAIN) throw new ExprError(`variables use one another more than ${MAX_VAR_CHAIN} deep (${name} is one too many)`);
      busy.add(name);
      const ps: { path: Path; message: string }[] = [];
      out[name] = render(vars[name], scope, [], ps);
      busy.delete(name);
      for (const p of ps) problems.push({ ...(origins[name] ?? { file: 'inventory', line: 0, col: 0 }), message: `${host}: variable ${name}: ${p.message}` });
      return { found: true, value: out[name] };
    }
    if (Object.hasOwn(magic, name)) return { found: true, value: (magic as Record<string, unknown>)[name] };
    return { found: false, names: [...Object.keys(vars), ...Object.keys(extra), ...Object.keys(magic)] };
  };
  for (const k of Object.keys(vars)) scope(k);
  return { vars: out, origins };
}

/** Made once per inventory: it is every host's `groups`, and building it per host was quadratic. */
const groupsMemo = new WeakMap<Inventory, Record<string, string[]>>();
export function groupsMap(inv: Inventory): Record<string, string[]> {
  let groups = groupsMemo.get(inv);
  if (!groups) groupsMemo.set(inv, (groups = Object.fromEntries([...inv.groups.keys()].map((g) => [g, [...groupHosts(inv, g)]]))));
  return groups;
}

/** The scope a task sees on a host. Registered names are LATER while validating. */
export function taskScope(prep: Pick<Prepared, 'extra' | 'hostvars' | 'inventory'>, play: PlayDef, host: string, registered: Record<string, unknown>): Scope {
  const magic = {
    inventory_hostname: host,
    groups: groupsMap(prep.inventory),
    hostvars: prep.hostvars,
  };
  const playScope = scopeOf(prep.extra, registered);
  const hv = prep.hostvars[host] ?? {};
  return (name) => {
    const a = playScope(name);
    if (a.found) return a;
    if (Object.hasOwn(play.vars, name)) {
      // Play vars may themselves hold templates over host vars.
      const ps: { path: Path; message: string }[] = [];
      const value = render(play.vars[name], scopeOf(prep.extra, registered, hv, magic), [], ps);
      // an ExprError, so render() reports it against the template that used the var
      if (ps.length) throw new ExprError(`play var ${name}: ${ps[0].message}`);
      return { found: true, value };
    }
    if (Object.hasOwn(hv, name)) return { found: true, value: hv[name] };
    if (Object.hasOwn(magic, name)) return { found: true, value: (magic as Record<string, unknown>)[name] };
    return { found: false, names: [...Object.keys(prep.extra), ...Object.keys(registered), ...Object.keys(play.vars), ...Object.keys(hv), ...Object.keys(magic)] };
  };
}

export function prepare(opts: RunOptions): { prepared?: Prepared; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const { inventory: inv, problems: ip } = loadInventory(opts.inventory, opts.vault);
  problems.push(...ip);
  const { playbook, problems: pp } = loadPlaybook(opts.playbook, TASK_TYPES, opts.vault);
  problems.push(...pp);
  const extra = parseExtraVars(opts.extraVars, problems, opts.vault);
  if (!inv || !playbook) return { problems };
  const limit = opts.limit ? resolveLimit(inv, opts.limit, problems) : undefined;

  const hostvars: Record<string, Record<string, unknown>> = {};
  const origins: Record<string, Record<string, Origin>> = {};
  for (const h of inv.hosts) {
    const r = renderedHostVars(inv, h, extra, problems);
    hostvars[h] = r.vars;
    origins[h] = r.origins;
  }
  const prep: Prepared = { inventory: inv, playbook, plays: [], extra, hostvars, conns: new Map() };
  const seen = new Set<string>();
  const push = (p: InputProblem) => {
    const key = `${p.file}:${p.line}:${p.col}:${p.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(p);
    }
  };
  // registered results last for the whole run, per host, across plays (as in Ansible)
  const registeredOf = new Map<string, Record<string, unknown>>();
  for (const play of playbook.plays) {
    const m = matchPattern(inv, play.hosts);
    if ('error' in m) {
      push(problemAt(playbook.src, [...play.path, 'hosts'], m.error));
      continue;
    }
    const hosts = limit ? m.hosts.filter((h) => limit.has(h)) : m.hosts;
    prep.plays.push({ play, hosts });
    for (const host of hosts) {
      const registered = registeredOf.get(host) ?? {};
      registeredOf.set(host, registered);
      for (const t of [...play.tasks, ...play.handlers]) {
        checkTask(prep, play, t, host, registered).forEach(push);
        if (t.meta.register) registered[t.meta.register] = LATER;
      }
    }
  }
  // Connection settings of every host that will be contacted.
  const used = new Set(prep.plays.flatMap((p) => p.hosts));
  for (const h of used) {
    // -e overrides connection settings too, as in Ansible (e.g. -e known_hosts_file=...).
    const vars = { ...hostvars[h], ...extra };
    const input = connInput(vars);
    const r = v.safeParse(HostConnSchema, input);
    const names = connVarNames(vars);
    const at = (k: string): Origin => origins[h][names[k] ?? ''] ?? inv.hostOrigin.get(h)!;
    if (!r.success) {
      for (const issue of r.issues) {
        const k = String(issue.path?.[0]?.key ?? '');
        push({ ...at(k), message: `host ${h}: ${names[k] ?? k}: got ${show(issue.input)}, ${issue.message.startsWith('Invalid') ? `expected ${issue.expected}` : issue.message}` });
      }
      continue;
    }
    const conn = hostConn(h, r.output, inv.root);
    if (conn.connection === 'ssh' && conn.private_key_file) {
      const err = readable(conn.private_key_file);
      if (err) push({ ...at('private_key_file'), message: `host ${h}: private key ${show(conn.private_key_file)} is not readable (${err}): expected a readable key file` });
    }
    prep.conns.set(h, conn);
  }
  return problems.length ? { problems } : { prepared: prep, problems };
}

function checkTask(prep: Prepared, play: PlayDef, t: TaskDef, host: string, registered: Record<string, unknown>): InputProblem[] {
  const out: InputProblem[] = [];
  const scope = taskScope(prep, play, host, registered);
  const rp: { path: Path; message: string }[] = [];
  const base = [...t.path, t.type.name];
  const shortForm = typeof t.src.doc.getIn(base) === 'string';
  const params = render(t.params, scope, [], rp, t.type.shellParams);
  for (const p of rp) out.push(problemAt(t.src, shortForm ? base : [...base, ...p.path], `${p.message} (host ${host})`));
  for (const key of ['when', 'changed_when', 'failed_when'] as const) {
    const w = t.meta[key];
    if (typeof w !== 'string' && !Array.isArray(w)) continue;
    const list = Array.isArray(w) ? w : [w];
    list.forEach((e, i) => {
      if (typeof e !== 'string') return;
      const ps: { path: Path; message: string }[] = [];
      // changed_when/failed_when also see the task's own result
      const s: Scope = key === 'when' ? scope : (n) => (['rc', 'stdout', 'stderr', 'stdout_lines', 'result'].includes(n) ? { found: true, value: LATER } : scope(n));
      render(`{{ ${e} }}`, s, [], ps);
      for (const p of ps) out.push(problemAt(t.src, Array.isArray(w) ? [...t.path, key, i] : [...t.path, key], `${key}: ${p.message} (host ${host})`));
    });
  }
  if (rp.length || containsLater(params)) return out;
  const r = v.safeParse(t.type.schema, params);
  if (!r.success) {
    const issues = issuesToProblems(t.src, base, r.issues, `task type ${t.type.name}`, paramsOf(t.type.schema));
    if (shortForm) issues.forEach((i) => Object.assign(i, problemAt(t.src, base, i.message)));
    out.push(...issues);
  }
  return out;
}

function paramsOf(schema: unknown): string[] | undefined {
  let s = schema as { entries?: Record<string, unknown>; pipe?: unknown[] };
  if (!s.entries && s.pipe) s = s.pipe[0] as typeof s;
  return s.entries ? Object.keys(s.entries) : undefined;
}
