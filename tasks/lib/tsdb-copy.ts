// Moving a Prometheus TSDB out of its container's volume into a host directory, with Prometheus blind
// for a time that does not grow with the TSDB (issue #23):
//   1. while it runs (precopyScript): the block directories, which Prometheus never writes once it
//      has renamed them into place (a new block is written as ULID.tmp-for-creation; meta.json and
//      tombstones are replaced by rename, never rewritten), are hard-linked where the volume and the
//      target share a filesystem and mount, copied otherwise;
//   2. once it is stopped gracefully (syncScript): only what changed since is brought over: the WAL and
//      the head chunks (written in place: always copied, never linked), blocks that compaction or
//      retention made or deleted meanwhile, a replaced meta.json or tombstones.
// Rollback keeps the volume untouched: nothing linked is written afterwards (Prometheus replaces
// files by rename, and deleting a link leaves the volume's name), and a block is linked only when
// its files already belong to the user the copy is made for, so the chown after it never reaches
// an inode the volume shares. Where the volume's directory on the host is not known (another kind of
// mount, the container's own layer), everything is copied with `ENGINE cp` after the stop, as before.
// All pure: the scripts run on the host, inside recreate.ts's swap.
import { shq } from '../../src/transport/quote.ts';
import type { ContainerFacts, Engine } from './container/spec.ts';
import { hostPathOf } from './prometheus.ts';

/** A block directory's name: a ULID (Crockford base32, 26 characters). */
const BLOCK = '[0-9A-HJKMNP-TV-Z]{26}';

/**
 * Pure: shell setting $src to the TSDB's directory on the host when it is in a volume the engine
 * can locate (named or anonymous), else to ''; $total to its size in bytes (du -sb) or '?'.
 */
