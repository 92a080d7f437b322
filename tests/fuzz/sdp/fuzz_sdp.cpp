// libFuzzer target for the SDP parser and writer, and for IceCandidate on its own.
// Beyond "no crash" it checks the round-trip promise: anything parseSdp accepts, writeSdp
// turns into text that parses back to an equal model without warnings.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "rtc/sdp/ice_candidate.h"
#include "rtc/sdp/session_description.h"

namespace {

using namespace huddle::rtc;

void exerciseQueries(const SessionDescription& d) {
  (void)d.bundleMids();
  for (const auto& m : d.media) {
    (void)m.codecs();
    (void)m.findCodec("VP8");
    (void)m.ssrcs();
    (void)m.fidPairs();
    (void)m.simGroups();
    (void)m.simulcastSendLayers();
    (void)m.ridsFor(RidDirection::Send);
    (void)d.fingerprintsFor(m);
    (void)d.hasTrickle(m);
    for (const auto& c : m.candidates) {
      (void)c.isMdns();
    }
  }
}

void checkSdp(std::string_view text) {
  auto parsed = parseSdp(text, SdpParseOptions{.requireMedia = false});
  if (!parsed.ok()) {
    return;
  }
  exerciseQueries(parsed->description);
  const std::string written = writeSdp(parsed->description);
  if (written.size() > kMaxSdpSize) {
    return;  // CRLF endings can push a near-limit input over it
  }
  auto again = parseSdp(written, SdpParseOptions{.requireMedia = false});
  if (!again.ok() || again->warningCount != 0 || !(again->description == parsed->description)) {
    __builtin_trap();
  }
  if (writeSdp(again->description) != written) {
    __builtin_trap();
  }
}

void checkCandidate(std::string_view text) {
  const auto candidate = IceCandidate::parse(text);
  if (!candidate) {
    return;
  }
  (void)candidate->addressKind();
  (void)candidate->isMdns();
  const std::string formatted = candidate->toString();
  const auto again = IceCandidate::parse(formatted);
  if (!again || !(*again == *candidate) || again->toString() != formatted) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  checkSdp(text);
  checkCandidate(text);
  return 0;
}
