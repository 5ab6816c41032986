// Modes as Ansible reads them (tasks/lib/mode.ts), and the YAML loader keeping an unquoted 0755 as
// written so it can be told from a bare 644.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { effectiveMode, parseMode } from '../../tasks/lib/mode.ts';
import { parseYaml } from '../../src/util/yaml-source.ts';

test('YAML 1.1 octal stays the text written; a bare number stays a number', () => {
  const v = parseYaml('x.yml', 'a: 0755\nb: 644\nc: "0644"\nd: 0\n').source!.value;
  assert.equal(v, { a: '0755', b: 644, c: '0644', d: 0 });
});

test('parseMode: 0755, "0755", "755", symbolic accepted; bare numbers refused with what Ansible would do', () => {
  assert.equal(parseMode('0755'), { mode: '0755' });
  assert.equal(parseMode('755'), { mode: '0755' });
  // geerlingguy.redis's vars/Debian.yml: redis_conf_dir_mode: 02770 (setgid), as Ansible reads it
  assert.equal(parseMode('02770'), { mode: '2770' });
  assert.equal(parseMode('00644'), { mode: '0644' });
  assert.equal(parseMode('u=rwx,g=rx,o='), { mode: 'u=rwx,g=rx,o=' });
  const bad = parseMode(644);
  assert.ok('error' in bad && bad.error.includes('Ansible would set mode 01204'));
  assert.ok('error' in parseMode('rwxr-xr-x'));
  assert.ok('error' in parseMode('0999'));
});

test('effectiveMode: symbolic computed as chmod does, X only for directories or executables', () => {
  assert.is(effectiveMode('u=rwx,g=rx,o=', '0644', false), '0750');
  assert.is(effectiveMode('u=rwX,g=rX,o=', '0666', false), '0640');
  assert.is(effectiveMode('u=rwX,g=rX,o=', '0700', true), '0750');
  assert.is(effectiveMode('go-w', '0666', false), '0644');
  assert.is(effectiveMode('a+x', '0644', false), '0755');
  assert.is(effectiveMode('g=u', '0700', false), '0770');
  assert.is(effectiveMode('u+s', '0755', false), '4755');
  assert.is(effectiveMode('0600', '0644', false), '0600');
});

test.run();
