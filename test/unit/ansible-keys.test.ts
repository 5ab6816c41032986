// apt_key and rpm_key: planning as data, what runs on a fake host (apt's own keyrings, keyservers, a
// host without gpg), and real keyrings in a temp dir (connection: local, this machine's gpg in a
// throwaway GNUPGHOME, keys served by node:http on 127.0.0.1). Never this machine's apt keys.
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { aptKey, parseFacts, planAptKey } from '../../tasks/ansible/apt-key.ts';
import { rpmKey } from '../../tasks/ansible/rpm-key.ts';
import { failure, fakeCtx, fakeHost, tools } from './fake-host.ts';
import { play, playbook, type Outcome } from './engine-harness.ts';

const FPR_A = '9DC858229FC7DD38854AE2D88D81803C0EBFCD88';
const SUB_A = '1111222233334444555566667777888899990000';
const FPR_B = 'D3D5D5A7B3CDB1C0E5F0A5C6D1A4A6F4F0E9C1B2';
const colons = (...keys: string[][]) => keys.map(([pub, ...subs]) => `pub:-:4096:1:${pub.slice(-16)}:1487788586:::-:::scESA:\nfpr:::::::::${pub}:\n${subs.map((s) => `sub:-:4096:1:${s.slice(-16)}::::::e:\nfpr:::::::::${s}:\n`).join('')}`).join('');

test('parseFacts: the keys of each keyring and of the source, each with its fingerprints', () => {
  const f = parseFacts(`@keyring /etc/apt/trusted.gpg\n${colons([FPR_A, SUB_A])}@keyring /etc/apt/trusted.gpg.d/empty.gpg\n@new\n${colons([FPR_B])}`);
  assert.equal([...f.keyrings], [['/etc/apt/trusted.gpg', [{ fprs: [FPR_A, SUB_A] }]], ['/etc/apt/trusted.gpg.d/empty.gpg', []]]);
  assert.equal(f.fresh, [{ fprs: [FPR_B] }]);
});

test('planAptKey: present by a short, long or whole id in any keyring; the source\'s keys without id; absent from each keyring holding it', () => {
  const f = parseFacts(`@keyring /etc/apt/trusted.gpg.d/docker.gpg\n${colons([FPR_A, SUB_A])}@keyring /k.asc\n${colons([FPR_A], [FPR_B])}`);
  for (const id of [FPR_A.slice(-8), FPR_A.slice(-16), FPR_A, SUB_A.slice(-8)]) assert.equal(planAptKey({ id, state: 'present' }, f), { add: undefined, remove: [], ids: [id] });
  assert.equal(planAptKey({ id: 'ABCDEF01', state: 'present', keyring: '/k.gpg' }, f).add, '/k.gpg');
  assert.equal(planAptKey({ id: 'ABCDEF01', state: 'present' }, f).add, '/etc/apt/trusted.gpg', 'apt-key add\'s keyring by default');
  assert.equal(planAptKey({ state: 'present' }, { ...f, fresh: [{ fprs: [FPR_B] }] }), { add: undefined, remove: [], ids: [FPR_B] });
  assert.equal(planAptKey({ state: 'present' }, { keyrings: new Map(), fresh: [{ fprs: [FPR_B] }] }).add, '/etc/apt/trusted.gpg');
  assert.equal(planAptKey({ id: FPR_A.slice(-8), state: 'absent' }, f).remove, [{ keyring: '/etc/apt/trusted.gpg.d/docker.gpg', fprs: [FPR_A] }, { keyring: '/k.asc', fprs: [FPR_A] }]);
  assert.equal(planAptKey({ id: 'ABCDEF01', state: 'absent' }, f).remove, []);
});

const p = (params: unknown) => v.parse(aptKey.schema, params);

