// Mutations of a valid World: each breaks one thing a person (or an attacker) could write, and says
// where the refusal must point: the file, and the line when the mistake sits on one line.
import fc from 'fast-check';
import { pathKey, Raw, rawKey, type Path } from './emit.ts';
import { EXTRA_FILE, INV_DIR, inventoryIni, inventoryTree, invFile, PLAYBOOK, UNKNOWN_VAR, write, type Vars, type World, type Written } from './world.ts';

export interface Expect {
  /** a file of the case (relative), or an option name: -e, --limit */
  file: string;
  line?: number;
  message?: RegExp;
}

export interface Mutant {
  what: string;
  written: Written;
  expect: Expect;
}

/** Bytes that are not UTF-8, put in place of this marker when the file is written. */
export const BAD_BYTES_MARK = '@@not-utf8@@';
export const BAD_BYTES = [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80]];

const pick = <T>(xs: readonly T[], n: number): T => xs[n % xs.length];
const clone = <T>(x: T): T => structuredClone(x);

/** Random choices as plain numbers: mutations stay deterministic functions of them (and shrink). */
export interface Dice {
  a: number;
  b: number;
  c: number;
}
const dice: fc.Arbitrary<Dice> = fc.record({ a: fc.nat(1000), b: fc.nat(1000), c: fc.nat(1000) });

type Change = { path: Path; message?: RegExp; line?: false } | undefined;

/** Sets the value at `path` (creating maps on the way), keeping key order. */
function setIn(tree: unknown, path: Path, value: unknown) {
  let node = tree as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) {
    if (node[k] === null || typeof node[k] !== 'object') node[k] = {};
    node = node[k] as Record<string | number, unknown>;
  }
  node[path[path.length - 1]] = value;
}

function getIn(tree: unknown, path: Path): unknown {
  return path.reduce<unknown>((n, k) => (n && typeof n === 'object' ? (n as Record<string | number, unknown>)[k] : undefined), tree);
}

/** Replaces key `from` of a map by `to` at the same place. */
function renameKey(map: Vars, from: string, to: string, value = map[from]) {
  const entries = Object.entries(map).map(([k, v]) => (k === from ? [to, value] : [k, v]));
  for (const k of Object.keys(map)) delete map[k];
  Object.assign(map, Object.fromEntries(entries));
}

/** Paths of every leaf (scalar or empty collection) of a tree. */
export function leaves(tree: unknown, path: Path = []): Path[] {
  if (tree && typeof tree === 'object' && !(tree instanceof Raw)) {
    const entries: [string | number, unknown][] = Array.isArray(tree) ? tree.map((x, i) => [i, x]) : Object.entries(tree);
    if (entries.length) return entries.flatMap(([k, v]) => leaves(v, [...path, k]));
  }
  return path.length ? [path] : [];
}

/** Paths of every map with at least one key (where a key can be added). */
function maps(tree: unknown, path: Path = []): Path[] {
  if (!tree || typeof tree !== 'object' || tree instanceof Raw) return [];
  const entries: [string | number, unknown][] = Array.isArray(tree) ? tree.map((x, i) => [i, x]) : Object.entries(tree);
  const own = !Array.isArray(tree) && entries.length ? [path] : [];
  return [...own, ...entries.flatMap(([k, v]) => maps(v, [...path, k]))];
}

const SHORT_KEY: Record<string, string> = { file: 'path', command: 'cmd', shell: 'cmd', debug: 'msg', 'wait-http': 'url' };
const META = ['name', 'notify', 'when', 'register', 'check_mode', 'no_log', 'ignore_errors', 'changed_when', 'failed_when'];

/** Paths of the tasks of a playbook; adds one when there is none. */
function taskPaths(plays: Vars[]): Path[] {
  const out: Path[] = [];
  plays.forEach((p, i) =>
    (['tasks', 'handlers'] as const).forEach((s) => ((p[s] as unknown[]) ?? []).forEach((t, j) => t && typeof t === 'object' && out.push([i, s, j]))),
  );
  if (out.length) return out;
  (plays[0].tasks as unknown[]).push({ name: 'added', debug: { msg: 'x' } });
  return [[0, 'tasks', (plays[0].tasks as unknown[]).length - 1]];
}

const typeOf = (task: Vars): string => Object.keys(task).find((k) => !META.includes(k))!;

/** The params of a task as a map (a short form is expanded); returns their path. */
function paramsMap(plays: Vars[], t: Path): { task: Vars; type: string; params: Vars; at: Path } {
  const task = getIn(plays, t) as Vars;
  const type = typeOf(task);
  if (typeof task[type] !== 'object' || task[type] === null) task[type] = { [SHORT_KEY[type]]: task[type] };
  return { task, type, params: task[type] as Vars, at: [...t, type] };
}

