// --list-hosts, --list-tasks and --list-tags: what a run would touch, in Ansible's layout, without contacting a host.
import type { Node } from '../playbook/load.ts';
import type { Prepared, RunOptions } from '../engine/prepare.ts';
import { startsHere, taskScope } from '../engine/prepare.ts';
import { evalTags, tagsSelect, type TagFilter } from '../engine/tags.ts';

// Ansible joins a play's tags (a set, in Python's hash order: sorted here) with ',' alone
const tagList = (tags: string[]) => `TAGS: [${[...new Set(tags)].sort().join(',')}]`;

/** Ansible's layout: a blank line before the playbook's line and before each play's. */
export function listHosts(prep: Prepared): string {
  const lines = ['', `playbook: ${prep.playbook.file}`];
  prep.plays.forEach(({ play, hosts }, i) => {
    lines.push('', `  play #${i + 1} (${play.hosts}): ${play.name}\t${tagList(play.kw.tags)}`, `    pattern: ['${play.hosts}']`, `    hosts (${hosts.length}):`, ...hosts.map((h) => `      ${h}`));
  });
  return lines.join('\n');
}

/**
 * --list-tasks and --list-tags as ansible-playbook prints them (cli/playbook.py): each play, then the
 * tasks its tag filter keeps, tags templated with the play's vars, each with the play's tags and its own
 * sorted; only the `block` part of a block is listed (Ansible's _process_block skips rescue and always);
 * --list-tags ends each play with every tag of the tasks kept.
 */
export function listTasks(prep: Prepared, opts: Pick<RunOptions, 'tags' | 'skipTags' | 'startAtTask'>, what: { tasks?: boolean; tags?: boolean } = { tasks: true }): string {
  const filter: TagFilter = { only: opts.tags?.length ? opts.tags : ['all'], skip: opts.skipTags ?? [] };
  let started = opts.startAtTask === undefined;
  const lines = ['', `playbook: ${prep.playbook.file}`];
  prep.plays.forEach(({ play, hosts }, i) => {
    const playTags = new Set(play.kw.tags);
    const allTags = new Set<string>();
    const tagsOf = (n: Node) => {
      // an include's own keywords are its spec's (the block's are what encloses it)
      const kw = n.kind === 'block' && n.include ? n.include.kw : n.kw;
      return evalTags(kw.tags, () => taskScope(prep, play, hosts[0] ?? 'localhost', {}, kw, {}));
    };
    // a role's task is `role : name` when it has a name; an unnamed one is its action alone (Ansible's)
    const show = (n: Node, name: string, named: boolean) => {
      const tags = tagsOf(n);
      if (!started || !tagsSelect(tags, filter)) return;
      tags.forEach((t) => allTags.add(t));
      if (what.tasks) lines.push(`      ${n.kw.role && named ? `${n.kw.role.name} : ` : ''}${name}\tTAGS: [${[...new Set([...playTags, ...tags])].sort().join(', ')}]`);
    };
    const walk = (nodes: Node[]) => {
      for (const n of nodes) {
        // a dynamic include (include_tasks, include_role) is a task of its own: what it brings is known when a host runs it
        if (n.kind === 'block' && n.include) show(n, n.include.written ?? n.include.action, n.include.written !== undefined);
        else if (n.kind === 'block') walk(n.block);
        else if (n.kind === 'meta') {
          if (!n.implicit) show(n, n.name, n.written !== undefined);
        } else {
          if (!started && startsHere(n.name, opts.startAtTask!)) started = true;
          show(n, n.name, n.meta.name !== undefined);
        }
      }
    };
    lines.push('', `  play #${i + 1} (${play.hosts}): ${play.name}\t${tagList(play.kw.tags)}`);
    if (what.tasks) lines.push('    tasks:');
    walk(play.tasks);
    if (what.tags) lines.push(`      TASK TAGS: [${[...new Set([...playTags, ...allTags])].sort().join(', ')}]`);
  });
  return lines.join('\n');
}
