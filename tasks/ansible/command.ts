// Ansible's command and shell. command runs its words without a shell (the line split as Python's
// shlex does, each word quoted), so `{{ }}` values and `$`, `|`, `>` stay data; shell gives the text to
// `/bin/sh -c` as written (Ansible's semantics: quote values yourself with `| quote`). Free form as
// Ansible reads it: `command: ./x --y creates=/z chdir=/w` (split when the task is loaded).
import * as v from 'valibot';
import { Bool } from '../lib/schema.ts';
import { shJoin, shq } from '../../src/transport/quote.ts';
import type { TaskType } from '../../src/engine/task-type.ts';
import { factsOf, fileReads } from '../lib/files.ts';
import { commandFailure, commandResult, shlexSplit } from '../lib/commands.ts';

const Text = v.pipe(v.string(), v.minLength(1, 'expected a command'));
const Path = v.pipe(v.string(), v.minLength(1, 'expected a path'));

const entries = {
  /** the free form (`command: ls -l`), as Ansible names it */
  _raw_params: v.optional(Text),
  cmd: v.optional(Text),
  chdir: v.optional(Path),
  /** skipped when this path exists (relative paths: under chdir) */
  creates: v.optional(Path),
  /** skipped when this path does not exist */
  removes: v.optional(Path),
  stdin: v.optional(v.string()),
  stdin_add_newline: v.optional(Bool, true),
  /** strip trailing newlines from stdout/stderr, as Ansible does by default (false is not supported) */
  strip_empty_ends: v.optional(v.literal(true, 'expected true (skiff always strips them)'), true),
};

// the free form's options (creates=, chdir=...) were taken out of it when the task was loaded, before
// templating, as Ansible does (src/playbook/kv.ts): what is left is the command line
const free = <T extends { _raw_params?: string; cmd?: string }>({ _raw_params, ...p }: T) => (_raw_params === undefined ? p : { ...p, cmd: _raw_params });
const oneForm = <T extends { _raw_params?: string; cmd?: string }>() => v.check<T, string>((p) => p._raw_params === undefined || p.cmd === undefined, "expected the command in cmd or in the free form, not both (Ansible: the 'cmd' argument cannot be used when other raw parameters are specified)");

const commandSchema = v.pipe(
  v.strictObject({ ...entries, argv: v.optional(v.pipe(v.array(v.pipe(v.union([v.string(), v.number()]), v.transform(String))), v.minLength(1, 'expected at least the program name'))) }),
  oneForm(),
  v.transform(free),
  v.check((p) => (p.cmd === undefined) !== (p.argv === undefined), 'expected exactly one of cmd (or the free form) and argv'),
  v.check((p) => p.cmd === undefined || shlexSplit(p.cmd) !== null, 'expected a command line with its quotes closed'),
);
const shellSchema = v.pipe(
  v.strictObject({ ...entries, executable: v.optional(v.pipe(v.string(), v.regex(/^\//, 'expected the absolute path of a shell'))) }),
  oneForm(),
  v.transform(free),
  v.check((p) => p.cmd !== undefined, 'expected cmd (or the free form)'),
);
type CommandParams = v.InferOutput<typeof commandSchema>;
type ShellParams = v.InferOutput<typeof shellSchema>;
type Common = { cmd?: string; chdir?: string; creates?: string; removes?: string; stdin?: string; stdin_add_newline: boolean };

const under = (p: Common, path: string) => (path.startsWith('/') || !p.chdir ? path : `${p.chdir.replace(/\/$/, '')}/${path}`);

function makeCommand<P extends Common>(name: string, summary: string, schema: TaskType<P>['schema'], line: (p: P) => string, shown: (p: P) => unknown): TaskType<P> {
  return {
    name,
    summary,
    schema,
    shortKey: '_raw_params',
    reads: (p) => fileReads(...[p.creates, p.removes].filter((x) => x?.startsWith('/'))),
    async plan(ctx, p) {
      const text = line(p);
      const cmd = shown(p);
      for (const [path, skipIf] of [[p.creates, true], [p.removes, false]] as const) {
        if (path === undefined) continue;
        const f = await factsOf(ctx, under(p, path));
        if (f.exists === skipIf) {
          const msg = `skipped, since ${path} ${skipIf ? 'exists' : 'does not exist'}`;
          return { changes: [], note: msg, result: { cmd, rc: 0, stdout: msg, stderr: '', stdout_lines: [msg], stderr_lines: [] } };
        }
      }
      // a command cannot say what it would change: not run in check mode; with creates/removes (not
      // met) it is changed there, as Ansible's ("Command would have run if not in check mode")
      if (ctx.check && p.creates === undefined && p.removes === undefined) return { changes: [], skip: true, note: `not run in check mode: ${text}` };
      return { changes: [`run: ${text}`] };
    },
    async apply(ctx, p) {
      const full = p.chdir ? `cd ${shq(p.chdir)} && ${line(p)}` : line(p);
      const stdin = p.stdin === undefined ? undefined : p.stdin + (p.stdin_add_newline ? '\n' : '');
      const r = await ctx.conn.exec(full, { stdin });
      const result = { cmd: shown(p), ...commandResult(r) };
      if (r.code !== 0) throw commandFailure(r, result, name.replace(/^ansible\.builtin\./, ''));
      return result;
    },
  };
}

const words = (p: CommandParams) => p.argv ?? shlexSplit(p.cmd!) ?? [];

export const commandType = makeCommand<CommandParams>(
  'ansible.builtin.command',
  'run a program without a shell (Ansible\'s command), unless creates exists or removes is missing',
  commandSchema,
  (p) => shJoin(words(p)),
  words,
);

export const shellType = makeCommand<ShellParams>(
  'ansible.builtin.shell',
  'run a shell command line through /bin/sh -c (Ansible\'s shell), unless creates exists or removes is missing',
  shellSchema,
  (p) => `${p.executable ?? '/bin/sh'} -c ${shq(p.cmd!)}`,
  (p) => p.cmd,
);