test('apt_key on a fake host: a key already in trusted.gpg.d is ok; a keyserver key goes through gpg --recv-keys; data never in a command line', async () => {
  const listing = `@keyring /etc/apt/trusted.gpg.d/docker.gpg\n${colons([FPR_A])}`;
  const host = fakeHost([tools('gpg', 'dirmngr'), [/show-only/, { stdout: listing }]]);
  const ctx = fakeCtx(host);
  assert.equal((await aptKey.plan(ctx, p({ id: `0x${FPR_A.slice(-8).toLowerCase()}`, keyserver: 'keyserver.ubuntu.com' }))).changes, []);
  assert.match(host.cmds.find((c) => c.includes('show-only'))!, /for f in \/etc\/apt\/trusted\.gpg \/etc\/apt\/trusted\.gpg\.d\/\*\.gpg \/etc\/apt\/trusted\.gpg\.d\/\*\.asc;/);
  const ks = p({ id: FPR_B.slice(-16), keyserver: 'hkp://keyserver.ubuntu.com:80', keyring: '/etc/apt/keyrings/scylla.gpg' });
  const plan = await aptKey.plan(ctx, ks);
  assert.equal(plan.changes, [`add key ${FPR_B.slice(-16)} from keyserver hkp://keyserver.ubuntu.com:80 to /etc/apt/keyrings/scylla.gpg`]);
  await aptKey.apply(ctx, ks, plan);
  assert.match(host.cmds.at(-1)!, /g --keyserver 'hkp:\/\/keyserver\.ubuntu\.com:80' --recv-keys -- 'D1A4A6F4F0E9C1B2'/);
  assert.match(host.cmds.at(-1)!, /mv -f -- "\$t" '\/etc\/apt\/keyrings\/scylla\.gpg'/);
  const data = p({ data: '-----BEGIN PGP PUBLIC KEY BLOCK-----\nsecretish\n', id: 'ABCDEF01' });
  await aptKey.apply(ctx, data, await aptKey.plan(ctx, data));
  assert.not.ok(host.cmds.some((c) => c.includes('secretish')));
});

test('apt_key: a host without gpg, or without dirmngr for a keyserver, fails naming it; check mode does not ask for dirmngr', async () => {
  const none = fakeHost([tools('curl')], 'web1');
  assert.is(await failure(aptKey.plan(fakeCtx(none), p({ url: 'https://x/gpg' }))), 'apt_key: no gpg on web1');
  const noDirmngr = fakeHost([tools('gpg')], 'web2');
  const ks = p({ id: 'ABCDEF01', keyserver: 'keys.example' });
  assert.is(await failure(aptKey.plan(fakeCtx(noDirmngr), ks)), 'apt_key: no dirmngr on web2 (gpg fetches from a keyserver through dirmngr)');
  assert.equal((await aptKey.plan(fakeCtx(noDirmngr, true), ks)).changes, ['add key ABCDEF01 from keyserver keys.example to /etc/apt/trusted.gpg']);
});

test('rpm_key: read and checked; fails on a host without rpm, and on one with it, naming what to do', async () => {
  const k = v.parse(rpmKey.schema, { key: 'https://dl.fedoraproject.org/pub/epel/RPM-GPG-KEY-EPEL-9', fingerprint: '9DC8 5822 9FC7 DD38 854A E2D8 8D81 803C 0EBF CD88' });
  assert.is(await failure(rpmKey.plan(fakeCtx(fakeHost([tools('apt-get')], 'deb1')), k)), 'rpm_key: no rpm on deb1');
  assert.match(await failure(rpmKey.plan(fakeCtx(fakeHost([tools('rpm')], 'rh1')), k)), /^rpm_key: skiff does not run rpm \(apt only\); rh1 has it/);
});

