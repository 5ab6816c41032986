// Ansible's async jobs on a host (action/__init__.py with modules/async_wrapper.py, modules/async_status.py):
// a command started detached (setsid, else nohup), so it outlives the connection, whose result JSON is
// written atomically (tmp file, then mv) to ASYNC_DIR/<jid>, the file Ansible's async_status reads. Before
// the job ends the file says {"started": 1, "finished": 0, ...}, as async_wrapper's first write; after it,
// the command module's result (finished is added by the reader, as async_status adds it). POSIX sh and
// awk only: no Python on the host.
import { randomInt } from 'node:crypto';
import { shq } from '../transport/quote.ts';
import type { Connection } from '../transport/types.ts';
import { TaskFailure, type BackgroundCommand } from './task-type.ts';

export interface Job {
  jid: string;
  /** the job's result file, its path expanded on the host (Ansible's results_file) */
  resultsFile: string;
}

/** Ansible's default async_dir (the shell plugins' option). */
export const DEFAULT_ASYNC_DIR = '~/.ansible_async';

/** A directory as sh reads it: `~` and `~/x` are the (become) user's home, the rest quoted as written. */
const dirWord = (dir: string) => (dir === '~' ? '"$HOME"' : dir.startsWith('~/') ? `"$HOME"/${shq(dir.slice(2))}` : shq(dir));

/**
 * async_wrapper's watcher looks every 5 s and kills the job's process group once its time is out: at
 * 5 + 5 * ceil(limit / 5) s. The same here, so a job is not killed before Ansible's poll gives up on it.
 */
export const killAfterS = (limitS: number) => 5 + 5 * Math.ceil(limitS / 5);

// The result JSON, by awk from the job's stdout/stderr files. split() on one character is literal in
// every awk (gsub's replacement backslashes are not), so each special character is escaped by split and join.
const AWK = String.raw`
function rd(file,   s, line, n) { s = ""; n = 0; while ((getline line < file) > 0) s = s (n++ ? "\n" : "") line; close(file); return s }
function rep(s, c, by,   a, n, i, o) { n = split(s, a, c); o = a[1]; for (i = 2; i <= n; i++) o = o by a[i]; return o }
function esc(s,   i) {
  s = rep(s, "\\", "\\\\"); s = rep(s, "\"", "\\\""); s = rep(s, "\n", "\\n"); s = rep(s, "\r", "\\r"); s = rep(s, "\t", "\\t")
  for (i = 1; i < 32; i++) if (i != 9 && i != 10 && i != 13) s = rep(s, sprintf("%c", i), sprintf("\\u%04x", i))
  return "\"" s "\""
}
function text(file, nl,   s) { s = rd(file); if (strip) sub(/[\r\n]+$/, "", s); else if (nl) s = s "\n"; return s }
function us(t,   a) { split(t, a, " "); if (a[2] !~ /^[0-9]+$/) a[2] = "000000000"; return a[1] * 1000000 + int(substr(a[2], 1, 6)) }
function when(t,   a) { split(t, a, " "); if (a[2] !~ /^[0-9]+$/) a[2] = "000000000"; return "\"" a[3] " " a[4] "." substr(a[2], 1, 6) "\"" }
function delta(d) { return sprintf("\"%d:%02d:%02d", int(d / 3600000000), int(d / 60000000) % 60, int(d / 1000000) % 60) (d % 1000000 ? sprintf(".%06d", d % 1000000) : "") "\"" }
BEGIN {
  base = ENVIRON["SKIFF_JOB_BASE"]
  printf "{%s%s\"changed\": true, \"rc\": %d, \"stdout\": %s, \"stderr\": %s, \"start\": %s, \"end\": %s, \"delta\": %s, \"msg\": %s%s}", base, (base == "" ? "" : ", "), rc, esc(text(out, outnl)), esc(text(err, errnl)), when(t0), when(t1), delta(us(t1) - us(t0)), (rc ? "\"non-zero return code\"" : "\"\""), (rc ? ", \"failed\": true" : "")
}`;

// The detached job: $1 result file, $2 seconds before it is killed, $3 the command line, $4 the base
// fields (JSON members), $5 strip (1/0). The command gets its own process group (setsid) to be killed whole.
const JOB = String.raw`f=$1; in=/dev/null; [ -e "$f.in" ] && in="$f.in"
now() { date '+%s %N %Y-%m-%d %H:%M:%S' 2>/dev/null; }
t0=$(now)
if command -v setsid >/dev/null 2>&1; then setsid sh -c "$3" <"$in" >"$f.out" 2>"$f.err" & else sh -c "$3" <"$in" >"$f.out" 2>"$f.err" & fi
pid=$!
( sleep "$2"; : >"$f.timeout"; kill -KILL -"$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null ) >/dev/null 2>&1 &
w=$!
wait "$pid"; rc=$?
kill "$w" 2>/dev/null
t1=$(now)
nl() { [ -s "$1" ] && [ "$(tail -c 1 "$1" | wc -l)" -eq 1 ] && echo 1 || echo 0; }
if [ -e "$f.timeout" ]; then printf '{"msg": "Timeout exceeded", "failed": true, "child_pid": %s}' "$pid" >"$f.tmp"
else SKIFF_JOB_BASE=$4 awk -v rc="$rc" -v t0="$t0" -v t1="$t1" -v strip="$5" -v out="$f.out" -v err="$f.err" -v outnl="$(nl "$f.out")" -v errnl="$(nl "$f.err")" '${AWK.replace(/'/g, `'\\''`)}' >"$f.tmp"; fi
mv -f "$f.tmp" "$f"; rm -f "$f.out" "$f.err" "$f.in" "$f.timeout"`;

/** Starts `cmd` in the background on the host; returns as soon as its result file says it started. */
export async function startJob(conn: Connection, dir: string, limitS: number, cmd: BackgroundCommand): Promise<Job> {
  // Ansible's jid: j + a random number, then . + the wrapper's pid
  const head = `d=${dirWord(dir)}; mkdir -p "$d" || exit 3; jid=j${randomInt(0, 999999999999)}.$$; f="$d/$jid"`;
  const started = `printf '{"started": 1, "finished": 0, "ansible_job_id": "%s"}' "$jid" >"$f.tmp" && mv -f "$f.tmp" "$f" || exit 3`;
  const stdin = cmd.stdin === undefined ? '' : 'cat >"$f.in" || exit 3\n';
  const base = JSON.stringify(cmd.base).slice(1, -1);
  const detach = `if command -v setsid >/dev/null 2>&1; then set -- setsid; else set -- nohup; fi
