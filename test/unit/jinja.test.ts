// Jinja2 as Ansible renders it. TABLE: a template, its vars, and the text ansible-core 2.14 (Jinja2 3.1)
// renders (the value as text: str() of it, None as ''). The last test renders the same rows with
// ansible-core's own Templar (test/unit/fixtures/ansible-template.py) when Debian's python3 has it, so
// the expected column is Ansible's, not ours.
import { ansibleRenders } from './fixtures/ansible-templar.ts';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pyStr } from '../../src/template/expr-error.ts';
import { evaluate, LATER } from '../../src/template/expr.ts';
import { renderText, TemplateError } from '../../src/template/jinja-template.ts';
import { redact, secretValues } from '../../src/util/secrets.ts';
import { render, renderString, scopeOf } from '../../src/template/template.ts';
import { isRevealed, markRevealed } from '../../src/vault/revealed.ts';
import { strftime } from '../../src/util/strftime.ts';

process.env.SKIFF_JINJA_TEST = 'from-env';

const TABLE: [string, Record<string, unknown>, string][] = [
  ["{{ missing | default('d') }}",{},"d"],
  // namespace(): a loop's set of ns.attr is seen after it (prometheus-community's node_exporter.service.j2)
  ["{% set ns = namespace(protect_home = 'yes') %}{% for m in mounts if m.mount.startswith('/home') %}{% set ns.protect_home = 'read-only' %}{% endfor %}{{ ns.protect_home }}",{"mounts":[{"mount":"/"},{"mount":"/home"}]},"read-only"],
  ["{% set ns = namespace(n=0) %}{% for x in xs %}{% set ns.n = ns.n + x %}{% endfor %}{{ ns.n }} {{ ns['n'] }}",{"xs":[1,2,3]},"6 6"],
  ["{{ none_v | default('d') }}",{"none_v":null},""],
  // Ansible's Jinja2 is not sandboxed: a template fills a dict or list it made (the CIS roles' mount facts)
  ["{%- set m = {} -%}{%- for line in lines -%}{%- set f = line.split() -%}{%- set _ = m.update({f[1]: f[0]}) -%}{%- endfor -%}{{ m['/'] }} {{ m | length }}",{"lines":["/dev/sda1 / ext4","tmpfs /tmp tmpfs"]},"/dev/sda1 2"],
  ["{% set x = [] %}{% set _ = x.append(1) %}{% set _ = x.extend([2, 3]) %}{% set _ = x.insert(0, 0) %}{{ x }}",{},"[0, 1, 2, 3]"],
  ["{% set d = {} %}{{ d.setdefault('k', 5) }}-{% set _ = d.update(z=1) %}{{ d }}",{},"5-{'k': 5, 'z': 1}"],
  // a macro takes an undefined argument as Jinja2's Undefined (willshersystems.sshd's sshd_config.j2)
  ["{% macro opt(k, v) %}{% if v is defined %}{{ k }} {{ v }}{% else %}-{% endif %}{% endmacro %}{{ opt('Port', sshd_Port) }}|{{ opt('A', a) }}|{{ opt('B', v=nope) }}",{"a":1},"-|A 1|-"],

  ["{{ '' | default('d', true) }}",{},"d"],
  ["{{ 'yes' | bool }}",{},"True"],
  ["{{ 'off' | bool }}",{},"False"],
  ["{{ 2 | bool }}",{},"False"],
  ["{{ '42' | int + 1 }}",{},"43"],
  ["{{ '3.7' | int }}",{},"3"],
  ["{{ 'abc' | int }}",{},"0"],
  ["{{ '0x1A' | int(base=16) }}",{},"26"],
  ["{{ ['a', 'b'] | join(', ') }}",{},"a, b"],
  ["{{ [1, 2] | join }}",{},"12"],
  ["{{ {'a': 1, 'b': [1, 'x', none, true]} | to_json }}",{},"{\"a\": 1, \"b\": [1, \"x\", null, true]}"],
  ["{{ {'b': 1, 'a': {'c': [1, 2]}} | to_nice_json }}",{},"{\n    \"a\": {\n        \"c\": [\n            1,\n            2\n        ]\n    },\n    \"b\": 1\n}"],
  ["{{ {'b': 1, 'a': ['x', 'z'], 'm': {'k': {'z': 1}}} | to_yaml }}",{},"a: [x, z]\nb: 1\nm:\n  k: {z: 1}\n"],
  ["{{ 'v1.2.3' | regex_replace('^v', '') }}",{},"1.2.3"],
  ["{{ 'a1b22' | regex_replace('(\\d+)', '<\\1>') }}",{},"a<1>b<22>"],
  ["{{ 'Hello' | regex_replace('h', 'j', ignorecase=true) }}",{},"jello"],
  ["{{ 'abc 123 de 45' | regex_findall('\\d+') }}",{},"['123', '45']"],
  ["{{ 'version 1.22' | regex_search('\\d+\\.\\d+') }}",{},"1.22"],
  ["{{ 'nothing' | regex_search('\\d+') }}",{},""],
  ["{{ vcpus | default(processor_count) }} {{ nope | default(nope2) | default('last') }}",{"vcpus":4},"4 last"],
  ["{{ '/etc/prometheus/prometheus.yml' | basename }}",{},"prometheus.yml"],
  ["{{ 'https://user:pw@Example.com:8443/a/b.tar.gz?x=1#f' | urlsplit('hostname') }} {{ 'https://user:pw@Example.com:8443/a' | urlsplit('port') + 1 }} {{ 'https://u:pw@h/a' | urlsplit('password') }}",{},"example.com 8444 pw"],
  ["{{ 'https://github.com/x/releases/download/v1/node_exporter-1.tar.gz?a=1' | ansible.builtin.urlsplit('path') | basename }} {{ 'https://a.example/x?q=1#top' | urlsplit('query') }} {{ 'https://a.example/x?q=1#top' | urlsplit('fragment') }}",{},"node_exporter-1.tar.gz q=1 top"],
  ["{{ ('http://h/p' | urlsplit).scheme }} {{ ('http://h/p' | urlsplit).netloc }} {{ ('http://h/p' | urlsplit).username is none }} {{ ('http://h/p' | urlsplit).port is none }}",{},"http h True True"],
  ["{{ [1, 2] | product(['a', 'b']) | map('join', '-') | join(',') }} {{ ['x'] | product([1], ['y', 'z']) | list | length }}",{},"1-a,1-b,2-a,2-b 2"],
  ["{{ 'test/unit/fixtures/*-aprom.json' | ansible.builtin.fileglob | sort | join(',') }}",{},"test/unit/fixtures/docker-inspect-aprom.json,test/unit/fixtures/podman-inspect-aprom.json,test/unit/fixtures/podman-rootless-keep-id-aprom.json"],
  ["{{ 'test/unit/fixtures/f*' | fileglob | length }} {{ '/nonexistent-skiff-dir/*.x' | fileglob | length }} {{ ['test/unit/fixtures/docker-*.json'] | map('ansible.builtin.fileglob') | flatten | map('basename') | list }}",{},"0 0 ['docker-inspect-aprom.json']"],
  ["{{ '/tmp/../tmp' | realpath }}",{},"/tmp"],
  ["{{ '/etc/prometheus/prometheus.yml' | dirname }}",{},"/etc/prometheus"],
  ["{{ '/etc/' | dirname }}",{},"/etc"],
  ["{{ 'file' | dirname }}",{},""],
  ["{{ {'a': 1, 'b': {'x': 1}} | combine({'b': {'y': 2}, 'c': 3}) }}",{},"{'a': 1, 'b': {'y': 2}, 'c': 3}"],
  ["{{ {'a': 1, 'b': {'x': 1}} | combine({'b': {'y': 2}}, recursive=true) }}",{},"{'a': 1, 'b': {'x': 1, 'y': 2}}"],
  ["{{ {'a': 1} | combine({'b': 2}, {'a': 3}) }}",{},"{'a': 3, 'b': 2}"],
  ["{{ {'a': 1, 'b': 2} | dict2items }}",{},"[{'key': 'a', 'value': 1}, {'key': 'b', 'value': 2}]"],
  ["{{ {'a': 1} | dict2items(key_name='k', value_name='v') }}",{},"[{'k': 'a', 'v': 1}]"],
  ["{{ [{'key': 'a', 'value': 1}, {'key': 'b', 'value': 2}] | items2dict }}",{},"{'a': 1, 'b': 2}"],
  ["{{ users | selectattr('admin') | map(attribute='name') | list }}",{"users":[{"name":"ann","admin":true},{"name":"bob","admin":false},{"name":"cy","admin":true}]},"['ann', 'cy']"],
  ["{{ users | selectattr('name', 'equalto', 'bob') | list }}",{"users":[{"name":"ann"},{"name":"bob"}]},"[{'name': 'bob'}]"],
  ["{{ users | rejectattr('name', 'match', 'a.*') | map(attribute='name') | list }}",{"users":[{"name":"ann"},{"name":"bob"}]},"['bob']"],
  ["{{ ['1', '2'] | map('int') | list }}",{},"[1, 2]"],
  ["{{ ['a', 'b'] | map('upper') | join(',') }}",{},"A,B"],
  ["{{ [3, 0, 5] | select('>', 1) | list }}",{},"[3, 5]"],
  ["{{ ['a.rules', 'b.yml'] | select('search', '.rules$') | list }}",{},"['a.rules']"],
  ["{{ [3, 1, 2] | sort }}",{},"[1, 2, 3]"],
  ["{{ ['b', 'A', 'c'] | sort }}",{},"['A', 'b', 'c']"],
  ["{{ [3, 1, 2] | sort(reverse=true) }}",{},"[3, 2, 1]"],
  ["{{ users | sort(attribute='age') | map(attribute='n') | list }}",{"users":[{"n":"x","age":30},{"n":"y","age":20}]},"['y', 'x']"],
  ["{{ [1, 2, 1, 3, 2] | unique }}",{},"[1, 2, 3]"],
  ["{{ ['a', 'A', 'b'] | unique }}",{},"['a', 'b']"],
  ["{{ 'skiff:secret' | b64encode }}",{},"c2tpZmY6c2VjcmV0"],
  ["{{ 'c2tpZmY6c2VjcmV0' | b64decode }}",{},"skiff:secret"],
  ["{{ x is defined }}",{},"False"],
  ["{{ x is defined }}",{"x":1},"True"],
  ["{{ x.y is undefined }}",{"x":{}},"True"],
  ["{{ r is changed }}",{"r":{"changed":true}},"True"],
  ["{{ r is changed }}",{"r":{"rc":0}},"False"],
  ["{{ r is failed }}",{"r":{"failed":false}},"False"],
  ["{{ r is succeeded }}",{"r":{"failed":false}},"True"],
  ["{{ r is successful }}",{"r":{"failed":false}},"True"],
  ["{{ r is skipped }}",{"r":{"skipped":true}},"True"],
  ["{{ d.keys() | list }}",{"d":{"a":1,"b":2}},"['a', 'b']"],
  ["{{ d.values() | list }}",{"d":{"a":1,"b":2}},"[1, 2]"],
  ["{{ d.items() | list | length }} {{ (d.items() | list)[1][0] }}",{"d":{"a":1,"b":2}},"2 b"],
  ["{{ d.get('a') }} {{ d.get('z', 'none') }}",{"d":{"a":1}},"1 none"],
  ["{{ 'a.b.c'.split('.') }}",{},"['a', 'b', 'c']"],
  ["{{ 'a.b.c'.split('.', 1) }}",{},"['a', 'b.c']"],
  ["{{ '  x  '.strip() }}|{{ 'abc'.startswith('ab') }}|{{ 'abc'.endswith('z') }}",{},"x|True|False"],
  ["{{ 'A-b'.lower() }}{{ 'a'.upper() }}{{ 'a,b'.replace(',', ';') }}",{},"a-bAa;b"],
  ["{{ 'yes' if flag else 'no' }}",{"flag":true},"yes"],
  ["{{ 'yes' if flag else 'no' }}",{"flag":false},"no"],
  ["a{{ ' b' if flag }}c",{"flag":false},"ac"],
  ["{{ 'x' ~ 1 ~ true }}",{},"x1True"],
  ["{{ 7 // 2 }} {{ 7 % 3 }} {{ 2 ** 10 }} {{ -3 }}",{},"3 1 1024 -3"],
  ["{{ [1] + [2, 3] }}",{},"[1, 2, 3]"],
  ["{{ 'ab' * 3 }}",{},"ababab"],
  ["{{ {'a': 1}['a'] }}",{},"1"],
  ["{{ {} == {} }} {{ [] != [] }}",{},"True False"],
  ["{{ l[-1] }} {{ l[0] }}",{"l":[1,2,3]},"3 1"],
  ["{{ 'a' in ['a'] }} {{ 'b' not in 'abc' }} {{ 'k' in {'k': 1} }}",{},"True False True"],
  ["{{ not false and (true or x) }}",{},"True"],
  ["{{ false or 'fallback' }}",{},"fallback"],
  ["{{ 'left' and 'right' }}",{},"right"],
  ["{{ '1.10.0' is version('1.9.0', '>') }}",{},"True"],
  ["{{ '2.0.0' is version('2.0.0', '>=') }}",{},"True"],
  ["{{ '0.21.1' is version_compare('0.22.0', '<') }}",{},"True"],
  ["{{ 'abc --online-discard x' is search('--online-discard') }}",{},"True"],
  ["{{ 'abc' is match('b') }}",{},"False"],
  ["{{ [0, 1] is any }} {{ [0, 1] is all }}",{},"True False"],
  ["{{ 10 is divisibleby 5 }} {{ 3 is odd }} {{ 4 is even }}",{},"True True True"],
  ["{{ none is none }} {{ 1 is number }} {{ 'a' is string }} {{ {} is mapping }} {{ [] is sequence }}",{},"True True True True True"],
  ["{{ [1, [2, [3]]] | flatten }}",{},"[1, 2, 3]"],
  ["{{ [1, [2, [3]]] | flatten(levels=1) }}",{},"[1, 2, [3]]"],
  ["{{ [1, 5, 3] | max }} {{ [1, 5, 3] | min }} {{ [1, 2] | sum }}",{},"5 1 3"],
  ["{{ [1, 2, 3] | first }} {{ [1, 2, 3] | last }} {{ 'abc' | length }}",{},"1 3 3"],
  ["{{ [1, 2, 3] | difference([2]) }} {{ [1, 2] | union([2, 3]) }} {{ [1, 2] | intersect([2, 3]) }}",{},"[1, 3] [1, 2, 3] [2]"],
  ["{{ 'a b' | quote }}",{},"'a b'"],
  ["{{ ' x ' | trim }}|{{ 'hello' | replace('l', 'L') }}|{{ 'hello world' | title }}|{{ 'hELLO' | capitalize }}",{},"x|heLLo|Hello World|Hello"],
  ["{{ 'a' | ternary('yes', 'no') }}",{},"yes"],
  ["{{ '{\"a\": [1]}' | from_json }}",{},"{'a': [1]}"],
  ["{{ 'line1\\nline2' | indent(2) }}",{},"line1\\nline2"],
  ["{{ '%s-%d' | format('a', 3) }}",{},"a-3"],
  ["{{ range(3) | list }}",{},"[0, 1, 2]"],
  ["{{ dict([['a', 1], ['b', 2]]) }}",{},"{'a': 1, 'b': 2}"],
  ["{{ 42 | string }}{{ [1] | string }}",{},"42[1]"],
  ["{{ 'x' | type_debug }} {{ 1 | type_debug }} {{ [] | type_debug }}",{},"str int list"],
  ["{{ [1, 2] | zip(['a', 'b']) | map('join', '-') | list }}",{},"['1-a', '2-b']"],
  ["{{ 'a' | ansible.builtin.regex_replace('a', 'b') }}",{},"b"],
  ["{% if x > 1 %}big{% elif x == 1 %}one{% else %}small{% endif %}",{"x":1},"one"],
  ["{% for i in l %}{{ loop.index }}:{{ i }}{% if not loop.last %},{% endif %}{% endfor %}",{"l":["a","b","c"]},"1:a,2:b,3:c"],
  ["{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}",{"d":{"a":1,"b":2}},"a=1;b=2;"],
  ["{% for i in l if i > 1 %}{{ i }}{% else %}none{% endfor %}",{"l":[1,2,3]},"23"],
  ["{% for i in [] %}{{ i }}{% else %}none{% endfor %}",{},"none"],
  ["{% set y = x * 2 %}{{ y }}",{"x":21},"42"],
  ["{% raw %}{{ $labels.instance }}{% endraw %} ok",{},"{{ $labels.instance }} ok"],
  ["a\n{% if true %}\nb\n{% endif %}\nc\n",{},"a\nb\nc\n"],
  ["a {%- if true -%}  b  {%- endif %}  c",{},"ab  c"],
  ["{# note #}\nx={{ x }}\n",{"x":1},"x=1\n"],
  ["{%- if v == 'latest' -%}\n  scylla\n{%- else -%}\n  other\n{%- endif -%}",{"v":"latest"},"scylla"],
  ["x={{ [1, 'a', {'k': none}] }} y={{ {'a': true} }} z={{ none }} w={{ false }}",{},"x=[1, 'a', {'k': None}] y={'a': True} z= w=False"],
  ["{{ lookup('env', 'SKIFF_JINJA_TEST') }}",{},"from-env"],
  ["{{ 'It''s' }}",{},"Its"],
  ["{{ 1.5 | round | int }} {{ 2.5 | round | int }} {{ 3.14159 | round(2) }}",{},"2 2 3.14"],
  ["{{ {'b': 1, 'a': {'c': 'x', 'd': 'yes'}} | to_nice_yaml(indent=2) }}",{},"a:\n  c: x\n  d: 'yes'\nb: 1\n"],
  ["{{ {'b': 1, 'a': {'c': [1, 2]}} | to_nice_yaml(indent=2) }}",{},"a:\n  c:\n  - 1\n  - 2\nb: 1\n"],
  ["{{ 'a: 1\nb: [x, z]' | from_yaml }}",{},"{'a': 1, 'b': ['x', 'z']}"],
  ["{{ (1 + 2 * 3 - 4 // 2) }}",{},"5"],
  ["{{ '10' | int > 9 }}",{},"True"],
  ["{{ ['a', 'b'] | map('regex_replace', '$', '.conf') | list }}",{},"['a.conf', 'b.conf']"],
  ["{{ docker_daemon_options.keys() | length > 0 }}",{"docker_daemon_options":{"a":1}},"True"],
  ["{{ item in flags.keys() }}",{"item":"x","flags":{"x":1}},"True"],
  ["{{ (scylla_ssl | default({})).cert_path | default('/etc/ssl') }}",{},"/etc/ssl"],
  ["{{ node_list | default([]) + [hostvars[item]['broadcast_address']] }}",{"item":"h1","hostvars":{"h1":{"broadcast_address":"10.0.0.1"}}},"['10.0.0.1']"],
  ["{{ dc_to_node_list[dc][0] == inventory_hostname }}",{"dc":"dc1","dc_to_node_list":{"dc1":["h1"]},"inventory_hostname":"h1"},"True"],
  ["{{ [swap|int, 1024]|max // 1024 }}",{"swap":"4096"},"4"],
  ["{{ prometheus_targets != {} }}",{"prometheus_targets":{}},"False"],
  ["{{ aptversions | regex_findall(regexp, ignorecase=True) }}",{"aptversions":"Scylla 5.2\nscylla 5.4","regexp":"scylla (\\d+\\.\\d+)"},"['5.2', '5.4']"],
  ["{{ 'v2.0.1' | regex_replace('^v?([0-9\\.]+)$', '\\1') }}",{},"2.0.1"],
  ["{% for h in hosts %}\n- {{ h }}:{{ port }}\n{% endfor %}\n",{"hosts":["a","b"],"port":9100},"- a:9100\n- b:9100\n"],
  ["{{ '-a ' + pw if pw is defined }}",{},""],
  ["{{ '-a ' + pw if pw is defined }}",{"pw":"x"},"-a x"],
  ["{{ l[1:] }} {{ l[:2] }} {{ l[::-1] }} {{ l[-2:] }} {{ l[1:-1] }} {{ l[::2] }}",{"l":[1,2,3,4,5]},"[2, 3, 4, 5] [1, 2] [5, 4, 3, 2, 1] [4, 5] [2, 3, 4] [1, 3, 5]"],
  ["{{ '1.22.3'.split('.')[0:2] | join('.') }} {{ 'abcdef'[2:4] }} {{ 'abc'[::-1] }}",{},"1.22 cd cba"],
  ["{{ l[5:] }} {{ l[-9:1] }} {{ l[3:1:-1] }}",{"l":[1,2,3,4,5]},"[] [1] [4, 3]"],
  ["{{ '/etc/passwd' is file }} {{ '/etc' is file }} {{ '/etc' is directory }} {{ '/nonexistent-skiff' is exists }} {{ '/etc/passwd' is not link }}",{},"True False True False True"],
  ["x{{ ['a', 'b'] | map('upper') | list }} {{ {'a': 1}.get('b') }}",{},"x['A', 'B'] "],
  ["{{ '%s:%s' % ('h', 80) }}",{},"h:80"],
  ["{{ [1, 2, 3] | select('odd') | list }} {{ [1, 2, 3] | reject('odd') | list }} {{ [{'a': 1}, {}] | selectattr('a', 'defined') | list }}",{},"[1, 3] [2] [{'a': 1}]"],
  ["{{ x | mandatory }}",{"x":1},"1"],
  ["{{ [3, 1] | sort | first }} {{ 'a,b' | split(',') }} {{ 'abc' | list }}",{},"1 ['a', 'b'] ['a', 'b', 'c']"],
  ["{{ {'a': [1]} | combine({'a': [2]}, list_merge='append') }}",{},"{'a': [1, 2]}"],
  ["{{ 'Hello World' | lower | replace(' ', '_') }} {{ 'x' | center(5) }}|",{},"hello_world   x  |"],
  // Python's ==: a number never equals a string; a bool is an int; a float equals its int; by content in lists and dicts
  ["{{ '9001' == 9001 }} {{ '9001' != 9001 }} {{ port == '80' }} {{ '1' != 1 }}",{"port":80},"False True False True"],
  ["{{ 1 == 1.0 }} {{ True == 1 }} {{ False == 0 }} {{ None == 0 }} {{ [True] == [1] }} {{ {'x': True} == {'x': 1} }}",{},"True True True False True True"],
  ["{{ [1, '2'] == [1, 2] }} {{ {'a': 1} == {'a': '1'} }} {{ {'a': 1} == {'a': 1.0} }}",{},"False False True"],
  ["{{ '1' in [1, 2] }} {{ 1 in [True] }} {{ 1.0 in [1] }} {{ [1, 2] is contains('1') }} {{ 'b' is in 'abc' }}",{},"False True True False True"],
  ["{{ [1, 2] < [1, 3] }} {{ True < 2 }} {{ 'ab' < 'b' }} {{ [1, 'a'] < [1, 'b'] }}",{},"True True True True"],
  // str order is by code point: U+FFFF before an emoji (UTF-16 would put it after)
  ["{{ '\uffff' < '\u{1F600}' }} {{ ['\u{1F600}', '\uffff'] | sort | first == '\uffff' }}",{},"True True"],
];

