// Ansible's modules (tasks/ansible/) through the engine on a local host in a temp dir: what a user
// would notice — files left on disk, a second run changing nothing, check mode writing nothing, and
// the registered results' shape.
import { existsSync, lstatSync, symlinkSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, statSync, writeFileSync, mkdirSync, chmodSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { play, playbook, type Outcome } from './engine-harness.ts';
import { resultLines } from '../../src/report/ansible-lines.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'skiff-ansible-'));
const modeOf = (p: string) => (statSync(p).mode & 0o7777).toString(8).padStart(4, '0');
const statuses = (o: Outcome) => o.results.map((r) => r.status);
const reg = (o: Outcome, i: number) => o.results[i].registered as Record<string, any>;
/** runs, runs again, and runs in check mode: the three outcomes */
async function twice(tasks: string, files?: Record<string, string>) {
  const pb = playbook(tasks);
  const first = await play({ playbook: pb, files });
  const second = await play({ playbook: pb, files });
  return { first, second };
}

test('names: ansible.builtin.X, ansible.legacy.X and short X reach the same module, file and debug too', async () => {
  const d = tmp();
  const o = await play({
    playbook: playbook(`- ansible.builtin.copy: {dest: ${d}/a, content: "1\\n"}
- ansible.legacy.copy: {dest: ${d}/b, content: "2\\n"}
- copy: {dest: ${d}/c, content: "3\\n"}
- file: {path: ${d}/c, mode: "0600"}
- file: {path: ${d}/none}
  ignore_errors: true`),
  });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['changed', 'changed', 'changed', 'changed', 'failed']);
  assert.is(readFileSync(`${d}/c`, 'utf8'), '3\n');
  assert.is(modeOf(`${d}/c`), '0600');
  // Ansible's `file` (state: file by default, which only checks), not a directory made
  assert.not.ok(existsSync(`${d}/none`));
});

test('names: an Ansible module skiff lacks is refused by name, with the nearest skiff way; a collection\'s too; before any host', async () => {
  // (a later ansible-core's module the controller's 2.14 lacks: the others run through the controller's ansible-core)
  const o = await play({ playbook: playbook(`- name: sources\n  ansible.builtin.deb822_repository: {}\n- community.general.foo: {a: 1}`) });
  assert.is(o.code, 'bad-input');
  assert.match(o.problems[0], /play\d+\.yml:4:7: ansible\.builtin\.deb822_repository is an Ansible module not supported by skiff/);
  assert.match(o.problems[1], /community\.general\.foo is a module of the collection community\.general not supported by skiff/);
});

test('names: an unsupported task keyword is named, not called a second task type', async () => {
  const o = await play({ playbook: playbook(`- ansible.builtin.debug: {msg: hi}\n  become_method: doas`) });
  assert.equal(o.problems.length, 1);
  assert.match(o.problems[0], /become_method doas is not supported by skiff: it becomes through sudo or su only/);
});

test('set_fact: later tasks see the facts (over play vars); a loop accumulates; validation knows the names', async () => {
  const o = await play({
    playbook: `- hosts: all\n  vars: {x: play, acc: []}\n  tasks:\n${`- set_fact: {x: fact, n: 2}
- ansible.builtin.set_fact: {acc: "{{ [item] }}"}
  loop: [p, q]
- ansible.builtin.debug: {msg: "{{ x }}-{{ n }}-{{ acc | join(',') }}"}
  register: d`.replace(/^/gm, '    ')}\n`,
  });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['ok', 'ok', 'ok']);
  assert.is(reg(o, 2).msg, 'fact-2-q');
});

test('set_fact in check mode sets facts too (nothing on the host changes)', async () => {
  const o = await play({ playbook: playbook(`- set_fact: {y: 1}\n- ansible.builtin.assert: {that: "y == 1"}`), opts: { check: true } });
  assert.equal(statuses(o), ['ok', 'ok']);
});

test('assert: passes with success_msg; fails with fail_msg and the assertion; quiet hides the message; an undefined name fails it when it runs (--strict: before the run)', async () => {
  const o = await play({ playbook: playbook(`- assert: {that: ["1 == 1", "'a' in 'abc'"], success_msg: fine}\n  register: a\n- assert: {that: "2 == 3", fail_msg: "no!", quiet: true}\n  register: b\n  ignore_errors: true`) });
  assert.equal(statuses(o), ['ok', 'failed']);
  assert.is(reg(o, 0).msg, 'fine');
  assert.is(reg(o, 1).msg, 'no!');
  assert.is(reg(o, 1).assertion, '2 == 3');
  // Ansible's conditional error, taken by ignore_errors like any failure (set_fact may define nope)
  const undef = await play({ playbook: playbook(`- assert: {that: "nope == 1"}\n  ignore_errors: true\n- assert: {that: "nope is undefined"}`) });
  assert.equal(statuses(undef), ['failed', 'ok']);
  assert.is(undef.results[0].msg, "The conditional check 'nope == 1' failed. The error was: error while evaluating conditional (nope == 1): 'nope' is undefined. 'nope' is undefined");
  const bad = await play({ playbook: playbook(`- assert: {that: "nope == 1"}`), opts: { strict: true } });
  assert.is(bad.code, 'bad-input');
  assert.match(bad.problems[0], /that: unknown variable "nope"/);
});

