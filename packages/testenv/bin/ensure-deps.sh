#!/usr/bin/env bash
# Installs the npm dependencies (Node 24 among them, as the npm `node` package) when they are
# missing or older than the lockfile. Sourced by npm-test.sh and npm-start.sh.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
if [[ ! -x "$root/node_modules/.bin/node" || "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]]; then
  echo "[setup] installing npm dependencies (npm ci)" >&2
  (cd "$root" && npm ci --no-audit --no-fund) >&2
fi
NODE24="$root/node_modules/.bin/node"
"$NODE24" -e 'process.exit(Number(process.versions.node.split(".")[0]) === 24 ? 0 : 1)' || { echo "[setup] node_modules/.bin/node is not Node 24" >&2; exit 1; }
export PATH="$root/node_modules/.bin:$PATH"
export TURBO_TELEMETRY_DISABLED=1 NPM_CONFIG_UPDATE_NOTIFIER=false

# The gateway serves the web pages from services/web/dist (turbo skips the build when nothing changed).
(cd "$root" && turbo run build --filter=@ticketping/web --output-logs=errors-only >/dev/null) || { echo "[setup] building the web pages failed" >&2; exit 1; }
