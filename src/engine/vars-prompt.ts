// A play's vars_prompt, as Ansible's PlaybookExecutor and Display.do_var_prompt have it: a name given
// with -e is not asked; otherwise, when stdin is a terminal, the prompt (`PROMPT [DEFAULT]: `, or
// `input for NAME: `) is answered there (private: not echoed; confirm: asked twice until both match);
// without a terminal nothing is asked ("Not prompting as we are not in interactive mode") and the
// default is taken. An empty answer is the default. encrypt hashes the answer (password_hash);
// unsafe keeps it from being templated. The answer is a play var.
// skiff asks every play's prompts before the run starts (Ansible asks at each play's start): what is
// typed is the same, and no host is touched before every input is known.
import { readSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { isatty } from 'node:tty';
import type { VarsPrompt } from '../playbook/schema.ts';
import { render, scopeOf } from '../template/template.ts';
import { unsafeLiteral } from '../template/unsafe.ts';
import { passwordHash } from '../template/password-hash.ts';
import { pyStr } from '../template/expr-error.ts';
import { keywordBool } from './flag.ts';

/** The terminal the prompts are answered on (a test gives its own). */
export interface PromptIO {
  interactive: boolean;
  ask(message: string, secret: boolean): string;
  say(line: string): void;
}

export const NOT_INTERACTIVE = 'Not prompting as we are not in interactive mode';

/** Ansible's words around a prompt */
export function promptMessage(name: string, prompt: unknown, def: unknown): string {
  if (prompt && def !== undefined && def !== null) return `${pyStr(prompt)} [${pyStr(def)}]: `;
  if (prompt) return `${pyStr(prompt)}: `;
  return `input for ${name}: `;
}

/** private, confirm, unsafe as Ansible reads them (boolean(), strict): a value that is no boolean is an error */
const bool = (x: unknown, dflt: boolean, name: string) => (x === undefined || x === null ? dflt : keywordBool(x, name));

/**
 * The play vars the prompts give (rendered with the play's vars and the extra vars first, as Ansible
 * templates vars_prompt); `warn` gets Ansible's warning when there is no terminal.
 */
export function askVarsPrompt(prompts: VarsPrompt[], playVars: Record<string, unknown>, extra: Record<string, unknown>, io: PromptIO, warn: (w: string) => void): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const raw of prompts) {
    const p = render(raw, scopeOf(extra, playVars), []) as VarsPrompt;
    const name = pyStr(p.name);
    if (Object.hasOwn(extra, name)) continue;
    const def = p.default;
    let answer: string | undefined;
    if (io.interactive) {
      const msg = promptMessage(name, p.prompt ?? name, def);
      const secret = bool(p.private, true, 'private');
      for (;;) {
        answer = io.ask(msg, secret);
        if (!bool(p.confirm, false, 'confirm') || io.ask(`confirm ${msg}`, secret) === answer) break;
        io.say('***** VALUES ENTERED DO NOT MATCH ****');
      }
    } else warn(NOT_INTERACTIVE);
    let value: unknown = !answer && def !== undefined && def !== null ? def : answer;
    if (p.encrypt) value = passwordHash(value, [p.encrypt], { salt: p.salt ?? null, salt_size: p.salt_size ?? null });
    // Ansible's to_text: no answer and no default is the text "None"
    const text = value === undefined || value === null ? 'None' : pyStr(value);
    out[name] = bool(p.unsafe, false, 'unsafe') ? unsafeLiteral(text) : text;
  }
  return out;
}

/** The process's terminal: stdin read a line at a time, the echo off (stty) for a private answer. */
export function terminalIO(): PromptIO {
  const interactive = isatty(0);
  const stty = (arg: string) => spawnSync('stty', [arg], { stdio: [0, 'ignore', 'ignore'] });
  return {
    interactive,
    say: (line) => writeSync(1, `${line}\n`),
    ask(message, secret) {
      writeSync(1, message);
      if (secret) stty('-echo');
      try {
        return readLine(0);
      } finally {
        if (secret) {
          stty('echo');
          writeSync(1, '\n');
        }
      }
    },
  };
}

/** One line from fd (a terminal in canonical mode gives a line per read); EOF ends it too. */
function readLine(fd: number): string {
  const buf = Buffer.alloc(4096);
  let line = '';
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
        continue;
      }
      throw e;
    }
    if (n === 0) return line;
    line += buf.toString('utf8', 0, n);
    const nl = line.search(/\r?\n/);
    if (nl >= 0) return line.slice(0, nl);
  }
}
