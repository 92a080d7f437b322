# Sourced by the other scripts: puts the project-local node (if setup.sh installed one) first.
HUDDLE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -x "$HUDDLE_ROOT/.tools/node/bin/node" ]]; then
  export PATH="$HUDDLE_ROOT/.tools/node/bin:$PATH"
fi
export HUDDLE_ROOT
