// ansible.cfg and ANSIBLE_*: found as Ansible finds it, precedence flag > env > file > default, bad
// values refused with their position, unsupported settings named, and each setting taking effect.
import { test } from 'uvu';
import { execFileSync } from 'node:child_process';
import * as assert from 'uvu/assert';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skiff } from '../helpers.ts';
import { findConfigFile, resolveConfig, SETTINGS, settingMeta } from '../../src/cli/config.ts';
import { parseIni } from '../../src/cli/ini.ts';
import { connDefaultsOf } from '../../src/cli/commands/run.ts';
import { prepare } from '../../src/engine/prepare.ts';
import { REGISTRY } from '../../tasks/index.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'skiff-config-'));
const NO_ETC = '/nonexistent/ansible.cfg';

test('ini: sections, = and :, comments, inline ; comments, case-insensitive keys, continuation lines', () => {
  const { entries, problems } = parseIni('# c\n; c\n[defaults]\nForks = 4 ; four\nremote_user: deploy\nroles_path = a\n  b\nurl = http://x#y\n', 'a.cfg');
  assert.equal(problems, []);
  assert.equal(
    entries.map((e) => [e.section, e.key, e.value, e.line, e.col]),
    [
      ['defaults', 'forks', '4', 4, 9],
      ['defaults', 'remote_user', 'deploy', 5, 14],
      ['defaults', 'roles_path', 'a\nb', 6, 14],
      ['defaults', 'url', 'http://x#y', 8, 7],
    ],
  );
});

test('ini: what configparser refuses is refused with its position', () => {
  const { problems } = parseIni('forks = 1\n[defaults]\nforks = 2\nforks = 3\njunk\n[defaults]\n', 'a.cfg');
  assert.equal(
    problems.map((p) => `${p.line}:${p.col}: ${p.message}`),
    [
      '1:1: "forks = 1" comes before any [section]: expected [defaults] first',
      '4:1: forks appears twice in [defaults]: expected it once',
      '5:1: "junk": expected key = value',
      '6:1: section [defaults] appears twice: expected each section once',
    ],
  );
});

test('ini: a value is read as written, %(name)s and %% too (Ansible reads ansible.cfg raw: the ssh plugin\'s control_path = %(directory)s/%%h-%%p-%%r of many playbook repositories)', () => {
  const { entries, problems } = parseIni('[ssh_connection]\ncontrol_path = %(directory)s/%%h-%%p-%%r\n', 'a.cfg');
  assert.equal(problems, []);
  assert.equal(entries.map((e) => e.value), ['%(directory)s/%%h-%%p-%%r']);
});

test('search order: ANSIBLE_CONFIG (file or directory), ./ansible.cfg, ~/.ansible.cfg; first found wins', () => {
  const cwd = tmp();
  const home = tmp();
  const other = tmp();
  const ce = (env: Record<string, string> = {}) => ({ env, cwd, home });
  assert.is(findConfigFile(ce(), NO_ETC).file, undefined);
  writeFileSync(join(home, '.ansible.cfg'), '[defaults]\n');
  assert.is(findConfigFile(ce(), NO_ETC).file, join(home, '.ansible.cfg'));
  writeFileSync(join(cwd, 'ansible.cfg'), '[defaults]\n');
  assert.is(findConfigFile(ce(), NO_ETC).file, join(cwd, 'ansible.cfg'));
  writeFileSync(join(other, 'ansible.cfg'), '[defaults]\n');
  assert.is(findConfigFile(ce({ ANSIBLE_CONFIG: other }), NO_ETC).file, join(other, 'ansible.cfg'));
  assert.is(findConfigFile(ce({ ANSIBLE_CONFIG: join(other, 'ansible.cfg') }), NO_ETC).file, join(other, 'ansible.cfg'));
  // a missing ANSIBLE_CONFIG: Ansible goes on; skiff too, and says so
  const missing = findConfigFile(ce({ ANSIBLE_CONFIG: join(other, 'nope.cfg') }), NO_ETC);
  assert.is(missing.file, join(cwd, 'ansible.cfg'));
  assert.match(missing.warnings[0], /ANSIBLE_CONFIG=.*nope\.cfg: no readable file there/);
});

