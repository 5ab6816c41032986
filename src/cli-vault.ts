// `skiff vault encrypt|decrypt|view|edit|encrypt_string`, with ansible-vault's options, and the vault
// options every other command takes (--vault-id, --vault-password-file, --ask-vault-pass).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as v from 'valibot';
import type { InputProblem } from './util/errors.ts';
import { editVaultFile } from './vault/editor.ts';
import { isVaulted } from './vault/envelope.ts';
import { writeAtomic } from './vault/files.ts';
import { askNoEcho } from './vault/prompt.ts';
import { loadSecrets, sourcesOf, VaultOptionsSchema, type Prompter, type Source } from './vault/sources.ts';
import { encryptSecret, openVault, sealVault, type VaultSecret } from './vault/vaultlib.ts';

/** The options, as node:util parseArgs takes them; Ansible's long aliases too. */
export const VAULT_FLAGS = {
  'vault-id': { type: 'string', multiple: true },
  'vault-password-file': { type: 'string', multiple: true },
  'vault-pass-file': { type: 'string', multiple: true },
  'ask-vault-pass': { type: 'boolean' },
  'ask-vault-password': { type: 'boolean' },
} as const;

export interface VaultFlagValues {
  'vault-id'?: string[];
  'vault-password-file'?: string[];
  'vault-pass-file'?: string[];
  'ask-vault-pass'?: boolean;
  'ask-vault-password'?: boolean;
}

const argvProblem = (message: string): InputProblem => ({ file: 'argv', line: 0, col: 0, message });

/** The vault-id slugs and password files of the options, checked, in Ansible's order. */
function sourcesFromFlags(o: VaultFlagValues, env: NodeJS.ProcessEnv): { sources?: Source[]; problems: InputProblem[] } {
  const files = [...(o['vault-password-file'] ?? []), ...(o['vault-pass-file'] ?? [])];
  const ask = !!(o['ask-vault-pass'] || o['ask-vault-password']);
  // as in ansible: one or the other (both would read one password twice)
  if (ask && files.length) return { problems: [argvProblem('--ask-vault-pass and --vault-password-file given together: expected one of them')] };
  const r = v.safeParse(VaultOptionsSchema, { vaultIds: o['vault-id'] ?? [], passwordFiles: files, askVaultPass: ask });
  if (!r.success) {
    return { problems: r.issues.map((i) => argvProblem(`${i.path?.[0]?.key === 'vaultIds' ? '--vault-id' : '--vault-password-file'} ${JSON.stringify(i.input)}: ${i.message}`)) };
  }
  return { sources: sourcesOf(r.output, env), problems: [] };
}

/**
 * The passwords the options name. `autoPrompt`: ansible-vault asks when nothing names a password;
 * the playbook commands do not (a run from cron must not wait on a prompt).
 */
export async function vaultSecretsFromFlags(o: VaultFlagValues, opts: { env?: NodeJS.ProcessEnv; confirm?: boolean; autoPrompt?: boolean; prompt?: Prompter } = {}): Promise<{ secrets?: VaultSecret[]; problems: InputProblem[] }> {
  const { sources, problems } = sourcesFromFlags(o, opts.env ?? process.env);
  if (!sources) return { problems };
  if (!sources.length && opts.autoPrompt) sources.push({ id: 'default', source: 'ask', option: 'the vault password prompt' });
  const r = await loadSecrets(sources, { prompt: opts.prompt ?? askNoEcho, confirm: opts.confirm });
  if (r.problems.length) return { problems: r.problems.map(argvProblem) };
  return { secrets: r.secrets, problems: [] };
}

