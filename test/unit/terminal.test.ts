// What an operator sees in a terminal: skiff run inside tmux (a real TTY, 120x40), the screen read
// with capture-pane. The listr2 tree while running (a row per host with its current task, and the
// progress of a long step on it), the final screen (tree, details, recap: no block of blank lines),
// and Ctrl-C (interrupted message, exit 130). Hosts are `connection: local`; every wait is bounded
// (a number of tries, a pause between them). tmux comes from the machine's packages (lab/setup.ts
// installs it); without it the test skips with the reason, or fails under CI=true.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SKIFF } from '../helpers.ts';
import { shq } from '../../src/transport/quote.ts';

const haveTmux = spawnSync('sh', ['-c', 'command -v tmux'], { encoding: 'utf8' }).status === 0;
const missing = haveTmux ? undefined : 'tmux is not installed (Debian package tmux; lab/setup.ts installs it)';
if (missing) console.log(`terminal.test: skipped: ${missing}`);

// our own tmux server (its own socket): never the user's sessions
const SOCKET = `skiff-terminal-${process.pid}`;
const tmux = (...args: string[]) => spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8', timeout: 10_000 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dir = mkdtempSync(join(tmpdir(), 'skiff-terminal-'));
writeFileSync(join(dir, 'inv.yml'), 'all:\n  hosts:\n    h1: {connection: local}\n    h2: {connection: local}\n');
// "wait for flag" stands for a long step: it retries until the test creates the flag file, and
// reports each attempt (until's progress); it ends in at most 30 s even if the test never does
writeFileSync(
  join(dir, 'slow.yml'),
  `- hosts: all
  gather_facts: false
  tasks:
    - name: quick
      command: {cmd: "true"}
    - name: wait for flag
      command: "test -e flag"
      register: r
      until: r.rc == 0
      retries: 30
      delay: 1
      changed_when: false
    - name: fails on h2
      command: {cmd: "test {{ inventory_hostname }} = h1"}
`,
);
writeFileSync(join(dir, 'long.yml'), `- hosts: all\n  gather_facts: false\n  tasks:\n    - {name: quick, command: {cmd: "true"}}\n    - {name: long sleep, command: {cmd: "sleep 30"}}\n`);

/** Starts `skiff run PLAYBOOK` in a new 120x40 session; the shell prints EXIT=<code> after it. */
function start(session: string, playbook: string): void {
  // a terminal outside CI, no colours (capture-pane shows text either way), no ansible.cfg around
  const cmd = `cd ${shq(dir)} && env -u CI -u FORCE_COLOR NO_COLOR=1 HOME=${shq(dir)} ANSIBLE_CONFIG= ${shq(process.execPath)} ${shq(SKIFF)} run ${playbook} -i inv.yml; echo EXIT=$?; sleep 600`;
  const r = tmux('new-session', '-d', '-x', '120', '-y', '40', '-s', session, cmd);
  assert.is(r.status, 0, r.stderr);
}

const screen = (session: string) => tmux('capture-pane', '-p', '-t', session, '-S', '-100').stdout;

/** Polls the screen until `pred` holds: at most `tries` looks, 100 ms apart; fails showing the screen. */
async function waitFor(session: string, what: string, pred: (s: string) => boolean, tries = 200): Promise<string> {
  let s = '';
  for (let i = 0; i < tries; i++) {
    s = screen(session);
    if (pred(s)) return s;
    await sleep(100);
  }
  throw new Error(`terminal: no ${what} after ${tries} looks; the screen:\n${s}`);
}

function guarded(name: string, fn: () => Promise<void>): void {
  test(name, async () => {
    if (missing) {
      if (process.env.CI === 'true') assert.unreachable(`terminal test under CI=true: ${missing}`);
      return;
    }
    await fn();
  });
}

test.after(() => {
  if (haveTmux) tmux('kill-server');
});

guarded('while running: a row per host with its task, the long step\'s progress on it; at the end the outcome, no block of blank lines', async () => {
  start('run', 'slow.yml');
  const running = await waitFor('run', 'progress of the long step on both rows', (s) => /^\S+ h1: wait for flag: attempt \d+ of 31: until r\.rc == 0 not met, next in 1 s$/m.test(s) && /^\S+ h2: wait for flag: attempt/m.test(s));
  assert.match(running, /^PLAY \[all\]$/m);
  assert.match(running, /^ +› (changed|ok): quick/m, 'what the host did last, under its row');
  writeFileSync(join(dir, 'flag'), '');
  const end = await waitFor('run', 'exit code', (s) => /^EXIT=\d+$/m.test(s));
  const lines = end.split('\n');
  assert.ok(lines.includes('EXIT=2'), 'a task failed on h2');
  // the tree stays, each row saying how its host ended (the failed one names its host and task)
  const tree = lines.findIndex((l) => l === 'PLAY [all]');
  assert.ok(tree >= 0, end);
  assert.equal(lines.slice(tree + 1, tree + 3).sort(), ['✔ h1: done', '✖ h2: fails on h2: non-zero return code'].sort());
  // then the details, after a single blank line, then the recap
  assert.is(lines[tree + 3], '', end);
  assert.match(lines[tree + 4], /^(changed|failed): \[h[12]\] /, `details right below the tree:\n${end}`);
  assert.ok(!/\n\s*\n\s*\n/.test(end.slice(0, end.indexOf('EXIT='))), `a block of blank lines:\n${end}`);
  assert.match(end, /^failed: \[h2\] fails on h2$/m);
  assert.match(end, /^PLAY RECAP \*+$/m);
  assert.match(end, /^h2 +: ok=2 +changed=1 +unreachable=0 +failed=1 /m); // ok counts the changed task too, as Ansible
  assert.not.match(end, 'wait for flag: attempt', 'no progress left once the hosts are done');
});

guarded('Ctrl-C: the run ends with the interrupted message, the recap and exit code 130', async () => {
  start('stop', 'long.yml');
  await waitFor('stop', 'both hosts in the long task', (s) => /h1: long sleep/.test(s) && /h2: long sleep/.test(s));
  tmux('send-keys', '-t', 'stop', 'C-c');
  const end = await waitFor('stop', 'exit code after Ctrl-C', (s) => /^EXIT=\d+$/m.test(s));
  assert.match(end, 'skiff: interrupted: ending in-flight commands, writing recap and retry file');
  assert.match(end, /^PLAY RECAP \*+$/m);
  assert.match(end, /^EXIT=130$/m);
});

guarded('--events - into a file from a terminal: the file holds only events, the people\'s output stays on the screen', async () => {
  writeFileSync(join(dir, 'flag'), '');
  start('events', 'slow.yml --events - > ev.ndjson');
  const end = await waitFor('events', 'exit code', (s) => /^EXIT=\d+$/m.test(s));
  assert.match(end, /^PLAY RECAP \*+$/m);
  const lines = readFileSync(join(dir, 'ev.ndjson'), 'utf8').trim().split('\n');
  assert.equal(lines.filter((l) => !l.startsWith('{')), [], 'nothing but JSON lines');
  assert.is(JSON.parse(lines.at(-1)!).kind, 'end');
});

test.run();
