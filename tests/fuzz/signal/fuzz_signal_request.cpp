// libFuzzer target for signal framing: every input is tried as a binary (protobuf) frame and as a
// text (proto3 JSON) frame. A request that decodes must survive a re-encode and decode again the
// same way, since the server relays and logs what it accepted.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "signal/signal_codec.h"

namespace {

std::span<const std::uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void checkRoundTrip(const livekit::SignalRequest& request, bool json) {
  const std::string encoded = huddle::signal::encodeSignalRequest(request, json);
  const auto again = huddle::signal::decodeSignalRequest(bytes(encoded), json);
  if (!again.ok() || again->message_case() != request.message_case()) __builtin_trap();
  if (huddle::signal::signalRequestName(*again).empty()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  for (const bool text : {false, true}) {
    const auto request = huddle::signal::decodeSignalRequest(input, text);
    if (request.ok()) {
      checkRoundTrip(*request, /*json=*/false);
      checkRoundTrip(*request, /*json=*/true);
    } else if (request.message().empty()) {
      __builtin_trap();  // every refusal must say why
    }
  }
  return 0;
}
