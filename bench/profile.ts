// Where skiff's time goes, phase by phase, in one process started like `node bin/skiff.mjs`:
//
//   node --import tsx bench/profile.ts [-i INVENTORY | --hosts N] [--check] [--playbook bench/generic.yml] [--execs 10] [--trace]
//
// Without -i: an inventory of the first N hosts (default: all) of the lab that is up (read from
// .lab/lab.json; the lab is not touched).
//
// boot     process start until this file runs (node + the tsx loader)
// import   loading skiff's modules (src/cli.ts and everything it imports)
// prepare  inventory, playbook, templates: everything that needs no host
// run      startRun until done (connections opened in it, tasks, connections closed); per host, the
//          first result (connect + first task) and the last (all tasks)
// then, with fresh connections of skiff's transport and no engine: connect (all hosts in parallel),
// EXECS sequential `true` per host (all hosts in parallel), close: the transport's own costs.
// --trace: also every command of the run, per host: when it started (ms into the run), how long it
// took, its first line; and each host's connect time.
// Prints one JSON object.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const boot = performance.now();
const { values: o } = parseArgs({
  options: {
    inventory: { type: 'string', short: 'i' },
    playbook: { type: 'string', default: 'bench/generic.yml' },
    check: { type: 'boolean', default: false },
    execs: { type: 'string', default: '10' },
    hosts: { type: 'string' },
    trace: { type: 'boolean', default: false },
  },
});
if (!o.inventory) {
  const { STATE_FILE, KEY_FILE, KNOWN_HOSTS_FILE } = await import('../lab/config.ts');
  const { skiffInventory } = await import('./inventory.ts');
  const state = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as { hosts: { name: string; address: string }[] };
  const hosts = state.hosts.slice(0, o.hosts ? Number(o.hosts) : undefined);
  o.inventory = join(mkdtempSync(join(tmpdir(), 'skiff-profile-')), 'hosts.yml');
  writeFileSync(o.inventory, skiffInventory(hosts, KEY_FILE, KNOWN_HOSTS_FILE));
}

const t = () => performance.now();
const ms = (x: number) => Math.round(x);
const t0 = t();
await import('../src/cli.ts');
const { prepare } = await import('../src/engine/prepare.ts');
const { startRun } = await import('../src/engine/run.ts');
const { REGISTRY } = await import('../tasks/index.ts');
const { connectSsh } = await import('../src/transport/ssh.ts');
const { realConnector } = await import('../src/engine/connections.ts');
const tImport = t() - t0;

const opts = { playbook: o.playbook!, inventory: o.inventory, extraVars: [], check: !!o.check, diff: false, acceptNewHostKeys: false };
const t1 = t();
const { prepared, problems } = prepare(opts, REGISTRY);
if (!prepared) throw new Error(JSON.stringify(problems));
const tPrepare = t() - t1;

const hosts = [...new Set(prepared.plays.flatMap((p) => p.hosts))];
const first = new Map<string, number>();
const last = new Map<string, number>();
const perTask = new Map<string, number[]>();
const trace: Record<string, string[]> = {};
const note = (host: string, line: string) => (trace[host] ??= []).push(line);
const real = realConnector({ acceptNewHostKeys: false });
const connector: import('../src/engine/connections.ts').Connector = async (hc, become, user) => {
  const c0 = t();
  const c = await real(hc, become, user);
  note(hc.name, `${ms(c0 - t2)} +${ms(t() - c0)} connect${become ? ' (become)' : ''}`);
  return {
    host: c.host,
    close: (x) => c.close(x),
    exec: async (cmd, x) => {
      const e0 = t();
      try {
        return await c.exec(cmd, x);
      } finally {
        note(hc.name, `${ms(e0 - t2)} +${ms(t() - e0)} ${cmd.split('\n').find((l) => !/^\s*(SKIFF_LOCK|if \[ -e "\$SKIFF_LOCK|export )/.test(l))?.slice(0, 110) ?? ''}`);
      }
    },
  };
};
const t2 = t();
const summary = await startRun(prepared, { ...opts, forks: hosts.length }, (e) => {
  if (e.kind !== 'result') return;
  const now = t() - t2;
  if (!first.has(e.result.host)) first.set(e.result.host, now);
  last.set(e.result.host, now);
  (perTask.get(e.result.task) ?? perTask.set(e.result.task, []).get(e.result.task)!).push(e.result.ms);
}, o.trace ? { connector } : {}).done;
const tRun = t() - t2;
const changed = Object.values(summary.recap).reduce((n, r) => n + r.changed, 0);
const failed = Object.values(summary.recap).filter((r) => r.failed || r.unreachable).length;

// the transport alone
const execs = Number(o.execs);
const t3 = t();
const conns = await Promise.all(
  hosts.map((h) => {
    const hc = prepared.conns.get(h)!;
    return connectSsh({ host: h, address: hc.address, port: hc.port, user: hc.user, privateKeyFile: hc.private_key_file, become: hc.become, knownHostsFile: hc.known_hosts_file, acceptNewHostKeys: false, connectTimeoutMs: hc.connect_timeout * 1000 });
  }),
);
const tConnect = t() - t3;
const t4 = t();
await Promise.all(
  conns.map(async (c) => {
    for (let i = 0; i < execs; i++) {
      const r = await c.exec('true');
      if (r.code !== 0) throw new Error(`${c.host}: true exited ${r.code}`);
    }
  }),
);
const tExecs = t() - t4;
const t5 = t();
await Promise.all(conns.map((c) => c.close()));
const tClose = t() - t5;

const sorted = (m: Map<string, number>) => [...m.values()].sort((a, b) => a - b);
const med = (xs: number[]) => (xs.length ? xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] : 0);
process.stdout.write(
  JSON.stringify({
    hosts: hosts.length,
    check: !!o.check,
    changed,
    failedHosts: failed,
    bootMs: ms(boot),
    importMs: ms(tImport),
    prepareMs: ms(tPrepare),
    runMs: ms(tRun),
    firstResultMs: { min: ms(sorted(first)[0]), max: ms(sorted(first).at(-1)!) },
    lastResultMs: { min: ms(sorted(last)[0]), max: ms(sorted(last).at(-1)!) },
    taskMedianMs: Object.fromEntries([...perTask].map(([k, v]) => [k, med(v)])),
    transport: { connectAllMs: ms(tConnect), [`${execs}SequentialTrueMs`]: ms(tExecs), perExecMs: Math.round((tExecs / execs) * 10) / 10, closeAllMs: ms(tClose) },
    ...(o.trace ? { trace } : {}),
    rssMB: Math.round(process.memoryUsage().rss / 1048576),
    totalMs: ms(t()),
  }) + '\n',
);
process.exit(0);
