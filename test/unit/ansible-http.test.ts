// get_url, uri and wait_for, run for real on this machine (connection: local) against an HTTP server
// of node:http on 127.0.0.1, files in a temp dir: what is left on disk, what is registered, a second
// run changing nothing, check mode writing nothing.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { play, playbook, type Outcome } from './engine-harness.ts';
import { curlConfig } from '../../tasks/lib/curl.ts';
import { getUrl } from '../../tasks/ansible/get-url.ts';
import { procAddrs } from '../../tasks/ansible/wait-for.ts';
import { requestBody } from '../../tasks/ansible/uri.ts';
import { fakeCtx, fakeHost, tools } from './fake-host.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'skiff-http-'));
const statuses = (o: Outcome) => o.results.map((r) => r.status);
const reg = (o: Outcome, i: number) => o.results[i].registered as Record<string, any>;
const BODY = 'node_exporter binary\n';
const SHA256 = createHash('sha256').update(BODY).digest('hex');

const requests: string[] = [];
let server: Server;
let base = '';
test.before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      if (req.url === '/dl/node_exporter.tar.gz') return void res.end(BODY);
      if (req.url === '/api') return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ok: true, n: 3 }));
      if (req.url === '/echo') return void res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ method: req.method, type: req.headers['content-type'], auth: req.headers.authorization, body }));
      if (req.url === '/private') {
        requests.push(`auth ${req.headers.authorization ?? 'none'}`);
        if (req.headers.authorization !== `Basic ${Buffer.from('ops:s3cret').toString('base64')}`) return void res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="x"' }).end();
        return void res.writeHead(200).end('secret');
      }
      if (req.url === '/moved') return void res.writeHead(302, { Location: '/api' }).end();
      res.writeHead(404).end('no such thing');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
test.after(() => void server.close());

test('curlConfig: every value quoted in curl\'s config syntax; a body starting with @ stays data', () => {
  assert.is(curlConfig({ url: 'http://h/a b"c', headers: { Authorization: 'Bearer x\\y' }, body: '@/etc/passwd\n', method: 'POST', follow: true, failOnError: true }), 'url = "http://h/a b\\"c"\nsilent\nshow-error\nrequest = "POST"\nheader = "Authorization: Bearer x\\\\y"\ndata-raw = "@/etc/passwd\\n"\nlocation\nfail\n');
});

test("uri: user/password (url_username/url_password) answer the server's 401 challenge; force_basic_auth sends them at once", async () => {
  requests.length = 0;
  const o = await play({ playbook: playbook(`- uri: {url: "${base}/private", user: ops, password: s3cret, return_content: true}\n  register: r\n- uri: {url: "${base}/private", url_username: ops, url_password: s3cret, force_basic_auth: yes}`) });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['ok', 'ok'], JSON.stringify(o.results.map((r) => r.msg)));
  assert.is(reg(o, 0).content, 'secret');
  const basic = `Basic ${Buffer.from('ops:s3cret').toString('base64')}`;
  assert.equal(requests.filter((r) => r.startsWith('auth')), ['auth none', `auth ${basic}`, `auth ${basic}`]);
});

