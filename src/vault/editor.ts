// `skiff vault edit`: the plaintext goes to a private temp file (mode 0600 in a 0700 directory of its
// own), the user's $EDITOR edits it, the result is encrypted again with the same password and vault id
// and renamed over the file; the temp file is removed whatever happens.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { writeAtomic } from './files.ts';
import { openVault, sealVault, type VaultSecret } from './vaultlib.ts';

/** $EDITOR split into words as Python's shlex.split() does (Ansible runs it without a shell). */
export function editorArgv(editor: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < editor.length; i++) {
    const c = editor[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < editor.length && '"\\$`'.includes(editor[i + 1])) word += editor[++i];
      else word += c;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < editor.length) word = (word ?? '') + editor[++i];
    else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

export type EditResult = { changed: boolean } | { error: string };

export function editVaultFile(file: string, secrets: readonly VaultSecret[], editor: string): EditResult {
  let text: string;
  let mode: number;
  try {
    text = readFileSync(file, 'utf8');
    mode = statSync(file).mode & 0o7777;
  } catch (e) {
    return { error: `cannot read: ${(e as Error).message}` };
  }
  const opened = openVault(text, secrets);
  if ('error' in opened) return { error: opened.error };
  const dir = mkdtempSync(join(tmpdir(), 'skiff-vault-edit-'));
  try {
    // the extension stays: editors choose their syntax by it
    const tmp = join(dir, `plaintext${extname(file)}`);
    writeFileSync(tmp, opened.plaintext, { mode: 0o600, flag: 'wx' });
    const argv = editorArgv(editor);
    if (!argv.length) return { error: 'EDITOR is empty: expected an editor command' };
    const r = spawnSync(argv[0], [...argv.slice(1), tmp], { stdio: 'inherit' });
    if (r.error) return { error: `cannot run the editor ${JSON.stringify(argv[0])}: ${r.error.message}` };
    if (r.status !== 0) return { error: `the editor exited with ${r.status ?? r.signal}: the file is left as it was` };
    const edited = readFileSync(tmp);
    if (edited.equals(opened.plaintext)) return { changed: false };
    // the same password, and the header's vault id (1.1 stays 1.1), as ansible-vault edit keeps them
    writeAtomic(file, sealVault(edited, { ...opened.secret, id: opened.vaultId }), mode);
    return { changed: true };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
