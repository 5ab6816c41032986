// Ansible's plugin filters (plugin_filters_cfg): the cases of its plugin_filtering target, and 2.14's
// own reading of the file (its loader.py _load_plugin_filter), through the CLI as a user meets them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skiff } from '../helpers.ts';
import { isRejectedModule, readPluginFilters, setRejectedModules } from '../../src/playbook/plugin-filters.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'skiff-filters-'));
const file = (text: string) => {
  const f = join(dir(), 'filter.yml');
  writeFileSync(f, text);
  return f;
};

test("the target's filter_modules.yml: its modules are rejected (filter_version 1.0 written as a float)", () => {
  const r = readPluginFilters(file('---\nfilter_version: 1.0\nmodule_blacklist:\n  - pause\n  - copy\n  - tempfile\n'), true);
  assert.equal([...r.rejected].sort(), ['copy', 'pause', 'tempfile']);
  assert.equal(r.warnings, []);
  assert.is(r.error, undefined);
});

test('a file named by the configuration that is not there, an empty module_blacklist, another version, no version: skipped with Ansible\'s warnings', () => {
  const missing = join(dir(), 'empty.yml');
  assert.equal(readPluginFilters(missing, true).warnings, [`[WARNING]: The plugin filter file, ${missing} does not exist. Skipping.`]);
  // the default file (/etc/ansible/plugin_filters.yml) may well not be there: no word of it
  assert.equal(readPluginFilters(missing, false).warnings, []);
  const empty = file('---\nfilter_version: 1.0\nmodule_blacklist:\n');
  assert.equal(readPluginFilters(empty, true), { rejected: new Set(), warnings: [`[WARNING]: Unable to parse the plugin filter file ${empty} as module_blacklist is not a list. Skipping.`] });
  const v2 = file('filter_version: "2.0"\nmodule_blacklist: [copy]\n');
  assert.equal(readPluginFilters(v2, true).warnings, [`[WARNING]: The plugin filter file, ${v2} was a version not recognized by this version of Ansible. Skipping.`]);
  assert.is(readPluginFilters(v2, true).rejected.size, 0);
  const none = file('module_blacklist: [copy]\n');
  assert.equal(readPluginFilters(none, true).warnings, [`[WARNING]: The plugin filter file, ${none} was invalid. Skipping.`]);
  assert.match(readPluginFilters(file('filter_version: [\n'), true).warnings[0], /^\[WARNING\]: The plugin filter file, .* was not parsable\. Skipping: /);
  // `1` is an int, not 1.0: Ansible's to_text gives "1"
  assert.match(readPluginFilters(file('filter_version: 1\nmodule_blacklist: [copy]\n'), true).warnings[0], /a version not recognized/);
});

test('stat rejected: Ansible refuses to start, with its message', () => {
  const f = file('---\nfilter_version: 1.0\nmodule_blacklist:\n  - stat\n');
  assert.is(readPluginFilters(f, true).error, `The stat module was specified in the module blacklist file, ${f}, but Ansible will not function without the stat module.  Please remove stat from the blacklist.`);
});

test("2.14's quirks: module_rejectlist alone, or a file that is no mapping, stops Ansible (it reads module_blacklist only)", () => {
  assert.match(String(readPluginFilters(file('filter_version: "1.0"\nmodule_rejectlist: [copy]\n'), true).error), /expected module_blacklist .*KeyError/);
  assert.match(String(readPluginFilters(file(''), true).error), /got an empty file, expected a mapping/);
});

test('a short name is rejected; a full one (ansible.builtin.copy, ansible.legacy.copy) is found in its collection, as Ansible finds it', () => {
  setRejectedModules(new Set(['copy']));
  try {
    assert.ok(isRejectedModule('copy'));
    assert.not.ok(isRejectedModule('ansible.builtin.copy'));
    assert.not.ok(isRejectedModule('ansible.legacy.copy'));
    assert.not.ok(isRejectedModule('file'));
  } finally {
    setRejectedModules(new Set());
  }
});

function project(filter: string) {
  const d = dir();
  writeFileSync(join(d, 'filter.yml'), filter);
  writeFileSync(join(d, 'ansible.cfg'), '[defaults]\nretry_files_enabled = False\nplugin_filters_cfg = ./filter.yml\n');
  const run = (pb: string) => {
    writeFileSync(join(d, 'pb.yml'), `- hosts: all\n  gather_facts: false\n  tasks:\n${pb}`);
    return skiff(['run', '-i', 'localhost,', '-c', 'local', 'pb.yml'], { cwd: d, env: { HOME: d, ANSIBLE_CONFIG: join(d, 'ansible.cfg') } });
  };
  return { d, run };
}

test("a rejected module is not found: Ansible's error where the task names it, nothing run; by its full name it runs", async () => {
  const { d, run } = project('filter_version: 1.0\nmodule_blacklist: [ping, copy]\n');
  const r = await run('    - ping:\n        data: x\n');
  assert.is.not(r.code, 0);
  assert.match(r.stderr, "pb.yml:4:7: couldn't resolve module/action 'ping'. This often indicates a misspelling, missing collection, or incorrect module path.");
  assert.match(r.stderr, /nothing was run/);
  const full = await run(`    - ansible.builtin.copy: {content: x, dest: ${join(d, 'out.txt')}}\n`);
  assert.is(full.code, 0, full.stderr);
  // a lookup plugin's name in the module list changes nothing (the target's filter_lookup.yml)
  const { run: run2 } = project('filter_version: 1.0\nmodule_blacklist: [list]\n');
  const l = await run2('    - debug: {msg: "{{ lookup(\'list\', [1, 2]) }}"}\n');
  assert.is(l.code, 0, l.stderr);
});

test('`action: copy` is looked up when it runs: the task fails there, as Ansible\'s normal action finds no module', async () => {
  const { run } = project('filter_version: 1.0\nmodule_blacklist: [copy]\n');
  const r = await run('    - action: copy content=x dest=/nonexistent/never\n');
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stdout, 'The module copy was not found in configured module paths');
});

test('stat in the module list: no command starts (the target greps this message)', async () => {
  const { d, run } = project('filter_version: 1.0\nmodule_blacklist: [stat]\n');
  const r = await run('    - stat: {path: /}\n');
  assert.is(r.code, 5);
  assert.match(r.stderr, `The stat module was specified in the module blacklist file, ${join(d, 'filter.yml')}, but Ansible will not function without the stat module.  Please remove stat from the blacklist.`);
});

test.run();
