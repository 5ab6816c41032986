// Ansible's `!unsafe` YAML tag: the value is never templated (loops target, Ansible #47372).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseYaml } from '../../src/util/yaml-source.ts';
import { play, playbook } from './engine-harness.ts';

test('!unsafe: read as its text; a loop over unsafe items; text with {{ }} renders to itself, through other vars and set_fact', async () => {
  const o = await play({
    playbook: playbook(`- debug: {msg: "{{ item }}"}
  with_items: "{{ things|list|unique }}"
  vars:
    things: [!unsafe foo, !unsafe bar, !unsafe foo]
- debug: {msg: "{{ pw }} {{ via }}"}
  register: a
- set_fact: {f: "{{ pw }}"}
- debug: {msg: "{{ f }}"}
  register: b`, '  gather_facts: false\n  vars: {foo: FOO, pw: !unsafe "p{{ foo }}w{% x %}", via: "{{ pw }}"}\n'),
  });
  assert.equal(o.problems, []);
  assert.equal(o.results[0].labels, ['foo', 'bar']);
  assert.equal((o.results[1].registered as { msg: string }).msg, 'p{{ foo }}w{% x %} p{{ foo }}w{% x %}');
  assert.equal((o.results[3].registered as { msg: string }).msg, 'p{{ foo }}w{% x %}');
});

test('!unsafe on a list or a map: every text in it is unsafe, at any depth (yaml_parsing target)', async () => {
  const o = await play({
    playbook: playbook(`- debug: {msg: "{{ ulist[0] }} {{ udict.a }} {{ udict.n.m }}"}
  register: r`, '  gather_facts: false\n  vars:\n    nottemplate: FAIL\n    ulist: !unsafe [ "b{{nottemplate}}", c]\n    udict: !unsafe\n      a: b{{nottemplate}}\n      n: {m: "{{ nottemplate }}"}\n'),
  });
  assert.equal(o.problems, []);
  assert.equal((o.results[0].registered as { msg: string }).msg, 'b{{nottemplate}} b{{nottemplate}} {{ nottemplate }}');
});

test('!unsafe text holding {% endraw %} is refused by name', () => {
  const r = parseYaml('x.yml', 'a: !unsafe "{% raw %}{{ x }}{% endraw %}"\n');
  assert.match(r.problems.map((p) => p.message).join('\n'), 'tag !unsafe on text holding {% endraw %} is not supported by skiff');
});

test.run();
