// systemd, systemd_service and service: planning from `systemctl show` (pure), and whole tasks on a
// fake host that records the systemctl commands (never this machine's services).
import * as v from 'valibot';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseShow, planUnit, service, systemd } from '../../tasks/ansible/service.ts';
import { failure, fakeCtx, fakeHost, tools } from './fake-host.ts';
import { play, playbook } from './engine-harness.ts';

const show = (active: string, file: string, load = 'loaded') => `LoadState=${load}\nActiveState=${active}\nUnitFileState=${file}\n`;

test('parseShow: the three properties', () => {
  assert.equal(parseShow(show('active', 'enabled')), { LoadState: 'loaded', ActiveState: 'active', UnitFileState: 'enabled' });
});

test('planUnit: only the difference; static counts as enabled; restarted always; reloaded starts a stopped unit; masked', () => {
  const cmds = (p: object, f: string) => planUnit({ name: 'node_exporter', no_block: false, ...p }, parseShow(f)).map((t) => t.cmd);
  assert.equal(cmds({ state: 'started', enabled: true }, show('inactive', 'disabled')), ["systemctl enable 'node_exporter'", "systemctl start 'node_exporter'"]);
  assert.equal(cmds({ state: 'started', enabled: true }, show('active', 'enabled')), []);
  assert.equal(cmds({ enabled: true }, show('active', 'static')), []);
  assert.equal(cmds({ state: 'stopped', enabled: false }, show('active', 'enabled')), ["systemctl disable 'node_exporter'", "systemctl stop 'node_exporter'"]);
  assert.equal(cmds({ state: 'restarted' }, show('active', 'enabled')), ["systemctl restart 'node_exporter'"]);
  assert.equal(cmds({ state: 'reloaded' }, show('failed', 'enabled')), ["systemctl start 'node_exporter'"]);
  assert.equal(cmds({ masked: true, state: 'stopped' }, show('inactive', 'disabled')), ["systemctl mask 'node_exporter'"]);
  assert.equal(cmds({ masked: false }, show('inactive', 'masked', 'masked')), ["systemctl unmask 'node_exporter'"]);
  assert.equal(planUnit({ name: 'x', state: 'restarted', no_block: true }, parseShow(show('active', 'enabled')))[0].cmd, "systemctl --no-block restart 'x'");
});

const unit = (state: { active: string; file: string }) =>
  fakeHost([
    tools('systemctl'),
    [/^systemctl show/, () => ({ stdout: show(state.active, state.file) })],
    [/^systemctl (start|enable)/, (c) => ((c.includes('start') ? (state.active = 'active') : (state.file = 'enabled')), {})],
  ]);

test('systemd: started+enabled applies the two commands; the second run is ok; daemon_reload runs before reading, not as a change', async () => {
  const state = { active: 'inactive', file: 'disabled' };
  const host = unit(state);
  const params = v.parse(systemd.schema, { name: 'prometheus', state: 'started', enabled: true, daemon_reload: true });
  const plan = await systemd.plan(fakeCtx(host), params);
  assert.equal(plan.changes, ['enable prometheus', 'start prometheus']);
  assert.ok(host.cmds.indexOf('systemctl daemon-reload') < host.cmds.findIndex((c) => c.startsWith('systemctl show')), 'reloaded before the state is read');
  await systemd.apply(fakeCtx(host), params, plan);
  assert.equal(state, { active: 'active', file: 'enabled' });
  const again = await systemd.plan(fakeCtx(host), params);
  assert.equal(again.changes, []);
  assert.equal(again.result, { name: 'prometheus', status: { LoadState: 'loaded', ActiveState: 'active', UnitFileState: 'enabled' }, state: 'started', enabled: true });
});

test('systemd in check mode: no daemon-reload, nothing run; a unit file an earlier task would write counts as there', async () => {
  const host = fakeHost([tools('systemctl'), [/^systemctl show/, { stdout: show('inactive', '', 'not-found') }]]);
  const ctx = fakeCtx(host, true);
  ctx.pending!.set('/etc/systemd/system/node_exporter.service', { exists: true });
  const plan = await systemd.plan(ctx, v.parse(systemd.schema, { name: 'node_exporter', state: 'started', daemon_reload: true }));
  assert.equal(plan.changes, ['start node_exporter']);
  assert.not.ok(host.cmds.some((c) => /daemon-reload|systemctl start/.test(c)));
});

