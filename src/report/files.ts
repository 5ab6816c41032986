// What a run leaves behind: the JSON report and the retry file.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { RunSummary } from '../engine/run.ts';
import { floatJson } from '../template/py-float.ts';

/** dir: ansible.cfg retry_files_save_path / ANSIBLE_RETRY_FILES_SAVE_PATH, else .skiff/retry */
export function retryPath(playbook: string, dir = join('.skiff', 'retry')): string {
  return join(dir, `${basename(playbook, extname(playbook))}.retry`);
}

/**
 * Failed and unreachable hosts, one per line, for `--limit @file`, and every host that did not get
 * through all its plays (interrupted, or stopped by any_errors_fatal / max_fail_percentage). A run with none
 * removes the file, so an old list never sends a later rerun to hosts that are fine.
 */
export function writeRetry(playbook: string, summary: RunSummary, dir?: string): { path: string; hosts: string[] } {
  const path = retryPath(playbook, dir);
  const hosts = Object.entries(summary.recap)
    .filter(([, r]) => r.failed > 0 || r.unreachable > 0)
    .map(([h]) => h);
  // interrupted, or stopped by any_errors_fatal / max_fail_percentage: they have work left too
  for (const h of summary.unfinished) if (!hosts.includes(h)) hosts.push(h);
  if (hosts.length) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, hosts.join('\n') + '\n');
  } else rmSync(path, { force: true });
  return { path, hosts };
}

export function writeReport(file: string, meta: Record<string, unknown>, summary: RunSummary): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, floatJson({ ...meta, interrupted: summary.interrupted, recap: summary.recap, results: summary.results }, 2) + '\n');
}
