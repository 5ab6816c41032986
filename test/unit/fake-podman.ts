// A fake `podman` for the container scripts (recreate, resume): a shell script keeping containers
// as files $FAKE/c/<name> holding "<id> <status>" and images as $FAKE/i/<ref>, logging every call.
// The scripts' lock lives in the fake host's dir (XDG_RUNTIME_DIR), never in the user's home.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FAKE_PODMAN = `#!/bin/sh
# fake podman: containers are files $FAKE/c/<name> holding "<id> <status>"; images $FAKE/i/<ref>
echo "$*" >> "$FAKE/log"
st() { cat "$FAKE/c/$1" 2>/dev/null; }
img() { echo "$1" | tr '/:' '__'; }
cmd=$1; shift
case "$cmd" in
container)
  sub=$1; shift
  if [ "$1" = -f ]; then f=$2; shift 2; s=$(st "$1") || exit 125; [ -n "$s" ] || exit 125
    case "$f" in *Running*) [ "\${s#* }" = running ] && echo true || echo false;; *) echo sha256:img;; esac; exit 0; fi
  s=$(st "$1"); [ -n "$s" ] || { echo "Error: no container with name or ID \\"$1\\" found: no such container" >&2; exit 125; }
  echo "[{\\"Id\\":\\"\${s%% *}\\"}]";;
image) [ -e "$FAKE/i/$(img "$2")" ] || exit 125;;
pull) [ -n "$FAIL_PULL" ] && { echo "pull failed" >&2; exit 125; }; touch "$FAKE/i/$(img "$1")";;
create)
  [ -n "$FAIL_CREATE" ] && { echo "create failed" >&2; exit 125; }
  [ "$1" = --name ] || exit 2; [ -e "$FAKE/c/$2" ] && { echo "name in use" >&2; exit 125; }
  echo "new$$ created" > "$FAKE/c/$2";;
stop) [ "$1" = -t ] && shift 2; s=$(st "$1") || exit 125; echo "\${s%% *} exited" > "$FAKE/c/$1";;
start)
  s=$(st "$1") || exit 125; id=\${s%% *}
  case "$id" in new*) [ -n "$FAIL_START" ] && { echo "start failed" >&2; exit 125; }; [ -n "$DIES" ] && { echo "$id exited" > "$FAKE/c/$1"; exit 0; };; esac
  echo "$id running" > "$FAKE/c/$1";;
rename) [ -e "$FAKE/c/$2" ] && exit 125; mv "$FAKE/c/$1" "$FAKE/c/$2";;
rm) [ "$1" = -f ] && shift; rm -f "$FAKE/c/$1";;
logs) echo "level=error msg=\\"fake failure\\"";;
cp) [ -n "$FAIL_CP" ] && exit 1; mkdir -p "$2" && echo data > "$2/chunk";;
*) echo "fake podman: $cmd?" >&2; exit 2;;
esac
`;

export function fakeHost(containers: Record<string, string>, images: string[] = ['localhost/prometheus:lab']) {
  const d = mkdtempSync(join(tmpdir(), 'skiff-fake-podman-'));
  mkdirSync(join(d, 'bin'));
  mkdirSync(join(d, 'c'));
  mkdirSync(join(d, 'i'));
  writeFileSync(join(d, 'bin', 'podman'), FAKE_PODMAN);
  chmodSync(join(d, 'bin', 'podman'), 0o755);
  writeFileSync(join(d, 'bin', 'curl'), '#!/bin/sh\nprintf "${CURL_CODE:-200}"\n');
  chmodSync(join(d, 'bin', 'curl'), 0o755);
  writeFileSync(join(d, 'log'), '');
  for (const [n, s] of Object.entries(containers)) writeFileSync(join(d, 'c', n), s + '\n');
  for (const i of images) writeFileSync(join(d, 'i', i.replace(/[/:]/g, '_')), '');
  const run = (script: string, env: Record<string, string> = {}) =>
    spawnSync('sh', ['-c', script], { encoding: 'utf8', env: { ...process.env, PATH: `${join(d, 'bin')}:${process.env.PATH}`, FAKE: d, XDG_RUNTIME_DIR: d, ...env }, timeout: 60_000 });
  const state = () => Object.fromEntries(readdirSync(join(d, 'c')).map((n) => [n, readFileSync(join(d, 'c', n), 'utf8').trim()]));
  const log = () => readFileSync(join(d, 'log'), 'utf8').trim().split('\n');
  return { dir: d, run, state, log };
}

