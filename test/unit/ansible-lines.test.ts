// Without a terminal skiff prints Ansible's default callback's lines: the expected texts below are
// ansible-playbook 2.14.18's own stdout for these playbooks (`ansible-playbook -i inv pb.yml` and
// `-v v.yml`, run on this machine), compared line for line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skiff } from '../helpers.ts';
import { ansibleLines, banner, pyJson, taskBanner } from '../../src/report/ansible-lines.ts';
import { warningPrinter } from '../../src/report/warning.ts';
import { play, playbook } from './engine-harness.ts';
import { formatRecap } from '../../src/report/recap.ts';
import { emptyRecap } from '../../src/engine/recap.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-ansible-lines-'));
mkdirSync(join(dir, 'roles/r1/tasks'), { recursive: true });
writeFileSync(join(dir, 'roles/r1/tasks/main.yml'), `- name: role task
  set_fact:
    x: 1
`);
writeFileSync(join(dir, 'inv'), 'testhost ansible_connection=local\n');
writeFileSync(join(dir, 'pb.yml'), `- name: first play
  hosts: all
  gather_facts: false
  tasks:
    - name: say hello
      debug:
        msg: hello world
    - name: boom
      fail:
        msg: it broke
      ignore_errors: true
    - name: looping
      debug:
        msg: "item {{ item }}"
      loop: [a, b]
    - name: looping command
      command: echo {{ item }}
      loop: [x, {n: 1}]
      changed_when: false
    - name: skip me
      debug:
        msg: never
      when: false
    - name: notify
      command: "true"
      notify: h1
    - import_role:
        name: r1
  handlers:
    - name: h1
      debug:
        msg: handled
`);
writeFileSync(join(dir, 'v.yml'), `- hosts: all
  gather_facts: false
  roles: [r1]
  tasks:
    - debug:
        msg: shown
`);
const run = (args: string[]) => skiff(['run', ...args, '-i', 'inv'], { cwd: dir, env: { HOME: dir, ANSIBLE_CONFIG: '' } });

const ANSIBLE = `
PLAY [first play] **************************************************************

TASK [say hello] ***************************************************************
ok: [testhost] => {
    "msg": "hello world"
}

TASK [boom] ********************************************************************
fatal: [testhost]: FAILED! => {"changed": false, "msg": "it broke"}
...ignoring

TASK [looping] *****************************************************************
ok: [testhost] => (item=a) => {
    "msg": "item a"
}
ok: [testhost] => (item=b) => {
    "msg": "item b"
}

TASK [looping command] *********************************************************
ok: [testhost] => (item=x)
ok: [testhost] => (item={'n': 1})

TASK [skip me] *****************************************************************
skipping: [testhost]

TASK [notify] ******************************************************************
changed: [testhost]

TASK [r1 : role task] **********************************************************
ok: [testhost]

RUNNING HANDLER [h1] ***********************************************************
ok: [testhost] => {
    "msg": "handled"
}

PLAY RECAP *********************************************************************
testhost                   : ok=7    changed=1    unreachable=0    failed=0    skipped=1    rescued=0    ignored=1   

`;

const ANSIBLE_V = `
PLAY [all] *********************************************************************

TASK [r1 : role task] **********************************************************
ok: [testhost] => {"ansible_facts": {"x": 1}, "changed": false}

TASK [debug] *******************************************************************
ok: [testhost] => {
    "msg": "shown"
}

PLAY RECAP *********************************************************************
testhost                   : ok=2    changed=0    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   

`;

