#!/usr/bin/env bash
# Builds Mailpit (a real SMTP server with an HTTP API to read what it received) from its Go module,
# once per version, into the cache outside the repo, as build-control-plane.sh does. The module
# carries no web UI bundle (a separate npm build); the SMTP server and the API the tests use need none.
set -euo pipefail

MAILPIT_VERSION="${MAILPIT_VERSION:-v1.33.1}"
CACHE="${TICKETPING_CACHE:-$HOME/.cache/ticketping}"
BIN="$CACHE/bin"
mkdir -p "$BIN"
export GOFLAGS="-mod=mod" GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED=0

log() { printf '[mailpit] %s\n' "$*" >&2; }

if [[ ! -x "$BIN/mailpit-$MAILPIT_VERSION" ]]; then
  command -v go >/dev/null || { log "Go is required to build Mailpit (apt-get install golang or a Go toolchain)"; exit 1; }
  log "building mailpit $MAILPIT_VERSION (cold: ~3 min on 2 cores)"
  dir="$CACHE/build/mailpit-$MAILPIT_VERSION"
  mkdir -p "$dir" && cd "$dir"
  printf 'module ticketping.dev/mailpit-build\ngo 1.24\nrequire github.com/axllent/mailpit %s\n' "$MAILPIT_VERSION" > go.mod
  go get "github.com/axllent/mailpit@$MAILPIT_VERSION" >/dev/null
  go build -trimpath -ldflags="-s -w" -o "$BIN/mailpit-$MAILPIT_VERSION" github.com/axllent/mailpit
fi
ln -sf "mailpit-$MAILPIT_VERSION" "$BIN/mailpit"
