// unarchive, run for real on this machine (connection: local) into temp dirs, with archives made here by
// tar and zip: from files/ on the controller, from the host (remote_src), from a file:// URL; a second
// run changing nothing, check mode writing nothing, creates.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { differing, parseTarList, parseZipList } from '../../tasks/ansible/unarchive.ts';
import { play, playbook, type Outcome } from './engine-harness.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'skiff-unarchive-'));
const statuses = (o: Outcome) => o.results.map((r) => r.status);
const reg = (o: Outcome, i: number) => o.results[i].registered as Record<string, any>;

/** a dir with node_exporter-1.8/{node_exporter, LICENSE}, packed as .tar.gz and .zip */
function archives(): { dir: string; tgz: string; zip: string } {
  const dir = tmp();
  mkdirSync(`${dir}/src/node_exporter-1.8`, { recursive: true });
  writeFileSync(`${dir}/src/node_exporter-1.8/node_exporter`, '#!/bin/sh\necho hi\n');
  writeFileSync(`${dir}/src/node_exporter-1.8/LICENSE`, 'Apache\n');
  execFileSync('tar', ['-czf', `${dir}/ne.tar.gz`, '-C', `${dir}/src`, 'node_exporter-1.8']);
  execFileSync('zip', ['-qr', `${dir}/ne.zip`, 'node_exporter-1.8'], { cwd: `${dir}/src` });
  return { dir, tgz: `${dir}/ne.tar.gz`, zip: `${dir}/ne.zip` };
}

test('parseTarList/parseZipList: kind, size, name (a link\'s target and a directory\'s / left out)', () => {
  assert.equal(parseTarList('drwxr-xr-x root/root         0 2026-11-26 13:00 a b/\n-rw-r--r-- root/root         6 2026-11-26 13:00 a b/f\nlrwxrwxrwx root/root         0 2026-11-26 13:00 a b/l -> f\n'), [
    { name: 'a b', kind: 'd', size: 0 },
    { name: 'a b/f', kind: 'f', size: 6 },
    { name: 'a b/l', kind: 'l', size: 0 },
  ]);
  assert.equal(parseZipList('Archive:  x.zip\n  Length      Date    Time    Name\n---------  ---------- -----   ----\n        0  2026-11-26 13:00   d/\n        6  2026-11-26 13:00   d/f\n---------                     -------\n        6                     2 files\n'), [
    { name: 'd', kind: 'd', size: 0 },
    { name: 'd/f', kind: 'f', size: 6 },
  ]);
  assert.equal(differing([{ name: 'd', kind: 'd', size: 0 }, { name: 'd/f', kind: 'f', size: 6 }, { name: 'd/g', kind: 'f', size: 1 }], 'd\td\t4096\nd/f\tf\t7\n').map((m) => m.name), ['d/f', 'd/g']);
});

test('unarchive: a tar.gz from the controller and a zip from the host (copy: no, the older remote_src: yes) are unpacked; the second run is ok; check mode writes nothing; list_files', async () => {
  const a = archives();
  const d = tmp();
  mkdirSync(`${d}/t`);
  mkdirSync(`${d}/z`);
  const tasks = `- unarchive: {src: ${a.tgz}, dest: ${d}/t, list_files: yes, mode: "0750"}\n  register: u\n- ansible.builtin.unarchive: {src: ${a.zip}, copy: no, dest: ${d}/z}`;
  const run = (check = false) => play({ playbook: playbook(tasks), opts: { check } });
  const check = await run(true);
  assert.equal(statuses(check), ['changed', 'changed']);
  assert.equal([readdirSync(`${d}/t`), readdirSync(`${d}/z`)], [[], []]);
  const first = await run();
  assert.equal(statuses(first), ['changed', 'changed']);
  assert.is(readFileSync(`${d}/t/node_exporter-1.8/node_exporter`, 'utf8'), '#!/bin/sh\necho hi\n');
  assert.is((statSync(`${d}/t/node_exporter-1.8/LICENSE`).mode & 0o777).toString(8), '750', 'mode on every member');
  assert.is(readFileSync(`${d}/z/node_exporter-1.8/LICENSE`, 'utf8'), 'Apache\n');
  assert.equal(reg(first, 0).files.sort(), ['node_exporter-1.8', 'node_exporter-1.8/LICENSE', 'node_exporter-1.8/node_exporter']);
  assert.equal(statuses(await run()), ['ok', 'ok']);
  writeFileSync(`${d}/z/node_exporter-1.8/LICENSE`, 'changed by hand, longer\n');
  assert.equal(statuses(await run()), ['ok', 'changed'], 'a member that differs: unpacked again');
  assert.is(readFileSync(`${d}/z/node_exporter-1.8/LICENSE`, 'utf8'), 'Apache\n');
});

test('unarchive: a relative src is looked up in files/ beside the tasks file; a file:// URL is downloaded by the host; creates skips; a missing dest fails', async () => {
  const a = archives();
  const d = tmp();
  mkdirSync(`${d}/u`);
  mkdirSync(`${d}/files`);
  execFileSync('cp', [a.tgz, `${d}/files/ne.tar.gz`]);
  writeFileSync(`${d}/tasks.yml`, `- unarchive: {src: ne.tar.gz, dest: ${d}/u, creates: ${d}/u/node_exporter-1.8/node_exporter}\n- unarchive: {src: "file://${a.zip}", dest: ${d}/u, remote_src: yes}\n- unarchive: {src: ne.tar.gz, dest: ${d}/nodir}\n  ignore_errors: true\n`);
  const pb = playbook(`- import_tasks: ${d}/tasks.yml`);
  const first = await play({ playbook: pb });
  assert.equal(statuses(first), ['changed', 'ok', 'failed'], JSON.stringify(first.results.map((r) => r.msg)));
  assert.ok(existsSync(`${d}/u/node_exporter-1.8/node_exporter`));
  assert.match(first.results[2].msg!, `unarchive: dest ${d}/nodir is absent: expected an existing directory`);
  rmSync(`${d}/u/node_exporter-1.8/LICENSE`);
  const second = await play({ playbook: pb });
  assert.equal(statuses(second).slice(0, 2), ['ok', 'changed'], 'creates exists: skipped; the URL\'s zip misses LICENSE: unpacked');
  assert.ok(existsSync(`${d}/u/node_exporter-1.8/LICENSE`));
  assert.equal(readdirSync('/tmp').filter((f) => f.startsWith('.skiff-unarchive.')), [], 'no download left behind');
});

test.run();
