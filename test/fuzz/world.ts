// Generators of valid inputs: an inventory (YAML or INI, with group_vars/host_vars), a playbook whose
// tasks use those vars in templates, -e values and a --limit. Everything written by a World is valid,
// so loading it must find no problem; mutations (mutate.ts) break one thing and know where.
import fc from 'fast-check';
import { emitYaml, type Emitted, type Path } from './emit.ts';

export type Vars = Record<string, unknown>;

export interface HostDef {
  name: string;
  vars: Vars;
}
export interface GroupDef {
  name: string;
  hosts: string[];
  children: string[];
  vars: Vars;
}

export interface World {
  format: 'yaml' | 'ini';
  hosts: HostDef[];
  groups: GroupDef[];
  /** vars of group all: what templates refer to, since every host has them */
  allVars: Vars;
  groupVarsFiles: Record<string, Vars>;
  hostVarsFiles: Record<string, Vars>;
  plays: Vars[];
  extra: string[];
  /** vars given with -e @extra.yml */
  extraFile?: Vars;
  limit?: string;
}

export type Files = Record<string, string | Uint8Array>;

/** The world as files, with the line of every value of each YAML file. */
export interface Written {
  files: Files;
  lines: Record<string, Emitted['lines']>;
  playbook: string;
  inventory: string;
  extraVars: string[];
  limit?: string;
}

export const PLAYBOOK = 'site.yml';
export const INV_DIR = 'inv';
export const invFile = (w: World): string => `${INV_DIR}/hosts.${w.format === 'yaml' ? 'yml' : 'ini'}`;
export const EXTRA_FILE = 'extra.yml';

const HOST_NAMES = ['h1', 'h2', 'prom-dc1', 'mon.example.com', 'db_3', 'web-01', '10.0.0.7'];
const GROUP_NAMES = ['prometheus', 'monitoring', 'dc1', 'dc2', 'web', 'db_x'];
/** never a connection setting (address, port, user, ...): those have their own checks */
const VAR_NAMES = ['data_dir', 'label', 'tags', 'cfg', 'flag', 'count_x', 'empty_s', 'nested', 'retention', 'url_base'];
const EXTRA_NAMES = ['ev_a', 'ev_b', 'ev_c'];
const PLAY_VAR_NAMES = ['pv_a', 'pv_b', 'pv_c'];

/** A name no generated document defines, for "unknown variable" mutations. */
export const UNKNOWN_VAR = 'nosuch_zz';

/** Text without `{{`, `{%` or `{#` (Jinja2 would read a template there) and without characters a file cannot hold. */
export const text = (max = 12): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: max }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: max }) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', 'yes', 'no', '~', 'null', '0644', '1e3', 'e5', 'E1', '.', '0x_', '1_000', '-', '#x', ': x', '- a', '{}', '[]', '&a', '*a', '!!str', '<<', '%', '@x', '`x`') },
  ).filter((s) => !/\{[{%#]/.test(s));

/**
 * Text over an alphabet (fc.stringMatching does the same, ten times slower: generation, not skiff,
 * was most of a case's time).
 */
export function word(first: string, rest: string, max: number, min = 0): fc.Arbitrary<string> {
  const tail = fc.string({ unit: fc.constantFrom(...rest), minLength: min, maxLength: max });
  return first ? fc.tuple(fc.constantFrom(...first), tail).map(([a, b]) => a + b) : tail;
}
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';

const ident = word(LOWER + '_', LOWER + DIGITS + '_', 7);

/** Any plain value a var can hold (what YAML gives once loaded). */
export const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text(),
    fc.integer({ min: -1e6, max: 1e6 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(ident, tie('v'), { maxKeys: 3 }),
  ),
})).v;

/** Values that survive INI: one token, read back as the same number, boolean or string. */
const iniValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: 0, max: 99999 }),
  fc.boolean(),
  word(LOWER, LOWER + DIGITS + '_./-', 10).filter((s) => !/^(true|yes|false|no)$/i.test(s)),
);

