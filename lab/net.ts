// The lab's network: one bridge in the root namespace, one network namespace + veth pair per host.
// Addresses inside the hosts are set by each host's anchor process (see host.ts), not here.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { BRIDGE, BRIDGE_ADDR, LINK_PREFIX, NETNS_PREFIX, PREFIX_LEN, linkName, netnsName } from './config.ts';
import { must, run } from './proc.ts';

const NETNS_DIR = '/var/run/netns';

export function netnsPath(host: string): string {
  return `${NETNS_DIR}/${netnsName(host)}`;
}

/** Lab namespaces present on the machine, also those left by an earlier session or another checkout. */
export function labNetnsNames(): string[] {
  if (!existsSync(NETNS_DIR)) return [];
  return readdirSync(NETNS_DIR).filter((n) => n.startsWith(NETNS_PREFIX));
}

/** Lab links in the root namespace: the bridge and the `sk-*` veth ends. */
export async function labLinks(): Promise<string[]> {
  const out = await must(['ip', '-j', 'link', 'show']);
  return (JSON.parse(out) as Array<{ ifname: string }>)
    .map((l) => l.ifname)
    .filter((n) => n === BRIDGE || n.startsWith(LINK_PREFIX));
}

/**
 * With br_netfilter loaded, bridged frames go through iptables; a DROP policy there (Docker sets
 * one) would silently cut the lab hosts off from each other. The lab's traffic never leaves the bridge.
 */
function disableBridgeNetfilter(): void {
  for (const f of ['bridge-nf-call-iptables', 'bridge-nf-call-ip6tables', 'bridge-nf-call-arptables']) {
    const path = `/proc/sys/net/bridge/${f}`;
    try {
      if (existsSync(path) && readFileSync(path, 'utf8').trim() !== '0') writeFileSync(path, '0\n');
    } catch {
      /* read-only sysctl in some sandboxes: best effort */
    }
  }
}

export async function ensureBridge(): Promise<void> {
  disableBridgeNetfilter();
  const exists = (await run(['ip', 'link', 'show', BRIDGE])).code === 0;
  const cmds: string[] = [];
  if (!exists) cmds.push(`link add ${BRIDGE} type bridge`);
  const addrs = exists ? await must(['ip', '-j', 'addr', 'show', 'dev', BRIDGE]) : '[]';
  if (!addrs.includes(`"${BRIDGE_ADDR}"`)) cmds.push(`addr add ${BRIDGE_ADDR}/${PREFIX_LEN} dev ${BRIDGE}`);
  cmds.push(`link set ${BRIDGE} up`);
  await ipBatch(cmds);
}

/** One `ip -batch` for all hosts: 200 hosts take well under a second this way. */
export async function createHostLinks(hosts: string[]): Promise<void> {
  const cmds: string[] = [];
  for (const h of hosts) {
    cmds.push(`netns add ${netnsName(h)}`);
    // the peer is created directly inside the namespace, named eth0 as on a real host
    cmds.push(`link add ${linkName(h)} type veth peer name eth0 netns ${netnsName(h)}`);
    cmds.push(`link set ${linkName(h)} master ${BRIDGE} up`);
  }
  await ipBatch(cmds);
}

/** Deletes the given lab namespaces and links (by name); missing ones are fine. */
export async function deleteNetwork(netns: string[], links: string[]): Promise<void> {
  const cmds = [
    ...netns.map((n) => `netns delete ${n}`),
    // the bridge last, after its ports
    ...links.filter((l) => l !== BRIDGE).map((l) => `link delete ${l}`),
    ...links.filter((l) => l === BRIDGE).map((l) => `link delete ${l}`),
  ];
  if (cmds.length) await run(['ip', '-force', '-batch', '-'], { input: cmds.join('\n') + '\n' });
}

async function ipBatch(cmds: string[]): Promise<void> {
  if (!cmds.length) return;
  await must(['ip', '-batch', '-'], { input: cmds.join('\n') + '\n' });
}
