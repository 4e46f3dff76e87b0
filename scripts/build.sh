#!/usr/bin/env bash
# Builds everything: native (relay, desktop client, tests) in build/native and
# the browser client with Emscripten in build/wasm (staged page in build/wasm/web).
# Extra arguments are passed to the native configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

echo "== native build (build/native)"
cmake -S . -B build/native -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build build/native -j"$jobs"

echo "== browser build with em++ (build/wasm): shared/ + client"
export NODE_PATH=/usr/share/nodejs  # Debian's emscripten needs it to find acorn
emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/wasm -j"$jobs"
