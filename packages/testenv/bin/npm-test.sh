#!/usr/bin/env bash
# `npm test`: installs what is missing, starts the real servers on loopback, runs lint, type-check,
# unit and integration tests, tears the servers down, and ends with `N passed, N failed`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
source packages/testenv/bin/ensure-deps.sh
exec node --conditions=source packages/testenv/src/cli.ts run -- \
  node --conditions=source packages/testing/bin/run-tests.ts "$@"
