#!/usr/bin/env bash
# Installs what hubchat needs on Debian 12 (idempotent, quiet): compilers and
# libraries from Debian (python3-websockets runs the tests' legacy server, with
# Debian's /usr/bin/python3; redis-server + libhiredis-dev: the Redis broker
# and its tests; faketime starts a relay with a shifted clock in the Redis
# fault tests; libjwt-dev: signed identities (tokens), python3-jwt mints
# them in tests; python3-fonttools cuts the web client's font down
# to its glyph ranges at build time), Dear ImGui's sources (fetched by
# cmake/fetch-imgui.sh at configure time), and the browser tests' npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config git ca-certificates xz-utils
  libwebsockets-dev libwebsockets-evlib-ev libev-dev libcli11-dev libgtest-dev libbenchmark-dev
  emscripten libimgui-dev libglfw3-dev libgl-dev fonts-nanum
  clang libclang-rt-14-dev
  chromium xvfb libgl1-mesa-dri imagemagick x11-utils xdotool
  gnuplot-nox openssl curl procps
  python3-websockets python3-fonttools
  redis-server libhiredis-dev faketime
  libjwt-dev python3-jwt
)
# Node.js: the machine's own if it has one (Debian's npm conflicts with it).
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "== installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

for dir in tests/browser tests/bench; do
  if [ -f $dir/package-lock.json ] && [ ! -d $dir/node_modules ]; then
    echo "== npm ci ($dir)"
    npm ci --prefix $dir --no-audit --no-fund --loglevel=error >/dev/null
  fi
done