const absPath = fc.array(word('', LOWER + LOWER.toUpperCase() + DIGITS + '._-', 8, 1), { minLength: 1, maxLength: 3 }).map((s) => '/' + s.join('/'));

function hostVarsArb(format: World['format']): fc.Arbitrary<Vars> {
  const v = format === 'yaml' ? value : iniValue;
  return fc.record(
    {
      address: fc.integer({ min: 1, max: 254 }).map((n) => `192.0.2.${n}`),
      port: fc.integer({ min: 1, max: 65535 }),
      user: fc.constantFrom('root', 'scylla', 'prom_user'),
      connect_timeout: fc.integer({ min: 1, max: 60 }),
      extra_v: v,
    },
    { requiredKeys: ['address'] },
  );
}

const varsArb = (format: World['format'], names = VAR_NAMES): fc.Arbitrary<Vars> =>
  fc.dictionary(fc.constantFrom(...names), format === 'yaml' ? value : iniValue, { maxKeys: 5 });

/** Groups form a DAG: a group's children come after it in the list, so there is never a cycle. */
function groupsArb(format: World['format'], hostNames: string[]): fc.Arbitrary<GroupDef[]> {
  return fc.uniqueArray(fc.constantFrom(...GROUP_NAMES), { maxLength: 4 }).chain((names) =>
    fc.tuple(
      ...names.map((name, i) =>
        fc.record({
          name: fc.constant(name),
          hosts: fc.subarray(hostNames),
          children: fc.subarray(names.slice(i + 1)),
          vars: varsArb(format),
        }),
      ),
    ),
  );
}

export interface VarInfo {
  name: string;
  value: unknown;
}

/** An expression over known vars that evaluates without error (valid in `when:` and in `{{ }}`). */
export function expr(vars: VarInfo[], registered: string[]): fc.Arbitrary<string> {
  const forVar = (v: VarInfo): string[] => {
    const out = [v.name, `${v.name} is defined`, `${v.name} | default('d')`, `not ${v.name}`, `${v.name} | string`, `${v.name} | to_json`, `${v.name} | bool`];
    if (typeof v.value === 'string') out.push(`${v.name} | upper`, `${v.name} | length`, `${v.name} == 'x'`, `'a' in ${v.name}`);
    if (typeof v.value === 'number') out.push(`${v.name} > 3`, `${v.name} | int`, `${v.name} != 1.5`);
    if (Array.isArray(v.value)) {
      out.push(`${v.name} | join(',')`, `${v.name} | length`);
      if (v.value.length) out.push(`${v.name}[0]`);
    }
    if (v.value && typeof v.value === 'object' && !Array.isArray(v.value)) {
      for (const k of Object.keys(v.value).filter((k) => /^[a-z_][a-z0-9_]*$/.test(k))) out.push(`${v.name}.${k}`, `${v.name}['${k}']`);
    }
    return out;
  };
  const leaves = [
    ...vars.flatMap(forVar),
    ...registered.flatMap((r) => [`${r}.changed`, `${r} is defined`, `${r}.rc == 0`]),
    `${UNKNOWN_VAR} | default('x')`,
    `${UNKNOWN_VAR} is not defined`,
    'inventory_hostname',
    "groups['all'] | length",
    'true',
    "'lit' | upper",
    '[1, 2] | join("-")',
  ];
  const leaf = fc.constantFrom(...leaves);
  return fc.oneof(leaf, fc.tuple(leaf, fc.constantFrom('and', 'or'), leaf).map(([a, op, b]) => `(${a}) ${op} (${b})`));
}

/** A string holding templates; the literal parts never touch a brace. */
function templated(vars: VarInfo[], registered: string[], prefix = 'v-'): fc.Arbitrary<string> {
  const lit = text(6).map((s) => s.replace(/[{}]/g, ''));
  return fc.tuple(lit, expr(vars, registered), lit).map(([a, e, b]) => `${prefix}${a}{{ ${e} }}${b}`);
}