/** A string param of the task that accepts text, made a template by `make`. */
function stringParam(plays: Vars[], t: Path, make: (prefix: string) => string): Path {
  const task = getIn(plays, t) as Vars;
  const type = typeOf(task);
  const prefix = { file: '/x/', content: '/x/', line: '/x/', command: 'echo ', shell: 'echo ', debug: 'm ', 'wait-http': 'http://h/' }[type] ?? '';
  if (typeof task[type] === 'string') {
    task[type] = make(prefix);
    return [...t, type];
  }
  const key = { file: 'path', content: 'path', line: 'path', command: 'cmd', shell: 'cmd', debug: 'msg', 'wait-http': 'url' }[type]!;
  const params = task[type] as Vars;
  if (type === 'command' && 'argv' in params) {
    delete params.argv;
  }
  params[key] = make(prefix);
  return [...t, type, key];
}

// (a filter or test nothing provides is no refusal: Ansible fails the task when it renders, and so does skiff)
const BAD_TEMPLATES = ['{{ }}', '{{ ( }}', "{{ 'x }}", '{{ x. }}', '{{ [1, }}', '{{ 1 == }}', '{{ ) }}', '{{ 1 2 }}'];
/** Names no scope defines, some of them inherited by every JavaScript object. */
const UNKNOWN_NAMES = [UNKNOWN_VAR, 'constructor', 'toString', '__proto__', 'valueOf', 'hasOwnProperty'];

