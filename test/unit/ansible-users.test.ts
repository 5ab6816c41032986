// user and group: planning from getent/id (pure), and whole tasks on a fake host that records the
// commands (never this machine's accounts).
import * as v from 'valibot';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { group, parseUser, planGroup, planUser, user } from '../../tasks/ansible/users.ts';
import { failure, fakeCtx, fakeHost, tools } from './fake-host.ts';
import { play, playbook } from './engine-harness.ts';

const up = (x: object) => v.parse(user.schema, { name: 'node_exporter', ...x });
const gp = (x: object) => v.parse(group.schema, { name: 'node_exporter', ...x });
const NE = { uid: 998, gid: 998, group: 'node_exporter', comment: '', home: '/', shell: '/usr/sbin/nologin', groups: [] };

test('parseUser: passwd line, primary group name, supplementary groups without the primary; missing', () => {
  assert.equal(parseUser('deploy:x:1001:1001:Deploy,,,:/home/deploy:/bin/bash\ndeploy\ndeploy docker adm\n'), { uid: 1001, gid: 1001, group: 'deploy', comment: 'Deploy,,,', home: '/home/deploy', shell: '/bin/bash', groups: ['docker', 'adm'] });
  assert.is(parseUser('missing\n'), undefined);
});

test('planGroup: create (system, gid), change gid, nothing when so, remove', () => {
  assert.equal(planGroup(gp({ system: true, gid: 990 }), undefined), { changes: ['create group node_exporter (gid 990)'], cmd: "groupadd '-g' '990' '-r' 'node_exporter'" });
  assert.equal(planGroup(gp({ gid: 990 }), { name: 'node_exporter', gid: 991 }).cmd, "groupmod '-g' '990' 'node_exporter'");
  assert.equal(planGroup(gp({}), { name: 'node_exporter', gid: 991 }), { changes: [] });
  assert.equal(planGroup(gp({ state: 'absent' }), { name: 'node_exporter', gid: 991 }).cmd, "groupdel 'node_exporter'");
  assert.equal(planGroup(gp({ state: 'absent' }), undefined), { changes: [] });
});

test("planUser password: the crypt hash set when it differs (update_password always) or on create only; never shown in the changes (setup_test_user)", () => {
  const hash = '$6$rounds=656000$salt$abc';
  assert.equal(planUser(up({ password: hash }), undefined), { changes: ['create user node_exporter', 'password of user node_exporter'], cmd: "useradd '-m' 'node_exporter'", password: hash });
  assert.equal(planUser(up({ password: hash }), { ...NE, hash }), { changes: [] }, 'the second run');
  const other = planUser(up({ password: hash }), { ...NE, hash: '!' });
  assert.equal([other.changes, other.password], [['password of user node_exporter'], hash]);
  assert.equal(planUser(up({ password: hash, update_password: 'on_create' }), { ...NE, hash: '!' }), { changes: [] });
  assert.not.match(JSON.stringify(other.changes), 'salt');
  assert.equal(planUser(up({ state: 'absent', remove: true, force: true }), NE).cmd, "userdel '-f' '-r' 'node_exporter'");
});

test('planUser: a system user as the node_exporter role makes it; only the differences with usermod; groups exact or appended', () => {
  const sys = up({ system: true, shell: '/usr/sbin/nologin', group: 'node_exporter', create_home: false, home: '/' });
  assert.equal(planUser(sys, undefined).cmd, "useradd '-g' 'node_exporter' '-s' '/usr/sbin/nologin' '-d' '/' '-r' '-M' 'node_exporter'");
  assert.equal(planUser(sys, NE), { changes: [] }, 'the second run');
  assert.equal(planUser(up({ shell: '/bin/bash', uid: 1000 }), NE), { changes: ['uid of user node_exporter: 998 -> 1000', 'shell of user node_exporter: /usr/sbin/nologin -> /bin/bash'], cmd: "usermod '-u' '1000' '-s' '/bin/bash' 'node_exporter'" });
  const inGroups = { ...NE, groups: ['adm'] };
  assert.equal(planUser(up({ groups: 'docker', append: true }), inGroups).cmd, "usermod '-a' '-G' 'docker' 'node_exporter'");
  assert.equal(planUser(up({ groups: ['adm'], append: true }), inGroups), { changes: [] });
  assert.equal(planUser(up({ groups: ['docker'] }), inGroups).cmd, "usermod '-G' 'docker' 'node_exporter'", 'without append: exactly these');
  assert.equal(planUser(up({ groups: [] }), inGroups).cmd, "usermod '-G' '' 'node_exporter'");
  assert.equal(planUser(up({ group: 998 }), NE), { changes: [] }, 'a gid (a YAML number) for the primary group');
  assert.equal(planUser(up({ state: 'absent', remove: true }), NE).cmd, "userdel '-r' 'node_exporter'");
});

