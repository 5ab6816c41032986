export interface Origin {
  file: string;
  line: number;
  col: number;
}

export type Vars = Record<string, unknown>;

/** One layer of variables with where each one was written, for error messages. */
export interface VarLayer {
  vars: Vars;
  origins: Record<string, Origin>;
}

export interface Group {
  name: string;
  hosts: Set<string>;
  children: Set<string>;
  inline: VarLayer; // vars written in the inventory file
  file?: VarLayer; // group_vars/<name>.yml next to the inventory
  /** group_vars/<name>.yml next to the playbook (over the inventory's, as Ansible's all_plugins_play) */
  playFile?: VarLayer;
}

export interface Inventory {
  /** directory relative paths in host vars (key files, known_hosts) are resolved against */
  root: string;
  groups: Map<string, Group>;
  /** hosts in the order they were first written */
  hosts: string[];
  hostInline: Map<string, VarLayer>;
  hostFile: Map<string, VarLayer>;
  /** host_vars/<host>.yml next to the playbook: over the inventory's (Ansible's _plugins_play) */
  hostPlayFile?: Map<string, VarLayer>;
  /** where each host was first declared (a host add_host added: its task) */
  hostOrigin: Map<string, Origin>;
  /** hosts add_host added during the run: they come from no inventory file */
  added?: Set<string>;
  /**
   * group_vars/ and host_vars/ files of groups and hosts the inventory does not have, kept when the
   * playbook may make them (group_by, add_host): Ansible's vars plugins read them for whatever group or
   * host exists when a task runs. Each with the problem it is when nothing makes its group or host.
   */
  unclaimed?: { groups: Map<string, Unclaimed>; hosts: Map<string, Unclaimed> };
  /** Ansible's warnings of reading it (group-names.ts), each once */
  warnings?: Set<string>;
}

export interface Unclaimed {
  /** next to the inventory */
  layer?: VarLayer;
  /** next to the playbook */
  play?: VarLayer;
  /** a mistake when nothing makes the group or host: group_vars/ next to the inventory only (Ansible ignores both) */
  problem?: { file: string; line: number; col: number; message: string };
}
