#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine for kiosk-shell, installing only what is missing:
#   - Node.js >= 22.15 (if the system's is older, Node 24 from the npm registry into .tools/);
#   - Debian packages: chromium (the kiosk's browser where Electron cannot be had),
#     fonts-noto-cjk (the City Hall UI speaks Chinese: without it every character is a box)
#     and x11-xserver-utils (xset: the panel kept awake, and powered down while the display
#     is off), and with --test also xvfb (x11-utils to read window sizes, xdotool for real
#     input, imagemagick to grab the screen), the Django/Channels stack, redis-server,
#     PostgreSQL with psycopg2 (the Django suite runs on SQLite and on a throwaway PostgreSQL
#     cluster: scripts/test-django.ts), nginx and openssl (the reference deployment's test runs
#     its own nginx on free ports with a certificate it makes), gettext, python3-venv and
#     python3-pip (the Django app's catalogue is checked and its pip install is tested) and
#     the validators the tests use;
#   - the project's npm dependencies (npm ci).
# Idempotent; run it as root or as a user with sudo. Then use scripts/npm (Node on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

want_tests=false
for arg in "$@"; do
  case "$arg" in
    --test) want_tests=true ;;
    *) echo "usage: scripts/setup.sh [--test]" >&2; exit 2 ;;
  esac
done

packages=(chromium fonts-noto-cjk x11-xserver-utils)
if $want_tests; then
  packages+=(xvfb xauth x11-utils xdotool imagemagick python3-django python3-django-channels python3-daphne python3-djangorestframework
    python3-channels-redis redis-server postgresql python3-psycopg2 nginx openssl desktop-file-utils systemd gettext python3-venv python3-pip)
fi
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]} > 0)); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node: the project needs >= 22.15 (http-proxy-middleware 4); Electron 45 bundles Node 24.
node_ok() { command -v node >/dev/null && node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=15)?0:1)'; }
if ! PATH="$root/.tools/node/node_modules/.bin:$PATH" node_ok; then
  echo "setup: installing Node 24 into .tools/node (the system Node is $(node --version 2>/dev/null || echo missing))"
  npm install --silent --no-fund --no-audit --prefix "$root/.tools/node" node@24 >/dev/null
fi
export PATH="$root/.tools/node/node_modules/.bin:$PATH"
echo "setup: node $(node --version), npm $(npm --version)"

npm ci --no-fund --no-audit
