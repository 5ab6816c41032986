// How one SSH hop authenticates, as OpenSSH does: the key file (decrypted with its passphrase when
// given), the agent's identities (the one matching the key file first), a password (also answering
// keyboard-interactive prompts). An encrypted key without a passphrase is not an error when the agent
// holds it: that is how most operators use their keys.
import { existsSync, readFileSync } from 'node:fs';
import ssh2, { type ConnectConfig, type OpenSSHAgent as Agent } from 'ssh2';

// ssh2 is CommonJS: its named exports are only on the default import under Node's ESM loader
const { OpenSSHAgent, utils } = ssh2;

export interface AuthInput {
  privateKeyFile?: string;
  passphrase?: string;
  password?: string;
  /** SSH_AUTH_SOCK */
  agentSocket?: string;
}

/** Pure-ish: can this key file be used as given (read, parsed, decrypted)? An error says why not. */
export function keyProblem(file: string, passphrase?: string): { encrypted: boolean; error?: string } {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (e) {
    return { encrypted: false, error: `cannot read it: ${(e as Error).message}` };
  }
  const parsed = utils.parseKey(data, passphrase);
  if (!(parsed instanceof Error)) return { encrypted: false };
  const encrypted = /encrypted|passphrase|bad decrypt/i.test(parsed.message);
  return { encrypted, error: parsed.message };
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

export function authConfig(a: AuthInput): { config: Partial<ConnectConfig>; error?: string } {
  const config: Partial<ConnectConfig> = {};
  let keyUsable = false;
  if (a.privateKeyFile) {
    const p = keyProblem(a.privateKeyFile, a.passphrase);
    if (!p.error) {
      config.privateKey = readFileSync(a.privateKeyFile);
      if (a.passphrase !== undefined) config.passphrase = a.passphrase;
      keyUsable = true;
    } else if (!(p.encrypted && a.agentSocket)) {
      return { config, error: `private key ${a.privateKeyFile}: ${p.error}${p.encrypted ? ' (give its passphrase with --ask-key-passphrase or private_key_passphrase, or add it to ssh-agent)' : ''}` };
    }
  }
  if (a.agentSocket) config.agent = new PreferringAgent(a.agentSocket, a.privateKeyFile && !keyUsable ? publicBlobOf(a.privateKeyFile) : undefined);
  if (a.password !== undefined) {
    config.password = a.password;
    config.tryKeyboard = true;
  }
  if (!config.privateKey && !config.agent && config.password === undefined) return { config, error: 'no credentials: set a private key file or a password, or run an ssh-agent (SSH_AUTH_SOCK)' };
  return { config };
}
