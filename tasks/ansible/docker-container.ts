// community.docker.docker_container and containers.podman.podman_container (also reached as
// docker_container / podman_container): Ansible's parameters mapped onto skiff's own `container` task,
// whose plan and apply run them (compare field by field, safe recreate, resume after an interruption).
// What the mapping cannot honour exactly is refused by name before the run, never ignored.
//
// The mapping is pure (the schema's transform); test/unit/ansible-container.test.ts.
import * as v from 'valibot';
import { Bool } from '../lib/schema.ts';
import { TaskFailure, type TaskType } from '../../src/engine/task-type.ts';
import { pyStr } from '../../src/template/expr-error.ts';
import { container } from '../container.ts';
import { ContainerName, MountSchema, PinnedImage, PortSchema, type Engine } from '../lib/container/spec.ts';
import { inspectContainer, inspectOf } from '../lib/container/inspect.ts';
import { restartContainer } from '../lib/container/recreate.ts';
import { shlexSplit } from '../lib/commands.ts';
import type { ContainerPlanState } from '../lib/container/plan.ts';

/** The container task's own parameters (what its schema outputs). */
export type ContainerParams = Parameters<typeof container.plan>[1];

export interface Mapped {
  container: ContainerParams;
  /** restart a container that is already as wanted (docker: `restart`; podman: `force_restart`, see plan) */
  restart: boolean;
  /** recreate it even when it is as wanted */
  recreate: boolean;
  /** never: fail rather than pull a missing image (missing, the default, is what skiff does) */
  pull: 'missing' | 'never';
}

const refused = (module: string, hint?: string) =>
  v.optional(v.never(`is a parameter of ${module} not supported by skiff${hint ? `: ${hint}` : ''}`));

/** Each name of `names` refused (the module's parameters skiff does not map), with its reason when there is one. */
function refuse(module: string, names: string[], hints: Record<string, string> = {}) {
  return Object.fromEntries(names.map((n) => [n, refused(module, hints[n])]));
}

/** Accepted only with the value that is skiff's behaviour (Ansible's default, often written out). */
const only = <T extends string | boolean>(value: T, why: string) => v.optional(v.literal(value, `expected ${String(value)}: ${why}`));

// docker: `/path` or `NAME` sources, `ro`/`rw`/`z`/`Z`... options, as -v takes them; an anonymous
// volume (a target alone) is not compared by skiff, so it is refused by parseMount's message
const Volumes = v.array(MountSchema);

/** A published port with its host port: a bare container port gets a random one, a new one at each recreate. */
const Published = v.array(
  v.pipe(
    v.union([v.string(), v.number()], 'expected a port as [IP:]HOST_PORT:CONTAINER_PORT[/PROTO]'),
    v.check((s) => !/^\d+(?:\/\w+)?$/.test(String(s)), 'expected HOST_PORT:CONTAINER_PORT: a bare container port is published on a random host port, a different one at each recreate (skiff compares ports)'),
    PortSchema,
  ),
);

const PinnedImageAnsible = v.pipe(v.string('expected an image NAME:TAG'), PinnedImage);

const RestartPolicy = v.picklist(['no', 'always', 'unless-stopped', 'on-failure'], 'expected no (quoted: a bare no is false in YAML), always, unless-stopped or on-failure');

const StopTimeout = v.pipe(v.number('expected a number of seconds'), v.integer('expected whole seconds'), v.minValue(0));

const User = v.pipe(v.union([v.string(), v.number()], 'expected a user (NAME or UID, optionally :GROUP)'), v.transform(String));

/** etc_hosts: {name: ip} -> --add-host name:ip, as both modules build it */
const EtcHosts = v.pipe(
  v.record(v.string(), v.string('expected an IP address (or host-gateway)')),
  v.transform((r) => Object.entries(r).map(([n, ip]) => `${n}:${ip}`)),
);

