// Python interpreter discovery as Ansible's (interpreter_discovery_python target): ansible_python_interpreter
// auto/auto_silent/auto_legacy/auto_legacy_silent finds the host's Python once (its fact in the first
// module task's result), clear_facts makes the next module task find it again, and modules may not set
// the interpreter facts themselves.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { discoverPython, osRelease, versionMatch } from '../../src/engine/interpreter-discovery.ts';
import { fakeHost } from './fake-host.ts';
import { execs, play, playbook } from './engine-harness.ts';

const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';
const RHEL7 = 'NAME="Red Hat Enterprise Linux Server"\nID="rhel"\nVERSION_ID="7.9"\n';

test("os-release's ID and VERSION_ID, quotes off", () => {
  assert.equal(osRelease(DEBIAN), { id: 'debian', version: '12' });
  assert.equal(osRelease(RHEL7), { id: 'rhel', version: '7.9' });
});

test("the distribution's version picks the platform Python: exact, else the nearest before, else the oldest", () => {
  const debian = { '8': '/usr/bin/python', '10': '/usr/bin/python3' };
  assert.is(versionMatch('12', debian), '/usr/bin/python3');
  assert.is(versionMatch('9', debian), '/usr/bin/python');
  assert.is(versionMatch('7', debian), '/usr/bin/python');
  assert.is(versionMatch('8.4', { '6': '/usr/bin/python', '8': '/usr/libexec/platform-python', '9': '/usr/bin/python3' }), '/usr/libexec/platform-python');
  assert.is(versionMatch('22.04', { '14': '/usr/bin/python', '16': '/usr/bin/python3' }), '/usr/bin/python3');
});

