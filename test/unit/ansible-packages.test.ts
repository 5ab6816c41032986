// apt, package, yum and dnf: planning from dpkg/apt facts (pure), and whole tasks on a fake host that
// records the commands (never this machine's packages).
import * as v from 'valibot';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { apt, aptCommands, dnf, packageType, parseDpkg, parsePolicy, planApt, yum } from '../../tasks/ansible/packages.ts';
import { failure, fakeCtx, fakeHost, tools } from './fake-host.ts';
import { play, playbook } from './engine-harness.ts';
import { TASK_TYPES } from '../../tasks/index.ts';
import { unsupportedKeys } from '../../src/playbook/unsupported-params.ts';

const DPKG = 'curl\tinstalled\t7.88.1-10\nvim\tconfig-files\t2:9.0\nlibc6:amd64\tinstalled\t2.36-9\n';
const POLICY = 'curl:\n  Installed: 7.88.1-10\n  Candidate: 7.88.1-12\n  Version table:\n     7.88.1-12 500\ngit:\n  Installed: (none)\n  Candidate: 1:2.39\n';

test('parseDpkg: installed only (config-files is not installed); the :arch suffix dropped', () => {
  assert.equal([...parseDpkg(DPKG)], [['curl', '7.88.1-10'], ['libc6', '2.36-9']]);
});

test('parsePolicy: the candidate of each package', () => {
  assert.equal([...parsePolicy(POLICY)], [['curl', '7.88.1-12'], ['git', '1:2.39']]);
});

test('planApt: present installs the missing only; =VERSION (glob) compared; latest upgrades older; absent removes the installed', () => {
  const f = { installed: parseDpkg(DPKG), candidate: parsePolicy(POLICY) };
  assert.equal(planApt({ name: ['curl', 'git', 'vim'], state: 'present' }, f), { install: ['git', 'vim'], upgrade: [], remove: [] });
  assert.equal(planApt({ name: ['curl=7.88.1-*', 'libc6=2.37*'], state: 'present' }, f), { install: ['libc6=2.37*'], upgrade: [], remove: [] });
  assert.equal(planApt({ name: ['curl', 'libc6'], state: 'latest' }, f), { install: [], upgrade: ['curl'], remove: [] });
  assert.equal(planApt({ name: ['curl', 'git'], state: 'absent' }, f), { install: [], upgrade: [], remove: ['curl'] });
});

test('aptCommands: noninteractive, old config kept, every name quoted', () => {
  const cmds = aptCommands({ allow_downgrade: true, install_recommends: false, purge: true }, { install: ["a'b"], upgrade: ['c'], remove: ['d'] });
  assert.equal(cmds, [
    "DEBIAN_FRONTEND=noninteractive apt-get install '-y' '-q' '-o' 'Dpkg::Options::=--force-confdef' '-o' 'Dpkg::Options::=--force-confold' '--allow-downgrades' '--no-install-recommends' -- 'a'\\''b' 'c'",
    "DEBIAN_FRONTEND=noninteractive apt-get purge -y -q -- 'd'",
  ]);
});

const p = (params: unknown) => v.parse(apt.schema, params);

test('apt: installs what is missing; a second run (now installed) is ok; the cache is refreshed before deciding, not a change', async () => {
  let installed = DPKG;
  const host = fakeHost([tools('apt-get', 'dpkg-query'), [/update-success-stamp/, { stdout: '99999\n' }], [/^dpkg-query/, () => ({ stdout: installed, code: 1 })]]);
  const ctx = fakeCtx(host);
  const params = p({ name: ['curl', 'git'], update_cache: true, cache_valid_time: 3600 });
  const plan = await apt.plan(ctx, params);
  assert.equal(plan.changes, ['install git']);
  assert.ok(host.cmds.some((c) => c.includes('apt-get update')), 'stale cache refreshed');
  assert.equal(plan.result, { cache_updated: true });
  await apt.apply(ctx, params, plan);
  assert.match(host.cmds.at(-1)!, /apt-get install .* -- 'git'$/);
  installed += 'git\tinstalled\t1:2.39\n';
  host.cmds.length = 0;
  const again = await apt.plan(ctx, params);
  assert.equal(again.changes, []);
});

test('apt in check mode: the cache is not refreshed and nothing is installed; the plan says what would be', async () => {
  const host = fakeHost([tools('apt-get', 'dpkg-query'), [/update-success-stamp/, { stdout: '99999\n' }], [/^dpkg-query/, { stdout: DPKG }]]);
  const plan = await apt.plan(fakeCtx(host, true), p({ name: 'git,curl', state: 'present', update_cache: true }));
  assert.equal(plan.changes, ['install git']);
  assert.match(plan.note!, /not refreshed in check mode/);
  assert.not.ok(host.cmds.some((c) => /apt-get (update|install)/.test(c) && !c.includes('--simulate')));
  assert.ok(host.cmds.some((c) => /apt-get install --simulate .* -- 'git'$/.test(c)), 'apt-get simulates the install, as Ansible\'s apt does in check mode');
});

