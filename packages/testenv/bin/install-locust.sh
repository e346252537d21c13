#!/usr/bin/env bash
# Installs Locust (the load kit of bench/locust) with pip into a virtualenv in the cache outside the
# repo ($TICKETPING_CACHE, default ~/.cache/ticketping), once per bench/locust/requirements.txt:
# the venv's name carries a hash of that file, so a new pin gets a new venv. Prints the venv's bin
# folder (its `locust` is the one to run). Needs python3 (3.10 or later) with the venv module.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
requirements="$root/bench/locust/requirements.txt"
CACHE="${TICKETPING_CACHE:-$HOME/.cache/ticketping}"
log() { printf '[locust] %s\n' "$*" >&2; }

python=${PYTHON:-python3}
command -v "$python" >/dev/null || { log "python3 is required (apt-get install python3 python3-venv)"; exit 1; }
"$python" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null \
  || { log "python3 3.10 or later with the venv module is required (apt-get install python3-venv)"; exit 1; }

hash=$(sha256sum "$requirements" | cut -c1-12)
venv="$CACHE/locust-$hash"
if [[ ! -f "$venv/.complete" ]]; then
  log "installing $(grep -E '^locust==' "$requirements") into $venv"
  rm -rf "$venv"
  mkdir -p "$CACHE"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
  "$venv/bin/locust" --version >&2
  touch "$venv/.complete"
fi
echo "$venv/bin"