test('user: the account is created; the second run (getent now finds it) is ok; check mode runs nothing', async () => {
  let exists = false;
  const host = fakeHost([tools('useradd', 'usermod'), [/getent passwd/, () => ({ stdout: exists ? 'node_exporter:x:998:998::/:/usr/sbin/nologin\nnode_exporter\nnode_exporter\n' : 'missing\n' })], [/^useradd/, () => ((exists = true), {})]]);
  const p = up({ system: true, shell: '/usr/sbin/nologin', create_home: false, home: '/' });
  const check = await user.plan(fakeCtx(host, true), p);
  assert.equal(check.changes, ['create user node_exporter']);
  assert.not.ok(host.cmds.some((c) => c.startsWith('useradd')));
  assert.equal(check.result, {}, "check mode: only changed, as the module's");
  const plan = await user.plan(fakeCtx(host), p);
  // what the account came to, as the module's user_info: group is the gid (become target: put_file.gid == test_user.group)
  const made = await user.apply(fakeCtx(host), p, plan);
  assert.ok(exists);
  assert.equal(made, { name: 'node_exporter', state: 'present', system: true, create_home: false, uid: 998, group: 998, comment: '', home: '/', shell: '/usr/sbin/nologin' });
  const again = await user.plan(fakeCtx(host), p);
  assert.equal(again.changes, []);
  assert.equal(again.result, { name: 'node_exporter', state: 'present', append: false, move_home: false, uid: 998, group: 998, comment: '', home: '/', shell: '/usr/sbin/nologin' });
});

test('group: its result as the module\'s: gid the host gave a new group, system; check mode only changed; absent without gid; non_unique is -o and needs gid (group target)', async () => {
  let gid: number | undefined;
  const host = fakeHost([tools('groupadd', 'groupdel'), [/getent group/, () => ({ stdout: gid === undefined ? '' : `ansibullgroup:x:${gid}:\n` })], [/^groupadd/, () => ((gid = 1001), {})], [/^groupdel/, () => ((gid = undefined), {})]]);
  const p = gp({ name: 'ansibullgroup' });
  const check = await group.plan(fakeCtx(host, true), p);
  assert.equal([check.changes, check.result], [['create group ansibullgroup'], {}]);
  const made = await group.apply(fakeCtx(host), p, await group.plan(fakeCtx(host), p));
  assert.equal(made, { name: 'ansibullgroup', state: 'present', system: false, gid: 1001 });
  assert.equal((await group.plan(fakeCtx(host), p)).result, { name: 'ansibullgroup', state: 'present', system: false, gid: 1001 });
  const gone = gp({ name: 'ansibullgroup', state: 'absent' });
  assert.equal(await group.apply(fakeCtx(host), gone, await group.plan(fakeCtx(host), gone)), { name: 'ansibullgroup', state: 'absent' });
  assert.equal(planGroup(gp({ gid: 990, non_unique: true }), undefined).cmd, "groupadd '-g' '990' '-o' 'node_exporter'");
  assert.is(await failure(group.plan(fakeCtx(host), gp({ non_unique: true }))), 'non_unique is True but all of the following are missing: gid');
});

test('user/group: a host without the tools, and a failing command, fail naming them', async () => {
  const none = fakeHost([tools(), [/getent passwd/, { stdout: 'missing\n' }]], 'alpine1');
  assert.is(await failure(user.plan(fakeCtx(none), up({}))), 'user: no useradd on alpine1');
  assert.is(await failure(group.plan(fakeCtx(none), gp({}))), 'group: no groupadd on alpine1');
  const taken = fakeHost([tools('groupadd'), [/^groupadd/, { code: 4, stderr: "groupadd: GID '990' already exists\n" }]]);
  const p = gp({ gid: 990 });
  assert.is(await failure(group.apply(fakeCtx(taken), p, await group.plan(fakeCtx(taken), p))), "group: groupadd exited 4: groupadd: GID '990' already exists");
});

test('user/group in a playbook: accepted by their names; a bad name or a relative shell refused before the run', async () => {
  const ok = await play({ playbook: playbook(`- ansible.builtin.group: {name: docker, state: present, system: true}\n  when: false\n- user: {name: deploy, groups: docker, append: yes, createhome: no}\n  when: false`) });
  assert.equal(ok.problems, []);
  const bad = await play({ playbook: playbook(`- user: {name: "bad name", shell: bash}`) });
  assert.is(bad.code, 'bad-input');
  assert.match(bad.problems.join('\n'), /name: got "bad name", expected a user or group name/);
  assert.match(bad.problems.join('\n'), /shell: got "bash", expected the absolute path of a shell/);
});

test.run();
