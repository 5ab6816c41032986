// Ansible's apt_key, through the host's gpg (not apt-key, which Debian 13 and Ubuntu 24.04 dropped). A key
// counts as present when its id is in one of apt's keyrings (or in `keyring`, when given); without an
// `id`, the key is fetched while planning (a read: into a temp dir, as Ansible does) and its
// fingerprints compared. A keyring is changed in a temp file beside it and renamed over it; keys are
// written with `gpg --export` (plain OpenPGP, which apt reads: gpg --import into a missing file would
// make a keybox, which apt ignores).
import * as v from 'valibot';
import { shq } from '../../src/transport/quote.ts';
import type { Connection } from '../../src/transport/types.ts';
import { TaskFailure, type TaskContext, type TaskType } from '../../src/engine/task-type.ts';
import { HostPath, Bool } from '../lib/schema.ts';
import { curlConfig, shownUrl } from '../lib/curl.ts';
import { needTools } from '../lib/host-tools.ts';
import { Url } from './get-url.ts';

/** Ansible's id: 8, 16 or 40 hex digits, 0x optional; kept upper case, as gpg prints them. */
const KeyId = v.pipe(
  v.union([v.string(), v.number()], 'expected a key id'),
  v.transform((s) => String(s).replace(/^0x/i, '').replace(/\s+/g, '').toUpperCase()),
  v.regex(/^(?:[0-9A-F]{8}|[0-9A-F]{16}|[0-9A-F]{40})$/, 'expected a key id of 8, 16 or 40 hex digits (0x optional)'),
);

const SOURCES = ['url', 'data', 'file', 'keyserver'] as const;

const schema = v.pipe(
  v.strictObject({
    id: v.optional(KeyId),
    url: v.optional(Url),
    /** the key itself, armored */
    data: v.optional(v.pipe(v.string(), v.minLength(1, 'expected the key\'s text'))),
    /** a key file on the host */
    file: v.optional(HostPath),
    keyserver: v.optional(v.pipe(v.string(), v.minLength(1, 'expected a keyserver'))),
    /** default: apt's /etc/apt/trusted.gpg (where apt-key add puts keys) */
    keyring: v.optional(HostPath),
    state: v.optional(v.picklist(['present', 'absent'], 'expected present or absent'), 'present'),
    validate_certs: v.optional(Bool, true),
  }),
  v.check((p) => SOURCES.filter((s) => p[s] !== undefined).length <= 1, 'expected one of url, data, file or keyserver, not several'),
  v.check((p) => p.keyserver === undefined || p.id !== undefined, 'expected id with keyserver'),
  v.check((p) => p.state === 'absent' || SOURCES.some((s) => p[s] !== undefined), 'expected url, data, file or keyserver for state present'),
  v.check((p) => p.state === 'present' || p.id !== undefined, 'expected id for state absent'),
);
export type AptKeyParams = v.InferOutput<typeof schema>;

/** Where apt-key add put keys, and so skiff's default keyring. */
export const DEFAULT_KEYRING = '/etc/apt/trusted.gpg';
/** Every keyring apt trusts: a key in any of them is present (as `apt-key list` sees them). */
const APT_KEYRINGS = `${DEFAULT_KEYRING} /etc/apt/trusted.gpg.d/*.gpg /etc/apt/trusted.gpg.d/*.asc`;

/** A public key: its primary fingerprint first, then its subkeys'. */
export interface Key {
  fprs: string[];
}

export interface KeyFacts {
  /** the keys of each keyring file that exists, by path */
  keyrings: Map<string, Key[]>;
  /** without `id`: the keys the source holds */
  fresh?: Key[];
}

/** `gpg --with-colons --import-options show-only --import` (--show-keys, as gpg before 2.2.8 spells it): the keys, each with its fingerprints. Pure. */
export function parseKeys(out: string): Key[] {
  const keys: Key[] = [];
  for (const line of out.split('\n')) {
    const f = line.split(':');
    if (f[0] === 'pub') keys.push({ fprs: [] });
    else if (f[0] === 'fpr' && keys.length && f[9]) keys.at(-1)!.fprs.push(f[9].toUpperCase());
  }
  return keys;
}

