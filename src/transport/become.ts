// become: how a command runs as another user, through sudo or su (Ansible's become methods of those
// names), for the SSH and local transports alike.
//
// sudo without a password: `sudo -n` (fails instead of prompting). With one (-K, become_password):
// `sudo -S` reads it from the command's stdin, never argv or the environment. sudo may not ask
// (NOPASSWD, or no policy demands it), and then the password must not reach the command: so sudo gets
// a prompt of our own (-p), and the command first prints a marker on stderr. Whichever comes first
// decides: the prompt gets the password, the marker means the command runs, and only then is the
// command's own stdin sent (Ansible's "become success" marker, the same idea).
//
// su (Ansible's su plugin: `su FLAGS USER -c QUOTED`) has no prompt option and no -n: it asks on
// stderr with PAM's own prompt ("Password: ", localised) and reads the answer from stdin, tty or not.
// So su always runs behind the marker, password or not: a prompt matching Ansible's list of su prompts
// gets the password, or, without one, ends the command ("Missing su password") before su could take
// the command's stdin as a password. Root is never asked (pam_rootok).
import { randomUUID } from 'node:crypto';
import { shq } from './quote.ts';

export type BecomeMethod = 'sudo' | 'su';
export const BECOME_METHODS: readonly BecomeMethod[] = ['sudo', 'su'];

/** A become_method as Ansible's become loader finds it (sudo, or ansible.builtin.sudo); undefined for one skiff has not. */
export function becomeMethodOf(name: string): BecomeMethod | undefined {
  const short = name.replace(/^ansible\.(builtin|legacy)\./, '');
  return (BECOME_METHODS as readonly string[]).includes(short) ? (short as BecomeMethod) : undefined;
}

/** Another of Ansible's become plugins (doas, pbrun, runas, machinectl...): refused by name. */
export const becomeMethodRefused = (name: string): string => `become_method ${name} is not supported by skiff: it becomes through sudo or su only (expected sudo or su)`;

export interface Become {
  user?: string;
  password?: string;
  /** sudo when unset */
  method?: BecomeMethod;
  /** the program run instead of sudo or su (Ansible's become_exe) */
  exe?: string;
  /** shell words put after it (Ansible's become_flags), as written */
  flags?: string;
}

/** How to become, apart from whom and the password: what a task's become_method, become_exe, become_flags say */
export type BecomeHow = Pick<Become, 'method' | 'exe' | 'flags'>;

export interface BecomeLine {
  /** the command line for the remote (or local) POSIX shell */
  line: string;
  /** present when a password may be asked for: feed it stderr until it says ready */
  gate?: BecomeGate;
}

export function becomeLine(cmd: string, b: Become | undefined): BecomeLine {
  if (!b) return { line: `sh -c ${shq(cmd)}` };
  return b.method === 'su' ? suLine(cmd, b) : sudoLine(cmd, b);
}

const words = (...ws: (string | undefined)[]) => ws.filter((w) => w).join(' ');

function sudoLine(cmd: string, b: Become): BecomeLine {
  const exe = b.exe || 'sudo';
  const user = b.user ? `-u ${shq(b.user)}` : '';
  if (b.password === undefined) return { line: words(exe, b.flags, '-n', user, `sh -c ${shq(cmd)}`) };
  const gate = new BecomeGate(randomUUID(), b.password, 'sudo');
  // -k: never a cached credential, so the prompt (or the marker) always comes in the same place; the
  // flags lose -n, as Ansible's sudo plugin drops it when it has a password
  return { line: words(exe, b.flags && withoutNonInteractive(b.flags), '-S -k -p', shq(gate.prompt), user, `sh -c ${shq(gate.wrap(cmd))}`), gate };
}

/** Ansible's sudo plugin with a password: -n and --non-interactive out, an n out of short flag groups (-Hn: -H). */
export function withoutNonInteractive(flags: string): string {
  return flags
    .split(/\s+/)
    .filter((f) => f && f !== '-n' && f !== '--non-interactive')
    .map((f) => (f.startsWith('--') ? f : f.replace(/^(-\w*)n(\w*.*)/, '$1$2')))
    .filter((f) => f !== '-')
    .join(' ');
}

/**
 * Ansible's su plugin: `su FLAGS USER -c QUOTED`, the user's login shell starting /bin/sh (a path: su's
 * login PATH may be short) with the command behind the marker.
 */
function suLine(cmd: string, b: Become): BecomeLine {
  const gate = new BecomeGate(randomUUID(), b.password, 'su');
  return { line: words(b.exe || 'su', b.flags, b.user && shq(b.user), '-c', shq(`/bin/sh -c ${shq(gate.wrap(cmd))}`)), gate };
}

/**
 * su's prompts as Ansible's su plugin knows them (SU_PROMPT_LOCALIZATIONS), matched as its
 * check_password_prompt does: at the start of what su printed, maybe "user's ", then a colon.
 */
