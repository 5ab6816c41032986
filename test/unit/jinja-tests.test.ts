// Ansible's Jinja tests (plugins/test/core.py, files.py, mathstuff.py, uri.py of ansible-core 2.14), as the
// test_core target uses them. TABLE: a template, its vars, and what ansible-core renders (the value as
// text) or `error: ` and the AnsibleFilterError it raises; the last test renders the rows with
// ansible-core's own Templar (test/unit/fixtures/ansible-template.py) when Debian's python3 has it.
// A test's error fails its task when it runs, with Ansible's text alone, and ignore_errors takes it.
import { ansibleRenders } from './fixtures/ansible-templar.ts';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pyStr } from '../../src/template/expr-error.ts';
import { renderString, scopeOf } from '../../src/template/template.ts';
import { markRevealed } from '../../src/vault/revealed.ts';
import { calls, play, playbook } from './engine-harness.ts';

const TABLE: [string, Record<string, unknown>, string][] = [
  ["{{ r is failed }} {{ r is failure }} {{ r is succeeded }} {{ r is success }} {{ r is successful }}", {"r": {"failed": true}}, "True True False False False"],
  ["{{ r is failed }} {{ r is succeeded }}", {"r": {"changed": true}}, "False True"],
  ["{{ 'nope' is failed }}", {}, "error: The 'failed' test expects a dictionary"],
  ["{{ 'nope' is succeeded }}", {}, "error: The 'failed' test expects a dictionary"],
  ["{{ r is reachable }} {{ r is unreachable }}", {"r": {"unreachable": true}}, "False True"],
  ["{{ r is reachable }} {{ r is unreachable }}", {"r": {}}, "True False"],
  ["{{ 'nope' is reachable }}", {}, "error: The 'unreachable' test expects a dictionary"],
  ["{{ a is changed }} {{ a is change }} {{ b is changed }} {{ c is changed }} {{ d is changed }}", {"a": {"changed": true}, "b": {"results": [{"changed": false}, {"changed": true}]}, "c": {"results": [{"changed": false}]}, "d": {}}, "True True True False False"],
  ["{{ 'nope' is changed }}", {}, "error: The 'changed' test expects a dictionary"],
  ["{{ r is skipped }} {{ r is skip }} {{ {} is skipped }}", {"r": {"skipped": true}}, "True True False"],
  ["{{ 'nope' is skipped }}", {}, "error: The 'skipped' test expects a dictionary"],
  ["{{ r is started }} {{ r is finished }}", {"r": {"started": 1, "finished": 0}}, "True False"],
  ["{{ {} is started }} {{ {} is finished }}", {}, "True True"],
  ["{{ 'nope' is finished }}", {}, "error: The 'finished' test expects a dictionary"],
  ["{{ 'nope' is started }}", {}, "error: The 'started' test expects a dictionary"],
  ["{{ 'hello' is match('h.ll.') }} {{ 'hello' is match('.ll.') }} {{ 'hello' is search('.l') }} {{ 'hello' is search('nope') }}", {}, "True False True False"],
  ["{{ 'hello' is regex('.L', ignorecase=true) }} {{ s is regex('^Ansible', multiline=true) }} {{ s is regex('^Ansible') }} {{ s is match('Ansible', multiline=true) }} {{ 'hello' is regex('ll', match_type='match') }}", {"s": "hello\nAnsible"}, "True True False False False"],
  ["{{ '1.0' is version('1.0', 'equals') }}", {}, "error: Invalid operator type (equals). Must be one of '==', '=', 'eq', '<', 'lt', '<=', 'le', '>', 'gt', '>=', 'ge', '!=', '<>', 'ne'"],
  ["{{ '1.0' is version('nope', '==', true) }}", {}, "error: Version comparison failed: invalid version number 'nope'"],
  ["{{ '1.0' is version('1.0', strict=False, version_type='loose') }}", {}, "error: Cannot specify both 'strict' and 'version_type'"],
  ["{{ '1.0' is version('1.0', version_type='boom') }}", {}, "error: Invalid version type (boom). Must be one of 'loose', 'strict', 'semver', 'semantic', 'pep440'"],
  ["{{ 'nope' is version('nopenope', version_type='semver') }}", {}, "error: Version comparison failed: invalid semantic version 'nope'"],
  ["{{ '' is version('1.0', '>') }}", {}, "error: Input version value cannot be empty"],
  ["{{ '1.0' is version('', '>') }}", {}, "error: Version parameter to compare against cannot be empty"],
  ["{{ '1.a' is version('1.0', '>') }}", {}, "error: Version comparison failed: '<' not supported between instances of 'str' and 'int'"],
  ["{{ '1.0' is version_compare('1.0', '==') }} {{ '1.0' is version('2.0', '!=') }} {{ '1.0' is version('2.0', '<') }} {{ '2.0' is version('1.0', '>') }} {{ '1.0' is version('1.0', '<=') }} {{ '1.0' is version('1.0', 'ge') }}", {}, "True True True True True True"],
  ["{{ '1.0' is version('1.0', '==', true) }} {{ '1.0' is version('1.0.0', 'eq', strict=true) }} {{ '1.0a1' is version('1.0', '<', true) }} {{ '1.0b2' is version('1.0a3', '>', true) }}", {}, "True True True True"],
  ["{{ '1.10' is version('1.9', '>') }} {{ '1.0rc1' is version('1.0', '>') }} {{ '2.14.0-beta' is version('2.14.0', 'gt') }} {{ '1.0' is version('1.0.0', '<') }}", {}, "True True True True"],
  ["{{ '1.2.3' is version('2.0.0', 'lt', version_type='semver') }} {{ '1.0.0-alpha' is version('1.0.0', '<', version_type='semantic') }} {{ '1.0.0-alpha.1' is version('1.0.0-alpha.beta', '<', version_type='semver') }} {{ '1.0.0+b1' is version('1.0.0+b2', '==', version_type='semver') }}", {}, "True True True True"],
  ["{{ '2.14.0rc1' is version('2.14.0', 'lt', version_type='pep440') }} {{ '1.0.post1' is version('1.0', '>', version_type='pep440') }} {{ '1.0.dev1' is version('1.0a1', '<', version_type='pep440') }} {{ '1.0' is version('1.0.0', '==', version_type='pep440') }} {{ '1!0.1' is version('2.0', '>', version_type='pep440') }} {{ '1.0+local' is version('1.0', '>', version_type='pep440') }}", {}, "True True True True True True"],
  ["{{ 'x' is version('1.0', version_type='pep440') }}", {}, "error: Version comparison failed: Invalid version: 'x'"],
  ["{{ '1.0' is version('1.0.0', '==', version_type='strict') }} {{ '1' is version('1.0', version_type='strict') }}", {}, "error: Version comparison failed: invalid version number '1'"],
  ["{{ [true, false] is any }} {{ [false] is any }} {{ [true] is all }} {{ [true, false] is all }}", {}, "True False True False"],
  ["{{ 'string' is truthy }} {{ '' is truthy }} {{ 0 is truthy }} {{ [''] is truthy }} {{ {} is truthy }} {{ 'on' is truthy(convert_bool=True) }} {{ 'off' is truthy(convert_bool=True) }} {{ 'fred' is truthy(convert_bool=True) }} {{ ' No ' is falsy(convert_bool=True) }} {{ 'off' is falsy }}", {}, "True False False True False True False True True False"],
  ["{{ [1, 2] is subset([1, 2, 3]) }} {{ [1, 4] is issubset([1, 2, 3]) }} {{ [1, 2, 3] is superset([1, 2]) }} {{ [1] is issuperset([1, 2]) }}", {}, "True False True False"],
  ["{{ [1, 2] is contains(1) }} {{ 'abc' is contains('b') }} {{ {'a': 1} is contains('a') }} {{ [1] is contains(2) }}", {}, "True True True False"],
  ["{{ ('nan' | float) is nan }} {{ ('-inf' | float) is nan }} {{ 1 is nan }} {{ 'x' is isnan }}", {}, "True False False False"],
  ["{{ '/a/b' is abs }} {{ 'a/b' is is_abs }} {{ '/etc' is is_dir }} {{ '/etc/passwd' is is_file }} {{ '/nonexistent-skiff' is link_exists }} {{ '/' is mount }} {{ '/etc' is is_mount }} {{ '/etc/passwd' is same_file('/etc/../etc/passwd') }}", {}, "True False True True False True False True"],
  ["{{ ['1.0.0', '2.0.0', '3.0.0-rc1'] | select('version', '2.0.0', '>=', version_type='semver') | list }} {{ ['a', 'B'] | reject('match', 'b', ignorecase=true) | list }}", {}, "['2.0.0', '3.0.0-rc1'] ['a']"],
  // a filter's error is Ansible's run-time one too
  ["{{ 'hash' | hash('unsupported_hash_type') }}", {}, "error: unsupported hash type unsupported_hash_type"],
  ["{{ 'café' | hash('SHA256') }}", {}, "850f7dc43910ff890f8879c0ed26fe697c93a067ad93a7d50f466a7028a9bf4e"],
  ["{{ 'http://example.com/x' is url }} {{ 'example.com' is url }} {{ 'file:///etc' is url }} {{ 'urn:isbn:1' is urn }} {{ 'http://x' is urn }} {{ 'mailto:a@b' is uri }} {{ 'ftp://x' is uri(['http', 'https']) }} {{ 'x' is uri }}", {}, "True False True True False True False True"],
];

