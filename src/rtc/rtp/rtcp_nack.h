#pragma once
// Generic NACK (RFC 4585 6.2.1): PID + BLP pairs. Pure, any thread.
// The parsed message is a view over the FCI words; expanding into sequence numbers writes into
// a caller-owned container so the per-packet path can reuse its capacity.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "rtc/rtp/rtcp_packet.h"

namespace huddle::rtc {

struct NackItem {
  std::uint16_t pid = 0;  // first lost sequence number
  std::uint16_t blp = 0;  // bit i set: pid + i + 1 lost too
  bool operator==(const NackItem&) const = default;
};

class RtcpNack {
 public:
  [[nodiscard]] static std::optional<RtcpNack> parse(const RtcpPacket& packet) noexcept;

  [[nodiscard]] std::uint32_t senderSsrc() const noexcept { return senderSsrc_; }
  [[nodiscard]] std::uint32_t mediaSsrc() const noexcept { return mediaSsrc_; }
  [[nodiscard]] std::size_t itemCount() const noexcept { return fci_.size() / 4; }
  [[nodiscard]] NackItem item(std::size_t index) const noexcept;

  // Appends every sequence number the message reports lost, in FCI order.
  void expand(std::vector<std::uint16_t>& out) const;
  // Same into a fixed span; returns how many were written (stops when full).
  std::size_t expand(std::span<std::uint16_t> out) const noexcept;

  // Builds from items. Returns bytes written, 0 when `out` is too small or items is empty.
  [[nodiscard]] static std::size_t build(std::uint32_t senderSsrc, std::uint32_t mediaSsrc,
                                         std::span<const NackItem> items, std::span<std::uint8_t> out) noexcept;
  // Packs a list sorted in RTP order (wrap-around allowed: 65535 then 0) into PID+BLP pairs.
  [[nodiscard]] static std::size_t buildFromSeqs(std::uint32_t senderSsrc, std::uint32_t mediaSsrc,
                                                 std::span<const std::uint16_t> sortedSeqs,
                                                 std::span<std::uint8_t> out) noexcept;
  // How many PID+BLP pairs buildFromSeqs will emit.
  [[nodiscard]] static std::size_t itemCountForSeqs(std::span<const std::uint16_t> sortedSeqs) noexcept;

 private:
  std::uint32_t senderSsrc_ = 0;
  std::uint32_t mediaSsrc_ = 0;
  std::span<const std::uint8_t> fci_;
};

}  // namespace huddle::rtc
