// What an operator sees at a terminal while thanos.yml runs on the real stack: skiff in tmux (a real
// TTY, 160x40), the screen read with capture-pane. On a fresh lab, prom2 keeps its TSDB in the container
// (start-all.sh without -d), so the first run copies it out: padded to 300 MB here, that copy takes a
// moment and its progress (bytes of a total) shows on prom2's row of the tree. Then the
// recap, and Ctrl-C on a second run. Every wait is bounded (looks 100 ms apart, a count).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { labExec } from '../../lab/lab.ts';
import { ROOT, SKIFF } from '../helpers.ts';
import { shq } from '../../src/transport/quote.ts';
import { useLab } from './use-lab.ts';

const SOCKET = `skiff-lab-terminal-${process.pid}`;
const tmux = (...args: string[]) => spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8', timeout: 10_000 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const screen = (s: string) => tmux('capture-pane', '-p', '-t', s, '-S', '-200').stdout;

const guard = useLab(test, 'terminal test on the lab', { fresh: true }, async () => {
  if (spawnSync('sh', ['-c', 'command -v tmux']).status !== 0) throw new Error('tmux is not installed (lab/setup.ts installs it)');
  // a production-sized TSDB takes a while to copy: pad prom2's (Prometheus ignores files that are not blocks)
  const pad = await labExec('prom2', `head -c 300M /dev/zero > /tmp/skiff-padding && docker cp /tmp/skiff-padding aprom:/prometheus/data/skiff-padding && rm /tmp/skiff-padding`, { timeoutMs: 120_000 });
  assert.is(pad.code, 0, pad.stderr);
});

test.after(() => void tmux('kill-server'));

/** `skiff run ...` in a new session, as a terminal user (not CI); the shell prints EXIT=<code> after it. */
function start(session: string, args: string): void {
  const cmd = `cd ${shq(ROOT)} && env -u CI -u FORCE_COLOR NO_COLOR=1 ${shq(process.execPath)} ${shq(SKIFF)} run ${args}; echo EXIT=$?; sleep 600`;
  const r = tmux('new-session', '-d', '-x', '160', '-y', '40', '-s', session, cmd);
  assert.is(r.status, 0, r.stderr);
}

/** Every screen until `done` holds: at most `tries` looks 100 ms apart. */
async function watch(session: string, done: (s: string) => boolean, tries: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < tries; i++) {
    const s = screen(session);
    if (seen.at(-1) !== s) seen.push(s);
    if (done(s)) return seen;
    await sleep(100);
  }
  throw new Error(`no end after ${tries} looks; the last screen:\n${seen.at(-1)}`);
}

test('the first run: a row per host with its task, the TSDB copy in bytes of its total, then the recap', async () => {
  if (!guard.lab()) return;
  start('first', 'playbooks/thanos.yml -i inventory/lab');
  const screens = await watch('first', (s) => /EXIT=\d+/.test(s), 1200);
  const all = screens.join('\n');
  assert.match(all, /prom2: Prometheus TSDB on the host/, 'a host row with its current task');
  if (process.env.SKIFF_TERMINAL_DEBUG) console.log([...new Set(screens.flatMap((x) => x.split('\n').filter((l) => l.includes('prom2'))))].join('\n'));
  const copying = screens.find((s) => /copying the TSDB of aprom(?: \(its blocks, while it runs\))? [\d.]+ [kMG]?B \/ [\d.]+ [kMG]?B/.test(s));
  assert.ok(copying, `the copy's progress on prom2's row; screens seen:\n${screens.slice(-3).join('\n----\n')}`);
  const last = screens.at(-1)!;
  assert.match(last, /PLAY RECAP/);
  assert.match(last, /EXIT=0/);
  assert.match(last, /prom2\s+: ok=\d+\s+changed=2/);
  assert.not.match(last, /\n\s*\n\s*\n\s*\n/, 'no block of blank lines');
});

test('Ctrl-C: in-flight commands end, the interrupted message and the recap, exit 130', async () => {
  if (!guard.lab()) return;
  // the rollback has work on every host, and Grafana's restart waits for it to be ready
  start('ctrlc', 'playbooks/thanos-rollback.yml -i inventory/lab');
  await watch('ctrlc', (s) => /prom\d: /.test(s), 300);
  tmux('send-keys', '-t', 'ctrlc', 'C-c');
  const screens = await watch('ctrlc', (s) => /EXIT=\d+/.test(s), 600);
  const last = screens.at(-1)!;
  assert.match(last, /interrupted: ending in-flight commands/);
  assert.match(last, /PLAY RECAP/);
  assert.match(last, /EXIT=130/);
});

test.run();
