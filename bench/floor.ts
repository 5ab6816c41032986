// The floor: the least any Node tool must do to touch every host once. One ssh2 connection per host,
// all in parallel (host key checked against known_hosts, as skiff does), one `true` on each, close.
// Run as its own process (bench/run.ts starts it like skiff: node + the tsx loader), so that its wall
// time includes a process start and its memory is its own.
//
//   node --import tsx bench/floor.ts --key KEYFILE --known-hosts FILE [--user root] ADDRESS...
// Exit 0 when every host answered `true` with 0; 1 otherwise (the failures on stderr).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client } from 'ssh2';

const { values: o, positionals: addresses } = parseArgs({
  allowPositionals: true,
  options: { key: { type: 'string' }, 'known-hosts': { type: 'string' }, user: { type: 'string', default: 'root' } },
});
if (!o.key || !o['known-hosts'] || addresses.length === 0) {
  process.stderr.write('usage: floor.ts --key KEYFILE --known-hosts FILE [--user root] ADDRESS...\n');
  process.exit(2);
}
const privateKey = readFileSync(o.key);
// plain known_hosts lines "ADDRESS TYPE BASE64" (the lab writes them so)
const known = new Map<string, Set<string>>();
for (const line of readFileSync(o['known-hosts'], 'utf8').split('\n')) {
  const [names, , b64] = line.trim().split(/\s+/);
  if (!b64 || names.startsWith('#')) continue;
  for (const n of names.split(',')) (known.get(n) ?? known.set(n, new Set()).get(n)!).add(b64);
}

function one(address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    const timer = setTimeout(() => {
      c.destroy();
      reject(new Error(`${address}: timed out`));
    }, 90_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      reject(new Error(`${address}: ${e.message}`));
    };
    c.on('error', fail);
    c.on('ready', () => {
      c.setNoDelay(true);
      c.exec('true', (e, ch) => {
        if (e) return fail(e);
        let code: number | null = null;
        ch.on('exit', (x: number | null) => (code = x));
        ch.on('close', () => {
          c.end();
          clearTimeout(timer);
          if (code === 0) resolve();
          else reject(new Error(`${address}: true exited ${code}`));
        });
        ch.resume();
        ch.stderr.resume();
      });
    });
    c.connect({
      host: address,
      port: 22,
      username: o.user,
      privateKey,
      // as skiff's connect_timeout in the bench's inventory (bench/inventory.ts)
      readyTimeout: 60_000,
      hostVerifier: (key: Buffer) => known.get(address)?.has(key.toString('base64')) ?? false,
    });
  });
}

const results = await Promise.allSettled(addresses.map(one));
const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
for (const f of failed) process.stderr.write(`floor: ${(f.reason as Error).message}\n`);
process.stdout.write(`floor: ${addresses.length - failed.length}/${addresses.length} hosts ran true\n`);
process.exit(failed.length ? 1 : 0);
