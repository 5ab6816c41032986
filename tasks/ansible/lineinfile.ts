// lineinfile: a line is in a file (replacing the last line matching regexp), or absent, as Ansible's
// module edits it (tasks/lib/lines.ts) and registers it (msg, backup, found, diff). Plan reads the
// file; apply writes it atomically.
import { factsOf, fileReads } from '../lib/files.ts';
import { Bool, PyStr } from '../lib/schema.ts';
import * as v from 'valibot';
import { TaskFailure, type TaskType } from '../../src/engine/task-type.ts';
import { applyEdit, EDIT_FILE, EDIT_PATH, onePath, planEdit, type EditState } from './edit-file.ts';
import { lineinfile as edit, type LineResult } from '../lib/lines.ts';

// patterns are Python's, compiled when the task runs (tasks/lib/pyre.ts): a bad one fails the task then
const schema = v.pipe(
  v.strictObject({
    ...EDIT_PATH,
    line: v.optional(PyStr),
    /** Ansible's other name for line */
    value: v.optional(PyStr),
    regexp: v.optional(PyStr),
    /** Ansible's other name for regexp */
    regex: v.optional(PyStr),
    /** a literal text the line to replace (or remove) contains, instead of regexp */
    search_string: v.optional(PyStr),
    state: v.optional(v.picklist(['present', 'absent']), 'present'),
    insertafter: v.optional(PyStr),
    insertbefore: v.optional(PyStr),
    backrefs: v.optional(Bool, false),
    firstmatch: v.optional(Bool, false),
    ...EDIT_FILE,
  }),
  v.check((p) => onePath(p), 'expected path (or dest), once'),
  v.check((p) => p.line === undefined || p.value === undefined, 'expected line (or value), once'),
  v.check((p) => p.regexp === undefined || p.regex === undefined, 'expected regexp (or regex), once'),
  v.transform(({ value, regex, ...p }) => ({ ...p, line: p.line ?? value, regexp: p.regexp ?? regex })),
  v.check((p) => p.regexp === undefined || p.search_string === undefined, 'expected regexp or search_string, not both'),
  v.check((p) => !p.backrefs || p.search_string === undefined, 'backrefs: expected regexp, not search_string'),
  v.check((p) => p.insertafter === undefined || p.insertbefore === undefined, 'expected insertafter or insertbefore, not both'),
  v.transform(({ dest, destfile, name, ...p }) => ({ ...p, path: (p.path ?? dest ?? destfile ?? name)! })),
);
type Params = v.InferOutput<typeof schema>;

/** Ansible's main(): the checks it makes on the params when it runs, with its messages. */
function checkParams(p: Params): void {
  if (p.state === 'present') {
    if (p.backrefs && p.regexp === undefined) throw new TaskFailure('regexp is required with backrefs=true');
    if (p.line === undefined) throw new TaskFailure('line is required with state=present');
  } else if (p.regexp === undefined && p.search_string === undefined && p.line === undefined) {
    throw new TaskFailure('one of line, search_string, or regexp is required with state=absent');
  }
}

/** Ansible's warning for an empty regexp or search_string, which matches every line. */
function emptyPatternWarnings(p: Params): string[] {
  if (p.regexp !== '' && p.search_string !== '') return [];
  const what = p.regexp === '' ? 'regular expression' : 'search string';
  let msg = `The ${what} is an empty string, which will match every line in the file. This may have unintended consequences, such as replacing the last line in the file rather than appending.`;
  if (p.regexp === '') msg += " If this is desired, use '^' to match every line in the file and avoid this warning.";
  return [msg];
}

export const lineinfile: TaskType<Params, EditState> = {
  name: 'ansible.builtin.lineinfile',
  hostPaths: ['path'],
  summary: 'a line is in a file (replacing the last regexp match), or absent (Ansible\'s lineinfile)',
  schema,
  reads: (p) => fileReads(p.path),
  async plan(ctx, p) {
    const warnings = emptyPatternWarnings(p);
    const warn = warnings.length ? { warnings } : {};
    const f = await factsOf(ctx, p.path);
    if (f.exists && f.kind === 'directory') throw new TaskFailure(`Path ${p.path} is a directory !`, { rc: 256, ...warn });
    checkParams(p);
    if (!f.exists) {
      if (p.state === 'absent') return { changes: [], result: { msg: 'file not present', ...warn } };
      if (!p.create) throw new TaskFailure(`Destination ${p.path} does not exist !`, { rc: 257, ...warn });
    }
    let r: LineResult = { text: '', msg: '', changed: false };
    const content = { before: '', after: '', before_header: `${p.path} (content)`, after_header: `${p.path} (content)` };
    const plan = await planEdit(ctx, p, false, (text) => {
      try {
        r = edit(text, p);
      } catch (e) {
        // Python's re.error: a bad pattern fails the task when it runs
        if (e instanceof SyntaxError) throw new TaskFailure(e.message, warn);
        throw e;
      }
      if (ctx.diff) Object.assign(content, { before: text, after: r.text });
      // Ansible writes only when the edit says changed (its text may differ all the same: a newline
      // added to the last line before finding the line already there)
      return r.changed ? r.text : text;
    });
    // a missing file is created only by a change (Ansible writes nothing else)
    if (!f.exists && !r.changed) plan.changes = [];
    const base = { msg: r.msg, backup: '', ...(p.state === 'absent' ? { found: r.found } : {}), ...warn };
    // check mode on a missing file: Ansible's exit before its file attributes check, the content diff alone
    if (ctx.check && !f.exists) return { ...plan, result: { ...base, diff: content } };
    let msg = r.msg;
    // Ansible's check_file_attrs: owner, group or mode changed besides the text
    if (plan.changes.length > (plan.state?.write && r.changed ? 1 : 0)) msg += `${r.changed ? ' and ' : ''}ownership, perms or SE linux context changed`;
    // Ansible registers its diff list whether diff mode is on or not (before/after only with it)
    const diff = [content, { before_header: `${p.path} (file attributes)`, after_header: `${p.path} (file attributes)` }];
    return { ...plan, result: { ...base, msg, diff } };
  },
  async apply(ctx, p, plan) {
    const r = await applyEdit(ctx, p, plan);
    return { backup: (r.backup_file as string | undefined) ?? '' };
  },
};