test('apt_key/rpm_key in a playbook: accepted by their names; bad ids and missing sources refused before the run with their position', async () => {
  const ok = await play({ playbook: playbook(`- ansible.builtin.apt_key: {keyserver: keyserver.ubuntu.com, id: "0x6B2BFD3660EF3F5B", keyring: /etc/apt/keyrings/s.gpg}\n  when: false\n- apt_key: {id: ABCDEF01, state: absent}\n  when: false\n- rpm_key: {key: "https://www.elrepo.org/RPM-GPG-KEY-elrepo.org", state: present}\n  when: false`) });
  assert.equal(ok.problems, []);
  const bad = await play({ playbook: playbook(`- apt_key: {id: ABCDEF, keyserver: k}\n- apt_key: {url: "https://x/gpg", data: "x"}\n- apt_key: {state: absent}\n- apt_key: {id: ABCDEF01}\n- rpm_key: {key: ./RPM-GPG-KEY}`) });
  assert.is(bad.code, 'bad-input');
  assert.match(bad.problems.join('\n'), /play\d+\.yml:3:\d+: id: got "ABCDEF", expected a key id of 8, 16 or 40 hex digits/);
  assert.match(bad.problems.join('\n'), /:4:\d+: .*expected one of url, data, file or keyserver, not several/);
  assert.match(bad.problems.join('\n'), /:5:\d+: .*expected id for state absent/);
  assert.match(bad.problems.join('\n'), /:6:\d+: .*expected url, data, file or keyserver for state present/);
  assert.match(bad.problems.join('\n'), /:7:\d+: .*expected a URL, an absolute path on the host or a key id/);
});

// ---- real keyrings, this machine's gpg, everything under a temp dir ----

const tmp = () => mkdtempSync(join(tmpdir(), 'skiff-keys-'));
const statuses = (o: Outcome) => o.results.map((r) => r.status);
/** A fresh signing key: its armored public key and fingerprint. */
function makeKey(name: string): { armored: string; fpr: string } {
  const env = { ...process.env, GNUPGHOME: mkdtempSync(join(tmpdir(), 'skiff-gpg-')) };
  const gpg = (...args: string[]) => execFileSync('gpg', ['--batch', '--no-tty', '--quiet', ...args], { env, encoding: 'utf8', stdio: 'pipe' });
  gpg('--passphrase', '', '--quick-gen-key', `${name} <${name}@example.invalid>`, 'ed25519', 'sign', 'never');
  const fpr = gpg('--with-colons', '--list-keys').split('\n').find((l) => l.startsWith('fpr:'))!.split(':')[9];
  return { armored: gpg('--armor', '--export'), fpr };
}
/** The fingerprints of the primary keys a keyring file holds, read by gpg as apt would. */
function keysIn(file: string): string[] {
  const env = { ...process.env, GNUPGHOME: mkdtempSync(join(tmpdir(), 'skiff-gpg-')) };
  const out = execFileSync('gpg', ['--batch', '--with-colons', '--show-keys', file], { env, encoding: 'utf8', stdio: 'pipe' });
  return out.split('\n').filter((l, i, all) => l.startsWith('fpr:') && all[i - 1]?.startsWith('pub:')).map((l) => l.split(':')[9]);
}

