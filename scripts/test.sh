#!/usr/bin/env bash
# The whole test suite, as CI runs it: set up, then
#   1. release build with -Werror: unit and interop tests (official LiveKit npm packages);
#   2. AddressSanitizer + UBSan build: unit tests;
#   3. clang libFuzzer build: every fuzzer for a bounded time over its corpus.
# HUDDLE_TEST_STAGES=release,asan,fuzz selects stages (default: all).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
source scripts/env.sh

stages=",${HUDDLE_TEST_STAGES:-release,asan,fuzz},"
jobs=$(nproc)
summary=()

run_stage() {
  local preset=$1 labels=$2 target=${3:-all}
  echo "== [$preset] configure and build ($target)"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs" --target "$target"
  echo "== [$preset] ctest -L '$labels'"
  ctest --test-dir "build/$preset" -L "$labels" --output-on-failure -j "$jobs" --timeout 600
  summary+=("$preset ($labels): passed")
}

if [[ $stages == *,release,* ]]; then run_stage release 'unit|interop'; fi
if [[ $stages == *,asan,* ]]; then
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  run_stage asan-ubsan unit
fi
if [[ $stages == *,fuzz,* ]]; then run_stage fuzz fuzz huddle_fuzzers; fi

echo
printf '%s\n' "${summary[@]}"