export function sourceDirScript(engine: Engine, f: Pick<ContainerFacts, 'name' | 'mounts'>, tsdb: string): string {
  const { mount } = hostPathOf(f.mounts, tsdb);
  const sub = mount ? tsdb.slice(mount.target.length).replace(/^\//, '') : '';
  const base = mount && (mount.kind === 'volume' || mount.kind === 'anonymous') ? `${shq(engine)} volume inspect -f '{{.Mountpoint}}' ${shq(mount.source)} 2>/dev/null` : 'true';
  return [
    `src=; base=$(${base}); case "$base" in /*) [ -d "$base"${shq(sub ? `/${sub}` : '')} ] && src="$base"${shq(sub ? `/${sub}` : '')};; esac`,
    `total=?; [ -n "$src" ] && total=$(du -sb -- "$src" 2>/dev/null | cut -f1)`,
  ].join('\n');
}

/** Shell functions both scripts use: is_block NAME; link_or_copy NAME (from "$src" into "$T"). */
function helpers(dest: string, owner: string): string[] {
  const [uid, gid] = owner.split(':');
  return [
    `T=${shq(dest)}`,
    `is_block() { printf '%s' "$1" | grep -qxE '${BLOCK}' && [ -f "$src/$1/meta.json" ]; }`,
    // linked only when every file is the copy's owner's already (the chown below then leaves it alone)
    `link_or_copy() {`,
    `  if [ -z "$(find "$src/$1" \\( ! -uid ${uid} -o ! -gid ${gid} \\) -print -quit 2>/dev/null)" ] && cp -al -- "$src/$1" "$T/$1" 2>/dev/null; then return 0; fi`,
    `  rm -rf -- "$T/$1"; cp -a -- "$src/$1" "$T/$1" 2>/dev/null && return 0`,
    // deleted by compaction or retention while being copied: nothing to bring over
    `  rm -rf -- "$T/$1"; [ ! -d "$src/$1" ]`,
    `}`,
  ];
}

/**
 * Shell printing `PREFIX: DONE TOTAL` every 2 s while job $job runs and once when it ended, looking
 * every 0.2 s whether it did: after the stop, every second spent waiting here is a second Prometheus is
 * blind. Its status is the job's.
 */
const watch = (prefix: string) => {
  const report = `echo "${prefix}: $(du -sb -- "$T" 2>/dev/null | cut -f1) \${total:-?}"`;
  // and once when it ends, with its status kept: a copy quicker than the first look still reports
  return `i=0; while kill -0 $job 2>/dev/null; do [ $((i % 10)) -eq 0 ] && ${report}; i=$((i+1)); sleep 0.2; done; wait $job; rc=$?; ${report}; (exit $rc)`;
};

/**
 * Pure: shell run while the container still runs, after `dest` was emptied: the finished blocks of
 * the TSDB into `dest` (made here), reporting `skiff-precopied: DONE TOTAL`. Does nothing where the
 * TSDB's host directory is not known.
 */
export function precopyScript(engine: Engine, f: Pick<ContainerFacts, 'name' | 'mounts'>, tsdb: string, dest: string, owner: string): string {
  return [
    sourceDirScript(engine, f, tsdb),
    ...helpers(dest, owner),
    `if [ -n "$src" ]; then`,
    `  mkdir -p -- "$T" || exit 1`,
    `  ( for s in "$src"/*; do n=\${s##*/}; is_block "$n" || continue; link_or_copy "$n" || exit 1; done ) & job=$!`,
    `  ${watch('skiff-precopied')}`,
    `fi`,
  ].join('\n');
}

/**
 * Pure: shell run once the container is stopped: makes `dest` the whole TSDB, starting from what
 * precopyScript left there (a block gone from the source is removed, a new one linked or copied, a
 * replaced meta.json or tombstones brought over; everything that is not a block copied afresh), or,
 * where the TSDB's host directory is not known, copied whole with `ENGINE cp` (fallback). Reports
 * `skiff-copied: DONE TOTAL`; exits with the copy's status.
 */
export function syncScript(engine: Engine, f: Pick<ContainerFacts, 'name' | 'mounts'>, tsdb: string, dest: string, owner: string): string {
  return [
    sourceDirScript(engine, f, tsdb),
    ...helpers(dest, owner),
    `if [ -z "$src" ]; then`,
    copyScript(engine, f, tsdb, dest),
    `  exit $?`,
    `fi`,
    `mkdir -p -- "$T" || exit 1`,
    `(`,
    `  set -e`,
    `  for t in "$T"/*; do [ -e "$t" ] || continue; [ -e "$src/\${t##*/}" ] || rm -rf -- "$t"; done`,
    `  for s in "$src"/*; do`,
    `    [ -e "$s" ] || continue; n=\${s##*/}`,
    `    if is_block "$n" && [ -d "$T/$n" ]; then`,
    // the two files Prometheus replaces in a finished block (by rename: the link keeps the old one)
    `      for x in meta.json tombstones; do`,
    `        if [ -e "$s/$x" ]; then cmp -s -- "$s/$x" "$T/$n/$x" || { rm -f -- "$T/$n/$x"; cp -a -- "$s/$x" "$T/$n/$x"; }; else rm -f -- "$T/$n/$x"; fi`,
    `      done`,
    `    elif is_block "$n"; then link_or_copy "$n"`,
    `    else rm -rf -- "$T/$n"; cp -a -- "$s" "$T/$n"; fi`,
    `  done`,
    `) & job=$!`,
    watch('skiff-copied'),
  ].join('\n');
}

/**
 * Pure: shell (run once the container is stopped) that copies its TSDB into `dest` (a new directory)
 * with `ENGINE cp` and prints `skiff-copied: DONE TOTAL` every 2 s while the copy runs, for progress:
 * TOTAL is the size (du -sb) of the source measured on the host before the copy, through the volume's
 * mountpoint or the container's writable layer (`?` when neither can be found), DONE the size of
 * `dest` so far. Exits with the copy's own status.
 */
export function copyScript(engine: Engine, f: Pick<ContainerFacts, 'name' | 'mounts'>, tsdb: string, dest: string): string {
  const E = shq(engine);
  const T = shq(dest);
  const { mount } = hostPathOf(f.mounts, tsdb);
  const sub = mount ? tsdb.slice(mount.target.length).replace(/^\//, '') : '';
  // base: where the engine keeps what is under the TSDB path (empty, or docker's `<no value>`, if unknown)
  const [base, rest] =
    mount && (mount.kind === 'volume' || mount.kind === 'anonymous')
      ? [`${E} volume inspect -f '{{.Mountpoint}}' ${shq(mount.source)}`, sub ? `/${sub}` : '']
      : mount
        ? ['true', '']
        : [`${E} container inspect -f '{{.GraphDriver.Data.UpperDir}}' ${shq(f.name)}`, tsdb];
  return [
    `base=$(${base} 2>/dev/null); total=; case "$base" in /*) total=$(du -sb -- "$base"${shq(rest)} 2>/dev/null | cut -f1);; esac`,
    `rm -rf -- ${T} && mkdir -- ${T} && {`,
    `  ${E} cp ${shq(`${f.name}:${tsdb}/.`)} ${T}/ & cp=$!`,
    `  while kill -0 $cp 2>/dev/null; do echo "skiff-copied: $(du -sb -- ${T} 2>/dev/null | cut -f1) \${total:-?}"; sleep 2; done`,
    `  wait $cp`,
    `}`,
  ].join('\n');
}
