// The command line as data: every flag and every command is one entry here. Parsing (args.ts), help
// (help.ts) and shell completion (completion.ts) are all made from these two tables. What runs each
// command is in handlers.ts: the handlers import these tables, so the tables import no handler.
//
// Why node:util parseArgs plus a table, not a CLI library: skiff's contract is its own (bad input is
// exit 5 with `file:line:col: reason` lines, every problem reported together, nothing printed by a
// library on its own). commander and yargs print their own errors and exit (or throw) on the first
// one, and need overriding at every turn; their generated completions cannot ask the inventory for
// hosts and groups. parseArgs' tokens give everything needed for suggestions and per-command checks.
import type { SettingName } from './config.ts';

/** What the shell completes after a flag, or for a positional argument. */
export type Complete = 'file' | 'dir' | 'inventory' | 'hosts' | 'tasks' | 'commands' | 'shells' | 'none';

export interface FlagSpec {
  short?: string;
  type: 'string' | 'boolean';
  multiple?: boolean;
  /** name of the value in help, e.g. PATTERN */
  arg?: string;
  help: string;
  /** the commands that take it; '*' for every command */
  commands: readonly string[] | '*';
  complete?: Complete;
  /** the setting (ansible.cfg / ANSIBLE_*) this flag overrides */
  setting?: SettingName;
}

// validate is "what run does first": it takes every flag of run, so a run's command line can be checked
// by changing one word
const PLAYBOOK = ['run', 'validate'] as const;
const SETTINGS_CMDS = ['run', 'validate', 'config'] as const;