/** Mistakes in the playbook's meaning: the YAML is fine, skiff's rules are not. */
const PLAYBOOK_MUTATIONS: Record<string, (plays: Vars[], d: Dice) => Change> = {
  'unknown play key': (plays, d) => {
    const i = d.a % plays.length;
    plays[i].taks = [];
    return { path: [i, 'taks'], message: /unknown parameter "taks" for a play/ };
  },
  'play without hosts': (plays, d) => {
    const i = d.a % plays.length;
    delete plays[i].hosts;
    if (!Object.keys(plays[i]).length) plays[i].tasks = [];
    return { path: [i], message: /hosts: missing required parameter/ };
  },
  // (a play's hosts: that match nothing are Ansible's warning and no host, not a mistake to refuse)
  'bad play var name': (plays, d) => {
    const i = d.a % plays.length;
    plays[i].vars = { ...(plays[i].vars as Vars), [pick(['my-var', '1st', 'a b', 'ä'], d.b)]: 1 };
    return { path: [i, 'vars', pick(['my-var', '1st', 'a b', 'ä'], d.b)] };
  },
  'bad serial': (plays, d) => {
    const i = d.a % plays.length;
    plays[i].serial = pick([0, -1, 1.5, 'all', '30', '%'], d.b);
    return { path: [i, 'serial'] };
  },
  'bad play become': (plays, d) => {
    const i = d.a % plays.length;
    // a list or a map; text or a number that is no boolean (`maybe`, 2) fails each task when it runs, as
    // Ansible's post-validation does, and is not refused before the run
    plays[i].become = pick([new Raw('[true]'), new Raw('{on: 1}')], d.b);
    return { path: [i, 'become'] };
  },
  'tasks not a list': (plays, d) => {
    const i = d.a % plays.length;
    // flow style keeps a wrong list or map on the key's line, where the refusal points
    plays[i].tasks = pick(['x', 1, new Raw('{debug: x}')], d.b);
    return { path: [i, 'tasks'] };
  },
  'task not a map': (plays, d) => {
    const t = pick(taskPaths(plays), d.a);
    setIn(plays, t, pick(['just text', 1, new Raw('[debug, x]'), true], d.b));
    return { path: t, message: /expected a task/ };
  },
  'unknown task type': (plays, d) => {
    // shell and copy are Ansible module names skiff runs (tasks/ansible/): misspelled here
    const t = pick(taskPaths(plays), d.a);
    const task = getIn(plays, t) as Vars;
    const to = pick(['shel', 'comand', 'contnet', 'file_', 'Debug', 'wait_http', 'kopy', 'items', 'looop'], d.b);
    renameKey(task, typeOf(task), to);
    return { path: [...t, to], message: /unknown task type/ };
  },
  'two task types': (plays, d) => {
    const t = pick(taskPaths(plays), d.a);
    const task = getIn(plays, t) as Vars;
    const second = typeOf(task) === 'debug' ? 'file' : 'debug';
    task[second] = second === 'file' ? '/tmp/x' : 'x';
    return { path: [...t, second], message: /more than one task type/ };
  },
  'no task type': (plays, d) => {
    const t = pick(taskPaths(plays), d.a);
    const task = getIn(plays, t) as Vars;
    delete task[typeOf(task)];
    if (!Object.keys(task).length) task.name = 'lonely';
    return { path: t, message: /task has no task type/ };
  },
  'unknown param': (plays, d) => {
    // an Ansible module's unknown parameter fails its task when it runs, as Ansible's does
    // (src/playbook/unsupported-params.ts): skiff's own types refuse one when the playbook loads
    const own = taskPaths(plays).filter((t) => ['content', 'line', 'wait-http'].includes(typeOf(getIn(plays, t) as Vars)));
    if (!own.length) return undefined;
    const p = paramsMap(plays, pick(own, d.a));
    const k = pick(['mdoe', 'pth', 'state_', 'become', 'args'], d.b);
    p.params[k] = 'x';
    return { path: [...p.at, k], message: new RegExp(`unknown parameter "${k}"`) };
  },
  'param of the wrong type': (plays, d) => {
    const p = paramsMap(plays, pick(taskPaths(plays), d.a));
    const [k, v] = (
      {
        file: ['mode', pick([644, '999', 'rw', true], d.b)],
        content: ['content', pick([new Raw('[1]'), new Raw('{a: 1}'), 42], d.b)],
        line: ['create', pick(['maybe', 2, []], d.b)],
        // (an empty chdir is no chdir to Ansible's command: not a mutation)
        command: ['chdir', pick([new Raw('[1]'), new Raw('{a: 1}')], d.b)],
        shell: ['executable', pick(['sh', new Raw('[1]'), 'bin/bash'], d.b)],
        // (Ansible's debug prints a msg of any shape)
        debug: ['verbosity', pick(['loud', new Raw('[1]'), new Raw('{a: 1}')], d.b)],
        'wait-http': ['status', pick(['ok', new Raw('[true]'), new Raw('{a: 1}')], d.b)],
      } as Record<string, [string, unknown]>
    )[p.type];
    p.params[k] = v;
    // debug: a msg of null is caught as "missing"; the position is the same
    return { path: [...p.at, k] };
  },
  'relative path': (plays, d) => {
    const p = paramsMap(plays, pick(taskPaths(plays), d.a));
    const rel = pick(['srv/data', 'x', './a', '~/b', ''], d.b);
    // skiff's own types take absolute paths only; Ansible's modules take relative, ~ and $VAR ones
    // (the host resolves them at run time, as Ansible's type='path'), so they are not mutated here
    const k = ['content', 'line'].includes(p.type) ? 'path' : undefined;
    if (!k) {
      renameKey(p.task, p.type, 'line', { path: rel, line: 'x' });
      return { path: [...p.at.slice(0, -1), 'line', 'path'], message: /absolute path/ };
    }
    p.params[k] = rel;
    return { path: [...p.at, k], message: /absolute path/ };
  },
  'unknown variable in a param': (plays, d) => {
    const name = pick(UNKNOWN_NAMES, d.b);
    const t = pick(taskPaths(plays), d.a);
    // under a `when` that is already false an unset variable is Ansible's guard idiom, accepted
    delete (getIn(plays, t) as Vars).when;
    const at = stringParam(plays, t, (prefix) => `${prefix}{{ ${name} }}`);
    return { path: at, message: new RegExp(`unknown variable "${name}"`) };
  },
  'bad template in a param': (plays, d) => {
    const at = stringParam(plays, pick(taskPaths(plays), d.a), (prefix) => prefix + pick(BAD_TEMPLATES, d.b));
    return { path: at };
  },
  'bad when': (plays, d) => {
    const t = pick(taskPaths(plays), d.a);
    const e = pick([`${UNKNOWN_VAR} == 1`, 'x ==', '(', 'toString', '1 2'], d.b);
    setIn(plays, [...t, 'when'], e);
    return { path: [...t, 'when'], message: /when: / };
  },
  'bad register': (plays, d) => {
    const t = pick(taskPaths(plays), d.a);
    setIn(plays, [...t, 'register'], pick(['my-result', '1x', 'a.b', ''], d.b));
    return { path: [...t, 'register'], message: /register: got/ };
  },
  'bad meta type': (plays, d) => {
    const t = pick(taskPaths(plays), d.a);
    const k = pick(['no_log', 'ignore_errors', 'check_mode'], d.b);
    // text or a number that is no boolean fails the task when it runs (Ansible's post-validation): not these
    setIn(plays, [...t, k], pick([new Raw('[x]'), new Raw('{a: 1}'), new Raw('[]')], d.c));
    return { path: [...t, k] };
  },
};

/** Mistakes of YAML itself (or attacks on the parser), possible in any YAML file. */
// !unsafe and !!binary are read (Ansible's): what is refused of them is !!binary text that is no base64
const TAGS = ['!!python/object:os.system ["ls"]', '!!python/name:os.system', '!!binary "not base64!"', '!!set {a, b}', '!!omap [{a: 1}]', '!!timestamp 2001-12-14', '!!int abc', '!!map [1]', '!foo bar', '!<tag:yaml.org,2002:js/function> "x"'];
/**
 * `!vault` on what is no text, the one `!vault` Ansible refuses when it loads a file: vault text it cannot
 * decrypt (no password, a wrong one, no vault text at all) fails only the task that uses it.
 */
