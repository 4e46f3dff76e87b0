#!/usr/bin/env bash
# The Debian package, tested as a user would meet it: build the .deb (CPack),
# check its contents and Depends with dpkg-deb, unpack it with dpkg -x into a
# temporary folder, start the unpacked relay with the unpacked config (its
# paths pointed at the unpacked tree, as a user edits it) and web root, and
# run the browser end-to-end test against it: the page loads in headless
# Chromium and messages go through. systemd-analyze verifies the unit when
# the machine has it.
# Usage: package_test.sh BUILD_DIR SOURCE_DIR OUT_DIR
set -euo pipefail
build=$1 src=$2 out=$3
mkdir -p "$out"
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== building the package"
rm -f "$build"/hubchat-relay_*.deb
cmake --build "$build" --target package >"$out/cpack.log" 2>&1 || { cat "$out/cpack.log"; fail "cpack"; }
deb=$(ls "$build"/hubchat-relay_*.deb)
echo "package: $deb"

echo "== contents and Depends"
dpkg-deb -c "$deb" | awk '{print $6}' >"$out/contents.txt"
for path in ./usr/bin/hubchat-relay ./lib/systemd/system/hubchat-relay.service \
            ./etc/hubchat/relay.conf ./usr/share/hubchat/web/index.html \
            ./usr/share/hubchat/web/client.wasm ./usr/share/hubchat/web/client.js \
            ./usr/share/doc/hubchat-relay/relay-help.txt; do
  grep -qx "$path" "$out/contents.txt" || fail "$path is not in the package"
done
grep -qx './usr/bin/relay' "$out/contents.txt" && fail "the package claims the generic name /usr/bin/relay"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
# Every library the binary links must be named (dpkg-shlibdeps), plus the lws
# event-loop plugin that lws loads at run time.
for pkg in libwebsockets17 libev4 libc6 libstdc++6 libwebsockets-evlib-ev; do
  [[ ", $depends," == *", $pkg "* || ", $depends," == *", $pkg,"* ]] || fail "Depends lacks $pkg"
done
dpkg-deb -f "$deb" Conffiles 2>/dev/null | grep -q /etc/hubchat/relay.conf ||
  dpkg-deb -I "$deb" conffiles | grep -q /etc/hubchat/relay.conf || fail "relay.conf is not a conffile"

echo "== unpacking"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg -x "$deb" "$root"
unit="$root/lib/systemd/system/hubchat-relay.service"
grep -q '^DynamicUser=yes' "$unit" || fail "the unit does not run as a dynamic user"
grep -q '^ProtectSystem=strict' "$unit" || fail "the unit lacks ProtectSystem=strict"
grep -q '^NoNewPrivileges=yes' "$unit" || fail "the unit lacks NoNewPrivileges"
grep -qx 'CapabilityBoundingSet=' "$unit" || fail "the unit keeps capabilities"
grep -q '^Restart=on-failure' "$unit" || fail "the unit is not restarted on failure"
grep -q '^ExecStart=/usr/bin/hubchat-relay --config /etc/hubchat/relay.conf' "$unit" ||
  fail "the unit does not pass the config file"

if command -v systemd-analyze >/dev/null; then
  # As installed, but with the binary where dpkg -x put it.
  sed "s#/usr/bin/hubchat-relay#$root/usr/bin/hubchat-relay#" "$unit" >"$root/hubchat-relay.service"
  systemd-analyze verify "$root/hubchat-relay.service" || fail "systemd-analyze verify"
  echo "systemd-analyze verify: ok"
else
  echo "systemd-analyze is not on this machine: skipped verifying the unit"
fi

echo "== the unpacked relay serves the page, and messages go through"
conf="$root/etc/hubchat/relay.conf"
sed -i "s#\"/usr/share/hubchat/web\"#\"$root/usr/share/hubchat/web\"#" "$conf"
"$root/usr/bin/hubchat-relay" --version | grep -q "relay" || fail "--version"
wrapper="$root/start-relay"
printf '#!/bin/sh\nexec "%s" --config "%s" "$@"\n' "$root/usr/bin/hubchat-relay" "$conf" >"$wrapper"
chmod +x "$wrapper"
node "$src/tests/browser/e2e.mjs" --relay "$wrapper" --web-dir "$root/usr/share/hubchat/web" \
  --out "$out" || fail "the browser test against the unpacked relay"
echo "package test: ok"
