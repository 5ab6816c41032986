// Ansible's `omit`: a parameter whose value renders to it is left out, as if not written
// (`gid: "{{ node_exporter_gid | default(omit) }}"`). Like Ansible, omit is a placeholder string, so
// it passes through filters unchanged; only a whole value equal to it is dropped.
import { randomBytes } from 'node:crypto';

/** The value of the magic variable `omit` (random per run, as Ansible's, so no user value equals it) */
export const OMIT = `__omit_place_holder__${randomBytes(20).toString('hex')}`;

/**
 * Rendered task parameters without the omitted ones, as Ansible's remove_omit
 * (executor/task_executor.py): keys of a map at any depth, and inside maps that are list items; a
 * list item that is itself omit stays (Ansible keeps it too).
 */
export function removeOmit(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((x) => (x && typeof x === 'object' && !Array.isArray(x) ? removeOmit(x) : x));
  if (!value || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(value)) if (x !== OMIT) out[k] = Array.isArray(x) || (x && typeof x === 'object') ? removeOmit(x) : x;
  return out;
}
