#!/usr/bin/env bash
# The main job: set up, build, and show Huddle working. Until huddle-server lands, that is the
# token service: mint a development token with huddle-cli and verify it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
source scripts/env.sh

cmake --preset release >/dev/null
cmake --build --preset release --target huddle-cli

cli=build/release/tools/huddle-cli/huddle-cli
echo
echo "== minting a development token (key devkey) for alice in room demo"
token=$("$cli" token create --dev --identity alice --name Alice --room demo --join --valid-for 1h)
echo "$token"
echo
echo "== verifying it"
"$cli" token verify --dev "$token"
