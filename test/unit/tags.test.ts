// Tags as ansible-core 2.14 reads and selects them (playbook/taggable.py): the cases of the `tags`
// target's runme.sh (test_tags.yml under --tags / --skip-tags), a tags string split on commas, templated
// tags rendered with the task's vars, and --list-tasks / --list-tags in ansible-playbook's layout.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evalTags, splitTags, tagsSelect } from '../../src/engine/tags.ts';
import { loadTags } from '../../src/playbook/keywords.ts';
import { scopeOf } from '../../src/template/template.ts';
import { calls, play, playbook } from './engine-harness.ts';
import { skiff } from '../helpers.ts';

/** test_tags.yml's tasks: name and `tags:` as written (the_tags is ['tag3']). */
const TASKS: [string, unknown][] = [
  ['Task_with_tag', 'tag'],
  ['Task_with_always_tag', 'always'],
  ['Task_with_unicode_tag', 'くらとみ'],
  ['Task_with_list_of_tags', ['café', 'press']],
  ['Task_without_tag', undefined],
  ['Task_with_never_tag', ['never', 'donever']],
  ['Task_with_csv_tags', 'tag1,tag2'],
  ['Task_with_templated_tags', '{{ the_tags }}'],
  ['Task_with_meta_tags', 'meta_tag'],
];

/** runme.sh: --tags, --skip-tags, and the tasks ansible-playbook lists (name and sorted tags). */
const RUNS: [string[], string[], string][] = [
  [[], [], 'Task_with_tag [tag] Task_with_always_tag [always] Task_with_unicode_tag [くらとみ] Task_with_list_of_tags [café, press] Task_without_tag [] Task_with_csv_tags [tag1, tag2] Task_with_templated_tags [tag3] Task_with_meta_tags [meta_tag]'],
  [['tag'], [], 'Task_with_tag [tag] Task_with_always_tag [always]'],
  [[], ['tag'], 'Task_with_always_tag [always] Task_with_unicode_tag [くらとみ] Task_with_list_of_tags [café, press] Task_without_tag [] Task_with_csv_tags [tag1, tag2] Task_with_templated_tags [tag3] Task_with_meta_tags [meta_tag]'],
  [[], ['くらとみ'], 'Task_with_tag [tag] Task_with_always_tag [always] Task_with_list_of_tags [café, press] Task_without_tag [] Task_with_csv_tags [tag1, tag2] Task_with_templated_tags [tag3] Task_with_meta_tags [meta_tag]'],
  [['くらとみ'], [], 'Task_with_always_tag [always] Task_with_unicode_tag [くらとみ]'],
  [['café'], [], 'Task_with_always_tag [always] Task_with_list_of_tags [café, press]'],
  [['donever'], [], 'Task_with_always_tag [always] Task_with_never_tag [donever, never]'],
  [['tag1'], [], 'Task_with_always_tag [always] Task_with_csv_tags [tag1, tag2]'],
  [['tag3'], [], 'Task_with_always_tag [always] Task_with_templated_tags [tag3]'],
  [['tagged'], [], 'Task_with_tag [tag] Task_with_always_tag [always] Task_with_unicode_tag [くらとみ] Task_with_list_of_tags [café, press] Task_with_csv_tags [tag1, tag2] Task_with_templated_tags [tag3] Task_with_meta_tags [meta_tag]'],
  [['untagged'], [], 'Task_with_always_tag [always] Task_without_tag []'],
  [['untagged'], ['always'], 'Task_without_tag []'],
];

test("the tags target's selections: which tasks run, with which tags", () => {
  const scope = scopeOf({ the_tags: ['tag3'] });
  const wrong = RUNS.flatMap(([only, skip, want]) => {
    const got = TASKS.flatMap(([name, raw]) => {
      const tags = evalTags(loadTags(raw).map(String), () => scope);
      return tagsSelect(tags, { only: only.length ? only : ['all'], skip }) ? [`${name} [${[...tags].sort().join(', ')}]`] : [];
    }).join(' ');
    return got === want ? [] : [`--tags ${only} --skip-tags ${skip}: got ${got}`];
  });
  assert.equal(wrong, []);
});

test("a tags string is split on commas and trimmed (`tags: a, b`); a list's items are taken as written; --tags a,b --tags c", () => {
  assert.equal(loadTags('a, b'), ['a', 'b']);
  assert.equal(loadTags(['a, b', 'c']), ['a, b', 'c']);
  assert.equal(splitTags(['tag1,tag3', 'x']), ['tag1', 'tag3', 'x']);
});

test('templated tags select the task when it runs, with its vars; a block\'s "a, b" is two tags', async () => {
  const o = await play({
    playbook: playbook(`- probe: {id: templated}
  tags: "{{ which }}"
  vars: {which: [deploy]}
- block:
    - probe: {id: inblock}
  tags: "build, deploy"
- probe: {id: other}
  tags: build`),
    opts: { tags: ['deploy'] },
  });
  assert.is(o.code, 'ran', o.problems.join('\n'));
  assert.equal(calls, ['a:templated', 'a:inblock']);
});

test("--list-tasks and --list-tags print as ansible-playbook: a blank line before each play, the block part only, TASK TAGS", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-tags-'));
  writeFileSync(join(dir, 'inv'), 'h ansible_connection=local\n');
  writeFileSync(
    join(dir, 'pb.yml'),
    `- hosts: h
  gather_facts: false
  vars: {tv: [x1]}
  tasks:
    - block:
        - {name: inblock, debug: {msg: a}}
      rescue:
        - {name: inrescue, debug: {msg: r}}
      tags: "b1, b2"
    - debug: {msg: noname}
      tags: "{{ tv }}"
`,
  );
  const r = await skiff(['run', join(dir, 'pb.yml'), '-i', join(dir, 'inv'), '--list-tasks'], { cwd: dir });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, `\nplaybook: ${join(dir, 'pb.yml')}\n\n  play #1 (h): h\tTAGS: []\n    tasks:\n      inblock\tTAGS: [b1, b2]\n      debug\tTAGS: [x1]\n`);
  const t = await skiff(['run', join(dir, 'pb.yml'), '-i', join(dir, 'inv'), '--list-tags', '--skip-tags', 'x1'], { cwd: dir });
  assert.is(t.stdout, `\nplaybook: ${join(dir, 'pb.yml')}\n\n  play #1 (h): h\tTAGS: []\n      TASK TAGS: [b1, b2]\n`);
});

test.run();
