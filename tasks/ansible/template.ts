// template: a file rendered from templates/ next to the playbook with Jinja2 (jinja-template.ts), with
// the module's Jinja2 settings (delimiters, trim_blocks, lstrip_blocks, newline_sequence), includes and
// imports found along Ansible's search path, and the text written in output_encoding.
import { fileReads } from '../lib/files.ts';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as v from 'valibot';
import { TaskFailure, type TaskContext, type TaskType } from '../../src/engine/task-type.ts';
import { ExprError, LATER } from '../../src/template/expr.ts';
import { TemplateSyntaxError } from '../../src/template/expr-error.ts';
import { UnknownPlugin } from '../../src/template/py-plugins.ts';
import { ANSIBLE_SYNTAX, renderText, TemplateError, type Syntax } from '../../src/template/jinja-template.ts';
import { encodeText } from '../lib/encoding.ts';
import { templateLoader, templateVars, withVars } from '../../src/template/template-vars.ts';
import { HostPath, ModeOrPreserve, Owner, Bool, UNSAFE_WRITES } from '../lib/schema.ts';
import { applyPut, planPut, type PutState } from './put-file.ts';
import { readSource } from './source.ts';

const Delimiter = v.optional(v.pipe(v.string('expected a string'), v.minLength(1, 'expected a non-empty delimiter')));
// Ansible's action takes the two-character spelling (its default, '\\n') as the escape it means
const NEWLINES: Record<string, string> = { '\n': '\n', '\r': '\r', '\r\n': '\r\n', '\\n': '\n', '\\r': '\r', '\\r\\n': '\r\n' };

const schema = v.strictObject({
  src: v.pipe(v.string(), v.minLength(1, 'expected a template file name')),
  dest: HostPath,
  mode: v.optional(ModeOrPreserve),
  owner: v.optional(Owner),
  group: v.optional(Owner),
  backup: v.optional(Bool, false),
  force: v.optional(Bool, true),
  follow: v.optional(Bool, false),
  /** a command that must accept the new file (%s) before it replaces dest */
  validate: v.optional(v.string()),
  ...UNSAFE_WRITES,
  block_start_string: Delimiter,
  block_end_string: Delimiter,
  variable_start_string: Delimiter,
  variable_end_string: Delimiter,
  comment_start_string: Delimiter,
  comment_end_string: Delimiter,
  trim_blocks: v.optional(Bool, true),
  lstrip_blocks: v.optional(Bool, false),
  newline_sequence: v.optional(
    v.pipe(
      v.string(),
      v.check((s) => Object.hasOwn(NEWLINES, s), 'newline_sequence needs to be one of: \\n, \\r or \\r\\n'),
      v.transform((s) => NEWLINES[s]),
    ),
    '\\n',
  ),
  output_encoding: v.optional(v.string('expected a string'), 'utf-8'),
});
type Params = v.InferOutput<typeof schema>;

/** The module's Jinja2 settings: Ansible's environment, with the delimiters and flags the task gives. */
export function syntaxOf(p: Partial<Params>): Syntax {
  const out: Syntax = { ...ANSIBLE_SYNTAX, trim_blocks: p.trim_blocks ?? true, lstrip_blocks: p.lstrip_blocks ?? false, newline_sequence: p.newline_sequence ?? '\n' };
  for (const k of ['block_start_string', 'block_end_string', 'variable_start_string', 'variable_end_string', 'comment_start_string', 'comment_end_string'] as const) if (p[k] !== undefined) out[k] = p[k];
  return out;
}

/**
 * Where `{% include %}` and `{% import %}` find a template, as Ansible's template action sets Jinja2's
 * search path: each of ansible_search_path, the playbook's directory and the template's own, its
 * templates/ subdirectory first.
 */
export function templateSearchPath(ctx: Pick<TaskContext, 'scope' | 'dir'>, src: string): string[] {
  const r = ctx.scope?.('ansible_search_path');
  const path = r?.found && Array.isArray(r.value) ? r.value.map(String) : [];
  return [...path, ctx.dir ?? '.', dirname(src)].flatMap((d) => [join(d, 'templates'), d]);
}

/** The template's text rendered with Jinja2 (jinja-template.ts); a problem names its line. Pure but for the scope and the included files. */
export function renderTemplate(file: string, text: string, ctx: Pick<TaskContext, 'scope' | 'dir'>, syntax: Syntax = ANSIBLE_SYNTAX, vars: Record<string, unknown> = {}): string {
  try {
    const out = renderText(text, withVars(ctx.scope!, vars), { pyEscapes: true, syntax, load: templateLoader(templateSearchPath(ctx, file)) });
    if (out === LATER) throw new TaskFailure(`${file}: uses a value only known later in the run`);
    return out;
  } catch (e) {
    // a filter or test named in the template that no plugin provides: Jinja2 met it compiling the file
    // (the action's result keeps the traceback, whose last line the callback shows)
    if (e instanceof TemplateError && e.origin instanceof UnknownPlugin) {
      const msg = e.origin.withTemplate(text);
      throw new TaskFailure(`AnsibleError: ${msg}`, { exception: `Traceback (most recent call last):\nansible.errors.AnsibleError: ${msg}\n` });
    }
    // Jinja2's TemplateSyntaxError of a test or filter it cannot load: Ansible's words (line 0: where Jinja2 met it)
    if (e instanceof TemplateError && e.origin instanceof TemplateSyntaxError) throw new TaskFailure(`TemplateSyntaxError: ${e.origin.message}\n  line 0`);
    if (e instanceof TemplateError) throw new TaskFailure(`${file}:${e.line}: ${e.message}`);
    if (e instanceof ExprError) throw new TaskFailure(`${file}: ${e.message}`);
    throw e;
  }
}

export const template: TaskType<Params, PutState> = {
  name: 'ansible.builtin.template',
  hostPaths: ['dest'],
  summary: 'a file rendered from templates/SRC with Jinja2 ({{ }}, {% if %}, {% for %}, {% set %}, {% macro %}, {% include %}, {% import %})',
  schema,
  reads: (p) => fileReads(p.dest),
  async plan(ctx, p) {
    const src = readSource(ctx, 'templates', p.src);
    const text = renderTemplate(src.path, src.text, ctx, syntaxOf(p), templateVars(p.src, src.path, p.dest));
    const enc = encodeText(text, p.output_encoding || 'utf-8');
    if ('error' in enc) throw new TaskFailure(enc.error);
    const mode = p.mode === 'preserve' ? (statSync(src.path).mode & 0o7777).toString(8).padStart(4, '0') : p.mode;
    // UTF-8 stays text (compared with what is there as text); another encoding is bytes
    const content = /^utf-?8$/i.test(p.output_encoding || 'utf-8') ? text : enc.bytes;
    // into a directory the file keeps the template's own name, .j2 and all (original_basename)
    return planPut(ctx, { ...p, mode }, content, p.src);
  },
  async apply(ctx, p, plan) {
    const out = await applyPut(ctx, p, plan);
    // Ansible's copy module names the file it copied from (its temp file on the host); skiff's is the template
    return plan.state?.write ? { src: readSource(ctx, 'templates', p.src).path, ...out } : out;
  },
};
