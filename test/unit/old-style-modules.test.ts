// A playbook's module that is not a new-style (AnsibleModule) one runs as Ansible's _execute_module runs
// it: put in a remote tmp dir with its arguments in a file as argv[1] (key=value words for an old-style
// module, JSON for a WANT_JSON one), through the interpreter of its shebang; a file of library/ with any
// extension or none is a module. Cases from Ansible's old_style_modules_posix, want_json_modules_posix,
// embedded_module, json_cleanup and async_extra_data targets. Needs Debian's ansible-core (its
// modify_module says the module's style), skipped without it as python-module.test.ts.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { play, playbook, type Outcome } from './engine-harness.ts';
import { moduleOutput, pythonModule } from '../../tasks/ansible/python-module.ts';
import { connectLocal } from '../../src/transport/local.ts';
import type { TaskContext } from '../../src/engine/task-type.ts';

const hasAnsible = existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import ansible']).status === 0;
const run = hasAnsible ? test : test.skip;

const reg = (o: Outcome, i: number) => o.results[i].registered as Record<string, any>;
const warnings = (o: Outcome) => o.events.flatMap((e) => (e.kind === 'note' && e.warning ? [e.text] : []));

// old_style_modules_posix's library/helloworld.sh: sources its arguments file
const HELLO_SH = `#!/bin/sh
if [ -f "$1" ]; then
    . "$1"
else
    echo '{"msg": "No argument file provided", "failed": true}'
    exit 1
fi
salutation=\${salutation:=Hello}
name=\${name:=World}
cat << EOF
{"msg": "\${salutation}, \${name}!"}
EOF
`;

// want_json_modules_posix's library/helloworld.py
const HELLO_JSON = `#!/usr/bin/python
# WANT_JSON
import json
import sys
try:
    with open(sys.argv[1], 'r') as f:
        data = json.load(f)
except (IOError, OSError, IndexError):
    print(json.dumps(dict(msg="No argument file provided", failed=True)))
    sys.exit(1)
salutation = data.get('salutation', 'Hello')
name = data.get('name', 'World')
print(json.dumps(dict(msg='%s, %s!' % (salutation, name))))
`;

const HELLOS = '- helloworld:\n  register: a\n- helloworld:\n  args: {name: Ansible}\n  register: b\n- helloworld:\n  args: {salutation: Goodbye, name: Ansible}\n  register: c';

run('an old-style shell module (library/NAME.sh) gets its arguments as a key=value file it can source; not changed unless it says so', async () => {
  const o = await play({ files: { 'library/helloworld.sh': HELLO_SH }, playbook: playbook(HELLOS) });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a helloworld ok', 'a helloworld ok', 'a helloworld ok']);
  assert.equal([0, 1, 2].map((i) => reg(o, i).msg), ['Hello, World!', 'Hello, Ansible!', 'Goodbye, Ansible!']);
});

run('a WANT_JSON module gets its arguments as a JSON file, runs under the host Python its #!/usr/bin/python is replaced by', async () => {
  const o = await play({ files: { 'library/helloworld.py': HELLO_JSON }, playbook: playbook(HELLOS) });
  assert.equal(o.problems, []);
  assert.equal([0, 1, 2].map((i) => reg(o, i).msg), ['Hello, World!', 'Hello, Ansible!', 'Goodbye, Ansible!']);
});

