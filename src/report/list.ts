// --list-hosts and --list-tasks: what a run would touch, in Ansible's layout, without contacting a host.
import type { Node } from '../playbook/load.ts';
import type { Prepared, RunOptions } from '../engine/prepare.ts';
import { startsHere } from '../engine/prepare.ts';
import { tagsSelect, type TagFilter } from '../engine/tags.ts';

const tagList = (tags: string[]) => `TAGS: [${[...tags].sort().join(', ')}]`;

export function listHosts(prep: Prepared): string {
  const lines = [`playbook: ${prep.playbook.file}`, ''];
  prep.plays.forEach(({ play, hosts }, i) => {
    lines.push(`  play #${i + 1} (${play.hosts}): ${play.name}\t${tagList(play.kw.tags)}`, `    pattern: ['${play.hosts}']`, `    hosts (${hosts.length}):`, ...hosts.map((h) => `      ${h}`), '');
  });
  return lines.join('\n');
}

export function listTasks(prep: Prepared, opts: Pick<RunOptions, 'tags' | 'skipTags' | 'startAtTask'>): string {
  const filter: TagFilter = { only: opts.tags?.length ? opts.tags : ['all'], skip: opts.skipTags ?? [] };
  let started = opts.startAtTask === undefined;
  const lines = [`playbook: ${prep.playbook.file}`, ''];
  const walk = (nodes: Node[], depth: number) => {
    for (const n of nodes) {
      if (n.kind === 'block') {
        for (const part of [n.block, n.rescue, n.always]) walk(part, depth);
      } else if (n.kind === 'meta') {
        if (!n.implicit && started && tagsSelect(n.kw.tags, filter)) lines.push(`${' '.repeat(depth)}${n.name}\t${tagList(n.kw.tags)}`);
      } else {
        if (!started && startsHere(n.name, opts.startAtTask!)) started = true;
        if (started && tagsSelect(n.kw.tags, filter)) lines.push(`${' '.repeat(depth)}${n.name}\t${tagList(n.kw.tags)}`);
      }
    }
  };
  prep.plays.forEach(({ play }, i) => {
    lines.push(`  play #${i + 1} (${play.hosts}): ${play.name}\t${tagList(play.kw.tags)}`, '    tasks:');
    walk(play.tasks, 6);
    lines.push('');
  });
  return lines.join('\n');
}