const text = (v: unknown) => (v === null || v === undefined ? '' : pyStr(v));

test('every row renders as ansible-core renders it', () => {
  const wrong = TABLE.flatMap(([t, vars, want]) => {
    let got: string;
    try {
      got = text(renderString(t, scopeOf(vars)));
    } catch (e) {
      got = `error: ${(e as Error).message}`;
    }
    return got === want ? [] : [`${JSON.stringify(t)}: got ${JSON.stringify(got)}, Ansible ${JSON.stringify(want)}`];
  });
  assert.equal(wrong, []);
});

test('an int past 2**53 is exact, as Python\'s is; back in range it is a number again', () => {
  const s = scopeOf({});
  assert.is(pyStr(evaluate('2**63 - 1', s)), '9223372036854775807');
  assert.is(pyStr(evaluate('2**64 // 3', s)), '6148914691236517205');
  assert.is(pyStr(evaluate('-(2**63) // 7', s)), '-1317624576693539402');
  assert.is(evaluate('-(2**63) % 7', s), 6);
  assert.is(evaluate('2**63 - (2**63 - 5)', s), 5);
  assert.is(pyStr(evaluate('3 * 2**60', s)), '3458764513820540928');
  assert.is(evaluate('2**100 > 2**99', s), true);
  assert.is(evaluate('2**63 == 9223372036854775808', s), true);
  assert.is(evaluate('(2**63)|type_debug', s), 'int');
  assert.is(renderString('{{ 2**63 - 1 }}', s), '9223372036854775807');
});