const str = (vars: VarInfo[], registered: string[], prefix?: string) => fc.oneof(text(), templated(vars, registered, prefix));
const pathT = (vars: VarInfo[], registered: string[]) => fc.oneof(absPath, templated(vars, registered, '/srv/'));
const mode = word('', '01234567', 4, 3);
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Valid parameters of each task type generated here, short forms included. */
function taskParams(vars: VarInfo[], registered: string[]): fc.Arbitrary<[string, unknown]> {
  const s = str(vars, registered);
  const p = pathT(vars, registered);
  return fc.oneof(
    // Ansible's file, command and debug (no short form for file or debug: Ansible reads one as k=v)
    fc.tuple(fc.constant('file'), fc.record({ path: p, state: fc.constantFrom('directory', 'file', 'touch', 'absent'), mode, owner: fc.oneof(fc.constantFrom('root', 'prom'), fc.nat(65535)) }, { requiredKeys: ['path'] })),
    fc.tuple(fc.constant('content'), fc.record({ path: p, content: s, mode }, { requiredKeys: ['path', 'content'] })),
    fc.tuple(
      fc.constant('line'),
      fc.oneof(
        fc.record({ path: p, line: s, regexp: text().map(escapeRe), create: fc.boolean(), insertafter: fc.constantFrom('EOF', 'BOF') }, { requiredKeys: ['path', 'line'] }),
        fc.record({ path: p, regexp: text().map(escapeRe), state: fc.constant('absent') }),
      ),
    ),
    // any text is a shell line in cmd: (a free-form line is split as Ansible's split_args does, where an
    // unclosed quote is an error; command splits its line as shlex does)
    fc.tuple(
      fc.constant('shell'),
      fc.oneof(
        fc.record({ cmd: fc.oneof(text().filter((c) => c.length > 0), templated(vars, registered, 'echo ')), creates: absPath, chdir: absPath, stdin: text() }, { requiredKeys: ['cmd'] }),
      ),
    ),
    fc.tuple(fc.constant('command'), fc.record({ argv: fc.array(fc.oneof(s, fc.integer()), { minLength: 1, maxLength: 4 }) })),
    fc.tuple(fc.constant('debug'), fc.record({ msg: fc.oneof(s, fc.integer(), fc.boolean()) })),
    fc.tuple(
      fc.constant('wait-http'),
      fc.record(
        {
          url: fc.tuple(fc.constantFrom('http', 'https'), fc.constantFrom('127.0.0.1:9090', 'prom:9090', 'example.com'), word('', LOWER + '/-', 10)).map(([sc, h, pa]) => `${sc}://${h}/${pa}`),
          status: fc.oneof(fc.constant(200), fc.array(fc.integer({ min: 100, max: 599 }), { minLength: 1, maxLength: 3 })),
          method: fc.constantFrom('GET', 'POST', 'HEAD'),
          timeout: fc.integer({ min: 0, max: 600 }),
          body_contains: text(),
        },
        { requiredKeys: ['url'] },
      ),
    ),
  );
}

