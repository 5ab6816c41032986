// blockinfile and ini_file: the edits as Ansible's modules make them (pure), then real runs on files in
// a temp dir (connection: local): the text left, a second run changing nothing, check mode writing nothing.
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { blockinfile, iniFile } from '../../tasks/lib/lines.ts';
import { play, playbook, type Outcome } from './engine-harness.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'skiff-edits-'));
const statuses = (o: Outcome) => o.results.map((r) => r.status);
const B = { marker: '# {mark} ANSIBLE MANAGED BLOCK', marker_begin: 'BEGIN', marker_end: 'END', state: 'present' as const };

test('blockinfile: appended at EOF between markers; replaced as a whole; removed with its markers; insertafter/insertbefore the last match', () => {
  const bi = (text: string | undefined, p: Parameters<typeof blockinfile>[1]) => blockinfile(text, p).text;
  const once = bi('a\nb\n', { ...B, block: 'x\ny\n' });
  assert.is(once, 'a\nb\n# BEGIN ANSIBLE MANAGED BLOCK\nx\ny\n# END ANSIBLE MANAGED BLOCK\n');
  assert.is(bi(once, { ...B, block: 'x\ny' }), once, 'the same block: the same text');
  assert.is(bi(once, { ...B, block: 'z' }), 'a\nb\n# BEGIN ANSIBLE MANAGED BLOCK\nz\n# END ANSIBLE MANAGED BLOCK\n');
  assert.is(bi(once, { ...B, block: 'x', state: 'absent' }), 'a\nb\n');
  assert.is(bi(once, { ...B, block: '' }), 'a\nb\n', 'an empty block removes it (Ansible)');
  assert.is(bi('a\nb\n', { ...B, block: 'x', state: 'absent' }), 'a\nb\n');
  // Ansible keeps the last line without its newline after the block
  assert.is(bi('s\na\ns\nb', { ...B, block: 'x', insertafter: '^s' }), 's\na\ns\n# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\nb');
  assert.is(bi('a\nb\n', { ...B, block: 'x', insertbefore: 'BOF', marker: '<!-- {mark} -->', marker_begin: 'start', marker_end: 'stop' }), '<!-- start -->\nx\n<!-- stop -->\na\nb\n');
  assert.is(bi('a\n', { ...B, block: 'x', insertafter: '^nomatch' }), 'a\n# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\n', 'no match: EOF');
});

test('blockinfile as the blockinfile target: Ansible\'s msg; CRLF lines kept; a file without final newline; (?m) searched in the whole text', () => {
  assert.equal(blockinfile('a\n', { ...B, block: 'x' }), { text: 'a\n# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\n', msg: 'Block inserted' });
  assert.equal(blockinfile(undefined, { ...B, block: 'x' }).msg, 'File created');
  const block = '# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\n';
  assert.equal(blockinfile(`a\n${block}`, { ...B, block: 'x', state: 'absent' }), { text: 'a\n', msg: 'Block removed' });
  assert.equal(blockinfile(`a\n${block}`, { ...B, block: 'x' }), { text: `a\n${block}`, msg: '' });
  // preserve_line_endings.yml: the block's own \r\n are kept, the file's other lines too
  const dos = blockinfile('unix\ndos\r\n# BEGIN ANSIBLE MANAGED BLOCK\ndos\r\n# END ANSIBLE MANAGED BLOCK\nunix\n', { ...B, block: 'dos\r\ndos\r\ndos\r\n' });
  assert.is(dos.text, 'unix\ndos\r\n# BEGIN ANSIBLE MANAGED BLOCK\ndos\r\ndos\r\ndos\r\n# END ANSIBLE MANAGED BLOCK\nunix\n');
  // file_without_trailing_newline.yml: a newline is added before the block
  assert.is(blockinfile('a\nb', { ...B, block: 'x' }).text, `a\nb\n${block}`);
  // multiline_search.yml: (?m) matches across lines, the block goes after the line the match ends on
  const ora = 'L=1\nSID_LIST_LISTENER_DG =\n    (SID_LIST =\n        (SID_DESC\n';
  const p = { ...B, block: 'x', insertafter: '(?m)SID_LIST_LISTENER_DG =\\n.*\\(SID_LIST =' };
  assert.is(blockinfile(ora, p).text, `L=1\nSID_LIST_LISTENER_DG =\n    (SID_LIST =\n${block}        (SID_DESC\n`);
  assert.is(blockinfile(ora, { ...p, insertafter: p.insertafter.slice(4) }).text, ora + block, 'without (?m): line by line, no match, EOF');
});

const I = { state: 'present' as const, no_extra_spaces: false, exclusive: true };
const REPO = '[main]\nname=x\n\n[docker-ce-test]\nname=Test\nenabled=1\n# comment\n\n[other]\nenabled=1\n';

test('ini_file: an option replaced in its section only (duplicates removed); added after the section\'s last option; a missing section appended', () => {
  assert.is(iniFile(REPO, { ...I, section: 'docker-ce-test', option: 'enabled', value: '0', no_extra_spaces: true }), REPO.replace('name=Test\nenabled=1', 'name=Test\nenabled=0'));
  assert.is(iniFile(REPO, { ...I, section: 'docker-ce-test', option: 'enabled', value: '1', no_extra_spaces: true }), REPO, 'already so: the same text');
  assert.is(iniFile(REPO, { ...I, section: 'main', option: 'gpgcheck', value: '1' }), REPO.replace('name=x\n', 'name=x\ngpgcheck = 1\n'));
  assert.is(iniFile(REPO, { ...I, section: 'docker-ce-test', option: 'baseurl', value: 'u' }), REPO.replace('enabled=1\n# comment', 'enabled=1\nbaseurl = u\n# comment'));
  assert.is(iniFile('[s]\nk = 1\nk = 2\n', { ...I, section: 's', option: 'k', value: '3' }), '[s]\nk = 3\n');
  assert.is(iniFile('', { ...I, section: 'new', option: 'k', value: 'v' }), '[new]\nk = v\n');
  assert.is(iniFile('top=1\n[s]\n', { ...I, section: null, option: 'top', value: '2' }), 'top = 2\n[s]\n', 'null: before the first section');
});

