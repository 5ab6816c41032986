// ansible-core 2.14's filters of plugins/filter/core.py that skiff ported: each expression with the value
// Ansible gives for it (the expected values are ansible-core's, several from its filter_core target).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluate } from '../../src/template/expr.ts';
import { scopeOf } from '../../src/template/template.ts';

const vars = { container: { key: { subkey: 'value' } }, hostvars: { localhost: { ansible_connection: 'local' } }, demo: [{ name: 'alice', groups: ['wheel'], authorized: ['/tmp/alice/onekey.pub'] }] };
// as a condition reads them: string literals with Python's escapes
const ev = (src: string) => evaluate(src, scopeOf(vars), true);

const CASES: [string, unknown][] = [
  ['2 | extract(["a", "b", "c"])', 'c'],
  ["['x','y'] | map('extract', {'x': 42, 'y': 31}) | list", [42, 31]],
  ["['localhost'] | map('extract', hostvars, ['ansible_connection']) | list", ['local']],
  ["'key' | extract(container, 'subkey')", 'value'],
  ["'key' | extract(badcontainer) | default('a')", 'a'],
  ["('badkey' | extract(container)).subsubkey | default('a')", 'a'],
  ["'key' | extract(container, ['badsubkey', 'subsubkey']) | default('a')", 'a'],
  ['demo | subelements("groups")', [[vars.demo[0], 'wheel']]],
  ['demo | subelements("nope", skip_missing=True)', []],
  // Python's random.Random(seed): Ansible's very picks
  ['60 | random(seed="myhost")', 53],
  ['60 | random(seed=1337)', 39],
  ['[1,2,3,4,5,6,7,8,9,10] | shuffle(seed=42)', [8, 4, 3, 9, 6, 7, 10, 5, 1, 2]],
  ['22 | shuffle', 22],
  ['"boo!" | comment', '#\n# boo!\n#'],
  ['"boo!" | comment(decoration="-- ")', '--\n-- boo!\n--'],
  ['"boo!" | comment(style="cblock")', '/*\n *\n * boo!\n *\n */'],
  ['"boo!" | comment(decoration="")', 'boo!\n'],
  ['"%Y-%m-%d" | strftime(1585247522, utc=True)', '2020-03-26'],
  ['"%Y-%m-%d %H:%M:%S" | strftime("1585247522.0", true)', '2020-03-26 18:32:02'],
  ['["foo", "bar"] | path_join', 'foo/bar'],
  ['["/etc", "x/", "y", "/abs", "z"] | path_join', '/abs/z'],
  ['"---\\nbananas: yellow\\n---\\napples: red" | from_yaml_all | list', [{ bananas: 'yellow' }, { apples: 'red' }]],
  ['2 | from_yaml_all', 2],
  ['"monkeys" | to_uuid', '0d03a178-da0f-5b51-934e-cda9c76578c3'],
  ['"monkeys" | to_uuid(namespace="6ba7b810-9dad-11d1-80b4-00c04fd430c8")', '9283bd90-753b-5b18-bf01-3f56f47c51ca'],
];

test('filters give what ansible-core gives', () => {
  for (const [src, want] of CASES) assert.equal(ev(src), want, src);
});

const ERRORS: [string, string][] = [
  ['None | random', 'random can only be used on sequences and integers'],
  ['[1,2,3] | random(start=2)', 'start and step can only be used with integer values'],
  ['True | subelements("foo")', 'obj must be a list of dicts or a nested dict'],
  ['{} | subelements(17)', 'subelements must be a list or a string'],
  ['demo | subelements("does not compute")', "could not find 'does not compute' key in iterated item"],
  ['demo | subelements("name")', "the key 'name' should point to a list, got 'alice'"],
  ['demo | subelements(["groups", "authorized"])', 'the key authorized should point to a dictionary'],
  ['"%Y" | strftime("foo")', 'Invalid value for epoch value (foo)'],
  ['True | path_join', 'expects string or sequence'],
  ['"hey" | to_uuid(namespace=22)', "Invalid value '22' for 'namespace'"],
  ['hey | mandatory', "Mandatory variable 'hey'  not defined."],
  ['hey | mandatory("You did not give me a variable. I am a sad wolf.")', 'You did not give me a variable. I am a sad wolf.'],
  ['undef("Expected failure") | string', 'Expected failure'],
];

test('undef(): undefined, with its hint, until it is used', () => {
  assert.is(ev('undef(hint="x") is defined'), false);
  assert.is(ev('undef("x") | default(7)'), 7);
});

test('filters fail with ansible-core\'s messages', () => {
  for (const [src, msg] of ERRORS) {
    assert.throws(() => ev(src), (e: Error) => e.message.includes(msg), `${src}: ${msg}`);
  }
});

test.run();