const VAULT_VALUES: [string, RegExp][] = [
  ['!vault [1, 2]', /tag !vault on a list or map/],
  ['!vault {a: 1}', /tag !vault on a list or map/],
];
const CONTROL = ['\u0000', '\u0001', '\u0007', '\u0008', '\u000b', '\u000c', '\u001b', '\u001f', '\u007f', '\u0080', '\u009f', '\ufffe'];

const YAML_MUTATIONS: Record<string, (tree: unknown, d: Dice) => Change> = {
  'alias to an unknown anchor': (tree, d) => {
    const at = pick(leaves(tree), d.a);
    if (!at) return undefined;
    setIn(tree, at, new Raw(pick(['*nothere', '*a', '*x1'], d.b)));
    return { path: at, message: /nothere|"a"|x1|anchor/ };
  },
  'alias inside its own anchor': (tree, d) => {
    const at = pick(leaves(tree), d.a);
    if (!at) return undefined;
    setIn(tree, at, new Raw(pick(['&self [1, *self]', '&m {k: *m}', '&n [[[*n]]]'], d.b)));
    return { path: at };
  },
  'unknown tag': (tree, d) => {
    const at = pick(leaves(tree), d.a);
    if (!at) return undefined;
    setIn(tree, at, new Raw(pick(TAGS, d.b)));
    return { path: at, message: /tag/ };
  },
  // `!vault` is read (ansible-vault values), so what is wrong is what follows it
  '!vault on a list or map': (tree, d) => {
    const at = pick(leaves(tree), d.a);
    if (!at) return undefined;
    const [text, message] = pick(VAULT_VALUES, d.b);
    setIn(tree, at, new Raw(text));
    return { path: at, message };
  },
  'merge of a non-map': (tree, d) => {
    const m = pick(maps(tree), d.a);
    if (!m) return undefined;
    setIn(tree, [...m, rawKey('<<')], new Raw(pick(['5', '[1, 2]', '"text"', '*nothere', '[{a: 1}, 3]', '&s [*s]', 'null'], d.b)));
    return { path: [...m, rawKey('<<')] };
  },
  'collection as a key': (tree, d) => {
    const m = pick(maps(tree), d.a);
    if (!m) return undefined;
    const k = pick(['[a, b]', '{a: 1}', '&k [x]'], d.b);
    setIn(tree, [...m, rawKey(k)], 1);
    return { path: [...m, rawKey(k)] };
  },
  'control character': (tree, d) => {
    const at = pick(leaves(tree), d.a);
    if (!at) return undefined;
    const c = pick(CONTROL, d.b);
    setIn(tree, at, new Raw(pick([`"a${c}b"`, `a${c}b`, `'${c}'`], d.c)));
    return { path: at, message: /U\+/ };
  },
  'bytes that are not UTF-8': (tree, d) => {
    const at = pick(leaves(tree), d.a);
    if (!at) return undefined;
    setIn(tree, at, new Raw(pick([`"a${BAD_BYTES_MARK}b"`, `x${BAD_BYTES_MARK}`, `# ${BAD_BYTES_MARK}\n`], d.b).replace('\n', ' ')));
    return { path: at, message: /UTF-8/ };
  },
  'alias bomb': (tree, d) => {
    const m = pick(maps(tree), d.a);
    if (!m) return undefined;
    const fan = 5 + (d.b % 6);
    const levels = 6 + (d.c % 5);
    setIn(tree, [...m, 'b0'], new Raw(`&b0 [${Array(fan).fill('x').join(', ')}]`));
    for (let i = 1; i < levels; i++) setIn(tree, [...m, `b${i}`], new Raw(`&b${i} [${Array(fan).fill(`*b${i - 1}`).join(', ')}]`));
    return { path: [...m, 'b0'], line: false, message: /alias/ };
  },
  'merge bomb': (tree, d) => {
    const m = pick(maps(tree), d.a);
    if (!m) return undefined;
    const levels = 6 + (d.b % 8);
    const keys = (v: (i: number) => string) => `{${Array.from({ length: 10 }, (_, i) => `k${i}: ${v(i)}`).join(', ')}}`;
    setIn(tree, [...m, 'm0'], new Raw(`&m0 ${keys(String)}`));
    for (let i = 1; i < levels; i++) setIn(tree, [...m, `m${i}`], new Raw(`&m${i} ${keys(() => `*m${i - 1}`)}`));
    setIn(tree, [...m, rawKey('<<')], new Raw(`*m${levels - 1}`));
    return { path: [...m, 'm0'], line: false };
  },
  'nested too deeply': (tree, d) => {
    const at = pick(leaves(tree), d.a);
    if (!at) return undefined;
    const n = 101 + (d.b % 3000);
    setIn(tree, at, new Raw(d.c % 2 ? `${'['.repeat(n)}1${']'.repeat(n)}` : `${'{a: '.repeat(n)}1${'}'.repeat(n)}`));
    return { path: at, message: /nested/ };
  },
  'unclosed flow collection': (tree, d) => {
    const at = pick(leaves(tree), d.a);
    if (!at) return undefined;
    setIn(tree, at, new Raw(pick(['[unclosed', '{a: 1', '[a, {b: ]'], d.b)));
    return { path: at, line: false, message: /YAML syntax error/ };
  },
  'unclosed quote': (tree, d) => {
    const at = pick(leaves(tree), d.a);
    if (!at) return undefined;
    setIn(tree, at, new Raw(pick(['"unclosed', "'unclosed"], d.b)));
    return { path: at, line: false, message: /YAML syntax error/ };
  },
};

