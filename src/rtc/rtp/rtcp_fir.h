#pragma once
// Full intra request (RFC 5104 4.3.1). Pure, any thread; the parsed message views its FCI.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtc/rtp/rtcp_packet.h"

namespace huddle::rtc {

struct FirEntry {
  std::uint32_t ssrc = 0;
  std::uint8_t seqNr = 0;  // incremented by the requester for each new request
  bool operator==(const FirEntry&) const = default;
};

class RtcpFir {
 public:
  [[nodiscard]] static std::optional<RtcpFir> parse(const RtcpPacket& packet) noexcept;

  [[nodiscard]] std::uint32_t senderSsrc() const noexcept { return senderSsrc_; }
  [[nodiscard]] std::size_t entryCount() const noexcept { return fci_.size() / 8; }
  [[nodiscard]] FirEntry entry(std::size_t index) const noexcept;

  // The media SSRC field is always zero for FIR; targets are in the entries.
  [[nodiscard]] static std::size_t build(std::uint32_t senderSsrc, std::span<const FirEntry> entries,
                                         std::span<std::uint8_t> out) noexcept;

 private:
  std::uint32_t senderSsrc_ = 0;
  std::span<const std::uint8_t> fci_;
};

}  // namespace huddle::rtc