export const FLAGS: Record<string, FlagSpec> = {
  inventory: { short: 'i', type: 'string', multiple: true, arg: 'INVENTORY', help: "inventory file or directory, or a host list 'host1,host2,' (repeatable: the sources combine, as Ansible's; default: ansible.cfg inventory / ANSIBLE_INVENTORY)", commands: [...SETTINGS_CMDS, 'inventory', '__complete'], complete: 'inventory', setting: 'inventory' },
  check: { short: 'C', type: 'boolean', help: 'plan only: read every host, show what would change, write nothing', commands: PLAYBOOK },
  diff: { short: 'D', type: 'boolean', help: 'show a diff for every change (files line by line, containers field by field)', commands: PLAYBOOK },
  limit: { short: 'l', type: 'string', arg: 'PATTERN|@FILE', help: 'only these hosts (a:b, group, !x, &y, globs; @file: one per line)', commands: [...PLAYBOOK, 'apply'], complete: 'hosts' },
  'extra-vars': { short: 'e', type: 'string', multiple: true, arg: 'k=v|@FILE|JSON', help: 'highest-precedence variables (repeatable)', commands: PLAYBOOK },
  forks: { short: 'f', type: 'string', arg: 'N', help: 'hosts in parallel (default: every host of the play, at most 50)', commands: SETTINGS_CMDS, complete: 'none', setting: 'forks' },
  user: { short: 'u', type: 'string', arg: 'USER', help: 'remote user when the inventory sets none (ansible.cfg remote_user)', commands: SETTINGS_CMDS, complete: 'none', setting: 'remote_user' },
  connection: { short: 'c', type: 'string', arg: 'CONN', help: 'connection of hosts whose inventory sets no ansible_connection: ssh (or smart) or local (ansible.cfg transport)', commands: SETTINGS_CMDS, complete: 'none', setting: 'transport' },
  'private-key': { type: 'string', arg: 'FILE', help: 'SSH key when the inventory sets none (ansible.cfg private_key_file)', commands: SETTINGS_CMDS, complete: 'file', setting: 'private_key_file' },
  timeout: { short: 'T', type: 'string', arg: 'SECONDS', help: 'SSH connect timeout when the inventory sets none (ansible.cfg timeout)', commands: SETTINGS_CMDS, complete: 'none', setting: 'timeout' },
  report: { type: 'string', arg: 'FILE', help: 'write a JSON report: recap and every (redacted) result', commands: [...PLAYBOOK, 'apply'], complete: 'file' },
  'accept-new-host-keys': { type: 'boolean', help: 'record the key of a host not yet in known_hosts (a changed key is never accepted)', commands: [...PLAYBOOK, 'apply'] },
  'detailed-exitcode': { type: 'boolean', help: 'with --check: exit 8 when changes are pending', commands: PLAYBOOK },
  profile: { type: 'boolean', help: 'at the end: wall time per task and per host, slowest first', commands: [...PLAYBOOK, 'apply'] },
  events: { type: 'string', arg: 'FILE|-', help: 'newline-delimited JSON of every engine event as it happens (- : stdout; then progress goes to stderr)', commands: [...PLAYBOOK, 'apply'], complete: 'file' },
  tags: { short: 't', type: 'string', multiple: true, arg: 'TAG,..', help: 'only tasks with these tags (always-tagged ones too; never-tagged ones only by name)', commands: PLAYBOOK, complete: 'none' },
  'skip-tags': { type: 'string', multiple: true, arg: 'TAG,..', help: 'not the tasks with these tags', commands: PLAYBOOK, complete: 'none' },
  'start-at-task': { type: 'string', arg: 'NAME', help: 'skip the tasks before the first one with this name (or glob)', commands: PLAYBOOK, complete: 'none' },
  // Ansible's meaning holds as it is: skiff keeps no fact cache between runs, so there is none to clear
  'flush-cache': { type: 'boolean', help: "clear the fact cache of every inventory host first (with fact_caching = jsonfile: their files)", commands: PLAYBOOK },
  'force-handlers': { type: 'boolean', help: 'run notified handlers even on a host that failed', commands: PLAYBOOK },
  strict: { type: 'boolean', help: 'also refuse, before the run, a variable, key or item no task can see yet (by default the task fails on the host when it runs, as in Ansible: set_fact, register or facts may define it)', commands: PLAYBOOK },
  'list-tasks': { type: 'boolean', help: 'list the tasks that would run (after --tags, --skip-tags, --start-at-task); contacts no host', commands: PLAYBOOK },
  'list-tags': { type: 'boolean', help: 'list the tags of the tasks that would run (after --tags, --skip-tags); contacts no host', commands: PLAYBOOK },
  'list-hosts': { type: 'boolean', help: 'list the hosts each play would run on; contacts no host', commands: PLAYBOOK },
  'syntax-check': { type: 'boolean', help: 'check the playbook as skiff validate does, and say so as ansible-playbook does; contacts no host', commands: PLAYBOOK },
  verbose: { short: 'v', type: 'boolean', multiple: true, help: 'also show ok/skipped details', commands: [...PLAYBOOK, 'apply'] },
  host: { type: 'string', arg: 'NAME', help: 'only this host', commands: ['inventory'], complete: 'hosts' },
  become: { short: 'b', type: 'boolean', help: 'become (sudo) in every play that does not say become: itself', commands: PLAYBOOK },
  'become-user': { type: 'string', arg: 'USER', help: 'the user to become in every play that does not say become_user: itself (default root)', commands: PLAYBOOK, complete: 'none' },
  'become-method': { type: 'string', arg: 'METHOD', help: 'sudo or su: how every play that does not say become_method: itself becomes (default sudo)', commands: PLAYBOOK, complete: 'none' },
  'ask-become-pass': { short: 'K', type: 'boolean', help: "ask for sudo's (or su's) password (become), once, for every host", commands: [...PLAYBOOK, 'apply'] },
  'ask-pass': { short: 'k', type: 'boolean', help: 'ask for the SSH password, once, for every host', commands: [...PLAYBOOK, 'apply'] },
  'ask-key-passphrase': { type: 'boolean', help: 'ask for the passphrase of encrypted private keys ssh-agent does not hold', commands: [...PLAYBOOK, 'apply'] },
  'vault-id': { type: 'string', multiple: true, arg: 'LABEL@FILE|LABEL@prompt', help: 'a vault password (repeatable; 1.2 values pick theirs by label)', commands: [...PLAYBOOK, 'inventory', 'apply'], complete: 'file' },
  'vault-password-file': { type: 'string', multiple: true, arg: 'FILE', help: 'the vault password (an executable file: its output); ansible.cfg vault_password_file adds to it', commands: [...PLAYBOOK, 'inventory', 'apply'], complete: 'file' },
  'vault-pass-file': { type: 'string', multiple: true, arg: 'FILE', help: 'same as --vault-password-file (Ansible\'s alias)', commands: [...PLAYBOOK, 'inventory', 'apply'], complete: 'file' },
  'ask-vault-pass': { type: 'boolean', help: 'ask for the vault password (no echo)', commands: [...PLAYBOOK, 'inventory', 'apply'] },
  'ask-vault-password': { type: 'boolean', help: 'same as --ask-vault-pass (Ansible\'s alias)', commands: [...PLAYBOOK, 'inventory', 'apply'] },
  plan: { type: 'string', arg: 'FILE', help: 'with --check: write what would change, per host, to FILE (0600, no secret) for skiff show and skiff apply', commands: ['run'], complete: 'file' },
  'max-age': { type: 'string', arg: 'DURATION', help: 'refuse a plan older than this (30m, 24h, 2d; default 24h)', commands: ['apply'], complete: 'none' },
  json: { type: 'boolean', help: 'the plan as JSON (for a CI job to post on a review)', commands: ['show'] },
  help: { short: 'h', type: 'boolean', help: 'this help', commands: '*' },
  version: { type: 'boolean', help: 'print the version', commands: '*' },
};

