#!/usr/bin/env bash
# The README's main command: bring the default lab up (installing what it needs), then put Thanos in
# front of its Prometheus servers with skiff, ending with the verification task passing.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent  # the bundle bin/skiff.mjs starts from (npm pack builds it too; a checkout falls back to tsx)
npx tsx lab/cli.ts up
exec node bin/skiff.mjs run playbooks/thanos.yml -i inventory/lab --diff "$@"
