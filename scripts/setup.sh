#!/usr/bin/env bash
# Installs what cutover's demo and tests need on a fresh Debian machine; quick no-op when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

debs=(caddy tmux redis-server postgresql sqlite3 iproute2)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to apt-get install ${missing[*]}" >&2; exit 1; }
    SUDO=sudo
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The Debian packages may start system services; cutover's lab and tests start their own on loopback.
  for svc in caddy redis-server postgresql; do
    (command -v systemctl >/dev/null && $SUDO systemctl disable --now "$svc" >/dev/null 2>&1) || true
  done
fi

stamp=node_modules/.package-lock.json
# Also when an earlier install was cut off before better-sqlite3's native build finished.
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || ! node -e "new (require('better-sqlite3'))(':memory:').close()" 2>/dev/null; then
  echo "setup: npm ci (better-sqlite3 compiles from source: about two minutes)" >&2
  npm ci --no-audit --no-fund
fi
npm run --silent build
