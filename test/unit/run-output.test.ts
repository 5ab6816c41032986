// What a run prints and writes besides progress: colours (NO_COLOR / FORCE_COLOR), --profile, and
// --events (every engine event, results already redacted). Local runs on this machine, in a temp dir.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skiff } from '../helpers.ts';
import { useColor } from '../../src/report/color.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-output-'));
writeFileSync(join(dir, 'inv.yml'), 'all:\n  hosts:\n    fast: {connection: local}\n    slow: {connection: local, nap: "0.4"}\n  vars:\n    nap: "0.1"\n    db_password: hunter2-secret\n');
writeFileSync(
  join(dir, 'pb.yml'),
  `- hosts: all
  tasks:
    - name: quick
      command: {cmd: "true"}
    - name: nap
      command: {cmd: "sleep {{ nap }}"}
    - name: tell
      debug: {msg: "password is {{ db_password }}"}
`,
);
const run = (args: string[], env: Record<string, string> = {}) => skiff(['run', 'pb.yml', '-i', 'inv.yml', ...args], { cwd: dir, env: { HOME: dir, ANSIBLE_CONFIG: '', ...env } });
const ESC = '\x1b[';

test('useColor: FORCE_COLOR wins (0/false: none), then NO_COLOR, then a terminal outside CI', () => {
  assert.is(useColor({}, true), true);
  assert.is(useColor({}, false), false);
  assert.is(useColor({ CI: 'true' }, true), false);
  assert.is(useColor({ NO_COLOR: '1' }, true), false);
  assert.is(useColor({ NO_COLOR: '' }, true), true, 'an empty NO_COLOR is unset (no-color.org)');
  assert.is(useColor({ FORCE_COLOR: '1' }, false), true);
  assert.is(useColor({ FORCE_COLOR: '1', NO_COLOR: '1' }, false), true);
  assert.is(useColor({ FORCE_COLOR: '0' }, true), false);
  assert.is(useColor({ FORCE_COLOR: 'false' }, true), false);
  // Ansible's switches, as ansible-test sets ANSIBLE_NOCOLOR; NOCOLOR wins over FORCE_COLOR, as in Ansible
  assert.is(useColor({ ANSIBLE_NOCOLOR: '1' }, true), false);
  assert.is(useColor({ ANSIBLE_FORCE_COLOR: 'true' }, false), true);
  assert.is(useColor({ ANSIBLE_FORCE_COLOR: 'yes', ANSIBLE_NOCOLOR: 'True' }, false), false);
  assert.is(useColor({ ANSIBLE_NOCOLOR: '0' }, true), true);
});

test('FORCE_COLOR colours the recap and result lines into a pipe; NO_COLOR and plain pipes do not', async () => {
  const forced = await run([], { FORCE_COLOR: '1' });
  assert.is(forced.code, 0, forced.stderr);
  // Ansible's line (default callback), coloured as Ansible colours it
  assert.match(forced.stdout, `${ESC}33mchanged: [fast]${ESC}0m`);
  assert.match(forced.stdout, new RegExp(`\\x1b\\[33mfast\\x1b\\[0m +: \\x1b\\[32mok=`), "the recap as Ansible colours it: host, then each count not 0");
  const none = await run([], { NO_COLOR: '1' });
  assert.not.match(none.stdout, ESC);
  const zero = await run([], { FORCE_COLOR: '0' });
  assert.not.match(zero.stdout, ESC);
  const plain = await run([]);
  assert.not.match(plain.stdout, ESC);
});

test('-vv: the playbook and its number of plays first, as ansible-playbook -vv prints them (scripts count plays by it)', async () => {
  const r = await run(['-vv']);
  assert.is(r.code, 0, r.stderr);
  assert.ok(r.stdout.startsWith('PLAYBOOK: pb.yml\n1 plays in pb.yml\n'), r.stdout);
  assert.not.match((await run(['-v'])).stdout, 'plays in');
});

