// Hostile and random input: YAML and INI token soup, raw bytes, the classic YAML attacks, and
// whatever a person can type after -e, --limit or inside {{ }}. None of it may crash skiff.
import fc from 'fast-check';

const YAML_TOKENS = [
  '\n', '\n  ', '\n    ', '- ', ': ', ':', ',', '{', '}', '[', ']', '"', "'", '#', '&a ', '*a', '&b ', '*b', '*nothere', '!!str ', '!!python/object:os.system ',
  '!foo ', '!!binary ', '!!set ', '!!omap ', '<<: ', '<<', '? ', '|', '>', '|-', '---\n', '...\n', '%YAML 1.1\n', '%TAG ! tag:x,2000:\n', '\t', ' ', '~', 'null',
  'yes', 'no', '0o17', '0x1F', '1e999', '.inf', '.nan', '2001-12-14', '12:30:00', 'hosts', 'tasks', 'all', 'vars', 'children', 'name', 'debug', 'command', 'file',
  'content', 'path', '/tmp/x', 'msg', 'when', 'register', 'notify', 'handlers', 'port', 'address', 'connection', 'become', '{{ x }}', '{{', '}}', '\\', '\u0000',
  '\ufeff', '\u2028', '\u0085', 'é', '😀', '\r\n', '__proto__', 'constructor',
];

const soupOf = (tokens: string[], max: number) => fc.array(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...tokens) }, { weight: 1, arbitrary: fc.string({ maxLength: 4 }) }), { maxLength: max }).map((t) => t.join(''));

/** Text made of YAML's syntax, skiff's keys and a few troublemakers, in any order. */
export const yamlSoup: fc.Arbitrary<string> = soupOf(YAML_TOKENS, 60);

const INI_TOKENS = ['\n', '[', ']', ':vars', ':children', 'web', 'all', 'h1', ' ', '\t', '=', 'port', '22', 'address', 'x', '#', ';', '"', "'", '{{', '}}', 'ansible_host', 'become', 'yes', '\r', '\u0000', 'é', '*', '!'];
export const iniSoup: fc.Arbitrary<string> = soupOf(INI_TOKENS, 50);

export const bytes: fc.Arbitrary<Uint8Array> = fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.tuple(yamlSoup, fc.uint8Array({ maxLength: 4 }), yamlSoup).map(([a, b, c]) => new Uint8Array([...Buffer.from(a), ...b, ...Buffer.from(c)])));

const EXPR_TOKENS = [' ', 'x', 'a', 'nosuch', 'inventory_hostname', 'groups', 'hostvars', '.', '[', ']', '(', ')', ',', '|', '==', '!=', '<', '>=', 'in', 'not', 'and', 'or', 'is', 'defined', 'undefined', "'s'", '"d"', '0', '1.5', '99999999999999999999', 'true', 'None', 'default', 'join', 'int', 'string', 'lower', 'upper', 'length', 'bool', 'quote', 'to_json', 'nofilter', '{{', '}}', '{', '}', "'", '"', '\\', 'constructor', '__proto__', 'toString', 'length', '\n'];
/** What can sit between {{ and }}: a mix of the expression language's words and junk. */
export const exprSoup: fc.Arbitrary<string> = soupOf(EXPR_TOKENS, 25);

/** -e values: key=value lists, JSON, @files, and anything else. */
export const extraSoup: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 30 }),
  soupOf(['a', '=', ' ', 'b', '{', '}', '"', ':', ',', '@', '/', 'x.yml', '__proto__', 'constructor', '1', '[', ']', 'null', '\n', '{{ x }}'], 20),
  fc.json().filter((j) => j.startsWith('{')),
);

/** --limit values: names of the generated inventories, globs, operators, files and junk. */
export const limitSoup: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 20 }),
  soupOf(['h1', 'h2', 'prom-dc1', 'mon.example.com', 'prometheus', 'dc1', 'all', '*', '?', '!', '&', ':', ',', '@', '.', '[', ']', '(', ')', '\\', '^', '$', '+', '~', ' ', 'x'], 16),
);

/** A YAML document known to attack parsers: each is refused or read, quickly and in bounded memory. */
export interface Attack {
  name: string;
  text: string;
  /** must be refused (an attack the loader has to catch, not merely survive) */
  refused: boolean;
}

