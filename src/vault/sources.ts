// Where vault passwords come from, with ansible's options and order (CLI.build_vault_ids):
// every --vault-id in order, then each --vault-password-file and ANSIBLE_VAULT_PASSWORD_FILE under the
// id "default", then the prompt of --ask-vault-pass. A password file that is executable is run and its
// stdout is the password (a "-client" script gets `--vault-id LABEL`, as in Ansible); no password is
// ever put in a child's argv or environment.
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import * as v from 'valibot';
import { DEFAULT_ID, type VaultSecret } from './vaultlib.ts';

/** The vault options of every skiff command that reads or writes vault data. */
export const VaultOptionsSchema = v.object({
  vaultIds: v.array(
    v.pipe(
      v.string(),
      // Ansible refuses ';': it separates the header's fields, where the label is written
      v.check((s) => !s.split('@')[0].includes(';'), 'the character ";" is not allowed in a vault id'),
      v.check((s) => s.length > 0 && !s.endsWith('@'), 'expected LABEL@FILE, LABEL@prompt or FILE'),
    ),
  ),
  passwordFiles: v.array(v.pipe(v.string(), v.minLength(1, 'expected a file name'))),
  askVaultPass: v.boolean(),
});
export type VaultOptions = v.InferOutput<typeof VaultOptionsSchema>;

/** One place a password is to be read from: `label@source` split as Ansible's split_vault_id(). */
export interface Source {
  id: string;
  /** a file name, "prompt" (--vault-id x@prompt) or "ask" (--ask-vault-pass: Ansible's older prompt) */
  source: string;
  /** the option it came from, for messages */
  option: string;
}

export function sourcesOf(o: VaultOptions, env: NodeJS.ProcessEnv): Source[] {
  const out: Source[] = o.vaultIds.map((slug) => {
    const at = slug.indexOf('@');
    const id = at < 0 ? '' : slug.slice(0, at);
    return { id: id || DEFAULT_ID, source: at < 0 ? slug : slug.slice(at + 1), option: `--vault-id ${slug}` };
  });
  for (const f of o.passwordFiles) out.push({ id: DEFAULT_ID, source: f, option: `--vault-password-file ${f}` });
  const fromEnv = env.ANSIBLE_VAULT_PASSWORD_FILE;
  if (fromEnv) out.push({ id: DEFAULT_ID, source: fromEnv, option: `ANSIBLE_VAULT_PASSWORD_FILE=${fromEnv}` });
  if (o.askVaultPass) out.push({ id: DEFAULT_ID, source: 'ask', option: '--ask-vault-pass' });
  return out;
}

/** Reads a password from the terminal without echo; how is up to the caller (src/vault/prompt.ts). */
export type Prompter = (question: string) => Promise<string | { error: string }>;

export interface LoadOptions {
  prompt: Prompter;
  /** encrypting: ask twice, as ansible-vault does for a new password */
  confirm?: boolean;
}

/** Every password, or the problems (a missing file, a failing script, an empty password...). */
export async function loadSecrets(sources: Source[], o: LoadOptions): Promise<{ secrets: VaultSecret[]; problems: string[] }> {
  const secrets: VaultSecret[] = [];
  const problems: string[] = [];
  for (const s of sources) {
    const r = s.source === 'prompt' || s.source === 'ask' ? await fromPrompt(s, o) : fromFile(s);
    if ('error' in r) problems.push(`${s.option}: ${r.error}`);
    else secrets.push({ id: s.id, password: r.password, from: s.source === 'ask' ? 'prompt' : s.source });
  }
  return { secrets, problems };
}

async function fromPrompt(s: Source, o: LoadOptions): Promise<{ password: Buffer } | { error: string }> {
  // Ansible's wording: --ask-vault-pass keeps the old prompt that tools match on ("Vault password: ")
  const questions =
    s.source === 'ask'
      ? o.confirm ? ['New Vault password: ', 'Confirm New Vault password: '] : ['Vault password: ']
      : o.confirm ? [`New vault password (${s.id}): `, `Confirm new vault password (${s.id}): `] : [`Vault password (${s.id}): `];
  const answers: string[] = [];
  for (const q of questions) {
    const a = await o.prompt(q);
    if (typeof a !== 'string') return a;
    // Ansible strips what is typed (spaces included) and refuses an empty password
    if (!a.trim()) return { error: 'an empty password was typed: expected a password' };
    answers.push(a.trim());
  }
  if (answers.some((a) => a !== answers[0])) return { error: 'the passwords typed do not match: expected the same password twice' };
  return { password: Buffer.from(answers[0], 'utf8') };
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Ansible's script_is_client(): a script named `something-client[.ext]` is asked for one vault id. */
const isClient = (file: string) => basename(file, extname(file)).endsWith('-client');

/** `~/x` as Ansible's unfrackpath() reads it: `--vault-id prod@~/.vault-prod` is not expanded by a shell. */
const expandHome = (p: string) => (p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : p);

function fromFile(s: Source): { password: Buffer } | { error: string } {
  const file = resolve(expandHome(s.source));
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    return { error: `cannot read the vault password file: ${(e as Error).message}` };
  }
  if (st.isDirectory()) return { error: 'is a directory: expected a vault password file' };
  if (isExecutable(file)) return fromScript(file, isClient(file) ? ['--vault-id', s.id] : []);
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch (e) {
    return { error: `cannot read the vault password file: ${(e as Error).message}` };
  }
  // Ansible: bytes.strip() (ASCII blanks) for a file, only \r and \n for a script; latin1 keeps bytes as they are
  const password = Buffer.from(text.toString('latin1').replace(/^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g, ''), 'latin1');
  return password.length ? { password } : { error: 'the vault password file is empty: expected a password' };
}

function fromScript(file: string, args: string[]): { password: Buffer } | { error: string } {
  // stdin and stderr stay the user's, as in Ansible: a script may prompt on them
  const r = spawnSync(file, args, { stdio: ['inherit', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
  if (r.error) return { error: `cannot run the vault password script (${r.error.message}): if it is not a script, remove its executable bit` };
  if (r.status === 2 && args.length) return { error: `the vault password client script found no secret for vault id ${JSON.stringify(args[1])} (exit 2)` };
  if (r.status !== 0) return { error: `the vault password script exited with ${r.status ?? r.signal}: expected 0 and the password on stdout` };
  const password = Buffer.from(r.stdout.toString('latin1').replace(/^[\r\n]+|[\r\n]+$/g, ''), 'latin1');
  return password.length ? { password } : { error: 'the vault password script printed nothing: expected the password on stdout' };
}
