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
  file?: VarLayer; // group_vars/<name>.yml
}

export interface Inventory {
  /** directory relative paths in host vars (key files, known_hosts) are resolved against */
  root: string;
  groups: Map<string, Group>;
  /** hosts in the order they were first written */
  hosts: string[];
  hostInline: Map<string, VarLayer>;
  hostFile: Map<string, VarLayer>;
  /** where each host was first declared */
  hostOrigin: Map<string, Origin>;
}