test('apt in check mode: a package apt-get cannot install fails as in Ansible (mrlesmithjr ntp: ntp conflicts with the installed time daemon)', async () => {
  const host = fakeHost([tools('apt-get', 'dpkg-query'), [/^dpkg-query/, { stdout: '' }], [/apt-get install --simulate/, { code: 100, stdout: ' ntpsec : Conflicts: time-daemon\n', stderr: 'E: Error, pkgProblemResolver::Resolve generated breaks, this may be caused by held packages.\n' }]]);
  const msg = await failure(apt.plan(fakeCtx(host, true), p({ name: 'ntp' })));
  assert.match(msg, /apt: apt-get exited 100: E: Error, pkgProblemResolver::Resolve generated breaks/);
});

test('apt: update_cache alone is a change unless the cache is younger than cache_valid_time', async () => {
  const young = fakeHost([tools('apt-get', 'dpkg-query'), [/update-success-stamp/, { stdout: '60\n' }]]);
  assert.equal((await apt.plan(fakeCtx(young), p({ update_cache: true, cache_valid_time: 3600 }))).changes, []);
  const old = fakeHost([tools('apt-get', 'dpkg-query'), [/update-success-stamp/, { stdout: '7200\n' }]]);
  const plan = await apt.plan(fakeCtx(old), p({ update_cache: true, cache_valid_time: 3600 }));
  assert.equal(plan.changes, ['update the apt cache']);
  assert.not.ok(old.cmds.some((c) => c.includes('apt-get update')), 'not in the plan');
  await apt.apply(fakeCtx(old), p({ update_cache: true }), plan);
  assert.ok(old.cmds.some((c) => c.includes('apt-get update')));
});

test('apt: a failing apt-get fails the task with its last lines', async () => {
  const host = fakeHost([tools('apt-get', 'dpkg-query'), [/^dpkg-query/, { stdout: '' }], [/apt-get install/, { code: 100, stderr: 'E: Unable to locate package nope\n' }]]);
  const ctx = fakeCtx(host);
  const plan = await apt.plan(ctx, p({ name: 'nope' }));
  assert.match(await failure(apt.apply(ctx, p({ name: 'nope' }), plan)), /apt: apt-get exited 100: E: Unable to locate package nope/);
});

test('apt/package/yum/dnf on a host without them: the failure names what is missing', async () => {
  const none = fakeHost([tools()], 'web1');
  assert.is(await failure(apt.plan(fakeCtx(none), p({ name: 'curl' }))), 'apt: no apt-get on web1');
  const rh = fakeHost([tools('dnf')], 'rh1');
  // package on a dnf host: Ansible's dnf module, as its package action picks it
  assert.equal((await packageType.plan(fakeCtx(rh), v.parse(packageType.schema, { name: 'curl' }))).changes, ['run the Python module ansible.legacy.dnf']);
  assert.is(await failure(packageType.plan(fakeCtx(none), v.parse(packageType.schema, { name: "curl" }))), "package: no apt-get on web1");
  assert.is(await failure(yum.plan(fakeCtx(none), v.parse(yum.schema, { name: ['git'], state: 'installed' }))), 'yum: no yum on web1');
  assert.match(await failure(dnf.plan(fakeCtx(rh), v.parse(dnf.schema, { name: 'git' }))), /^dnf: skiff does not run dnf \(apt only\); rh1 has it/);
});

test('package on an apt host: apt\'s plan (removed = absent)', async () => {
  const host = fakeHost([tools('apt-get', 'dpkg-query'), [/^dpkg-query/, { stdout: DPKG }]]);
  const plan = await packageType.plan(fakeCtx(host), v.parse(packageType.schema, { name: ['curl', 'git'], state: 'removed' }));
  assert.equal(plan.changes, ['remove curl']);
});

test('apt/package/yum in a playbook: accepted by their three names; a wrong state refused before the run with its position', async () => {
  const ok = await play({ playbook: playbook(`- ansible.builtin.apt: {name: [curl], state: latest, update_cache: yes}\n  when: false\n- package: {name: curl}\n  when: false\n- package: {name: fail2ban, enablerepo: epel}\n  when: false\n- ansible.legacy.yum: {name: curl, enablerepo: x}\n  when: false`) });
  assert.equal(ok.problems, []);
  const bad = await play({ playbook: playbook(`- apt: {name: curl, state: installd}`) });
  assert.is(bad.code, 'bad-input');
  assert.match(bad.problems[0], /play\d+\.yml:3:\d+: state: got "installd", expected present, absent or latest/);
  const deb = await play({ playbook: playbook(`- apt: {name: ./x.deb}`) });
  assert.match(deb.problems[0], /a \.deb file or URL is not supported/);
});

