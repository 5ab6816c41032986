// How one SSH hop authenticates, as OpenSSH does: the key file (decrypted with its passphrase when
// given), the agent's identities (the one matching the key file first), a password (also answering
// keyboard-interactive prompts). An encrypted key without a passphrase is not an error when the agent
// holds it: that is how most operators use their keys.
import { existsSync, readFileSync } from 'node:fs';
import ssh2, { type AnyAuthMethod, type ConnectConfig, type OpenSSHAgent as Agent } from 'ssh2';
import { loadKey, type LoadedKey } from './ssh-key.ts';

// ssh2 is CommonJS: its named exports are only on the default import under Node's ESM loader
const { OpenSSHAgent } = ssh2;

export interface AuthInput {
  privateKeyFile?: string;
  passphrase?: string;
  password?: string;
  /** SSH_AUTH_SOCK */
  agentSocket?: string;
}

/** The agent, offering the identity whose public key is `preferredPub` (base64 blob) first. */
class PreferringAgent extends OpenSSHAgent {
  constructor(
    socket: string,
    private readonly preferredPub?: string,
  ) {
    super(socket);
  }
  override getIdentities(cb: Parameters<Agent['getIdentities']>[0]): void {
    super.getIdentities((err, keys) => {
      if (err || !keys || !this.preferredPub) return cb(err, keys);
      // OpenSSHAgent returns parsed keys
      const blob = (k: (typeof keys)[number]) => ('getPublicSSH' in k ? k.getPublicSSH().toString('base64') : undefined);
      const first = keys.filter((k) => blob(k) === this.preferredPub);
      cb(undefined, [...first, ...keys.filter((k) => !first.includes(k))]);
    });
  }
}

/** The public key blob of a key file, from FILE.pub (written beside it by ssh-keygen). */
function publicBlobOf(file: string): string | undefined {
  const pub = `${file}.pub`;
  if (!existsSync(pub)) return undefined;
  return readFileSync(pub, 'utf8').trim().split(/\s+/)[1];
}

/**
 * ssh2's connect options for these credentials: the methods in ssh2's own order (none, password,
 * publickey, agent, keyboard-interactive), with the key given already parsed (see loadKey).
 */
export function authConfig(a: AuthInput & { username: string }): { config: Partial<ConnectConfig>; error?: string } {
  const { username } = a;
  let key: LoadedKey['key'];
  if (a.privateKeyFile) {
    const p = loadKey(a.privateKeyFile, a.passphrase);
    if (p.key) key = p.key;
    else if (!(p.encrypted && a.agentSocket)) {
      return { config: {}, error: `private key ${a.privateKeyFile}: ${p.error}${p.encrypted ? ' (give its passphrase with --ask-key-passphrase or private_key_passphrase, or add it to ssh-agent)' : ''}` };
    }
  }
  const agent = a.agentSocket ? new PreferringAgent(a.agentSocket, a.privateKeyFile && !key ? publicBlobOf(a.privateKeyFile) : undefined) : undefined;
  if (!key && !agent && a.password === undefined) return { config: {}, error: 'no credentials: set a private key file or a password, or run an ssh-agent (SSH_AUTH_SOCK)' };
  const password = a.password;
  const methods: AnyAuthMethod[] = [
    { type: 'none', username },
    ...(password !== undefined ? [{ type: 'password' as const, username, password }] : []),
    ...(key ? [{ type: 'publickey' as const, username, key }] : []),
    ...(agent ? [{ type: 'agent' as const, username, agent }] : []),
    // a server that asks for the password through keyboard-interactive prompts gets it there
    ...(password !== undefined ? [{ type: 'keyboard-interactive' as const, username, prompt: (_n: string, _i: string, _l: string, prompts: unknown[], finish: (answers: string[]) => void) => finish(prompts.map(() => password)) }] : []),
  ];
  // ssh2's type for authHandler names the base AuthMethod; it takes these (makeSimpleAuthHandler)
  return { config: { authHandler: methods as ConnectConfig['authHandler'] } };
}