const SU_PROMPTS = [
  'Password', '암호', 'パスワード', 'Adgangskode', 'Contraseña', 'Contrasenya', 'Hasło', 'Heslo', 'Jelszó', 'Lösenord', 'Mật khẩu',
  'Mot de passe', 'Parola', 'Parool', 'Pasahitza', 'Passord', 'Passwort', 'Salasana', 'Sandi', 'Senha', 'Wachtwoord', 'ססמה',
  'Лозинка', 'Парола', 'Пароль', 'गुप्तशब्द', 'शब्दकूट', 'సంకేతపదము', 'හස්පදය', '密码', '密碼', '口令',
];
const SU_PROMPT = new RegExp(`^\\s*(?:\\w+'s )?(?:${SU_PROMPTS.join('|')}) ?[:：] ?`, 'iu');
/** what su says for a wrong password (Ansible's su plugin `fail`) */
const SU_FAIL = 'Authentication failure';

/** wrong: the password was refused; missing: a password was asked for and none was given */
export type GateStep = { write?: string; ready?: true; refused?: 'wrong' | 'missing'; stderr: string };

/** Watches stderr until the become prompt (answer it) or the marker (the command runs). */
export class BecomeGate {
  /** sudo's prompt, of our own (sudo -p); su's is its own (SU_PROMPT) */
  readonly prompt: string;
  readonly marker: string;
  private buf = '';
  private answered = false;
  done = false;

  constructor(
    nonce: string,
    private readonly password: string | undefined,
    readonly method: BecomeMethod = 'sudo',
  ) {
    this.prompt = `[skiff-become-${nonce}] password: `;
    this.marker = `skiff-become-ok-${nonce}`;
  }

  /** `cmd` behind the marker, for sh -c */
  wrap(cmd: string): string {
    return `printf '%s\\n' ${shq(this.marker)} >&2; ${cmd}`;
  }

  /** Where the prompt is in what is held back (index and length), if it is there. */
  private findPrompt(): { at: number; len: number } | undefined {
    if (this.method === 'su') {
      const m = SU_PROMPT.exec(this.buf);
      return m ? { at: m.index, len: m[0].length } : undefined;
    }
    const at = this.buf.indexOf(this.prompt);
    return at >= 0 ? { at, len: this.prompt.length } : undefined;
  }

  /** Pure state machine over stderr chunks; `stderr` is what belongs to the command's own stderr. */
  feed(chunk: string): GateStep {
    if (this.done) return { stderr: chunk };
    this.buf += chunk;
    const m = this.buf.indexOf(this.marker + '\n');
    if (m >= 0) {
      this.done = true;
      const before = this.buf.slice(0, m).split(this.prompt).join('');
      const after = this.buf.slice(m + this.marker.length + 1);
      this.buf = '';
      // what sudo said before the marker ("Sorry, try again" after a retry) is not the command's
      return { ready: true, stderr: before.replace(/^\s*$/s, '') + after };
    }
    if (this.method === 'su' && this.answered && this.buf.includes(SU_FAIL)) {
      this.done = true;
      return { refused: 'wrong', stderr: this.buf };
    }
    const p = this.findPrompt();
    if (p) {
      if (this.password === undefined) {
        // su asks and nothing may answer: the command's stdin must not become its password
        this.done = true;
        return { refused: 'missing', stderr: this.buf.slice(0, p.at) + this.buf.slice(p.at + p.len) };
      }
      if (this.answered) {
        // asked again: the password was wrong; sudo would ask twice more
        this.done = true;
        return { refused: 'wrong', stderr: this.buf.split(this.prompt).join('') };
      }
      this.answered = true;
      this.buf = this.buf.slice(p.at + p.len);
      return { write: this.password + '\n', stderr: '' };
    }
    return { stderr: '' };
  }

  /** What was held back, when the command ended before either (sudo failed outright). */
  rest(): string {
    return this.buf.split(this.prompt).join('');
  }
}

/**
 * A become that failed for its password, from what the command said on stderr: `sudo -n` fails
 * instead of prompting, su says Authentication failure. An error that says what to do.
 */
export function becomePasswordError(host: string, stderr: string): Error | undefined {
  if (stderr.includes('sudo: a password is required'))
    return new Error(
      `become: sudo needs a password on ${host}: give it with -K (--ask-become-pass) or become_password (in a vault file), ` +
        `or allow passwordless sudo (NOPASSWD in sudoers) for the connecting user.`,
    );
  if (/^su: Authentication failure/m.test(stderr)) return becomeRefused(host, 'su');
  return undefined;
}

/** The password refused (Ansible's "Incorrect su password"), or asked for and not given ("Missing su password"). */
export function becomeRefused(host: string, method: BecomeMethod, why: 'wrong' | 'missing' = 'wrong'): Error {
  if (why === 'missing') return new Error(`become: Missing ${method} password on ${host}: ${method} asked for one: give it with -K (--ask-become-pass) or become_password (in a vault file)`);
  return new Error(`become: Incorrect ${method} password on ${host}: ${method} refused the become password${method === 'sudo' ? ' (asked again)' : ''}: check -K / become_password`);
}
