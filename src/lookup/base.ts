// What every lookup plugin shares: its error, and where it finds the files it reads.
import { readFileSync } from 'node:fs';
import type { Scope } from '../template/expr.ts';
import { isVaulted } from '../vault/envelope.ts';
import type { VaultSecret } from '../vault/vaultlib.ts';
import { openText } from '../vault/yaml.ts';
import { useRunSecrets } from '../vault/encrypted.ts';

/**
 * A lookup's own failure, with Ansible's message (the task fails with it as `msg`). `raised`: the
 * plugin raised AnsibleLookupError or AnsibleOptionsError, which Templar._lookup passes on as they are
 * (any other error it wraps in LOOKUP_FAILED's words).
 */
export class LookupError extends Error {
  constructor(
    message: string,
    readonly raised = false,
  ) {
    super(message);
  }
}

/** A lookup's warning (Display.warning in the worker: `[WARNING]:` on stderr). */
let warn = (text: string): void => {
  process.stderr.write(`[WARNING]: ${text}\n`);
};
export function lookupWarning(text: string): void {
  warn(text);
}
/** For tests: where lookup warnings go. */
export function onLookupWarning(f: (text: string) => void): void {
  warn = f;
}

/**
 * How lookup() reports a plugin's error (Templar._lookup). It is raised when the task runs, so
 * ignore_errors or a rescue may take it: never a problem found before the run (prepare.ts).
 */
export const LOOKUP_FAILED = 'An unhandled exception occurred while running the lookup plugin';

/** Where a lookup that reads files looks: the task's search path (ansible_search_path) and the playbook's directory. */
export interface LookupFiles {
  searchPath: string[];
  baseDir: string;
  /** the task's variables (varnames, inventory_hostnames read them) */
  scope?: Scope;
}

/** The task's search path and the playbook's directory, as its scope has them (LookupFiles without scope). */
export function lookupFiles(scope: Scope): { searchPath: string[]; baseDir: string } {
  const at = (n: string) => {
    const r = scope(n);
    return r.found ? r.value : undefined;
  };
  const baseDir = String(at('playbook_dir') ?? process.cwd());
  const path = at('ansible_search_path');
  return { baseDir, searchPath: Array.isArray(path) ? path.map(String) : [baseDir] };
}

export type Lookup = (terms: unknown, kw: Record<string, unknown>, files?: LookupFiles) => unknown[];

/** The run's vault passwords (prepare.ts sets them), for the files lookups read. */
let vaultSecrets: readonly VaultSecret[] = [];
/** The run's vault passwords (a Python lookup's loader gets them: unvault, a vaulted file it reads). */
export const runVaultSecrets = (): readonly VaultSecret[] => vaultSecrets;
export function useVaultSecrets(secrets: readonly VaultSecret[]): void {
  vaultSecrets = secrets;
  useRunSecrets(secrets);
}

/**
 * A file's text as the file and template lookups read it: a vault-encrypted file is its plaintext
 * (DataLoader._get_file_contents decrypts), or a LookupError saying why it could not be opened.
 */
export function readLookupFile(path: string): string {
  const text = readFileSync(path, 'utf8');
  if (!isVaulted(text)) return text;
  const r = openText(text, vaultSecrets, 'vault-encrypted file');
  if ('error' in r) throw new LookupError(r.error);
  return r.text;
}
