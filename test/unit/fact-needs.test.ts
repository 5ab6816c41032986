// A play that reads a fact skiff's own gathering lacks gets Ansible's, from its setup module narrowed to
// the collectors that hold it (geerlingguy.swap reads ansible_facts.memory_mb['swap']['total']).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { neededSubset } from '../../src/engine/fact-needs.ts';
import { play, playbook } from './engine-harness.ts';
import { FACTS_SCRIPT } from '../../src/engine/facts.ts';

test('the subset is what the texts read beyond skiff\'s facts, narrowed to its collectors', () => {
  assert.is(neededSubset(["when: ansible_os_family == 'Debian' and ansible_facts.distribution_major_version | int > 10"]), undefined);
  assert.equal(neededSubset(["when: ansible_facts.memory_mb['swap']['total'] > 0"]), ['!all', '!min', 'hardware']);
  assert.equal(neededSubset(["{{ ansible_facts['mounts'] }} {{ ansible_lsb.codename }}"]), ['!all', 'hardware']);
  // geerlingguy.postgresql's defaults: ansible_fips (a min fact: `!min` with `min` would give none)
  assert.equal(neededSubset(["postgresql_auth_method: \"{{ ansible_fips | ternary('scram-sha-256', 'md5') }}\""]), ['!all']);
  assert.equal(neededSubset(['{{ ansible_all_ipv4_addresses }}']), ['!all', '!min', 'network']);
  // an interface's facts, by its name (ansible-examples' mongodb: hostvars[host].ansible_eth0.ipv4.address)
  assert.equal(neededSubset(["{{ hostvars[host]['ansible_eth0'].ipv4.address }} {{ ansible_enp0s3.mtu }}"]), ['!all', '!min', 'network']);
  assert.is(neededSubset(['{{ ansible_env.HOME }} {{ ansible_user }}']), undefined);
  // ...or computed: its mongodb's hosts.j2 reads hostvars[host]['ansible_' + iface]
  assert.equal(neededSubset(["{{ hostvars[host]['ansible_' + iface].ipv4.address }}"]), ['all']);
  // a computed key may be any fact
  assert.equal(neededSubset(['{{ ansible_facts[iface] }}']), ['all']);
  // a connection or magic variable is not a fact
  assert.is(neededSubset(['{{ ansible_host }} {{ ansible_play_hosts }} {{ ansible_check_mode }}']), undefined);
});

const hasAnsible = existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import ansible']).status === 0;
if (!hasAnsible && process.env.CI === 'true') throw new Error('ansible-core is not installed (/usr/bin/python3 -c "import ansible" fails): install it (npx tsx lab/cli.ts install)');
(hasAnsible ? test : test.skip)("a play reading ansible_memory_mb and ansible_processor_cores gets Ansible's values of them", async () => {
  // skiff's own facts of this machine, as its script reads them; Ansible's setup runs here for real
  const own = spawnSync('sh', ['-c', FACTS_SCRIPT], { encoding: 'utf8' }).stdout;
  const o = await play({
    facts: { a: own },
    playbook: playbook("- assert:\n    that:\n      - ansible_memory_mb.real.total == ansible_memtotal_mb\n      - ansible_facts.processor_cores is number\n      - ansible_os_family is defined", "  gather_facts: true\n"),
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines.slice(-1), ['a assert ok'], JSON.stringify(o.results.slice(-1)));
});

test.run();