const USAGE = `usage:
  skiff vault encrypt [FILE...] [--output FILE|-] [--encrypt-vault-id ID]
  skiff vault decrypt [FILE...] [--output FILE|-]
  skiff vault view FILE...
  skiff vault edit FILE...
  skiff vault encrypt_string [STRING...] [--name NAME]... [--stdin-name NAME] [-p|--prompt] [--output FILE|-] [--encrypt-vault-id ID]
passwords (as ansible-vault; several --vault-id allowed):
  --vault-id LABEL@FILE | LABEL@prompt | FILE   --vault-password-file FILE   --ask-vault-pass   ANSIBLE_VAULT_PASSWORD_FILE
  a password FILE that is executable is run: its stdout is the password
no FILE (or -): stdin, written to stdout`;

export interface VaultIo {
  stdout: (s: string | Buffer) => void;
  stderr: (s: string) => void;
  readStdin: () => Buffer;
  env: NodeJS.ProcessEnv;
  prompt: Prompter;
}

const defaultIo = (): VaultIo => ({
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  readStdin: () => readFileSync(0),
  env: process.env,
  prompt: askNoEcho,
});

const BAD = 5;

/** `skiff vault ...`: the exit code (0 done, 5 bad input: options, a password that does not fit, a file). */
export async function vaultMain(argv: string[], io: VaultIo = defaultIo()): Promise<number> {
  const fail = (problems: InputProblem[] | string[]) => {
    for (const p of problems) io.stderr(`skiff vault: ${typeof p === 'string' ? p : p.line ? `${p.file}:${p.line}:${p.col}: ${p.message}` : p.message}\n`);
    return BAD;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...VAULT_FLAGS,
        output: { type: 'string' },
        'encrypt-vault-id': { type: 'string' },
        name: { type: 'string', short: 'n', multiple: true },
        'stdin-name': { type: 'string' },
        prompt: { type: 'boolean', short: 'p' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    return fail([`${(e as Error).message}\n${USAGE}`]);
  }
  const { values: o, positionals: [action, ...args] } = parsed;
  if (o.help) {
    io.stdout(USAGE + '\n');
    return 0;
  }
  const actions: Record<string, (c: Ctx) => Promise<string[]>> = { encrypt, decrypt, view, edit, encrypt_string: encryptString };
  if (!action || !Object.hasOwn(actions, action)) return fail([`unknown action ${JSON.stringify(action ?? '')}: expected ${Object.keys(actions).join(', ')}\n${USAGE}`]);
  if (o.output !== undefined && args.length > 1) return fail(['--output with more than one input file: expected at most one']);
  const encrypting = action === 'encrypt' || action === 'encrypt_string';
  const { secrets, problems } = await vaultSecretsFromFlags(o, { env: io.env, confirm: encrypting, autoPrompt: true, prompt: io.prompt });
  if (!secrets) return fail(problems);
  const errors = await actions[action]({ o, args, secrets, io });
  return errors.length ? fail(errors) : 0;
}

interface Ctx {
  o: { output?: string; 'encrypt-vault-id'?: string; name?: string[]; 'stdin-name'?: string; prompt?: boolean };
  args: string[];
  secrets: VaultSecret[];
  io: VaultIo;
}

function readInput(f: string, io: VaultIo): Buffer | string {
  try {
    return f === '-' ? io.readStdin() : readFileSync(f);
  } catch (e) {
    return `${f}: cannot read: ${(e as Error).message}`;
  }
}

function writeOutput(target: string, data: Buffer | string, io: VaultIo): string | undefined {
  if (target === '-') {
    io.stdout(data);
    return undefined;
  }
  try {
    writeAtomic(target, data);
  } catch (e) {
    return `${target}: cannot write: ${(e as Error).message}`;
  }
}

async function encrypt({ o, args, secrets, io }: Ctx): Promise<string[]> {
  const secret = encryptSecret(secrets, o['encrypt-vault-id']);
  if ('error' in secret) return [secret.error];
  const errors: string[] = [];
  for (const f of args.length ? args : ['-']) {
    const data = readInput(f, io);
    if (typeof data === 'string') errors.push(data);
    else if (isVaulted(data.toString('latin1'))) errors.push(`${f}: input is already encrypted: expected plaintext`);
    else {
      const err = writeOutput(o.output ?? f, sealVault(data, secret), io);
      if (err) errors.push(err);
    }
  }
  return errors;
}

/** Opens each file (stdin for none); `write` gets the plaintext. A wrong password names the file. */
function eachPlaintext({ secrets, io }: Ctx, files: string[], write: (f: string, plaintext: Buffer) => string | undefined): string[] {
  const errors: string[] = [];
  for (const f of files) {
    const data = readInput(f, io);
    if (typeof data === 'string') {
      errors.push(data);
      continue;
    }
    const r = openVault(data.toString('latin1'), secrets);
    if ('error' in r) errors.push(`${f === '-' ? 'stdin' : f}: ${r.error}`);
    else {
      const err = write(f, r.plaintext);
      if (err) errors.push(err);
    }
  }
  return errors;
}

async function decrypt(c: Ctx): Promise<string[]> {
  return eachPlaintext(c, c.args.length ? c.args : ['-'], (f, p) => writeOutput(c.o.output ?? f, p, c.io));
}

async function view(c: Ctx): Promise<string[]> {
  if (!c.args.length) return ['view: expected at least one FILE'];
  return eachPlaintext(c, c.args, (_f, p) => writeOutput('-', p, c.io));
}

async function edit({ args, secrets, io }: Ctx): Promise<string[]> {
  if (!args.length) return ['edit: expected at least one FILE'];
  const errors: string[] = [];
  for (const f of args) {
    const r = editVaultFile(f, secrets, io.env.EDITOR || 'vi');
    if ('error' in r) errors.push(`${f}: ${r.error}`);
  }
  return errors;
}

/** Ansible's format_ciphertext_yaml(): `NAME: !vault |` then the vault text indented by 10. */
export function vaultYaml(vaulttext: string, name?: string): string {
  const lines = vaulttext.split('\n').filter((l, i, all) => l || i < all.length - 1);
  return [`${name ? `${name}: ` : ''}!vault |`, ...lines.map((l) => ' '.repeat(10) + l)].join('\n');
}

async function encryptString({ o, args, secrets, io }: Ctx): Promise<string[]> {
  const secret = encryptSecret(secrets, o['encrypt-vault-id']);
  if ('error' in secret) return [secret.error];
  const inputs: { text: Buffer; from: string; name?: string }[] = [];
  const fromStdin = args.includes('-') || !args.length || o['stdin-name'] !== undefined;
  if (o.prompt && fromStdin) return ['--prompt with input from stdin: expected one of them'];
  if (o.prompt) {
    const name = await io.prompt('Variable name (enter for no name): ');
    const text = await io.prompt('String to encrypt (hidden): ');
    if (typeof name !== 'string') return [name.error];
    if (typeof text !== 'string') return [text.error];
    if (!text) return ['the string typed is empty: expected a string to encrypt'];
    inputs.push({ text: Buffer.from(text), from: 'the interactive prompt', name: name || undefined });
  } else if (fromStdin) {
    const text = io.readStdin();
    if (!text.length) return ['stdin was empty: expected a string to encrypt'];
    inputs.push({ text, from: 'stdin', name: o['stdin-name'] });
  }
  const names = o.name ?? [];
  args.filter((a) => a !== '-').forEach((a, i) => inputs.push({ text: Buffer.from(a), from: 'the command line args', name: names[i] }));
  if (inputs.some((x) => !x.text.length)) return ['an empty string: expected a string to encrypt'];
  const out = inputs.map((x, i) => {
    if (inputs.length > 1) io.stderr(x.name ? `# The encrypted version of variable ("${x.name}", the string #${i + 1} from ${x.from}).\n` : `# The encrypted version of the string #${i + 1} from ${x.from}.)\n`);
    return vaultYaml(sealVault(x.text, secret), x.name);
  });
  // as ansible-vault: no newline after the last line
  const err = writeOutput(o.output ?? '-', out.join('\n'), io);
  return err ? [err] : [];
}
