// Ansible's systemd (and systemd_service, and service on a systemd host): a unit is started/stopped,
// enabled or not, masked or not. Plan reads `systemctl show`; apply runs only the systemctl commands
// the difference needs (restarted/reloaded always act, as in Ansible).
import * as v from 'valibot';
import { Bool } from '../lib/schema.ts';
import { shq } from '../../src/transport/quote.ts';
import { TaskFailure, type Plan, type TaskContext, type TaskType } from '../../src/engine/task-type.ts';
import { toolsOn } from '../lib/host-tools.ts';
import { coreModulePath } from './core-modules.ts';
import { pythonModule } from './python-module.ts';

const Unit = v.pipe(v.string(), v.regex(/^[A-Za-z0-9:_.@\\-]+$/, 'expected a unit name'), v.regex(/^[^-]/, 'expected a unit name (not starting with -)'));

const entries = {
  name: v.optional(Unit),
  state: v.optional(v.picklist(['started', 'stopped', 'restarted', 'reloaded'])),
  enabled: v.optional(Bool),
  /** systemctl daemon-reload first (after a unit file changed) */
  daemon_reload: v.optional(Bool, false),
  masked: v.optional(Bool),
  /** systemd's own scope: the system manager only */
  scope: v.optional(v.literal('system', 'expected system (the only scope skiff manages)')),
  no_block: v.optional(Bool, false),
};
const systemdSchema = v.pipe(
  v.strictObject({ ...entries, daemon_reexec: v.optional(Bool, false) }),
  v.check((p) => p.name !== undefined || ((p.daemon_reload || p.daemon_reexec) && p.state === undefined && p.enabled === undefined && p.masked === undefined), 'expected name (only daemon_reload may go without it)'),
);
// Ansible's service action runs the systemd module on a systemd host (skiff's only kind), with the
// task's arguments: `service: {daemon_reload: true}` alone is systemd's daemon-reload (geerlingguy.docker)
// service's options for other init systems: Ansible's service action drops them on a systemd host, with
// a warning (UNUSED_PARAMS), and so does skiff (postgresql's handler: `sleep: 5` on restart)
const UNUSED_ON_SYSTEMD = ['pattern', 'runlevel', 'sleep', 'arguments', 'args'] as const;
const serviceSchema = v.pipe(
  v.strictObject({ ...entries, ...Object.fromEntries(UNUSED_ON_SYSTEMD.map((k) => [k, v.optional(v.unknown())])) }),
  v.check((p) => p.name !== undefined || (p.daemon_reload && p.state === undefined && p.enabled === undefined && p.masked === undefined), 'expected name (only daemon_reload may go without it)'),
  v.check((p) => p.state !== undefined || p.enabled !== undefined || p.masked !== undefined || p.daemon_reload, 'expected state, enabled, masked or daemon_reload'),
);
/** systemd's parameters; service has them but daemon_reexec */
export type ServiceParams = v.InferOutput<typeof serviceSchema> & { daemon_reexec?: boolean };

/** `systemctl show -p LoadState -p ActiveState -p UnitFileState`, as read. */
export interface UnitFacts {
  LoadState: string;
  ActiveState: string;
  UnitFileState: string;
}

/** `Key=value` lines. Pure. */
export function parseShow(out: string): UnitFacts {
  const f: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) f[line.slice(0, at)] = line.slice(at + 1);
  }
  return { LoadState: f.LoadState ?? '', ActiveState: f.ActiveState ?? '', UnitFileState: f.UnitFileState ?? '' };
}

// what `systemctl is-enabled` answers with exit 0 for: Ansible's enabled
const ENABLED = new Set(['enabled', 'enabled-runtime', 'static', 'alias', 'indirect', 'generated']);
const RUNNING = new Set(['active', 'activating', 'reloading', 'deactivating']);

/** The systemctl commands (with what each does) that bring a unit from `f` to `p`. Pure. */
export function planUnit(p: Pick<ServiceParams, 'name' | 'state' | 'enabled' | 'masked' | 'no_block'>, f: UnitFacts): { change: string; cmd: string }[] {
  const n = p.name!;
  const sc = (verb: string) => `systemctl ${p.no_block && /^(start|stop|restart|reload)/.test(verb) ? '--no-block ' : ''}${verb} ${shq(n)}`;
  const out: { change: string; cmd: string }[] = [];
  const masked = f.UnitFileState === 'masked' || f.LoadState === 'masked';
  if (p.masked === true && !masked) out.push({ change: `mask ${n}`, cmd: sc('mask') });
  if (p.masked === false && masked) out.push({ change: `unmask ${n}`, cmd: sc('unmask') });
  const enabled = ENABLED.has(f.UnitFileState);
  if (p.enabled === true && !enabled) out.push({ change: `enable ${n}`, cmd: sc('enable') });
  if (p.enabled === false && enabled && f.UnitFileState !== 'static') out.push({ change: `disable ${n}`, cmd: sc('disable') });
  const running = RUNNING.has(f.ActiveState);
  if (p.state === 'started' && !running) out.push({ change: `start ${n}`, cmd: sc('start') });
  if (p.state === 'stopped' && running) out.push({ change: `stop ${n}`, cmd: sc('stop') });
  if (p.state === 'restarted') out.push({ change: `restart ${n}`, cmd: sc('restart') });
  // Ansible: reloading a unit that is not running starts it
  if (p.state === 'reloaded') out.push(running ? { change: `reload ${n}`, cmd: sc('reload') } : { change: `start ${n}`, cmd: sc('start') });
  return out;
}

