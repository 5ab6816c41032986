// Gathered facts: the script's output parsed into Ansible's names (outputs captured from a Debian 12
// host, and Alpine / Rocky outputs built from those systems' real os-release files and tools' formats),
// and what a play sees of them: gathered only when named, once per host, checked by name before the run.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FACT_SHAPE, FACTS_SCRIPT, factVars, parseFacts } from '../../src/engine/facts.ts';
import { calls, gathered, play, playbook } from './engine-harness.ts';
/** a play that gathers facts (the harness's playbook() says gather_facts: false unless told) */
const gathering = (tasks: string, extra = "") => playbook(tasks, `  gather_facts: true\n${extra}`);

const fixture = (n: string) => readFileSync(join(import.meta.dirname, 'fixtures', 'facts', `${n}.txt`), 'utf8');
const DEBIAN = fixture('debian12');
const ALPINE = fixture('alpine319');
const ROCKY = fixture('rocky93');

test('Debian 12: distribution, point release from /etc/debian_version, default route, python, env', () => {
  const f = parseFacts(DEBIAN);
  assert.equal([f.distribution, f.distribution_version, f.distribution_major_version, f.distribution_release, f.os_family], ['Debian', '12.11', '12', 'bookworm', 'Debian']);
  assert.equal([f.system, f.architecture, f.hostname, f.pkg_mgr, f.python_version, f.user_id, f.user_uid], ['Linux', 'x86_64', 'vm', 'apt', '3.11.7', 'root', 0]);
  assert.equal(f.default_ipv4, { interface: 'eth0', gateway: '192.0.2.1', address: '192.0.2.2', prefix: '24', netmask: '255.255.255.0', network: '192.0.2.0', broadcast: '192.0.2.255' });
  assert.equal((f.date_time as Record<string, string>).date, '2026-11-26');
  assert.equal((f.date_time as Record<string, string>).iso8601, '2026-11-26T13:27:54Z');
  assert.equal((f.env as Record<string, string>).MOTD, 'first line\nsecond line', 'a value with a newline stays one value');
  // PID 1 is not an init system here (a sandbox): Ansible names it as it is
  assert.is(f.service_mgr, 'process_api');
  // Python's getfqdn: the first name of the host's address ("localhost"), as ansible-core 2.14 said on this machine
  assert.equal([f.fqdn, f.domain, (f.python as { type: string }).type], ['localhost', '', 'cpython']);
  assert.is(f.memtotal_mb, 24105);
});

test('Alpine (busybox, no ip, no python): route from /proc/net/route, openrc, apk, short hostname', () => {
  const f = parseFacts(ALPINE);
  assert.equal([f.distribution, f.distribution_version, f.distribution_major_version, f.os_family, f.architecture], ['Alpine', '3.19.1', '3', 'Alpine', 'aarch64']);
  assert.equal(f.default_ipv4, { interface: 'eth0', gateway: '192.168.1.1' });
  assert.equal([f.service_mgr, f.pkg_mgr, f.hostname, f.fqdn, f.domain], ['openrc', 'apk', 'edge1', 'edge1.lan', 'lan']);
  assert.is(f.python, undefined, 'no python: no python facts, rather than made-up ones');
  assert.equal((f.date_time as Record<string, string>).tz_offset, '+0100');
});

test('Rocky 9.3: RedHat family by name, release from VERSION, default route, SELinux enforcing, dnf', () => {
  const f = parseFacts(ROCKY);
  assert.equal([f.distribution, f.distribution_version, f.distribution_major_version, f.distribution_release, f.os_family], ['Rocky', '9.3', '9', 'Blue Onyx', 'RedHat']);
  assert.equal(f.default_ipv4, { interface: 'ens3', gateway: '10.0.0.1', address: '10.0.0.23', prefix: '20', netmask: '255.255.240.0', network: '10.0.0.0', broadcast: '10.0.15.255' });
  assert.equal([f.service_mgr, f.pkg_mgr, f.selinux, f.python_version], ['systemd', 'dnf', { status: 'enabled', mode: 'enforcing' }, '3.9.18']);
});

test('an unknown distribution takes its family from ID_LIKE', () => {
  const out = ROCKY.replace('ID="rocky"', 'ID="eurolinux"').replace('NAME="Rocky Linux"', 'NAME="EuroLinux"');
  assert.equal([parseFacts(out).distribution, parseFacts(out).os_family], ['EuroLinux', 'RedHat']);
});

test('validation knows every fact a host can give (no more: a name it accepts exists after gathering)', () => {
  const keys = (o: unknown, at = ''): string[] => (o && typeof o === 'object' && !Array.isArray(o) ? Object.entries(o).flatMap(([k, v]) => (k === 'env' ? [`${at}${k}`] : [`${at}${k}`, ...keys(v, `${at}${k}.`)])) : []);
  const shape = new Set(keys(FACT_SHAPE));
  for (const out of [DEBIAN, ALPINE, ROCKY]) for (const k of keys(parseFacts(out))) assert.ok(shape.has(k), `${k} is gathered but unknown to validation`);
  for (const k of keys(FACT_SHAPE).filter((k) => !k.includes('.'))) assert.ok(keys(parseFacts(DEBIAN)).includes(k) || k === 'python' || k === 'python_version' || k.startsWith('mem') || k.startsWith('swap') || k.startsWith('processor'), `${k} is never gathered`);
});

