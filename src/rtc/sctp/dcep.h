#pragma once
// Pure functions, no shared state: safe from any thread. DCEP (RFC 8832) message codec.
//
// DATA_CHANNEL_OPEN (type 0x03), 12-byte header then label and protocol:
//   type(1) channel_type(1) priority(2) reliability_parameter(4) label_len(2) protocol_len(2)
// DATA_CHANNEL_ACK (type 0x02) is the type byte alone.
// Parsers never throw: malformed input yields std::nullopt and the caller counts the drop.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace huddle::rtc {

enum class DcepMessageType : std::uint8_t { Ack = 0x02, Open = 0x03 };

// Low bits of the DCEP channel type; 0x80 on top means unordered.
enum class DataChannelKind : std::uint8_t { Reliable = 0x00, PartialReliableRexmit = 0x01, PartialReliableTimed = 0x02 };

struct DataChannelReliability {
  DataChannelKind kind = DataChannelKind::Reliable;
  bool ordered = true;
  // Retransmissions for PartialReliableRexmit, lifetime in ms for PartialReliableTimed, 0 otherwise.
  std::uint32_t parameter = 0;

  bool operator==(const DataChannelReliability&) const = default;
};

struct DcepOpen {
  DataChannelReliability reliability;
  std::uint16_t priority = 0;
  std::string label;
  std::string protocol;

  bool operator==(const DcepOpen&) const = default;
};

inline constexpr std::size_t kDcepOpenHeaderSize = 12;
inline constexpr std::uint8_t kDcepUnorderedBit = 0x80;

// Type of a DCEP message from its first byte; nullopt when empty or unknown.
[[nodiscard]] std::optional<DcepMessageType> dcepMessageType(std::span<const std::uint8_t> data);

// Strict: the lengths must account for every byte, the channel type must be a known one.
[[nodiscard]] std::optional<DcepOpen> parseDcepOpen(std::span<const std::uint8_t> data);

// True only for the exact one-byte ACK.
[[nodiscard]] bool parseDcepAck(std::span<const std::uint8_t> data);

// Empty when the label or protocol cannot be encoded (longer than 65535 bytes).
[[nodiscard]] std::vector<std::uint8_t> buildDcepOpen(const DcepOpen& open);
[[nodiscard]] std::vector<std::uint8_t> buildDcepAck();

}  // namespace huddle::rtc