const bomb = (fan: number, levels: number) =>
  [`a0: &a0 [${Array(fan).fill('"lol"').join(', ')}]`, ...Array.from({ length: levels - 1 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(fan).fill(`*a${i}`).join(', ')}]`)].join('\n') + '\n';

export const attack: fc.Arbitrary<Attack> = fc.oneof(
  fc.record({ fan: fc.integer({ min: 5, max: 12 }), levels: fc.integer({ min: 6, max: 12 }) }).map(({ fan, levels }) => ({ name: `alias bomb ${fan}^${levels}`, text: bomb(fan, levels), refused: true })),
  fc.integer({ min: 1, max: 300 }).map((n) => ({ name: `${n} aliases of one anchor`, text: `base: &b {k: v}\n${Array.from({ length: n }, (_, i) => `u${i}: *b`).join('\n')}\n`, refused: false })),
  fc.constantFrom('a: *nothere\n', 'a: &x 1\nb: *y\n', 'b: *a\na: &a 1\n', '- *a\n').map((text) => ({ name: 'unknown anchor', text, refused: true })),
  fc.constantFrom('a: &x [1, *x]\n', 'a: &x {b: *x}\n', 'a: &x\n  <<: *x\n', '&r [*r]\n').map((text) => ({ name: 'self-referring anchor', text, refused: true })),
  fc.constantFrom('a:\n  <<: 5\n', 'a:\n  <<: [1]\n', 'a:\n  <<: *nope\n', 'x: &s "t"\na:\n  <<: *s\n').map((text) => ({ name: 'merge of a non-map', text, refused: true })),
  fc.constantFrom('d: &d {a: 1}\ne:\n  <<: *d\n  b: 2\n', 'd: &d {a: 1}\ne:\n  <<: [*d, {c: 3}]\n').map((text) => ({ name: 'merge', text, refused: false })),
  fc.constantFrom('a: !!python/object/apply:os.system ["id"]\n', 'a: !!python/object:__main__.X {}\n', '!!python/name:os.system\n', 'a: !!js/function "x"\n').map((text) => ({ name: 'hostile tag', text, refused: true })),
  // Ansible's own tag: the text as written, never templated (so an undefined name in it is no mistake)
  fc.constant({ name: 'unsafe tag', text: 'a: !unsafe "{{ x }}"\n', refused: false }),
  fc.record({ depth: fc.integer({ min: 1, max: 5000 }), open: fc.constantFrom('[', '{a: ') }).map(({ depth, open }) => ({ name: `flow nesting ${depth}`, text: `a: ${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}\n`, refused: false })),
  fc.integer({ min: 1, max: 400 }).map((depth) => ({ name: `block nesting ${depth}`, text: Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n', refused: false })),
  fc.integer({ min: 1, max: 4 }).map((mb) => ({ name: `scalar of ${mb} MB`, text: `a: "${'x'.repeat(mb << 20)}"\n`, refused: false })),
  fc.integer({ min: 1000, max: 10000 }).map((n) => ({ name: `${n} keys`, text: Array.from({ length: n }, (_, i) => `k${i}: ${i}`).join('\n') + '\n', refused: false })),
  fc.integer({ min: 1025, max: 5000 }).map((n) => ({ name: `key of ${n} chars`, text: `${'k'.repeat(n)}: 1\n`, refused: true })),
  fc.constantFrom('a: 1\n---\nb: 2\n', '---\n---\n', '--- a\n--- b\n').map((text) => ({ name: 'several documents', text, refused: true })),
  fc.constantFrom('a: "x\u0000y"\n', 'a: x\u0000\n', '\u0000', 'a: \u001b[31m\n').map((text) => ({ name: 'NUL and control bytes', text, refused: true })),
  fc.constantFrom('', '\n', '# only a comment\n', '---\n', '~\n', '\ufeff').map((text) => ({ name: 'empty', text, refused: false })),
  // vars whose templates use the next one: as group_vars, each link is a level of recursion
  fc.record({ n: fc.integer({ min: 50, max: 5000 }), up: fc.boolean() }).map(({ n, up }) => ({
    name: `chain of ${n} vars`,
    text: Array.from({ length: n }, (_, i) => `v${i}: "{{ v${up ? i + 1 : Math.max(0, i - 1)} | default(1) }}"`).join('\n') + '\n',
    refused: false,
  })),
);

/** Inventories big or deep enough to show work that grows faster than the input. */
export interface BigInventory {
  name: string;
  files: Record<string, string>;
  /** the play's hosts pattern */
  hosts: string;
}

const hostsOf = (n: number) => Array.from({ length: n }, (_, i) => `h${i}`);

export const bigInventory: fc.Arbitrary<BigInventory> = fc.oneof(
  // each group holds the next two: the paths from `all` to the last group double at every step
  fc.record({ n: fc.integer({ min: 10, max: 80 }), ini: fc.boolean() }).map(({ n, ini }) => {
    const groups = Array.from({ length: n + 2 }, (_, i) => `g${i}`);
    const text = ini
      ? ['h1 address=192.0.2.1', ...groups.slice(0, n).flatMap((g, i) => [`[${g}:children]`, groups[i + 1], groups[i + 2]]), `[g${n + 1}]`, 'h1'].join('\n') + '\n'
      : `all:\n  hosts: {h1: {address: 192.0.2.1}}\n  children:\n${groups.map((g, i) => `    ${g}: {${i < n ? `children: {${groups[i + 1]}: , ${groups[i + 2]}: }` : i === n + 1 ? 'hosts: {h1: }' : ''}}`).join('\n')}\n`;
    return { name: `ladder of ${n} groups`, files: { [`inv/hosts.${ini ? 'ini' : 'yml'}`]: text }, hosts: `g${n + 1}` };
  }),
  fc.record({ n: fc.integer({ min: 500, max: 8000 }), ini: fc.boolean(), groups: fc.integer({ min: 1, max: 50 }) }).map(({ n, ini, groups }) => {
    const hosts = hostsOf(n);
    const g = (i: number) => `grp${i % groups}`;
    const text = ini
      ? Array.from({ length: groups }, (_, k) => [`[grp${k}]`, ...hosts.filter((_, i) => i % groups === k).map((h) => `${h} address=192.0.2.1 port=22`)]).flat().join('\n') + '\n'
      : `all:\n  children:\n${Array.from({ length: groups }, (_, k) => `    grp${k}:\n      hosts:\n${hosts.filter((_, i) => g(i) === `grp${k}`).map((h) => `        ${h}: {address: 192.0.2.1, port: 22}`).join('\n')}`).join('\n')}\n`;
    return { name: `${n} hosts in ${groups} groups`, files: { [`inv/hosts.${ini ? 'ini' : 'yml'}`]: text }, hosts: 'all' };
  }),
  fc.integer({ min: 1000, max: 20000 }).map((n) => ({
    name: `${n} vars`,
    files: { 'inv/hosts.yml': 'all:\n  hosts: {h1: {address: 192.0.2.1}}\n', 'inv/group_vars/all.yml': Array.from({ length: n }, (_, i) => `v${i}: "{{ v${Math.max(0, i - 1)} | default(1) }}"`).join('\n') + '\n' },
    hosts: 'all',
  })),
  fc.integer({ min: 50, max: 600 }).map((n) => ({
    name: `${n} groups of 5 under one`,
    files: { 'inv/hosts.ini': ['[top:children]', ...Array.from({ length: n }, (_, i) => `c${i}`), ...Array.from({ length: n }, (_, i) => [`[c${i}]`, ...hostsOf(5).map((h) => `${h}_${i} address=192.0.2.1`)]).flat()].join('\n') + '\n' },
    hosts: 'top',
  })),
);

/** Host names and globs made to make a backtracking matcher work hard. */
export const globCase: fc.Arbitrary<{ hosts: string[]; pattern: string }> = fc.record({
  hosts: fc.uniqueArray(fc.tuple(fc.constantFrom('a', 'b'), fc.string({ unit: fc.constantFrom('a', 'b', '.', '-'), minLength: 10, maxLength: 60 })).map(([a, b]) => a + b), { minLength: 1, maxLength: 5 }),
  pattern: fc.array(fc.constantFrom('*', '*', '?', 'a', 'b', '.', 'a*', '*b'), { minLength: 1, maxLength: 40 }).map((p) => p.join('')),
});