test('apt with a templated name that is empty under a when already false is skipped, not refused at load (geerlingguy.varnish: `name: "{{ modules_pkg }}"` under `when: modules_pkg`)', async () => {
  const o = await play({ playbook: playbook(`- apt: {name: "{{ modules_pkg }}", state: present}\n  when: modules_pkg`, `  vars: {modules_pkg: ""}\n`) });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a apt skipped']);
  // a key written with no value is None, as if not given (jnv.unattended-upgrades' `pkg:` under a false when)
  const none = await play({ playbook: playbook(`- apt:\n    pkg:\n    update_cache: yes\n  when: false`) });
  assert.equal(none.problems, []);
  assert.equal(none.lines, ['a apt skipped']);
  // no name at all is still refused whatever the when (Ansible's required_one_of)
  const bad = await play({ playbook: playbook(`- apt: {state: present}\n  when: false`) });
  assert.match(bad.problems[0], /expected name \(or update_cache: true\)/);
});

test('apt with an empty list of names is accepted and does nothing, as Ansible\'s (Oefenweb.apt: `name: "{{ apt_install }}"`, [] by default)', async () => {
  const o = await play({ playbook: playbook(`- apt: {name: "{{ none }}", state: latest}\n- apt: {name: [], state: absent}`, `  vars: {none: []}\n`) });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a apt ok', 'a apt ok']);
});

test('package passes the manager\'s own options on (robertdebock.bootstrap: package with update_cache on an apt host): not failed as unsupported', async () => {
  const pkg = TASK_TYPES.get('ansible.builtin.package')!;
  assert.equal(unsupportedKeys(pkg, { name: 'sudo', state: 'present', update_cache: true }), []);
  // on an apt host it runs as Ansible's apt module, which takes update_cache
  const host = fakeHost([tools('apt-get', 'dpkg-query')]);
  assert.equal((await packageType.plan(fakeCtx(host), v.parse(packageType.schema, { name: 'sudo', update_cache: true }))).changes, ['run the Python module ansible.legacy.apt']);
  // a module with a fixed set still fails on what it lacks (command's warn, gone in 2.14)
  assert.equal(unsupportedKeys(TASK_TYPES.get('ansible.builtin.command')!, { cmd: 'true', warn: false }), ['warn']);
});

test('package without a name (update_cache alone) and a glob name (`*` with latest: upgrade all) run as Ansible\'s apt module, not refused at load (the CIS roles\' prelim and 1.2.2.1)', async () => {
  const o = await play({ playbook: playbook(`- ansible.builtin.package: {update_cache: true}\n  when: false\n- ansible.builtin.package: {name: "*", state: latest}\n  when: false\n- apt: {name: "*", state: latest}\n  when: false\n- apt: {name: "python3-*"}\n  when: false`) });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a ansible.builtin.package skipped', 'a ansible.builtin.package skipped', 'a apt skipped', 'a apt skipped']);
  const host = fakeHost([tools('apt-get', 'dpkg-query')]);
  assert.equal((await packageType.plan(fakeCtx(host), v.parse(packageType.schema, { update_cache: true }))).changes, ['run the Python module ansible.legacy.apt']);
  assert.equal((await packageType.plan(fakeCtx(host), v.parse(packageType.schema, { name: '*', state: 'latest' }))).changes, ['run the Python module ansible.legacy.apt']);
});

test('apt: cache_valid_time alone refreshes a cache older than it, as Ansible\'s apt (`if update_cache or cache_valid_time`); in check mode it is not refreshed but cache_updated is said, as Ansible says it (Oefenweb roles)', async () => {
  const old = fakeHost([tools('apt-get', 'dpkg-query'), [/update-success-stamp/, { stdout: '90000\n' }], [/^dpkg-query/, { stdout: 'git\tinstalled\t1:2.39\n' }]]);
  const plan = await apt.plan(fakeCtx(old), p({ name: 'git', cache_valid_time: 3600 }));
  assert.ok(old.cmds.some((c) => c.includes('apt-get update')));
  assert.is(plan.result!.cache_updated, true);
  const checked = fakeHost([tools('apt-get', 'dpkg-query'), [/update-success-stamp/, { stdout: '90000\n' }], [/^dpkg-query/, { stdout: 'git\tinstalled\t1:2.39\n' }]]);
  const c = await apt.plan(fakeCtx(checked, true), p({ name: 'git', update_cache: true, cache_valid_time: 3600 }));
  assert.not.ok(checked.cmds.some((x) => x.includes('apt-get update')));
  assert.is(c.result!.cache_updated, true);
});

test.run();
