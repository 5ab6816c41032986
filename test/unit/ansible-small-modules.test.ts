// ping, pause, tempfile and getent through the engine on local hosts: the results Ansible's own
// integration targets assert on (targets ping, pause, tempfile, getent).
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { play, playbook, type Outcome } from './engine-harness.ts';

const statuses = (o: Outcome) => o.results.map((r) => r.status);
const reg = (o: Outcome, i: number) => o.results[i].registered as Record<string, any>;

test('ping: pong, or data back; data crash fails as a module that raised', async () => {
  const o = await play({ playbook: playbook(`- ping: {}\n  register: a\n- ansible.builtin.ping: {data: testing}\n  register: b\n- ping: {data: crash}\n  register: c\n  ignore_errors: true`) });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['ok', 'ok', 'failed']);
  assert.is(reg(o, 0).ping, 'pong');
  assert.is(reg(o, 1).ping, 'testing');
  assert.is(reg(o, 1).changed, false);
  assert.ok((reg(o, 2).module_stdout + reg(o, 2).module_stderr).includes('Exception: boom'));
  assert.is(reg(o, 2).changed, false);
});

test('ping: data that is no text comes back as its Python text, as Ansible converts a str option', async () => {
  const o = await play({ playbook: playbook(`- ping:\n    data: {moo: cow, asdf: [1, 2], ok: true}\n  register: a`) });
  assert.equal(o.problems, []);
  assert.is(reg(o, 0).ping, "{'moo': 'cow', 'asdf': [1, 2], 'ok': True}");
});

test('tempfile: a file (0600) or directory named prefix + random + suffix, changed; a missing path fails; skipped in check mode', async () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-tempfile-'));
  const o = await play({
    playbook: playbook(`- tempfile: {path: ${d}, prefix: hello., suffix: .goodbye}\n  register: f\n- tempfile: {state: directory, path: ${d}}\n  register: g\n- tempfile: {path: ${d}/does_not_exist}\n  register: h\n  ignore_errors: true`),
  });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['changed', 'changed', 'failed']);
  const f = reg(o, 0);
  assert.is(f.state, 'file');
  assert.ok(f.path.startsWith(d));
  assert.is(basename(f.path).split('.')[0], 'hello');
  assert.is(basename(f.path).split('.').at(-1), 'goodbye');
  assert.is(f.mode, '0600');
  assert.ok(statSync(f.path).isFile());
  const g = reg(o, 1);
  assert.is(g.state, 'directory');
  assert.is(basename(g.path).split('.')[0], 'ansible');
  assert.ok(statSync(g.path).isDirectory());
  assert.match(reg(o, 2).msg, /No such file or directory/);
  const c = await play({ playbook: playbook(`- tempfile: {path: ${d}/in-check}`), opts: { check: true } });
  assert.equal(statuses(c), ['skipped']);
  assert.not.ok(existsSync(`${d}/in-check`));
});

test('getent: getent_passwd for later tasks (known before the run); a missing key fails, or is null with fail_key false', async () => {
  const o = await play({
    playbook: playbook(`- getent: {database: passwd, key: root}
- assert: {that: ["getent_passwd.root | length == 6", "getent_passwd.root[4] == '/root'"]}
- getent: {database: passwd, key: no-such-user-here}
  register: m
  ignore_errors: true
- getent: {database: group, key: no-such-user-here, fail_key: false}
- assert: {that: "getent_group['no-such-user-here'] is none"}`),
  });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['ok', 'ok', 'failed', 'ok', 'ok']);
  assert.is(reg(o, 2).msg, 'One or more supplied key could not be found in the database.');
});

test('pause: once for the batch, at least a second; Ansible\'s result; a prompt without a terminal is not waited for', async () => {
  const o = await play({ hosts: ['a', 'b'], playbook: playbook(`- pause: {seconds: 0.1}\n  register: p\n- pause: {minutes: 1}\n  register: m\n- pause: {prompt: go on?}\n  register: q`) });
  assert.equal(o.problems, []);
  // the first host runs it, the other shares its result (Ansible's pause bypasses the host loop)
  assert.equal(o.sleeps, [1000, ...Array(60).fill(1000)]);
  const onA = o.results.filter((r) => r.host === 'a').map((r) => r.registered as Record<string, any>);
  assert.match(onA[0].stdout, /^Paused for \d+\.\d+ seconds$/);
  assert.match(onA[1].stdout, /^Paused for \d+\.\d+ minutes$/);
  for (const k of ['start', 'stop', 'delta', 'user_input', 'echo']) assert.ok(k in onA[0], k);
  const q = o.results.find((r) => r.host === 'a' && (r.registered as any)?.user_input === '' && r.msg?.includes('Not waiting'));
  assert.ok(q, 'the warning');
  assert.match(q!.msg!, /\[WARNING\]: Not waiting for response to prompt as stdin is not interactive/);
});

