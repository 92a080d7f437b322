#pragma once
// Pure, any thread: a read-only view of DTLS record headers (RFC 6347 section 4.1), used to
// route datagrams and to drop junk before it reaches OpenSSL. Never throws on input.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace huddle::rtc {

enum class DtlsContentType : std::uint8_t {
  ChangeCipherSpec = 20,
  Alert = 21,
  Handshake = 22,
  ApplicationData = 23,
  Heartbeat = 24,
};

// RFC 7983 demultiplexing: a datagram whose first byte is in 20..63 belongs to DTLS.
[[nodiscard]] constexpr bool isDtlsRecord(std::span<const std::uint8_t> datagram) {
  return !datagram.empty() && datagram[0] >= 20 && datagram[0] <= 63;
}

class DtlsRecordView {
 public:
  static constexpr std::size_t kHeaderSize = 13;

  // Parses the record at the start of `bytes`. Rejects unknown content types, versions whose
  // major byte is not 0xFE (DTLS 1.0 is 0xFEFF, 1.2 is 0xFEFD), and lengths past the end.
  [[nodiscard]] static std::optional<DtlsRecordView> parse(std::span<const std::uint8_t> bytes);

  // Number of records if the whole datagram is a sequence of well-formed records, else nullopt.
  [[nodiscard]] static std::optional<std::size_t> countRecords(
      std::span<const std::uint8_t> datagram);

  [[nodiscard]] DtlsContentType contentType() const { return contentType_; }
  [[nodiscard]] std::uint16_t version() const { return version_; }
  [[nodiscard]] std::uint16_t epoch() const { return epoch_; }
  [[nodiscard]] std::uint64_t sequenceNumber() const { return sequenceNumber_; }  // 48 bits
  [[nodiscard]] std::uint16_t length() const {
    return static_cast<std::uint16_t>(fragment_.size());
  }
  [[nodiscard]] std::span<const std::uint8_t> fragment() const { return fragment_; }
  // Header plus fragment: where the next record of the datagram starts.
  [[nodiscard]] std::size_t size() const { return kHeaderSize + fragment_.size(); }

 private:
  DtlsRecordView() = default;

  DtlsContentType contentType_{};
  std::uint16_t version_ = 0;
  std::uint16_t epoch_ = 0;
  std::uint64_t sequenceNumber_ = 0;
  std::span<const std::uint8_t> fragment_;
};

}  // namespace huddle::rtc