/** The output of factsScript: `@keyring PATH` and `@new` sections of gpg listings. Pure. */
export function parseFacts(out: string): KeyFacts {
  const facts: KeyFacts = { keyrings: new Map() };
  for (const section of out.split(/^@/m).slice(1)) {
    const nl = section.indexOf('\n');
    const head = nl < 0 ? section : section.slice(0, nl);
    const keys = parseKeys(nl < 0 ? '' : section.slice(nl + 1));
    if (head === 'new') facts.fresh = keys;
    else if (head.startsWith('keyring ')) facts.keyrings.set(head.slice('keyring '.length), keys);
  }
  return facts;
}

/** A key id names a key when it ends one of its fingerprints (a short or long id, or the whole). */
const names = (k: Key, id: string) => k.fprs.some((f) => f.endsWith(id));

export interface KeyPlan {
  /** import the source's key into this keyring */
  add?: string;
  /** delete these keys (primary fingerprints) from each keyring */
  remove: { keyring: string; fprs: string[] }[];
  /** the keys the task is about: `id`, or the source's fingerprints */
  ids: string[];
}

/** What to change, from the keyrings' keys. Pure. */
export function planAptKey(p: Pick<AptKeyParams, 'id' | 'keyring' | 'state'>, f: KeyFacts): KeyPlan {
  const all = [...f.keyrings.values()].flat();
  if (p.state === 'absent') {
    const remove = [...f.keyrings].flatMap(([keyring, keys]) => {
      const fprs = keys.filter((k) => names(k, p.id!)).map((k) => k.fprs[0]);
      return fprs.length ? [{ keyring, fprs }] : [];
    });
    return { remove, ids: [p.id!] };
  }
  const ids = p.id ? [p.id] : (f.fresh ?? []).map((k) => k.fprs[0]);
  const missing = ids.filter((id) => !all.some((k) => names(k, id)));
  return { add: missing.length ? (p.keyring ?? DEFAULT_KEYRING) : undefined, remove: [], ids };
}

/** Shell lines that leave the source's key in "$h/key" (keyserver: in gpg's own keyring). Pure. */
function fetchLines(p: AptKeyParams): string[] {
  if (p.data !== undefined) return ['cat > "$h/key"'];
  if (p.file) return [`cat -- ${shq(p.file)} > "$h/key"`];
  if (p.url) return [`curl -K - -o "$h/key" || { echo "cannot download the key" >&2; exit 22; }`];
  return [];
}

/** What the fetch reads on stdin: the key itself, or curl's config (the URL never in argv). */
function stdinOf(p: AptKeyParams): string | undefined {
  if (p.data !== undefined) return p.data.endsWith('\n') ? p.data : p.data + '\n';
  if (p.url) return curlConfig({ url: p.url, follow: true, timeout: 60, insecure: !p.validate_certs, failOnError: true });
  return undefined;
}

/** gpg in a throwaway home, so neither the user's keyrings nor a trustdb are touched. */
const HOME = ['set -e', 'h=$(mktemp -d)', `trap 'rm -rf -- "$h"' EXIT`, `trap 'exit 129' HUP INT TERM PIPE`, 'export GNUPGHOME="$h"', 'g() { gpg --batch --no-tty --quiet "$@"; }'];

/** Reads the keyrings' keys and, without `id` for state present, the source's. Writes only in a temp dir. Pure. */
export function factsScript(p: AptKeyParams): string {
  const files = p.keyring ? shq(p.keyring) : APT_KEYRINGS;
  const lines = [...HOME, `for f in ${files}; do [ -f "$f" ] || continue; echo "@keyring $f"; g --with-colons --import-options show-only --import -- "$f" 2>/dev/null || true; done`];
  if (p.state === 'present' && !p.id) lines.push(...fetchLines(p), 'echo @new', 'g --with-colons --import-options show-only --import -- "$h/key" || { echo "no OpenPGP key in it" >&2; exit 3; }');
  return lines.join('\n');
}

/**
 * Changes one keyring in a temp file beside it, then renames that over it, mode and owner kept (new:
 * 0644, apt reads it as _apt). A binary keyring keeps its bytes: the new key is appended (a keyring is
 * a sequence of OpenPGP packets), a removal is gpg's edit of the copy; so a key this gpg would not
 * import (an old v3 key) is never dropped in passing. An .asc keyring is read and exported again,
 * armored. Pure.
 */
