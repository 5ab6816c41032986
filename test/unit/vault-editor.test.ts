// skiff vault edit: $EDITOR split as Ansible splits it, the plaintext only in a private temp file that
// is gone afterwards, the file encrypted again with the same password and vault id, replaced atomically.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { editorArgv, editVaultFile } from '../../src/vault/editor.ts';
import { openVault, sealVault, type VaultSecret } from '../../src/vault/vaultlib.ts';

test('EDITOR split into words as shlex.split does', () => {
  assert.equal(editorArgv('vi'), ['vi']);
  assert.equal(editorArgv('code --wait'), ['code', '--wait']);
  assert.equal(editorArgv(`"/opt/my editor/bin/ed" -n 'a b' c\\ d ""`), ['/opt/my editor/bin/ed', '-n', 'a b', 'c d', '']);
  assert.equal(editorArgv('  '), []);
});

const dir = mkdtempSync(join(tmpdir(), 'skiff-vault-edit-test-'));
const prod: VaultSecret = { id: 'prod', password: Buffer.from('edit-pass'), from: 'test' };
const log = join(dir, 'editor.log');
// an "editor" that records the file it got (path and mode), then appends a line to it
const editor = join(dir, 'fake-editor');
writeFileSync(editor, `#!/bin/sh\nstat -c '%a %n' "$1" > ${log}\necho "added: yes" >> "$1"\n`);
chmodSync(editor, 0o755);

test('edits through a 0600 temp file that is removed after; keeps the vault id and the file mode', () => {
  const f = join(dir, 'secrets.yml');
  writeFileSync(f, sealVault(Buffer.from('key: v\n'), prod), { mode: 0o640 });
  chmodSync(f, 0o640);
  const r = editVaultFile(f, [{ ...prod, id: 'other' }, prod], editor);
  assert.equal(r, { changed: true });
  const [mode, tmp] = readFileSync(log, 'utf8').trim().split(' ');
  assert.is(mode, '600');
  assert.match(tmp, /\.yml$/);
  assert.not.ok(existsSync(tmp), 'the plaintext temp file is removed');
  const text = readFileSync(f, 'utf8');
  assert.match(text, /^\$ANSIBLE_VAULT;1\.2;AES256;prod\n/);
  const o = openVault(text, [prod]);
  assert.is('plaintext' in o && o.plaintext.toString(), 'key: v\nadded: yes\n');
  assert.is(statSync(f).mode & 0o777, 0o640);
});

test('an editor that changes nothing leaves the file untouched (same bytes: no new salt)', () => {
  const f = join(dir, 'same.yml');
  const before = sealVault(Buffer.from('k: 1\n'), prod);
  writeFileSync(f, before);
  assert.equal(editVaultFile(f, [prod], 'true'), { changed: false });
  assert.is(readFileSync(f, 'utf8'), before);
});

test('a wrong password or a failing editor: an error, the file as it was, no temp file left', () => {
  const f = join(dir, 'kept.yml');
  const before = sealVault(Buffer.from('k: 1\n'), prod);
  writeFileSync(f, before);
  assert.match((editVaultFile(f, [{ ...prod, password: Buffer.from('x') }], editor) as { error: string }).error, /no vault password given fits/);
  assert.match((editVaultFile(f, [prod], 'false') as { error: string }).error, /editor exited with 1/);
  assert.match((editVaultFile(f, [prod], join(dir, 'no-such-editor')) as { error: string }).error, /cannot run the editor/);
  assert.is(readFileSync(f, 'utf8'), before);
});

test.run();
