// ini_file (community.general's, also reached as ini_file): an option of an INI section has a value,
// or is absent, or a whole section is absent (tasks/lib/lines.ts). Plan reads; apply writes atomically.
import { fileReads } from '../lib/files.ts';
import * as v from 'valibot';
import type { TaskType } from '../../src/engine/task-type.ts';
import { HostPath, Mode, Owner, Bool, PyStr } from '../lib/schema.ts';
import { applyEdit, planEdit, type EditState } from './edit-file.ts';
import { iniFile as edit } from '../lib/lines.ts';


const schema = v.pipe(
  v.strictObject({
    path: v.optional(HostPath),
    /** Ansible's older name for path */
    dest: v.optional(HostPath),
    section: v.nullable(v.pipe(v.string(), v.regex(/^[^\]\n]*$/, 'expected a section name (without ] or a line break)'))),
    option: v.optional(v.pipe(v.string(), v.minLength(1), v.regex(/^[^=\n]+$/, 'expected an option name (without = or a line break)'))),
    value: v.optional(PyStr),
    state: v.optional(v.picklist(['present', 'absent']), 'present'),
    /** option=value, not option = value */
    no_extra_spaces: v.optional(Bool, false),
    exclusive: v.optional(Bool, true),
    create: v.optional(Bool, true),
    backup: v.optional(Bool, false),
    mode: v.optional(Mode),
    owner: v.optional(Owner),
    group: v.optional(Owner),
  }),
  v.check((p) => (p.path === undefined) !== (p.dest === undefined), 'expected path (or dest), once'),
  v.check((p) => p.state === 'absent' || p.option !== undefined || p.section !== null, 'expected option (or a section) when state is present'),
  v.transform(({ dest, ...p }) => ({ ...p, path: (p.path ?? dest)! })),
);
type Params = v.InferOutput<typeof schema>;

export const iniFile: TaskType<Params, EditState> = {
  name: 'community.general.ini_file',
  hostPaths: ['path'],
  summary: 'an option of an INI section has a value, or is absent; or a section is absent (Ansible\'s ini_file)',
  schema,
  reads: (p) => fileReads(p.path),
  plan: (ctx, p) => planEdit(ctx, p, p.state === 'absent', (text) => edit(text, p)),
  apply: (ctx, p, plan) => applyEdit(ctx, p, plan),
};
