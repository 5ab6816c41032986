// Ansible's rpm_key: read and checked, so a role's RedHat branch is refused before the run only for
// what is wrong in it; on a host it fails, as yum and dnf do. skiff does not import rpm keys even on a
// host that has rpm: a key there only serves a yum/dnf that skiff does not run, and no host of skiff's
// tests has an rpm database to check `rpm -q gpg-pubkey` / `rpm --import` against.
import * as v from 'valibot';
import { Bool } from '../lib/schema.ts';
import { TaskFailure, type TaskType } from '../../src/engine/task-type.ts';
import { toolsOn } from '../lib/host-tools.ts';

const Fingerprint = v.pipe(v.string(), v.transform((s) => s.replace(/\s+/g, '').toUpperCase()), v.regex(/^[0-9A-F]{40}$/, 'expected a fingerprint of 40 hex digits'));

const schema = v.strictObject({
  /** a URL, a key file on the host, or the id of a key already imported */
  key: v.pipe(v.string(), v.regex(/^(?:(?:https?|ftp|file):\/\/\S+|\/.*|(?:0x)?[0-9A-Fa-f]{8,40})$/, 'expected a URL, an absolute path on the host or a key id')),
  state: v.optional(v.picklist(['present', 'absent'], 'expected present or absent'), 'present'),
  fingerprint: v.optional(v.union([Fingerprint, v.array(Fingerprint)], 'expected a fingerprint or a list of them')),
  validate_certs: v.optional(Bool, true),
});
type Params = v.InferOutput<typeof schema>;

export const rpmKey: TaskType<Params> = {
  name: 'ansible.builtin.rpm_key',
  summary: 'RedHat package signing keys (rpm --import): read, but skiff runs apt only, so it fails on a host',
  schema,
  shortKey: 'key',
  async plan(ctx) {
    if (!(await toolsOn(ctx.conn, ['rpm'])).has('rpm')) throw new TaskFailure(`rpm_key: no rpm on ${ctx.conn.host}`);
    throw new TaskFailure(`rpm_key: skiff does not run rpm (apt only); ${ctx.conn.host} has it: use command: rpm --import URL with a when: on rpm -q gpg-pubkey`);
  },
  async apply() {},
};