/** What both modules share once mapped: the container task's parameters with its defaults. */
function containerParams(engine: Engine, x: Omit<Partial<ContainerParams>, 'state'> & { name: string; state: 'started' | 'absent' }): ContainerParams {
  return { engine, args: [], env: {}, labels: {}, mounts: [], ports: [], stop_timeout: 30, ready_timeout: 60, ...x } as ContainerParams;
}

/**
 * An option written under two of its names (Ansible's aliases): refused at the second one, as what is
 * meant is unclear. For v.rawCheck; `add` is its addIssue.
 */
function once(p: object, keys: string[], add: (info: { message: string; input: unknown; path: [v.ObjectPathItem] }) => void): void {
  const given = keys.filter((k) => (p as Record<string, unknown>)[k] !== undefined);
  if (given.length < 2) return;
  const value = (p as Record<string, unknown>)[given[1]];
  add({ message: `expected ${given[0]} or its alias ${given[1]}, once`, input: value, path: [{ type: 'object', origin: 'value', input: p as Record<string, unknown>, key: given[1], value }] });
}

/** A command as a list: each word as written (a number as its text). */
const ArgList = v.array(v.pipe(v.union([v.string(), v.number()]), v.transform(String)));

const NEEDS_IMAGE = 'expected image when state is started (skiff does not start a container without knowing its image)';

// ---------------------------------------------------------------------------------------------
// community.docker.docker_container

const DOCKER = 'community.docker.docker_container';

/** docker_container's own parameters skiff does not map (community.docker 4.x), refused by name. */
const DOCKER_REFUSED = [
  'auto_remove', 'blkio_weight', 'capabilities', 'cap_drop', 'cgroupns_mode', 'cgroup_parent', 'cleanup', 'comparisons',
  'cpu_period', 'cpu_quota', 'cpus', 'cpuset_cpus', 'cpuset_mems', 'cpu_shares', 'default_host_ip', 'devices',
  'device_read_bps', 'device_write_bps', 'device_read_iops', 'device_write_iops', 'device_requests', 'device_cgroup_rules',
  'dns_opts', 'dns_servers', 'dns_search_domains', 'domainname', 'env_file', 'entrypoint', 'exposed_ports', 'exposed', 'expose',
  'force_kill', 'forcekill', 'groups', 'healthcheck', 'healthy_wait_timeout', 'hostname', 'image_comparison', 'image_label_mismatch',
  'image_name_mismatch', 'init', 'interactive', 'ipc_mode', 'kernel_memory', 'kill_signal', 'links', 'log_driver', 'log_options',
  'log_opt', 'mac_address', 'memory', 'memory_reservation', 'memory_swap', 'memory_swappiness', 'mounts', 'oom_killer',
  'oom_score_adj', 'output_logs', 'paused', 'pid_mode', 'pids_limit', 'platform', 'privileged', 'publish_all_ports',
  'pull_check_mode_behavior', 'read_only', 'removal_wait_timeout', 'restart_retries', 'runtime', 'security_opts', 'shm_size',
  'stop_signal', 'storage_opts', 'sysctls', 'tmpfs', 'tty', 'ulimits', 'userns_mode', 'uts', 'volume_driver', 'volumes_from',
  'working_dir',
];
const DOCKER_HINTS: Record<string, string> = {
  comparisons: 'skiff compares image, command, env, labels, volumes, ports, network, user, restart policy and extra hosts, always',
  entrypoint: 'an image whose entrypoint is what runs, or command:',
  env_file: 'env: with the values (vars, or a vault)',
  restart_retries: 'restart_policy without a count',
};

/** A network of `networks:`: its name; the per-network settings are refused by name. */
const DockerNetwork = v.strictObject({
  name: v.pipe(v.string(), v.minLength(1)),
  ...refuse(DOCKER, ['ipv4_address', 'ipv6_address', 'aliases', 'links', 'mac_address', 'driver_opts', 'gw_priority']),
});

