// Reviewed changes end to end, as a user runs them on this machine (connection: local, two inventory
// hosts writing their own files, in a temporary directory): skiff run --check --plan, skiff show,
// skiff apply; a host changed between plan and apply refused by name and left alone; a vars file
// changed refuses the whole apply before any host is touched; no vault value in the plan.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skiff } from '../helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-plan-'));
const out = join(dir, 'out');
const SECRET = 'vault-only-s3cret-value';
const HIDDEN = 'no-log-only-marker';
mkdirSync(join(dir, 'group_vars'));
writeFileSync(join(dir, 'hosts.yml'), 'all:\n  hosts:\n    h1: {ansible_connection: local}\n    h2: {ansible_connection: local}\n');
writeFileSync(join(dir, 'group_vars', 'all.yml'), 'greeting: hello\n');
writeFileSync(join(dir, 'pass'), 'vault-pass\n');
writeFileSync(join(dir, 'secrets.yml'), `db_password: ${SECRET}\n`);
writeFileSync(
  join(dir, 'site.yml'),
  `- hosts: all
  gather_facts: false
  vars_files: [secrets.yml]
  tasks:
    - name: the greeting
      content:
        path: "${out}/{{ inventory_hostname }}.txt"
        content: "{{ greeting }}\\n"
    - name: the secret
      content:
        path: "${out}/{{ inventory_hostname }}.secret"
        content: "{{ db_password }}\\n"
    - name: hidden by no_log
      content:
        path: "${out}/{{ inventory_hostname }}.hidden"
        content: "${HIDDEN}\\n"
      no_log: true
`,
);
const PLAN = join(dir, 'site.plan');
const VAULT = ['--vault-password-file', join(dir, 'pass')];
const sk = (args: string[]) => skiff(args, { cwd: dir, env: { HOME: join(dir, 'home') } });
const plan = (extra: string[] = []) => sk(['run', 'site.yml', '-i', 'hosts.yml', '--check', '--plan', PLAN, ...VAULT, ...extra]);
const apply = (extra: string[] = []) => sk(['apply', PLAN, ...VAULT, ...extra]);
const fresh = () => {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out);
};
const written = () => (existsSync(join(out, 'h1.txt')) ? readFileSync(join(out, 'h1.txt'), 'utf8') : undefined);

test.before(async () => {
  const r = await sk(['vault', 'encrypt', 'secrets.yml', ...VAULT]);
  assert.is(r.code, 0, r.stderr);
});

test('plan: 0600, the changes per host, no vault value; show prints them, --json too', async () => {
  fresh();
  const r = await plan();
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.is(written(), undefined, 'a plan writes nothing on the hosts');
  assert.is(statSync(PLAN).mode & 0o777, 0o600);
  const text = readFileSync(PLAN, 'utf8');
  assert.not.ok(text.includes(SECRET), 'the vault value is masked in the plan');
  assert.not.ok(text.includes(HIDDEN), 'what no_log hides is hidden in the plan');
  const p = JSON.parse(text);
  assert.equal(Object.keys(p.hosts), ['h1', 'h2']);
  assert.equal(p.hosts.h1.map((s: { status: string }) => s.status), ['changed', 'changed', 'changed']);
  assert.ok(p.inputs.some((i: { path: string }) => i.path === join(dir, 'group_vars', 'all.yml')), 'group_vars recorded');
  assert.ok(p.inputs.some((i: { path: string }) => i.path === join(dir, 'secrets.yml')), 'the vault file recorded (by hash)');
  assert.not.ok(p.inputs.some((i: { path: string }) => i.path === join(dir, 'pass')), 'no vault password file');
  const shown = await sk(['show', PLAN]);
  assert.is(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /h1: 3 to change/);
  assert.match(shown.stdout, /\+hello/);
  assert.not.ok(shown.stdout.includes(SECRET));
  assert.not.ok(shown.stdout.includes(HIDDEN));
  const json = await sk(['show', PLAN, '--json']);
  assert.equal(JSON.parse(json.stdout).hosts, p.hosts);
});

