// What Ansible's file modules register about the file they left (AnsibleModule.add_path_info) and
// lineinfile's create making missing directories: the lineinfile and copy targets assert on both.
import { existsSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
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

test('file registers what it left: directory, touched file (state file), link; unchanged the same', async () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-fileres-'));
  const tasks = `- file: {path: ${d}/dir, state: directory, mode: "0750"}\n  register: a\n- file: {path: ${d}/t, state: touch, mode: "0600"}\n  register: b\n- file: {path: ${d}/l, src: ${d}/t, state: link}\n  register: c`;
  const o = await play({ playbook: playbook(tasks) });
  assert.equal(o.problems, []);
  const pick = (i: number) => {
    const r = o.results[i].registered as Record<string, unknown>;
    return [r.path, r.state, r.mode, r.uid];
  };
  assert.equal([pick(0), pick(1), pick(2)], [[`${d}/dir`, 'directory', '0750', userInfo().uid], [`${d}/t`, 'file', '0600', userInfo().uid], [`${d}/l`, 'link', '0777', userInfo().uid]]);
  const again = await play({ playbook: playbook(tasks.replace('state: touch', 'state: file')) });
  assert.equal(again.results.map((r) => r.status), ['ok', 'ok', 'ok']);
  const r = again.results[0].registered as Record<string, unknown>;
  assert.equal([r.state, r.mode], ['directory', '0750']);
});

test('lineinfile create: yes makes the missing directories, as Ansible\'s os.makedirs', async () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-mkdirs-'));
  const o = await play({ playbook: playbook(`- lineinfile: {dest: ${d}/a/b/a.txt, create: yes, line: First line}`) });
  assert.equal(o.problems, []);
  assert.is(o.results[0].status, 'changed');
  assert.is(readFileSync(`${d}/a/b/a.txt`, 'utf8'), 'First line\n');
});

const hasAnsible = existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import ansible']).status === 0;

(hasAnsible ? test : test.skip)("file touch with a modification_time (the find target's 202001011200.0) runs Ansible's file module, which sets it; preserve keeps the times", async () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-touch-'));
  writeFileSync(join(d, 'kept.txt'), '');
  utimesSync(join(d, 'kept.txt'), 1000000000, 1000000000);
  const o = await play({
    playbook: playbook(`- file: {path: ${d}/old.txt, state: touch, modification_time: "202001011200.0"}\n- file: {path: ${d}/kept.txt, state: touch, modification_time: preserve, access_time: preserve}`),
  });
  assert.equal(o.problems, []);
  assert.equal(o.results.map((r) => r.status), ['changed', 'ok']);
  // the module's %Y%m%d%H%M.%S in the host's local time
  assert.is(statSync(join(d, 'old.txt')).mtimeMs, new Date(2020, 0, 1, 12, 0, 0).getTime());
  assert.is(statSync(join(d, 'kept.txt')).mtimeMs, 1000000000 * 1000);
});

test.run();