const dockerSchema = v.pipe(
  v.strictObject({
    name: ContainerName,
    image: v.optional(PinnedImageAnsible),
    state: v.optional(
      v.picklist(['started', 'absent'], 'expected started or absent (present and stopped leave a container created but not running: skiff recreates a container only by starting the new one and checking that it runs)'),
      'started',
    ),
    /** a string is split as Python's shlex does (command_handling: correct, the default) */
    command: v.optional(
      v.union(
        [
          v.pipe(v.string(), v.check((s) => shlexSplit(s) !== null, 'expected a command line with its quotes closed'), v.transform((s) => shlexSplit(s)!)),
          ArgList,
        ],
        'expected a command: a string (split as a shell would) or a list',
      ),
    ),
    // Ansible fails on a non-string value: YAML would have changed it (yes, 1.10, 0755)
    env: v.optional(v.record(v.string(), v.string('expected a string: a value YAML reads as a number or boolean must be quoted (Ansible refuses it too), or "{{ x | string }}"'))),
    // labels: Ansible converts integers and refuses booleans and floats
    labels: v.optional(
      v.record(
        v.string(),
        v.pipe(
          v.union([v.string(), v.pipe(v.number(), v.integer())], 'expected a string (a boolean or a float is refused, as Ansible does: quote it)'),
          v.transform(String),
        ),
      ),
    ),
    volumes: v.optional(Volumes),
    published_ports: v.optional(Published),
    ports: v.optional(Published),
    network_mode: v.optional(
      v.pipe(
        v.string(),
        v.minLength(1),
        v.check((s) => !s.startsWith('container:'), 'expected host, bridge, none, default or a network name (another container\'s network is not supported by skiff)'),
      ),
    ),
    networks: v.optional(v.pipe(v.array(DockerNetwork), v.maxLength(1, 'expected one network: skiff runs a container on one network (more are not supported by skiff)'))),
    user: v.optional(User),
    restart_policy: v.optional(RestartPolicy),
    etc_hosts: v.optional(EtcHosts),
    stop_timeout: v.optional(StopTimeout),
    restart: v.optional(Bool, false),
    recreate: v.optional(Bool, false),
    pull: v.optional(
      v.pipe(
        v.union([v.picklist(['missing', 'never']), v.literal(false)], 'expected missing, never or false (always: skiff runs pinned images and pulls only a missing one)'),
        v.transform((x) => (x === false ? 'missing' : x)),
      ),
      'missing',
    ),
    // Ansible's defaults, accepted as written
    detach: only(true, 'skiff runs containers detached'),
    keep_volumes: only(true, 'skiff keeps anonymous volumes when it removes a container'),
    networks_cli_compatible: only(true, 'networks: are the container\'s network, as docker run --network'),
    command_handling: only('correct', 'command is split as a shell would'),
    container_default_behavior: only('no_defaults', 'skiff compares only the options written'),
    ...refuse(DOCKER, DOCKER_REFUSED, DOCKER_HINTS),
  }),
  v.rawCheck(({ dataset, addIssue }) => dataset.typed && once(dataset.value, ['published_ports', 'ports'], addIssue)),
  v.check((p) => p.state !== 'started' || p.image !== undefined, NEEDS_IMAGE),
  v.rawCheck(({ dataset, addIssue }) => {
    const p = dataset.typed ? dataset.value : undefined;
    if (!p?.networks?.length || p.network_mode === undefined || p.network_mode === p.networks[0].name) return;
    addIssue({
      message: 'expected network_mode to be the network of networks: (a container on two networks is not supported by skiff)',
      input: p.network_mode,
      path: [{ type: 'object', origin: 'value', input: p, key: 'network_mode', value: p.network_mode }],
    });
  }),
  v.transform((p): Mapped => {
    // networks_cli_compatible (the default): the first network of networks is the network_mode
    const mode = p.network_mode ?? p.networks?.[0]?.name;
    return {
      container: containerParams('docker', {
        name: p.name,
        state: p.state,
        image: p.image,
        args: p.command ?? [],
        env: p.env ?? {},
        labels: p.labels ?? {},
        mounts: p.volumes ?? [],
        ports: p.published_ports ?? p.ports ?? [],
        // docker's default network is bridge (compared as such, see normNetwork)
        network: mode === 'default' ? 'bridge' : mode,
        user: p.user,
        restart_policy: p.restart_policy,
        extra_hosts: p.etc_hosts,
        ...(p.stop_timeout === undefined ? {} : { stop_timeout: p.stop_timeout }),
      }),
      restart: p.restart,
      recreate: p.recreate,
      pull: p.pull,
    };
  }),
);

