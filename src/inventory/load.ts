// Reads an inventory in Ansible's shapes: a YAML or INI file, or a directory holding one or more of
// them plus group_vars/ and host_vars/. Problems are collected, never thrown.
import { safeGroupName } from './group-names.ts';
import { expandHostRange } from './host-range.ts';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { InputProblem } from '../util/errors.ts';
import { show } from '../util/errors.ts';
import { loadYaml, locate, parseYaml, readText, type YamlSource } from '../util/yaml-source.ts';
import { isInventoryScript, readPluginSource } from './plugin-source.ts';
import type { Group, Inventory, Origin, Unclaimed, VarLayer } from './types.ts';
import type { VaultSecret } from '../vault/vaultlib.ts';
import { pyLiteral, shlexWords } from './py-literal.ts';
import { isLocalhostName } from './localhost.ts';
import { mergeLayers } from './vars.ts';
import { combineVars } from '../util/combine-vars.ts';
import { noteText, YAML_TEXT } from '../template/unsafe.ts';

const HOST_NAME = /^[A-Za-z0-9_.\-\[\]:]+$/;

/** No hosts, `all` and `ungrouped` only: what Ansible has when no inventory could be read. */
export function emptyInventory(path: string): Inventory {
  return newInventory(dirname(resolve(path)));
}

/** `root`: the directory relative paths in host vars are resolved against (the first source's). */
export function newInventory(root: string): Inventory {
  const inv: Inventory = { root, groups: new Map(), hosts: [], hostInline: new Map(), hostFile: new Map(), hostOrigin: new Map() };
  group(inv, 'all');
  group(inv, 'ungrouped');
  return inv;
}

/** `vault`: the passwords for `!vault` values and vault-encrypted files (group_vars/*.yml...). */
/**
 * `keepUnclaimed`: group_vars/host_vars of groups and hosts the inventory lacks are kept in
 * `inventory.unclaimed` (for a playbook whose group_by or add_host may make them), not reported.
 */
export function loadInventory(path: string, vault: readonly VaultSecret[] = [], o: { keepUnclaimed?: boolean } = {}): { inventory?: Inventory; problems: InputProblem[] } {
  const abs = resolve(path);
  if (!existsSync(abs)) {
    return { problems: [{ file: path, line: 0, col: 0, message: 'inventory not found: expected a file or directory' }] };
  }
  const problems: InputProblem[] = [];
  const inv = newInventory(statSync(abs).isDirectory() ? abs : dirname(abs));
  if (o.keepUnclaimed) inv.unclaimed = { groups: new Map(), hosts: new Map() };
  const varsDir = readSource(inv, path, problems, vault);
  readVarsDirs(inv, varsDir, problems, vault);
  finishInventory(inv, problems);
  return problems.length ? { problems } : { inventory: inv, problems };
}

/**
 * One existing file or directory source read into `inv`: its hosts, groups and their inline vars.
 * Returns the directory whose group_vars/ and host_vars/ belong to it (read once every source is in,
 * as Ansible's vars plugins run after parsing: a group_vars file may name a group of another source).
 */
export function readSource(inv: Inventory, path: string, problems: InputProblem[], vault: readonly VaultSecret[], before: readonly string[] = [], playbookDir?: string): string {
  const abs = resolve(path);
  const isDir = statSync(abs).isDirectory();
  const files = isDir
    ? readdirSync(abs)
        .filter((f) => !f.startsWith('.') && statSync(join(abs, f)).isFile() && /^(hosts|.*\.(ya?ml|ini))$/.test(f))
        .sort()
        .map((f) => join(abs, f))
    : [abs];
  if (files.length === 0) problems.push({ file: path, line: 0, col: 0, message: 'no inventory file (hosts.yml, *.yml or *.ini) in this directory' });
  for (const f of files) {
    const rel = relName(f);
    if (!isDir && !/\.(ya?ml|ini)$/.test(f) && isInventoryScript(f)) readPluginInventory(inv, rel, f, problems, before, playbookDir);
    else if (/\.ya?ml$/.test(f)) readYamlInventory(inv, rel, f, problems, vault, before, playbookDir);
    else {
      const { text, problem } = readText(f);
      if (problem) problems.push({ ...problem, file: rel });
      else readIniInventory(inv, rel, text!, problems);
    }
  }
  return isDir ? abs : dirname(abs);
}

