#!/usr/bin/env bash
# The whole test suite: unit tests, then the lab (real sshd + podman + Prometheus hosts in network
# namespaces) and the tests that run against it. Needs root for the lab; without it the lab tests
# skip with the reason printed, except under CI=true, where a lab that cannot start fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent  # the bundle bin/skiff.mjs starts from (it falls back to tsx when stale)

total=0; passed=0; skipped=0; failed_runs=0
run_uvu() { # dir [pattern]
  local out
  out=$(mktemp)
  npx tsx node_modules/uvu/bin.js "$@" 2>&1 | tee "$out"
  local rc=${PIPESTATUS[0]}
  local t p s
  t=$(sed 's/\x1b\[[0-9;]*m//g' "$out" | awk '/Total:/ {print $2}' | tail -1)
  p=$(sed 's/\x1b\[[0-9;]*m//g' "$out" | awk '/Passed:/ {print $2}' | tail -1)
  s=$(sed 's/\x1b\[[0-9;]*m//g' "$out" | awk '/Skipped:/ {print $2}' | tail -1)
  total=$((total + ${t:-0})); passed=$((passed + ${p:-0})); skipped=$((skipped + ${s:-0}))
  if [ "$rc" != 0 ] || [ -z "$t" ]; then failed_runs=$((failed_runs + 1)); fi
  rm -f "$out"
}

echo "== import cycles (src/ and tasks/, runtime imports: npm run cycles)"
if npm run cycles --silent; then passed=$((passed + 1)); else failed_runs=$((failed_runs + 1)); fi
total=$((total + 1))

echo "== packages (the stand-in tests need Prometheus; the lab needs the rest)"
if [ "$(id -u)" = 0 ]; then npx tsx lab/cli.ts install || failed_runs=$((failed_runs + 1)); fi

# the tests' temporary files go in one directory removed at the end (they left thousands in /tmp, and
# Ansible's changed_when target lists /tmp); the lab keeps the machine's own TMPDIR
scratch=$(mktemp -d "${TMPDIR:-/tmp}/skiff-tests.XXXXXX")
chmod 1777 "$scratch" # as /tmp: tests run stand-ins as another user (uid 1001) that must reach their files
trap 'rm -rf "$scratch"' EXIT
outer_tmpdir=${TMPDIR-}
export TMPDIR=$scratch

echo "== unit tests"
run_uvu test/unit '\.test\.ts$'
run_uvu test/standins '\.test\.ts$'
run_uvu test/fuzz '\.test\.ts$'
echo "== the package (what each command loads; the packed tarball installed with npm install -g)"
run_uvu test/package '\.test\.ts$'
echo "== conformance sample (Ansible's own targets under ansible-core and skiff; all of them: npm run conformance)"
run_uvu test/conformance '\.test\.ts$'

if [ -n "$outer_tmpdir" ]; then export TMPDIR=$outer_tmpdir; else unset TMPDIR; fi
echo "== lab"
lab_ok=1
if ! npx tsx lab/cli.ts up; then
  lab_ok=0
  if [ "${CI:-}" = "true" ]; then echo "lab could not start (CI=true: failing, not skipping)"; failed_runs=$((failed_runs + 1)); fi
fi
if [ $lab_ok = 1 ]; then
  echo "== lab tests"
  run_uvu test/lab '\.test\.ts$'
  echo "== benchmark smoke run (2 hosts, 1 round)"
  if [ -f bench/run.ts ]; then
    if npx tsx bench/run.ts --hosts 2 --rounds 1 --smoke; then passed=$((passed + 1)); else failed_runs=$((failed_runs + 1)); fi
    total=$((total + 1))
  fi
fi

failed=$((total - passed - skipped))
[ $failed -lt 0 ] && failed=0
if [ $failed_runs -gt 0 ] && [ $failed = 0 ]; then failed=$failed_runs; fi
echo
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ] && [ $failed_runs = 0 ]
