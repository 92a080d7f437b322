#!/usr/bin/env bash
# Installs everything Huddle needs on Debian 12 (bookworm), as root. Idempotent: a second run
# only checks. Packages come from Debian's archive; JavaScript interop clients from the npm
# registry, pinned by package-lock.json. Nothing else is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) -ne 0 ]]; then
  echo "setup.sh: run as root (it installs Debian packages)" >&2
  exit 1
fi

# Keep this list in one place; the comments say what each group is for.
packages=(
  # build
  cmake ninja-build g++ pkg-config git ca-certificates
  clang-14 libfuzzer-14-dev libclang-rt-14-dev
  # libraries
  libssl-dev libsrtp2-dev libusrsctp-dev libprotobuf-dev protobuf-compiler zlib1g-dev
  libboost-dev nlohmann-json3-dev libyaml-cpp-dev libspdlog-dev libcli11-dev
  # client media: codecs and colour conversion
  libvpx-dev libopus-dev libyuv-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # headless browser for interop (driven by playwright-core from npm; never its own downloads)
  chromium
  # JavaScript interop clients (livekit-server-sdk, livekit-client, @livekit/rtc-node...)
  nodejs npm
)

missing=()
for p in "${packages[@]}"; do
  # nodejs may come from another Debian-format repository (newer major); any install will do.
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    if [[ $p == npm ]] && command -v npm >/dev/null; then continue; fi
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "setup.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# livekit-server-sdk declares node >= 19; Debian 12 ships 18. When the system node is older,
# take node 20 from the npm registry (the `node` package) into a project-local prefix.
node_major=$(node -p 'process.versions.node.split(".")[0]')
if ((node_major < 19)); then
  if [[ ! -x .tools/node/bin/node ]]; then
    echo "setup.sh: system node is $(node --version); installing node 20 from npm into .tools/node"
    npm install --prefix .tools/node --no-audit --no-fund --loglevel=error node@20 >/dev/null
    mkdir -p .tools/node/bin
    ln -sf ../node_modules/node/bin/node .tools/node/bin/node
  fi
fi

# Interop clients, exactly as pinned.
if [[ ! -d node_modules/livekit-server-sdk ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup.sh: installing npm packages from package-lock.json"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
echo "setup.sh: ready"
