// A YAML file loaded with positions kept, so any value found bad later can be pointed at.
import { readFileSync } from 'node:fs';
import { isAlias, isCollection, isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, type Alias, type CollectionTag, type Document, type Node, type Pair, type ScalarTag, type Tags, type YAMLMap } from 'yaml';
import type { InputProblem } from './errors.ts';
import { isVaulted } from '../vault/envelope.ts';
import { markRevealed } from '../vault/revealed.ts';
import { VaultEncrypted } from '../vault/encrypted.ts';
import { openText, vaultScalars, vaultTag } from '../vault/yaml.ts';
import type { VaultSecret } from '../vault/vaultlib.ts';
import { unsafeLiteral } from '../template/unsafe.ts';
import { PyFloat } from '../template/py-float.ts';

export type Path = ReadonlyArray<string | number>;

export interface YamlSource {
  file: string;
  doc: Document;
  lines: LineCounter;
  value: unknown;
  /** the whole file was ansible-vault encrypted: lines and columns are those of its plaintext */
  vaulted?: boolean;
  /**
   * the text is JSON, which Ansible's DataLoader reads with json.loads first: its strings are str, not
   * the YAML loader's AnsibleUnicode (type_debug of an `-e @vars.json` value)
   */
  json?: boolean;
}

/** Text json.loads takes (DataLoader tries it first when the text starts with { or [). */
export function isJson(text: string): boolean {
  if (!/^\s*[{[]/.test(text)) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Types YAML 1.1 has that are not plain data: a date, bytes, a set or an ordered map would reach
 * templates and task params as JavaScript objects (a date renders as `{}`). Without them, `2024-01-01`
 * stays the text it is, and an explicit `!!set` is refused as an unknown tag. `!!binary` is binaryTag.
 */
const NOT_PLAIN = ['binary', 'omap', 'pairs', 'set', 'timestamp'].map((t) => `tag:yaml.org,2002:${t}`);
/**
 * Booleans as Ansible reads them (PyYAML): yes/no, true/false, on/off in their three casings. YAML 1.1
 * also has y/n, which PyYAML leaves as strings: `probe: y` or `answer: n` stay text, as in Ansible.
 */
const BOOL = 'tag:yaml.org,2002:bool';
const PYYAML_TRUE = /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const PYYAML_FALSE = /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;
/**
 * YAML 1.1 octal (`0755`) is kept as the text written, not the number 493: a mode is where it is written
 * (Ansible reads `mode: 0755` right), and as a number it could not be told from a bare `493` or `644`,
 * which Ansible misreads as decimal (tasks/lib/mode.ts refuses those). Elsewhere `010` is text, not 8.
 */
const INT = 'tag:yaml.org,2002:int';
/**
 * A float as PyYAML reads it: a whole one (`2.0`, `37.`, `1.0e+3`) is a PyFloat, so it is written
 * back as `2.0`, not `2` (template/py-float.ts). PyYAML's exponent needs a dot and a sign: `1e3` and
 * `1.0e3` are text, as in Ansible.
 */
const FLOAT = 'tag:yaml.org,2002:float';
const PYYAML_EXP = /^[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)[eE][-+][0-9]+$/;
const wholeFloat = (t: ScalarTag): ScalarTag => ({
  ...t,
  ...(t.format === 'EXP' ? { test: PYYAML_EXP } : {}),
  resolve: (text, onError, options) => {
    const r = t.resolve(text, onError, options);
    const n = isScalar(r) ? r.value : r;
    return typeof n === 'number' && Number.isInteger(n) ? new PyFloat(n) : r;
  },
});
const plainTags = (tags: Tags): Tags =>
  tags
    .filter((t) => typeof t === 'string' || !NOT_PLAIN.includes(t.tag))
    .map((t) => (typeof t !== 'string' && t.tag === FLOAT && t.test ? wholeFloat(t) : t))
    .map((t) => (typeof t !== 'string' && t.tag === BOOL && t.test ? { ...t, test: t.test.test('yes') ? PYYAML_TRUE : PYYAML_FALSE } : t))
    .map((t) => (typeof t !== 'string' && t.tag === INT && t.format === 'OCT' ? ({ ...t, resolve: (text: string) => text } as ScalarTag) : t))
    .concat([vaultTag, binaryTag, unsafeTag, unsafeCollection('seq'), unsafeCollection('map')]);

/**
 * `!!binary`: PyYAML gives Python bytes. skiff has no bytes type: the value is the decoded bytes read as
 * UTF-8 text. Where Ansible checks a type (a role's argument spec) both are refused as no Byte value, and
 * text stored in base64 reads the same; only a template of it differs (Python prints `b'...'`).
 */
const binaryTag: ScalarTag = {
  tag: 'tag:yaml.org,2002:binary',
  resolve: (text, onError) => {
    const b64 = text.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 === 1) onError('tag !!binary on text that is no base64: expected base64 text');
    return Buffer.from(b64, 'base64').toString('utf8');
  },
};

/**
 * Ansible's `!unsafe`: text that is never templated (a password with `{{` in it). skiff renders every
 * string it reads, so the text is kept as template/unsafe.ts's literal: it renders to itself, marked
 * unsafe, so what is made from it is not templated again either.
 */
function unsafeText(text: string, onError: (message: string) => void): string {
  if (/\{%-?\s*endraw\s*-?%\}/.test(text)) onError('tag !unsafe on text holding {% endraw %} is not supported by skiff: expected text without it');
  return unsafeLiteral(text);
}
const unsafeTag: ScalarTag = { tag: '!unsafe', resolve: unsafeText };

/** `!unsafe` on a list or map: Ansible's wrap_var makes every text in it (at any depth) unsafe. */
function unsafeCollection(collection: 'seq' | 'map'): CollectionTag {
  const mark = (n: unknown, onError: (message: string) => void): void => {
    if (isScalar(n) && typeof n.value === 'string') n.value = unsafeText(n.value, onError);
    else if (isSeq(n)) n.items.forEach((i) => mark(i, onError));
    else if (isMap(n)) n.items.forEach((p) => mark(p.value, onError));
  };
  return { tag: '!unsafe', collection, resolve: (node, onError) => (mark(node, onError), node) };
}

/**
 * Most values that aliases may add to a document. Aliases are shared, not copied, when loaded, but
 * everything that walks the vars (templates, checks, the report) meets each one again: ten levels of
 * ten aliases (the "billion laughs") would be 10^10 values. A real playbook's anchors add hundreds.
 */
export const MAX_ALIASED_VALUES = 10_000;

/**
 * Deepest nesting read. Everything that later walks the vars (templates, checks, the report) recurses,
 * and would run out of stack on a few thousand levels; real playbooks nest ten or twenty.
 */
export const MAX_DEPTH = 100;

/** Message of the last resort below; the fuzz tests (test/fuzz) take it for a bug, not a refusal. */
export const UNREADABLE = 'YAML that cannot be read as data';

/**
 * YAML 1.1 on purpose: Ansible users write `yes`/`no`/`on`/`off` as booleans, and reading them as
 * strings would silently turn `become: yes` into a truthy string that validation cannot catch.
 * `!vault` values are decrypted with `vault` (the passwords given); one that cannot be stays vault text.
 */
export function parseYaml(file: string, text: string, vault: readonly VaultSecret[] = [], quote = true): { source?: YamlSource; problems: InputProblem[] } {
  const lines = new LineCounter();
  // uniqueKeys off: the library compares each key with every other (20,000 hosts: seconds); the
  // same check is made below with a set per map
  const doc = parseDocument(text, { lineCounter: lines, version: '1.1', uniqueKeys: false, prettyErrors: false, customTags: plainTags });
  const at: At = (offset) => ({ file, ...lines.linePos(offset) });
  const targets = new Map<Alias, Node>();
  // Each check needs the ones before it: the walks need a parsed tree of bounded depth, keys and
  // merges need aliases resolved, and counting what aliases add needs both.
  const checks = [
    () => syntaxProblems(doc, text, at, quote),
    () => (nanAsText(doc), []), // a repair, not a check: before keys are compared
    () => depthProblems(doc, at),
    () => vaultProblems(doc, vault, at),
    () => aliasProblems(doc, targets, at),
    () => [...keyProblems(doc, targets, at), ...mergeProblems(doc, targets, at)],
    () => bombProblems(doc, targets, at),
  ];
  for (const check of checks) {
    const problems = check();
    if (problems.length) return { problems: check === checks[0] ? asJsonToo(text, problems) : problems };
  }
  try {
    // The library's own alias limit guesses (101 uses of one anchor is "an attack"): the count
    // above is exact, so it is off here.
    return { source: { file, doc, lines, value: doc.toJS({ maxAliasCount: -1 }), ...(isJson(text) ? { json: true } : {}) }, problems: [] };
  } catch (e) {
    // No input is known to get here: each one that did is refused above, with a message of its own.
    return { problems: [{ ...at(0), message: `${UNREADABLE}: ${(e as Error).message}` }] };
  }
}

type At = (offset: number) => Omit<InputProblem, 'message'>;

/**
 * Text that looks like JSON (Ansible's DataLoader tries json.loads first when it starts with { or [) and
 * is no YAML either: both errors, in Ansible's words (scripts grep for `JSON:`).
 */
function asJsonToo(text: string, problems: InputProblem[]): InputProblem[] {
  if (!/^\s*[{[]/.test(text)) return problems;
  let why: string;
  try {
    JSON.parse(text);
    return problems;
  } catch (e) {
    why = (e as Error).message;
  }
  const [first, ...rest] = problems;
  return [{ ...first, message: `We were unable to read either as JSON nor YAML, these are the errors we got from each:\nJSON: ${why}\n\n${first.message}` }, ...rest];
}

/**
 * The parser's errors, and its warnings: each warning is a guess (an unknown tag read as text).
 * Without `quote` (the plaintext of a vaulted file), no text of the file is shown.
 */
function syntaxProblems(doc: Document, text: string, at: At, quote: boolean): InputProblem[] {
  const overflow = (e: { message: string }) => /Maximum call stack/.test(e.message);
  const all = [...doc.errors, ...doc.warnings];
  return all.filter((e, i) => !overflow(e) || all.findIndex(overflow) === i).map((e) => {
    const pos = at(e.pos[0]);
    const found = text.slice(e.pos[0]).split('\n')[0].slice(0, 40).trim() || text.split('\n')[pos.line - 1]?.trim() || '';
    let message: string;
    if (!quote) message = `YAML syntax error in the decrypted text (not shown: it is secret): ${firstLine(e.message)}`;
    else if ((e.code === 'TAG_RESOLVE_FAILED' || e.code === 'BAD_COLLECTION_TYPE') && /^!vault\b/.test(found))
      message = `tag !vault on a list or map: expected !vault | followed by the text ansible-vault encrypt_string prints`;
    // a tag's own refusal (unsafeTag, binaryTag)
    else if (e.code === 'TAG_RESOLVE_FAILED' && /^tag \S+ (.*not supported by skiff|on text)/.test(e.message)) message = firstLine(e.message);
    else if (e.code === 'TAG_RESOLVE_FAILED' || e.code === 'BAD_COLLECTION_TYPE')
      message = `tag ${JSON.stringify(found.match(/^!\S*/)?.[0] ?? found)} cannot be read: expected a plain value without a tag (text, number, boolean, null, list or map)`;
    // the parser recurses: on some thousands of levels it reports its stack, not the input's fault
    else if (overflow(e)) message = `nested too deeply to read: expected at most ${MAX_DEPTH} levels`;
    else message = `YAML syntax error${found ? ` at ${JSON.stringify(found)}` : ' at end of file'}: ${firstLine(e.message)}`;
    return { ...pos, message };
  });
}

const start = (n: Node | null | undefined): number => n?.range?.[0] ?? 0;

/**
 * Every node in document order (keys before their values), with its depth and the collections it is
 * inside; `visit` returns true to stop. A loop, not recursion: the depth is not known to be bounded yet.
 */
function walk(doc: Document, visit: (node: Node, depth: number, inside: ReadonlySet<Node>) => boolean | void): void {
  const inside = new Set<Node>();
  const stack: ({ node: unknown; depth: number } | { leave: Node })[] = [{ node: doc.contents, depth: 0 }];
  while (stack.length) {
    const top = stack.pop()!;
    if ('leave' in top) {
      inside.delete(top.leave);
      continue;
    }
    const { node, depth } = top;
    if (!isNode(node)) continue;
    if (visit(node, depth, inside)) return;
    if (!isCollection(node)) continue;
    inside.add(node);
    stack.push({ leave: node });
    const children = isMap(node) ? node.items.flatMap((p) => [p.key, p.value]) : node.items;
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], depth: depth + 1 });
  }
}

/**
 * The library's YAML 1.1 numbers need no digit: `e5`, `.`, `-.` or `0x_` are read as NaN (a host
 * named `e1` became "NaN", `chdir: .` a number). YAML 1.1, and Ansible's reader, take them for
 * text: so does this. Only `.nan` is NaN.
 */
function nanAsText(doc: Document): void {
  walk(doc, (node) => {
    if (isScalar(node) && Number.isNaN(node.value) && node.source !== undefined && !/^\.nan$/i.test(node.source)) node.value = node.source;
  });
}

/**
 * Replaces each `!vault` value by its plaintext, remembered as a secret (vault/revealed.ts). A value
 * that cannot be decrypted here (no password, a wrong one, no vault text) is no load error: Ansible
 * loads it as an AnsibleVaultEncryptedUnicode and fails only the task that uses its plaintext, and
 * `unvault(password)` opens it with no run password at all. So it stays vault text (VaultEncrypted),
 * decrypted when used; its failures are Ansible's words, never its text.
 */
function vaultProblems(doc: Document, vault: readonly VaultSecret[], at: At): InputProblem[] {
  const problems: InputProblem[] = [];
  for (const node of vaultScalars(doc)) {
    const vaulttext = String(node.value ?? '');
    const r = openText(vaulttext, vault, 'tag !vault: value');
    if ('error' in r) {
      const lazy = new VaultEncrypted(vaulttext, vault);
      // the library's toJS would call the value's own toJSON (its plaintext): the node gives the object
      node.toJSON = () => lazy;
      node.tag = undefined;
      continue;
    }
    // same rule as for a file's text (readText): no NUL or escape sequence reaches a host
    const c = r.text.search(CONTROL);
    if (c >= 0) {
      problems.push({ ...at(start(node)), message: `tag !vault: the decrypted value holds control character U+${r.text.charCodeAt(c).toString(16).toUpperCase().padStart(4, '0')}: expected printable text` });
      continue;
    }
    node.value = r.text;
    node.tag = undefined;
    markRevealed(r.text);
  }
  return problems;
}

function depthProblems(doc: Document, at: At): InputProblem[] {
  const problems: InputProblem[] = [];
  walk(doc, (node, depth) => {
    if (depth <= MAX_DEPTH) return;
    problems.push({ ...at(start(node)), message: `nested more than ${MAX_DEPTH} levels deep: expected flatter data` });
    return true;
  });
  return problems;
}

/**
 * Resolves each alias to the anchor before it, as YAML does (into `targets`). An alias with no
 * anchor, or one inside the value it names (`&a [*a]`, a value containing itself), is refused:
 * the library would throw, or hand a circular value to everything that walks the vars.
 */
function aliasProblems(doc: Document, targets: Map<Alias, Node>, at: At): InputProblem[] {
  const anchors = new Map<string, Node>();
  const problems: InputProblem[] = [];
  walk(doc, (node, _depth, inside) => {
    if (!isAlias(node)) {
      if (node.anchor) anchors.set(node.anchor, node);
      return;
    }
    const target = anchors.get(node.source);
    if (!target) problems.push({ ...at(start(node)), message: `alias *${node.source} names no anchor: expected &${node.source} on a value before it` });
    else if (inside.has(target)) problems.push({ ...at(start(node)), message: `alias *${node.source} is inside the value anchored &${node.source}: expected an alias to a value outside it` });
    else targets.set(node, target);
  });
  return problems;
}

const resolved = (n: unknown, targets: Map<Alias, Node>): unknown => (isAlias(n) ? targets.get(n) : n);

/** Where YAML warnings go (Ansible's Display.warning: `[WARNING]:` on stderr); each is said once per run. */
let yamlWarn = (text: string): void => {
  process.stderr.write(`[WARNING]: ${text}\n`);
};
const warned = new Set<string>();
/** For tests: where YAML warnings go. */
export function onYamlWarning(f: (text: string) => void): void {
  yamlWarn = f;
}

/**
 * Lists or maps used as keys (they would become text like "[object Object]" when loaded) are refused. A
 * key written twice in a map is Ansible's warning (DUPLICATE_YAML_DICT_KEY = warn), the last value
 * winning, as the loaded map holds it.
 */
function keyProblems(doc: Document, targets: Map<Alias, Node>, at: At): InputProblem[] {
  const problems: InputProblem[] = [];
  walk(doc, (map) => {
    if (isMap(map)) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const k = resolved(pair.key, targets);
        if (isCollection(k)) {
          problems.push({ ...at(start(pair.key as Node)), message: `a ${isMap(k) ? 'map' : 'list'} as a map key: expected a plain key (text or number)` });
          continue;
        }
        // compared as the loaded map will hold them: `1` and "1" are one key; each `<<` merges
        const value = isScalar(k) ? k.value : k;
        const name = typeof value === 'symbol' ? value : value === null || value === undefined ? '' : String(value);
        if (seen.has(name)) {
          const { file, line, col } = at(start(map));
          const text = `While constructing a mapping from ${file}, line ${line}, column ${col}, found a duplicate dict key (${String(value)}). Using last defined value only.`;
          if (!warned.has(text)) yamlWarn(text);
          warned.add(text);
        }
        seen.add(name);
      }
    }
  });
  return problems;
}