function skiffText(t: string, vars: Record<string, unknown>): string {
  try {
    const v = renderString(t, scopeOf(vars));
    return v === null || v === undefined ? '' : pyStr(v);
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

test('every row renders as ansible-core renders it, errors with its text', () => {
  const wrong = TABLE.flatMap(([t, vars, want]) => {
    const got = skiffText(t, vars);
    return got === want ? [] : [`${JSON.stringify(t)}: got ${JSON.stringify(got)}, Ansible ${JSON.stringify(want)}`];
  });
  assert.equal(wrong, []);
});

test('vault_encrypted: a value decrypted from a vault is, other text is not', () => {
  markRevealed('s3cr3t-from-vault');
  assert.is(skiffText('{{ v is vault_encrypted }} {{ h is vault_encrypted }}', { v: 's3cr3t-from-vault', h: 'testhost' }), 'True False');
});

test("a test's error fails its task when it runs, with Ansible's message alone; ignore_errors takes it, a `when` too", async () => {
  const o = await play({
    playbook: playbook(`- probe: {id: "{{ 'nope' is failure }}"}
  ignore_errors: true
  register: misuse
- probe: {id: x}
  when: "'1.0' is version('1.0', 'equals')"
  ignore_errors: true
- probe: {id: "{{ misuse is failed }} {{ misuse.msg }} {{ 'changed' in misuse }}"}`),
  });
  assert.is(o.code, 'ran', o.problems.join('\n'));
  assert.equal(o.lines, ['a probe failed', 'a probe failed', 'a probe changed']);
  assert.is(o.results[0].msg, "The 'failed' test expects a dictionary");
  assert.match(o.results[1].msg!, /^The conditional check ''1.0' is version\('1.0', 'equals'\)' failed. The error was: Invalid operator type \(equals\). Must be one of '==', '=', 'eq', .*\n\nThe error appears to be in '.*': line 6, column 7/);
  assert.equal(calls, ["a:True The 'failed' test expects a dictionary False"]);
  assert.equal(o.summary!.recap.a.ignored, 2);
});

test('the expected column is what ansible-core 2.14 renders (when Debian python3 has ansible)', () => {
  const answers = ansibleRenders(TABLE.map(([template, vars]) => ({ template, vars })));
  if ('unavailable' in answers) {
    console.log(`  (ansible-core not available, the Ansible comparison is not run: ${answers.unavailable})`);
    return;
  }
  const wrong = TABLE.flatMap(([t, , want], i) => {
    const got = answers[i].text ?? `error: ${answers[i].error?.replace(/^AnsibleFilterError: /, '')}`;
    return got === want ? [] : [`${JSON.stringify(t)}: Ansible ${JSON.stringify(answers[i])}, table ${JSON.stringify(want)}`];
  });
  assert.equal(wrong, []);
});

test.run();
