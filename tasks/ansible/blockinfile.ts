// blockinfile: a block of lines between two marker lines is in a file (replaced as a whole), or absent,
// as Ansible's module edits it (tasks/lib/lines.ts). Plan reads the file; apply writes it atomically.
import { factsOf, fileReads } from '../lib/files.ts';
import * as v from 'valibot';
import type { TaskType } from '../../src/engine/task-type.ts';
import { applyEdit, EDIT_FILE, EDIT_PATH, onePath, planEdit, type EditState } from './edit-file.ts';
import { blockinfile as edit, pyRegex } from '../lib/lines.ts';

/** A Python pattern, its leading inline flags too (`(?m)`: searched in the whole text) */
const PyRegex = v.pipe(
  v.string(),
  v.check((s) => {
    try {
      return pyRegex(s) !== undefined;
    } catch {
      return false;
    }
  }, 'expected a valid regular expression'),
);

const schema = v.pipe(
  v.strictObject({
    ...EDIT_PATH,
    block: v.optional(v.pipe(v.union([v.string(), v.number()]), v.transform(String)), ''),
    /** Ansible's other name for block */
    content: v.optional(v.pipe(v.union([v.string(), v.number()]), v.transform(String))),
    marker: v.optional(v.pipe(v.string(), v.includes('{mark}', 'expected a marker with {mark} in it')), '# {mark} ANSIBLE MANAGED BLOCK'),
    marker_begin: v.optional(v.string(), 'BEGIN'),
    marker_end: v.optional(v.string(), 'END'),
    state: v.optional(v.picklist(['present', 'absent']), 'present'),
    insertafter: v.optional(v.union([v.literal('EOF'), PyRegex])),
    insertbefore: v.optional(v.union([v.literal('BOF'), PyRegex])),
    ...EDIT_FILE,
  }),
  v.check((p) => onePath(p), 'expected path (or dest), once'),
  v.check((p) => p.insertafter === undefined || p.insertbefore === undefined, 'expected insertafter or insertbefore, not both'),
  v.check((p) => p.marker_begin !== p.marker_end, 'expected marker_begin and marker_end to differ'),
  v.transform(({ dest, destfile, name, content, ...p }) => ({ ...p, block: content ?? p.block, path: (p.path ?? dest ?? destfile ?? name)! })),
);
type Params = v.InferOutput<typeof schema>;

export const blockinfile: TaskType<Params, EditState> = {
  name: 'ansible.builtin.blockinfile',
  hostPaths: ['path'],
  summary: 'a block of lines between marker lines is in a file, or absent (Ansible\'s blockinfile)',
  schema,
  reads: (p) => fileReads(p.path),
  async plan(ctx, p) {
    // Ansible's: state absent on a missing file is done, create or not
    if (p.state === 'absent' && !(await factsOf(ctx, p.path)).exists) return { changes: [], result: { msg: `File ${p.path} not present` } };
    let msg = '';
    const content = { before: '', after: '', before_header: `${p.path} (content)`, after_header: `${p.path} (content)` };
    const plan = await planEdit(ctx, p, false, (text, exists) => {
      const r = edit(exists ? text : undefined, p);
      msg = r.msg;
      if (ctx.diff) Object.assign(content, { before: text, after: r.text });
      return r.text;
    });
    // Ansible's check_file_attrs: owner, group or mode changed besides the text
    if (plan.changes.length > (plan.state?.write ? 1 : 0)) msg += `${msg ? ' and ' : ''}ownership, perms or SE linux context changed`;
    // Ansible registers its diff list whether diff mode is on or not (before/after only with it)
    const diff = [content, { before_header: `${p.path} (file attributes)`, after_header: `${p.path} (file attributes)` }];
    return { ...plan, result: { ...plan.result, msg, diff } };
  },
  apply: (ctx, p, plan) => applyEdit(ctx, p, plan),
};