/**
 * group_vars/ and host_vars/ next to a source (Ansible's host_group_vars plugin), or, `playbook`, next
 * to the playbook: a layer of their own, over the inventory's (vars.ts hostLayers). A playbook's file
 * for a group or host the inventory lacks is no mistake (it may be for another inventory): kept for
 * add_host and group_by, never reported, as Ansible's plugin reads files for what exists only.
 */
export function readVarsDirs(inv: Inventory, root: string, problems: InputProblem[], vault: readonly VaultSecret[], slot: 'inventory' | 'playbook' = 'inventory', playbookToo = false): void {
  const play = slot === 'playbook';
  const merged = (had: VarLayer | undefined, layer: VarLayer) => (had ? mergeLayers([had, layer]) : layer);
  for (const [dir, kind] of [['group_vars', 'group'], ['host_vars', 'host']] as const) {
    const d = join(root, dir);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d).sort()) {
      if (f.startsWith('.')) continue;
      // as Ansible's host_group_vars: NAME, NAME.yml/.yaml/.json, or a directory NAME/ of such files
      const full = join(d, f);
      const isDir = statSync(full).isDirectory();
      if (!isDir && extname(f) !== '' && !VARS_EXT.test(f)) continue;
      const name = isDir ? f : basename(f, extname(f));
      const files = isDir ? varsFilesIn(full) : [full];
      const read = files.map((x) => readVarsFile(x, problems, vault));
      if (read.some((l) => !l)) continue;
      const layer = mergeLayers(read as VarLayer[]);
      const known = kind === 'group' ? inv.groups.has(name) : inv.hostOrigin.has(name) || isLocalhostName(name);
      if (!known) {
        // an inventory's directory that is the playbook's too holds the playbook's files (hash target: host_vars/testhost beside test_inv1.yml)
        const problem = play || playbookToo ? undefined : { file: relName(join(d, f)), line: 1, col: 1, message: kind === 'group' ? `group_vars for unknown group ${show(name)}: expected one of ${[...inv.groups.keys()].join(', ')}` : `host_vars for unknown host ${show(name)}: expected one of ${inv.hosts.join(', ')}` };
        const kept = inv.unclaimed?.[kind === 'group' ? 'groups' : 'hosts'];
        if (kept) {
          const u = kept.get(name) ?? {};
          kept.set(name, play ? { ...u, play: merged(u.play, layer) } : { ...u, layer: merged(u.layer, layer), problem });
        } else if (problem) problems.push(problem);
        continue;
      }
      if (kind === 'group') {
        const g = inv.groups.get(name)!;
        // a second source's group_vars of the same group: merged over the first's, as Ansible combines them
        if (play) g.playFile = merged(g.playFile, layer);
        else g.file = merged(g.file, layer);
      } else {
        // host_vars/localhost.yml is the implicit localhost's when the inventory has no such host
        const files = play ? (inv.hostPlayFile ??= new Map()) : inv.hostFile;
        files.set(name, merged(files.get(name), layer));
      }
    }
  }
}

/** Once every source is read: hosts in no group but `all` go to `ungrouped` (as in Ansible); no group cycles. */
export function finishInventory(inv: Inventory, problems: InputProblem[]): void {
  const grouped = new Set<string>();
  for (const g of inv.groups.values()) if (g.name !== 'all' && g.name !== 'ungrouped') g.hosts.forEach((h) => grouped.add(h));
  const ungrouped = inv.groups.get('ungrouped')!;
  // a host a later source puts in a group leaves `ungrouped` (Ansible's reconcile_inventory)
  for (const h of [...ungrouped.hosts]) if (grouped.has(h)) ungrouped.hosts.delete(h);
  for (const h of inv.hosts) if (!grouped.has(h)) ungrouped.hosts.add(h);
  checkCycles(inv, problems);
}