const isMergeKey = (k: unknown): boolean => isScalar(k) && typeof k.value === 'symbol' && k.value.description === '<<';

/** `<<:` merges a map, an alias to one, or a list of them: anything else makes the library throw. */
function mergeProblems(doc: Document, targets: Map<Alias, Node>, at: At): InputProblem[] {
  const problems: InputProblem[] = [];
  const isMapRef = (n: unknown) => isMap(resolved(n, targets));
  walk(doc, (map) => {
    if (!isMap(map)) return;
    for (const pair of map.items) {
      if (!isMergeKey(pair.key)) continue;
      const v = pair.value;
      const seq = resolved(v, targets);
      const ok = isMapRef(v) || (isSeq(seq) && seq.items.every(isMapRef));
      if (!ok) problems.push({ ...at(start((v as Node) ?? (pair.key as Node))), message: `merge key <<: expected a map, an alias to a map or a list of them` });
    }
  });
  return problems;
}

/** Refuses aliases that add more than MAX_ALIASED_VALUES values, at the alias that goes over. */
function bombProblems(doc: Document, targets: Map<Alias, Node>, at: At): InputProblem[] {
  const sizes = new Map<unknown, number>();
  // values a node stands for once its aliases are expanded (memoized: each node is counted once)
  const size = (n: unknown): number => {
    const target = isAlias(n) ? targets.get(n) : n;
    if (!isCollection(target)) return 1;
    let s = sizes.get(target);
    if (s === undefined) {
      s = 1;
      for (const item of target.items) s += isPair(item) ? size(item.key) + size(item.value) : size(item);
      sizes.set(target, s);
    }
    return s;
  };
  let added = 0;
  const problems: InputProblem[] = [];
  walk(doc, (node) => {
    if (!isAlias(node)) return;
    added += size(node);
    if (added <= MAX_ALIASED_VALUES) return;
    problems.push({ ...at(start(node)), message: `aliases expand to more than ${MAX_ALIASED_VALUES} values here (*${node.source}): expected fewer or smaller aliased values (an alias bomb?)` });
    return true;
  });
  return problems;
}