type State = { cmds: string[] } | { module: TaskType; args: Record<string, unknown>; plan: Plan };

// the options Ansible's generic service module (and sysvinit's) take
const GENERIC_ARGS = ['name', 'state', 'enabled', 'sleep', 'pattern', 'runlevel', 'arguments', 'args'];

/**
 * service on a host whose service manager is not systemd (a container's init: service_mgr
 * process_api, sysvinit): Ansible's service action runs that manager's module, or the generic
 * service module; so does skiff, through the controller's ansible-core. Undefined on systemd.
 */
function otherManager(ctx: TaskContext, p: ServiceParams): { module: TaskType; args: Record<string, unknown> } | undefined {
  const mgr = (ctx.vars.ansible_facts as { service_mgr?: unknown } | undefined)?.service_mgr;
  if (typeof mgr !== 'string' || mgr === 'systemd') return undefined;
  const name = mgr === 'sysvinit' || mgr === 'openwrt_init' ? mgr : 'service';
  // the module itself: its action plugin's part (this choice) is done here
  const path = coreModulePath(name);
  if (!path) throw new TaskFailure(`service: ${ctx.conn.host}'s service manager ${mgr} runs through Ansible's ${name} module, which the controller's ansible-core does not have`);
  // systemd's own options (daemon_reload...) go on only when asked for: that module then refuses them, as in Ansible
  const given = Object.entries(p).filter(([k, x]) => x !== undefined && (GENERIC_ARGS.includes(k) || x !== false));
  return { module: pythonModule(`ansible.legacy.${name}`, path), args: Object.fromEntries(given) };
}

async function readUnit(ctx: TaskContext, module: string, name: string): Promise<UnitFacts> {
  const r = await ctx.conn.exec(`systemctl show -p LoadState -p ActiveState -p UnitFileState -- ${shq(name)}`);
  if (r.code !== 0) throw new TaskFailure(`${module}: systemctl show ${name} exited ${r.code}: ${r.stderr.trim()}`);
  const f = parseShow(r.stdout);
  if (f.LoadState === 'not-found') {
    // check mode: a unit file an earlier task of this run would write counts as there (not loaded yet)
    const unit = name.includes('.') ? name : `${name}.service`;
    if (ctx.check && [...(ctx.pending?.keys() ?? [])].some((k) => k.endsWith(`/systemd/system/${unit}`))) return { LoadState: 'loaded', ActiveState: 'inactive', UnitFileState: 'disabled' };
    throw new TaskFailure(`${module}: no unit ${name} on ${ctx.conn.host}`);
  }
  return f;
}

function systemdModule<P extends ServiceParams>(name: string, summary: string, schema: TaskType<P>['schema']): TaskType<P, State> {
  const module = name.replace(/^ansible\.builtin\./, '');
  return {
    name,
    summary,
    schema,
    shortKey: 'name',
    async plan(ctx, p) {
      const other = module === 'service' ? otherManager(ctx, p) : undefined;
      if (other) {
        const plan = await other.module.plan(ctx, other.args);
        return { ...plan, state: { ...other, plan } };
      }
      if (module === 'service') for (const k of UNUSED_ON_SYSTEMD) if ((p as Record<string, unknown>)[k] !== undefined) ctx.warn?.(`Ignoring "${k}" as it is not used in "systemd"`);
      if (!(await toolsOn(ctx.conn, ['systemctl'])).has('systemctl')) throw new TaskFailure(`${module}: no systemctl on ${ctx.conn.host} (skiff manages services through systemd only)`);
      // As Ansible: the reload comes first, so the state read is that of the new unit files; it is not a
      // change of its own (changed reports the unit's), and check mode skips it (it writes nothing).
      if ((p.daemon_reload || p.daemon_reexec) && !ctx.check) {
        const r = await ctx.conn.exec(p.daemon_reexec ? 'systemctl daemon-reexec' : 'systemctl daemon-reload');
        if (r.code !== 0) throw new TaskFailure(`${module}: systemctl daemon-reload exited ${r.code}: ${r.stderr.trim()}`);
      }
      if (p.name === undefined) return { changes: [], result: { name: null, status: {} } };
      const f = await readUnit(ctx, module, p.name);
      const todo = planUnit(p, f);
      const result = { name: p.name, status: f, ...(p.state ? { state: p.state } : {}), ...(p.enabled !== undefined ? { enabled: p.enabled } : {}) };
      return { changes: todo.map((t) => t.change), state: { cmds: todo.map((t) => t.cmd) }, result };
    },
    async apply(ctx, _p, plan) {
      const st = plan.state!;
      if ('module' in st) return st.module.apply(ctx, st.args, st.plan);
      for (const cmd of st.cmds) {
        const r = await ctx.conn.exec(cmd);
        if (r.code !== 0) throw new TaskFailure(`${module}: ${cmd.replace(/'/g, '')} exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      }
    },
  };
}

export const systemd = systemdModule('ansible.builtin.systemd', 'a systemd unit is started/stopped, enabled or not, masked or not (Ansible\'s systemd)', systemdSchema);
export const systemdService = systemdModule('ansible.builtin.systemd_service', 'Ansible\'s systemd under its newer name', systemdSchema);
export const service = systemdModule('ansible.builtin.service', 'a service is started/stopped, enabled or not (through systemd, in skiff)', serviceSchema);
