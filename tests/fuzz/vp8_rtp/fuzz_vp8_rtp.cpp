// libFuzzer target for the client's VP8 receive path: RTP payloads as a remote sender (or an
// attacker) may send them, in any order and with gaps (vp8_rtp_records.h), through the
// depacketizer and every frame it completes through the decoder. Nothing may crash, leak or
// hang; a completed frame must lie within the packets' bytes, and the depacketizer must never
// hand out a delta frame while it says it waits for a keyframe.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>

#include "media/vp8_decoder.h"
#include "media/vp8_rtp.h"
#include "vp8_rtp_records.h"

using huddle::media::Vp8Decoder;
using huddle::media::Vp8Depacketizer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static std::unique_ptr<Vp8Decoder> decoder = [] {
    // Small pictures only: libvpx reallocating for every random size would make each run
    // cost milliseconds of page faults, while the parsing paths are the same at any size.
    auto d = Vp8Decoder::create(1, 320);
    if (!d.ok()) std::abort();
    return std::move(d).value();
  }();
  Vp8Depacketizer depacketizer;
  const std::span<const std::uint8_t> input(data, size);
  std::size_t pos = 0;
  std::uint16_t seq = 0xFFF0;  // wraps early
  std::uint32_t timestamp = 1000;
  std::size_t payloadBytes = 0;
  huddle::fuzz::Vp8RtpRecord record;
  while (huddle::fuzz::nextVp8RtpRecord(input, pos, record)) {
    seq = static_cast<std::uint16_t>(seq + record.seqAdvance);
    if (record.newTimestamp) timestamp += 3000;
    payloadBytes += record.payload.size();
    const bool waitingBefore = depacketizer.waitingForKeyframe();
    const auto result = depacketizer.push({seq, timestamp, record.marker, record.payload});
    if (!result.frameReady) continue;
    const auto& frame = depacketizer.frame();
    if (frame.data.size() > payloadBytes) std::abort();
    if (waitingBefore && !frame.keyframe) std::abort();
    // The decoder may refuse the bytes; it must not crash on them.
    (void)decoder->decode(frame.data, frame.timestamp);
  }
  return 0;
}
