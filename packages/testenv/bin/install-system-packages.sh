#!/usr/bin/env bash
# Installs the Debian packages the test environment needs when they are missing:
# redis-server, promtool (prometheus), amtool (prometheus-alertmanager), chromium.
# Usage: install-system-packages.sh [redis] [prometheus] [chromium] (default: all)
set -euo pipefail
log() { printf '[system-packages] %s\n' "$*" >&2; }

want=("${@:-redis prometheus chromium}")
pkgs=()
for w in ${want[*]}; do
  case "$w" in
    redis) command -v redis-server >/dev/null || pkgs+=(redis-server) ;;
    prometheus)
      command -v promtool >/dev/null || pkgs+=(prometheus)
      command -v amtool >/dev/null || pkgs+=(prometheus-alertmanager) ;;
    chromium) command -v chromium >/dev/null || pkgs+=(chromium) ;;
    *) log "unknown component $w"; exit 2 ;;
  esac
done
[[ ${#pkgs[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
  log "missing: ${pkgs[*]}. Install them with: sudo apt-get install -y ${pkgs[*]}"
  exit 1
fi
log "installing ${pkgs[*]}"
# Debian would start the daemons as system services; we only want the binaries.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && created_policy=1; fi
trap '[[ $created_policy -eq 1 ]] && rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
