// import_playbook with `when` (the include_import target's test_import_playbook.yml): every play it
// brings has its fact gathering and its tasks under the condition, as ansible-playbook 2.14 runs it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { skiff } from '../helpers.ts';

test('import_playbook when: false skips the imported play\'s gathering and tasks; when: true runs them', async () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-import-when-'));
  writeFileSync(join(d, 'a.yml'), '- import_playbook: b.yml\n  when: false\n- import_playbook: b.yml\n  when: flag | bool\n');
  writeFileSync(join(d, 'b.yml'), '- hosts: localhost\n  tasks:\n    - debug: {msg: in b}\n');
  const r = await skiff(['run', 'a.yml', '-i', 'localhost,', '-c', 'local', '-e', 'flag=yes'], { cwd: d, env: { ANSIBLE_GATHERING: 'implicit' } });
  assert.is(r.code, 0, r.stderr + r.stdout);
  // Ansible: Gathering Facts and debug skipped in the first play, both ok in the second
  assert.match(r.stdout, /localhost\s+: ok=2\s+changed=0\s+unreachable=0\s+failed=0\s+skipped=2\s/);
});

test('import_playbook vars are over the imported plays\' own; its tags are theirs too', async () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-import-vars-'));
  writeFileSync(join(d, 'a.yml'), '- import_playbook: b.yml\n  vars: {x: from-import}\n  tags: imported\n');
  writeFileSync(join(d, 'b.yml'), '- hosts: localhost\n  gather_facts: false\n  vars: {x: own, y: kept}\n  tasks:\n    - debug: {msg: "{{ x }} {{ y }}"}\n');
  const all = await skiff(['run', 'a.yml', '-i', 'localhost,', '-c', 'local'], { cwd: d });
  assert.is(all.code, 0, all.stderr + all.stdout);
  assert.match(all.stdout, /"msg": "from-import kept"/);
  const skipped = await skiff(['run', 'a.yml', '-i', 'localhost,', '-c', 'local', '--skip-tags', 'imported'], { cwd: d });
  assert.not.match(skipped.stdout, /from-import/);
});

test.run();