test('a whole {{ }} keeps a list, a map, a boolean and a variable\'s own number; any other number is its text (ansible_eval_concat)', () => {
  assert.is(renderString("{{ '42' | int + 1 }}", scopeOf({})), '43');
  assert.is(renderString('{{ 1.5 }}', scopeOf({})), '1.5');
  assert.is(renderString('{{ 2.0 }}', scopeOf({})), '2.0');
  // Templar.template's shortcut: exactly `{{ name }}` of a number is that number
  assert.is(renderString('{{ port }}', scopeOf({ port: 9090 })), 9090);
  assert.is(renderString('{{ port + 1 }}', scopeOf({ port: 9090 })), '9091');
  assert.equal(renderString('{{ d | dict2items }}', scopeOf({ d: { a: 1 } })), [{ key: 'a', value: 1 }]);
  assert.is(renderString("{{ 'yes' | bool }}", scopeOf({})), true);
  // default(none) is None inside an expression; a whole "{{ }}" of None is '' (Ansible's finalize:
  // filter_core's `match_case: "{{ 'hello' | regex_search('HELLO') }}"` is ''), so thanos.yml uses omit
  assert.is(evaluate('missing | default(none)', scopeOf({})), null);
  assert.is(evaluate('missing | default(default_value=none)', scopeOf({})), null);
  assert.is(renderString('{{ missing | default(none) }}', scopeOf({})), '');
  assert.is(renderString("{{ 'hello' | regex_search('HELLO') }}", scopeOf({})), '');
});

