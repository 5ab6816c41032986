// lineinfile: a line is in a file (replacing the last line matching regexp), or absent, as Ansible's
// module edits it (tasks/lib/lines.ts). Plan reads the file; apply writes it atomically.
import { fileReads } from '../lib/files.ts';
import * as v from 'valibot';
import type { TaskType } from '../../src/engine/task-type.ts';
import { Regex, Bool } from '../lib/schema.ts';
import { applyEdit, EDIT_FILE, EDIT_PATH, onePath, planEdit, type EditState } from './edit-file.ts';
import { lineinfile as edit } from '../lib/lines.ts';

const Line = v.pipe(v.union([v.string(), v.number(), v.boolean()]), v.transform(String));
const schema = v.pipe(
  v.strictObject({
    ...EDIT_PATH,
    line: v.optional(Line),
    /** Ansible's other name for line */
    value: v.optional(Line),
    regexp: v.optional(Regex),
    /** Ansible's other name for regexp */
    regex: v.optional(Regex),
    /** a literal text the line to replace (or remove) contains, instead of regexp */
    search_string: v.optional(v.string()),
    state: v.optional(v.picklist(['present', 'absent']), 'present'),
    insertafter: v.optional(v.union([v.literal('EOF'), v.literal('BOF'), Regex])),
    insertbefore: v.optional(v.union([v.literal('BOF'), Regex])),
    backrefs: v.optional(Bool, false),
    firstmatch: v.optional(Bool, false),
    ...EDIT_FILE,
  }),
  v.check((p) => onePath(p), 'expected path (or dest), once'),
  v.check((p) => p.line === undefined || p.value === undefined, 'expected line (or value), once'),
  v.check((p) => p.regexp === undefined || p.regex === undefined, 'expected regexp (or regex), once'),
  v.transform(({ value, regex, ...p }) => ({ ...p, line: p.line ?? value, regexp: p.regexp ?? regex })),
  v.check((p) => p.state === 'absent' || p.line !== undefined, 'expected line when state is present'),
  v.check((p) => p.regexp === undefined || p.search_string === undefined, 'expected regexp or search_string, not both'),
  v.check((p) => !p.backrefs || p.search_string === undefined, 'backrefs: expected regexp, not search_string'),
  v.check((p) => p.state === 'present' || p.line !== undefined || p.regexp !== undefined || p.search_string !== undefined, 'expected line, regexp or search_string when state is absent'),
  v.check((p) => !p.backrefs || p.regexp !== undefined, 'backrefs: expected a regexp'),
  v.check((p) => p.insertafter === undefined || p.insertbefore === undefined, 'expected insertafter or insertbefore, not both'),
  v.transform(({ dest, destfile, name, ...p }) => ({ ...p, path: (p.path ?? dest ?? destfile ?? name)! })),
);
type Params = v.InferOutput<typeof schema>;

export const lineinfile: TaskType<Params, EditState> = {
  name: 'ansible.builtin.lineinfile',
  hostPaths: ['path'],
  summary: 'a line is in a file (replacing the last regexp match), or absent (Ansible\'s lineinfile)',
  schema,
  reads: (p) => fileReads(p.path),
  plan: (ctx, p) => planEdit(ctx, p, p.state === 'absent', (text) => edit(text, p)),
  apply: (ctx, p, plan) => applyEdit(ctx, p, plan),
};