test('./ansible.cfg in a world-writable directory (or world-writable itself) is ignored, with a warning', () => {
  const cwd = tmp();
  const home = tmp();
  writeFileSync(join(cwd, 'ansible.cfg'), '[defaults]\nforks = 2\n');
  writeFileSync(join(home, '.ansible.cfg'), '[defaults]\nforks = 3\n');
  chmodSync(cwd, 0o777);
  let r = findConfigFile({ env: {}, cwd, home }, NO_ETC);
  assert.is(r.file, join(home, '.ansible.cfg'));
  assert.match(r.warnings.join('\n'), /ignoring .*ansible\.cfg: the directory .* is world-writable/);
  chmodSync(cwd, 0o755);
  chmodSync(join(cwd, 'ansible.cfg'), 0o666);
  r = findConfigFile({ env: {}, cwd, home }, NO_ETC);
  assert.is(r.file, join(home, '.ansible.cfg'));
  assert.match(r.warnings.join('\n'), /the file is world-writable/);
  chmodSync(join(cwd, 'ansible.cfg'), 0o644);
  assert.is(findConfigFile({ env: {}, cwd, home }, NO_ETC).file, join(cwd, 'ansible.cfg'));
});

test('precedence: flag > env > ansible.cfg > default; paths in ansible.cfg relative to its directory', () => {
  const cwd = tmp();
  writeFileSync(join(cwd, 'ansible.cfg'), '[defaults]\nforks = 3\ntimeout = 30\nremote_user = cfguser\ninventory = inv/prod\nroles_path = roles:~/more\nvault_password_file = ~/.vault\n');
  const { config, problems } = resolveConfig({ forks: '9' }, { forks: '--forks' }, { env: { ANSIBLE_FORKS: '5', ANSIBLE_TIMEOUT: '7' }, cwd, home: '/h' }, NO_ETC);
  assert.equal(problems, []);
  const c = config!;
  assert.is(c.values.forks, 9);
  assert.equal(c.sources.forks, { kind: 'flag', flag: '--forks' });
  assert.is(c.values.timeout, 7);
  assert.equal(c.sources.timeout, { kind: 'env', name: 'ANSIBLE_TIMEOUT' });
  assert.is(c.values.remote_user, 'cfguser');
  assert.equal(c.sources.remote_user, { kind: 'file', file: join(cwd, 'ansible.cfg'), line: 4, col: 15 });
  assert.equal(c.values.inventory, [join(cwd, 'inv/prod')]);
  assert.is(c.values.roles_path, `${join(cwd, 'roles')}:/h/more`);
  assert.is(c.values.vault_password_file, '/h/.vault');
  assert.is(c.values.private_key_file, undefined);
  assert.equal(c.sources.private_key_file, { kind: 'default' });
});

