// template: a file rendered from templates/ next to the playbook with Jinja2, as in playbooks: `{{ }}`,
// `{% if %}`, `{% for %}`, `{% set %}`, `{% raw %}`, comments, and Ansible's trim_blocks.
import { fileReads } from '../lib/files.ts';
import * as v from 'valibot';
import { TaskFailure, type TaskContext, type TaskType } from '../../src/engine/task-type.ts';
import { ExprError, LATER } from '../../src/template/expr.ts';
import { renderText, TemplateError } from '../../src/template/jinja-template.ts';
import { HostPath, Mode, Owner, Bool } from '../lib/schema.ts';
import { applyPut, planPut, type PutState } from './put-file.ts';
import { readSource } from './source.ts';

const schema = v.strictObject({
  src: v.pipe(v.string(), v.minLength(1, 'expected a template file name')),
  dest: HostPath,
  mode: v.optional(Mode),
  owner: v.optional(Owner),
  group: v.optional(Owner),
  backup: v.optional(Bool, false),
  force: v.optional(Bool, true),
});
type Params = v.InferOutput<typeof schema>;

/** The template's text rendered with Jinja2 (jinja-template.ts); a problem names its line. Pure but for the scope. */
export function renderTemplate(file: string, text: string, ctx: Pick<TaskContext, 'scope'>): string {
  try {
    const out = renderText(text, ctx.scope!, { pyEscapes: true });
    if (out === LATER) throw new TaskFailure(`${file}: uses a value only known later in the run`);
    return out;
  } catch (e) {
    if (e instanceof TemplateError) throw new TaskFailure(`${file}:${e.line}: ${e.message}`);
    if (e instanceof ExprError) throw new TaskFailure(`${file}: ${e.message}`);
    throw e;
  }
}

export const template: TaskType<Params, PutState> = {
  name: 'ansible.builtin.template',
  hostPaths: ['dest'],
  summary: 'a file rendered from templates/SRC with Jinja2 ({{ }}, {% if %}, {% for %}, {% set %})',
  schema,
  reads: (p) => fileReads(p.dest),
  async plan(ctx, p) {
    const src = readSource(ctx, 'templates', p.src);
    return planPut(ctx, p, renderTemplate(src.path, src.text, ctx), p.src.replace(/\.j2$/, ''));
  },
  async apply(ctx, p, plan) {
    return applyPut(ctx, p, plan);
  },
};