/** Tasks in order: each may register a result that later tasks' `when:` can use. */
function tasksArb(vars: VarInfo[], handlerNames: string[], n: number, regBase: string): fc.Arbitrary<Vars[]> {
  const one = (i: number, registered: string[]): fc.Arbitrary<Vars> =>
    fc
      .record(
        {
          name: text(),
          // params never use a registered result: it would leave them unchecked until run time
          tp: taskParams(vars, []),
          register: fc.constant(`${regBase}${i}`),
          when: fc.oneof(expr(vars, registered), fc.boolean(), fc.array(expr(vars, registered), { minLength: 1, maxLength: 2 })),
          notify: handlerNames.length ? fc.oneof(fc.constantFrom(...handlerNames), fc.subarray(handlerNames, { minLength: 1 })) : fc.constant(undefined),
          no_log: fc.boolean(),
          ignore_errors: fc.boolean(),
          changed_when: fc.oneof(fc.boolean(), fc.constantFrom('rc != 0', 'false', "'x' in stdout")),
        },
        // every task registers: later tasks' `when:` may use any earlier result
        { requiredKeys: ['tp', 'register'] },
      )
      .map(({ tp, notify, ...meta }) => {
        const t: Vars = {};
        // the task type comes first or after the name, as people write it
        if (meta.name !== undefined) t.name = meta.name;
        t[tp[0]] = tp[1];
        for (const [k, v] of Object.entries(meta)) if (k !== 'name' && v !== undefined) t[k] = v;
        if (notify !== undefined) t.notify = notify;
        return t;
      });
  const regs = Array.from({ length: n }, (_, i) => `${regBase}${i}`);
  return fc.tuple(...Array.from({ length: n }, (_, i) => one(i, regs.slice(0, i))));
}

function playArb(w: Omit<World, 'plays' | 'limit'>, index: number, extraVars: VarInfo[]): fc.Arbitrary<Vars> {
  const names = ['all', '*', ...w.hosts.map((h) => h.name), ...w.groups.map((g) => g.name)];
  const inv: VarInfo[] = Object.entries(w.allVars).map(([name, value]) => ({ name, value }));
  return fc
    .record({
      name: fc.option(text(), { nil: undefined }),
      hosts: fc.oneof(fc.constantFrom(...names), fc.tuple(fc.constantFrom(...names), fc.constantFrom(':', ',', ':!', ':&'), fc.constantFrom(...names)).map(([a, op, b]) => `${a}${op}${b}`)),
      pvars: fc.dictionary(fc.constantFrom(...PLAY_VAR_NAMES), fc.oneof(value, templated(inv, [], 'pv-')), { maxKeys: 3 }),
      handlerNames: fc.uniqueArray(fc.constantFrom('restart a', 'reload b', 'notify c'), { maxLength: 2 }),
      nTasks: fc.integer({ min: 0, max: 4 }),
      serial: fc.option(fc.oneof(fc.integer({ min: 1, max: 10 }), fc.constantFrom('30%', '100%')), { nil: undefined }),
      become: fc.option(fc.boolean(), { nil: undefined }),
      // only false: skiff gathers no facts, and refuses a play that asks for them
      gather_facts: fc.option(fc.constant(false), { nil: undefined }),
    })
    .chain((p) => {
      const scope = [...inv, ...extraVars, ...Object.entries(p.pvars).map(([name, value]) => ({ name, value }))];
      return fc
        .tuple(
          tasksArb(scope, p.handlerNames, p.nTasks, `r${index}_`),
          fc.tuple(...p.handlerNames.map((h) => tasksArb(scope, [], 1, `hr${index}_`).map(([t]) => ({ ...t, name: h, notify: undefined })))),
        )
        .map(([tasks, handlers]) => {
          const play: Vars = {};
          if (p.name !== undefined) play.name = p.name;
          play.hosts = p.hosts;
          if (Object.keys(p.pvars).length) play.vars = p.pvars;
          for (const k of ['serial', 'become', 'gather_facts'] as const) if (p[k] !== undefined) play[k] = p[k];
          play.tasks = tasks;
          if (handlers.length) play.handlers = handlers.map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)));
          return play;
        });
    });
}

