#!/usr/bin/env bash
# Checks the installed client SDK the way an application sees it (registered by CMakeLists.txt).
#   package_test.sh headers  <build-dir> <work-dir> <cmake> <c++> [extra compile+link flags]
#   package_test.sh consumer <build-dir> <work-dir> <cmake> <c++> [extra compile+link flags]
# Both first run `cmake --install` of the client_sdk component into <work-dir>/prefix.
#   headers:  each public header compiles alone with only the installed include directory, and
#             none of them reaches a private dependency's headers; the .so exports huddle::client
#             and nothing else.
#   consumer: tests/package/consumer builds once with find_package(Huddle) and once with
#             pkg-config flags; both binaries need libhuddle-client.so.0 and none of our private
#             libraries, and both run (connect to a closed port must fail with
#             ServerUnreachable).
set -euo pipefail

mode=$1 build=$2 work=$3 cmake=$4 cxx=$5 extra=${6:-}
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }

# Libraries and headers that belong to our internals: an application must never need them.
private_headers='openssl/|srtp2/|usrsctp\.h|google/protobuf/|boost/|asio|spdlog/|fmt/|vpx/|opus/|libyuv|nlohmann/'
private_libs='libssl|libcrypto|libprotobuf|libsrtp2|libusrsctp|libvpx|libopus|libyuv|libspdlog|libfmt'

rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
"$cmake" --install "$build" --component client_sdk --prefix "$prefix" >"$work/install.log" ||
  { cat "$work/install.log"; fail "cmake --install"; }
lib=$(find "$prefix" -name 'libhuddle-client.so.0' -print -quit)
[[ -n $lib ]] || fail "libhuddle-client.so.0 not installed"
libdir=$(dirname "$lib")
[[ -L $libdir/libhuddle-client.so ]] || fail "no libhuddle-client.so development symlink"
# Output is captured before grep -q sees it: grep -q stops reading at the first match, and under
# pipefail the writer's SIGPIPE would fail a check that passed.
dynamic=$(readelf -d "$lib")
grep -q 'SONAME.*\[libhuddle-client\.so\.0\]' <<<"$dynamic" || fail "SONAME is not libhuddle-client.so.0"

check_headers() {
  local include=$prefix/include/huddle headers=0
  [[ -f $include/client/room.h ]] || fail "client/room.h not under $include"
  for header in "$include"/client/*; do
    local name=client/$(basename "$header") tu=$work/header_tu.cpp trace=$work/header_trace.txt
    printf '#include "%s"\n' "$name" >"$tu"
    # -H lists every header the preprocessor opens (on stderr, one per line, dots for depth).
    # $extra is a list of flags, split on purpose.
    # shellcheck disable=SC2086
    if ! "$cxx" -std=c++20 -Wall -Wextra -Wpedantic -Werror $extra -I"$include" -H -fsyntax-only \
         "$tu" 2>"$trace"; then
      grep -v '^\.' "$trace" >&2  # the diagnostics without the -H header list
      fail "$name does not compile alone with only $include on the include path"
    fi
    if grep -E '^\.+ ' "$trace" | grep -E "$private_headers" >"$work/leaks.txt"; then
      cat "$work/leaks.txt" >&2
      fail "$name reaches a private dependency's headers"
    fi
    echo "ok: $name"
    headers=$((headers + 1))
  done
  [[ $headers -ge 10 ]] || fail "only $headers public headers installed"

  local exported foreign
  exported=$(nm -DC --defined-only "$lib" | wc -l)
  # Everything defined and exported must name huddle::client (functions, vtables, RTTI).
  foreign=$(nm -DC --defined-only "$lib" | grep -v 'huddle::client::' || true)
  if [[ -n $foreign ]]; then
    echo "$foreign" | head -40 >&2
    fail "libhuddle-client.so exports symbols outside huddle::client"
  fi
  echo "ok: $exported exported symbols, all in huddle::client"
}

# The binary must get the SDK from the prefix and nothing private directly.
check_binary() {
  local bin=$1 needed
  needed=$(readelf -d "$bin" | grep NEEDED)
  grep -q '\[libhuddle-client\.so\.0\]' <<<"$needed" || { echo "$needed"; fail "$bin does not need libhuddle-client.so.0"; }
  if echo "$needed" | grep -E "$private_libs"; then
    fail "$bin links a private dependency of the SDK directly"
  fi
  local resolved
  resolved=$(LD_LIBRARY_PATH=$libdir ldd "$bin")
  grep -q "libhuddle-client\.so\.0 => $libdir/" <<<"$resolved" ||
    { echo "$resolved"; fail "$bin does not resolve libhuddle-client.so.0 from $libdir"; }
  local out
  out=$(LD_LIBRARY_PATH=$libdir timeout 30 "$bin") || { echo "$out"; fail "$bin exited with $?"; }
  echo "$out"
  grep -q 'reason=server_unreachable' <<<"$out" || fail "$bin did not report server_unreachable"
}

check_consumer() {
  # CMake: only the prefix is known; the package registry is off so nothing else is found.
  "$cmake" -S "$here/consumer" -B "$work/cmake-build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
    -DCMAKE_CXX_FLAGS="$extra" -DCMAKE_EXE_LINKER_FLAGS="$extra" >"$work/cmake-configure.log" ||
    { cat "$work/cmake-configure.log"; fail "consumer configure"; }
  grep -q "Huddle .* from $prefix/" "$work/cmake-configure.log" ||
    { cat "$work/cmake-configure.log"; fail "find_package(Huddle) did not use $prefix"; }
  "$cmake" --build "$work/cmake-build" >"$work/cmake-build.log" ||
    { cat "$work/cmake-build.log"; fail "consumer build (find_package)"; }
  check_binary "$work/cmake-build/huddle_sdk_consumer"
  echo "ok: find_package(Huddle) consumer"

  # pkg-config: a plain compiler command with the flags the .pc gives.
  local pc_flags pc_libs
  export PKG_CONFIG_LIBDIR=$libdir/pkgconfig PKG_CONFIG_PATH=
  pc_flags=$(pkg-config --cflags huddle-client) || fail "pkg-config --cflags huddle-client"
  pc_libs=$(pkg-config --libs huddle-client) || fail "pkg-config --libs huddle-client"
  echo "pkg-config: $pc_flags $pc_libs"
  # shellcheck disable=SC2086
  "$cxx" -std=c++20 -Wall -Wextra -Wpedantic -Werror $extra $pc_flags "$here/consumer/main.cpp" \
    -o "$work/consumer-pkgconfig" $pc_libs || fail "consumer build (pkg-config)"
  check_binary "$work/consumer-pkgconfig"
  echo "ok: pkg-config consumer"
}

case $mode in
  headers) check_headers ;;
  consumer) check_consumer ;;
  *) fail "unknown mode $mode" ;;
esac
