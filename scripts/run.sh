#!/usr/bin/env bash
# The main job: set up, build, and run huddle-server in development mode on 127.0.0.1:7880
# (key devkey, secret secret), after printing a token any LiveKit client can join with.
# Stop it with Ctrl-C (SIGINT): participants are told, webhooks flush, exit status 0.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
source scripts/env.sh

cmake --preset release >/dev/null
cmake --build --preset release --target huddle-server huddle-cli

cli=build/release/tools/huddle-cli/huddle-cli
echo
echo "== a development token for alice in room demo (valid 6 h):"
"$cli" token create --dev --identity alice --name Alice --room demo --join --valid-for 6h
echo
echo "== starting huddle-server --dev (ws://127.0.0.1:7880); Ctrl-C stops it"
echo "== open http://127.0.0.1:7880/ in a browser for the demo meeting page"
exec build/release/src/server/huddle-server --dev "$@"
