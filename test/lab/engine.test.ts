// The engine against the lab's real hosts (sshd in network namespaces): changes, idempotence, check
// mode that writes nothing, --limit, the retry file, and host keys.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labExec, labUp, type Lab } from '../../lab/lab.ts';
import { labInventory, useLab } from './use-lab.ts';
import { ROOT, skiff } from '../helpers.ts';

const PLAYBOOK = 'test/lab/playbooks/generic.yml';
const DIR = '/srv/skiff-generic';
let lab: Lab | undefined;
let inv = '';
const tmp = mkdtempSync(join(tmpdir(), 'skiff-engine-'));


/** Every file under DIR on every host, read from the root namespace: mode, owner, mtime, bytes. */
function snapshot(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of lab!.hosts) {
    const base = join(h.dir, 'srv', DIR.replace('/srv/', ''));
    const walk = (p: string) => {
      if (!existsSync(p)) return;
      const st = lstatSync(p);
      const key = `${h.name}:${p.slice(base.length) || '/'}`;
      out[key] = `${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.mtimeMs} ${st.isFile() ? createHash('sha256').update(readFileSync(p)).digest('hex') : ''}`;
      if (st.isDirectory()) for (const f of readdirSync(p)) walk(join(p, f));
    };
    walk(base);
  }
  return out;
}

function report(file: string): { recap: Record<string, { ok: number; changed: number; failed: number; unreachable: boolean }>; results: { host: string; task: string; status: string; diff?: string; msg?: string }[] } {
  return JSON.parse(readFileSync(file, 'utf8'));
}

const changedTotal = (r: ReturnType<typeof report>) => Object.values(r.recap).reduce((n, x) => n + x.changed, 0);

const guard = useLab(test, 'engine lab tests', {}, async (l) => {
  lab = l;
  inv = join(tmp, 'hosts.yml');
  writeFileSync(inv, labInventory(l));
  await Promise.all(l.hosts.map((h) => labExec(h.name, `rm -rf ${DIR}`)));
});

test('first run changes every host; a second run reports 0 changed', async () => {
  if (!guard.lab()) return;
  // check mode on fresh hosts: every task pending (later tasks plan against what earlier ones would
  // create), nothing written
  const c = await skiff(['run', PLAYBOOK, '-i', inv, '--check', '--report', join(tmp, 'c0.json')]);
  assert.is(c.code, 0, c.stdout + c.stderr);
  for (const h of lab!.hosts) assert.is(report(join(tmp, 'c0.json')).recap[h.name].changed, 10, `${h.name}: 10 pending in check mode`);
  for (const h of lab!.hosts) assert.not.ok(existsSync(join(h.dir, 'srv/skiff-generic')), 'check mode created nothing');
  const r1 = await skiff(['run', PLAYBOOK, '-i', inv, '--report', join(tmp, 'r1.json')]);
  assert.is(r1.code, 0, r1.stdout + r1.stderr);
  const rep1 = report(join(tmp, 'r1.json'));
  for (const h of lab!.hosts) assert.is(rep1.recap[h.name].changed, 10, `${h.name} changed all 10 tasks`);
  const conf = readFileSync(join(lab!.hosts[1].dir, 'srv/skiff-generic/app.conf'), 'utf8');
  assert.is(conf, `name=${lab!.hosts[1].name}\nport=9090\n`);
  assert.is(lstatSync(join(lab!.hosts[1].dir, 'srv/skiff-generic/token')).mode & 0o777, 0o600);
  // the secret var's value never appears in output or report
  assert.not.match(r1.stdout + readFileSync(join(tmp, 'r1.json'), 'utf8'), 's3cr3t-t0ken-value');

  const r2 = await skiff(['run', PLAYBOOK, '-i', inv, '--report', join(tmp, 'r2.json')]);
  assert.is(r2.code, 0, r2.stdout + r2.stderr);
  assert.is(changedTotal(report(join(tmp, 'r2.json'))), 0, r2.stdout);
  console.log(`  cold run ${r1.ms} ms, warm run ${r2.ms} ms, ${lab!.hosts.length} hosts x 10 tasks`);
});