/** Text-level breakage: where the file's text, not its tree, is wrong. */
const TEXT_MUTATIONS: Record<string, (text: string, d: Dice) => { text: string; line?: number; message?: RegExp } | undefined> = {
  'tab indentation': (text, d) => {
    const lines = text.split('\n');
    const indented = lines.map((l, i) => [l, i] as const).filter(([l]) => /^ +\S/.test(l));
    if (!indented.length) return undefined;
    const [, i] = pick(indented, d.a);
    lines[i] = lines[i].replace(/^ +/, (s) => '\t' + s.slice(2));
    return { text: lines.join('\n'), message: /YAML syntax error|tab/i };
  },
  'two documents': (text) => ({ text: text + '---\nsecond: 1\n', line: text.split('\n').length, message: /multiple documents|YAML syntax error/ }),
  'directive after content': (text) => ({ text: text + '%YAML 1.2\n', message: /YAML syntax error/ }),
};

// ---- putting a mutation into a World ----

interface Target {
  file: string;
  tree: unknown;
  write: (w: World, tree: unknown) => Written;
}

/** The YAML files of a world, each with its tree and how to write the world with that tree changed. */
function yamlTargets(w: World): Target[] {
  const out: Target[] = [{ file: PLAYBOOK, tree: w.plays, write: (w, t) => write(w, { playbookTree: t }) }];
  if (w.format === 'yaml') out.push({ file: invFile(w), tree: inventoryTree(w), write: (w, t) => write(w, { inventoryTree: t }) });
  for (const g of Object.keys(w.groupVarsFiles)) out.push({ file: `${INV_DIR}/group_vars/${g}.yml`, tree: w.groupVarsFiles[g], write: (w, t) => write({ ...w, groupVarsFiles: { ...w.groupVarsFiles, [g]: t as Vars } }) });
  for (const h of Object.keys(w.hostVarsFiles)) out.push({ file: `${INV_DIR}/host_vars/${h}.yml`, tree: w.hostVarsFiles[h], write: (w, t) => write({ ...w, hostVarsFiles: { ...w.hostVarsFiles, [h]: t as Vars } }) });
  // -e @extra.yml: given one when the world has none
  const extraFile = w.extraFile ?? { ef_a: 1 };
  const extra = w.extraFile ? w.extra : [...w.extra, `@${EXTRA_FILE}`];
  out.push({ file: EXTRA_FILE, tree: extraFile, write: (w, t) => write({ ...w, extra, extraFile: t as Vars }) });
  return out;
}

function located(written: Written, file: string, change: NonNullable<Change>): Expect {
  const line = change.line === false ? undefined : written.lines[file]?.get(pathKey(change.path));
  if (change.line !== false && line === undefined) throw new Error(`mutation path ${pathKey(change.path)} not written in ${file}`);
  return { file, line, message: change.message };
}

/** So that every host is contacted, and so checked: the first play on all hosts, no --limit. */
function everyHostUsed(w: World): World {
  const plays = clone(w.plays);
  plays[0].hosts = 'all';
  return { ...w, plays, limit: undefined };
}

function playbookMutant(w: World, kind: string, d: Dice): Mutant | undefined {
  const plays = clone(w.plays);
  const change = PLAYBOOK_MUTATIONS[kind](plays, d);
  if (!change) return undefined;
  // a task is checked against each host it runs on: the changed play runs on all of them
  const i = change.path[0];
  if (typeof i === 'number' && plays[i] && typeof plays[i] === 'object' && 'hosts' in plays[i]) plays[i].hosts = 'all';
  const written = write({ ...w, limit: undefined }, { playbookTree: plays });
  return { what: `playbook: ${kind}`, written, expect: located(written, PLAYBOOK, change) };
}

