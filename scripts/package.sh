#!/usr/bin/env bash
# Builds the Debian package build/native/hubchat-relay_VERSION_ARCH.deb: the
# native and browser builds first (the package holds both), then CPack.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cmake --build build/native --target package
ls build/native/hubchat-relay_*.deb
