// One SSH handshake: a hop's credentials, its host key checked, over a TCP connection of its own or
// over a stream forwarded through the previous hop (a jump host). Errors name the hop.
import type { Duplex } from 'node:stream';
import { Client, type ConnectConfig } from 'ssh2';
import { authConfig } from './ssh-auth.ts';
import { hostKeyCheck } from './ssh-hostkey.ts';
import { UnreachableError, type Hop } from './types.ts';

export type { Hop } from './types.ts';

const KEEPALIVE_INTERVAL_MS = 5000;
const KEEPALIVE_COUNT_MAX = 3;

export const hopLabel = (h: Pick<Hop, 'user' | 'address' | 'port'>) => `${h.user}@${h.address}:${h.port}`;

/** `unreachableAs`: the host the error is reported for (the target, when this hop is a jump host). */
export async function handshake(hop: Hop, opts: { sock?: Duplex; unreachable: (msg: string) => UnreachableError }): Promise<Client> {
  const { unreachable } = opts;
  const auth = authConfig({ username: hop.user, privateKeyFile: hop.privateKeyFile, passphrase: hop.passphrase, password: hop.password, agentSocket: process.env.SSH_AUTH_SOCK });
  if (auth.error) throw unreachable(auth.error);
  const keys = await hostKeyCheck({ host: hop.host, address: hop.address, port: hop.port, knownHostsFile: hop.knownHostsFile, acceptNewHostKeys: hop.acceptNewHostKeys, unreachable });
  const cfg: ConnectConfig = {
    host: hop.address,
    port: hop.port,
    username: hop.user,
    readyTimeout: hop.connectTimeoutMs,
    keepaliveInterval: KEEPALIVE_INTERVAL_MS,
    keepaliveCountMax: KEEPALIVE_COUNT_MAX,
    ...auth.config,
    ...keys.config,
    ...(opts.sock ? { sock: opts.sock } : {}),
  };
  const client = new Client();
  let lastError: Error | undefined;
  await new Promise<void>((resolve, reject) => {
    const fail = (e: Error): void => {
      client.removeListener('ready', onReady);
      reject(keys.refusal() ?? unreachable(e.message));
      client.end();
    };
    const onReady = (): void => {
      client.removeListener('error', fail);
      client.removeListener('close', onEarlyClose);
      // Nagle's algorithm holds small packets back: ~45 ms per exec round trip instead of ~5 ms.
      if (!opts.sock) client.setNoDelay(true);
      resolve();
    };
    const onEarlyClose = (): void => fail(lastError ?? new Error('connection closed during handshake'));
    client.on('error', (e) => (lastError = e));
    client.once('ready', onReady).once('error', fail).once('close', onEarlyClose);
    try {
      client.connect(cfg);
    } catch (e) {
      fail(new Error(`${(e as Error).message}${hop.privateKeyFile ? ` (${hop.privateKeyFile})` : ''}`));
    }
  });
  return client;
}
