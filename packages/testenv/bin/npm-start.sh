#!/usr/bin/env bash
# `npm start`: installs what is missing, then runs the whole platform on this machine (standalone:
# each service in its own process, embedded Postgres and Redis as child processes).
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
source packages/testenv/bin/ensure-deps.sh
exec node --conditions=source services/standalone/src/main.ts