test('a whole {{ }} and a line end (a folded > scalar): a list, map or boolean as such, other values as text with the newline (loop-until)', () => {
  assert.equal(renderString("{{ ['a' + n | string] + l | default([]) }}\n", scopeOf({ n: 1, l: ['b'] })), ['a1', 'b']);
  assert.equal(renderString("{{ {'k': 1} }}\n", scopeOf({})), { k: 1 });
  assert.is(renderString('{{ 1 == 1 }}\n', scopeOf({})), true);
  assert.is(renderString("{{ 'a' }}\n", scopeOf({})), 'a\n');
  assert.is(renderString('{{ 3 }}\n', scopeOf({})), '3\n');
});

test("a call's *argument unpacks a list (loops: lookup('list', wantlist=True, *phrases)); now(fmt=) is the time as Python's strftime gives it", () => {
  const s = scopeOf({ phrases: ['Hello World', 'Olá Mundo'], sep: ['-'] });
  assert.equal(evaluate("q('list', *phrases)", s), ['Hello World', 'Olá Mundo']);
  assert.equal(evaluate("lookup('list', wantlist=True, *phrases)", s), ['Hello World', 'Olá Mundo']);
  assert.is(evaluate('[1, 2] | join(*sep)', s), '1-2');
  const t = Number(evaluate("now(fmt='%s.%f')", s));
  assert.ok(Math.abs(t - Date.now() / 1000) < 5, String(t));
  assert.match(String(evaluate("now(true, '%Y-%m-%dT%H:%M:%S')", s)), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  assert.is(strftime('%Y-%m-%d %H:%M:%S.%f %j %a %b %I%p %%', new Date(Date.UTC(2024, 1, 29, 13, 5, 9, 250)), true), '2024-02-29 13:05:09.250000 060 Thu Feb 01PM %');
  // now() without fmt: a datetime, as Python's datetime.now()
  assert.is(evaluate('now() | type_debug', s), 'datetime');
  assert.ok(evaluate('now().year', s) as number >= 2024);
});

test('an unknown variable is refused, with a suggestion, wherever it is used', () => {
  const s = scopeOf({ prometheus_port: 9090, users: [{ name: 'a' }] });
  assert.throws(() => evaluate('prometheus_prot + 1', s), /unknown variable "prometheus_prot" \(did you mean "prometheus_port"\?\)/);
  assert.throws(() => evaluate("users | map(attribute='name') | join(sep)", s), /unknown variable "sep"/);
  assert.is(evaluate("'a' if prometheus_port else nope", s), 'a', 'the branch not taken is not evaluated');
  assert.throws(() => renderString('{% for u in users %}{{ u.nmae }}{% endfor %}', s), /u has no key "nmae" \(did you mean "name"\?\)/);
  assert.throws(() => renderString('{% if prometheus_port > 1 %}{{ oops }}{% endif %}', s), /unknown variable "oops"/);
});

test('default, `is defined` and the branch not taken accept an unknown variable, as in Ansible', () => {
  const s = scopeOf({ cfg: {} });
  assert.is(evaluate("cfg.tls.cert | default('none')", s), 'none');
  assert.is(evaluate('x is defined and x.y', s), false);
  assert.is(evaluate("'-a ' + pw if pw is defined else ''", s), '');
  assert.is(renderString("{% if pw is defined %}{{ pw }}{% else %}none{% endif %}", s), 'none');
});

test('a value known only at run time makes the result LATER, every branch and loop body still checked', () => {
  const s = scopeOf({ r: LATER as unknown, port: 80 });
  assert.is(evaluate('r.changed and port > 1', s), LATER);
  assert.is(evaluate('r is changed', s), LATER);
  assert.is(evaluate("r.stdout | default('x')", s), LATER);
  // `later and false` is false now: what it guards is not evaluated (Ansible would not either)
  assert.is(evaluate("r.changed and 'g' in groups and groups['g'] | length > 0", scopeOf({ r: LATER as unknown, groups: {} })), false);
  assert.is(renderString('{% if r.rc == 0 %}a{% else %}{{ port }}{% endif %}', s), LATER);
  assert.is(renderString('{% for l in r.stdout_lines %}{{ l }}{% endfor %}', s), LATER);
  assert.throws(() => renderString('{% if r.rc == 0 %}a{% else %}{{ prot }}{% endif %}', s), /unknown variable "prot"/);
  assert.throws(() => renderString('{% if r.rc == 0 %}a{% elif prot %}b{% endif %}', s), /unknown variable "prot"/);
  assert.throws(() => renderString('{% for l in r.stdout_lines %}{{ l }}{{ prot }}{% endfor %}', s), /unknown variable "prot"/);
});

test('a list with an item known only at run time, made text (join, a method, output), is known at run time too, not the marker\'s text (Oefenweb fail2ban: "{{ \' \'.join(fail2ban_dependencies).split() }}")', () => {
  const s = scopeOf({ deps: ['fail2ban', LATER as unknown] });
  assert.is(evaluate("' '.join(deps).split()", s), LATER);
  assert.is(evaluate("deps | join(' ')", s), LATER);
  assert.is(renderString('pkgs: {{ deps }}', s), LATER);
  // what does not make it text is still known now
  assert.is(evaluate('deps | length', s), 2);
});

test('command: every value a template expands is shell-quoted, in statements too; the text written stays', () => {
  const s = scopeOf({ evil: "x'; touch /tmp/pwned; echo '", names: ['a b', 'c'], flag: true });
  const out = render({ cmd: 'echo {% for n in names %}{{ n }} {% endfor %}{% if flag %}--x {{ evil }}{% endif %}' }, s, [], [], ['cmd']) as { cmd: string };
  assert.is(out.cmd, `echo 'a b' c --x 'x'\\''; touch /tmp/pwned; echo '\\'''`);
  // the quote filter is shlex.quote, to the character
  assert.is(renderString('{{ evil | quote }}', s), `'x'"'"'; touch /tmp/pwned; echo '"'"''`);
  assert.is(renderString('{{ word | quote }}|{{ none | quote }}|{{ "é" | quote }}', scopeOf({ word: 'quoted', none: null })), `quoted|''|'é'`);
});

test("backslashes: literal in playbook values (Ansible's escape_backslashes), Python escapes in template files", () => {
  assert.is(renderString("{{ 'a\\nb' }}", scopeOf({})), 'a\\nb');
  assert.is(renderText("{{ 'a\\nb' }}", scopeOf({}), { pyEscapes: true }), 'a\nb');
  assert.is(renderText("{{ 'v1.2' | regex_replace('\\\\d', 'N') }}", scopeOf({}), { pyEscapes: true }), 'vN.N');
});

test('template text: trim_blocks, `-` whitespace control, raw, comments, loop variables, set', () => {
  const s = scopeOf({ targets: ['a:9100', 'b:9100'], job: 'node' });
  const src = '{# generated #}\nscrape_configs:\n  - job_name: {{ job }}\n    static_configs:\n{% for t in targets %}\n      - {{ t }}{{ "," if not loop.last }}\n{% endfor %}\n{% raw %}{{ $labels.instance }}{% endraw %}\n';
  assert.is(renderText(src, s), 'scrape_configs:\n  - job_name: node\n    static_configs:\n      - a:9100,\n      - b:9100\n{{ $labels.instance }}\n'); // as Ansible: Jinja2 drops the source's last newline, Ansible adds it back
  // the output's own trailing newlines count: one from to_nice_yaml, none added (ansible-core 2.14's Templar)
  assert.is(renderText('y\n{{ x | to_nice_yaml }}\n', scopeOf({ x: { a: 1 } })), 'y\na: 1\n');
  assert.is(renderText('y\n{{ x | to_nice_yaml }}\n\n', scopeOf({ x: { a: 1 } })), 'y\na: 1\n\n');
  assert.is(renderText('{% raw %}{{ x }}{% endraw %}\nnext\n{%- raw %} a {% endraw -%}  \nb', s), '{{ x }}next a b');
  assert.is(renderText('{% set n = targets | length %}{{ n }} {%- if n > 1 %} targets{% endif %}', s), '2 targets');
});

test('template errors name their line; unsupported statements are refused by name', () => {
  const s = scopeOf({ a: 1 });
  const err = (src: string) => {
    try {
      renderText(src, s);
    } catch (e) {
      return e instanceof TemplateError ? `${e.line}: ${e.message}` : String(e);
    }
    return 'no error';
  };
  assert.is(err('x\ny\n{{ b }}\n'), '3: unknown variable "b" (did you mean "a"?)');
  assert.is(err('{% set d = {} %}\n{% set d.x = 1 %}'), '2: cannot assign attribute on non-namespace object');
  assert.is(err('x\n{% call x() %}{% endcall %}'), '2: Jinja2 statement {% call %} is not supported by skiff: expected if, for, set, raw, macro, include, import, from, block, extends');
  assert.match(err('{% if a %}\nno end\n'), /expected \{% endif %\} before the end/);
  assert.match(err('{% endfor %}'), /1: unexpected \{% endfor %\}/);
  // a filter skiff lacks is ansible-core's to find (without ansible-core on the controller, that is the error)
  assert.match(err('{{ a | nosuch }}'), /1: (Could not load "nosuch": 'nosuch'|the filter nosuch runs through ansible-core)/);
  // so is a lookup: a name nothing provides fails as Ansible's "not found"
  assert.match(err("{{ lookup('nosuchlookup', 'x') }}"), /lookup plugin \(nosuchlookup\) not found|the lookup plugin nosuchlookup runs through ansible-core/);
});

test('what a filter or method derives from a secret is hidden like the secret; other values are not', () => {
  const vars = { db_password: 'hunter2-long', user: 'bobby-user' };
  const enc = renderString('{{ db_password | b64encode }}', scopeOf(vars)) as string;
  const part = renderString("{{ db_password.split('-')[0] }}", scopeOf(vars)) as string;
  const pub = renderString('{{ user | b64encode }}', scopeOf(vars)) as string;
  assert.is(redact(`${enc} ${part} ${pub}`, secretValues(vars)), `******** ******** ${pub}`);
  assert.not.ok(isRevealed(part), 'hidden, but not taken for a vault value (an inventory password equal to it is still plain text)');
  markRevealed('vaulted-value');
  const up = renderString('{{ v | upper }}', scopeOf({ v: 'vaulted-value' })) as string;
  assert.is(redact(`got ${up}`, secretValues({})), 'got ********');
});

test("a string and a number are not equal and cannot be ordered: Python's TypeError, in Ansible's words", () => {
  // `-e port=80` is a string: Ansible's `when: port == 80` is false
  assert.is(evaluate('port == 80', scopeOf({ port: '80' })), false);
  const err = (src: string, vars: Record<string, unknown> = {}) => {
    try {
      renderString(src, scopeOf(vars));
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };
  assert.match(err("{{ '9001' < 9001 }}"), /'<' not supported between instances of 'str' and 'int'/);
  assert.match(err('{{ s > 9000 }}', { s: '9001' }), /'>' not supported between instances of '(str|AnsibleUnicode)' and 'int'/);
  assert.match(err("{{ [1] < ['a'] }}"), /'<' not supported between instances of 'int' and 'str'/);
  assert.match(err('{{ None < 1 }}'), /'<' not supported between instances of 'NoneType' and 'int'/);
  assert.match(err('{{ {} < {} }}'), /'<' not supported between instances of 'dict' and 'dict'/);
  assert.match(err("{{ 1 in 'abc' }}"), /'in <string>' requires string as left operand, not int/);
  assert.match(err('{{ 1 in 5 }}'), /argument of type 'int' is not iterable/);
  assert.match(err("{{ [1, 'a'] | sort }}"), /'<' not supported between instances of 'str' and 'int'/);
});

test("map(attribute=) of an item without it stays Jinja2's Undefined through | list: Ansible's text names the attribute", () => {
  assert.throws(() => renderString("{{ r | map(attribute='ansible_facts') | list }}", scopeOf({ r: [{ a: 1 }] })), (e: unknown) => e instanceof Error && (e as { jinja?: string }).jinja === "'dict object' has no attribute 'ansible_facts'");
});

test('the expected column is what ansible-core 2.14 renders (when Debian python3 has ansible)', () => {
  const answers = ansibleRenders(TABLE.map(([template, vars]) => ({ template, vars })));
  if ('unavailable' in answers) {
    console.log(`  (ansible-core not available, the Ansible comparison is not run: ${answers.unavailable})`);
    return;
  }
  const wrong = TABLE.flatMap(([t, , want], i) => (answers[i].text === want ? [] : [`${JSON.stringify(t)}: Ansible ${JSON.stringify(answers[i])}, table ${JSON.stringify(want)}`]));
  assert.equal(wrong, []);
});

test("to_json takes json.dumps' indent= and sort_keys= (gathering_facts' verify_merge_facts.yml)", () => {
  const scope = scopeOf({ d: { b: 1, a: [1, 2] } });
  assert.is(renderString('{{ d | to_json }}', scope), '{"b": 1, "a": [1, 2]}');
  assert.is(renderString('{{ d | to_json(sort_keys=True) }}', scope), '{"a": [1, 2], "b": 1}');
  assert.is(renderString('{{ d | to_json(indent=2, sort_keys=True) }}', scope), '{\n  "a": [\n    1,\n    2\n  ],\n  "b": 1\n}');
});

test.run();