const VARS_EXT = /\.(ya?ml|json)$/;

/** The vars files of a group_vars/NAME/ directory, as Ansible reads them: every level, sorted by path. */
function varsFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => !f.startsWith('.'))
    .sort()
    .flatMap((f) => {
      const full = join(dir, f);
      if (statSync(full).isDirectory()) return varsFilesIn(full);
      return extname(f) === '' || VARS_EXT.test(f) ? [full] : [];
    });
}

function relName(f: string): string {
  const r = f.startsWith(process.cwd() + '/') ? f.slice(process.cwd().length + 1) : f;
  return r;
}

function group(inv: Inventory, written: string): Group {
  const { name, warning } = safeGroupName(written);
  if (warning) (inv.warnings ??= new Set()).add(warning);
  let g = inv.groups.get(name);
  if (!g) {
    g = { name, hosts: new Set(), children: new Set(), inline: { vars: {}, origins: {} } };
    inv.groups.set(name, g);
    if (name !== 'all') inv.groups.get('all')?.children.add(name);
  }
  return g;
}

function addHost(inv: Inventory, name: string, g: Group, origin: Origin, problems: InputProblem[]): boolean {
  if (!HOST_NAME.test(name)) {
    problems.push({ ...origin, message: `bad host name ${show(name)}: expected letters, digits, '.', '-', '_'` });
    return false;
  }
  // A host may share its group's name (a `monitoring` host in the `monitoring` group), as in Ansible;
  // in patterns the group wins, which selects the same host.
  if (!inv.hostOrigin.has(name)) {
    inv.hosts.push(name);
    inv.hostOrigin.set(name, origin);
    inv.hostInline.set(name, { vars: {}, origins: {} });
  }
  g.hosts.add(name);
  inv.groups.get('all')!.hosts.add(name);
  return true;
}

/** A host of a host list (-i 'a,b:2222,'): in `ungrouped`, its port as ansible_port (Ansible's host_list plugin). */
export function hostListHost(inv: Inventory, name: string, port: number | undefined, origin: Origin, problems: InputProblem[]): void {
  if (!addHost(inv, name, group(inv, 'ungrouped'), origin, problems) || port === undefined) return;
  mergeLayer(inv.hostInline.get(name)!, { ansible_port: port }, () => origin);
}

function isPlainMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readYamlInventory(inv: Inventory, rel: string, file: string, problems: InputProblem[], vault: readonly VaultSecret[], before: readonly string[] = [], playbookDir?: string) {
  const { source, problems: p } = loadYaml(file, vault);
  problems.push(...p.map((x) => ({ ...x, file: rel })));
  if (!source) return;
  source.file = rel;
  const top = source.value;
  if (top === null || top === undefined) return;
  if (!isPlainMap(top)) {
    problems.push({ file: rel, ...locate(source, []), message: `expected a map of groups (all: {hosts, vars, children}), got ${show(top)}` });
    return;
  }
  // a plugin's configuration (Ansible's auto plugin: `plugin: constructed`): the plugin reads it
  if (typeof top.plugin === 'string') return readPluginInventory(inv, rel, file, problems, before, playbookDir);
  for (const [name, body] of Object.entries(top)) readYamlGroup(inv, source, name, body, [name], problems);
}

/** A source an inventory plugin reads (plugin-source.ts): its groups read as a YAML inventory's, named by the source. */
function readPluginInventory(inv: Inventory, rel: string, file: string, problems: InputProblem[], before: readonly string[] = [], playbookDir?: string) {
  const r = readPluginSource(file, before, playbookDir);
  for (const w of r.warnings) (inv.warnings ??= new Set()).add(w);
  if (r.error || !r.groups) {
    problems.push({ file: rel, line: 0, col: 0, message: r.error ?? 'no inventory' });
    return;
  }
  const { source, problems: p } = parseYaml(rel, JSON.stringify(r.groups));
  problems.push(...p);
  if (!source) return;
  for (const [name, body] of Object.entries(source.value as Record<string, unknown>)) readYamlGroup(inv, source, name, body, [name], problems);
}

