// Ansible's modules with an action plugin of their own that skiff runs itself (script, raw, fetch,
// set_stats, assemble) and file's follow: cases from Ansible's integration targets (script, unicode,
// set_stats, assemble, test_files), run on this machine (connection local).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { play, playbook } from './engine-harness.ts';
import { customStats, formatCustomStats } from '../../src/report/custom-stats.ts';
import type { TaskResult } from '../../src/engine/events.ts';

const hasAnsible = existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import ansible']).status === 0;
const dirOf = (o: Awaited<ReturnType<typeof play>>) => String(((o.results[0].result as Record<string, unknown>).ansible_facts as Record<string, unknown>).dir);
const here = "- set_fact: {dir: '{{ playbook_dir }}'}\n";

test('script: copied from files/ and run with its arguments (quoted name, unicode arguments); creates/removes skip it; a failing script fails the task', async () => {
  const o = await play({
    playbook: playbook(
      here +
        "- script: test.sh\n  register: r0\n- script: \"'space path/t.sh' -a -Ӧ\"\n  register: r1\n" +
        "- script: create.sh {{ dir }}/made\n  args: {creates: '{{ dir }}/made'}\n  register: c1\n- script: create.sh {{ dir }}/made\n  args: {creates: '{{ dir }}/made'}\n  register: c2\n" +
        "- script: {cmd: 'fail.sh'}\n  ignore_errors: true\n  register: f\n" +
        "- assert:\n    that:\n      - r0.stdout == 'win'\n      - r0 is changed\n      - r1.stdout_lines == ['-a', '-Ӧ']\n      - c1 is changed\n      - c2 is skipped\n      - \"c2.msg == dir ~ '/made exists, matching creates option'\"\n      - f is failed\n      - f.rc == 3\n      - f.msg == 'non-zero return code'",
    ),
    files: {
      'files/test.sh': '#!/bin/sh\nprintf win\n',
      'files/space path/t.sh': '#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n',
      'files/create.sh': '#!/bin/sh\necho win > "$1"\n',
      'files/fail.sh': '#!/bin/sh\necho no >&2\nexit 3\n',
    },
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines.at(-1), 'a assert ok', JSON.stringify(o.results.at(-1)?.result));
});

test('script in check mode: skipped without creates/removes (it cannot say what it would do); with them, changed unless they skip it; executable runs it', async () => {
  const o = await play({
    playbook: playbook(
      here +
        "- script: create.sh {{ dir }}/x\n  register: a\n- script: create.sh {{ dir }}/x\n  args: {removes: '{{ dir }}/x'}\n  register: b\n- script: create.sh {{ dir }}/x\n  args: {creates: '{{ dir }}/x'}\n  register: c\n" +
        "- assert: {that: [a is skipped, \"a.msg == 'Check mode is not supported for this task.'\", b is skipped, c is changed, \"(dir + '/x') is not exists\"]}",
    ),
    files: { 'files/create.sh': '#!/bin/sh\necho win > "$1"\n' },
    opts: { check: true },
  });
  assert.equal(o.lines, ['a set_fact ok', 'a script skipped', 'a script skipped', 'a script changed', 'a assert ok'], JSON.stringify(o.results.at(-1)?.result));
  const py = await play({ playbook: playbook("- script: no_shebang.py\n  args: {executable: python3}\n  register: r\n- assert: {that: \"r.stdout == 'ok\\n'\"}"), files: { 'files/no_shebang.py': "print('ok')\n" } });
  assert.equal(py.lines, ['a script changed', 'a assert ok']);
});

test('raw: the line runs in the host shell as written; a non-zero exit fails it; skipped in check mode', async () => {
  const o = await play({ playbook: playbook("- raw: /bin/echo Zażółć gęślą jaźń\n  register: r\n- raw: exit 4\n  ignore_errors: true\n  register: f\n- assert: {that: [\"'Zażółć gęślą jaźń' in r.stdout_lines\", r is changed, f.rc == 4, \"f.msg == 'non-zero return code'\"]}") });
  assert.equal(o.lines, ['a raw changed', 'a raw failed', 'a assert ok']);
  const check = await play({ playbook: playbook('- raw: touch /nonexistent/x'), opts: { check: true } });
  assert.equal(check.lines, ['a raw skipped']);
});

test('fetch: into dest/<inventory_hostname>/<src>, ok the second time; flat with a trailing / keeps the name; a missing file fails, or with fail_on_missing: false is only said', async () => {
  const o = await play({
    playbook: playbook(
      here +
        "- file: {path: '{{ dir }}/remote', state: directory}\n- copy: {dest: '{{ dir }}/remote/Zażółć', content: \"data\\n\"}\n- fetch: {src: '{{ dir }}/remote/Zażółć', dest: '{{ dir }}/got'}\n  register: f1\n- fetch: {src: '{{ dir }}/remote/Zażółć', dest: '{{ dir }}/got'}\n  register: f2\n" +
        "- fetch: {src: '{{ dir }}/remote/Zażółć', dest: '{{ dir }}/flat/', flat: true}\n- fetch: {src: '{{ dir }}/nope', dest: '{{ dir }}/got'}\n  ignore_errors: true\n  register: m\n- fetch: {src: '{{ dir }}/nope', dest: '{{ dir }}/got', fail_on_missing: false}\n  register: m2\n" +
        "- assert: {that: [f1 is changed, f2 is not changed, \"f1.dest == dir ~ '/got/a' ~ dir ~ '/remote/Zażółć'\", \"f1.checksum == '" +
        createHash('sha1').update('data\n').digest('hex') +
        "'\", m is failed, \"m.msg == 'the remote file does not exist, not transferring, ignored'\", m2 is not failed, m2 is not changed]}",
    ),
  });
  assert.equal(o.lines.at(-1), 'a assert ok', JSON.stringify(o.results.at(-1)?.result));
  const dir = dirOf(o);
  assert.is(readFileSync(`${dir}/got/a${dir}/remote/Zażółć`, 'utf8'), 'data\n');
  assert.is(readFileSync(`${dir}/flat/Zażółć`, 'utf8'), 'data\n');
});

test("fetch: no src or dest, or a src that is no string, fail with the action's own words (fetch target's failures.yml)", async () => {
  const o = await play({
    playbook: playbook("- fetch:\n  register: none\n  ignore_errors: true\n- fetch: {src: [1, 2], dest: /tmp/x}\n  register: list\n  ignore_errors: true\n- fetch: {src: /etc/hostname, dest: {a: 1}}\n  register: d\n  ignore_errors: true\n"),
  });
  assert.equal(o.results.map((r) => r.result?.msg), ['src and dest are required', 'Invalid type supplied for source option, it must be a string', 'Invalid type supplied for dest option, it must be a string']);
});

test("set_stats: its result as Ansible's (data, per_host false, aggregate true by default); a data that is not a map, a bad name fail as Ansible's", async () => {
  const o = await play({
    playbook: playbook(
      "- set_stats: {data: {my_int: 42, my_string: foo}}\n  register: r\n- set_stats: {data: {my_int: 1}, per_host: yes, aggregate: no}\n  register: p\n- set_stats: {data: [1, 2]}\n  ignore_errors: true\n  register: l\n- set_stats: {data: {.bad: 1}}\n  ignore_errors: true\n  register: b\n" +
        "- assert: {that: [r is not changed, r.ansible_stats.data.my_int == 42, not r.ansible_stats.per_host, r.ansible_stats.aggregate, p.ansible_stats.per_host, not p.ansible_stats.aggregate, \"l.msg == \\\"The 'data' option needs to be a dictionary/hash\\\"\", \"b.msg is search('not valid')\"]}",
    ),
  });
  assert.equal(o.lines, ['a set_stats ok', 'a set_stats ok', 'a set_stats failed', 'a set_stats failed', 'a assert ok']);
  // the set_stats target: two aggregated calls add up; per-host stats are the host's; shown after the recap
  assert.equal(customStats(o.results), { _run: { my_int: 42, my_string: 'foo' }, a: { my_int: 1 } });
  const sum = (n: number): TaskResult => ({ host: 'h', play: 'p', task: 't', type: 'set_stats', status: 'ok', changes: [], ms: 0, result: { ansible_stats: { data: { my_int: n, l: [n] }, per_host: false, aggregate: true } } });
  const custom = customStats([sum(10), sum(15)]);
  assert.equal(custom, { _run: { my_int: 25, l: [10, 15] } });
  assert.is(formatCustomStats(custom), `\nCUSTOM STATS: ${'*'.repeat(66)}\n\n\tRUN: { "l": [  10,  15 ], "my_int": 25}\n`);
});

test('assemble with remote_src: false: the fragments of files/ in name order, a newline where one lacks, the delimiter between them; ok the second time', async () => {
  const o = await play({
    playbook: playbook(here + "- assemble: {src: frags, dest: '{{ dir }}/out', remote_src: false, delimiter: '#--- d ---#'}\n  register: a\n- assemble: {src: frags, dest: '{{ dir }}/out', remote_src: false, delimiter: '#--- d ---#'}\n  register: b\n- assert: {that: [a is changed, b is not changed, \"a.state == 'file'\"]}"),
    files: { 'files/frags/2': 'two\n', 'files/frags/1': 'one', 'files/frags/.3': 'hidden\n' },
  });
  assert.equal(o.lines, ['a set_fact ok', 'a assemble changed', 'a assemble ok', 'a assert ok']);
  assert.is(readFileSync(`${dirOf(o)}/out`, 'utf8'), 'hidden\n#--- d ---#\none\n#--- d ---#\ntwo\n');
  const check = await play({ playbook: playbook("- assemble: {src: /tmp, dest: /tmp/x}\n  register: r\n- assert: {that: \"r.msg == 'check mode is not supported for this task.'\"}"), opts: { check: true } });
  assert.equal(check.lines, ['a assemble skipped', 'a assert ok']);
});

(hasAnsible ? test : test.skip)("assemble on the host (remote_src, the default) runs Ansible's assemble module: regexp picks the fragments", async () => {
  const o = await play({
    playbook: playbook(here + "- file: {path: '{{ dir }}/src', state: directory}\n- copy: {dest: '{{ dir }}/src/fragment{{ item }}', content: \"{{ item }}\\n\"}\n  loop: [1, 2, 3]\n- assemble: {src: '{{ dir }}/src', dest: '{{ dir }}/joined', regexp: '^fragment[12]$'}\n  register: r\n- assemble: {src: '{{ dir }}/src', dest: '{{ dir }}/joined', regexp: '^fragment[12]$'}\n  register: s\n- assert: {that: [r is changed, s is not changed, \"r.state == 'file'\"]}"),
  });
  assert.equal(o.lines.slice(3), ['a assemble changed', 'a assemble ok', 'a assert ok'], JSON.stringify(o.results.at(-1)?.result));
  assert.is(readFileSync(`${dirOf(o)}/joined`, 'utf8'), '1\n2\n');
});

test('copy of a directory of files/ (the assemble target copies its files/ so): src/ copies what is in it into dest, src the directory itself; ok the second time', async () => {
  const o = await play({
    playbook: playbook(here + "- copy: {src: ./, dest: '{{ dir }}/into'}\n  register: a\n- copy: {src: ./, dest: '{{ dir }}/into'}\n  register: b\n- copy: {src: frags, dest: '{{ dir }}/whole'}\n- assert: {that: [a is changed, b is not changed, \"a.dest == dir ~ '/into'\"]}"),
    files: { 'files/frags/1': 'one\n', 'files/frags/sub/2': 'two\n', 'files/top': 'top\n' },
  });
  assert.equal(o.lines, ['a set_fact ok', 'a copy changed', 'a copy ok', 'a copy changed', 'a assert ok'], JSON.stringify(o.results.at(-1)?.result));
  const dir = dirOf(o);
  assert.is(readFileSync(`${dir}/into/frags/sub/2`, 'utf8'), 'two\n');
  assert.is(readFileSync(`${dir}/into/top`, 'utf8'), 'top\n');
  assert.is(readFileSync(`${dir}/whole/frags/1`, 'utf8'), 'one\n');
});

test('file follow (test_files, meta_tasks): follow: false makes a link to a src that is not there (force); without force it is refused; state directory follows a link to a directory', async () => {
  const o = await play({
    playbook: playbook(
      here +
        "- file: {src: does_not_exist, dest: '{{ dir }}/broken', state: link, force: yes, follow: no}\n- file: {src: does_not_exist, dest: '{{ dir }}/broken2', state: link}\n  ignore_errors: true\n  register: nf\n" +
        "- file: {path: '{{ dir }}/real', state: directory}\n- file: {src: real, dest: '{{ dir }}/via', state: link}\n- file: {path: '{{ dir }}/via', state: directory}\n  register: d\n" +
        "- assert: {that: [\"(dir + '/broken') is link\", \"(dir + '/broken') is not exists\", nf is failed, \"nf.msg is search('src file does not exist, use .force=yes.')\", d is not changed, \"d.path == dir ~ '/real'\"]}",
    ),
  });
  assert.equal(o.lines, ['a set_fact ok', 'a file changed', 'a file failed', 'a file changed', 'a file changed', 'a file ok', 'a assert ok'], JSON.stringify(o.results.at(-1)?.result));
});

test.run();