/** -e in each of its forms; the values are strings (key=value) or typed (JSON, @file). */
const extraArb: fc.Arbitrary<{ args: string[]; file?: Vars; vars: VarInfo[] }> = fc
  .record({
    kv: fc.dictionary(fc.constantFrom(...EXTRA_NAMES.slice(0, 2)), word('', LOWER + LOWER.toUpperCase() + DIGITS + '_./:-', 12), { maxKeys: 2 }),
    json: fc.option(fc.dictionary(fc.constantFrom(EXTRA_NAMES[2]), value, { maxKeys: 1 }), { nil: undefined }),
    file: fc.option(fc.dictionary(fc.constantFrom('ef_a', 'ef_b'), value, { minKeys: 1, maxKeys: 2 }), { nil: undefined }),
    joined: fc.boolean(),
  })
  .map(({ kv, json, file, joined }) => {
    const pairs = Object.entries(kv).map(([k, v]) => `${k}=${v}`);
    const args = joined && pairs.length ? [pairs.join(' ')] : pairs;
    if (json) args.push(JSON.stringify(json));
    if (file) args.push(`@${EXTRA_FILE}`);
    const vars = [...Object.entries(kv), ...Object.entries(json ?? {}), ...Object.entries(file ?? {})].map(([name, value]) => ({ name, value }));
    return { args, file, vars };
  });

/**
 * A --limit that leaves at least one host (Ansible refuses one that leaves none: "Specified inventory, host
 * pattern and/or --limit leaves us with no hosts to target"): unions of all, host names and globs of them.
 * Groups (which may be empty), exclusions and intersections are the mutations' and the attacks' to try.
 */
function limitArb(w: Pick<World, 'hosts' | 'groups'>): fc.Arbitrary<string | undefined> {
  const names = ['all', ...w.hosts.map((h) => h.name)];
  const glob = fc.constantFrom(...w.hosts.map((h) => h.name)).chain((h) => fc.integer({ min: 0, max: h.length - 1 }).map((i) => h.slice(0, i) + '*'));
  const one = fc.oneof(fc.constantFrom(...names), glob);
  return fc.option(
    fc.tuple(one, fc.array(fc.tuple(fc.constantFrom(':', ','), one), { maxLength: 2 })).map(([a, rest]) => a + rest.map(([op, b]) => op + b).join('')),
    { nil: undefined },
  );
}

export const worldArb: fc.Arbitrary<World> = fc
  .record({
    format: fc.constantFrom<World['format']>('yaml', 'yaml', 'ini'),
    hostNames: fc.uniqueArray(fc.constantFrom(...HOST_NAMES), { minLength: 1, maxLength: 4 }),
  })
  .chain(({ format, hostNames }) =>
    fc
      .record({
        hosts: fc.tuple(...hostNames.map((name) => hostVarsArb(format).map((vars) => ({ name, vars })))),
        groups: groupsArb(format, hostNames),
        allVars: varsArb(format),
        extra: extraArb,
        gvFiles: fc.boolean(),
        hvFiles: fc.boolean(),
        nPlays: fc.integer({ min: 1, max: 3 }),
      })
      .chain((r) =>
        fc
          .record({
            groupVarsFiles: r.gvFiles ? fc.dictionary(fc.constantFrom('all', ...r.groups.map((g) => g.name)), varsArb('yaml'), { maxKeys: 2 }) : fc.constant({}),
            hostVarsFiles: r.hvFiles ? fc.dictionary(fc.constantFrom(...hostNames), varsArb('yaml'), { maxKeys: 2 }) : fc.constant({}),
          })
          .chain((vf) => {
            const base = { format, hosts: r.hosts, groups: r.groups, allVars: r.allVars, extra: r.extra.args, extraFile: r.extra.file, ...vf };
            // group_vars/all.yml may override an `all` var with a value of another type: templates
            // only use names that no vars file sets
            const shadowed = new Set([...Object.values(vf.groupVarsFiles as Record<string, Vars>), ...Object.values(vf.hostVarsFiles as Record<string, Vars>)].flatMap((v) => Object.keys(v)));
            const inScope = { ...base, allVars: Object.fromEntries(Object.entries(r.allVars).filter(([k]) => !shadowed.has(k) && !r.groups.some((g) => k in g.vars) && !r.hosts.some((h) => k in h.vars))) };
            return fc.record({
              plays: fc.tuple(...Array.from({ length: r.nPlays }, (_, i) => playArb(inScope, i, r.extra.vars))),
              limit: limitArb(base),
            }).map((p) => ({ ...base, ...p }) as World);
          }),
      ),
  );