let A: { armored: string; fpr: string };
let B: { armored: string; fpr: string };
let server: Server;
let base = '';
const requests: string[] = [];
test.before(async () => {
  A = makeKey('alpha');
  B = makeKey('beta');
  server = createServer((req, res) => {
    requests.push(req.url!);
    if (req.url === '/a.asc') return void res.end(A.armored);
    if (req.url === '/page') return void res.end('<html>a login page</html>');
    res.writeHead(404).end('no such key');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
test.after(() => void server.close());

test('apt_key for real: a URL\'s key (no id: downloaded and compared), check mode writing nothing, a second key by data appended, a second run ok, then absent', async () => {
  const d = tmp();
  const ring = `${d}/repo.gpg`;
  const add = `- apt_key: {url: "${base}/a.asc", keyring: ${ring}}\n- apt_key: {data: "{{ key_b }}", id: "${B.fpr.slice(-16)}", keyring: ${ring}}`;
  const vars = `\n  vars:\n    key_b: |\n${B.armored.trimEnd().split('\n').map((l) => `      ${l}`).join('\n')}`;
  const check = await play({ playbook: playbook(add) + vars, opts: { check: true } });
  assert.equal(check.problems, []);
  assert.equal(statuses(check), ['changed', 'changed']);
  assert.equal(readdirSync(d), [], 'check mode wrote nothing');
  const onlyA = await play({ playbook: playbook(add.split('\n')[0]) });
  assert.equal(statuses(onlyA), ['changed']);
  const bytesA = readFileSync(ring);
  const first = await play({ playbook: playbook(add) + vars });
  assert.equal(statuses(first), ['ok', 'changed'], JSON.stringify(first.results.map((r) => r.msg)));
  assert.equal(readFileSync(ring).subarray(0, bytesA.length), bytesA, 'the keys there kept byte for byte, the new one appended');
  assert.equal(keysIn(ring).sort(), [A.fpr, B.fpr].sort());
  assert.not.match(readFileSync(ring).subarray(0, 16).toString('latin1'), 'KBXf', 'plain OpenPGP, not a keybox apt would ignore');
  assert.is((statSync(ring).mode & 0o777).toString(8), '644');
  assert.equal(readdirSync(d), ['repo.gpg'], 'no temp file left');
  requests.length = 0;
  const second = await play({ playbook: playbook(add) + vars });
  assert.equal(statuses(second), ['ok', 'ok']);
  assert.equal(requests, ['/a.asc'], 'without an id the key is downloaded to compare (as Ansible), and nothing written');
  const del = `- apt_key: {id: "${A.fpr.slice(-8)}", keyring: ${ring}, state: absent}`;
  assert.equal(statuses(await play({ playbook: playbook(del) })), ['changed']);
  assert.equal(keysIn(ring), [B.fpr]);
  assert.equal(readdirSync(d), ['repo.gpg'], 'neither the temp copy nor gpg\'s backup of it left');
  assert.equal(statuses(await play({ playbook: playbook(del) })), ['ok']);
});

test('apt_key for real: a key that is not the id given fails and leaves the keyring as it was; a 404 or a page that is no key fails naming the URL; an .asc keyring stays armored', async () => {
  const d = tmp();
  const ring = `${d}/k.asc`;
  const o = await play({ playbook: playbook(`- apt_key: {url: "${base}/a.asc", keyring: ${ring}}\n- apt_key: {url: "${base}/a.asc", id: "${B.fpr.slice(-8)}", keyring: ${ring}}\n  ignore_errors: true\n- apt_key: {url: "${base}/nope.asc", keyring: ${d}/x.gpg}\n  ignore_errors: true`) });
  assert.equal(statuses(o), ['changed', 'failed', 'failed']);
  assert.match(o.results[1].msg!, `the key fetched is not ${B.fpr.slice(-8)}`);
  assert.match(o.results[2].msg!, new RegExp(`apt_key: reading the key from ${base}/nope.asc: .*404`));
  const page = await play({ playbook: playbook(`- apt_key: {url: "${base}/page", keyring: ${d}/y.gpg}\n  ignore_errors: true`) });
  assert.match(page.results[0].msg!, `apt_key: reading the key from ${base}/page: `);
  assert.match(page.results[0].msg!, 'no OpenPGP key in it');
  assert.match(readFileSync(ring, 'utf8'), /^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
  assert.equal(keysIn(ring), [A.fpr]);
  assert.equal(readdirSync(d), ['k.asc']);
  writeFileSync(`${d}/b.asc`, B.armored);
  const fromFile = await play({ playbook: playbook(`- apt_key: {file: ${d}/b.asc, keyring: ${ring}}`) });
  assert.equal(statuses(fromFile), ['changed']);
  assert.equal(keysIn(ring).sort(), [A.fpr, B.fpr].sort());
});

test.run();