run('a module file without an extension (embedded_module) is found in library/ and runs', async () => {
  const o = await play({
    files: { 'library/test_integration_module': '#!/usr/bin/python\n\nprint(\'{"changed":false, "msg":"this is the embedded module"}\')\n' },
    playbook: playbook('- test_integration_module:\n  register: result\n- assert: {that: [\'result.msg == "this is the embedded module"\']}'),
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a test_integration_module ok', 'a assert ok']);
});

run('a module with <<INCLUDE_ANSIBLE_MODULE_JSON_ARGS>> gets its arguments as JSON in its text and runs under its own shebang (a shell script here)', async () => {
  const o = await play({
    files: { 'library/jsonargs.sh': `#!/bin/sh\nARGS='<<INCLUDE_ANSIBLE_MODULE_JSON_ARGS>>'\necho "{\\"got\\": $ARGS}"\n` },
    playbook: playbook('- jsonargs: {name: x}\n  register: r'),
  });
  assert.equal(o.problems, []);
  assert.is(reg(o, 0).got.name, 'x');
});

run("a module's #!/bin/sh runs under ansible_sh_interpreter when it is set, as Ansible's _get_shebang", async () => {
  const o = await play({
    files: { 'library/whichsh.sh': '#!/bin/sh\necho "{\\"via\\": \\"${VIA_VAR:-}\\"}"\n' },
    playbook: playbook("- whichsh:\n  register: a\n- whichsh:\n  vars: {ansible_sh_interpreter: \"{{ '/usr/bin/env VIA_VAR=yes ' + 'sh' }}\"}\n  register: b"),
  });
  assert.equal(o.problems, []);
  assert.equal([reg(o, 0).via, reg(o, 1).via], ['', 'yes']);
});

run("junk before the module's JSON is left out, junk after it is Ansible's warning (json_cleanup)", async () => {
  const o = await play({
    files: { 'library/bad_json': "#!/usr/bin/env bash\nset -eu\necho 'this stuff should be ignored'\necho '[ looks like a json list]'\necho '{\"changed\": false, \"failed\": false, \"msg\": \"good json response\"}'\necho 'moar garbage'\n" },
    playbook: playbook('- bad_json:\n  register: clean_json'),
  });
  assert.equal(o.lines, ['a bad_json ok']);
  assert.is(reg(o, 0).msg, 'good json response');
  assert.equal(warnings(o), ['Module invocation had junk after the JSON data: moar garbage']);
});

run("output that is no JSON object is Ansible's MODULE FAILURE; valid JSON is the result whatever the exit status; a non-zero rc in it fails", async () => {
  const o = await play({
    files: {
      'library/garbage.sh': "#!/bin/sh\necho 'not json'\necho oops >&2\nexit 3\n",
      'library/exit1.sh': '#!/bin/sh\necho \'{"msg": "exits 1 but says ok"}\'\nexit 1\n',
      'library/rc2.sh': '#!/bin/sh\necho \'{"msg": "rc says", "rc": 2}\'\n',
      'library/noshebang.sh': 'echo \'{"a": 1}\'\n',
    },
    playbook: playbook('- garbage:\n  register: g\n  ignore_errors: true\n- exit1:\n  register: e\n- rc2:\n  register: r\n  ignore_errors: true\n- noshebang:\n  register: n\n  ignore_errors: true'),
  });
  assert.equal(o.lines, ['a garbage failed', 'a exit1 ok', 'a rc2 failed', 'a noshebang failed']);
  assert.equal(reg(o, 0).msg, 'MODULE FAILURE\nSee stdout/stderr for the exact error');
  assert.equal([reg(o, 0).module_stdout, reg(o, 0).module_stderr, reg(o, 0).rc], ['not json\n', 'oops\n', 3]);
  assert.is(reg(o, 1).msg, 'exits 1 but says ok');
  assert.is(reg(o, 2).msg, 'rc says');
  assert.is(reg(o, 3).msg, 'module (noshebang) is missing interpreter line');
});

run('async: an old-style module printing junk around its JSON runs under async_wrapper with its arguments file; the junk after is a warning in its result (async_extra_data)', async () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-old-async-'));
  const o = await play({
    realSleep: true,
    files: { 'library/junkping.py': "#!/usr/bin/python\nimport json\nprint('junk_before_module_output')\nprint(json.dumps(dict(changed=False, source='user')))\nprint('junk_after_module_output')\n", 'library/helloworld.sh': HELLO_SH },
    playbook: playbook('- junkping:\n  async: 10\n  poll: 1\n  register: result\n- helloworld: {name: Async}\n  async: 10\n  poll: 1\n  register: h', `  vars: {ansible_async_dir: ${d}}\n`),
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a junkping ok', 'a helloworld ok']);
  assert.is(reg(o, 0).source, 'user');
  assert.equal(reg(o, 0).warnings, ['Module invocation had junk after the JSON data: junk_after_module_output']);
  assert.is(reg(o, 1).msg, 'Hello, Async!');
});

// a binary module (binary_modules' Go helloworld, in C here: no Go needed): a JSON arguments file as argv[1]
const HELLO_C = `#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
  if (argc != 2) { puts("{\\"msg\\": \\"No argument file provided\\", \\"failed\\": true}"); return 1; }
  static char buf[65536];
  FILE *f = fopen(argv[1], "r");
  size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
  buf[n] = 0;
  printf("{\\"msg\\": \\"Hello, %s!\\"}\\n", strstr(buf, "\\"name\\": \\"Ansible\\"") ? "Ansible" : "World");
  return 0;
}
`;
const hasCc = spawnSync('cc', ['--version']).status === 0;

(hasAnsible && hasCc ? test : test.skip)('a binary module (no shebang, not text) runs itself with a JSON arguments file, in the foreground and under async', async () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-binary-module-'));
  writeFileSync(join(d, 'hello.c'), HELLO_C);
  const cc = spawnSync('cc', ['-o', join(d, 'helloworld_bin'), join(d, 'hello.c')], { encoding: 'utf8' });
  assert.is(cc.status, 0, cc.stderr);
  const type = pythonModule('helloworld_bin', join(d, 'helloworld_bin'));
  const ctx = { vars: { ansible_python_interpreter: '/usr/bin/python3' }, conn: connectLocal('a', false), check: false, diff: false } as unknown as TaskContext;
  assert.is((await type.apply(ctx, {}, { changes: [] }))?.msg, 'Hello, World!');
  assert.is((await type.apply(ctx, { name: "Ansible" }, { changes: [] }))?.msg, 'Hello, Ansible!');
  const job = await type.startJob!(ctx, { name: 'Ansible' }, d, 10);
  for (let i = 0; i < 50 && !readFileSync(job.resultsFile, 'utf8').includes('msg'); i++) await new Promise((r) => setTimeout(r, 100));
  assert.is(JSON.parse(readFileSync(job.resultsFile, 'utf8')).msg, 'Hello, Ansible!');
});

test("the module's JSON is what Ansible's _filter_non_json_lines finds: first line starting with { to the last ending with }", () => {
  assert.equal(moduleOutput('[ a list]\n{"a": 1,\n "b": {"c": 2}}\n\n'), { result: { a: 1, b: { c: 2 } } });
  assert.equal(moduleOutput('{"a": 1}\ntrailing\n'), { result: { a: 1 }, junk: 'Module invocation had junk after the JSON data: trailing' });
  // a later line ending with } makes the span no JSON: Ansible does not look for a shorter one
  assert.is(moduleOutput('{"a": 1}\nnot {json}\n'), undefined);
  assert.is(moduleOutput('no json here'), undefined);
});

test.run();
