// The same playbook and roles (test/lab/ansible-parity/), run unchanged by skiff on prom1 and by
// ansible-playbook (Debian's ansible-core) on prom2, from the same inventory: what each leaves on its host
// (files, modes, owners, links, the user and group) is compared byte for byte, the same tasks report
// changed, and a second run reports 0 changed under both (and skiff's --check then has nothing to do).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BRIDGE_ADDR } from '../../lab/config.ts';
import { labExec, type Lab } from '../../lab/lab.ts';
import { useLab } from './use-lab.ts';
import { ROOT, skiff } from '../helpers.ts';

const SKIFF_HOST = 'prom1';
const ANSIBLE_HOST = 'prom2';
const tmp = mkdtempSync(join(tmpdir(), 'skiff-parity-'));
const pb = join(tmp, 'pb');
let lab: Lab | undefined;
let server: Server | undefined;
const PAYLOAD = 'a file get_url downloads, its sha256 checked\n';

/** A directory tree as the host holds it: path, kind, mode, owner, links, and a hash of the bytes. */
function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const s = lstatSync(p);
      // copy's backup is named FILE.PID.DATE@TIME~: the same on both but for those
      const shown = `${rel}${name}`.replace(/\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$/, '.PID.DATE@TIME~');
      const kind = s.isSymbolicLink() ? `-> ${readlinkSync(p)}` : s.isDirectory() ? 'dir' : `file ${createHash('sha256').update(readFileSync(p)).digest('hex').slice(0, 16)} links=${s.nlink}`;
      out.push(`${shown} ${(s.mode & 0o7777).toString(8)} ${s.uid}:${s.gid} ${kind}`);
      if (s.isDirectory()) walk(p, `${rel}${name}/`);
    }
  };
  if (existsSync(root)) walk(root, '');
  return out;
}

const hostDir = (h: string) => lab!.hosts.find((x) => x.name === h)!.dir;
const etcLines = (h: string, file: string) =>
  (existsSync(join(hostDir(h), 'overlay/etc/upper', file)) ? readFileSync(join(hostDir(h), 'overlay/etc/upper', file), 'utf8') : '').split('\n').filter((l) => l.startsWith('parity:'));

const RESET = [
  'userdel parity 2>/dev/null; groupdel parity 2>/dev/null; rm -rf /srv/parity /home/parity',
  // what the role finds there the first time: a leftover to remove, a file a command removes, an old config
  'mkdir -p /srv/parity && echo junk > /srv/parity/junk && echo rm > /srv/parity/remove-me && echo version=1 > /srv/parity/old.conf',
].join('; ');

const guard = useLab(test, 'Ansible parity lab test', {}, async (l) => {
  lab = l;
  cpSync(join(ROOT, 'test/lab/ansible-parity'), pb, { recursive: true });
  // unarchive's archive, made here (no binary in the repository): fixed owners and times
  const b = join(tmp, 'bundle');
  mkdirSync(join(b, 'dir'), { recursive: true });
  writeFileSync(join(b, 'a.txt'), 'one\n');
  writeFileSync(join(b, 'dir/b.txt'), 'two\n');
  const tar = await run('tar', ['czf', join(pb, 'roles/parity/files/bundle.tar.gz'), '-C', b, '--owner=0', '--group=0', '--mtime=2026-01-01', 'a.txt', 'dir'], {});
  if (tar.code !== 0) throw new Error(`tar: ${tar.out}`);
  // get_url's source: a server on the lab's bridge, which every lab host routes to
  server = createServer((req, res) => (req.url === '/payload.txt' ? res.end(PAYLOAD) : res.writeHead(404).end()));
  await new Promise<void>((ok) => server!.listen(0, BRIDGE_ADDR, ok));
  const port = (server.address() as { port: number }).port;
  const sha = createHash('sha256').update(PAYLOAD).digest('hex');
  const hosts = l.hosts.filter((h) => h.name === SKIFF_HOST || h.name === ANSIBLE_HOST);
  // one inventory, in Ansible's words, read by both tools
  writeFileSync(
    join(tmp, 'inventory.yml'),
    `all:
  vars:
    ansible_user: root
    ansible_ssh_private_key_file: ${l.keyFile}
    ansible_ssh_common_args: -o UserKnownHostsFile=${l.knownHostsFile} -o StrictHostKeyChecking=yes
    ansible_python_interpreter: /usr/bin/python3
    parity_url: http://${BRIDGE_ADDR}:${port}/payload.txt
    parity_sha256: ${sha}
  hosts:
${hosts.map((h) => `    ${h.name}: {ansible_host: ${h.address}}`).join('\n')}
`,
  );
  for (const h of hosts) {
    const r = await labExec(h.name, RESET);
    if (r.code !== 0) throw new Error(`reset ${h.name}: ${r.stderr}`);
  }
});

