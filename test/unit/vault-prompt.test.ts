// The password prompt: what keys do (pure), and on a real terminal (script(1) gives one) that what is
// typed is not echoed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { typeKeys } from '../../src/vault/prompt.ts';
import { ROOT } from '../helpers.ts';

test('Enter ends the line; backspace and Ctrl-U edit it; Ctrl-C aborts; Ctrl-D on an empty line is end of input', () => {
  assert.equal(typeKeys('', 'abc\r'), { line: 'abc', done: 'enter' });
  assert.equal(typeKeys('', 'ab'), { line: 'ab' });
  assert.equal(typeKeys('ab', 'c\u007fd\n'), { line: 'abd', done: 'enter' });
  assert.equal(typeKeys('abc', '\u0015x\r'), { line: 'x', done: 'enter' });
  assert.equal(typeKeys('secret', '\u0003'), { line: '', done: 'abort' });
  assert.equal(typeKeys('', '\u0004'), { line: '', done: 'eof' });
  assert.equal(typeKeys('', 'pässwörd\r'), { line: 'pässwörd', done: 'enter' });
});

const hasScript = spawnSync('script', ['--version']).status === 0;

test('--ask-vault-pass on a terminal: the prompt is shown, the password typed is not echoed, and it decrypts', () => {
  if (!hasScript) {
    console.log('  (skipped: no script(1) to give the test a terminal)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'skiff-vault-tty-'));
  const vaulted = join(dir, 'v.yml');
  const pw = join(dir, 'pw');
  writeFileSync(pw, 'tty-pass\n');
  const enc = spawnSync(process.execPath, [join(ROOT, 'bin/skiff.mjs'), 'vault', 'encrypt', '--vault-password-file', pw, '--output', vaulted], { input: 'k: typed-on-a-tty\n' });
  assert.is(enc.status, 0, String(enc.stderr));
  // the password is typed once the prompt is on the terminal (skiff sets raw mode as it shows it), as a
  // person would: script -f writes the terminal's output to `log` as it comes (at most 20 s of waiting)
  const log = join(dir, 'typescript');
  const typed = `for i in $(seq 200); do grep -q 'Vault password' ${log} 2>/dev/null && break; sleep 0.1; done; sleep 0.3; printf 'tty-pass\\r'`;
  const cmd = `(${typed}) | script -qefc "${process.execPath} ${join(ROOT, 'bin/skiff.mjs')} vault view --ask-vault-pass ${vaulted}" ${log}`;
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', timeout: 30_000 });
  assert.match(r.stdout, /Vault password: /);
  assert.match(r.stdout, /k: typed-on-a-tty/);
  assert.not.match(r.stdout, /tty-pass/);
});

test.run();