test('the script runs under this machine\'s sh and reads its facts (read only)', () => {
  const f = parseFacts(execFileSync('sh', ['-c', FACTS_SCRIPT], { encoding: 'utf8' }));
  assert.is(f.system, 'Linux');
  assert.match(String(f.distribution_version), /^\d/);
  assert.ok(String(f.hostname).length > 0);
  assert.type((f.env as Record<string, string>).PATH, 'string');
});

test('a play that names a fact gathers once per host first ("Gathering Facts" ok), and its tasks see the values', async () => {
  const o = await play({ hosts: ['a', 'b'], facts: { a: DEBIAN, b: ROCKY }, playbook: gathering(`- probe: {id: "{{ ansible_distribution }}-{{ ansible_facts['os_family'] }}-{{ ansible_default_ipv4.address }}"}`) });
  assert.is(o.code, 'ran', o.problems.join('\n'));
  assert.equal(gathered.sort(), ['a', 'b']);
  assert.equal(o.lines.filter((l) => l.startsWith('a')), ['a Gathering Facts ok', 'a probe changed']);
  assert.equal(calls.sort(), ['a:Debian-Debian-192.0.2.2', 'b:Rocky-RedHat-10.0.0.23']);
  assert.is(o.summary!.recap.a.ok, 2); // the changed probe counts as ok too, as in Ansible
});

test("gathering is tagged always and the play's tags: --skip-tags of a play's tag leaves it out (include_import test_import_playbook_tags)", async () => {
  const pb = `- hosts: all\n  tags: [skipme]\n  tasks: [{probe: x, tags: [always]}]\n- hosts: all\n  tasks: [{probe: y, tags: [t]}]\n`;
  const o = await play({ facts: { a: DEBIAN }, playbook: pb, opts: { tags: ['t'], skipTags: ['skipme'] } });
  assert.equal(o.lines, ['a Gathering Facts ok', 'a probe changed']);
  assert.equal(calls, ['a:y']);
});

test('a play gathers unless gather_facts: false, as Ansible (implicit gathering), naming a fact or not', async () => {
  for (const extra of ['', '  gather_facts: true\n']) {
    const o = await play({ facts: { a: DEBIAN }, playbook: `- hosts: all\n${extra}  tasks:\n    - probe: {id: "{{ inventory_hostname }}"}\n` });
    assert.equal(gathered, ['a']);
    assert.equal(o.lines, ['a Gathering Facts ok', 'a probe changed']);
  }
  const off = await play({ facts: { a: DEBIAN }, playbook: playbook(`- probe: {id: "{{ inventory_hostname }}"}`, '  gather_facts: false\n') });
  assert.equal(gathered, []);
  assert.equal(off.lines, ['a probe changed']);
});

test('gather_facts: false never gathers: a fact named in it fails the task when it runs (as in Ansible), --strict refuses it before the run', async () => {
  const ran = await play({ facts: { a: DEBIAN }, playbook: playbook(`- probe: {id: "{{ ansible_hostname }}"}`, '  gather_facts: false\n') });
  assert.equal(ran.lines, ['a probe failed']);
  assert.match(ran.results[0].msg!, /^The task includes an option with an undefined variable. The error was: 'ansible_hostname' is undefined. 'ansible_hostname' is undefined\n\nThe error appears to be in '.*play\d+\.yml': line 4, column 7/);
  assert.equal(gathered, []);
  const o = await play({ facts: { a: DEBIAN }, playbook: playbook(`- probe: {id: "{{ ansible_hostname }}"}`, '  gather_facts: false\n'), opts: { strict: true } });
  assert.is(o.code, 'bad-input');
  assert.match(o.problems.join('\n'), /:4:\d+: unknown variable "ansible_hostname"/);
  assert.equal(gathered, []);
});

test('--strict: a misspelled fact is refused before any host is touched, with the nearest name', async () => {
  const o = await play({ facts: { a: DEBIAN }, playbook: gathering(`- probe: {id: "{{ ansible_distribtion }}"}\n- probe: {id: "{{ ansible_facts.os_famly }}"}\n- probe: {id: "{{ ansible_default_ipv4.adress }}"}`), opts: { strict: true } });
  assert.is(o.code, 'bad-input');
  const text = o.problems.join('\n');
  assert.match(text, /unknown variable "ansible_distribtion" \(did you mean "ansible_distribution"\?\)/);
  assert.match(text, /ansible_facts has no key "os_famly" \(did you mean "os_family"\?\)/);
  assert.match(text, /ansible_default_ipv4 has no key "adress" \(did you mean "address"\?\)/);
  assert.equal(gathered, []);
});

