// The command line: --version, help per command, did-you-mean for flags and commands, flags a command
// does not take, and the shape of bad input (exit 5, `argv: ...`), through the built CLI.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, skiff } from '../helpers.ts';
import { COMMANDS, FLAGS, flagsOf } from '../../src/cli/spec.ts';
import { parseArgv } from '../../src/cli/args.ts';
import { HANDLERS, RAW } from '../../src/cli/handlers.ts';

test('every command of the table has a handler, and only those (a command without one would crash on use)', () => {
  assert.equal(Object.keys(HANDLERS).sort(), Object.keys(COMMANDS).sort());
  for (const c of Object.keys(RAW)) assert.ok(c in COMMANDS, c);
});

test('--version prints package.json version', async () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const r = await skiff(['--version']);
  assert.is(r.code, 0);
  assert.is(r.stdout.trim(), `skiff ${version}`);
});

test('skiff --help lists every visible command, not the hidden one', async () => {
  const r = await skiff(['--help']);
  assert.is(r.code, 0);
  for (const c of ['run', 'validate', 'inventory', 'tasks', 'config', 'completion']) assert.match(r.stdout, new RegExp(`^  ${c} +\\S`, 'm'));
  assert.not.match(r.stdout, /__complete/);
});

for (const c of ['run', 'validate', 'inventory', 'tasks', 'config', 'completion']) {
  test(`skiff ${c} --help: usage, its flags, examples`, async () => {
    const r = await skiff([c, '--help']);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^usage: skiff ${c}`));
    assert.match(r.stdout, /\nexamples:\n  .*skiff /);
    for (const f of flagsOf(c).filter((f) => f !== 'version')) assert.match(r.stdout, `--${f}`);
    assert.is((await skiff(['help', c])).stdout, r.stdout, 'skiff help COMMAND is the same');
  });
}

test('a mistyped flag: exit 5, argv, did you mean', async () => {
  const r = await skiff(['run', 'pb.yml', '-i', 'inv', '--chek']);
  assert.is(r.code, 5);
  assert.match(r.stderr, /^argv: unknown flag --chek \(did you mean --check\?\)/m);
  // a long flag written with one dash is one word, not a cluster of short ones
  const one = await skiff(['run', 'pb.yml', '-check']);
  assert.is(one.code, 5);
  assert.match(one.stderr, /unknown flag -check \(did you mean --check\?\)/);
  assert.not.match(one.stdout, /usage/, '-h inside -check is not --help');
});

test('a mistyped command: exit 5, did you mean', async () => {
  const r = await skiff(['valdate', 'pb.yml']);
  assert.is(r.code, 5);
  assert.match(r.stderr, /^argv: unknown command "valdate" \(did you mean validate\?\)/m);
});

test('a flag the command does not take, and a missing value, are reported together', () => {
  const { problems } = parseArgv(['inventory', '--check', '-i']);
  assert.equal(
    problems.map((p) => p.message),
    ['--check is not a flag of skiff inventory; see skiff inventory --help', '-i (--inventory) expects a value (INVENTORY)'],
  );
  assert.ok(problems.every((p) => p.file === 'argv' && p.line === 0));
  // the next flag is not taken as -i's value
  assert.match(parseArgv(['run', 'pb.yml', '-i', '--check']).problems[0].message, /expects a value .*got the flag --check/);
});

test('flags and values as parsed: short and long, repeated, --', () => {
  const { invocation, problems } = parseArgv(['run', '-i', 'inv', '-e', 'a=1', '--extra-vars', 'b=2', '-vv', '-C', '--', 'pb.yml']);
  assert.equal(problems, []);
  assert.equal(invocation.args, ['pb.yml']);
  assert.equal(invocation.values, { inventory: ['inv'], 'extra-vars': ['a=1', 'b=2'], verbose: [true, true], check: true });
});

test('every flag names existing commands; every setting flag is a string', () => {
  for (const [name, f] of Object.entries(FLAGS)) {
    if (f.commands !== '*') for (const c of f.commands) assert.ok(c in COMMANDS, `${name}: ${c}`);
    if (f.setting) assert.is(f.type, 'string', name);
  }
});

test('--forks still refuses a bad value with the flag as the file', async () => {
  const r = await skiff(['validate', 'playbooks/thanos.yml', '-i', 'inventory/prod', '--forks', 'x'], { env: { ANSIBLE_CONFIG: '/nonexistent' } });
  assert.is(r.code, 5);
  assert.match(r.stderr, /^--forks: got "x", expected a whole number > 0$/m);
});

test('tasks TYPE: its parameters; an unknown type is named with a suggestion', async () => {
  const r = await skiff(['tasks', 'content']);
  assert.is(r.code, 0);
  assert.match(r.stdout, /^content: /);
  assert.match(r.stdout, /^  path  \(required\)$/m);
  const bad = await skiff(['tasks', 'contnet']);
  assert.is(bad.code, 5);
  assert.match(bad.stderr, /unknown task type "contnet" \(did you mean "content"\?\)/);
});

test.run();