const GROUP_KEYS = ['hosts', 'vars', 'children'];

function readYamlGroup(inv: Inventory, src: YamlSource, name: string, body: unknown, path: (string | number)[], problems: InputProblem[]) {
  const at = (p: (string | number)[], origin: 'key' | 'value' = 'value'): Origin => ({ file: src.file, ...locate(src, p, origin) });
  const g = group(inv, name);
  if (body === null || body === undefined) return;
  if (!isPlainMap(body)) {
    problems.push({ ...at(path), message: `group ${show(name)}: expected a map with hosts, vars, children, got ${show(body)}` });
    return;
  }
  for (const key of Object.keys(body)) {
    if (!GROUP_KEYS.includes(key)) problems.push({ ...at([...path, key], 'key'), message: `unknown key ${show(key)} in group ${show(name)}: expected one of ${GROUP_KEYS.join(', ')}` });
  }
  const { hosts, vars, children } = body as Record<string, unknown>;
  if (hosts !== undefined && hosts !== null) {
    if (!isPlainMap(hosts)) problems.push({ ...at([...path, 'hosts']), message: `hosts of ${show(name)}: expected a map of host names, got ${show(hosts)}` });
    else
      for (const [written, hv] of Object.entries(hosts)) {
        const names = expandHostRange(written);
        if ('error' in names) {
          problems.push({ ...at([...path, 'hosts', written], 'key'), message: `${names.error}: got ${show(written)}` });
          continue;
        }
        for (const h of names) {
          if (!addHost(inv, h, g, at([...path, 'hosts', written], 'key'), problems)) continue;
          if (hv === null || hv === undefined) continue;
          if (!isPlainMap(hv)) {
            problems.push({ ...at([...path, 'hosts', written]), message: `vars of host ${show(h)}: expected a map, got ${show(hv)}` });
            break;
          }
          mergeLayer(inv.hostInline.get(h)!, hv, (k) => at([...path, 'hosts', written, k]), textOf(src));
        }
      }
  }
  if (vars !== undefined && vars !== null) {
    if (!isPlainMap(vars)) problems.push({ ...at([...path, 'vars']), message: `vars of group ${show(name)}: expected a map, got ${show(vars)}` });
    else mergeLayer(g.inline, vars, (k) => at([...path, 'vars', k]), textOf(src));
  }
  if (children !== undefined && children !== null) {
    if (!isPlainMap(children)) problems.push({ ...at([...path, 'children']), message: `children of ${show(name)}: expected a map of groups, got ${show(children)}` });
    else
      for (const [c, cb] of Object.entries(children)) {
        addChild(inv, g, c, at([...path, 'children', c], 'key'));
        readYamlGroup(inv, src, c, cb, [...path, 'children', c], problems);
      }
  }
}

/** `text`: the class of the vars' strings (unsafe.ts): YAML_TEXT from a YAML file, none from INI or JSON. */
function mergeLayer(layer: VarLayer, vars: Record<string, unknown>, origin: (k: string) => Origin, text = 0) {
  for (const [k, v] of Object.entries(vars)) {
    // Ansible's Host/Group.set_variable: a dict over a dict combined as hash_behaviour says (a second source's host1)
    layer.vars[k] = Object.hasOwn(layer.vars, k) ? combineVars(layer.vars, { [k]: v })[k] : v;
    layer.origins[k] = origin(k);
    noteText(layer.vars, k, text);
  }
}

/** The class of a loaded file's strings: AnsibleUnicode from the YAML loader, str from json.loads. */
const textOf = (src: YamlSource) => (src.json ? 0 : YAML_TEXT);

function readVarsFile(file: string, problems: InputProblem[], vault: readonly VaultSecret[]): VarLayer | undefined {
  const { source, problems: p } = loadYaml(file, vault);
  problems.push(...p.map((x) => ({ ...x, file: relName(file) })));
  if (!source) return undefined;
  source.file = relName(file);
  const layer: VarLayer = { vars: {}, origins: {} };
  if (source.value === null || source.value === undefined) return layer;
  if (!isPlainMap(source.value)) {
    problems.push({ file: source.file, ...locate(source, []), message: `expected a map of variables, got ${show(source.value)}` });
    return undefined;
  }
  mergeLayer(layer, source.value, (k) => ({ file: source.file, ...locate(source, [k]) }), textOf(source));
  return layer;
}

