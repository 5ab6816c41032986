// Ansible's getent: one database of the host's name service (passwd, group, hosts, services...), or
// one key of it, as the variable getent_<database> (a map of the first field to the others). Reads
// only: it runs in check mode too.
import * as v from 'valibot';
import { shJoin } from '../../src/transport/quote.ts';
import { TaskFailure, type TaskType } from '../../src/engine/task-type.ts';
import { AnsibleBool } from '../lib/schema.ts';

const Text = v.pipe(v.union([v.string(), v.number()], 'expected a text'), v.transform(String));
const schema = v.strictObject({
  database: v.pipe(Text, v.minLength(1, 'expected a database name (passwd, group, hosts...)')),
  key: v.optional(Text),
  /** the name service to ask (getent -s: files, dns...) */
  service: v.optional(Text),
  /** the field separator: `:` for passwd, shadow, group and gshadow, else runs of white space */
  split: v.optional(v.string()),
  /** a key that is not there fails the task; false: the key is set to null */
  fail_key: v.optional(AnsibleBool, true),
});
type Params = v.InferOutput<typeof schema>;

const COLON = ['passwd', 'shadow', 'group', 'gshadow'];

/** Pure: getent's output as Ansible's map (a key seen again becomes a list of its records). */
export function parseGetent(out: string, split: string | undefined): Record<string, unknown> {
  const db: Record<string, unknown> = {};
  const seen = new Map<string, number>();
  for (const line of out.split('\n')) {
    if (line === '') continue;
    // Python's str.split(): with no separator, runs of white space and no empty fields at the ends
    const record = split === undefined ? line.trim().split(/\s+/) : line.split(split);
    const [k, ...rest] = record;
    const n = seen.get(k) ?? 0;
    if (n === 0) db[k] = rest;
    else if (n === 1) db[k] = [db[k], rest];
    else (db[k] as unknown[]).push(rest);
    seen.set(k, n + 1);
  }
  return db;
}

export const getent: TaskType<Params> = {
  name: 'ansible.builtin.getent',
  summary: 'read a name service database (passwd, group, hosts...) into getent_<database>',
  schema,
  // the variable's name, when the database is written out (a templated one is known at run time only)
  sets: (raw) => {
    const db = (raw as { database?: unknown } | null)?.database;
    return typeof db === 'string' && !db.includes('{') ? [`getent_${db}`] : [];
  },
  async plan(ctx, p) {
    const argv = ['getent', ...(p.service !== undefined ? ['-s', p.service] : []), p.database, ...(p.key !== undefined ? [p.key] : [])];
    const r = await ctx.conn.exec(shJoin(argv));
    const name = `getent_${p.database}`;
    if (r.code === 0) return { changes: [], result: { ansible_facts: { [name]: parseGetent(r.stdout, p.split ?? (COLON.includes(p.database) ? ':' : undefined)) } } };
    // getent's exit codes, with Ansible's messages
    if (r.code === 2) {
      const msg = 'One or more supplied key could not be found in the database.';
      if (!p.fail_key) return { changes: [], note: msg, result: { msg, ansible_facts: { [name]: { [p.key ?? '']: null } } } };
      throw new TaskFailure(msg);
    }
    if (r.code === 1) throw new TaskFailure('Missing arguments, or database unknown.');
    if (r.code === 3) throw new TaskFailure('Enumeration not supported on this database.');
    throw new TaskFailure(`getent failed (exit ${r.code}): ${r.stderr.trim() || 'no message'}`, { rc: r.code });
  },
  async apply() {},
};
