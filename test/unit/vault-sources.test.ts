// Where passwords come from: Ansible's option names and order, password files and scripts (whose
// argv never holds a password), prompts, and the mistakes a user makes with them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vaultSecretsFromFlags } from '../../src/cli-vault.ts';
import { sourcesOf, type Prompter } from '../../src/vault/sources.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-vault-src-'));
const file = (name: string, text: string, mode = 0o600) => {
  const p = join(dir, name);
  writeFileSync(p, text, { mode });
  chmodSync(p, mode);
  return p;
};
const noPrompt: Prompter = async () => ({ error: 'no prompt in this test' });
const load = (o: Parameters<typeof vaultSecretsFromFlags>[0], env: NodeJS.ProcessEnv = {}, prompt = noPrompt) => vaultSecretsFromFlags(o, { env, prompt });
const text = (b?: Buffer) => b?.toString();

test("order as Ansible's build_vault_ids: --vault-id in order, then password files and the env var as 'default', then the prompt", () => {
  const s = sourcesOf({ vaultIds: ['prod@/p', 'dev@prompt', '/plain'], passwordFiles: ['/f'], askVaultPass: true }, { ANSIBLE_VAULT_PASSWORD_FILE: '/env' });
  assert.equal(
    s.map((x) => `${x.id}@${x.source}`),
    ['prod@/p', 'dev@prompt', 'default@/plain', 'default@/f', 'default@/env', 'default@ask'],
  );
});

test('a password file: surrounding blanks and the newline stripped', async () => {
  const r = await load({ 'vault-password-file': [file('pw', '  s3cret pass \n\n')] });
  assert.is(text(r.secrets?.[0].password), 's3cret pass');
  assert.is(r.secrets?.[0].id, 'default');
});

test('~/ in a password file name is the home directory (after @, no shell expands it)', async () => {
  const home = process.env.HOME;
  process.env.HOME = dir;
  try {
    file('home-pw', 'in-home\n');
    const r = await load({ 'vault-id': ['prod@~/home-pw'] });
    assert.is(text(r.secrets?.[0].password), 'in-home');
  } finally {
    process.env.HOME = home;
  }
});

test('ANSIBLE_VAULT_PASSWORD_FILE is read like --vault-password-file', async () => {
  const r = await load({}, { ANSIBLE_VAULT_PASSWORD_FILE: file('envpw', 'from-env\n') });
  assert.is(text(r.secrets?.[0].password), 'from-env');
});

test('--vault-id label@file keeps the label; Ansible\'s aliases --vault-pass-file and --ask-vault-password work', async () => {
  const r = await load({ 'vault-id': [`prod@${file('p1', 'one')}`], 'vault-pass-file': [file('p2', 'two')] });
  assert.equal(r.secrets?.map((s) => [s.id, text(s.password)]), [['prod', 'one'], ['default', 'two']]);
  const asked = await load({ 'ask-vault-password': true }, {}, async () => 'typed');
  assert.is(text(asked.secrets?.[0].password), 'typed');
});

test('an executable password file is run: its stdout is the password, and no password is in its argv', async () => {
  const log = join(dir, 'argv.log');
  const script = file('pass.sh', `#!/bin/sh\necho "$#:$*" > ${log}\nprintf 'from script\\r\\n'\n`, 0o700);
  const r = await load({ 'vault-id': [`prod@${script}`] });
  assert.is(text(r.secrets?.[0].password), 'from script');
  assert.is(readFileSync(log, 'utf8'), '0:\n');
});

test('a "-client" script is asked for its vault id (--vault-id LABEL), as Ansible asks it', async () => {
  const log = join(dir, 'client.log');
  const script = file('vault-client.sh', `#!/bin/sh\necho "$*" > ${log}\necho pw-for-$2\n`, 0o700);
  const r = await load({ 'vault-id': [`prod@${script}`] });
  assert.is(text(r.secrets?.[0].password), 'pw-for-prod');
  assert.is(readFileSync(log, 'utf8'), '--vault-id prod\n');
  const unknown = await load({ 'vault-id': [`x@${file('none-client', '#!/bin/sh\nexit 2\n', 0o700)}`] });
  assert.match(unknown.problems[0].message, /found no secret for vault id "x"/);
});

test('mistakes are refused with the option they came from: missing, empty, failing script, directory, ";" in a label, both sources', async () => {
  const cases: [Parameters<typeof vaultSecretsFromFlags>[0], RegExp][] = [
    [{ 'vault-password-file': [join(dir, 'nope')] }, /--vault-password-file .*nope: cannot read the vault password file/],
    [{ 'vault-password-file': [file('empty', '\n \n')] }, /is empty: expected a password/],
    [{ 'vault-password-file': [file('fails.sh', '#!/bin/sh\nexit 3\n', 0o700)] }, /exited with 3/],
    [{ 'vault-password-file': [file('silent.sh', '#!/bin/sh\nexit 0\n', 0o700)] }, /printed nothing/],
    [{ 'vault-password-file': [dir] }, /is a directory/],
    [{ 'vault-id': ['a;b@/x'] }, /--vault-id "a;b@\/x": the character ";" is not allowed/],
    [{ 'vault-id': ['prod@'] }, /expected LABEL@FILE/],
    [{ 'ask-vault-pass': true, 'vault-password-file': ['/x'] }, /together: expected one of them/],
  ];
  for (const [o, want] of cases) {
    const r = await load(o);
    assert.is(r.secrets, undefined, JSON.stringify(o));
    assert.match(r.problems.map((p) => p.message).join('\n'), want);
  }
});

test('prompts: Ansible\'s wording, the answer stripped; a new password is asked twice and must match', async () => {
  const asked: string[] = [];
  const answers = ['  typed  ', 'typed'];
  const prompt = async (q: string) => (asked.push(q), answers.shift()!);
  const r = await vaultSecretsFromFlags({ 'vault-id': ['prod@prompt'] }, { env: {}, prompt, confirm: true });
  assert.is(text(r.secrets?.[0].password), 'typed');
  assert.equal(asked, ['New vault password (prod): ', 'Confirm new vault password (prod): ']);
  const mismatch = await vaultSecretsFromFlags({ 'ask-vault-pass': true }, { env: {}, prompt: async (q) => (q.startsWith('New') ? 'a' : 'b'), confirm: true });
  assert.match(mismatch.problems[0].message, /do not match/);
  const empty = await vaultSecretsFromFlags({ 'ask-vault-pass': true }, { env: {}, prompt: async () => '   ' });
  assert.match(empty.problems[0].message, /empty password/);
});

test('nothing given: no password and no prompt for the playbook commands; ansible-vault\'s prompt for skiff vault', async () => {
  assert.equal((await load({})).secrets, []);
  const asked: string[] = [];
  const r = await vaultSecretsFromFlags({}, { env: {}, autoPrompt: true, prompt: async (q) => (asked.push(q), 'p') });
  assert.is(r.secrets?.length, 1);
  assert.equal(asked, ['Vault password: ']);
});

test.run();
