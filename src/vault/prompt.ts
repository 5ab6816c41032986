// A password typed on the terminal, not echoed: --ask-vault-pass and --vault-id LABEL@prompt.
// The terminal is /dev/tty, not stdin, so `skiff vault encrypt < file` can still prompt (as getpass does).
import { openSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { Writable } from 'node:stream';
import { createWriteStream } from 'node:fs';

/**
 * Applies typed keys to the line so far: the line when Enter ends it, an error on Ctrl-C / Ctrl-D.
 * Pure, so that what a key does is tested without a terminal.
 */
export function typeKeys(line: string, keys: string): { line: string; done?: 'enter' | 'abort' | 'eof' } {
  let s = line;
  for (const ch of keys) {
    if (ch === '\r' || ch === '\n') return { line: s, done: 'enter' };
    if (ch === '\u0003') return { line: '', done: 'abort' };
    if (ch === '\u0004') return s ? { line: s } : { line: '', done: 'eof' };
    if (ch === '\u007f' || ch === '\b') s = [...s].slice(0, -1).join('');
    else if (ch === '\u0015') s = ''; // Ctrl-U: the line so far is erased
    else if (ch >= ' ') s += ch;
  }
  return { line: s };
}

/** Asks on /dev/tty with echo off; an error when there is no terminal (cron, CI). */
export function askNoEcho(question: string): Promise<string | { error: string }> {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch (e) {
    return Promise.resolve({ error: `no terminal to ask for the vault password (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): expected --vault-password-file or --vault-id LABEL@FILE` });
  }
  const input = new ReadStream(fd);
  const output: Writable = createWriteStream('', { fd, autoClose: false });
  return new Promise((resolvePromise) => {
    let line = '';
    const finish = (r: string | { error: string }) => {
      input.setRawMode(false);
      input.off('data', onData);
      output.write('\n');
      // the stream owns fd: destroying it closes the terminal
      input.destroy();
      resolvePromise(r);
    };
    const onData = (chunk: Buffer) => {
      const r = typeKeys(line, chunk.toString('utf8'));
      line = r.line;
      if (r.done === 'enter') finish(line);
      else if (r.done === 'abort') finish({ error: 'interrupted at the vault password prompt' });
      else if (r.done === 'eof') finish({ error: 'end of input (Ctrl-D) at the vault password prompt' });
    };
    output.write(question);
    input.setRawMode(true);
    input.on('data', onData);
  });
}