test('--check --diff after a change on one host reports it and writes nothing anywhere', async () => {
  if (!guard.lab()) return;
  const target = lab!.hosts[2];
  await labExec(target.name, `printf 'name=hand-edited\\n' > ${DIR}/app.conf && rm -f ${DIR}/motd`);
  const before = snapshot();
  const r = await skiff(['run', PLAYBOOK, '-i', inv, '--check', '--diff', '--report', join(tmp, 'c.json')]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  const after = snapshot();
  assert.equal(after, before, 'check mode left every file byte-identical (content, mode, owner, mtime)');
  const rep = report(join(tmp, 'c.json'));
  assert.is(rep.recap[target.name].changed, 2, 'app.conf and motd pending');
  for (const h of lab!.hosts) if (h !== target) assert.is(rep.recap[h.name].changed, 0);
  assert.match(r.stdout, `-name=hand-edited`);
  assert.match(r.stdout, `+name=${target.name}`);
  const d = await skiff(['run', PLAYBOOK, '-i', inv, '--check', '--detailed-exitcode']);
  assert.is(d.code, 8, 'pending changes -> exit 8 with --detailed-exitcode');
  // put it back for the next tests
  const fix = await skiff(['run', PLAYBOOK, '-i', inv]);
  assert.is(fix.code, 0);
  const clean = await skiff(['run', PLAYBOOK, '-i', inv, '--check', '--detailed-exitcode']);
  assert.is(clean.code, 0, 'nothing pending -> exit 0');
});

test('--limit runs only the named hosts', async () => {
  if (!guard.lab()) return;
  const one = lab!.hosts[0].name;
  const r = await skiff(['run', PLAYBOOK, '-i', inv, '--limit', one, '--report', join(tmp, 'l.json')]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.equal(Object.keys(report(join(tmp, 'l.json')).recap), [one]);
});

test('a failed host: the others finish, exit 2, the retry file names it, and --limit @retry completes it', async () => {
  if (!guard.lab()) return;
  const bad = lab!.hosts[3];
  await labExec(bad.name, `rm -rf ${DIR}/motd ${DIR}/token && mkdir ${DIR}/motd`);
  await Promise.all(lab!.hosts.map((h) => labExec(h.name, `rm -f ${DIR}/token`)));
  const retry = join(ROOT, '.skiff/retry/generic.retry');
  rmSync(retry, { force: true });
  const r = await skiff(['run', PLAYBOOK, '-i', inv, '--report', join(tmp, 'f.json')]);
  assert.is(r.code, 2, r.stdout + r.stderr);
  const rep = report(join(tmp, 'f.json'));
  assert.is(rep.recap[bad.name].failed, 1);
  // Ansible's lines: the task's banner, then the host's failure
  assert.match(r.stdout, new RegExp(`TASK \\[motd\\] \\*+\\n(?:.*\\n)*?fatal: \\[${bad.name}\\]: FAILED!`));
  for (const h of lab!.hosts) if (h !== bad) assert.is(rep.recap[h.name].changed, 1, `${h.name} finished (token rewritten)`);
  assert.is(readFileSync(retry, 'utf8'), `${bad.name}\n`);

  await labExec(bad.name, `rmdir ${DIR}/motd`);
  const again = await skiff(['run', PLAYBOOK, '-i', inv, '--limit', `@${retry}`, '--report', join(tmp, 'f2.json')]);
  assert.is(again.code, 0, again.stdout + again.stderr);
  const rep2 = report(join(tmp, 'f2.json'));
  assert.equal(Object.keys(rep2.recap), [bad.name], 'only the failed host ran');
  assert.is(rep2.recap[bad.name].changed, 2, 'motd and token, nothing else applied twice');
  assert.not.ok(existsSync(retry), 'a clean rerun removes the retry file');
});

test('a changed host key is refused, even with --accept-new-host-keys; an unknown one only with it', async () => {
  if (!guard.lab()) return;
  const h = lab!.hosts[0];
  // a known_hosts that holds another host's key for this address
  const other = readFileSync(lab!.knownHostsFile, 'utf8').split('\n').find((l) => l.startsWith(lab!.hosts[1].address + ' '))!;
  const wrong = join(tmp, 'known_hosts_wrong');
  writeFileSync(wrong, other.replace(lab!.hosts[1].address, h.address) + '\n');
  for (const extra of [[], ['--accept-new-host-keys']]) {
    const r = await skiff(['run', PLAYBOOK, '-i', inv, '--limit', h.name, '-e', `known_hosts_file=${wrong}`, ...extra]);
    assert.is(r.code, 4, r.stdout + r.stderr);
    assert.match(r.stdout, /does not match/);
    assert.match(r.stdout, /SHA256:[A-Za-z0-9+/]{43}/);
  }
  assert.is(readFileSync(wrong, 'utf8'), other.replace(lab!.hosts[1].address, h.address) + '\n', 'known_hosts untouched');

  const empty = join(tmp, 'known_hosts_empty');
  writeFileSync(empty, '');
  const refused = await skiff(['run', PLAYBOOK, '-i', inv, '--limit', h.name, '-e', `known_hosts_file=${empty}`]);
  assert.is(refused.code, 4);
  assert.match(refused.stdout, /--accept-new-host-keys/);
  const accepted = await skiff(['run', PLAYBOOK, '-i', inv, '--limit', h.name, '-e', `known_hosts_file=${empty}`, '--accept-new-host-keys']);
  assert.is(accepted.code, 0, accepted.stdout + accepted.stderr);
  assert.match(readFileSync(empty, 'utf8'), new RegExp(`^${h.address.replace(/\./g, '\\.')} ssh-ed25519 `));
});

test.run();
