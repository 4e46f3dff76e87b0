#!/usr/bin/env bash
# The README's second command: installs and builds what is missing, then runs
# every test with ctest: unit, integration (real relay over real sockets),
# browser end-to-end (headless Chromium + the WASM client), desktop (Xvfb);
# then the unit + integration suites again under ASan + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

bash scripts/install-deps.sh
bash scripts/build.sh

echo "== tests (build/native)"
ctest --test-dir build/native --output-on-failure -j"$jobs" --timeout 300

if [ "${HUBCHAT_SKIP_SANITIZERS:-0}" != 1 ]; then
  echo "== unit + integration under ASan + UBSan (build/asan)"
  cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DHUBCHAT_SANITIZE=ON \
    -DHUBCHAT_TEST_DIRS="support;integration" >/dev/null
  cmake --build build/asan -j"$jobs" --target shared_unit_tests relay_core_unit_tests relay_loop_unit_tests relay_integration_tests client_model_tests relay
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build/asan --output-on-failure -j"$jobs" --timeout 300 -L "unit|integration"
fi

if [ "${HUBCHAT_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzz targets, ${HUBCHAT_FUZZ_SECONDS:-60} s each (build/fuzz, clang + libFuzzer)"
  CC=clang CXX=clang++ cmake -S . -B build/fuzz -DHUBCHAT_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DHUBCHAT_FUZZ_SECONDS="${HUBCHAT_FUZZ_SECONDS:-60}" >/dev/null
  cmake --build build/fuzz -j"$jobs"
  ctest --test-dir build/fuzz --output-on-failure -j"$jobs"
fi