test('debug, ignored failure, loops (debug and command, a dict item), skipped, changed, role task, handler: Ansible\'s lines', async () => {
  const r = await run(['pb.yml']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n'), ANSIBLE.split('\n'));
});

test('-v: the result JSON after ok (sorted keys, on one line); debug\'s indented as always', async () => {
  const r = await run(['-v', 'v.yml']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n'), ANSIBLE_V.split('\n'));
});

test("assert: its result shown without -v unless quiet (Ansible's _ansible_verbose_always), per item too; register keeps it out", async () => {
  writeFileSync(join(dir, 'assert.yml'), `- hosts: all
  gather_facts: false
  tasks:
    - assert: {that: true}
      register: r
    - assert: {that: true, quiet: true}
    - assert: {that: item, quiet: false}
      loop: [1]
    - debug: {msg: "{{ r.keys() | sort }}"}
`);
  const r = await run(['assert.yml']);
  assert.is(r.code, 0, r.stderr);
  // ansible-playbook 2.14.18's lines for the same playbook
  assert.match(r.stdout, `TASK [assert] ******************************************************************
ok: [testhost] => {
    "changed": false,
    "msg": "All assertions passed"
}

TASK [assert] ******************************************************************
ok: [testhost]

TASK [assert] ******************************************************************
ok: [testhost] => (item=1) => {
    "ansible_loop_var": "item",
    "changed": false,
    "item": 1,
    "msg": "All assertions passed"
}

TASK [debug] *******************************************************************
ok: [testhost] => {
    "msg": [
        "changed",
        "failed",
        "msg"
    ]
}`);
});

test('banner: padded with * to 80 columns, at least 3; pyJson: Python json.dumps(sort_keys=True)', () => {
  assert.is(banner('TASK [x]'), '\nTASK [x] ' + '*'.repeat(71));
  assert.is(banner('TASK [' + 'n'.repeat(90) + ']'), '\nTASK [' + 'n'.repeat(90) + '] ***');
  // a task name's own spaces at either end are not shown (the CIS roles' `name: "1.4.2 | PATCH | ... "`)
  assert.is(taskBanner({ task: '1.4.2 | PATCH | x ', role: 'r' }), banner('TASK [r : 1.4.2 | PATCH | x]'));
  assert.is(taskBanner({ task: ' lead ', handler: true }), banner('RUNNING HANDLER [lead]'));
  assert.is(pyJson({ b: [1, {}], a: 'é', c: null }), '{"a": "é", "b": [1, {}], "c": null}');
  assert.is(pyJson({ msg: ['a'], e: [] }, 4), '{\n    "e": [],\n    "msg": [\n        "a"\n    ]\n}');
});

test('the recap lists only the hosts that had a result, as Ansible\'s stats (meta_tasks test_end_play_serial_one: the second host of serial 1 never ran)', () => {
  const out = formatRecap({ testhost: { ...emptyRecap(), ok: 1 }, testhost2: emptyRecap(), down: { ...emptyRecap(), unreachable: 1 } }, false);
  assert.match(out, /^testhost +: ok=1 /m);
  assert.match(out, /^down +: ok=0 +changed=0 +unreachable=1 /m);
  assert.not.match(out, /testhost2/);
});


test("a module's own warnings (its result's warnings) are shown after the banner, before its line, once a run (the default callback's _handle_warnings)", async () => {
  const o = await play({ playbook: playbook('- command: echo hi\n  args: {executable: /bin/bash}\n- command: echo again\n  args: {executable: /bin/bash}') });
  assert.equal(o.problems, []);
  const out: string[] = [];
  const warn = warningPrinter({ columns: 79, color: false, write: (s) => void out.push(s) });
  const lines = ansibleLines({ verbosity: 0, diff: false, out: (l) => void out.push(l), warn });
  for (const e of o.events) if (e.kind === 'result') lines(e);
  const shown = out.join('\n').split('\n').filter((l) => l && !l.startsWith(' ')).map((l) => l.replace(/ \*+$/, ''));
  assert.equal(shown, [
    'TASK [command]',
    "[WARNING]: As of Ansible 2.4, the parameter 'executable' is no longer supported",
    "with the 'command' module. Not using '/bin/bash'.",
    'changed: [a]',
    'TASK [command]',
    'changed: [a]',
  ]);
});

test.run();