test('get_url: the URL and headers go on curl\'s stdin, never in the command line', async () => {
  const host = fakeHost([tools('curl'), [/^if \[ -L/, { stdout: 'missing\n' }], [/curl -K -/, { stdout: '200 abc 3\n' }]]);
  const p = v.parse(getUrl.schema, { url: 'https://user:s3cret@example.com/x?token=t0k', dest: '/opt/x', headers: { Authorization: 'Bearer t0k' } });
  const plan = await getUrl.plan(fakeCtx(host), p);
  assert.equal(plan.changes, ['download https://***@example.com/x?token=t0k to /opt/x']);
  await getUrl.apply(fakeCtx(host), p, plan);
  assert.not.ok(host.cmds.some((c) => /s3cret|t0k/.test(c)), host.cmds.join('\n'));
});

test('get_url: check mode writes nothing; downloads with mode and checksum; a second run is ok without a request; into a directory by the URL\'s name', async () => {
  const d = tmp();
  const tasks = `- get_url: {url: "${base}/dl/node_exporter.tar.gz", dest: ${d}/ne.tgz, mode: "0640", checksum: "sha256:${SHA256}"}\n  register: g\n- ansible.builtin.get_url: {url: "${base}/dl/node_exporter.tar.gz", dest: ${d}}`;
  const check = await play({ playbook: playbook(tasks), opts: { check: true } });
  assert.equal(statuses(check), ['changed', 'changed']);
  assert.equal(readdirSync(d), []);
  requests.length = 0;
  const first = await play({ playbook: playbook(tasks) });
  assert.equal(statuses(first), ['changed', 'changed']);
  assert.is(readFileSync(`${d}/ne.tgz`, 'utf8'), BODY);
  assert.is((statSync(`${d}/ne.tgz`).mode & 0o777).toString(8), '640');
  assert.is(readFileSync(`${d}/node_exporter.tar.gz`, 'utf8'), BODY);
  assert.is(reg(first, 0).status_code, 200);
  assert.is(reg(first, 0).dest, `${d}/ne.tgz`);
  assert.is(requests.length, 2);
  const second = await play({ playbook: playbook(tasks) });
  assert.equal(statuses(second), ['ok', 'ok']);
  assert.is(requests.length, 2, 'no download on the second run');
});

test('get_url in check mode asks the server (HEAD), as Ansible does: a URL it cannot fetch fails; nothing is written (geerlingguy.jenkins: the repository key, offline)', async () => {
  const d = tmp();
  const o = await play({ playbook: playbook(`- get_url: {url: "${base}/nope", dest: ${d}/key.asc, mode: "0644", force: true}\n  ignore_errors: true\n- get_url: {url: "${base}/dl/node_exporter.tar.gz", dest: ${d}/ne.tgz}`), opts: { check: true } });
  assert.equal(statuses(o), ['failed', 'changed']);
  assert.match(o.results[0].msg!, new RegExp(`get_url: ${base}/nope: Request failed: .*404`));
  assert.equal(readdirSync(d), []);
});

test('get_url: a wrong checksum fails and leaves neither dest nor a temp file; a 404 fails naming the URL; force downloads again', async () => {
  const d = tmp();
  const bad = await play({ playbook: playbook(`- get_url: {url: "${base}/dl/node_exporter.tar.gz", dest: ${d}/x, checksum: "sha256:${'0'.repeat(64)}"}\n  ignore_errors: true\n- get_url: {url: "${base}/nope", dest: ${d}/y}`) });
  assert.equal(statuses(bad), ['failed', 'failed']);
  assert.match(bad.results[0].msg!, `the sha256 checksum of the download is ${SHA256}, expected ${'0'.repeat(64)}`);
  assert.match(bad.results[1].msg!, new RegExp(`get_url: ${base}/nope to ${d}/y: .*404`));
  assert.equal(readdirSync(d), []);
  writeFileSync(`${d}/z`, 'old');
  const kept = await play({ playbook: playbook(`- get_url: {url: "${base}/dl/node_exporter.tar.gz", dest: ${d}/z}\n- get_url: {url: "file://${d}/z", dest: ${d}/copy}`) });
  assert.equal(statuses(kept), ['ok', 'changed']);
  assert.is(readFileSync(`${d}/copy`, 'utf8'), 'old', 'file:// URLs too');
  const forced = await play({ playbook: playbook(`- get_url: {url: "${base}/dl/node_exporter.tar.gz", dest: ${d}/z, force: true}`) });
  assert.equal(statuses(forced), ['changed']);
  assert.is(readFileSync(`${d}/z`, 'utf8'), BODY);
});

test('requestBody: json and form bodies with their Content-Type, unless the headers give one', () => {
  assert.equal(requestBody({ body: { a: [1] }, body_format: 'json' }), { body: '{"a":[1]}', headers: { 'Content-Type': 'application/json' } });
  assert.equal(requestBody({ body: { a: 'x y', b: 2 }, body_format: 'form-urlencoded', headers: { 'content-type': 'x/y' } }), { body: 'a=x+y&b=2', headers: { 'content-type': 'x/y' } });
});

test('uri: status, json, content; a POSTed json body and headers arrive; redirects followed for GET; ok (never changed); skipped in check mode', async () => {
  const tasks = `- uri: {url: "${base}/api"}\n  register: a
- ansible.builtin.uri: {url: "${base}/echo", method: POST, body: {x: 1}, body_format: json, status_code: [200, 201], return_content: true, headers: {Authorization: "Bearer abc"}}\n  register: e
- uri: {url: "${base}/moved"}\n  register: m
- uri: {url: "${base}/moved", follow_redirects: no, status_code: 302}\n  register: n`;
  const o = await play({ playbook: playbook(tasks) });
  assert.equal(statuses(o), ['ok', 'ok', 'ok', 'ok']);
  assert.equal(reg(o, 0).json, { ok: true, n: 3 });
  assert.equal([reg(o, 3).status, reg(o, 3).redirected], [302, false], 'follow_redirects: no (a YAML 1.1 boolean) is none');
  assert.is(reg(o, 0).status, 200);
  assert.is(reg(o, 0).content, undefined, 'content only with return_content');
  assert.is(reg(o, 1).status, 201);
  assert.equal(reg(o, 1).json, { method: 'POST', type: 'application/json', auth: 'Bearer abc', body: '{"x":1}' });
  assert.match(reg(o, 1).content, /"method":"POST"/);
  assert.equal([reg(o, 2).status, reg(o, 2).redirected, reg(o, 2).url], [200, true, `${base}/api`]);
  const check = await play({ playbook: playbook(tasks), opts: { check: true } });
  assert.equal(statuses(check), ['skipped', 'skipped', 'skipped', 'skipped']);
});

test('uri: follow_redirects "no" as text is none, and status_code "302,403" is a list (geerlingguy.jenkins\' wait for Jenkins)', async () => {
  const o = await play({ playbook: playbook(`- uri: {url: "${base}/moved", follow_redirects: "no", status_code: "302,403"}\n  register: n`) });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['ok']);
  assert.equal([reg(o, 0).status, reg(o, 0).redirected], [302, false]);
});

