// become with a password (src/transport/become.ts): the command line sudo gets, and the watch on
// stderr that answers sudo's prompt or sees the command start. Real sudo is in the lab tests.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BecomeGate, becomeLine } from '../../src/transport/become.ts';

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

test.run();