function yamlMutant(w: World, kind: string, d: Dice): Mutant | undefined {
  const target = pick(yamlTargets(w), d.c);
  const tree = clone(target.tree);
  const change = YAML_MUTATIONS[kind](tree, d);
  if (!change) return undefined;
  const written = target.write(w, tree);
  return { what: `${target.file}: ${kind}`, written, expect: located(written, target.file, change) };
}

function textMutant(w: World, kind: string, d: Dice): Mutant | undefined {
  const target = pick(yamlTargets(w), d.c);
  const written = target.write(w, target.tree);
  const r = TEXT_MUTATIONS[kind](String(written.files[target.file]), d);
  if (!r) return undefined;
  written.files[target.file] = r.text;
  return { what: `${target.file}: ${kind}`, written, expect: { file: target.file, line: r.line, message: r.message } };
}

/** Host (or group) vars where a host's own settings are written in the YAML inventory tree. */
function hostVarsIn(tree: Vars, host: string): { vars: Vars; path: Path } {
  const all = tree.all as Vars;
  const spots: Path[] = [['all', 'hosts', host], ...Object.keys((all.children as Vars) ?? {}).map((g) => ['all', 'children', g, 'hosts', host])];
  const path = spots.find((p) => { const v = getIn(tree, p); return v !== null && typeof v === 'object'; })!;
  return { vars: getIn(tree, path) as Vars, path };
}

const CONN_BREAKS: [string, unknown[]][] = [
  ['port', [70000, 0, 'ssh', -1, 1.5, '22']],
  ['connection', ['telnet', 'SSH', 1]],
  ['become', ['maybe', 'yes please', 2]],
  ['address', ['', 42, new Raw('[a]')]],
  ['connect_timeout', [0, 'soon']],
  ['ansible_port', ['x', 99999]],
];

const INVENTORY_MUTATIONS: Record<string, (w: World, tree: Vars, d: Dice) => { change: Change; world?: World }> = {
  'unknown group key': (w, tree, d) => {
    const groups = Object.keys(((tree.all as Vars).children as Vars) ?? {});
    const k = pick(['hsots', 'var', 'childs', 'host'], d.b);
    const path: Path = groups.length && d.a % 2 ? ['all', 'children', pick(groups, d.a), k] : ['all', k];
    setIn(tree, path, {});
    return { change: { path, message: /unknown key/ } };
  },
  'bad host setting': (w, tree, d) => {
    const h = pick(w.hosts, d.a).name;
    const { vars, path } = hostVarsIn(tree, h);
    const [k, vs] = pick(CONN_BREAKS, d.b);
    // ansible_port counts only where port is not set
    if (k === 'ansible_port') delete vars.port;
    vars[k] = pick(vs, d.c);
    return { change: { path: [...path, k], message: new RegExp(`host ${h.replace(/\./g, '\\.')}: `) }, world: everyHostUsed(w) };
  },
  'bad host name': (w, tree, d) => {
    const { path } = hostVarsIn(tree, pick(w.hosts, d.a).name);
    const bad = pick(['bad host', 'h/1', 'h@x', 'ä', 'h;rm'], d.b);
    renameKey(getIn(tree, path.slice(0, -1)) as Vars, String(path[path.length - 1]), bad);
    return { change: { path: [...path.slice(0, -1), bad], message: /bad host name/ } };
  },
  'unknown variable in an inventory var': (w, tree, d) => {
    const name = pick(UNKNOWN_NAMES, d.b);
    // a name of its own: a group's var of the same name would hide it from every host
    const k = 'tmpl_a';
    setIn(tree, ['all', 'vars', k], `x{{ ${name} }}`);
    return { change: { path: ['all', 'vars', k], message: new RegExp(`unknown variable "${name}"`) } };
  },
  'not a map': (w, tree, d) => {
    const groups = Object.keys(((tree.all as Vars).children as Vars) ?? {});
    const path: Path = pick([['all', 'hosts'], ['all', 'vars'], ['all', 'children'], ...groups.map((g) => ['all', 'children', g])], d.a);
    setIn(tree, path, pick(['x', new Raw('[h1]'), 5], d.b));
    return { change: { path, message: /expected a map/ } };
  },
  'group cycle': (w, tree, d) => {
    const children = (((tree.all as Vars).children ??= {}) as Vars);
    const parents = w.groups.filter((g) => g.children.length);
    if (!parents.length || d.b % 3 === 0) {
      // a group that holds itself
      setIn(tree, ['all', 'children', 'loop_g'], { children: { loop_g: null } });
      return { change: { path: ['all', 'children', 'loop_g', 'children', 'loop_g'], line: false, message: /cycle/ } };
    }
    const p = pick(parents, d.a);
    const c = pick(p.children, d.c);
    const body = (children[c] && typeof children[c] === 'object' ? children[c] : (children[c] = {})) as Vars;
    body.children = { ...((body.children as Vars) ?? {}), [p.name]: null };
    return { change: { path: ['all', 'children', c, 'children', p.name], line: false, message: /cycle/ } };
  },
};