test.after(async () => {
  server?.close();
  // the other lab tests find prom1 and prom2 as Scylla Monitoring left them
  if (lab) for (const h of [SKIFF_HOST, ANSIBLE_HOST]) await labExec(h, RESET.split('; ')[0]);
});

function run(cmd: string, args: string[], env: Record<string, string>, timeoutMs = 300_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: tmp, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** ansible-playbook with the test's inventory, ansible-core's default output, its own SSH masters. */
function ansiblePlaybook(args: string[]) {
  return run('ansible-playbook', ['-i', 'inventory.yml', ...args], {
    ANSIBLE_STDOUT_CALLBACK: 'default',
    ANSIBLE_RETRY_FILES_ENABLED: 'false',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_PIPELINING: 'true',
    // its own connection masters, gone 2 s after the run
    ANSIBLE_SSH_ARGS: '-o ControlMaster=auto -o ControlPersist=2s',
    ANSIBLE_SSH_CONTROL_PATH_DIR: mkdtempSync(join(tmp, 'cp-')),
  });
}

/**
 * ansible-playbook on the Ansible host, read from its default output (ansible-core's own callback: the
 * JSON one is in the ansible.posix collection, which Debian's ansible-core lacks): the tasks that
 * reported changed (a loop's when any item did), and the recap's counts.
 */
async function ansible(): Promise<{ changed: string[]; stats: { changed: number; failures: number } }> {
  const r = await ansiblePlaybook(['-l', ANSIBLE_HOST, 'pb/parity.yml']);
  assert.is(r.code, 0, `ansible-playbook failed:\n${r.out.slice(-3000)}`);
  const changed: string[] = [];
  let task = '';
  for (const line of r.out.split('\n')) {
    // "TASK [parity : derived names] ****", "RUNNING HANDLER [parity : app changed] ****"
    const head = line.match(/^(?:TASK|RUNNING HANDLER) \[(?:[\w.]+ : )?(.*)\] \*+$/);
    if (head) task = head[1];
    else if (line.startsWith(`changed: [${ANSIBLE_HOST}]`) && changed.at(-1) !== task) changed.push(task);
  }
  const recap = r.out.match(new RegExp(`^${ANSIBLE_HOST}\\s*:.*changed=(\\d+).*failed=(\\d+)`, 'm'));
  assert.ok(recap, r.out.slice(-2000));
  return { changed, stats: { changed: Number(recap![1]), failures: Number(recap![2]) } };
}

type Report = { recap: Record<string, { changed: number; failed: number }>; results: { host: string; task: string; status: string; handler: boolean }[] };

async function skiffRun(n: number, extra: string[] = []): Promise<{ changed: string[]; recap: Report['recap'][string] }> {
  const rep = join(tmp, `skiff-${n}.json`);
  const r = await skiff(['run', join(pb, 'parity.yml'), '-i', join(tmp, 'inventory.yml'), '-l', SKIFF_HOST, '--report', rep, ...extra], { timeoutMs: 300_000 });
  assert.is(r.code, 0, r.stdout + r.stderr);
  const j = JSON.parse(readFileSync(rep, 'utf8')) as Report;
  // skiff names a handler's result "handler: NAME" in its output; the report keeps the task's own name
  return { changed: j.results.filter((x) => x.host === SKIFF_HOST && x.status === 'changed').map((x) => x.task), recap: j.recap[SKIFF_HOST] };
}

test('one role with every core module: skiff and ansible-playbook leave the same files, users and links; the same tasks change; reruns change nothing', async () => {
  if (!guard.lab()) return;
  const [s1, a1] = await Promise.all([skiffRun(1), ansible()]);
  assert.is(s1.recap.failed, 0);
  assert.is(a1.stats.failures, 0);
  // the first run: the same tasks report changed, in the same order
  assert.equal(s1.changed, a1.changed);
  assert.ok(s1.changed.length >= 25, `most tasks change something on a fresh host: ${s1.changed.join(', ')}`);

  const skiffTree = tree(join(hostDir(SKIFF_HOST), 'srv/parity'));
  assert.ok(skiffTree.length >= 20, skiffTree.join('\n'));
  assert.equal(skiffTree, tree(join(hostDir(ANSIBLE_HOST), 'srv/parity')));
  assert.ok(skiffTree.some((l) => /^old\.conf\.PID\.DATE@TIME~ 644 /.test(l)), 'the backup copy');
  assert.ok(skiffTree.some((l) => /^motd\.hard 644 0:0 file \w+ links=2$/.test(l)), 'the hard link');
  assert.equal(tree(join(hostDir(SKIFF_HOST), 'overlay/home/upper/parity')), tree(join(hostDir(ANSIBLE_HOST), 'overlay/home/upper/parity')));
  for (const f of ['passwd', 'group', 'shadow', 'gshadow']) {
    assert.is(etcLines(SKIFF_HOST, f).length, 1, `${f} has the parity entry`);
    assert.equal(etcLines(SKIFF_HOST, f), etcLines(ANSIBLE_HOST, f), f);
  }

  const [s2, a2] = await Promise.all([skiffRun(2), ansible()]);
  assert.is(s2.recap.changed, 0, `skiff's rerun changed: ${s2.changed.join(', ')}`);
  assert.is(a2.stats.changed, 0, `ansible's rerun changed: ${a2.changed.join(', ')}`);
  assert.equal(tree(join(hostDir(SKIFF_HOST), 'srv/parity')), skiffTree);
  const s3 = await skiffRun(3, ['--check']);
  assert.is(s3.recap.changed, 0, `--check after the runs would change: ${s3.changed.join(', ')}`);
});

test("gathered facts: every fact skiff gathers is what Ansible's setup says of the same host", async () => {
  if (!guard.lab()) return;
  const a = await ansiblePlaybook(['-l', SKIFF_HOST, 'pb/facts.yml', '-e', 'facts_dest=/tmp/ansible-facts.json']);
  assert.is(a.code, 0, a.out.slice(-3000));
  const r = await skiff(['run', join(pb, 'facts.yml'), '-i', join(tmp, 'inventory.yml'), '-l', SKIFF_HOST, '-e', 'facts_dest=/tmp/skiff-facts.json']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  const read = (f: string) => JSON.parse(readFileSync(join(hostDir(SKIFF_HOST), 'tmp', f), 'utf8')) as Record<string, unknown>;
  const [ours, theirs] = [read('skiff-facts.json'), read('ansible-facts.json')];
  // what moves between two runs, and what each tool's own connection puts in the environment (Ansible
  // asks for a terminal and sets LC_CTYPE; the ports differ; skiff's helper shell is one level deeper)
  const volatile = new Set(['memfree_mb', 'date_time.epoch', 'date_time.epoch_int', 'date_time.second', 'date_time.minute', 'date_time.hour', 'date_time.time', 'date_time.iso8601', 'date_time.iso8601_basic_short']);
  const connectionEnv = /^(SSH_\w+|SHLVL|_|TERM|LC_CTYPE|LC_ALL)$/;
  const differ: string[] = [];
  let compared = 0;
  for (const [k, v] of Object.entries(ours)) {
    const sub = v && typeof v === 'object' && !Array.isArray(v) ? Object.entries(v) : [['', v] as [string, unknown]];
    for (const [kk, vv] of sub) {
      const name = kk ? `${k}.${kk}` : k;
      if (volatile.has(name) || (k === 'env' && connectionEnv.test(kk))) continue;
      const want = kk ? (theirs[k] as Record<string, unknown> | undefined)?.[kk] : theirs[k];
      compared++;
      if (JSON.stringify(vv) !== JSON.stringify(want)) differ.push(`${name}: skiff ${JSON.stringify(vv)}, ansible ${JSON.stringify(want)}`);
    }
  }
  assert.equal(differ, []);
  assert.ok(compared >= 40, `compared ${compared} facts`);
  assert.is((ours.default_ipv4 as { address: string }).address, lab!.hosts.find((h) => h.name === SKIFF_HOST)!.address);
});

test.run();
