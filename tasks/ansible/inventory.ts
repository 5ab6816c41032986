// Ansible's add_host and group_by: what their action plugins return (add_host.py, group_by.py). Neither
// touches a host nor the inventory itself: the result's `add_host` / `add_group` is applied by the
// engine, as Ansible's strategy does (src/inventory/dynamic.ts), which also says whether it changed.
import * as v from 'valibot';
import type { TaskType } from '../../src/engine/task-type.ts';
import { TaskFailure } from '../../src/engine/task-type.ts';
import { pyStr, typeName } from '../../src/template/expr-error.ts';

// --- add_host ---

/** Any keys: name/hostname/host, groups/group/groupname, the rest host vars (or all from `_raw_params`, a map). */
const addHostSchema = v.pipe(
  v.record(v.string(), v.unknown(), 'expected a map of parameters'),
  // known only at run time when the parameters come from a variable (`add_host: "{{ data }}"`)
  v.check((p) => '_raw_params' in p || ['name', 'hostname', 'host'].some((k) => p[k] !== undefined && p[k] !== null), 'name, host or hostname needs to be provided'),
);
type AddHostParams = v.InferOutput<typeof addHostSchema>;

/** Ansible's parse_address (parsing/utils/addresses.py) as add_host uses it: `host:port`, `[v6]:port`; else the name as is. */
export function parseAddress(address: string): { name: string; port?: number } {
  let rest = address;
  let port: number | undefined;
  const bracketed = /^\[(.+)\]:([0-9]+)$/.exec(rest);
  const plain = bracketed ?? /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/.exec(rest);
  if (plain) {
    rest = plain[1];
    port = Number(plain[2]);
  }
  const ipv4 = /^(?:(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])\.){3}(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])$/;
  const ipv6 = /^[0-9a-f:.]+$/i;
  const label = '[\\p{L}\\p{N}_](?:[\\p{L}\\p{N}_-]*[\\p{L}\\p{N}_])?';
  const hostname = new RegExp(`^${label}(?:\\.${label})*$`, 'u');
  // a range (`web[1:3]`) or anything else it does not read: the name stays as written, no port
  const ok = ipv4.test(rest) || (rest.includes(':') && ipv6.test(rest)) || hostname.test(rest);
  return ok ? { name: rest, ...(port !== undefined ? { port } : {}) } : { name: address };
}

export const addHost: TaskType<AddHostParams> = {
  name: 'ansible.builtin.add_host',
  summary: 'add a host (and its groups and vars) to the run\'s inventory, for later plays (once per batch)',
  schema: addHostSchema,
  // Ansible's action bypasses the host loop: the batch's first host runs it
  once: true,
  changesInventory: true,
  // an action plugin that runs no module: the host is not contacted (a host not reachable yet is fine)
  controllerOnly: true,
  async plan(_ctx, p) {
    const { _raw_params: raw, ...given } = p;
    if (raw !== undefined && (raw === null || typeof raw !== 'object' || Array.isArray(raw))) {
      throw new TaskFailure(`Invalid raw parameters passed, requires a dictonary/mapping got a  <class '${typeName(raw)}'>`);
    }
    const args: Record<string, unknown> = { ...((raw as Record<string, unknown>) ?? {}), ...given };
    const first = (...keys: string[]) => keys.map((k) => args[k]).find((x) => x !== undefined);
    const wanted = first('name', 'hostname', 'host');
    if (wanted === undefined || wanted === null) throw new TaskFailure('name, host or hostname needs to be provided');
    const { name, port } = typeof wanted === 'string' ? parseAddress(wanted) : { name: pyStr(wanted), port: undefined };
    if (port !== undefined) args.ansible_ssh_port = port;
    const groupsArg = first('groupname', 'groups', 'group') ?? '';
    const groups: string[] = [];
    if (groupsArg !== '' && groupsArg !== null && groupsArg !== false) {
      let list: unknown[];
      if (Array.isArray(groupsArg)) list = groupsArg;
      else if (typeof groupsArg === 'string') list = groupsArg.split(',');
      else throw new TaskFailure('Groups must be specified as a list.');
      // Ansible's quirk kept: the name as written is checked against the stripped ones already there
      for (const g of list) {
        const text = pyStr(g);
        if (!groups.includes(text) && text.trim() !== '') groups.push(text.trim());
      }
    }
    const special = new Set(['name', 'hostname', 'groupname', 'groups']);
    const hostVars = Object.fromEntries(Object.entries(args).filter(([k]) => !special.has(k)));
    return { changes: [], result: { add_host: { host_name: name, groups, host_vars: hostVars } } };
  },
  async apply() {},
};

// --- group_by ---

const Names = v.union([v.pipe(v.union([v.string(), v.number()]), v.transform((s) => [String(s)])), v.array(v.pipe(v.union([v.string(), v.number()]), v.transform(String)))], 'expected a group name or a list of them');

const groupBySchema = v.strictObject({
  key: v.pipe(v.union([v.string(), v.number()], 'expected a group name'), v.transform(String)),
  parents: v.optional(Names, ['all']),
});
type GroupByParams = v.InferOutput<typeof groupBySchema>;

export const groupBy: TaskType<GroupByParams> = {
  name: 'ansible.builtin.group_by',
  summary: 'put the host in a group (made if new) of the run\'s inventory, for later plays',
  schema: groupBySchema,
  changesInventory: true,
  controllerOnly: true,
  async plan(_ctx, p) {
    // Ansible's: spaces in group names become dashes
    return { changes: [], result: { add_group: p.key.replace(/ /g, '-'), parent_groups: p.parents.map((n) => n.replace(/ /g, '-')) } };
  },
  async apply() {},
};
