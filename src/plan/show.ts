// Pure: a plan as people review it (per host, each task that would change something with its change
// lines and diff, as --check --diff shows them) and as JSON for a CI job to post on a review.
import type { PlanFile, Step } from './schema.ts';
import { stepName } from './compare.ts';

const count = (steps: readonly Step[], status: Step['status']) => steps.filter((s) => s.status === status).length;

export function planText(plan: PlanFile): string {
  const out: string[] = [];
  const flags = Object.entries(plan.flags)
    .map(([k, v]) => (Array.isArray(v) ? v.map((x) => `--${k} ${x}`).join(' ') : v === true ? `--${k}` : `--${k} ${v}`))
    .join(' ');
  out.push(`plan of skiff run ${plan.playbooks.join(' ')}${flags ? ` ${flags}` : ''}`);
  out.push(`made ${plan.created} by skiff ${plan.skiff} in ${plan.cwd}; ${plan.inputs.length} input file(s) recorded`);
  for (const [host, steps] of Object.entries(plan.hosts)) {
    out.push('', `${host}: ${count(steps, 'changed')} to change, ${count(steps, 'ok')} ok, ${count(steps, 'skipped')} skipped${count(steps, 'failed') ? `, ${count(steps, 'failed')} FAILED` : ''}${count(steps, 'unreachable') ? ', UNREACHABLE' : ''}`);
    for (const s of steps) {
      if (s.status === 'ok' || s.status === 'skipped') continue;
      out.push(`  ${s.status}: ${stepName(s)}${s.handler ? ' (handler)' : ''}${s.delegatedTo ? ` (on ${s.delegatedTo})` : ''}`);
      for (const c of s.changes) out.push(`    - ${c}`);
      if (s.status !== 'changed' && s.msg) out.push(`    ${s.msg.split('\n')[0]}`);
      if (s.diff) out.push(...s.diff.replace(/\n$/, '').split('\n').map((l) => `    ${l}`));
    }
  }
  const hosts = Object.values(plan.hosts);
  const changed = hosts.reduce((n, steps) => n + count(steps, 'changed'), 0);
  out.push('', `${changed} change(s) on ${hosts.filter((s) => count(s, 'changed')).length} of ${hosts.length} host(s)`);
  return out.join('\n');
}

export const planJson = (plan: PlanFile) => JSON.stringify(plan, null, 2);