// ---------------------------------------------------------------------------------------------
// containers.podman.podman_container

const PODMAN = 'containers.podman.podman_container';

/** podman_container's own parameters (and aliases) skiff does not map (containers.podman 1.x), refused by name. */
const PODMAN_REFUSED = [
  'annotation', 'arch', 'attach', 'authfile', 'blkio_weight', 'blkio_weight_device', 'cap_add', 'capabilities', 'cap_drop',
  'cert_dir', 'cgroup_conf', 'cgroup_parent', 'cgroupns', 'cgroups', 'chrootdirs', 'cidfile', 'cmd_args', 'conmon_pidfile',
  'cpu_period', 'cpu_quota', 'cpu_rt_period', 'cpu_rt_runtime', 'cpu_shares', 'cpus', 'cpuset_cpus', 'cpuset_mems', 'creds',
  'decryption_key', 'delete_depend', 'delete_time', 'delete_volumes', 'debug', 'detach_keys', 'device', 'device_cgroup_rule',
  'device_read_bps', 'device_read_iops', 'device_write_bps', 'device_write_iops', 'dns', 'dns_servers', 'dns_option', 'dns_opts',
  'dns_search', 'dns_search_domains', 'entrypoint', 'env_file', 'env_files', 'env_host', 'env_merge', 'expose', 'exposed',
  'exposed_ports', 'force_delete', 'generate_systemd', 'gidmap', 'gpus', 'group_add', 'groups', 'group_entry', 'healthcheck',
  'health_cmd', 'healthcheck_interval', 'health_interval', 'healthcheck_retries', 'health_retries', 'healthcheck_start_period',
  'health_start_period', 'health_log_destination', 'health_max_log_count', 'health_max_log_size', 'health_startup_cmd',
  'health_startup_interval', 'health_startup_retries', 'health_startup_success', 'health_startup_timeout', 'healthcheck_timeout',
  'health_timeout', 'healthcheck_failure_action', 'health_on_failure', 'hooks_dir', 'hostname', 'hosts_file', 'hostuser',
  'http_proxy', 'image_volume', 'image_strict', 'init', 'init_ctr', 'init_path', 'interactive', 'ip', 'ip6', 'ipc', 'ipc_mode',
  'kernel_memory', 'link_local_ip', 'label_file', 'log_driver', 'log_level', 'log_opt', 'log_options', 'mac_address', 'memory',
  'memory_reservation', 'memory_swap', 'memory_swappiness', 'mount', 'mounts', 'network_aliases', 'network_alias',
  'no_healthcheck', 'no_hostname', 'no_hosts', 'oom_kill_disable', 'oom_score_adj', 'os', 'passwd', 'passwd_entry', 'personality',
  'pid', 'pid_mode', 'pid_file', 'pids_limit', 'platform', 'pod', 'pod_id_file', 'preserve_fd', 'preserve_fds', 'privileged',
  'publish_all', 'quadlet_dir', 'quadlet_filename', 'quadlet_file_mode', 'quadlet_options', 'rdt_class', 'read_only',
  'read_only_tmpfs', 'requires', 'restart_time', 'retry', 'retry_delay', 'rm', 'remove', 'auto_remove', 'rmi', 'rootfs',
  'seccomp_policy', 'secrets', 'sdnotify', 'security_opt', 'shm_size', 'shm_size_systemd', 'sig_proxy', 'stop_signal',
  'stop_time', 'subgidname', 'subuidname', 'sysctl', 'systemd', 'timeout', 'timezone', 'tls_verify', 'tmpfs', 'tty', 'uidmap',
  'ulimit', 'ulimits', 'umask', 'unsetenv', 'unsetenv_all', 'uts', 'variant', 'volumes_from', 'workdir', 'working_dir',
];
const PODMAN_HINTS: Record<string, string> = {
  entrypoint: 'an image whose entrypoint is what runs, or command:',
  env_file: 'env: with the values (vars, or a vault)',
  stop_time: 'stop_timeout (seconds)',
};