/**
 * A file's text, refused when it is not UTF-8 or holds control characters, as Ansible's YAML reader
 * refuses them: decoding would turn bad bytes into U+FFFD silently, and a NUL or an escape sequence
 * would end up in a remote command or a file written on a host.
 */
export function readText(file: string): { text?: string; problem?: InputProblem } {
  let bytes: Buffer;
  for (const f of textReaders) f(file);
  try {
    bytes = readFileSync(file);
  } catch (e) {
    return { problem: { file, line: 0, col: 0, message: `cannot read: ${(e as Error).message}` } };
  }
  const text = bytes.toString('utf8');
  const bad = firstBadByte(bytes, text);
  if (bad !== undefined) return { problem: { file, ...posIn(text, bad.index), message: `not UTF-8: byte 0x${bad.byte.toString(16).padStart(2, '0')}: expected a UTF-8 text file` } };
  const c = text.search(CONTROL);
  if (c >= 0) return { problem: { file, ...posIn(text, c), message: `control character U+${text.charCodeAt(c).toString(16).toUpperCase().padStart(4, '0')}: expected printable text (in YAML, write it escaped in a double-quoted string, e.g. "\\t")` } };
  return { text };
}

/** Who is told of each file read as text (a plan records what its run read: src/plan/inputs.ts). */
const textReaders = new Set<(file: string) => void>();