/**
 * ansible-playbook's flags that skiff does not honour: refused by name with what to do instead, never
 * taken for a misspelling of one of skiff's. `value`: it takes one (the next word is not a playbook).
 */
export const REFUSED_FLAGS: Record<string, { short?: string; value?: boolean; why: string }> = {
  'become-password-file': { value: true, why: 'expected -K, or ansible_become_password from a vault' },
  'become-pass-file': { value: true, why: 'expected -K, or ansible_become_password from a vault' },
  'connection-password-file': { value: true, why: 'expected -k, or ansible_password from a vault' },
  'conn-pass-file': { value: true, why: 'expected -k, or ansible_password from a vault' },
  'key-file': { value: true, why: 'expected --private-key, its name in skiff' },
  'inventory-file': { value: true, why: 'expected -i (Ansible has deprecated --inventory-file)' },
  'list-tags': { why: 'skiff does not list tags; --list-tasks lists the tasks --tags selects' },
  'module-path': { short: 'M', value: true, why: 'skiff loads no module directories (its task types and the Ansible modules it ships)' },
  'scp-extra-args': { value: true, why: 'skiff copies files over its own SSH connection, no scp' },
  'sftp-extra-args': { value: true, why: 'skiff copies files over its own SSH connection, no sftp' },
  'ssh-common-args': { value: true, why: 'expected ansible_ssh_common_args in the inventory (jump hosts, known-hosts options)' },
  'ssh-extra-args': { value: true, why: 'expected ansible_ssh_extra_args in the inventory (jump hosts, known-hosts options)' },
  step: { why: 'skiff does not stop before each task to ask' },
};

export interface CommandSpec {
  summary: string;
  /** positional arguments, in order; a trailing ? marks one optional; `many`: the last one may be given more than once */
  args: { name: string; optional?: boolean; many?: boolean; complete: Complete }[];
  /** lines after the usage: what it does */
  description?: string;
  examples: string[];
  /** not listed in help or completion (used by the completion scripts themselves) */
  hidden?: boolean;
}

export type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;
export interface Invocation {
  command: string;
  values: Values;
  args: string[];
  /** the flag as written for each value given (e.g. -f or --forks), for messages */
  written: Record<string, string>;
}