/** podman_container passes env and label values through Python's str(): true is "True", 9090 is "9090". */
const PyStrMap = v.pipe(
  v.record(v.string(), v.union([v.string(), v.number(), v.boolean()], 'expected a string, number or boolean')),
  v.transform((r) => Object.fromEntries(Object.entries(r).map(([k, x]) => [k, pyStr(x)]))),
);

// rootless Podman's keep-id (the operator's uid inside) is the one user namespace skiff reads back
const KeepId = v.literal('keep-id', 'expected keep-id (other user namespaces are not supported by skiff)');

/** podman_container's options with aliases: each written under one name only (see once). */
const PODMAN_ALIASES = [
  ['label', 'labels'],
  ['volume', 'volumes'],
  ['publish', 'ports', 'published', 'published_ports'],
  ['network', 'net', 'network_mode'],
  ['etc_hosts', 'add_hosts'],
  ['force_restart', 'restart'],
  ['userns', 'userns_mode'],
];

/** An Ansible list of str: a string is split on commas, as Ansible's list type does. */
const Networks = v.pipe(
  v.union([v.pipe(v.string(), v.transform((s) => s.split(',').map((x) => x.trim()))), v.array(v.string())], 'expected a list of networks (or one, as a string)'),
  v.maxLength(1, 'expected one network: skiff runs a container on one network (more are not supported by skiff)'),
);

const podmanSchema = v.pipe(
  v.strictObject({
    name: ContainerName,
    image: v.optional(PinnedImageAnsible),
    state: v.optional(
      v.picklist(['started', 'absent'], 'expected started or absent (present, stopped, created and quadlet leave a container not running or not made: skiff recreates a container only by starting the new one)'),
      'started',
    ),
    /** a string is split on whitespace, as the module does (no shell quoting) */
    command: v.optional(
      v.union(
        [v.pipe(v.string(), v.transform((s) => s.split(/\s+/).filter(Boolean))), ArgList],
        'expected a command: a string (split on spaces) or a list',
      ),
    ),
    env: v.optional(PyStrMap),
    label: v.optional(PyStrMap),
    labels: v.optional(PyStrMap),
    volume: v.optional(Volumes),
    volumes: v.optional(Volumes),
    publish: v.optional(Published),
    ports: v.optional(Published),
    published: v.optional(Published),
    published_ports: v.optional(Published),
    network: v.optional(Networks),
    net: v.optional(Networks),
    network_mode: v.optional(Networks),
    user: v.optional(User),
    userns: v.optional(KeepId),
    userns_mode: v.optional(KeepId),
    restart_policy: v.optional(RestartPolicy),
    etc_hosts: v.optional(EtcHosts),
    add_hosts: v.optional(EtcHosts),
    stop_timeout: v.optional(StopTimeout),
    force_restart: v.optional(Bool),
    restart: v.optional(Bool),
    recreate: v.optional(Bool, false),
    pull: v.optional(v.picklist(['missing', 'never'], 'expected missing or never (always and newer: skiff runs pinned images and pulls only a missing one)'), 'missing'),
    executable: only('podman', 'skiff runs podman from the PATH'),
    detach: only(true, 'skiff runs containers detached'),
    ...refuse(PODMAN, PODMAN_REFUSED, PODMAN_HINTS),
  }),
  v.rawCheck(({ dataset, addIssue }) => dataset.typed && PODMAN_ALIASES.forEach((keys) => once(dataset.value, keys, addIssue))),
  v.check((p) => p.state !== 'started' || p.image !== undefined, NEEDS_IMAGE),
  v.transform((p): Mapped => ({
    container: containerParams('podman', {
      name: p.name,
      state: p.state,
      image: p.image,
      args: p.command ?? [],
      env: p.env ?? {},
      labels: p.label ?? p.labels ?? {},
      mounts: p.volume ?? p.volumes ?? [],
      ports: p.publish ?? p.ports ?? p.published ?? p.published_ports ?? [],
      network: (p.network ?? p.net ?? p.network_mode)?.[0],
      user: p.user,
      restart_policy: p.restart_policy,
      extra_hosts: p.etc_hosts ?? p.add_hosts,
      ...(p.stop_timeout === undefined ? {} : { stop_timeout: p.stop_timeout }),
    }),
    restart: p.force_restart ?? p.restart ?? false,
    recreate: p.recreate,
    pull: p.pull,
  })),
);