/** Be told of every file readText reads from now on (inventory, playbooks, vars files): call the result to stop. */
export function watchTextReads(f: (file: string) => void): () => void {
  textReaders.add(f);
  return () => void textReaders.delete(f);
}

/** What YAML calls non-printable (tab, line ends and NEL are fine), as PyYAML checks it. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f\ufffe\uffff]/;

/** Where decoding first replaced bytes with U+FFFD (a U+FFFD written in the file is not one). */
function firstBadByte(bytes: Buffer, text: string): { index: number; byte: number } | undefined {
  if (!text.includes('\ufffd')) return undefined;
  let offset = 0;
  for (let i = 0; i < text.length; i++) {
    const cp = text.codePointAt(i)!;
    if (cp === 0xfffd && !(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) return { index: i, byte: bytes[offset] };
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (n === 4) i++;
    offset += n;
  }
  return undefined;
}

function posIn(text: string, index: number): { line: number; col: number } {
  const before = text.slice(0, index);
  const nl = before.lastIndexOf('\n');
  return { line: before.split('\n').length, col: index - nl };
}

/**
 * A YAML file, or a whole file that `ansible-vault encrypt` made of one (Ansible's loader decrypts any
 * file it reads): then every value in it is a secret, and positions are those of the plaintext.
 */
export function loadYaml(file: string, vault: readonly VaultSecret[] = []): { source?: YamlSource; problems: InputProblem[] } {
  const { text, problem } = readText(file);
  if (problem) return { problems: [problem] };
  if (!isVaulted(text!)) return parseYaml(file, text!, vault);
  const opened = openText(text!, vault, 'vault-encrypted file');
  if ('error' in opened) return { problems: [{ file, line: 1, col: 1, message: opened.error }] };
  const c = opened.text.search(CONTROL);
  if (c >= 0) return { problems: [{ file, ...posIn(opened.text, c), message: `control character U+${opened.text.charCodeAt(c).toString(16).toUpperCase().padStart(4, '0')} in the decrypted text: expected printable text` }] };
  const r = parseYaml(file, opened.text, vault, false);
  if (r.source) {
    r.source.vaulted = true;
    markRevealed(r.source.value);
  }
  return r;
}

function firstLine(s: string): string {
  return s.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** Line/col of the node at `path` (or of its key when origin is 'key'); falls back to the nearest parent. */
export function locate(src: YamlSource, path: Path, origin: 'key' | 'value' = 'value'): { line: number; col: number } {
  for (let n = path.length; n >= 0; n--) {
    const sub = path.slice(0, n);
    const range = rangeOf(src.doc, sub, n === path.length ? origin : 'value');
    if (range) {
      const p = src.lines.linePos(range);
      return { line: p.line, col: p.col };
    }
  }
  return { line: 1, col: 1 };
}

function rangeOf(doc: Document, path: Path, origin: 'key' | 'value'): number | undefined {
  if (path.length === 0) return (doc.contents as Node | null)?.range?.[0];
  let parent: unknown = doc.contents;
  for (const k of path.slice(0, -1)) parent = isMap(parent) ? pairOf(parent, k)?.value : isSeq(parent) ? parent.items[Number(k)] : undefined;
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const pair = pairOf(parent, last);
    if (!pair) return undefined;
    const node = (origin === 'key' ? pair.key : pair.value ?? pair.key) as Node | null;
    return node?.range?.[0];
  }
  if (isSeq(parent) && typeof last === 'number') return (parent.items[last] as Node | undefined)?.range?.[0];
  return undefined;
}

/**
 * The pair of a map by key, through an index made on first use: every var and host of a file is
 * located, and a scan per lookup made a file of 20,000 hosts take seconds.
 */
const keyIndex = new WeakMap<YAMLMap, Map<string, Pair>>();
function pairOf(map: YAMLMap, key: string | number): Pair | undefined {
  let index = keyIndex.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items) if (isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p);
    keyIndex.set(map, index);
  }
  return index.get(String(key));
}

export function problemAt(src: YamlSource, path: Path, message: string, origin: 'key' | 'value' = 'value'): InputProblem {
  return { file: src.file, ...locate(src, path, origin), message };
}
