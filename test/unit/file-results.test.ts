// What Ansible's file modules register about the file they left (AnsibleModule.add_path_info) and
// lineinfile's create making missing directories: the lineinfile and copy targets assert on both.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { play, playbook } from './engine-harness.ts';

test('copy registers state, mode, owner, ids and size of dest (changed: md5sum too; unchanged: path)', async () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-copyres-'));
  const task = `- copy: {dest: ${d}/f, content: "hello\\n", mode: "0640"}\n  register: r`;
  const first = await play({ playbook: playbook(task) });
  assert.equal(first.problems, []);
  const r = first.results[0].registered as Record<string, unknown>;
  assert.is(first.results[0].status, 'changed');
  assert.equal(
    { state: r.state, mode: r.mode, size: r.size, owner: r.owner, uid: r.uid, md5sum: r.md5sum, checksum: r.checksum },
    { state: 'file', mode: '0640', size: 6, owner: userInfo().username, uid: userInfo().uid, md5sum: 'b1946ac92492d2347c6235b4d2611184', checksum: 'f572d396fae9206628714fb2ce00f72e94f2258f' },
  );
  const again = await play({ playbook: playbook(task) });
  const a = again.results[0].registered as Record<string, unknown>;
  assert.is(again.results[0].status, 'ok');
  assert.equal({ path: a.path, state: a.state, mode: a.mode }, { path: `${d}/f`, state: 'file', mode: '0640' });
});

test('lineinfile create: yes makes the missing directories, as Ansible\'s os.makedirs', async () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-mkdirs-'));
  const o = await play({ playbook: playbook(`- lineinfile: {dest: ${d}/a/b/a.txt, create: yes, line: First line}`) });
  assert.equal(o.problems, []);
  assert.is(o.results[0].status, 'changed');
  assert.is(readFileSync(`${d}/a/b/a.txt`, 'utf8'), 'First line\n');
});

test.run();