function readIniInventory(inv: Inventory, rel: string, text: string, problems: InputProblem[]) {
  let section = { name: 'ungrouped', kind: 'hosts' as 'hosts' | 'vars' | 'children' };
  text.split('\n').forEach((rawLine, i) => {
    const line = rawLine.trim();
    const at = (col = 1): Origin => ({ file: rel, line: i + 1, col });
    if (!line || line.startsWith('#') || line.startsWith(';')) return;
    // a section header or a child group may end in a comment (Ansible's patterns allow `\s*#...`)
    const bare = line.replace(/\s*#.*$/, '');
    const head = bare.match(/^\[([^\]:\s]+)(?::(vars|children))?\]$/);
    if (head) {
      section = { name: head[1], kind: (head[2] as 'vars' | 'children') ?? 'hosts' };
      group(inv, section.name);
      return;
    }
    if (line.startsWith('[')) {
      problems.push({ ...at(), message: `bad section header ${show(line)}: expected [group], [group:vars] or [group:children]` });
      return;
    }
    const g = group(inv, section.name);
    if (section.kind === 'children') {
      addChild(inv, g, bare, at());
      group(inv, bare);
      return;
    }
    if (section.kind === 'vars') {
      // as Ansible: the rest of the line after the first `=`, read as a Python literal (`#...` included)
      const m = line.match(/^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/);
      if (!m) problems.push({ ...at(), message: `bad variable line ${show(line)}: expected name=value` });
      else mergeLayer(g.inline, { [m[1]]: pyLiteral(m[2]) }, () => at());
      return;
    }
    // a host line: words as shlex splits them (`x="a b"` is one), each value a Python literal
    const lead = rawLine.indexOf(line);
    const words = shlexWords(line);
    if (!words) {
      problems.push({ ...at(lead + 1), message: `host line ${show(line)} has a quote that is not closed: expected host name=value ...` });
      return;
    }
    if (!words.length) return;
    const [host, ...rest] = words;
    const names = expandHostRange(host.text);
    if ('error' in names) return void problems.push({ ...at(lead + host.at + 1), message: `${names.error}: got ${show(host.text)}` });
    for (const name of names) {
      if (!addHost(inv, name, g, at(lead + host.at + 1), problems)) return;
      for (const kv of rest) {
        const col = lead + kv.at + 1;
        const m = kv.text.match(/^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s);
        if (!m) problems.push({ ...at(col), message: `bad host variable ${show(kv.text)}: expected name=value` });
        else mergeLayer(inv.hostInline.get(name)!, { [m[1]]: pyLiteral(m[2]) }, () => at(col));
      }
    }
  });
}

/** Where each `parent -> child` link was written: a cycle is reported at the link that closes it. */
const childOrigins = new WeakMap<Inventory, Map<string, Origin>>();
const link = (parent: string, child: string) => `${parent}\u0000${child}`;

function addChild(inv: Inventory, g: Group, written: string, origin: Origin) {
  const child = safeGroupName(written).name;
  g.children.add(child);
  let origins = childOrigins.get(inv);
  if (!origins) childOrigins.set(inv, (origins = new Map()));
  if (!origins.has(link(g.name, child))) origins.set(link(g.name, child), origin);
}

function checkCycles(inv: Inventory, problems: InputProblem[]) {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const at = childOrigins.get(inv)?.get(link(trail[trail.length - 1], name)) ?? { file: 'inventory', line: 0, col: 0 };
      problems.push({ ...at, message: `group cycle: ${[...trail, name].join(' -> ')}: expected children that do not contain their parent` });
      return;
    }
    state.set(name, 'visiting');
    for (const c of inv.groups.get(name)?.children ?? []) if (c !== name || name !== 'all') visit(c, [...trail, name]);
    state.set(name, 'done');
  };
  for (const name of inv.groups.keys()) visit(name, []);
}