function inventoryMutant(w: World, kind: string, d: Dice): Mutant | undefined {
  if (w.format !== 'yaml') return undefined;
  const tree = clone(inventoryTree(w));
  if (kind === 'inventory not a map') {
    const written = write(w, { inventoryTree: pick([['all', 'x'], 'just text', 42], d.a) });
    return { what: `inventory: ${kind}`, written, expect: { file: invFile(w), line: 1, message: /expected a map of groups/ } };
  }
  const { change, world } = INVENTORY_MUTATIONS[kind](w, tree, d);
  if (!change) return undefined;
  const written = write(world ?? w, { inventoryTree: tree });
  return { what: `inventory: ${kind}`, written, expect: located(written, invFile(w), change) };
}

/** vars files beside the inventory that name nothing, or are not maps. */
function varsFileMutant(w: World, kind: string, d: Dice): Mutant | undefined {
  const file = (dir: string, name: string) => `${INV_DIR}/${dir}/${name}.yml`;
  if (kind === 'group_vars for an unknown group') {
    const g = pick(['promethues', 'nosuch', 'all_'], d.a);
    return { what: kind, written: write({ ...w, groupVarsFiles: { ...w.groupVarsFiles, [g]: { x: 1 } } }), expect: { file: file('group_vars', g), line: 1, message: /unknown group/ } };
  }
  if (kind === 'host_vars for an unknown host') {
    const h = pick(['h9', 'nohost', 'H1'], d.a);
    return { what: kind, written: write({ ...w, hostVarsFiles: { ...w.hostVarsFiles, [h]: { x: 1 } } }), expect: { file: file('host_vars', h), line: 1, message: /unknown host/ } };
  }
  const g = 'all';
  return { what: kind, written: write({ ...w, groupVarsFiles: { ...w.groupVarsFiles, [g]: pick([['a'], 'text', 3], d.a) as unknown as Vars } }), expect: { file: file('group_vars', g), line: 1, message: /expected a map of variables/ } };
}