test('fail: fails with msg, also in check mode; skipped by when', async () => {
  const o = await play({ playbook: playbook(`- fail: {msg: stop here}\n  when: false\n- ansible.builtin.fail: {msg: stop here}`), opts: { check: true } });
  assert.equal(statuses(o), ['skipped', 'failed']);
  assert.is(o.results[1].msg, 'stop here');
});

test('fail and assert fail with their msg as written: a map or a list stays one (willshersystems.sshd re-raises ansible_failed_result)', async () => {
  const o = await play({ playbook: playbook(`- fail: {msg: {a: 1, b: [x]}}\n  ignore_errors: true\n  register: m\n- fail: {msg: [l1, l2]}\n  ignore_errors: true\n  register: l\n- assert: {that: false, fail_msg: [l1, l2]}\n  ignore_errors: true\n  register: a`) });
  assert.equal(statuses(o), ['failed', 'failed', 'failed']);
  assert.equal(reg(o, 0).msg, { a: 1, b: ['x'] });
  assert.equal(reg(o, 1).msg, ['l1', 'l2']);
  assert.equal(reg(o, 2).msg, ['l1', 'l2']);
  assert.is(reg(o, 2).assertion, false);
  // assert's failure is shown indented, as its success is (_ansible_verbose_always)
  assert.match(resultLines(o.results[2], { verbosity: 0, color: false, diff: false }).join('\n'), /FAILED! => \{\n    "assertion": false,/);
});

test('ansible.builtin.debug: msg of any shape, var registered under its name, verbosity above 0 skipped', async () => {
  const o = await play({ playbook: playbook(`- set_fact: {v: {a: [1]}}\n- ansible.builtin.debug: {var: v.a}\n  register: r\n- ansible.builtin.debug: {msg: [1, 2]}\n  register: m\n- ansible.builtin.debug: {msg: x, verbosity: 1}`) });
  assert.equal(statuses(o), ['ok', 'ok', 'ok', 'skipped']);
  assert.equal(reg(o, 1)['v.a'], [1]);
  assert.equal(reg(o, 2).msg, [1, 2]);
});

test('stat: Ansible\'s result shape (exists, isdir, mode, size, sha1 checksum); absent path; same in check mode', async () => {
  const d = tmp();
  writeFileSync(`${d}/f`, 'hello\n');
  chmodSync(`${d}/f`, 0o640);
  const tasks = `- stat: {path: ${d}/f}\n  register: s\n- ansible.builtin.stat: {path: ${d}}\n  register: dir\n- stat: {path: ${d}/none}\n  register: none`;
  for (const check of [false, true]) {
    const o = await play({ playbook: playbook(tasks), opts: { check } });
    assert.equal(statuses(o), ['ok', 'ok', 'ok']);
    const s = reg(o, 0).stat;
    assert.equal([s.exists, s.isdir, s.isreg, s.mode, s.size, s.checksum], [true, false, true, '0640', 6, 'f572d396fae9206628714fb2ce00f72e94f2258f']);
    assert.is(reg(o, 1).stat.isdir, true);
    assert.equal(reg(o, 2).stat, { exists: false });
  }
});

test('stat: the whole of Ansible\'s stat dict (the stat target\'s keys: times, inode, permission bits, mime); follow stats the target', async () => {
  const d = tmp();
  writeFileSync(`${d}/f`, 'hello world');
  chmodSync(`${d}/f`, 0o4750);
  const o = await play({ playbook: playbook(`- stat: {path: ${d}/f}\n  register: s\n- stat: {path: ${d}/none}\n  register: n`) });
  assert.equal(statuses(o), ['ok', 'ok']);
  const s = reg(o, 0).stat;
  const keys = 'atime ctime dev exists gid inode isblk ischr isdir isfifo isgid isreg issock isuid checksum mode mtime nlink pw_name rgrp roth rusr size uid wgrp woth wusr xgrp xoth xusr'.split(' ');
  assert.equal(keys.filter((k) => !(k in s)), []);
  const st = statSync(`${d}/f`);
  assert.equal([s.mode, s.isuid, s.isgid, s.xusr, s.rgrp, s.roth, s.inode, s.nlink], ['4750', true, false, true, true, false, st.ino, 1]);
  assert.is(s.checksum, '2aae6c35c94fcfb415dbe95f408b9ce91ee846ed');
  assert.is(Math.round(s.mtime * 1000), Math.round(st.mtimeMs), 'mtime in seconds with its fraction, as Python\'s st_mtime');
  assert.equal([s.mimetype, s.charset], ['text/plain', 'us-ascii']);
  assert.equal([s.readable, s.writeable], [true, true]);
  assert.equal(reg(o, 1).stat, { exists: false });
});

test('stat: a whole time is a float, as Python\'s st_mtime (dev-sec os_hardening\'s looped stat results show 1000000000.0); mimetype before charset; changed first in the result', async () => {
  const d = tmp();
  writeFileSync(`${d}/f`, 'x');
  utimesSync(`${d}/f`, 1000000000, 1000000000);
  const o = await play({ playbook: playbook(`- stat: {path: ${d}/f}\n  register: s\n- assert: {that: ["s.stat.mtime | string == '1000000000.0'", "s.stat.mtime is float", "s.stat.mtime == 1000000000"]}`) });
  assert.equal(statuses(o), ['ok', 'ok'], o.results[1]?.msg);
  const keys = Object.keys(reg(o, 0).stat);
  assert.ok(keys.indexOf('mimetype') < keys.indexOf('charset'));
  // the result starts with changed, as Ansible's stat returns it (a looped stat's items are shown so)
  assert.equal(Object.keys(reg(o, 0)).slice(0, 2), ['changed', 'stat']);
});

test('stat of a link: lstat unless follow (then the target\'s checksum, md5 and sha256)', async () => {
  const d = tmp();
  writeFileSync(`${d}/f`, 'hello world');
  symlinkSync('f', `${d}/l`);
  const o = await play({ playbook: playbook(`- stat: {path: ${d}/l}\n  register: l\n- stat: {path: ${d}/l, follow: true, get_md5: true, checksum_algorithm: sha256}\n  register: t`) });
  const l = reg(o, 0).stat;
  assert.equal([l.islnk, l.isreg, l.mode, l.lnk_target, l.lnk_source, 'checksum' in l], [true, false, '0777', 'f', `${d}/f`, false]);
  const t = reg(o, 1).stat;
  assert.equal([t.islnk, t.isreg, t.md5, t.checksum], [false, true, '5eb63bbbe01eeed093cb22bb8f5acdc3', 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9']);
});

test('copy: content and src (from files/), mode 0755 unquoted; second run 0 changed; check mode writes nothing', async () => {
  const d = tmp();
  const tasks = `- copy: {dest: ${d}/a.conf, content: "k=v\\n", mode: 0640}\n  register: c\n- ansible.builtin.copy: {src: app.sh, dest: ${d}/, mode: "u=rwx,g=rx,o="}`;
  const check = await play({ playbook: playbook(tasks), files: { 'files/app.sh': '#!/bin/sh\n' }, opts: { check: true } });
  assert.equal(statuses(check), ['changed', 'changed']);
  assert.not.ok(existsSync(`${d}/a.conf`), 'check mode wrote nothing');
  const { first, second } = await twice(tasks, { 'files/app.sh': '#!/bin/sh\n' });
  assert.equal(statuses(first), ['changed', 'changed']);
  assert.is(readFileSync(`${d}/a.conf`, 'utf8'), 'k=v\n');
  assert.is(modeOf(`${d}/a.conf`), '0640');
  assert.is(readFileSync(`${d}/app.sh`, 'utf8'), '#!/bin/sh\n');
  assert.is(modeOf(`${d}/app.sh`), '0750');
  assert.equal(statuses(second), ['ok', 'ok']);
  assert.is(reg(second, 0).checksum, '9940908da9cf52b150ce8ffafe2b385618d22a15', 'sha1 of the content, as Ansible registers it');
  assert.is(reg(first, 0).dest, `${d}/a.conf`);
});

test('copy: backup keeps the old file; remote_src copies a file of the host; force false leaves an existing file', async () => {
  const d = tmp();
  writeFileSync(`${d}/t`, 'old\n');
  writeFileSync(`${d}/src`, 'from host\n');
  const o = await play({ playbook: playbook(`- copy: {dest: ${d}/t, content: "new\\n", backup: true}\n  register: b\n- copy: {src: ${d}/src, remote_src: true, dest: ${d}/r}\n- copy: {dest: ${d}/src, content: "x", force: false}`) });
  assert.equal(statuses(o), ['changed', 'changed', 'ok']);
  assert.is(readFileSync(reg(o, 0).backup_file, 'utf8'), 'old\n');
  assert.is(readFileSync(`${d}/r`, 'utf8'), 'from host\n');
  assert.is(readFileSync(`${d}/src`, 'utf8'), 'from host\n');
});

test('mode: a bare 644 is refused before the run with the reason; "0644" and symbolic accepted', async () => {
  const o = await play({ playbook: playbook(`- copy: {dest: /tmp/x, content: "", mode: 644}`) });
  assert.is(o.code, 'bad-input');
  assert.match(o.problems[0], /play\d+\.yml:3:\d+: mode: got 644, expected an octal mode with its leading 0.*decimal number 644 \(Ansible would set mode 01204\)/);
});

test('lineinfile: regexp replaces, insertafter/insertbefore, backrefs, absent; idempotent; check mode writes nothing', async () => {
  const d = tmp();
  writeFileSync(`${d}/c`, '# top\nport=1\n[s]\nkey=a\n');
  const tasks = `- lineinfile: {path: ${d}/c, regexp: '^port=', line: port=9}
- ansible.builtin.lineinfile: {dest: ${d}/c, line: 'new=1', insertafter: '^\\[s\\]'}
- lineinfile: {path: ${d}/c, line: '# first', insertbefore: BOF}
- lineinfile: {path: ${d}/c, regexp: '^key=(\\w)$', line: 'key=\\1\\1', backrefs: true}
- lineinfile: {path: ${d}/c, regexp: '^nomatch', line: 'zzz', backrefs: true}
- lineinfile: {path: ${d}/c, line: '# top', state: absent}
- lineinfile: {path: ${d}/n, line: 'x', create: true, mode: '0600'}`;
  const check = await play({ playbook: playbook(tasks), opts: { check: true } });
  assert.ok(check.results.every((r) => r.status !== 'failed'), JSON.stringify(check.results.map((r) => r.msg)));
  assert.is(readFileSync(`${d}/c`, 'utf8'), '# top\nport=1\n[s]\nkey=a\n');
  const { first, second } = await twice(tasks);
  assert.equal(statuses(first), ['changed', 'changed', 'changed', 'changed', 'ok', 'changed', 'changed']);
  assert.is(readFileSync(`${d}/c`, 'utf8'), '# first\nport=9\n[s]\nnew=1\nkey=aa\n');
  assert.is(modeOf(`${d}/n`), '0600');
  assert.equal(statuses(second), ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
});

test('lineinfile registers Ansible\'s result: msg, backup (named path.PID.date@time~), found, the diff list; check mode on a missing file', async () => {
  const d = tmp();
  writeFileSync(`${d}/c`, 'a\nb\na\n');
  const o = await play({
    playbook: playbook(`- lineinfile: {path: ${d}/c, line: z, insertbefore: BOF, backup: true}\n  register: r1
- lineinfile: {path: ${d}/c, line: a, state: absent, backup: true}\n  register: r2
- lineinfile: {path: ${d}/c, regexp: '^b$', line: B}\n  register: r3
- lineinfile: {path: ${d}/c, regexp: '', line: last}\n  register: r4
- lineinfile: {path: ${d}/none, line: x, state: absent}\n  register: r5
- lineinfile: {path: ${d}/c, line: x, validate: 'false %s'}\n  register: r6
  ignore_errors: true`),
  });
  const first = reg(o, 0);
  assert.is(first.msg, 'line added');
  assert.match(first.backup, new RegExp(`^${d}/c\\.\\d+\\.\\d{4}-\\d\\d-\\d\\d@\\d\\d:\\d\\d:\\d\\d~$`));
  assert.is(readFileSync(first.backup, 'utf8'), 'a\nb\na\n');
  assert.equal(first.diff.map((x: Record<string, string>) => x.before_header), [`${d}/c (content)`, `${d}/c (file attributes)`]);
  assert.equal([reg(o, 1).msg, reg(o, 1).found], ['2 line(s) removed', 2]);
  assert.equal([reg(o, 2).msg, reg(o, 2).backup], ['line replaced', '']);
  assert.is(reg(o, 3).msg, 'line replaced');
  assert.match(reg(o, 3).warnings[0], /^The regular expression is an empty string/);
  assert.equal([o.results[4].status, reg(o, 4).msg], ['ok', 'file not present']);
  assert.equal([o.results[5].status, reg(o, 5).msg], ['failed', 'failed to validate: rc:1 error:']);
  assert.is(readFileSync(`${d}/c`, 'utf8'), 'z\nlast\n');
  const check = await play({ playbook: playbook(`- lineinfile: {path: ${d}/new, line: x, create: true}\n  register: r`), opts: { check: true, diff: true } });
  assert.equal(reg(check, 0).diff, { before: '', after: 'x\n', before_header: `${d}/new (content)`, after_header: `${d}/new (content)` });
  assert.not.ok(existsSync(`${d}/new`));
});

test('file: directory with mode, touch, link, absent, recurse; idempotent (touch with preserve); check mode leaves nothing', async () => {
  const d = tmp();
  const tasks = `- ansible.builtin.file: {path: ${d}/dir, state: directory, mode: 0750}
- ansible.builtin.file: {path: ${d}/dir/f, state: touch, mode: "0640", modification_time: preserve, access_time: preserve}
- ansible.builtin.file: {src: ${d}/dir/f, dest: ${d}/link, state: link}
- ansible.builtin.file: {path: ${d}/tree, state: directory, mode: "u=rwX,g=rX,o=", recurse: true}
- ansible.builtin.file: {path: ${d}/gone, state: absent}`;
  const check = await play({ playbook: playbook(tasks), opts: { check: true } });
  assert.ok(check.results.every((r) => r.status !== 'failed'), JSON.stringify(check.results.map((r) => r.msg)));
  assert.not.ok(existsSync(`${d}/dir`));
  assert.not.ok(existsSync(`${d}/link`));
  mkdirSync(`${d}/gone`);
  mkdirSync(`${d}/tree/sub`, { recursive: true });
  writeFileSync(`${d}/tree/sub/f`, '');
  chmodSync(`${d}/tree/sub/f`, 0o666);
  const { first, second } = await twice(tasks);
  assert.equal(statuses(first), ['changed', 'changed', 'changed', 'changed', 'changed']);
  assert.is(modeOf(`${d}/dir`), '0750');
  assert.is(modeOf(`${d}/dir/f`), '0640');
  assert.equal([modeOf(`${d}/tree`), modeOf(`${d}/tree/sub`), modeOf(`${d}/tree/sub/f`)], ['0750', '0750', '0640'], 'recurse: X is x for directories only');
  assert.is(readlinkSync(`${d}/link`), `${d}/dir/f`);
  assert.ok(lstatSync(`${d}/link`).isSymbolicLink());
  assert.not.ok(existsSync(`${d}/gone`));
  assert.equal(statuses(second), ['ok', 'ok', 'ok', 'ok', 'ok']);
});

test('file: state hard links to the same file (one inode); idempotent; check mode writes nothing; another file in the way needs force', async () => {
  const d = tmp();
  writeFileSync(`${d}/src`, 'shared\n');
  chmodSync(`${d}/src`, 0o644);
  writeFileSync(`${d}/other`, 'other\n');
  const tasks = `- ansible.builtin.file: {src: ${d}/src, dest: ${d}/hard, state: hard, mode: "0600"}`;
  const check = await play({ playbook: playbook(tasks), opts: { check: true } });
  assert.equal(statuses(check), ['changed']);
  assert.not.ok(existsSync(`${d}/hard`));
  const { first, second } = await twice(tasks);
  assert.equal([statuses(first), statuses(second)], [['changed'], ['ok']]);
  assert.is(statSync(`${d}/hard`).ino, statSync(`${d}/src`).ino);
  assert.is(modeOf(`${d}/src`), '0600', 'the mode is the shared file\'s');
  const blocked = await play({ playbook: playbook(`- ansible.builtin.file: {src: ${d}/src, dest: ${d}/other, state: hard}`) });
  assert.match(blocked.results[0].msg!, /is another file: expected a hard link .* \(force: true replaces it\)/);
  assert.is(readFileSync(`${d}/other`, 'utf8'), 'other\n');
  const forced = await play({ playbook: playbook(`- ansible.builtin.file: {src: ${d}/src, dest: ${d}/other, state: hard, force: true}`) });
  assert.equal(statuses(forced), ['changed']);
  assert.is(statSync(`${d}/other`).ino, statSync(`${d}/src`).ino);
  const relative = await play({ playbook: playbook(`- ansible.builtin.file: {src: src, dest: ${d}/x, state: hard}`) });
  assert.match(relative.problems[0], /state hard: expected src as an absolute path/);
});

test('copy mode preserve: the source\'s mode, from files/ or the host; stat of a link names its target and source', async () => {
  const d = tmp();
  writeFileSync(`${d}/hostfile`, 'x\n');
  chmodSync(`${d}/hostfile`, 0o751);
  // a controller file (not remote_src): the local host here is the controller too
  writeFileSync(`${d}/tool.sh`, '#!/bin/sh\n');
  chmodSync(`${d}/tool.sh`, 0o700);
  const tasks = `- copy: {src: ${d}/hostfile, remote_src: true, dest: ${d}/a, mode: preserve}
- copy: {src: ${d}/tool.sh, dest: ${d}/b, mode: preserve}
- ansible.builtin.file: {src: a, dest: ${d}/l, state: link}
- stat: {path: ${d}/l}
  register: l`;
  const { first, second } = await twice(tasks);
  assert.equal(statuses(first), ['changed', 'changed', 'changed', 'ok'], JSON.stringify(first.results.map((r) => r.msg)));
  assert.equal(statuses(second), ['ok', 'ok', 'ok', 'ok']);
  assert.equal([modeOf(`${d}/a`), modeOf(`${d}/b`)], ['0751', '0700']);
  assert.equal([reg(first, 3).stat.lnk_target, reg(first, 3).stat.lnk_source], ['a', `${d}/a`]);
  const bad = await play({ playbook: playbook(`- copy: {content: x, dest: ${d}/c, mode: preserve}`) });
  assert.match(bad.results[0].msg!, /mode: preserve needs src/);
});

test('file: state file on a missing path fails as Ansible\'s does; touch without preserve is changed every run (Ansible)', async () => {
  const d = tmp();
  const o = await play({ playbook: playbook(`- ansible.builtin.file: {path: ${d}/t, state: touch}\n- ansible.builtin.file: {path: ${d}/t, state: touch}\n- ansible.builtin.file: {path: ${d}/none}`) });
  assert.equal(statuses(o), ['changed', 'changed', 'failed']);
  assert.match(o.results[2].msg!, 'is absent, cannot continue');
  // Ansible's result: its words, the path and state absent (weareinteractive.users' home dirs in check mode)
  assert.equal(o.results[2].result, { path: `${d}/none`, state: 'absent', changed: false, failed: true, msg: `file (${d}/none) is absent, cannot continue` });
});

test('shell (target no_log): its params in the result as invocation, shown from -vvv and not registered; a false when is "Conditional result was False"', async () => {
  const o = await play({
    playbook: playbook(`- shell: echo "LOG_ME_TASK_SUCCEEDED"
  register: r
- assert:
    that: ["'invocation' not in r", "r.stdout == 'LOG_ME_TASK_SUCCEEDED'"]
- shell: echo {{ item }}
  loop: [LOG_ME_ITEM, LOG_ME_SKIPPED]
  when: item != "LOG_ME_SKIPPED"`),
  });
  assert.equal(statuses(o), ['changed', 'ok', 'changed']);
  const first = o.results[0];
  assert.equal((first.result!.invocation as any).module_args._raw_params, 'echo "LOG_ME_TASK_SUCCEEDED"');
  assert.ok(resultLines(first, { verbosity: 3, diff: false }).join('\n').includes('"_raw_params": "echo \\"LOG_ME_TASK_SUCCEEDED\\""'));
  assert.not.ok(resultLines(first, { verbosity: 2, diff: false }).join('\n').includes('_raw_params'));
  const items = o.results[2].result!.results as Record<string, unknown>[];
  assert.is(items[1].skip_reason, 'Conditional result was False');
});

test('command: no shell (words stay data, but for $VAR and ~, which Ansible\'s run_command expands), free form with creates=, chdir, stdin; registered rc/stdout/stdout_lines', async () => {
  const d = tmp();
  const o = await play({
    playbook: playbook(`- ansible.builtin.command: echo $HOME 'a  b' >x
  register: r
- ansible.builtin.command: touch made creates=${d}/made chdir=${d}
- ansible.builtin.command: touch made creates=${d}/made chdir=${d}
  register: again
- ansible.builtin.command: {cmd: cat, stdin: hi}
  register: s`),
  });
  assert.equal(statuses(o), ['changed', 'changed', 'ok', 'changed']);
  // as ansible-playbook prints it: `/root a  b >x`, the words as written in cmd
  assert.equal(reg(o, 0).stdout, `${process.env.HOME} a  b >x`);
  assert.equal(reg(o, 0).cmd, ['echo', '$HOME', 'a  b', '>x']);
  assert.equal([reg(o, 0).rc, reg(o, 0).stdout_lines, reg(o, 0).stderr_lines, reg(o, 0).changed], [0, [`${process.env.HOME} a  b >x`], [], true]);
  assert.ok(existsSync(`${d}/made`));
  assert.is(reg(o, 2).stdout, `skipped, since ${d}/made exists`);
  assert.is(reg(o, 3).stdout, 'hi', 'stdin gets a newline added, cat gives it back, the trailing newline stripped');
});

test('shell: through /bin/sh -c (pipes, $VARS); non-zero rc fails with the registered result; check mode does not run it', async () => {
  const d = tmp();
  const o = await play({ playbook: playbook(`- shell: "printf 'a\\\\nb\\\\n' | wc -l; echo err >&2"\n  register: r\n- ansible.builtin.shell: "exit 3"\n  register: f\n  ignore_errors: true`) });
  assert.equal(statuses(o), ['changed', 'failed']);
  assert.equal([reg(o, 0).stdout, reg(o, 0).stderr_lines], ['2', ['err']]);
  assert.is(reg(o, 1).rc, 3);
  const check = await play({ playbook: playbook(`- shell: touch ${d}/x`), opts: { check: true } });
  assert.equal(statuses(check), ['skipped']);
  assert.not.ok(existsSync(`${d}/x`));
});

test('command as the command_shell target: run-time failures with Ansible\'s msg and rc, executable warned about, creates globs, chdir physical, check mode msg', async () => {
  const d = tmp();
  mkdirSync(`${d}/www_root/site`, { recursive: true });
  symlinkSync(`${d}/www_root`, `${d}/www`);
  writeFileSync(`${d}/afile.txt`, '');
  const o = await play({
    playbook: playbook(`- command: ls /dev/null
  args: {executable: /bogus}
  register: ex
- command:
  args: {chdir: /}
  register: none
  ignore_errors: true
- command: echo testing
  args: {argv: [echo, testing]}
  register: both
  ignore_errors: true
- command: echo
  args: {chdir: ${d}/nope}
  register: nochdir
  ignore_errors: true
- command: touch ${d}/x
  args: {creates: "${d}/afile.*"}
  register: glob
- shell: dirname "$PWD"
  args: {chdir: ${d}/www/site}
  register: pwd
- command: {cmd: "true"}
  check_mode: yes
  register: check
- command: {cmd: "true", creates: yes}
  check_mode: yes
  register: checkc
- command: printf 'a\\n\\r\\n'
  args: {strip_empty_ends: no}
  register: nostrip
- command: "false"
  register: fails
  ignore_errors: true`),
  });
  assert.equal(statuses(o), ['changed', 'failed', 'failed', 'failed', 'ok', 'changed', 'skipped', 'changed', 'changed', 'failed']);
  assert.is(reg(o, 0).stdout, '/dev/null');
  assert.equal(reg(o, 0).warnings, ["As of Ansible 2.4, the parameter 'executable' is no longer supported with the 'command' module. Not using '/bogus'."]);
  assert.equal([reg(o, 1).msg, reg(o, 1).rc], ['no command given', 256]);
  assert.equal([reg(o, 2).msg, reg(o, 2).rc], ['only command or argv can be given, not both', 256]);
  assert.match(reg(o, 3).msg, /^Unable to change directory/);
  assert.is(reg(o, 4).msg, `Did not run command since '${d}/afile.*' exists`);
  assert.not.ok(existsSync(`${d}/x`));
  assert.is(reg(o, 5).stdout, `${d}/www_root`, 'chdir as os.chdir: the physical directory');
  assert.equal([reg(o, 6).msg, reg(o, 6).skipped, reg(o, 6).changed], ['Command would have run if not in check mode', true, false]);
  assert.equal([reg(o, 7).msg, 'skipped' in reg(o, 7), reg(o, 7).changed], ['Command would have run if not in check mode', false, true]);
  assert.is(reg(o, 8).stdout, 'a\n\r\n');
  assert.equal([reg(o, 9).msg, reg(o, 9).rc], ['non-zero return code', 1]);
  assert.match(reg(o, 9).delta, /^0:00:00\.\d{6}$/);
});

test('template: renders templates/SRC with Jinja2 (if, for, comments, trim_blocks), mode; idempotent; an unsupported statement refused with its line', async () => {
  const d = tmp();
  const files = {
    'templates/app.conf.j2': '{# comment #}\nname={{ app }}\nport={{ port | default(80) }}\n{% for p in peers %}\npeer={{ p }}\n{% endfor %}\n{% if tls %}tls=on{% endif %}\n',
    'templates/bad.j2': 'a\n{% call m() %}y{% endcall %}\n',
  };
  const tasks = `- set_fact: {app: web, peers: [a, b], tls: false}\n- template: {src: app.conf.j2, dest: ${d}/app.conf, mode: 0644}`;
  const { first, second } = await twice(tasks, files);
  assert.equal(statuses(first), ['ok', 'changed']);
  assert.is(readFileSync(`${d}/app.conf`, 'utf8'), 'name=web\nport=80\npeer=a\npeer=b\n'); // what Jinja2 gives with Ansible's trim_blocks
  assert.equal(statuses(second), ['ok', 'ok']);
  const bad = await play({ playbook: playbook(`- template: {src: bad.j2, dest: ${d}/b}`), files });
  assert.equal(statuses(bad), ['failed']);
  assert.match(bad.results[0].msg!, /bad\.j2:2: Jinja2 statement \{% call %\} is not supported by skiff/);
});

// cases of Ansible's template integration target (tasks/main.yml)
test('template options: delimiters, trim_blocks, newline_sequence, output_encoding; includes from templates/; into a directory; follow; mode preserve', async () => {
  const d = tmp();
  const files = {
    'templates/custom_comment_string.j2': 'Before\n[# Test comment_start_string #]\nAfter\n',
    'templates/trim_blocks.j2': '{% if True %}\nHello world\n{% endif %}\nGoodbye\n',
    'templates/foo2.j2': 'BEGIN\n{{ templated_var }}\nEND\n',
    'templates/enc.j2': 'euro: \u20ac\n',
    'templates/import_as.j2': "{% import 'qux' as qux %}\nhello world import as\n{{ qux.wibble }}\n{% include 'bar' %}\n",
    'templates/qux': '{% set wibble = "WIBBLE" %}\n',
    'templates/bar': 'Goodbye\n',
    'templates/foo.j2': '{{ templated_var }}\n',
  };
  const tasks = `- set_fact: {templated_var: templated_var_loaded}
- template: {src: custom_comment_string.j2, dest: ${d}/comment, comment_start_string: "[#", comment_end_string: "#]"}
- template: {src: trim_blocks.j2, dest: ${d}/trim_false, trim_blocks: false}
- template: {src: foo2.j2, dest: ${d}/dos, newline_sequence: '\\r\\n'}
- template: {src: enc.j2, dest: ${d}/enc, output_encoding: windows-1252}
- template: {src: import_as.j2, dest: ${d}/import_as}
- file: {path: ${d}/dir, state: directory}
- template: {src: foo.j2, dest: ${d}/dir/}
- file: {path: ${d}/link, src: ${d}/dir/foo.j2, state: link}
- template: {src: foo.j2, dest: ${d}/link, follow: true, mode: '0600'}`;
  const { first, second } = await twice(tasks, files);
  assert.equal(statuses(first), ['ok', 'changed', 'changed', 'changed', 'changed', 'changed', 'changed', 'changed', 'changed', 'changed']);
  assert.is(readFileSync(`${d}/comment`, 'utf8'), 'Before\nAfter\n');
  assert.is(readFileSync(`${d}/trim_false`, 'utf8'), '\nHello world\n\nGoodbye\n');
  assert.is(readFileSync(`${d}/dos`, 'utf8'), 'BEGIN\r\ntemplated_var_loaded\r\nEND\r\n');
  assert.equal([...readFileSync(`${d}/enc`)], [...Buffer.from('euro: '), 0x80, 0x0a]);
  assert.is(readFileSync(`${d}/import_as`, 'utf8'), 'hello world import as\nWIBBLE\nGoodbye\n');
  // into a directory the file keeps the template's name, .j2 too; follow writes through the link
  assert.is(readFileSync(`${d}/dir/foo.j2`, 'utf8'), 'templated_var_loaded\n');
  assert.ok(lstatSync(`${d}/link`).isSymbolicLink());
  assert.is(modeOf(`${d}/dir/foo.j2`), '0600');
  // idempotent, the Windows-1252 file and the followed link too
  assert.equal(statuses(second), ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
});


test('command: a program that is not there, or not executable, is the module\'s OSError (rc = errno, no output), as Python\'s execvp finds it (command_nonexisting)', async () => {
  const d = tmp();
  writeFileSync(join(d, 'noexec'), '#!/bin/sh\necho hi\n');
  const o = await play({
    playbook: playbook(`- command: commandthatdoesnotexist --would-be-awkward
  register: res
  changed_when: "'changed' in res.stdout"
  failed_when: "res.stdout != '' or res.stderr != ''"
- command: ${d}/noexec 'a b'
  register: perm
  ignore_errors: true
- command: echo found in PATH
  register: ok`),
  });
  assert.equal(o.results.map((r) => r.status), ['ok', 'failed', 'changed']);
  assert.equal([reg(o, 0).rc, reg(o, 0).msg, reg(o, 0).stdout, reg(o, 0).stderr, reg(o, 0).cmd], [2, "[Errno 2] No such file or directory: b'commandthatdoesnotexist'", '', '', 'commandthatdoesnotexist --would-be-awkward']);
  assert.equal([reg(o, 1).rc, reg(o, 1).msg, reg(o, 1).cmd], [13, `[Errno 13] Permission denied: b'${d}/noexec'`, `${d}/noexec 'a b'`]);
  assert.is(reg(o, 2).stdout, 'found in PATH');
});

test('copy and template validate: the new file must pass the command (%s) before it replaces dest; a failure leaves dest as it was, with the copy module\'s result', async () => {
  const d = tmp();
  writeFileSync(join(d, 'old'), 'old\n');
  const o = await play({
    playbook: playbook(`- copy: {content: "ok\\n", dest: ${d}/a, validate: "grep -q ok %s"}
- copy: {content: "bad\\n", dest: ${d}/old, validate: "sh -c 'echo out; echo err >&2; exit 4' -- %s"}
  register: bad
  ignore_errors: true
- template: {src: t.j2, dest: ${d}/c, validate: "grep -q x %s"}
  ignore_errors: true
- copy: {content: "ok\\n", dest: ${d}/d, validate: "true"}
  register: nos
  ignore_errors: true`),
    files: { 'templates/t.j2': 'y\n' },
  });
  assert.equal(o.results.map((r) => r.status), ['changed', 'failed', 'failed', 'failed']);
  assert.is(readFileSync(join(d, 'a'), 'utf8'), 'ok\n');
  assert.is(readFileSync(join(d, 'old'), 'utf8'), 'old\n');
  assert.ok(!existsSync(join(d, 'c')) && !existsSync(join(d, 'd')));
  const b = reg(o, 1);
  assert.equal([b.msg, b.exit_status, b.stdout, b.stderr, b.stdout_lines], ['failed to validate', 4, 'out\n', 'err\n', ['out']]);
  assert.is(reg(o, 3).msg, 'validate must contain %s: true');
  // no temp file left beside dest
  assert.equal(readdirSync(d).sort(), ['a', 'old']);
});

test("fail: msg is any value, kept as it is in the result (`msg: no` is the boolean false, a list a list), as Ansible's fail action", async () => {
  const o = await play({ playbook: playbook("- fail: {msg: no}\n  register: a\n  ignore_errors: true\n- fail:\n    msg: [x, y]\n  register: b\n  ignore_errors: true\n- fail:\n  register: c\n  ignore_errors: true\n- assert: {that: ['a.msg is sameas false', \"b.msg == ['x', 'y']\", \"c.msg == 'Failed as requested from task'\"]}") });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a fail failed', 'a fail failed', 'a fail failed', 'a assert ok']);
});

test.run();