test('bad values are refused with where they are, the value and what was expected', () => {
  const cwd = tmp();
  writeFileSync(join(cwd, 'ansible.cfg'), '[defaults]\nforks = abc\ninventory = ,\nhost_key_checking = maybe\n');
  const { config, problems } = resolveConfig({ timeout: '0' }, { timeout: '--timeout' }, { env: { ANSIBLE_REMOTE_USER: ' ' }, cwd, home: '/h' }, NO_ETC);
  assert.is(config, undefined);
  const f = join(cwd, 'ansible.cfg');
  assert.equal(
    problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`),
    [
      `${f}:3:13: inventory: got ",", expected an inventory path`,
      'ANSIBLE_REMOTE_USER:0:0: got " ", expected a value',
      `${f}:2:9: forks: got "abc", expected a whole number > 0`,
      `${f}:4:21: host_key_checking: got "maybe", expected a boolean (true/false, yes/no, on/off, 1/0)`,
      '--timeout:0:0: got "0", expected a whole number > 0',
    ],
  );
});

test('host_key_checking: True accepted, False refused by name with the reason (skiff always checks)', () => {
  const ok = resolveConfig({}, {}, { env: { ANSIBLE_HOST_KEY_CHECKING: 'yes' }, cwd: tmp(), home: '/h' }, NO_ETC);
  assert.is(ok.config?.values.host_key_checking, true);
  const no = resolveConfig({}, {}, { env: { ANSIBLE_HOST_KEY_CHECKING: 'False' }, cwd: tmp(), home: '/h' }, NO_ETC);
  assert.match(no.problems[0].message, /got "False", refused: skiff always verifies host keys.*--accept-new-host-keys/);
});

test('[privilege_escalation] become, become_user and become_method are read (a playbook repository\'s ansible.cfg), the environment over them', () => {
  const cwd = tmp();
  writeFileSync(join(cwd, 'ansible.cfg'), '[privilege_escalation]\nbecome=True\nbecome_method=su\nbecome_user=postgres\n');
  const { config } = resolveConfig({}, {}, { env: { ANSIBLE_BECOME_USER: 'app' }, cwd, home: '/h' }, NO_ETC);
  assert.equal([config!.values.become, config!.values.become_method, config!.values.become_user], [true, 'su', 'app']);
  assert.equal(config!.warnings, []);
});

test('unsupported settings are named in one line, [defaults] keys bare, others section.key', () => {
  const cwd = tmp();
  writeFileSync(join(cwd, 'ansible.cfg'), '[defaults]\nforks = 2\nnocows = 1\nstdout_callback = yaml\n[ssh_connection]\npipelining = True\n');
  const { config } = resolveConfig({}, {}, { env: {}, cwd, home: '/h' }, NO_ETC);
  assert.equal(config!.warnings, [`skiff: ${join(cwd, 'ansible.cfg')}: settings skiff does not support (ignored): nocows, stdout_callback, ssh_connection.pipelining`]);
});

test('ANSIBLE_* variables skiff does not know are named once; its settings\' and the harmless ones are not', () => {
  const env = { ANSIBLE_PIPELINING: 'True', ANSIBLE_BECOME_ALLOW_SAME_USER: 'true', ANSIBLE_NOCOLOR: '1', ANSIBLE_FORCE_COLOR: '1', ANSIBLE_ROLES_PATH: '/r', ANSIBLE_CONFIG: '/nonexistent/x.cfg', ANSIBLE_PLAYBOOK_DIR: '/p', ANSIBLE_DEBUG: '', ANSIBLE_FORKS: '3' };
  const { config } = resolveConfig({}, {}, { env, cwd: tmp(), home: '/nonexistent-home' }, NO_ETC);
  const named = config!.warnings.filter((w) => w.includes('environment variables'));
  assert.equal(named, ['skiff: environment variables skiff does not support (ignored): ANSIBLE_BECOME_ALLOW_SAME_USER, ANSIBLE_PIPELINING']);
  assert.is(config!.values.forks, 3);
});

test('every setting has an ansible.cfg key, an ANSIBLE_ variable and a default', () => {
  for (const s of SETTINGS) {
    const m = settingMeta(s);
    // Ansible's names: [inventory] enable_plugins is ANSIBLE_INVENTORY_ENABLED
    if (m.section === 'inventory') {
      assert.equal([m.ini, m.env], ['enable_plugins', 'ANSIBLE_INVENTORY_ENABLED']);
      continue;
    }
    // [privilege_escalation] become*: ANSIBLE_BECOME*
    if (m.section) assert.is(m.section, 'privilege_escalation');
    assert.is(m.ini, s);
    // Ansible 2.14 reads plugin_filters_cfg from ansible.cfg alone: it has no variable
    if (s === 'plugin_filters_cfg') {
      assert.is(m.env, undefined);
      continue;
    }
    // Ansible's names, which for the fact cache's settings are ANSIBLE_CACHE_PLUGIN*
    // ...and force_valid_group_names' is ANSIBLE_TRANSFORM_INVALID_GROUP_CHARS
    if (s === 'force_valid_group_names') assert.is(m.env, 'ANSIBLE_TRANSFORM_INVALID_GROUP_CHARS');
    else assert.is(m.env, s.startsWith('fact_caching') ? s.toUpperCase().replace('FACT_CACHING', 'ANSIBLE_CACHE_PLUGIN') : `ANSIBLE_${s.toUpperCase()}`);
    assert.ok(m.default);
  }
});

// ---- through the CLI, from a temporary directory (HOME too, so no ~/.ansible.cfg of this machine counts)

function project(cfg: string) {
  const dir = tmp();
  writeFileSync(join(dir, 'inv.yml'), 'all:\n  hosts:\n    here: {connection: local}\n    there: {connection: local}\n');
  writeFileSync(join(dir, 'pb.yml'), '- hosts: all\n  tasks:\n    - name: nap\n      command: {cmd: "sleep 0.3"}\n');
  writeFileSync(join(dir, 'fail.yml'), '- hosts: all\n  tasks:\n    - name: fails\n      command: {cmd: "false"}\n');
  writeFileSync(join(dir, 'ansible.cfg'), cfg);
  const run = (args: string[], env: Record<string, string> = {}) => skiff(args, { cwd: dir, env: { HOME: dir, ANSIBLE_CONFIG: '', ...env } });
  return { dir, run };
}

test('skiff config: each setting, its value and its source', async () => {
  const { dir, run } = project('[defaults]\ninventory = inv.yml\nforks = 3\nvault_password_file = vault.txt\nroles_path = roles\nnocows = 1\n');
  const r = await run(['config', '-u', 'bob'], { ANSIBLE_TIMEOUT: '4' });
  assert.is(r.code, 0, r.stderr);
  const line = (k: string) => r.stdout.split('\n').find((l) => l.startsWith(k + ' '))!;
  assert.match(r.stdout, `config file: ${join(dir, 'ansible.cfg')}`);
  assert.match(line('inventory'), new RegExp(`${join(dir, 'inv.yml')} +ansible.cfg ${join(dir, 'ansible.cfg')}:2$`));
  assert.match(line('forks'), /3 +ansible.cfg .*:3$/);
  assert.match(line('remote_user'), /bob +flag --user$/);
  assert.match(line('timeout'), /4 +env ANSIBLE_TIMEOUT$/);
  assert.match(line('private_key_file'), /default$/);
  assert.match(line('vault_password_file'), new RegExp(`${join(dir, 'vault.txt')} +ansible.cfg .*:4$`));
  assert.match(line('roles_path'), new RegExp(`${join(dir, 'roles')} +ansible.cfg .*:5$`));
  assert.equal(r.stderr.trim().split('\n'), [`skiff: ${join(dir, 'ansible.cfg')}: settings skiff does not support (ignored): nocows`]);
});

test('a bad ansible.cfg value stops run before anything runs: exit 5, ansible.cfg:line:col', async () => {
  const { dir, run } = project('[defaults]\ninventory = inv.yml\nforks = abc\n');
  const r = await run(['run', 'pb.yml']);
  assert.is(r.code, 5);
  assert.match(r.stderr, `${join(dir, 'ansible.cfg')}:3:9: forks: got "abc", expected a whole number > 0`);
  assert.match(r.stderr, /nothing was run/);
});

test('inventory and forks from ansible.cfg take effect: no -i needed, one host at a time', async () => {
  const { dir, run } = project('[defaults]\ninventory = inv.yml\nforks = 1\n');
  const r = await run(['run', 'pb.yml', '--events', 'ev.ndjson']);
  assert.is(r.code, 0, r.stderr);
  const kinds = readFileSync(join(dir, 'ev.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).map((e) => `${e.kind}:${e.host ?? e.result?.host ?? ''}`);
  // forks 1: one task at a time (linear: the second host's task starts once the first host's is done)
  assert.equal(kinds.filter((k) => /^(task-start|result)/.test(k)), ['task-start:here', 'result:here', 'task-start:there', 'result:there']);
  // and -f on the command line wins over the file: both start before either finishes
  const p = await run(['run', 'pb.yml', '-f', '2', '--events', 'ev2.ndjson']);
  assert.is(p.code, 0, p.stderr);
  const k2 = readFileSync(join(dir, 'ev2.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).kind);
  assert.equal(k2.slice(1, 3), ['task-start', 'task-start']);
});

test('retry_files_save_path (relative to ansible.cfg) is where the retry file goes', async () => {
  const { dir, run } = project('[defaults]\ninventory = inv.yml\nretry_files_save_path = retries\n');
  mkdirSync(join(dir, 'sub'));
  const r = await skiff(['run', '../fail.yml'], { cwd: join(dir, 'sub'), env: { HOME: dir, ANSIBLE_CONFIG: join(dir, 'ansible.cfg') } });
  assert.is(r.code, 2, r.stderr);
  assert.is(readFileSync(join(dir, 'retries', 'fail.retry'), 'utf8'), 'here\nthere\n');
  assert.match(r.stdout, `--limit @${join(dir, 'retries', 'fail.retry')}`);
  assert.not.ok(existsSync(join(dir, 'sub', '.skiff')));
});

test('ANSIBLE_RETRY_FILES_ENABLED=0: no retry file; ANSIBLE_STDOUT_CALLBACK=default is what skiff prints anyway: no warning for either', async () => {
  const { dir, run } = project('[defaults]\ninventory = inv.yml\n');
  const r = await run(['run', 'fail.yml'], { ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_STDOUT_CALLBACK: 'default' });
  assert.is(r.code, 2, r.stderr);
  assert.not.ok(existsSync(join(dir, '.skiff', 'retry')));
  assert.not.match(r.stdout, /to retry/);
  assert.not.match(r.stderr, /does not support/);
  // another callback is not what skiff prints: named, as before
  const other = await run(['run', 'pb.yml'], { ANSIBLE_STDOUT_CALLBACK: 'yaml' });
  assert.match(other.stderr, /environment variables skiff does not support \(ignored\): ANSIBLE_STDOUT_CALLBACK/);
});

test('ansible.cfg inventory: a comma-separated list of paths, each relative to ansible.cfg (Ansible\'s pathlist)', () => {
  const cwd = tmp();
  writeFileSync(join(cwd, 'ansible.cfg'), '[defaults]\ninventory = a.yml, inv/b\n');
  const { config, problems } = resolveConfig({}, {}, { env: {}, cwd, home: '/h' }, NO_ETC);
  assert.equal(problems, []);
  assert.equal(config!.values.inventory, [join(cwd, 'a.yml'), join(cwd, 'inv/b')]);
  // from -i, each flag is one source: a host list keeps its commas
  const flag = resolveConfig({ inventory: ['h1,h2,', 'inv'] }, { inventory: '--inventory' }, { env: {}, cwd, home: '/h' }, NO_ETC);
  assert.equal(flag.config!.values.inventory, ['h1,h2,', 'inv']);
});

test('remote_user, private_key_file, timeout: defaults under the inventory host vars', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'inv.yml'), 'all:\n  hosts:\n    plain: {}\n    own: {ansible_user: alice, ansible_ssh_private_key_file: own.key, connect_timeout: 3}\n');
  writeFileSync(join(dir, 'pb.yml'), '- hosts: all\n  tasks:\n    - debug: hi\n');
  // real keys: skiff checks a key can be used before any host is contacted
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'own.key')]);
  writeFileSync(join(dir, 'ansible.cfg'), '[defaults]\nremote_user = deploy\nprivate_key_file = missing.key\ntimeout = 42\n');
  const { config } = resolveConfig({}, {}, { env: {}, cwd: dir, home: dir }, NO_ETC);
  const opts = { playbook: join(dir, 'pb.yml'), inventory: join(dir, 'inv.yml'), extraVars: [], check: true, diff: false, acceptNewHostKeys: false, connDefaults: connDefaultsOf(config!) };
  // the configured key does not exist: refused at its line in ansible.cfg, for the host that uses it only
  const bad = prepare(opts, REGISTRY);
  assert.equal(
    bad.problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`),
    [`${join(dir, 'ansible.cfg')}:3:20: host plain: private key "${join(dir, 'missing.key')}" is not readable (ENOENT): expected a readable key file`],
  );
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'missing.key')]);
  const { prepared } = prepare(opts, REGISTRY);
  const plain = prepared!.conns.get('plain')!;
  const own = prepared!.conns.get('own')!;
  assert.equal([plain.user, plain.private_key_file, plain.connect_timeout], ['deploy', join(dir, 'missing.key'), 42]);
  assert.equal([own.user, own.private_key_file, own.connect_timeout], ['alice', join(dir, 'own.key'), 3]);
});

test.run();
