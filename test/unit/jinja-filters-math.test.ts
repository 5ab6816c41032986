// ansible-core 2.14's mathstuff and urls filters and Jinja2's groupby/urlencode that skiff ported: each
// expression with the value Ansible gives (cases from the filter_mathstuff, filter_urls and groupby_filter
// targets), and the filter's error text where the target checks it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluate } from '../../src/template/expr.ts';
import { PluginError } from '../../src/template/expr-error.ts';
import { PyFloat } from '../../src/template/py-float.ts';
import { scopeOf } from '../../src/template/template.ts';

const fruits = [{ name: 'apple', enjoy: true }, { name: 'orange', enjoy: false }, { name: 'strawberry', enjoy: true }];
const ev = (src: string) => evaluate(src, scopeOf({ fruits }), true);

const CASES: [string, unknown][] = [
  ['1|log', new PyFloat(0)],
  ['100|log(10)', new PyFloat(2)],
  ['21|log(21)', new PyFloat(1)],
  ['(2.3|log(42)|string).startswith("0.222841")', true],
  ['2|pow(4)', new PyFloat(16)],
  ['4|root', new PyFloat(2)],
  ['9|root(1)', new PyFloat(9)],
  ['(9|root(6)|string).startswith("1.4422495")', true],
  ['1|human_readable', '1.00 Bytes'],
  ['1|human_readable(isbits=True)', '1.00 bits'],
  ['10240|human_readable', '10.00 KB'],
  ['102400000|human_readable', '97.66 MB'],
  ['102400000|human_readable(unit="G")', '0.10 GB'],
  ['102400000|human_readable(isbits=True, unit="G")', '0.10 Gb'],
  ["'0.1'|human_to_bytes", 0],
  ["'0.9'|human_to_bytes", 1],
  ["'10.00 KB'|human_to_bytes", 10240],
  ["'   11 MB'|human_to_bytes", 11534336],
  ["'1.1 GB'|human_to_bytes", 1181116006],
  ["'10.00 Kb'|human_to_bytes(isbits=True)", 10240],
  ['[{"proto": "eigrp", "state": "enabled"}, {"proto": "ospf", "state": "enabled"}]|rekey_on_member("proto")', { eigrp: { proto: 'eigrp', state: 'enabled' }, ospf: { proto: 'ospf', state: 'enabled' } }],
  ['{"a": {"proto": "eigrp"}, "b": {"proto": "ospf"}}|rekey_on_member("proto")', { eigrp: { proto: 'eigrp' }, ospf: { proto: 'ospf' } }],
  ['[{"proto": "eigrp", "n": 1}, {"proto": "eigrp", "n": 2}]|rekey_on_member("proto", duplicates="overwrite")', { eigrp: { proto: 'eigrp', n: 2 } }],
  ['[1,2,3]|permutations(2)|list|length', 6],
  ['[1,2,3]|combinations(2)|list', [[1, 2], [1, 3], [2, 3]]],
  ['[1,2]|zip_longest([3], fillvalue="x")|list', [[1, 3], [2, 'x']]],
  ['["a", "b", "A", "B"]|unique', ['a', 'b']],
  ['[{"foo": "bar"}, {"foo": "bar"}, {"haha": "bar"}]|unique', [{ foo: 'bar' }, { haha: 'bar' }]],
  // filter_urls: the round trip of a string with reserved and non-ASCII characters
  ["'key=\"@{}é&%£ foo bar \\'(;\\\\<>\"\"°)'|urlencode", 'key%3D%22%40%7B%7D%C3%A9%26%25%C2%A3%20foo%20bar%20%27%28%3B%5C%3C%3E%22%22%C2%B0%29'],
  ["'key%3D%22%40%7B%7D%C3%A9%26%25%C2%A3%20foo%20bar%20%27%28%3B%5C%3C%3E%22%22%C2%B0%29'|urldecode", 'key="@{}é&%£ foo bar \'(;\\<>""°)'],
  ["{'foo': 'bar', 'baz': 'buz'}|urlencode", 'foo=bar&baz=buz'],
  ["()|urlencode", ''],
  ["'a/b c'|urlencode", 'a/b%20c'],
  // groupby_filter: groups sorted by key, each a (grouper, list) pair
  ["fruits|groupby('enjoy')", [[false, [fruits[1]]], [true, [fruits[0], fruits[2]]]]],
  ["(fruits|groupby('enjoy'))[1].grouper", true],
  ["(fruits|groupby('enjoy'))[0].list|map(attribute='name')|list", ['orange']],
  ['[1,2,3,4,5]|batch(2)|list', [[1, 2], [3, 4], [5]]],
  ['[1,2,3,4,5]|slice(2)|list', [[1, 2, 3], [4, 5]]],
  ['"foo bar baz qux"|truncate(9)', 'foo...'],
  ['"foo bar baz qux"|truncate(11, False, "...", 0)', 'foo bar...'],
  ['1000000|filesizeformat', '1.0 MB'],
];

// math's functions give floats: a whole one is a PyFloat (16.0), compared as its text
const shown = (x: unknown) => (x instanceof PyFloat ? `float ${x.str()}` : x);
for (const [src, want] of CASES) test(`${src} is ${shown(want)}`, () => assert.equal(shown(ev(src)), shown(want)));

const ERRORS: [string, string][] = [
  ['"yo"|log', 'log() can only be used on numbers'],
  ['"yo"|pow(4)', 'pow() can only be used on numbers'],
  ['"yo"|root', 'root() can only be used on numbers'],
  ['"monkeys"|human_readable', 'failed on bad input'],
  ["'10.00 foo'|human_to_bytes", "human_to_bytes() can't interpret following string: 10.00 foo"],
  ['[]|rekey_on_member("asdf", duplicates="boo")', 'duplicates parameter to rekey_on_member has unknown value'],
  ['"minkeys"|rekey_on_member("asdf")', 'Type is not a valid list, set, or dict'],
  ['[True]|rekey_on_member("asdf")', 'List item is not a valid dict'],
  ['[{"foo": "bar"}, {"hello": 8}]|rekey_on_member("foo")', 'was not found'],
  ['[{"proto": "eigrp"}, {"proto": "eigrp"}]|rekey_on_member("proto", duplicates="error")', 'is not unique, cannot correctly turn into dict'],
  ['[{"foo": "bar", "moo": "cow"}]|unique(case_sensitive=False)', 'cannot fall back'],
  ['True|unique', "'bool' object is not iterable"],
];

for (const [src, text] of ERRORS) {
  test(`${src} fails when it runs: ${text}`, () => {
    try {
      ev(src);
      assert.unreachable('no error');
    } catch (e) {
      // a filter's own error: the task's failure at run time (ignore_errors, rescue), not a load problem
      assert.instance(e, PluginError);
      assert.match((e as Error).message, text);
    }
  });
}

test.run();
