// TRANSFORM_INVALID_GROUP_CHARS as Ansible 2.14 applies it to an inventory's group names
// (inventory-invalid-group target: `[local-]`, each mode's warning grepped from ansible-playbook's output).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadSources } from '../../src/inventory/sources.ts';
import { safeGroupName, setGroupCharsMode, type GroupCharsMode } from '../../src/inventory/group-names.ts';

const ini = join(mkdtempSync(join(tmpdir(), 'groups-')), 'inventory.ini');
writeFileSync(ini, '[local-]\ntesthost ansible_connection=local\n\n[web:children]\nlocal-\n');

const read = (mode: GroupCharsMode) => {
  setGroupCharsMode(mode);
  try {
    const r = loadSources([ini]);
    return { groups: [...r.inventory!.groups.keys()].sort(), web: [...r.inventory!.groups.get('web')!.children], warnings: r.warnings };
  } finally {
    setGroupCharsMode('never');
  }
};

test('never (the default): the name kept, with Ansible\'s warning', () => {
  const r = read('never');
  assert.ok(r.groups.includes('local-'));
  assert.equal(r.web, ['local-']);
  assert.equal(r.warnings, ['[WARNING]: Invalid characters were found in group names but not replaced, use -vvvv to see details']);
});

test('always: each invalid character made _ (children too), with Ansible\'s warning', () => {
  const r = read('always');
  assert.ok(r.groups.includes('local_') && !r.groups.includes('local-'));
  assert.equal(r.web, ['local_']);
  assert.equal(r.warnings, ['[WARNING]: Invalid characters were found in group names and automatically replaced, use -vvvv to see details']);
});

test('ignore and silently: as never and always, without a word', () => {
  assert.equal(read('ignore').warnings, []);
  const s = read('silently');
  assert.equal(s.warnings, []);
  assert.ok(s.groups.includes('local_'));
});

test('the characters are those of Python\'s INVALID_VARIABLE_NAMES: a leading digit, any non-word character; Unicode letters are word characters', () => {
  setGroupCharsMode('always');
  try {
    assert.equal(['9web', 'a.b-c', 'ok_1', 'été'].map((n) => safeGroupName(n).name), ['_web', 'a_b_c', 'ok_1', 'été']);
  } finally {
    setGroupCharsMode('never');
  }
});

test.run();