test('ini_file: absent removes the option\'s lines in the section, or the whole section without option', () => {
  assert.is(iniFile(REPO, { ...I, state: 'absent', section: 'other', option: 'enabled' }), REPO.replace('[other]\nenabled=1\n', '[other]\n'));
  assert.is(iniFile(REPO, { ...I, state: 'absent', section: 'docker-ce-test' }), '[main]\nname=x\n\n[other]\nenabled=1\n');
  assert.is(iniFile(REPO, { ...I, state: 'absent', section: 'none', option: 'x' }), REPO);
});

test('blockinfile and ini_file on real files: created (mode), edited, a second run ok, check mode writes nothing and shows a diff; community.general.ini_file and ini_file', async () => {
  const d = tmp();
  writeFileSync(`${d}/docker.repo`, REPO);
  const tasks = `- blockinfile: {path: ${d}/limits.conf, create: yes, mode: "0644", block: "centos  -  nproc    10000\\nroot    -  nproc    10000\\n"}
- ansible.builtin.blockinfile: {path: ${d}/docker.repo, marker: "# {mark} skiff", insertbefore: BOF, block: "# managed"}
- ini_file: {dest: ${d}/docker.repo, section: docker-ce-test, option: enabled, value: 0, no_extra_spaces: true}
- community.general.ini_file: {path: ${d}/docker.repo, section: other, state: absent}
- community.general.ini_file: {path: ${d}/new.ini, section: s, option: opt, value: true, mode: "0600"}`;
  const check = await play({ playbook: playbook(tasks), opts: { check: true, diff: true } });
  assert.equal(statuses(check), ['changed', 'changed', 'changed', 'changed', 'changed']);
  assert.match(check.results[2].diff ?? '', /-enabled=1\n\+enabled=0/);
  assert.is(readFileSync(`${d}/docker.repo`, 'utf8'), REPO);
  assert.not.ok(existsSync(`${d}/limits.conf`));
  const first = await play({ playbook: playbook(tasks) });
  assert.equal(statuses(first), ['changed', 'changed', 'changed', 'changed', 'changed']);
  assert.is(readFileSync(`${d}/limits.conf`, 'utf8'), '# BEGIN ANSIBLE MANAGED BLOCK\ncentos  -  nproc    10000\nroot    -  nproc    10000\n# END ANSIBLE MANAGED BLOCK\n');
  assert.is(readFileSync(`${d}/docker.repo`, 'utf8'), '# BEGIN skiff\n# managed\n# END skiff\n[main]\nname=x\n\n[docker-ce-test]\nname=Test\nenabled=0\n# comment\n\n');
  assert.is(readFileSync(`${d}/new.ini`, 'utf8'), '[s]\nopt = True\n', 'a YAML true is Python\'s True, as Ansible writes it');
  assert.is((statSync(`${d}/new.ini`).mode & 0o777).toString(8), '600');
  const second = await play({ playbook: playbook(tasks) });
  assert.equal(statuses(second), ['ok', 'ok', 'ok', 'ok', 'ok']);
});

test('blockinfile/ini_file: bad input refused before the run; a missing file without create fails', async () => {
  const bad = await play({ playbook: playbook(`- blockinfile: {path: /tmp/x, block: a, marker: "# managed"}\n- ini_file: {path: /tmp/x, option: a, value: b}`) });
  assert.is(bad.code, 'bad-input');
  assert.match(bad.problems[0], /marker: got "# managed", expected a marker with \{mark\} in it/);
  assert.match(bad.problems[1], /section: missing required parameter/);
  const d = tmp();
  const o = await play({ playbook: playbook(`- blockinfile: {path: ${d}/none, block: a}`) });
  assert.match(o.results[0].msg!, /does not exist \(set create: true to create it\)/);
});


test('blockinfile registers Ansible\'s msg and diff list (before/after with diff: yes); a (?m) insertafter is taken', async () => {
  const d = tmp();
  writeFileSync(`${d}/f`, 'diff test');
  const o = await play({
    playbook: playbook(`- blockinfile: {path: ${d}/f, block: "l1\\n"}
  register: a
- blockinfile: {path: ${d}/f, block: "l2\\n"}
  register: b
  diff: yes
- blockinfile: {path: ${d}/f, block: "l3", insertafter: "(?m)^diff test\\\\n#"}
- blockinfile: {path: ${d}/none, block: x, state: absent, create: yes}
  register: c`),
  });
  assert.equal(statuses(o), ['changed', 'changed', 'changed', 'ok']);
  const a = o.results[0].registered as any;
  const b = o.results[1].registered as any;
  assert.is(a.msg, 'Block inserted');
  assert.equal(a.diff[0], { before: '', after: '', before_header: `${d}/f (content)`, after_header: `${d}/f (content)` });
  assert.is(b.diff[0].before, 'diff test\n# BEGIN ANSIBLE MANAGED BLOCK\nl1\n# END ANSIBLE MANAGED BLOCK\n');
  assert.is(b.diff[0].after, 'diff test\n# BEGIN ANSIBLE MANAGED BLOCK\nl2\n# END ANSIBLE MANAGED BLOCK\n');
  assert.is((o.results[3].registered as any).msg, `File ${d}/none not present`);
  assert.not.ok(existsSync(`${d}/none`), 'state absent creates nothing, create or not');
});

test.run();