export const COMMANDS: Record<string, CommandSpec> = {
  run: {
    summary: 'run a playbook against an inventory',
    args: [{ name: 'PLAYBOOK', many: true, complete: 'file' }],
    description: 'Several playbooks run one after another as one run, as ansible-playbook a.yml b.yml does (the next only if the last play of one ended with no host failed). Checks everything that needs no host first (as validate), then runs each play: hosts in parallel, each through its tasks in order.',
    examples: ['skiff run playbooks/thanos.yml -i inventory/prod --check --diff', 'skiff run playbooks/thanos.yml -i inventory/prod --check --plan thanos.plan', 'skiff run playbooks/thanos.yml -i inventory/prod --limit @.skiff/retry/thanos.retry', 'skiff run site.yml --tags config --list-tasks', 'skiff run site.yml --profile --events run.ndjson'],
  },
  apply: {
    summary: 'apply a reviewed plan (skiff run --check --plan FILE): on the hosts that still match it',
    args: [{ name: 'PLAN', complete: 'file' }],
    description: 'Refused whole, before any host is contacted, when the plan is older than --max-age, was made by another skiff, or a file it was made from (playbook, roles, inventory, group_vars, vars files) changed. Then each host is checked again (read only): a host whose check differs from the plan is not touched and is named with the first task that differs (exit 2, retry file); the others run the playbook for real, with the flags of the plan.',
    examples: ['skiff apply thanos.plan', 'skiff apply thanos.plan --limit prom1 --max-age 2h'],
  },
  show: {
    summary: 'a plan as text (what --check --diff showed), or as JSON',
    args: [{ name: 'PLAN', complete: 'file' }],
    examples: ['skiff show thanos.plan', 'skiff show thanos.plan --json'],
  },
  validate: {
    summary: 'every check that needs no host (what run does first)',
    args: [{ name: 'PLAYBOOK', many: true, complete: 'file' }],
    examples: ['skiff validate playbooks/thanos.yml -i inventory/prod', 'skiff validate site.yml -i inventory/lab -e private_key_file=~/.ssh/lab'],
  },
  inventory: {
    summary: 'groups, hosts and their merged vars (secrets hidden), as JSON',
    args: [],
    examples: ['skiff inventory -i inventory/prod', 'skiff inventory -i inventory/prod --host prom1'],
  },
  tasks: {
    summary: 'the task types, or one type and its parameters',
    args: [{ name: 'TYPE', optional: true, complete: 'tasks' }],
    examples: ['skiff tasks', 'skiff tasks container'],
  },
  config: {
    summary: 'each effective setting, its value and where it came from',
    args: [],
    description: 'Precedence, as Ansible: flag > ANSIBLE_* environment variable > ansible.cfg [defaults] > default.\nansible.cfg is the first of $ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg, /etc/ansible/ansible.cfg.',
    examples: ['skiff config', 'ANSIBLE_FORKS=4 skiff config', 'skiff config -i inventory/lab'],
  },
  completion: {
    summary: 'print a shell completion script (bash or zsh)',
    args: [{ name: 'SHELL', complete: 'shells' }],
    examples: ['source <(skiff completion bash)', 'skiff completion zsh > "${fpath[1]}/_skiff"'],
  },
  help: {
    summary: 'help for a command (same as skiff COMMAND --help)',
    args: [{ name: 'COMMAND', optional: true, complete: 'commands' }],
    examples: ['skiff help run'],
  },
  vault: {
    summary: "ansible-vault's files and values: encrypt, decrypt, view, edit, encrypt_string",
    args: [{ name: 'ACTION', complete: 'none' }, { name: 'FILE', optional: true, complete: 'file' }],
    description: 'Reads and writes the $ANSIBLE_VAULT;1.1 and 1.2 formats, as ansible-vault does; its options are ansible-vault\'s (skiff vault --help).',
    examples: ['skiff vault encrypt inventory/prod/group_vars/secrets.yml --vault-password-file ~/.vault-pass', "skiff vault encrypt_string --name thanos_objstore_key 's3cr3t'"],
  },
  __complete: {
    summary: 'candidates for the completion scripts: hosts and groups of the inventory',
    args: [{ name: 'WHAT', complete: 'none' }],
    examples: ['skiff __complete hosts -i inventory/prod'],
    hidden: true,
  },
};

export function flagsOf(command: string): string[] {
  return Object.entries(FLAGS)
    .filter(([, f]) => f.commands === '*' || f.commands.includes(command))
    .map(([n]) => n);
}