/** INI inventory lines a person could get wrong. */
const INI_MUTATIONS: Record<string, (lines: string[], w: World, d: Dice) => { line: number; message?: RegExp; world?: World }> = {
  'bad section header': (lines, w, d) => {
    const at = d.a % (lines.length + 1);
    lines.splice(at, 0, pick(['[web:varz]', '[web', '[]', '[:vars]', '[a]b'], d.b));
    return { line: at + 1, message: /bad section header/ };
  },
  'bad host variable': (lines, w, d) => {
    const hostLines = lines.map((l, i) => [l, i] as const).filter(([l]) => /^[^\[=\s]+ \S+=/.test(l));
    if (!hostLines.length) {
      lines.unshift(`hx ${pick(['port:22', '=1', '1a=2', 'a-b=1'], d.b)}`);
      return { line: 1, message: /bad host variable/ };
    }
    const [, i] = pick(hostLines, d.a);
    lines[i] += ' ' + pick(['port:22', '=1', '1a=2', 'a-b=1'], d.b);
    return { line: i + 1, message: /bad host variable/ };
  },
  'bad vars line': (lines, w, d) => {
    lines.push('[all:vars]', pick(['novalue', '1x=2', '=3', 'a b=1'], d.a));
    return { line: lines.length, message: /bad variable line/ };
  },
  'bad host name': (lines, w, d) => {
    lines.unshift(pick(['bad/host', 'h@x', 'ä', 'h;rm', 'a{b}'], d.a));
    return { line: 1, message: /bad host name/ };
  },
  'bad host setting': (lines, w, d) => {
    const [k, v] = pick([['port', 'abc'], ['port', '70000'], ['become', 'maybe'], ['connection', 'telnet'], ['connect_timeout', '0']], d.a);
    lines.unshift(`hbad address=192.0.2.9 ${k}=${v}`);
    return { line: 1, message: /host hbad: /, world: everyHostUsed(w) };
  },
  'unknown variable in an inventory var': (lines, w, d) => {
    const name = pick(UNKNOWN_NAMES, d.a);
    lines.push('[all:vars]', `tmpl_a={{${name}}}`);
    return { line: lines.length, message: new RegExp(`unknown variable "${name}"`) };
  },
  'group cycle': (lines, w, d) => {
    const [a, b] = pick([['ca', 'cb'], ['loop', 'loop']], d.a);
    lines.push(`[${a}:children]`, b, `[${b}:children]`, a);
    return { line: 0, message: /cycle/ };
  },
  'control character': (lines, w, d) => {
    lines.unshift(`hc address=a${pick(CONTROL, d.a)}b`);
    return { line: 1, message: /U\+/ };
  },
  'bytes that are not UTF-8': (lines, w, d) => {
    lines.unshift(`hb${BAD_BYTES_MARK} address=x`);
    return { line: 1, message: /UTF-8/ };
  },
};

function iniMutant(w: World, kind: string, d: Dice): Mutant | undefined {
  if (w.format !== 'ini') return undefined;
  // an empty inventory is one empty line: none, so a line added is line 1
  const lines = inventoryIni(w).replace(/\n$/, '').split('\n').filter((l) => l !== '');
  const r = INI_MUTATIONS[kind](lines, w, d);
  const written = write(r.world ?? w, { ini: lines.join('\n') + '\n' });
  return { what: `ini: ${kind}`, written, expect: { file: invFile(w), line: r.line || undefined, message: r.message } };
}

/** -e and --limit: the command line's own mistakes, reported against the option. */
function argvMutant(w: World, kind: string, d: Dice): Mutant | undefined {
  const written = write(w);
  switch (kind) {
    // no -e key=value is refused: text with no = is Ansible's _raw_params, a key no name reads (1x, a.b)
    // is vars['a.b'], an empty -e is nothing (each a warning at most, as Ansible runs them): no mutation
    case '-e bad JSON':
      // read as YAML, as Ansible reads it: `{a: 1}` and `{'a': 1}` are objects there
      written.extraVars = [...written.extraVars, pick(['{"a": ', '{"a": [}', '{}}'], d.a)];
      return { what: kind, written, expect: { file: '-e', message: /expected a JSON \(or YAML\) object/ } };
    case '-e missing file':
      written.extraVars = [...written.extraVars, '@missing.yml'];
      return { what: kind, written, expect: { file: 'missing.yml', message: /cannot read/ } };
    case '-e file not a map':
      written.files['list.yml'] = pick(['- a\n', 'text\n', '42\n'], d.a);
      written.extraVars = [...written.extraVars, '@list.yml'];
      return { what: kind, written, expect: { file: 'list.yml', line: 1, message: /expected a map of variables/ } };
    case '--limit unknown':
      // (all:nosuch is Ansible's warning and runs on all: not a mistake to refuse)
      written.limit = pick(['nosuchhost', 'h1x', 'zz*', '!nosuch', ':', ',', ' '], d.a);
      return { what: kind, written, expect: { file: '--limit', message: /unknown host or group|empty host pattern|leaves us with no hosts/ } };
    case '--limit file with an unknown name': {
      // only unknown names: with a known one beside them, Ansible warns and runs on it
      const lines = ['# hosts to retry', ...(d.a % 2 ? ['nosuchhost'] : ['nosuchhost', 'zz_unknown'])];
      written.files['limit.retry'] = lines.join('\n') + '\n';
      written.limit = '@limit.retry';
      return { what: kind, written, expect: { file: 'limit.retry', line: lines.indexOf('nosuchhost') + 1, message: /unknown host or group "nosuchhost"/ } };
    }
    case '--limit missing file':
      written.limit = '@nope.retry';
      return { what: kind, written, expect: { file: 'nope.retry', message: /cannot read limit file/ } };
  }
  return undefined;
}

// Every kind, by family; the property picks a family, then a kind, then where.
const FAMILIES: [string[], (w: World, kind: string, d: Dice) => Mutant | undefined][] = [
  [Object.keys(PLAYBOOK_MUTATIONS), playbookMutant],
  [Object.keys(YAML_MUTATIONS), yamlMutant],
  [Object.keys(TEXT_MUTATIONS), textMutant],
  [[...Object.keys(INVENTORY_MUTATIONS), 'inventory not a map'], inventoryMutant],
  [['group_vars for an unknown group', 'host_vars for an unknown host', 'vars file not a map'], varsFileMutant],
  [Object.keys(INI_MUTATIONS), iniMutant],
  [['-e bad JSON', '-e missing file', '-e file not a map', '--limit unknown', '--limit file with an unknown name', '--limit missing file'], argvMutant],
];

export const KINDS: string[] = FAMILIES.flatMap(([kinds]) => kinds);

/** A valid world broken in one place; undefined when the kind does not apply to it (INI vs YAML). */
export function mutate(w: World, kind: string, d: Dice): Mutant | undefined {
  const family = FAMILIES.find(([kinds]) => kinds.includes(kind));
  if (!family) throw new Error(`no mutation ${kind}`);
  return family[1](w, kind, d);
}

export const mutantArb = (world: fc.Arbitrary<World>, kinds = KINDS): fc.Arbitrary<Mutant> =>
  fc
    .tuple(world, fc.constantFrom(...kinds), dice)
    .map(([w, kind, d]) => mutate(w, kind, d))
    .filter((m): m is Mutant => m !== undefined);
