// skiff's own gathering (facts.ts) reads a fast subset of Ansible's facts in one exec. A play that reads a
// fact outside it (ansible_memory_mb, ansible_facts.mounts, ansible_interfaces...) gets Ansible's own
// facts as well, from Ansible's setup module, narrowed to the gather_subset that holds those facts
// (the hardware and network collectors are the slow ones). What a play reads is found in the text of
// its files: its tasks' YAML and its roles' templates.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Node, PlayDef } from '../playbook/load.ts';
import { FACT_SHAPE } from './facts.ts';

/** Facts of Ansible's setup that skiff's gathering does not read, by the gather_subset that collects them. */
const BY_SUBSET: Record<string, string[]> = {
  hardware: ['memory_mb', 'mounts', 'processor', 'processor_cores', 'processor_count', 'processor_threads_per_core', 'devices', 'device_links', 'lvm', 'swapfree_mb', 'uptime_seconds', 'loadavg', 'bios_date', 'bios_vendor', 'bios_version', 'board_asset_tag', 'board_name', 'board_serial', 'board_vendor', 'board_version', 'chassis_asset_tag', 'chassis_serial', 'chassis_vendor', 'chassis_version', 'form_factor', 'product_name', 'product_serial', 'product_uuid', 'product_version', 'system_vendor', 'hostnqn', 'iscsi_iqn', 'fibre_channel_wwn'],
  network: ['all_ipv4_addresses', 'all_ipv6_addresses', 'default_ipv6', 'interfaces'],
  virtual: ['virtualization_role', 'virtualization_type', 'virtualization_tech_guest', 'virtualization_tech_host'],
  min: ['apparmor', 'cmdline', 'proc_cmdline', 'distribution_file_parsed', 'distribution_file_path', 'distribution_file_variety', 'distribution_minor_version', 'dns', 'effective_group_id', 'effective_user_id', 'real_group_id', 'real_user_id', 'fips', 'lsb', 'local', 'machine_id', 'is_chroot', 'selinux_python_present', 'ssh_host_key_ecdsa_public', 'ssh_host_key_ecdsa_public_keytype', 'ssh_host_key_ed25519_public', 'ssh_host_key_ed25519_public_keytype', 'ssh_host_key_rsa_public', 'ssh_host_key_rsa_public_keytype', 'system_capabilities', 'system_capabilities_enforced', 'user_gecos', 'userspace_architecture', 'userspace_bits'],
};
const SUBSET_OF = new Map(Object.entries(BY_SUBSET).flatMap(([s, names]) => names.map((n) => [n, s] as const)));

/**
 * An interface's own facts (ansible_eth0.ipv4.address: ansible-examples' mongodb hosts.j2) are network
 * ones, named after the interface: names as Linux gives them (eth0, ens3, enp0s3, wlan0, bond0, br0...).
 */
const INTERFACE = /^(eth|en[opsx]?|wl|ww|bond|br|team|vlan|vmbr|virbr|veth|docker|tun|tap|ib|lo$)\w*$/;

/**
 * The gather_subset that gives what these texts read beyond skiff's own facts (`['!all', '!min', ...]`
 * narrowed to the collectors needed; all of them for `ansible_facts[expr]`), or undefined when skiff's
 * own facts are all they read.
 */
