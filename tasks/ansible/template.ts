// template: a file rendered from templates/ next to the playbook, with skiff's `{{ }}` language (the
// same as in playbooks). Jinja2 statements (`{% %}`) are refused with that reason: Jinja2 is a later step.
import * as v from 'valibot';
import { TaskFailure, type TaskContext, type TaskType } from '../../src/engine/task-type.ts';
import { ExprError } from '../../src/engine/expr.ts';
import { renderString } from '../../src/engine/template.ts';
import { Mode, Owner } from '../lib/schema.ts';
import { applyPut, planPut, type PutState } from './put-file.ts';
import { readSource } from './source.ts';

const schema = v.strictObject({
  src: v.pipe(v.string(), v.minLength(1, 'expected a template file name')),
  dest: v.pipe(v.string(), v.regex(/^\//, 'expected an absolute path')),
  mode: v.optional(Mode),
  owner: v.optional(Owner),
  group: v.optional(Owner),
  backup: v.optional(v.boolean(), false),
  force: v.optional(v.boolean(), true),
});
type Params = v.InferOutput<typeof schema>;

/** The template's text rendered line by line, so a problem names its line. Pure but for the scope. */
export function renderTemplate(file: string, text: string, ctx: Pick<TaskContext, 'scope'>): string {
  // Jinja2 comments render to nothing; its statements are not skiff's language (yet)
  const lines = text.replace(/\{#[^]*?#\}/g, (c) => '\n'.repeat(c.split('\n').length - 1)).split('\n');
  return lines
    .map((l, i) => {
      if (/\{%/.test(l)) throw new TaskFailure(`${file}:${i + 1}: Jinja2 statements ({% ... %}) are not supported by skiff yet: templates use {{ }} expressions only (Jinja2 is a later step)`);
      try {
        const out = renderString(l, ctx.scope!);
        return typeof out === 'string' ? out : out === null || out === undefined ? '' : typeof out === 'object' ? JSON.stringify(out) : String(out);
      } catch (e) {
        if (e instanceof ExprError) throw new TaskFailure(`${file}:${i + 1}: ${e.message}`);
        throw e;
      }
    })
    .join('\n');
}

export const template: TaskType<Params, PutState> = {
  name: 'ansible.builtin.template',
  summary: 'a file rendered from templates/SRC with {{ }} expressions (Jinja2 {% %} not yet)',
  schema,
  reads: (p) => [p.dest],
  async plan(ctx, p) {
    const src = readSource(ctx, 'templates', p.src);
    return planPut(ctx, p, renderTemplate(src.path, src.text, ctx), p.src.replace(/\.j2$/, ''));
  },
  async apply(ctx, p, plan) {
    return applyPut(ctx, p, plan);
  },
};
