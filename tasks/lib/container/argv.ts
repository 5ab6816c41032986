// Building commands from a spec: the `ENGINE create` argv the recreate script runs, and the same
// container as `ENGINE run -d` lines, one option per line, for --diff.
//
// Pure; createArgv is unit-tested in test/unit/container-argv.test.ts without a host.
import { diffArrays } from 'diff';
import { shq } from '../../../src/transport/quote.ts';
import { formatMount, formatPort, type ContainerSpec, type Engine } from './spec.ts';
import { isHostNetwork } from './compare.ts';

/** `ENGINE create --name NAME ... IMAGE ARGS...` as argv (quoted with shJoin by the caller). */
export function createArgv(engine: Engine, spec: ContainerSpec, name = spec.name): string[] {
  const a: string[] = [engine, 'create', '--name', name];
  if (spec.user) a.push('--user', spec.user);
  if (spec.userns) a.push(`--userns=${spec.userns}`);
  if (spec.network) a.push('--network', spec.network);
  if (spec.restart) a.push('--restart', spec.restart);
  for (const h of spec.extraHosts ?? []) a.push('--add-host', h);
  for (const [k, x] of Object.entries(spec.env)) a.push('-e', `${k}=${x}`);
  for (const [k, x] of Object.entries(spec.labels)) a.push('--label', `${k}=${x}`);
  for (const m of spec.mounts) a.push('-v', formatMount(m));
  // ports go before the image (after it they would be arguments of the program); with host
  // networking nothing is published (podman drops them, docker warns)
  if (!isHostNetwork(spec.network)) for (const p of spec.ports) a.push('-p', formatPort(p));
  a.push(spec.image, ...spec.args);
  return a;
}

/** Quoted for reading: plain when nothing in it is special to sh. */
const show = (x: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(x) ? x : shq(x));

/**
 * The container as `ENGINE run -d` lines, one option per line, for diffs: options, the image, then
 * each argument. Env values are not shown (they may be secrets).
 */
export function runLines(engine: Engine, spec: ContainerSpec): string[] {
  const out = [`${engine} run -d --name ${show(spec.name)}`];
  if (spec.user) out.push(`--user ${show(spec.user)}`);
  if (spec.userns) out.push(`--userns=${show(spec.userns)}`);
  if (spec.network) out.push(`--network ${show(spec.network)}`);
  if (spec.restart) out.push(`--restart ${show(spec.restart)}`);
  for (const h of spec.extraHosts ?? []) out.push(`--add-host ${show(h)}`);
  for (const k of Object.keys(spec.env)) out.push(`-e ${show(k)}=(value not shown)`);
  for (const [k, x] of Object.entries(spec.labels)) out.push(`--label ${show(`${k}=${x}`)}`);
  for (const m of spec.mounts) out.push(`-v ${show(formatMount(m))}`);
  if (!isHostNetwork(spec.network)) for (const p of spec.ports) out.push(`-p ${show(formatPort(p))}`);
  out.push(show(spec.image), ...spec.args.map(show));
  return out;
}

/** A field-by-field diff of a container, for --diff. */
export function containerDiff(engine: Engine, name: string, before: ContainerSpec | undefined, after: ContainerSpec | undefined): string {
  const b = before ? runLines(engine, before) : [];
  const a = after ? runLines(engine, after) : [];
  const out = [`--- container ${name}${before ? '' : ' (absent)'}`, `+++ container ${name}${after ? '' : ' (absent)'}`];
  for (const part of diffArrays(b, a)) for (const l of part.value) out.push(`${part.added ? '+' : part.removed ? '-' : ' '}${l}`);
  return out.join('\n');
}