test('facts are kept for the run: a second play naming them does not gather again; hostvars[h] has them', async () => {
  const o = await play({
    hosts: ['a', 'b'],
    facts: { a: DEBIAN, b: ALPINE },
    playbook: `- hosts: all\n  tasks:\n    - probe: {id: "{{ ansible_hostname }}"}\n- hosts: a\n  gather_facts: false\n  tasks:\n    - probe: {id: "b-is-{{ hostvars['b']['ansible_facts']['distribution'] }}-{{ ansible_os_family }}"}\n`,
  });
  assert.is(o.code, 'ran', o.problems.join('\n'));
  assert.equal(gathered.sort(), ['a', 'b']);
  assert.ok(calls.includes('a:b-is-Alpine-Debian'), calls.join(' '));
});

test('every play that gathers gathers again (Ansible\'s implicit gathering: the set_fact target\'s recap counts each Gathering Facts); smart gathers once', async () => {
  const pb = `- hosts: a\n  tasks:\n    - probe: {id: one}\n- hosts: a\n  tasks:\n    - probe: {id: two}\n`;
  const o = await play({ facts: { a: DEBIAN }, playbook: pb });
  assert.equal(gathered, ['a', 'a']);
  assert.equal(o.results.filter((r) => r.task === 'Gathering Facts').length, 2);
  await play({ facts: { a: DEBIAN }, playbook: pb, opts: { gathering: 'smart' } });
  assert.equal(gathered, ['a']);
});

test('facts are over inventory vars and under play vars, as in Ansible', async () => {
  const inv = 'all:\n  hosts:\n    a: {connection: local, ansible_os_family: Mine, ansible_distribution: Mine}\n';
  const o = await play({ hosts: inv, facts: { a: DEBIAN }, playbook: gathering(`- probe: {id: "{{ ansible_os_family }}/{{ ansible_distribution }}"}`, '  vars: {ansible_distribution: PlayVar}\n') });
  assert.equal(calls, ['a:Debian/PlayVar']);
});

test('gathering that fails fails the host before its first task (and says why)', async () => {
  const o = await play({ facts: {}, playbook: gathering(`- probe: {id: "{{ ansible_hostname }}"}`) });
  assert.equal(o.lines, ['a Gathering Facts failed']);
  assert.match(o.results[0].msg!, /gathering facts: the script exited 127: no facts output given for a/);
  assert.equal(calls, []);
});

test('check mode gathers too (reading facts writes nothing)', async () => {
  const o = await play({ facts: { a: DEBIAN }, opts: { check: true }, playbook: gathering(`- probe: {id: "{{ ansible_hostname }}"}`) });
  assert.equal(o.lines, ['a Gathering Facts ok', 'a probe changed']);
  assert.equal(gathered, ['a']);
});

test('setup (and gather_facts) as a task gathers there, in a play that gathers none itself; register gets the facts', async () => {
  const o = await play({ facts: { a: ROCKY }, playbook: playbook(`- probe: before\n- ansible.builtin.setup:\n  register: s\n- probe: "{{ ansible_distribution }}-{{ s.ansible_facts.ansible_facts.pkg_mgr }}"\n- gather_facts: {gather_subset: [all]}\n- setup: {gather_subset: distribution}`, '  gather_facts: false\n') });
  assert.is(o.code, 'ran', o.problems.join('\n'));
  assert.equal(o.lines, ['a probe changed', 'a ansible.builtin.setup ok', 'a probe changed', 'a gather_facts ok', 'a setup ok']);
  assert.equal(calls, ['a:before', 'a:Rocky-dnf']);
  assert.equal(gathered, ['a', 'a', 'a']);
});

test('setup: a gather_subset skiff does not cover, or a filter, is answered by Ansible\'s setup module, exactly (gathering_facts target)', async () => {
  const o = await play({ facts: { a: DEBIAN }, playbook: playbook(`- setup: {gather_subset: ['!all'], filter: 'ansible_distribution*'}\n  register: r\n- probe: "{{ 'ansible_distribution' in r.ansible_facts }} {{ 'ansible_env' in r.ansible_facts }}"`) });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:True False'], JSON.stringify(o.results[0]?.msg));
  const before = await play({ facts: { a: DEBIAN }, playbook: playbook(`- probe: "{{ ansible_hostname }}"\n- setup:`, '  gather_facts: false\n'), opts: { strict: true } });
  assert.match(before.problems.join('\n'), /unknown variable "ansible_hostname"/, 'a fact is known after the setup task, not before');
});

test('the local facts of setup are the variable ansible_local, and ansible_facts.ansible_local (gathering target)', () => {
  const vars = factVars({ distribution: 'Debian', ansible_local: { uuid: { id: 1 } } });
  assert.equal(vars.ansible_local, { uuid: { id: 1 } });
  assert.is(vars.ansible_distribution, 'Debian');
  assert.is('ansible_ansible_local' in vars, false);
  assert.equal((vars.ansible_facts as Record<string, unknown>).ansible_local, { uuid: { id: 1 } });
});

test.run();