test('strategy: linear by default (the slow host holds the next task back); ANSIBLE_STRATEGY=free lets the fast host on', async () => {
  // Ansible's lines: a TASK [name] banner, then a status line per host ("changed: [slow]")
  const order = (out: string) => {
    let task = '';
    const seen: string[] = [];
    for (const l of out.split('\n')) {
      const banner = l.match(/^TASK \[(.+?)\] \*+$/);
      if (banner) task = banner[1];
      const status = l.match(/^\w+: (\[\w+\])/);
      if (status) seen.push(`${status[1]} ${task}`);
    }
    return seen.filter((x) => x === '[slow] nap' || x === '[fast] tell');
  };
  assert.equal(order((await run([])).stdout), ['[slow] nap', '[fast] tell']);
  assert.equal(order((await run([], { ANSIBLE_STRATEGY: 'free' })).stdout), ['[fast] tell', '[slow] nap']);
  const bad = await run([], { ANSIBLE_STRATEGY: 'fastest' });
  assert.is(bad.code, 5);
  assert.match(bad.stderr, 'ANSIBLE_STRATEGY: got "fastest", expected linear, free or host_pinned');
});

test('--profile: per task (slowest host named) and per host, slowest first', async () => {
  const r = await run(['--profile']);
  assert.is(r.code, 0, r.stderr);
  const after = r.stdout.slice(r.stdout.indexOf('TASKS (slowest host'));
  const tasks = after.split('\n\n')[0].split('\n').slice(1);
  assert.match(tasks[0], /^all : nap +0\.[4-9]\ds  slow \(2 hosts, /);
  assert.equal(tasks.map((l) => l.split(/ {2,}/)[0]).sort(), ['all : nap', 'all : quick', 'all : tell']);
  const hosts = after.slice(after.indexOf('HOSTS')).split('\n').slice(1).filter(Boolean);
  assert.equal(hosts.map((l) => l.split(/ +/)[0]), ['slow', 'fast']);
  assert.not.match((await run([])).stdout, 'TASKS (slowest host', 'only with --profile');
});

test('--events FILE: every engine event as JSON lines, in order, secrets already masked', async () => {
  const r = await run(['--events', 'ev.ndjson']);
  assert.is(r.code, 0, r.stderr);
  const text = readFileSync(join(dir, 'ev.ndjson'), 'utf8');
  const events = text.trim().split('\n').map((l) => JSON.parse(l));
  assert.is(events[0].kind, 'play');
  assert.is(events.at(-1).kind, 'end');
  assert.equal(events.at(-1).recap.fast, { ok: 3, changed: 2, failed: 0, skipped: 0, rescued: 0, ignored: 0, unreachable: 0 });
  const results = events.filter((e) => e.kind === 'result');
  assert.is(results.length, 6);
  assert.is(events.filter((e) => e.kind === 'task-start').length, 6);
  assert.is(events.filter((e) => e.kind === 'host-done').length, 2);
  assert.ok(events.every((e) => typeof e.time === 'string'));
  assert.ok(results.every((e) => typeof e.result.ms === 'number'));
  assert.not.match(text, 'hunter2-secret');
  assert.match(results.find((e) => e.result.task === 'tell').result.msg, /password is \*+/);
});

test('--events -: JSON lines alone on stdout, the progress and recap on stderr', async () => {
  const r = await run(['--events', '-']);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.is(lines.length, 16, 'play, 6 task-start, 6 result, 2 host-done, end');
  for (const l of lines) JSON.parse(l);
  assert.match(r.stderr, 'PLAY RECAP');
  assert.not.match(r.stdout, 'hunter2-secret');
});

test('--events to a place that cannot be written: bad input, nothing run', async () => {
  writeFileSync(join(dir, 'afile'), '');
  const r = await run(['--events', 'afile/ev.ndjson']);
  assert.is(r.code, 5);
  assert.match(r.stderr, /^--events: afile\/ev\.ndjson: cannot write events: /m);
});

test.run();
