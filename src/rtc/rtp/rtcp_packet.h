#pragma once
// RTCP common header and compound-packet iteration (RFC 3550 section 6). Pure, any thread.
// Everything here is a view over the caller's bytes: nothing is copied or allocated.

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>

namespace huddle::rtc {

enum class RtcpType : std::uint8_t {
  SenderReport = 200,
  ReceiverReport = 201,
  Sdes = 202,
  Bye = 203,
  App = 204,
  RtpFeedback = 205,      // RFC 4585 transport layer FB: NACK (fmt 1), TWCC (fmt 15)
  PayloadFeedback = 206,  // RFC 4585 payload-specific FB: PLI (1), FIR (4), AFB/REMB (15)
  ExtendedReport = 207,
};

// One RTCP packet located inside a datagram.
struct RtcpPacket {
  std::uint8_t count = 0;  // RC, SC or FMT depending on the type
  std::uint8_t type = 0;
  std::span<const std::uint8_t> bytes;  // the whole packet, header and padding included
  std::span<const std::uint8_t> body;   // after the 4-byte header, padding excluded
};

// Parses the packet at the front of `data`: version 2, length in words fits, padding fits.
[[nodiscard]] std::optional<RtcpPacket> parseRtcpPacket(std::span<const std::uint8_t> data) noexcept;

// Writes a common header for a packet of `totalSize` bytes (a multiple of 4).
void writeRtcpHeader(std::uint8_t* out, std::uint8_t count, RtcpType type, std::size_t totalSize,
                     bool padding = false) noexcept;

// Walks the packets of a compound datagram. next() returns nullopt at the end or at the first
// malformed header; malformed() tells the two apart so the caller can count a drop.
class RtcpCompoundReader {
 public:
  explicit RtcpCompoundReader(std::span<const std::uint8_t> data) noexcept : rest_(data) {}

  [[nodiscard]] std::optional<RtcpPacket> next() noexcept;
  [[nodiscard]] bool malformed() const noexcept { return malformed_; }

 private:
  std::span<const std::uint8_t> rest_;
  bool malformed_ = false;
};

// Range-for adaptor over RtcpCompoundReader; iteration ends at the end or at a malformed packet.
class RtcpCompound {
 public:
  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = RtcpPacket;
    using difference_type = std::ptrdiff_t;
    using pointer = const RtcpPacket*;
    using reference = const RtcpPacket&;

    Iterator() noexcept = default;
    explicit Iterator(std::span<const std::uint8_t> data) noexcept : reader_(data) { advance(); }

    reference operator*() const noexcept { return *current_; }
    pointer operator->() const noexcept { return &*current_; }
    Iterator& operator++() noexcept {
      advance();
      return *this;
    }
    bool operator==(const Iterator& other) const noexcept {
      return current_.has_value() == other.current_.has_value() && !current_.has_value();
    }

   private:
    void advance() noexcept { current_ = reader_.next(); }
    RtcpCompoundReader reader_{{}};
    std::optional<RtcpPacket> current_;
  };

  explicit RtcpCompound(std::span<const std::uint8_t> data) noexcept : data_(data) {}
  [[nodiscard]] Iterator begin() const noexcept { return Iterator(data_); }
  [[nodiscard]] Iterator end() const noexcept { return Iterator(); }

 private:
  std::span<const std::uint8_t> data_;
};

// True when `data` holds at least one packet and every header in it is well formed.
[[nodiscard]] bool isValidRtcpCompound(std::span<const std::uint8_t> data) noexcept;

}  // namespace huddle::rtc