// ---- writing a World as files ----

export function inventoryTree(w: World): Vars {
  const inGroup = new Set(w.groups.flatMap((g) => g.hosts));
  const hostMap = (names: string[], first: Set<string>) => Object.fromEntries(names.map((n) => [n, first.has(n) ? w.hosts.find((h) => h.name === n)!.vars : null]));
  // each host's vars are written where it first appears, like a person would
  const firstSeen = new Set<string>();
  const claim = (names: string[]) => new Set(names.filter((n) => !firstSeen.has(n) && (firstSeen.add(n), true)));
  const ungrouped = w.hosts.map((h) => h.name).filter((n) => !inGroup.has(n));
  const all: Vars = {};
  if (Object.keys(w.allVars).length) all.vars = w.allVars;
  if (ungrouped.length) all.hosts = hostMap(ungrouped, claim(ungrouped));
  const children: Vars = {};
  for (const g of w.groups) {
    const body: Vars = {};
    if (g.hosts.length) body.hosts = hostMap(g.hosts, claim(g.hosts));
    if (Object.keys(g.vars).length) body.vars = g.vars;
    if (g.children.length) body.children = Object.fromEntries(g.children.map((c) => [c, null]));
    // a child group is defined at top level too: `children: {c: null}` only links it
    children[g.name] = Object.keys(body).length ? body : null;
  }
  if (Object.keys(children).length) all.children = children;
  return { all };
}

// Python's spellings: Ansible reads an INI value as a Python literal, so `true` would be text
const iniToken = (v: unknown): string => (typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v));

export function inventoryIni(w: World): string {
  const out: string[] = [];
  const written = new Set<string>();
  const hostLine = (n: string) => {
    if (written.has(n)) return n;
    written.add(n);
    const vars = w.hosts.find((h) => h.name === n)!.vars;
    return [n, ...Object.entries(vars).map(([k, v]) => `${k}=${iniToken(v)}`)].join(' ');
  };
  const inGroup = new Set(w.groups.flatMap((g) => g.hosts));
  for (const h of w.hosts) if (!inGroup.has(h.name)) out.push(hostLine(h.name));
  if (Object.keys(w.allVars).length) out.push('[all:vars]', ...Object.entries(w.allVars).map(([k, v]) => `${k}=${iniToken(v)}`));
  for (const g of w.groups) {
    out.push(`[${g.name}]`, ...g.hosts.map(hostLine));
    if (Object.keys(g.vars).length) out.push(`[${g.name}:vars]`, ...Object.entries(g.vars).map(([k, v]) => `${k}=${iniToken(v)}`));
    if (g.children.length) out.push(`[${g.name}:children]`, ...g.children);
  }
  return out.join('\n') + '\n';
}

export function write(w: World, opts: { playbookTree?: unknown; inventoryTree?: unknown; ini?: string } = {}): Written {
  const files: Files = {};
  const lines: Written['lines'] = {};
  const yaml = (name: string, tree: unknown) => {
    const e = emitYaml(tree);
    files[name] = e.text;
    lines[name] = e.lines;
  };
  yaml(PLAYBOOK, opts.playbookTree ?? w.plays);
  if (w.format === 'yaml') yaml(invFile(w), opts.inventoryTree ?? inventoryTree(w));
  else files[invFile(w)] = opts.ini ?? inventoryIni(w);
  for (const [g, v] of Object.entries(w.groupVarsFiles)) yaml(`${INV_DIR}/group_vars/${g}.yml`, v);
  for (const [h, v] of Object.entries(w.hostVarsFiles)) yaml(`${INV_DIR}/host_vars/${h}.yml`, v);
  if (w.extraFile) yaml(EXTRA_FILE, w.extraFile);
  return { files, lines, playbook: PLAYBOOK, inventory: INV_DIR, extraVars: w.extra, limit: w.limit };
}

export type { Path };