export function writeScript(p: AptKeyParams, keyring: string, remove: string[] = []): string {
  const k = shq(keyring);
  const armored = keyring.endsWith('.asc');
  const lines = [...HOME];
  if (!remove.length) {
    if (p.keyserver) lines.push(`g --keyserver ${shq(p.keyserver)} --recv-keys -- ${shq(p.id!)}`);
    else lines.push(...fetchLines(p), 'g --import -- "$h/key"');
    // a source that does not hold `id` would otherwise be "changed" on every run
    if (p.id) lines.push(`g --list-keys -- ${shq(p.id)} >/dev/null 2>&1 || { echo "the key fetched is not ${p.id}" >&2; exit 3; }`);
  }
  lines.push(`t=$(mktemp "$(dirname -- ${k})/.skiff.XXXXXX")`, `trap 'rm -rf -- "$h" "$t" "$t~" "$t.lock"' EXIT`);
  if (armored) {
    if (remove.length) lines.push(`g --import -- ${k}`, `g --yes --delete-keys -- ${remove.map(shq).join(' ')}`);
    else lines.push(`if [ -f ${k} ]; then g --import -- ${k}; fi`);
    lines.push('g --export --armor > "$t"');
  } else if (remove.length) lines.push(`cat -- ${k} > "$t"`, `g --no-default-keyring --keyring "$t" --yes --delete-keys -- ${remove.map(shq).join(' ')}`);
  else lines.push(`{ if [ -f ${k} ]; then cat -- ${k}; fi; g --export; } > "$t"`);
  lines.push(
    `if [ -e ${k} ]; then chmod --reference=${k} "$t"; chown --reference=${k} "$t" 2>/dev/null || true; else chmod 0644 "$t"; fi`,
    `mv -f -- "$t" ${k}`,
  );
  return lines.join('\n');
}

const sourceOf = (p: AptKeyParams) => (p.url ? shownUrl(p.url) : p.file ?? (p.keyserver ? `keyserver ${p.keyserver}` : 'data'));
const lastLines = (s: string) => s.trim().split('\n').slice(-2).join(' | ');

async function run(conn: Connection, script: string, p: AptKeyParams, what: string): Promise<string> {
  const r = await conn.exec(script, { stdin: stdinOf(p), timeoutMs: 120_000 });
  if (r.code !== 0) throw new TaskFailure(`apt_key: ${what}: ${lastLines(r.stderr) || `exit ${r.code}`}`);
  return r.stdout;
}

function result(ids: string[]): Record<string, unknown> {
  const id = ids[0];
  return id ? { fp: id.length === 40 ? id : undefined, key_id: id.slice(-16), short_id: id.slice(-8), id } : {};
}

async function plan(ctx: TaskContext, p: AptKeyParams) {
  const fetchNow = p.state === 'present' && !p.id;
  await needTools(ctx.conn, 'apt_key', fetchNow && p.url ? ['gpg', 'curl'] : ['gpg']);
  const facts = parseFacts(await run(ctx.conn, factsScript(p), p, fetchNow ? `reading the key from ${sourceOf(p)}` : 'reading the keyrings'));
  const todo = planAptKey(p, facts);
  const fetchTool = p.url ? 'curl' : p.keyserver ? 'dirmngr' : undefined;
  if (todo.add && !ctx.check && fetchTool) await needTools(ctx.conn, 'apt_key', [fetchTool], p.keyserver ? 'gpg fetches from a keyserver through dirmngr' : '');
  const changes = [
    ...(todo.add ? [`add key ${todo.ids.join(', ')} from ${sourceOf(p)} to ${todo.add}`] : []),
    ...todo.remove.map((r) => `remove key ${r.fprs.join(', ')} from ${r.keyring}`),
  ];
  return { changes, state: todo, result: result(todo.ids) };
}

export const aptKey: TaskType<AptKeyParams, KeyPlan> = {
  name: 'ansible.builtin.apt_key',
  hostPaths: ['file', 'keyring'],
  summary: 'an OpenPGP key is in (or absent from) an apt keyring, through the host\'s gpg (Ansible\'s apt_key)',
  schema,
  plan,
  async apply(ctx, p, { state }) {
    const todo = state!;
    if (todo.add) await run(ctx.conn, writeScript(p, todo.add), p, `adding the key from ${sourceOf(p)} to ${todo.add}`);
    for (const r of todo.remove) await run(ctx.conn, writeScript(p, r.keyring, r.fprs), p, `removing ${p.id} from ${r.keyring}`);
    return result(todo.ids);
  },
};