// ---------------------------------------------------------------------------------------------
// plan and apply: the container task's, with restart/recreate/pull as the modules mean them

interface State {
  inner?: ContainerPlanState;
  /** restart the container as it is (docker: restart: true on an unchanged one; podman: force_restart) */
  restart?: boolean;
}

/** Ansible's registered `container` is the engine's inspect output of the container. */
const registered = (raw: unknown) => ({ container: raw ?? {} });

function moduleType(name: string, summary: string, schema: v.GenericSchema<unknown, Mapped>): TaskType<Mapped, State> {
  return {
    name,
    summary,
    schema,
    // the container task's reads: its containers read ahead with the play's other facts
    reads: (p) => container.reads!(p.container),
    async plan(ctx, p) {
      const c = p.container;
      if (c.state === 'absent') {
        const plan = await container.plan(ctx, c);
        return { ...plan, result: {}, state: { inner: plan.state } };
      }
      // podman_container's force_restart restarts (or starts) an existing container without comparing
      // it: the module does that before it looks for differences (make_started)
      if (p.restart && c.engine === 'podman') {
        const ins = await inspectOf(ctx, c.engine, c.name);
        if (ins.facts) {
          return { changes: [`restart container ${c.name} (force_restart)`], result: registered(ins.raw), state: { restart: true } };
        }
      }
      const plan = await container.plan(ctx, c);
      const st = plan.state!;
      const ins = st.inspected;
      if (p.pull === 'never' && ins.wantedImagePresent === false) {
        throw new TaskFailure(`image ${c.image} is not on ${ctx.conn.host} and pull is never`);
      }
      const result = registered(ins.facts ? ins.raw : undefined);
      if (p.recreate && ins.facts && (st.action === 'none' || st.action === 'start')) {
        return { ...plan, changes: [...plan.changes.filter((x) => !x.startsWith('start container')), `recreate container ${c.name} (recreate: true)`], result, state: { inner: { ...st, action: 'recreate' } } };
      }
      // docker_container's restart: only a container that is already as wanted and running
      if (p.restart && st.action === 'none' && !st.resume) {
        return { ...plan, changes: [`restart container ${c.name} (restart: true)`], result, state: { inner: st, restart: true } };
      }
      return { ...plan, result, state: { inner: st } };
    },
    async apply(ctx, p, plan) {
      const c = p.container;
      const st = plan.state!;
      if (st.restart) await restartContainer(ctx.conn, c.engine, c.name, c.stop_timeout);
      else await container.apply(ctx, c, { ...plan, state: st.inner });
      if (c.state === 'absent') return;
      // what runs now, as Ansible registers it (one more inspect)
      return registered((await inspectContainer(ctx.conn, c.engine, c.name)).raw);
    },
  };
}

export const dockerContainer = moduleType(DOCKER, 'a docker container runs as described, or is absent (Ansible\'s docker_container on skiff\'s container task)', dockerSchema);
export const podmanContainer = moduleType(PODMAN, 'a podman container runs as described, or is absent (Ansible\'s podman_container on skiff\'s container task)', podmanSchema);