export function neededSubset(texts: string[]): string[] | undefined {
  const subsets = new Set<string>();
  const want = (name: string) => {
    if (Object.hasOwn(FACT_SHAPE, name)) return;
    const s = SUBSET_OF.get(name === 'ansible_local' ? 'local' : name) ?? (INTERFACE.test(name) ? 'network' : undefined);
    if (s) subsets.add(s);
  };
  for (const text of texts) {
    if (!text.includes('ansible_')) continue;
    for (const m of text.matchAll(/\bansible_facts\s*(?:\.\s*([A-Za-z_]\w*)|\[\s*(['"])(.*?)\2\s*\]|(\[))/g)) {
      // a computed key (ansible_facts[iface]): any fact may be read
      if (m[4]) subsets.add('all');
      else want(m[1] ?? m[3]);
    }
    for (const m of text.matchAll(/\bansible_(\w+)/g)) want(m[1]);
    // a fact's name computed ('ansible_' + iface): any fact may be read
    if (/['"]ansible_['"]\s*[+~]/.test(text)) subsets.add('all');
  }
  if (!subsets.size) return undefined;
  // (setup reads an exclusion over an inclusion: `!min` with `min` is none of them; `!all` keeps min)
  const others = [...subsets].filter((s) => s !== 'min');
  return subsets.has('all') ? ['all'] : subsets.has('min') ? ['!all', ...others] : ['!all', '!min', ...others];
}

/**
 * Whether a play's gather_subset narrows what its gathering collects: anything but `all` (`min`,
 * `!hardware`, `network`). Then its facts are those Ansible's setup gives for that subset alone.
 */
export function narrowedSubset(subset: string[] | undefined): boolean {
  return subset !== undefined && subset.some((s) => s !== 'all');
}

const texts = new Map<string, string>();

/** A file's text, read once per run (an unreadable one reads as empty). */
function textOf(file: string): string {
  let t = texts.get(file);
  if (t === undefined) {
    try {
      t = readFileSync(file, 'utf8');
    } catch {
      t = '';
    }
    texts.set(file, t);
  }
  return t;
}

/** The files under a directory (a role's templates/, defaults/, vars/: read when a task uses them). */
function filesUnder(dir: string, depth = 0): string[] {
  if (depth > 4 || !existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name), depth + 1) : e.isFile() ? [join(dir, e.name)] : []));
}

/** What a role or a playbook's directory holds that a task may read a fact through. */
const DIRS_READ = ['templates', 'defaults', 'vars', 'group_vars', 'host_vars'];

const ofPlay = new WeakMap<PlayDef, string[] | undefined>();

/** neededSubset() of a play's files (playFiles). */
export function playSubset(play: PlayDef, playbookFile: string): string[] | undefined {
  if (!ofPlay.has(play)) ofPlay.set(play, neededSubset(playFiles(play, playbookFile).map(textOf)));
  return ofPlay.get(play);
}

/**
 * Whether a task of these files may give a variable of this name when it runs: a `vars:` or set_fact
 * key, a loop_var or register of that name, `item` where anything loops. Read in the files' text.
 */
export function taskGivenNames(files: () => string[]): (name: string) => boolean {
  // read only when an inventory var names something undefined: not on every run's start
  let texts: string[] | undefined;
  const read = () => (texts ??= [...new Set(files())].filter((f) => /\.ya?ml$/.test(f)).map(textOf));
  return (name) => (name === 'item' && read().some((t) => /\b(loop|with_\w+)\s*:/.test(t))) || read().some((t) => new RegExp(`(^|[\\s{,])${name}\\s*:|\\b(loop_var|register)\\s*:\\s*['"]?${name}\\b`, 'm').test(t));
}

/** The files a play's tasks may read: the YAML its tasks and handlers came from, its roles' templates, defaults and vars, the playbook's group_vars. */
export function playFiles(play: PlayDef, playbookFile: string): string[] {
  let known = filesOf.get(play);
  if (!known) filesOf.set(play, (known = walkPlayFiles(play, playbookFile)));
  return known;
}
const filesOf = new WeakMap<PlayDef, string[]>();

function walkPlayFiles(play: PlayDef, playbookFile: string): string[] {
  const files = new Set<string>([playbookFile]);
  const dirs = new Set<string>([dirname(playbookFile)]);
  const walk = (nodes: Node[]) => {
    for (const n of nodes) {
      files.add(n.src.file);
      if (n.roleDir) dirs.add(n.roleDir);
      if (n.kind === 'block') {
        walk(n.block);
        walk(n.rescue);
        walk(n.always);
      }
    }
  };
  walk(play.tasks);
  walk(play.handlers as Node[]);
  return [...files, ...[...dirs].flatMap((d) => DIRS_READ.flatMap((sub) => filesUnder(join(d, sub))))];
}
