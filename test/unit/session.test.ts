// The persistent session's helper loop, run by real shells (dash, bash, BusyBox sh) on local pipes: the
// same script and client as over SSH, minus the channel. Each case is a command a task could send,
// and what `sh -c` would have given for it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandReader, Session, SESSION_SCRIPT } from '../../src/transport/session.ts';
import { shq } from '../../src/transport/quote.ts';

const SHELLS: [string, string[]][] = [
  ['dash', ['/usr/bin/dash', '-c']],
  ['bash', ['/usr/bin/bash', '--posix', '-c']],
];

function startLocal(argv: string[]): { s: Session; done: () => void } {
  const child = spawn(argv[0], [...argv.slice(1), SESSION_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => {}); // a helper that exits at once (the refusal cases)
  const s = new Session({ write: (b) => child.stdin.write(b), close: () => child.kill('SIGKILL') });
  child.stdout.on('data', (b: Buffer) => s.stdout(b));
  child.stderr.on('data', (b: Buffer) => s.stderr(b));
  child.on('close', () => s.closed(new Error('helper exited')));
  return { s, done: () => child.kill('SIGKILL') };
}

/** What `sh -c` gives for the same command, the reference. */
function shc(argv: string[], cmd: string, stdin?: string | Buffer) {
  const r = spawnSync(argv[0], [...argv.slice(1), cmd], { input: stdin ?? '' });
  return { code: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

const scratch = mkdtempSync(join(tmpdir(), 'skiff-session-'));
const hostile = `a'b"c $(touch ${scratch}/pwned) \`touch ${scratch}/pwned\` \n;$HOME\\`;

const CASES: { name: string; cmd: string; stdin?: string | Buffer }[] = [
  { name: 'streams and exit code', cmd: 'echo out; echo err >&2; exit 7' },
  { name: 'no trailing newline', cmd: 'printf abc' },
  { name: 'trailing newlines kept', cmd: 'printf "a\\n\\n\\n"' },
  { name: 'stdin, exact bytes', cmd: 'cat', stdin: 'in\nput' },
  { name: 'stdin not read by the command', cmd: 'echo ignored', stdin: 'x'.repeat(200_000) },
  { name: 'half of stdin read', cmd: 'head -c 5', stdin: 'abcdefghij' },
  { name: 'no stdin: EOF at once', cmd: 'cat; echo after' },
  { name: 'hostile quoted value', cmd: `printf %s ${shq(hostile)}` },
  { name: 'positional parameters and $0', cmd: 'echo "$0 $# [$1]"' },
  { name: "the loop's variables are not the command's", cmd: 'echo "[$__skiff_n$__skiff_c$__skiff_i$__skiff_r]"' },
  { name: 'syntax error', cmd: 'if then fi' },
  { name: 'set -e inside', cmd: 'set -e; false; echo not reached' },
  { name: 'multi-line script, here-document', cmd: 'cat <<EOF\nline 1\n$((1 + 2))\nEOF\nexit 3' },
  { name: 'unicode across the frame', cmd: `printf '%s' 'héllo wörld ✓'; printf 'ö' >&2` },
  { name: 'output that looks like a marker', cmd: 'echo skiff-end-00000000000000000000000000000000 0' },
  { name: 'exec replaces the subshell', cmd: 'exec echo replaced' },
  { name: 'large output', cmd: 'head -c 300000 /dev/zero | tr "\\0" y; echo' },
];

for (const [shell, argv] of SHELLS) {
  const t = suite(`session on ${shell}`);
  let h: ReturnType<typeof startLocal> | undefined;
  const missing = !existsSync(argv[0]);
  t.before(async () => {
    if (missing) return;
    h = startLocal(argv);
    await h.s.start();
  });
  t.after(() => h?.done());

  t('each command gives what sh -c gives, one after another on the same helper', async () => {
    if (missing) return console.log(`  skipped: no ${argv[0]}`);
    for (const c of CASES) {
      const got = await h!.s.run(c.cmd, { stdin: c.stdin });
      const want = shc(argv, c.cmd, c.stdin);
      // the shell's own messages name eval (and its line) where sh -c names -c: wording only
      if (c.name === 'syntax error') [got.stderr, want.stderr] = [got.stderr.includes('then') ? 'ok' : got.stderr, 'ok'];
      assert.equal(got, want, c.name);
    }
    assert.not.ok(existsSync(join(scratch, 'pwned')));
  });

  t('state stays inside each command: cd, variables, umask, traps', async () => {
    if (missing) return;
    await h!.s.run('cd /tmp; X=1; umask 077; trap "echo bye" EXIT');
    assert.equal(await h!.s.run('pwd; echo "[$X]"; umask'), shc(argv, 'pwd; echo "[$X]"; umask'));
  });

  t('stdout streams before the command ends', async () => {
    if (missing) return;
    const seen: string[] = [];
    const r = await h!.s.run('echo first; sleep 0.4; echo second', {
      onStdout: (chunk) => seen.push(`${chunk.trim()}@${Date.now()}`),
    });
    assert.is(r.stdout, 'first\nsecond\n');
    assert.ok(seen.length >= 2, `two chunks, got ${JSON.stringify(seen)}`);
    assert.ok(seen.join('').startsWith('first'));
  });
  t.run();
}

const reader = suite('CommandReader');
reader('a marker split across chunks; output held back only while it could be the marker', () => {
  const nonce = 'skiff-end-abc';
  const streamed: string[] = [];
  const r = new CommandReader(nonce, (c) => streamed.push(c));
  for (const chunk of ['hel', 'lo skiff-e', 'x\nskiff-en', 'd-abc 4', '2\nstray']) r.stdout(Buffer.from(chunk));
  assert.is(streamed.join(''), 'hello skiff-ex\n', 'a false start is released, the marker never streamed');
  assert.is(r.result(), undefined, 'stderr marker still missing');
  r.stderr(Buffer.from('warn\nskiff-end-abc\n'));
  assert.equal(r.result(), { code: 42, stdout: 'hello skiff-ex\n', stderr: 'warn\n' });
});

reader('a session whose helper cannot start says what it printed', async () => {
  const h = startLocal(['/usr/bin/dash', '-c', 'echo "sh: head: not found"; exit 127; :']);
  const e = await h.s.start().then(() => undefined, (x: Error) => x);
  assert.ok(e);
  assert.match(e!.message, 'head: not found');
  h.done();
});

reader("BusyBox's head reads ahead on a pipe: the session does not start (and the helper is ended)", async () => {
  if (!existsSync('/usr/bin/busybox')) return console.log('  skipped: no /usr/bin/busybox');
  const h = startLocal(['/usr/bin/busybox', 'sh', '-c']);
  const e = await h.s.start(1000).then(() => undefined, (x: Error) => x);
  // either head read the whole probe (no answer) or part of the next line (a refusal)
  assert.match(String(e?.message), /did not answer within 1000 ms|skiff-session-unusable/);
  assert.ok(h.s.dead);
  h.done();
});

reader.after(() => rmSync(scratch, { recursive: true, force: true }));
reader.run();
