// pip through the engine on a local host, against /usr/bin/python3's real pip (no network needed): a
// package that is installed is ok, one that is not is a pending change in check mode, and the options
// skiff does not honour (virtualenv...) run Ansible's own pip module instead.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { play, playbook, type Outcome } from './engine-harness.ts';
import { isPresent, parseRequirement, recoverNames, satisfies, shSplit } from '../../tasks/ansible/pip.ts';

const statuses = (o: Outcome) => o.results.map((r) => r.status);
const reg = (o: Outcome, i: number) => o.results[i].registered as Record<string, any>;

test('pip: an installed package (passlib, PyYAML as pyyaml) is ok with state present, without installing anything', async () => {
  const o = await play({ playbook: playbook(`- pip: {name: passlib, state: present}\n  register: a\n- pip: {name: 'pyyaml>=5'}\n  register: b\n- pip: {name: [passlib, yaml-not-there-xyz], state: absent}\n  check_mode: true\n  register: c`) });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['ok', 'ok', 'changed']);
  assert.is(reg(o, 0).changed, false);
  assert.is(reg(o, 0).state, 'present');
  assert.equal(reg(o, 0).name, ['passlib']);
  assert.ok(/passlib==/i.test(reg(o, 0).stdout));
  assert.is(reg(o, 0).cmd, '/usr/bin/python3 -m pip.__main__ list --format=freeze');
});

test('pip: in check mode a package that is not installed is changed, and nothing is installed', async () => {
  const o = await play({ playbook: playbook(`- pip: {name: skiff-not-a-package-xyz}\n  register: a\n- pip: {name: passlib, version: '0.1'}\n  register: b\n- pip: {name: passlib, state: latest}\n  register: c`), opts: { check: true } });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['changed', 'changed', 'changed']);
  assert.is(reg(o, 0).cmd, '/usr/bin/python3 -m pip.__main__ list --format=freeze');
});

test("pip: virtualenv options run Ansible's pip module (check mode: a venv to make is a change, nothing made); version with several names fails as Ansible", async () => {
  const venv = `${tmpdir()}/skiff-venv-${process.pid}`;
  const o = await play({ playbook: playbook(`- pip: {name: passlib, virtualenv: ${venv}}`), opts: { check: true } });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['changed']);
  assert.not.ok(existsSync(venv));
  const p = await play({ playbook: playbook(`- pip: {name: [a, b], version: '1'}\n  ignore_errors: true\n  register: a`) });
  assert.ok(String(reg(p, 0).msg).startsWith("'version' argument is ambiguous"));
});

test('pip: requirement parsing and version specifiers as pip reads them', () => {
  assert.equal(recoverNames(['django>1.11.1', '<1.11.3', 'ipaddress']), ['django>1.11.1,<1.11.3', 'ipaddress']);
  assert.equal(parseRequirement('Py_YAML[x] >=5, <7').specs, [['>=', '5'], ['<', '7']]);
  assert.ok(satisfies('1.7.4', [['~=', '1.7']]));
  assert.not.ok(satisfies('2.0', [['~=', '1.7']]));
  assert.ok(satisfies('6.0', [['==', '6.*']]));
  assert.ok(isPresent(parseRequirement('pyyaml<7'), 'PyYAML==6.0\npasslib==1.7.4'));
  assert.not.ok(isPresent(parseRequirement('pyyaml>=7'), 'PyYAML==6.0'));
  assert.equal(shSplit(`--index-url 'a b' -q`), ['--index-url', 'a b', '-q']);
});

test.run();
