// known_hosts checks against OpenSSH's own tools: keys come from ssh-keygen, hashed files from
// `ssh-keygen -H`, fingerprints are compared with `ssh-keygen -l`, look-ups with `ssh-keygen -F`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkHostKey,
  fingerprintSha256,
  formatKnownHostsLine,
  keyTypeOfBlob,
  knownKeyTypes,
} from '../../src/transport/known-hosts.ts';

const haveKeygen = spawnSync('ssh-keygen', ['-?']).error === undefined;
if (!haveKeygen && process.env.CI === 'true') throw new Error('ssh-keygen is required in CI');
if (!haveKeygen) console.log('known-hosts.test: ssh-keygen not found, skipping OpenSSH cross-checks');

const dir = mkdtempSync(join(tmpdir(), 'skiff-kh-'));

function keygen(args: string[]): { status: number | null; stdout: string } {
  const r = spawnSync('ssh-keygen', args, { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout };
}

interface Key { type: string; b64: string; pub: string }
function newKey(name: string, type: string): Key {
  const f = join(dir, name);
  const r = keygen(['-q', '-t', type, '-f', f, '-N', '', '-C', name]);
  assert.is(r.status, 0, `ssh-keygen -t ${type}`);
  const [t, b64] = readFileSync(`${f}.pub`, 'utf8').trim().split(/\s+/);
  return { type: t, b64, pub: `${f}.pub` };
}

/** Writes known_hosts text to a fresh file; returns its path. */
let n = 0;
function khFile(text: string): string {
  const f = join(dir, `known_hosts.${n++}`);
  writeFileSync(f, text);
  return f;
}

/** OpenSSH's answer: does `ssh-keygen -F` find any entry for host[:port] in the file? */
function opensshFinds(file: string, host: string, port: number): boolean {
  const name = port === 22 ? host : `[${host}]:${port}`;
  const r = keygen(['-F', name, '-f', file]);
  return r.status === 0 && r.stdout.trim() !== '';
}

if (haveKeygen) {
  const A = newKey('a', 'ed25519');
  const B = newKey('b', 'ed25519');
  const C = newKey('c', 'ecdsa');
  const D = newKey('d', 'rsa');

  test('fingerprintSha256 equals ssh-keygen -l for ed25519, ecdsa, rsa', () => {
    for (const k of [A, B, C, D]) {
      const fp = keygen(['-l', '-E', 'sha256', '-f', k.pub]).stdout.split(/\s+/)[1];
      assert.ok(fp.startsWith('SHA256:'));
      assert.is(fingerprintSha256(k.b64), fp);
    }
  });

  test('keyTypeOfBlob reads the type from the key blob', () => {
    assert.is(keyTypeOfBlob(Buffer.from(A.b64, 'base64')), 'ssh-ed25519');
    assert.is(keyTypeOfBlob(Buffer.from(C.b64, 'base64')), 'ecdsa-sha2-nistp256');
    assert.is(keyTypeOfBlob(Buffer.from(D.b64, 'base64')), 'ssh-rsa');
    assert.throws(() => keyTypeOfBlob(Buffer.from([0, 0])));
    assert.throws(() => keyTypeOfBlob(Buffer.from([0, 0, 0, 200, 1])));
  });

  test('formatKnownHostsLine is found by ssh-keygen -F (port 22 and [host]:port)', () => {
    const f = khFile(
      `${formatKnownHostsLine('web1.example.com', 22, A.type, A.b64)}\n` +
        `${formatKnownHostsLine('10.0.0.5', 2222, A.type, A.b64)}\n`,
    );
    assert.ok(opensshFinds(f, 'web1.example.com', 22));
    assert.ok(opensshFinds(f, '10.0.0.5', 2222));
    assert.not.ok(opensshFinds(f, '10.0.0.5', 22));
    assert.is(formatKnownHostsLine('10.0.0.5', 2222, A.type, A.b64), `[10.0.0.5]:2222 ssh-ed25519 ${A.b64}`);
  });

  const plain = [
    '# comment',
    '',
    `web1,10.0.0.1 ${A.type} ${A.b64} root@web1`,
    `[10.0.0.2]:2222 ${A.type} ${A.b64}`,
    `multi ${B.type} ${B.b64}`,
    `multi ${A.type} ${A.b64}`,
    `rsaonly ${D.type} ${D.b64}`,
  ].join('\n');
  // ssh ignores malformed lines (ssh-keygen -H refuses the file, so it is added after hashing)
  const garbage = '\ngarbage-line-without-key\n@unknown-marker x y z\n';

  // [host, port, key, expected]
  const cases: [string, number, Key, string][] = [
    ['web1', 22, A, 'match'],
    ['WEB1', 22, A, 'match'], // ssh lower-cases host names
    ['10.0.0.1', 22, A, 'match'],
    ['web1', 22, B, 'mismatch'], // same type, different key
    ['web1', 22, C, 'unknown'], // only other key types recorded: OpenSSH treats a new type as unknown
    ['web1', 2222, A, 'unknown'], // port is part of the name
    ['10.0.0.2', 2222, A, 'match'],
    ['10.0.0.2', 2222, B, 'mismatch'],
    ['10.0.0.2', 22, A, 'unknown'],
    ['multi', 22, A, 'match'], // one of several keys of the type matches
    ['multi', 22, B, 'match'],
    ['rsaonly', 22, D, 'match'],
    ['nohost', 22, A, 'unknown'],
  ];

  test('checkHostKey on plain entries', () => {
    for (const [h, p, k, want] of cases) assert.is(checkHostKey(plain + garbage, h, p, k.type, k.b64), want, `${h}:${p}`);
  });

  test('checkHostKey gives the same verdicts on a file hashed by ssh-keygen -H', () => {
    const f = khFile(plain);
    assert.is(keygen(['-H', '-f', f]).status, 0);
    const hashed = readFileSync(f, 'utf8') + garbage;
    assert.ok(hashed.split('\n').filter((l) => l.startsWith('|1|')).length >= 6, 'file was hashed');
    assert.not.ok(/^(web1|multi|\[10)/m.test(hashed), 'no plain names left');
    for (const [h, p, k, want] of cases) assert.is(checkHostKey(hashed, h, p, k.type, k.b64), want, `${h}:${p}`);
  });

  test('wildcards and negation agree with ssh-keygen -F', () => {
    const text = [
      `*.example.com,!bad.example.com ${A.type} ${A.b64}`,
      `db?.internal ${A.type} ${A.b64}`,
      `[10.1.*]:2200 ${A.type} ${A.b64}`,
    ].join('\n');
    const f = khFile(`${text}\n`);
    const names: [string, number][] = [
      ['a.example.com', 22], ['bad.example.com', 22], ['example.com', 22], ['x.y.example.com', 22],
      ['db1.internal', 22], ['db12.internal', 22], ['dbx.internal', 2222], ['10.1.2.3', 2200],
      ['10.1.2.3', 22], ['10.2.2.3', 2200],
    ];
    for (const [h, p] of names) {
      const ours = knownKeyTypes(text, h, p).length > 0;
      assert.is(ours, opensshFinds(f, h, p), `${h}:${p}`);
      assert.is(checkHostKey(text, h, p, A.type, A.b64), ours ? 'match' : 'unknown', `${h}:${p}`);
    }
  });

  test('@revoked counts as mismatch, @cert-authority is skipped', () => {
    const text = [
      `@revoked * ${B.type} ${B.b64}`,
      `@cert-authority *.example.com ${C.type} ${C.b64}`,
      `web1 ${B.type} ${B.b64}`,
      `web2 ${A.type} ${A.b64}`,
    ].join('\n');
    assert.is(checkHostKey(text, 'web1', 22, B.type, B.b64), 'mismatch'); // listed, but revoked
    assert.is(checkHostKey(text, 'other', 22, B.type, B.b64), 'mismatch');
    assert.is(checkHostKey(text, 'web2', 22, A.type, A.b64), 'match');
    assert.is(checkHostKey(text, 'x.example.com', 22, C.type, C.b64), 'unknown'); // CA key is not a host key
    assert.equal(knownKeyTypes(text, 'x.example.com', 22), []);
  });

  test('empty text: unknown', () => {
    assert.is(checkHostKey('', 'web1', 22, A.type, A.b64), 'unknown');
  });
}

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