/** A Linux host with these Pythons and this os-release. */
const host = (pythons: string[], osrelease: string) =>
  fakeHost([
    [/^echo PLATFORM/, (cmd) => ({ stdout: `PLATFORM\nLinux\nFOUND\n${pythons.filter((p) => cmd.includes(`command -v '${p}'`) || cmd.includes(`command -v '${p.split('/').pop()}'`)).join('\n')}\nENDFOUND\n` })],
    [/^\//, { stdout: JSON.stringify({ platform_dist_result: [], osrelease_content: osrelease }) }],
  ]);

test('Debian 12 with /usr/bin/python3: that one, no warning (auto)', async () => {
  assert.equal(await discoverPython(host(['/usr/bin/python3.11', '/usr/bin/python3'], DEBIAN), 'h1', 'auto'), { interpreter: '/usr/bin/python3', warnings: [] });
});

test('auto_legacy keeps /usr/bin/python where there is one, with a warning; auto_legacy_silent without', async () => {
  const legacy = await discoverPython(host(['/usr/bin/python3', '/usr/bin/python'], DEBIAN), 'h1', 'auto_legacy');
  assert.is(legacy.interpreter, '/usr/bin/python');
  assert.match(legacy.warnings[0], /^Distribution debian 12 on host h1 should use \/usr\/bin\/python3, but is using \/usr\/bin\/python for backward compatibility/);
  assert.equal(await discoverPython(host(['/usr/bin/python3', '/usr/bin/python'], DEBIAN), 'h1', 'auto_legacy_silent'), { interpreter: '/usr/bin/python', warnings: [] });
});

test('a platform Python that is not there: the first found, with a warning (none when silent)', async () => {
  const r = await discoverPython(host(['/usr/bin/python3.9'], RHEL7), 'h1', 'auto');
  assert.is(r.interpreter, '/usr/bin/python3.9');
  assert.match(r.warnings.join('\n'), /should use \/usr\/bin\/python, but is using \/usr\/bin\/python3.9, since the discovered platform python interpreter was not present/);
  assert.equal((await discoverPython(host(['/usr/bin/python3.9'], RHEL7), 'h1', 'auto_silent')).warnings, []);
});

test('an unknown distribution: the first Python found, with the fallback warning', async () => {
  const r = await discoverPython(host(['/usr/bin/python3'], 'ID=alpine\nVERSION_ID=3.19\n'), 'h1', 'auto');
  assert.equal(r.interpreter, '/usr/bin/python3');
  assert.match(r.warnings[0], /^Platform linux on host h1 is using the discovered Python interpreter at \/usr\/bin\/python3, but future installation/);
});

// the target's own sequence, on this machine (a Debian with /usr/bin/python3)
test('auto: the first module task carries discovered_interpreter_python, the next not; clear_facts discovers again; a module cannot set it', async () => {
  const o = await play({
    playbook: playbook(
      [
        '- ping:',
        '  vars: {ansible_python_interpreter: auto}',
        '  register: auto_out',
        '- ping:',
        '  vars: {ansible_python_interpreter: auto}',
        '  register: again',
        '- meta: clear_facts',
        '- ping:',
        '  vars: {ansible_python_interpreter: auto_silent}',
        '  register: silent',
        '- raw: "true"',
        '  vars: {ansible_python_interpreter: auto}',
        '  register: raw_out',
        '- assert:',
        '    that:',
        '      - auto_out.ansible_facts.discovered_interpreter_python == "/usr/bin/python3"',
        '      - again.ansible_facts is not defined',
        '      - silent.ansible_facts.discovered_interpreter_python == "/usr/bin/python3"',
        '      - silent.warnings is not defined',
        '      - raw_out.ansible_facts is not defined',
        '      - discovered_interpreter_python == "/usr/bin/python3"',
      ].join('\n'),
    ),
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines.at(-1), 'a assert ok', JSON.stringify(o.results.at(-1)));
});

test("a module's own discovered_interpreter_* facts are dropped, its ansible_*_interpreter is not a variable (with a warning)", async () => {
  const mod = `#!/usr/bin/python
from ansible.module_utils.basic import AnsibleModule
m = AnsibleModule(argument_spec=dict(facts=dict(type=dict, default={})))
m.exit_json(changed=False, ansible_facts=m.params['facts'])
`;
  const o = await play({
    playbook: playbook(
      [
        '- echo_facts:',
        '    facts: {ansible_discovered_interpreter_bogus: x, discovered_interpreter_bogus: y, ansible_bogus_interpreter: z, test_fact: t}',
        '- assert:',
        '    that:',
        "      - test_fact == 't'",
        "      - discovered_interpreter_bogus | default('nope') == 'nope'",
        "      - ansible_bogus_interpreter | default('nope') == 'nope'",
        "      - ansible_facts['ansible_bogus_interpreter'] | default('nope') == 'nope'",
        "      - ansible_facts['discovered_interpreter_bogus'] | default('nope') == 'nope'",
      ].join('\n'),
    ),
    files: { 'library/echo_facts.py': mod },
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a echo_facts ok', 'a assert ok'], JSON.stringify(o.results.at(-1)));
});

test("a task delegated without delegate_facts discovers the delegate's Python for itself: no fact in its result, none kept (ActionBase._configure_module); with delegate_facts, the delegate's fact", async () => {
  execs.length = 0;
  const o = await play({
    hosts: 'all:\n  hosts:\n    a: {connection: local}\n    b: {connection: local, ansible_python_interpreter: auto}\n',
    playbook: `- hosts: a
  gather_facts: false
  tasks:
    - {ping: , delegate_to: b, register: d1}
    - {ping: , delegate_to: b, register: d2}
    - {ping: , delegate_to: b, delegate_facts: true, register: d3}
    - {ping: , delegate_to: b, register: d4}
    - assert:
        that:
          - d1.ansible_facts is not defined
          - d3.ansible_facts.discovered_interpreter_python == "/usr/bin/python3"
          - hostvars.b.ansible_facts.discovered_interpreter_python == "/usr/bin/python3"
          - discovered_interpreter_python is not defined
`,
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines.at(-1), 'a assert ok', JSON.stringify(o.results.at(-1)));
  // found on b by each of the first three (Ansible's worker keeps no copy), not by the fourth: b's fact
  assert.is(execs.filter((e) => e.startsWith('b: echo PLATFORM')).length, 3);
});

test.run();
