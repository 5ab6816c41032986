// become (src/transport/become.ts): the command line sudo or su gets, and the watch on stderr that
// answers the prompt or sees the command start. Real sudo is in the lab tests; real su below, when the
// tests run as root (su from root asks no password, as the become target's "su from root to ansibletest0").
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BecomeGate, becomeLine, becomeMethodOf, becomePasswordError, becomeRefused, withoutNonInteractive } from '../../src/transport/become.ts';
import { connectLocal } from '../../src/transport/local.ts';

test('without a password: sudo -n; with one: sudo -S -k with a prompt of its own; the password never in the line', () => {
  assert.is(becomeLine('id', undefined).line, "sh -c 'id'");
  assert.is(becomeLine('id', { user: 'scylla' }).line, "sudo -n -u 'scylla' sh -c 'id'");
  const b = becomeLine('id', { password: 'hunter2' });
  assert.match(b.line, /^sudo -S -k -p '\[skiff-become-[0-9a-f-]+\] password: ' sh -c /);
  assert.not.match(b.line, 'hunter2');
  assert.ok(b.gate);
});

test('the prompt gets the password once; the marker lets the command run; its stderr is kept, ours is not', () => {
  const g = new BecomeGate('n1', 'pw');
  assert.equal(g.feed('[skiff-become-n1] pass'), { stderr: '' });
  assert.equal(g.feed('word: '), { write: 'pw\n', stderr: '' });
  assert.equal(g.feed('skiff-become-ok-n1\nreal error\n'), { ready: true, stderr: 'real error\n' });
  assert.equal(g.feed('more\n'), { stderr: 'more\n' });
});

test('no prompt (NOPASSWD): the marker comes first, the password is never written', () => {
  const g = new BecomeGate('n2', 'pw');
  const s = g.feed('skiff-become-ok-n2\n');
  assert.equal(s, { ready: true, stderr: '' });
});

test('asked twice: the password was refused', () => {
  const g = new BecomeGate('n3', 'bad');
  assert.is(g.feed('[skiff-become-n3] password: ').write, 'bad\n');
  const s = g.feed('Sorry, try again.\n[skiff-become-n3] password: ');
  assert.ok(s.refused);
  assert.match(s.stderr, 'Sorry, try again.');
});

test('sudo fails before either (not in sudoers): what it said is kept for the error', () => {
  const g = new BecomeGate('n4', 'pw');
  g.feed('deploy is not in the sudoers file.\n');
  assert.match(g.rest(), 'not in the sudoers file');
});

test('become_exe and become_flags for sudo: the program, then the flags as written; -n out of them with a password, as Ansible drops it', () => {
  assert.is(becomeLine('id', { user: 'bob', exe: '/usr/local/bin/sudo', flags: '-H -E' }).line, "/usr/local/bin/sudo -H -E -n -u 'bob' sh -c 'id'");
  assert.match(becomeLine('id', { password: 'pw', flags: '-H -S -n' }).line, /^sudo -H -S -S -k -p /);
  assert.is(withoutNonInteractive('-H -S -n --non-interactive -Hn -n0'), '-H -S -H -0');
});

test("su: Ansible's `su FLAGS USER -c QUOTED`, /bin/sh running the command behind the marker, quoted twice", () => {
  const b = becomeLine(`printf '%s\\n' "it's" "$HOME"`, { method: 'su', user: 'ansibletest0' });
  const m = /^su 'ansibletest0' -c (.*)$/.exec(b.line);
  assert.ok(m, b.line);
  assert.ok(b.gate, 'su always runs behind the marker: its prompt cannot be turned off');
  // what the user's login shell gets for -c, once the outer shell unquoted it, and what it then does
  const inner = spawnSync('sh', ['-c', `printf %s ${m![1]}`], { encoding: 'utf8' }).stdout;
  assert.ok(inner.startsWith("/bin/sh -c 'printf "), inner);
  const ran = spawnSync('sh', ['-c', inner], { encoding: 'utf8', env: { ...process.env, HOME: '/home/x' } });
  assert.is(ran.stdout, "it's\n/home/x\n");
  assert.is(ran.stderr, `${b.gate!.marker}\n`);
  assert.is(becomeLine('id', { method: 'su' }).line.split(' -c ')[0], 'su', 'no user: root, as su without one');
  assert.is(becomeLine('id', { method: 'su', user: 'app', exe: '/bin/su', flags: '-l -s /bin/bash' }).line.split(' -c ')[0], "/bin/su -l -s /bin/bash 'app'");
  assert.not.match(becomeLine('id', { method: 'su', user: 'app', password: 'hunter2' }).line, 'hunter2');
});

test("su's own prompt (Ansible's localised list) gets the password; a wrong one is su's Authentication failure", () => {
  const g = new BecomeGate('s1', 'pw', 'su');
  assert.equal(g.feed('Passw'), { stderr: '' });
  assert.equal(g.feed('ord: '), { write: 'pw\n', stderr: '' });
  assert.equal(g.feed('skiff-become-ok-s1\n'), { ready: true, stderr: '' });
  assert.is(new BecomeGate('s2', 'pw', 'su').feed("root's Mot de passe : ").write, 'pw\n');
  assert.is(new BecomeGate('s3', 'pw', 'su').feed('Пароль: ').write, 'pw\n');
  const bad = new BecomeGate('s4', 'bad', 'su');
  bad.feed('Password: ');
  const s = bad.feed('su: Authentication failure\n');
  assert.is(s.refused, 'wrong');
  assert.match(becomeRefused('h', 'su', 'wrong').message, 'Incorrect su password on h');
  assert.match(becomePasswordError('h', 'su: Authentication failure\n')!.message, 'Incorrect su password');
});

test('su asking without a password: the command ends (Missing su password) before its stdin could answer', () => {
  const g = new BecomeGate('s5', undefined, 'su');
  const s = g.feed('Password: ');
  assert.is(s.refused, 'missing');
  assert.is(s.write, undefined);
  assert.match(becomeRefused('h', 'su', 'missing').message, 'Missing su password on h');
  // from root no prompt: the marker, and the command's own stderr after it
  assert.equal(new BecomeGate('s6', undefined, 'su').feed('skiff-become-ok-s6\noops\n'), { ready: true, stderr: 'oops\n' });
});

test('become_method names: sudo and su, also by their full names; others are not skiff\'s', () => {
  assert.is(becomeMethodOf('su'), 'su');
  assert.is(becomeMethodOf('ansible.builtin.su'), 'su');
  assert.is(becomeMethodOf('ansible.builtin.sudo'), 'sudo');
  for (const m of ['doas', 'pbrun', 'runas', 'pfexec', 'machinectl', 'community.general.doas']) assert.is(becomeMethodOf(m), undefined);
});

const rootWithUser = process.getuid?.() === 0 && spawnSync('id', ['-u', 'nobody']).status === 0 && spawnSync('su', ['nobody', '-s', '/bin/sh', '-c', 'true']).status === 0;
test('real su from root: the command runs as the user, its stdin and stderr its own', async () => {
  if (!rootWithUser) return;
  // nobody's login shell is nologin: -s gives one, as become_flags may
  const c = connectLocal('here', true, 'nobody', undefined, { method: 'su', flags: '-s /bin/sh' });
  const r = await c.exec('id -un; cat; echo err >&2', { stdin: 'in\n' });
  assert.equal(r, { code: 0, stdout: 'nobody\nin\n', stderr: 'err\n' });
  await c.close();
});

test.run();