test('uri: an unexpected status fails with Ansible\'s message and the status registered; a refused connection is status -1', async () => {
  const closed = createServer();
  await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
  const port = (closed.address() as AddressInfo).port;
  closed.close();
  const o = await play({ playbook: playbook(`- uri: {url: "${base}/nope"}\n  register: r\n  ignore_errors: true\n- uri: {url: "http://127.0.0.1:${port}/"}\n  register: s\n  ignore_errors: true`) });
  assert.equal(statuses(o), ['failed', 'failed']);
  assert.match(o.results[0].msg!, /^Status code was 404 and not \[200\]/);
  assert.is(reg(o, 0).status, 404);
  assert.match(o.results[1].msg!, /^Status code was -1 and not \[200\]: Request failed: .*(refused|connect)/i);
});

test('wait_for: a listening port, a closed port stopped, a file with a matching line; a timeout fails naming what it waited for; skipped in check mode', async () => {
  const d = tmp();
  writeFileSync(`${d}/log`, 'starting\nready on 9090\n');
  const closed = createServer();
  await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
  const port = (closed.address() as AddressInfo).port;
  closed.close();
  const tasks = `- wait_for: {port: ${base.split(':').pop()}, timeout: 5}\n  register: w
- ansible.builtin.wait_for: {host: 127.0.0.1, port: "${port}", state: stopped, timeout: 5}
- wait_for: {path: ${d}/log, search_regex: "ready on [0-9]+", timeout: 5}
- wait_for: {path: ${d}/none, timeout: 1}\n  ignore_errors: true\n  register: none`;
  const o = await play({ playbook: playbook(tasks) });
  assert.equal(statuses(o), ['ok', 'ok', 'ok', 'failed']);
  assert.equal([reg(o, 0).state, typeof reg(o, 0).elapsed], ['started', 'number']);
  assert.is(o.results[3].msg, `Timeout when waiting for file ${d}/none`);
  assert.equal(reg(o, 3), { changed: false, failed: true, msg: `Timeout when waiting for file ${d}/none`, elapsed: 1 });
  const check = await play({ playbook: playbook(tasks), opts: { check: true } });
  assert.equal(statuses(check), ['skipped', 'skipped', 'skipped', 'skipped']);
  const bad = await play({ playbook: playbook(`- wait_for: {port: 80, search_regex: x}`) });
  assert.match(bad.problems[0], /expected path with search_regex/);
  assert.not.ok(existsSync(`${d}/none`));
});

test('wait_for search_regex: a Python pattern searched in the file\'s bytes (UTF-16 around it), its groups in the result', async () => {
  const d = tmp();
  writeFileSync(`${d}/k`, Buffer.concat([Buffer.from('\xff\xfep\x00r\x00', 'latin1'), Buffer.from('completed data 123\n')]));
  const o = await play({ playbook: playbook(`- wait_for: {path: ${d}/k, search_regex: 'completed (?P<foo>\\w+) ([0-9]+)', timeout: 5}\n  register: w`) });
  assert.equal(statuses(o), ['ok']);
  const r = reg(o, 0);
  assert.equal([r.match_groups, r.match_groupdict, r.search_regex, r.port, r.state], [['data', '123'], { foo: 'data' }, 'completed (?P<foo>\\w+) ([0-9]+)', null, 'started']);
});

test('wait_for state drained: waits until no connection to the port is active (exclude_hosts left out), else fails after timeout', async () => {
  const server = createNetServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  const client = connect(port, '127.0.0.1');
  await new Promise<void>((ok) => client.on('connect', ok));
  const tasks = `- wait_for: {port: ${port}, state: drained, timeout: 2}\n  ignore_errors: true\n- wait_for: {port: ${port}, state: drained, timeout: 2, exclude_hosts: [127.0.0.1]}`;
  const busy = await play({ playbook: playbook(tasks) });
  assert.equal(statuses(busy), ['failed', 'ok']);
  assert.is(busy.results[0].msg, `Timeout when waiting for 127.0.0.1:${port} to drain`);
  client.destroy();
  server.close();
  // the server's side of a connection the client closed first is gone at once (the client's lingers in TIME_WAIT, on another port)
  await new Promise((ok) => setTimeout(ok, 200));
  const idle = await play({ playbook: playbook(`- wait_for: {port: ${port}, state: drained, timeout: 5}`) });
  assert.equal(statuses(idle), ['ok']);
});

test('procAddrs: addresses as /proc/net/tcp writes them', () => {
  assert.equal(procAddrs('127.0.0.1'), ['4:0100007F', '6:0000000000000000FFFF00000100007F']);
  assert.equal(procAddrs('::1'), ['6:00000000000000000000000001000000']);
});

test.run();