test('systemd: a unit that is not there, and a host without systemctl, fail naming them', async () => {
  const missing = fakeHost([tools('systemctl'), [/^systemctl show/, { stdout: show('inactive', '', 'not-found') }]], 'web1');
  assert.is(await failure(systemd.plan(fakeCtx(missing), v.parse(systemd.schema, { name: 'nope', state: 'started' }))), 'systemd: no unit nope on web1');
  const none = fakeHost([tools()], 'web2');
  assert.is(await failure(service.plan(fakeCtx(none), v.parse(service.schema, { name: 'docker', state: 'started' }))), 'service: no systemctl on web2 (skiff manages services through systemd only)');
  const failing = fakeHost([tools('systemctl'), [/^systemctl show/, { stdout: show('inactive', 'disabled') }], [/^systemctl start/, { code: 1, stderr: 'Job for x.service failed.\n' }]]);
  const p = v.parse(systemd.schema, { name: 'x', state: 'started' });
  assert.match(await failure(systemd.apply(fakeCtx(failing), p, await systemd.plan(fakeCtx(failing), p))), /systemd: systemctl start x exited 1: Job for x.service failed/);
});

test('systemd/service in a playbook: the names are accepted; daemon_reload alone needs no name (service too, as Ansible runs systemd for it: geerlingguy.docker); service needs a state; a name with a leading dash refused', async () => {
  const ok = await play({ playbook: playbook(`- ansible.builtin.systemd: {daemon_reload: true}\n  when: false\n- ansible.builtin.systemd_service: {name: docker, enabled: yes}\n  when: false\n- service: {name: docker, state: restarted}\n  when: false\n- service: {daemon_reload: true}\n  when: false`) });
  assert.equal(ok.problems, []);
  const bad = await play({ playbook: playbook(`- service: {name: docker}\n- systemd: {name: "-x", state: started}`) });
  assert.is(bad.code, 'bad-input');
  assert.match(bad.problems[0], /play\d+\.yml:3:\d+: .*expected state, enabled, masked or daemon_reload/);
  assert.match(bad.problems[1], /expected a unit name \(not starting with -\)/);
});

test('service: sleep, pattern, runlevel and arguments are dropped with Ansible\'s warning, as its service action drops them for systemd (geerlingguy.postgresql\'s `sleep: 5`)', async () => {
  const state = { active: 'active', file: 'enabled' };
  const host = unit(state);
  const warned: string[] = [];
  const params = v.parse(service.schema, { name: 'postgresql', state: 'started', sleep: 5 });
  const plan = await service.plan({ ...fakeCtx(host), warn: (t: string) => warned.push(t) }, params);
  assert.equal(plan.changes, []);
  assert.equal(warned, ['Ignoring "sleep" as it is not used in "systemd"']);
});

test('service on a host whose service manager is not systemd (a container: process_api) runs Ansible\'s generic service module, as its service action does (dev-sec ssh_hardening\'s enable of sshd); sysvinit its own', async () => {
  const host = fakeHost([tools('systemctl')]);
  const ctx = (mgr: string) => ({ ...fakeCtx(host), vars: { ansible_facts: { service_mgr: mgr } } });
  const p = v.parse(service.schema, { name: 'ssh', enabled: true });
  assert.equal((await service.plan(ctx('process_api'), p)).changes, ['run the Python module ansible.legacy.service']);
  assert.equal((await service.plan(ctx('sysvinit'), p)).changes, ['run the Python module ansible.legacy.sysvinit']);
  assert.not.ok(host.cmds.some((c) => c.startsWith('systemctl')), 'no systemctl asked');
  // systemd itself (the module named so) stays skiff's
  await systemd.plan(ctx('process_api'), v.parse(systemd.schema, { name: 'ssh', enabled: true }));
  assert.ok(host.cmds.some((c) => c.startsWith('systemctl show')));
});

test.run();
