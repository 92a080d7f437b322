#pragma once
// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01,
// RTPFB FMT 15). Pure, any thread. parse() validates the whole chunk and delta layout without
// allocating; decoding writes into caller-owned storage.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "rtc/rtp/rtcp_packet.h"

namespace huddle::rtc {

inline constexpr std::int64_t kTwccDeltaTickUs = 250;
inline constexpr std::int64_t kTwccReferenceTimeTickUs = 64000;

struct TwccPacketStatus {
  std::uint16_t seq = 0;
  bool received = false;
  std::int32_t deltaTicks = 0;  // receive delta in 250 us ticks; 0 when not received
  bool operator==(const TwccPacketStatus&) const = default;
};

class RtcpTransportCc {
 public:
  [[nodiscard]] static std::optional<RtcpTransportCc> parse(const RtcpPacket& packet) noexcept;

  [[nodiscard]] std::uint32_t senderSsrc() const noexcept { return senderSsrc_; }
  [[nodiscard]] std::uint32_t mediaSsrc() const noexcept { return mediaSsrc_; }
  [[nodiscard]] std::uint16_t baseSeq() const noexcept { return baseSeq_; }
  [[nodiscard]] std::uint16_t packetStatusCount() const noexcept { return statusCount_; }
  [[nodiscard]] std::int32_t referenceTime() const noexcept { return referenceTime_; }  // 64 ms ticks
  [[nodiscard]] std::uint8_t feedbackPacketCount() const noexcept { return fbCount_; }

  // Writes min(out.size(), packetStatusCount()) entries; returns how many.
  std::size_t decode(std::span<TwccPacketStatus> out) const noexcept;
  // Replaces the contents of `out`; reusing one vector keeps the steady state allocation-free.
  void decode(std::vector<TwccPacketStatus>& out) const;

  // Builds from consecutive sequence numbers (packets[i].seq == packets[0].seq + i). Deltas of
  // 0..255 ticks use one byte, others two (signed); beyond int16 the build fails. Returns bytes
  // written, or 0 on invalid input or a short buffer.
  [[nodiscard]] static std::size_t build(std::uint32_t senderSsrc, std::uint32_t mediaSsrc,
                                         std::int32_t referenceTime, std::uint8_t feedbackPacketCount,
                                         std::span<const TwccPacketStatus> packets,
                                         std::span<std::uint8_t> out) noexcept;

 private:
  std::size_t walk(TwccPacketStatus* out, std::size_t outSize) const noexcept;

  std::uint32_t senderSsrc_ = 0;
  std::uint32_t mediaSsrc_ = 0;
  std::uint16_t baseSeq_ = 0;
  std::uint16_t statusCount_ = 0;
  std::int32_t referenceTime_ = 0;
  std::uint8_t fbCount_ = 0;
  std::span<const std::uint8_t> chunks_;  // chunks followed by deltas (and maybe zero padding)
  std::size_t chunkBytes_ = 0;
};

}  // namespace huddle::rtc
