import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shExpandWord, shJoin, shq } from '../../src/transport/quote.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-quote-'));
const marker = join(dir, 'marker');

const hostile = [
  '',
  ' ',
  'plain',
  `; touch ${marker}`,
  `; rm -rf ${dir}/x`,
  `$(touch ${marker})`,
  `\`touch ${marker}\``,
  `'; touch ${marker}; '`,
  `"; touch ${marker}; "`,
  `it's`,
  `''''`,
  `a\nb\n\ntouch ${marker}\n`,
  `\\'\\"\\\\`,
  '$HOME ${HOME} $((1+1)) * ? [a] ~ # & | > < !',
  '-n',
  '--',
  'ünïcødé ✓ \t tab',
  `\r\n`,
];

function sh(script: string, shell = 'sh'): string {
  const r = spawnSync(shell, ['-c', script], { cwd: dir, encoding: 'utf8', timeout: 10_000 });
  assert.is(r.status, 0, `${shell} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

const shells = ['sh', 'bash', 'dash'].filter((s) => spawnSync(s, ['-c', 'true']).status === 0);

test('shq: basic forms', () => {
  assert.is(shq(''), `''`);
  assert.is(shq('abc'), `'abc'`);
  assert.is(shq(`it's`), `'it'\\''s'`);
  assert.throws(() => shq('a\0b'), /NUL/);
});

for (const shell of shells) {
  test(`shq: hostile values arrive literally through ${shell} -c`, () => {
    for (const v of hostile) {
      assert.is(sh(`printf %s ${shq(v)}`, shell), v, JSON.stringify(v));
    }
    assert.not.ok(existsSync(marker), 'marker file must not be created');
  });

  test(`shq: survives double wrapping (sh -c <shq(cmd)>, as exec does) through ${shell}`, () => {
    for (const v of hostile) {
      const inner = `printf %s ${shq(v)}`;
      assert.is(sh(`sh -c ${shq(inner)}`, shell), v, JSON.stringify(v));
      assert.is(sh(`sh -c ${shq(`sh -c ${shq(inner)}`)}`, shell), v, JSON.stringify(v));
    }
    assert.not.ok(existsSync(marker));
  });

  test(`shJoin: every argument is one word through ${shell}`, () => {
    const out = sh(`for a in ${shJoin(hostile)}; do printf '[%s]' "$a"; done`, shell);
    assert.is(out, hostile.map((v) => `[${v}]`).join(''));
    assert.is(sh(`printf '<%s>' ${shJoin([])}`, shell), '<>'); // no args: printf still prints once
    assert.not.ok(existsSync(marker));
    assert.equal(readdirSync(dir), []);
  });
}

test.after(() => rmSync(dir, { recursive: true, force: true }));

test("shExpandWord: as Python's expanduser(expandvars(word)) in Ansible's run_command, by the host's sh (the environment target's `command: echo $PATH`)", () => {
  const env = { HOME: '/h', PATH: '/bin:/usr/bin', x: 'X  y' };
  // what os.path.expanduser(os.path.expandvars(w)) gives for each, with that environment
  const cases: [string, string][] = [
    ['$PATH', '/bin:/usr/bin'], ['a$x/b', 'aX  y/b'], ['${x}', 'X  y'], ['$unset/${unset}', '$unset/${unset}'],
    ['~', '/h'], ['~/a b', '/h/a b'], ['x~', 'x~'], ['$1', '$1'], ["it's $x", "it's X  y"], ['', ''], ['$(touch nope)', '$(touch nope)'],
  ];
  for (const [w, want] of cases) {
    const r = spawnSync('sh', ['-c', `printf '[%s]' ${shExpandWord(w)}`], { env, encoding: 'utf8' });
    assert.is(r.stdout, `[${want}]`, w);
  }
});

test.run();
