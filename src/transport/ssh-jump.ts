// Jump hosts (ProxyJump): each hop reached through the previous one's forwarded stream, each hop's host
// key verified like any host's. One connection per chain of hops for the whole run: every host behind
// a bastion shares the connection to it (and to each hop after it), released when the last one closes.
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import { handshake, hopLabel, type Hop } from './ssh-handshake.ts';
import { UnreachableError } from './types.ts';

interface Shared {
  client: Promise<Client>;
  users: number;
}
const open = new Map<string, Shared>();

const keyOf = (hops: Hop[]) => hops.map((h) => `${hopLabel(h)}|${h.knownHostsFile}|${h.privateKeyFile ?? ''}`).join(' > ');

/** A stream to address:port through the hops; `release` when the connection over it is closed. */
export async function tunnel(hops: Hop[], to: { host: string; address: string; port: number }): Promise<{ sock: Duplex; release: () => void }> {
  const taken: string[] = [];
  const release = () => {
    for (const key of taken.reverse()) {
      const s = open.get(key);
      if (s && --s.users <= 0) {
        open.delete(key);
        s.client.then((c) => c.end()).catch(() => undefined);
      }
    }
    taken.length = 0;
  };
  try {
    let client: Client | undefined;
    for (let i = 0; i < hops.length; i++) {
      const key = keyOf(hops.slice(0, i + 1));
      let s = open.get(key);
      if (!s) {
        const hop = hops[i];
        const prev = client;
        const unreachable = (msg: string) => new UnreachableError(to.host, `${to.host}: jump host ${hop.host} (${hopLabel(hop)}): ${msg}`);
        const c = (async () => handshake(hop, { sock: prev ? await forward(prev, hop.address, hop.port, unreachable) : undefined, unreachable }))();
        s = { client: c, users: 0 };
        open.set(key, s);
        // a hop that fails, or drops later, is opened anew by the next host that needs it
        c.then(
          (x) => x.on('close', () => open.get(key) === s && open.delete(key)),
          () => open.get(key) === s && open.delete(key),
        );
      }
      s.users++;
      taken.push(key);
      client = await s.client;
    }
    const last = hops[hops.length - 1];
    const sock = await forward(client!, to.address, to.port, (msg) => new UnreachableError(to.host, `${to.host}: through jump host ${last.host} (${hopLabel(last)}): ${msg}`));
    return { sock, release };
  } catch (e) {
    release();
    throw e;
  }
}

function forward(client: Client, address: string, port: number, unreachable: (msg: string) => UnreachableError): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    try {
      client.forwardOut('127.0.0.1', 0, address, port, (e, stream) => (e ? reject(unreachable(`cannot reach ${address}:${port}: ${e.message}`)) : resolve(stream)));
    } catch (e) {
      reject(unreachable((e as Error).message));
    }
  });
}