test('pause: Ansible\'s words for bad parameters', async () => {
  const o = await play({ playbook: playbook(`- pause: {seconds: hello}\n- pause: {echo: hello}\n- pause: {minutes: 1, seconds: 1}`) });
  assert.is(o.code, 'bad-input');
  assert.match(o.problems.join('\n'), /unable to convert to int/);
  assert.match(o.problems.join('\n'), /not a valid boolean/);
  assert.match(o.problems.join('\n'), /parameters are mutually exclusive: minutes\|seconds/);
});



test('include_vars: its vars are in hostvars of the host, as written (loops target, Ansible #64169)', async () => {
  const o = await play({
    playbook: `- hosts: all\n  gather_facts: false\n  tasks:\n${`- include_vars: {file: v.yml}
- ansible.builtin.debug: {msg: "{{ hostvars[inventory_hostname]['__foo'] }} {{ hostvars[inventory_hostname].plain }}"}
  register: d`.replace(/^/gm, '    ')}\n`,
    files: { 'v.yml': '__foo: ["foo{{ v }}"]\nplain: p\n' },
  });
  assert.equal(o.problems, []);
  assert.is(reg(o, 1).msg, "['foo{{ v }}'] p");
});

test('include_vars: a file from vars/, over play and task vars, under set_fact; templates in it rendered when used; names known before the run', async () => {
  const o = await play({
    playbook: `- hosts: all\n  vars: {x: play, y: play}\n  tasks:\n${`- set_fact: {y: fact}
- include_vars: {file: env/all.yml}
  register: r
- ansible.builtin.debug: {msg: "{{ x }} {{ y }} {{ z }}"}
  vars: {x: task}
  register: d
- include_vars: more.yml`.replace(/^/gm, '    ')}\n`,
    files: { 'vars/env/all.yml': 'x: included\ny: included\nz: "{{ x }}!"\n', 'more.yml': 'w: 1\n' },
  });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['ok', 'ok', 'ok', 'ok']);
  assert.is(reg(o, 2).msg, 'included fact included!');
  assert.equal(reg(o, 1).ansible_facts, { x: 'included', y: 'included', z: '{{ x }}!' });
  assert.match(reg(o, 1).ansible_included_var_files[0], /vars\/env\/all\.yml$/);
});

test('include_vars: a directory walked in sorted order (later files win), files_matching, ignore_files, extensions, name, depth; hash_behaviour merge', async () => {
  const files = { 'd/a.yml': 't: 1\nh: {a: 1, b: {c: 1}}\n', 'd/sub/b.yml': 't: 2\n', 'd/c.yml': 't: 3\n', 'd/noext': 'n: 1\n', 'vars/h.yml': 'h: {b: {d: 2}}\n' };
  const o = await play({
    playbook: playbook(`- include_vars: {dir: d, ignore_unknown_extensions: true}
  register: all
- include_vars: {dir: d, files_matching: "^a", name: only_a}
- include_vars: {dir: d, depth: 1, ignore_files: [c.yml], extensions: ['', yml]}
  register: top
- include_vars: {dir: d}
  register: bad
  ignore_errors: true
- include_vars: {file: h.yml, hash_behaviour: merge}
- ansible.builtin.debug: {msg: "{{ t }} {{ only_a.t }} {{ h }}"}
  register: d`),
    files,
  });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['ok', 'ok', 'ok', 'failed', 'ok', 'ok']);
  assert.equal(reg(o, 0).ansible_included_var_files.map((f: string) => f.replace(/.*skiff-engine-[^/]*\/play-[^/]*\//, '')), ['d/a.yml', 'd/c.yml', 'd/sub/b.yml']);
  assert.equal(reg(o, 2).ansible_included_var_files.map((f: string) => f.replace(/.*skiff-engine-[^/]*\/play-[^/]*\//, '')), ['d/a.yml', 'd/noext']);
  assert.match(reg(o, 3).message, /noext does not have a valid extension: json, yaml, yml/);
  assert.is(reg(o, 5).msg, "1 1 {'a': 1, 'b': {'c': 1, 'd': 2}}");
  const missing = await play({ playbook: playbook(`- include_vars: {file: nope.yml}\n  register: r\n  ignore_errors: true`) });
  assert.match(reg(missing, 0).message, /Could not find or access 'nope\.yml'/);
});
test.run();
