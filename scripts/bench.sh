#!/usr/bin/env bash
# Builds the release preset and runs every micro- and load benchmark; each prints its figure
# beside the reference it is measured against in the same run. Not part of the test suite.
#   scripts/bench.sh [benchmark-name-regex]     e.g. scripts/bench.sh token
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
cmake --preset release >/dev/null
cmake --build --preset release
filter=${1:-.}
for bench in build/release/bench/micro/bench_* build/release/bench/load/bench_*; do
  [[ -x $bench && $(basename "$bench") =~ $filter ]] || continue
  echo "== $(basename "$bench")"
  "$bench"
done