"$@" sh -c ${shq(JOB)} sh "$f" ${killAfterS(limitS)} ${shq(cmd.line)} ${shq(base)} ${cmd.stripEnds ? 1 : 0} </dev/null >/dev/null 2>&1 &
printf '%s\\n%s\\n' "$jid" "$f"`;
  const r = await conn.exec(`${head}\n${started}\n${stdin}${detach}`, cmd.stdin === undefined ? {} : { stdin: cmd.stdin });
  const [jid, resultsFile] = r.stdout.split('\n');
  if (r.code !== 0 || !jid || !resultsFile) throw new TaskFailure(`could not create directory: ${dir}${r.stderr.trim() ? ` - ${r.stderr.trim()}` : ''}`, { failed: true });
  return { jid, resultsFile };
}

/**
 * async_status (mode status): the job's result as Ansible's async_status action returns it: its
 * defaults (started, stdout...) under what the file says, finished added when the file is a result.
 * Never throws for the job: a missing file or a failed job is a result with `failed` set.
 */
export async function jobStatus(conn: Connection, dir: string, jid: string): Promise<Record<string, unknown>> {
  const r = await conn.exec(`f=${dirWord(dir)}/${shq(jid)}; printf '%s\\n' "$f"; if [ -e "$f" ]; then echo found; cat "$f"; else echo missing; fi`);
  const [path, state, ...rest] = r.stdout.split('\n');
  const out: Record<string, unknown> = { started: 1, finished: 0, stdout: '', stderr: '', stdout_lines: [], stderr_lines: [], ansible_job_id: jid, results_file: path };
  if (state !== 'found') return { ...out, finished: 1, changed: false, failed: true, msg: 'could not find job' };
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(rest.join('\n'));
  } catch {
    // not written yet: it is running (async_status's reading of a half-written file)
    return { ...out, changed: false };
  }
  if (!('started' in data)) Object.assign(data, { finished: 1, ansible_job_id: jid });
  else if (!('finished' in data)) data.finished = 0;
  const result: Record<string, unknown> = { changed: false, ...out, ...data };
  // _execute_module's lines of stdout and stderr (Python's splitlines)
  for (const k of ['stdout', 'stderr'] as const) if (typeof result[k] === 'string') result[`${k}_lines`] = (result[k] as string).split(/\r\n|\r|\n/).filter((l, i, a) => l !== '' || i < a.length - 1);
  return result;
}

/** async_status (mode cleanup): the job's result file removed; its path as `erased` (failed when it is not there). */
export async function cleanupJob(conn: Connection, dir: string, jid: string): Promise<Record<string, unknown>> {
  const r = await conn.exec(`f=${dirWord(dir)}/${shq(jid)}; printf '%s\\n' "$f"; [ -e "$f" ] && rm -f "$f" && echo found`);
  const [path, state] = r.stdout.split('\n');
  const out = { ansible_job_id: jid, started: 0, finished: 0, stdout: '', stderr: '', stdout_lines: [], stderr_lines: [], changed: false };
  if (state !== 'found') return { ...out, results_file: path, started: 1, finished: 1, failed: true, msg: 'could not find job' };
  return { ...out, erased: path };
}

/** A job that is over before it starts (its task had nothing to do): its result file holds `result` at once. */
export async function finishedJob(conn: Connection, dir: string, result: Record<string, unknown>): Promise<Job> {
  const head = `d=${dirWord(dir)}; mkdir -p "$d" || exit 3; jid=j${randomInt(0, 999999999999)}.$$; f="$d/$jid"`;
  const r = await conn.exec(`${head}\nprintf '%s' ${shq(JSON.stringify(result))} >"$f.tmp" && mv -f "$f.tmp" "$f" || exit 3\nprintf '%s\\n%s\\n' "$jid" "$f"`);
  const [jid, resultsFile] = r.stdout.split('\n');
  if (r.code !== 0 || !jid || !resultsFile) throw new TaskFailure(`could not create directory: ${dir}${r.stderr.trim() ? ` - ${r.stderr.trim()}` : ''}`, { failed: true });
  return { jid, resultsFile };
}