test('apply: the reviewed changes made; a rerun changes nothing', async () => {
  fresh();
  assert.is((await plan()).code, 0);
  const r = await apply();
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.is(written(), 'hello\n');
  assert.is(readFileSync(join(out, 'h2.secret'), 'utf8'), `${SECRET}\n`);
  const again = await sk(['run', 'site.yml', '-i', 'hosts.yml', ...VAULT]);
  assert.is(again.code, 0);
  assert.match(again.stdout, /h1\s+: ok=3\s+changed=0/);
  assert.match(again.stdout, /h2\s+: ok=3\s+changed=0/);
  assert.is(readFileSync(join(out, 'h1.hidden'), 'utf8'), `${HIDDEN}\n`);
});

test('a host changed since the plan: refused by name, not touched, exit 2, in the retry file; the other applied', async () => {
  fresh();
  assert.is((await plan()).code, 0);
  writeFileSync(join(out, 'h2.txt'), 'edited by hand\n');
  const r = await apply();
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stdout, /REFUSED h2: the greeting \[site\.yml:5:7\]: planned 'create .*h2\.txt' at review, now 'update .*h2\.txt'/);
  assert.is(readFileSync(join(out, 'h2.txt'), 'utf8'), 'edited by hand\n', 'h2 untouched');
  assert.not.ok(existsSync(join(out, 'h2.secret')), 'not even its other tasks');
  assert.is(written(), 'hello\n', 'h1 applied');
  assert.is(readFileSync(join(dir, '.skiff', 'retry', 'site.retry'), 'utf8'), 'h2\n');
});

test('a vars file changed since the plan: the whole apply refused before any host is touched', async () => {
  fresh();
  assert.is((await plan()).code, 0);
  writeFileSync(join(dir, 'group_vars', 'all.yml'), 'greeting: bonjour\n');
  try {
    const r = await apply();
    assert.is(r.code, 5, r.stdout + r.stderr);
    assert.match(r.stderr, /group_vars\/all\.yml: changed since the plan/);
    assert.not.ok(r.stdout.includes('checking'), 'no host checked');
    assert.is(written(), undefined, 'nothing written');
    // a file added to group_vars counts as well
    writeFileSync(join(dir, 'group_vars', 'all.yml'), 'greeting: hello\n');
    writeFileSync(join(dir, 'group_vars', 'h1.yml'), 'x: 1\n');
    const added = await apply();
    assert.is(added.code, 5);
    assert.match(added.stderr, /group_vars: files added or removed since the plan/);
  } finally {
    writeFileSync(join(dir, 'group_vars', 'all.yml'), 'greeting: hello\n');
    rmSync(join(dir, 'group_vars', 'h1.yml'), { force: true });
  }
});

test('--limit narrows the plan; --max-age refuses an old one', async () => {
  fresh();
  assert.is((await plan()).code, 0);
  const old = await apply(['--max-age', '0s']);
  assert.is(old.code, 5);
  assert.match(old.stderr, /more than --max-age 0s/);
  const r = await apply(['--limit', 'h1']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.ok(existsSync(join(out, 'h1.txt')));
  assert.not.ok(existsSync(join(out, 'h2.txt')));
});

test('refused before the run: --plan without --check, a secret on the command line; a file that is no plan', async () => {
  const noCheck = await sk(['run', 'site.yml', '-i', 'hosts.yml', '--plan', PLAN, ...VAULT]);
  assert.is(noCheck.code, 5);
  assert.match(noCheck.stderr, /expected --check with --plan/);
  const secret = await plan(['-e', 'api_token=abcd1234']);
  assert.is(secret.code, 5);
  assert.match(secret.stderr, /api_token: a secret given on the command line would be written into the plan/);
  writeFileSync(join(dir, 'bad.plan'), '{"format": "skiff-plan/1", "skiff": 3}');
  const bad = await sk(['show', 'bad.plan']);
  assert.is(bad.code, 5);
  assert.match(bad.stderr, /^bad\.plan: skiff: Invalid type: Expected string/m);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
