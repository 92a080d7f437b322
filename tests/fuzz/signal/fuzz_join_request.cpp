// libFuzzer target for the join parameters of the WebSocket upgrade. Each input is used twice:
// as a raw query string (v0 and v1 parsers), and as the bytes of a WrappedJoinRequest placed in
// join_request, so the fuzzer reaches the wrapper, gzip and JoinRequest layers without first
// having to discover base64.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/base64.h"
#include "signal/join_params.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace huddle;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto v0 = signal::parseV0Query(text);
  if (v0.ok()) {
    // What we parsed, we must be able to write back and read the same way.
    auto again = signal::parseV0Query(signal::buildV0Query(*v0));
    if (!again.ok()) __builtin_trap();
  }
  (void)signal::parseV1Query(text);

  const std::string query =
      "join_request=" + encodeBase64Url(std::span<const std::uint8_t>(data, size));
  auto v1 = signal::parseV1Query(query);
  if (v1.ok()) {
    auto again = signal::parseV1Query(signal::buildV1Query(*v1, /*compress=*/true));
    if (!again.ok() || again->participantSid != v1->participantSid) __builtin_trap();
  }
  return 0;
}
