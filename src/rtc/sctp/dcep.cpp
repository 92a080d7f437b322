#include "rtc/sctp/dcep.h"

#include <limits>

namespace huddle::rtc {
namespace {

std::uint16_t readU16(std::span<const std::uint8_t> d, std::size_t at) {
  return static_cast<std::uint16_t>((d[at] << 8) | d[at + 1]);
}

std::uint32_t readU32(std::span<const std::uint8_t> d, std::size_t at) {
  return (std::uint32_t{d[at]} << 24) | (std::uint32_t{d[at + 1]} << 16) | (std::uint32_t{d[at + 2]} << 8) |
         std::uint32_t{d[at + 3]};
}

void putU16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

void putU32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  putU16(out, static_cast<std::uint16_t>(v >> 16));
  putU16(out, static_cast<std::uint16_t>(v));
}

}  // namespace

std::optional<DcepMessageType> dcepMessageType(std::span<const std::uint8_t> data) {
  if (data.empty()) return std::nullopt;
  switch (data[0]) {
    case static_cast<std::uint8_t>(DcepMessageType::Ack):
      return DcepMessageType::Ack;
    case static_cast<std::uint8_t>(DcepMessageType::Open):
      return DcepMessageType::Open;
    default:
      return std::nullopt;
  }
}

std::optional<DcepOpen> parseDcepOpen(std::span<const std::uint8_t> data) {
  if (data.size() < kDcepOpenHeaderSize || data[0] != static_cast<std::uint8_t>(DcepMessageType::Open)) {
    return std::nullopt;
  }
  const std::uint8_t channelType = data[1];
  const std::uint8_t kindBits = channelType & static_cast<std::uint8_t>(~kDcepUnorderedBit);
  if (kindBits > static_cast<std::uint8_t>(DataChannelKind::PartialReliableTimed)) return std::nullopt;

  const std::size_t labelLen = readU16(data, 8);
  const std::size_t protocolLen = readU16(data, 10);
  if (data.size() != kDcepOpenHeaderSize + labelLen + protocolLen) return std::nullopt;

  DcepOpen open;
  open.reliability.kind = static_cast<DataChannelKind>(kindBits);
  open.reliability.ordered = (channelType & kDcepUnorderedBit) == 0;
  open.priority = readU16(data, 2);
  open.reliability.parameter = readU32(data, 4);
  const auto* text = reinterpret_cast<const char*>(data.data() + kDcepOpenHeaderSize);
  open.label.assign(text, labelLen);
  open.protocol.assign(text + labelLen, protocolLen);
  return open;
}

bool parseDcepAck(std::span<const std::uint8_t> data) {
  return data.size() == 1 && data[0] == static_cast<std::uint8_t>(DcepMessageType::Ack);
}

std::vector<std::uint8_t> buildDcepOpen(const DcepOpen& open) {
  constexpr std::size_t kMaxField = std::numeric_limits<std::uint16_t>::max();
  if (open.label.size() > kMaxField || open.protocol.size() > kMaxField) return {};
  std::vector<std::uint8_t> out;
  out.reserve(kDcepOpenHeaderSize + open.label.size() + open.protocol.size());
  out.push_back(static_cast<std::uint8_t>(DcepMessageType::Open));
  auto channelType = static_cast<std::uint8_t>(open.reliability.kind);
  if (!open.reliability.ordered) channelType |= kDcepUnorderedBit;
  out.push_back(channelType);
  putU16(out, open.priority);
  putU32(out, open.reliability.parameter);
  putU16(out, static_cast<std::uint16_t>(open.label.size()));
  putU16(out, static_cast<std::uint16_t>(open.protocol.size()));
  out.insert(out.end(), open.label.begin(), open.label.end());
  out.insert(out.end(), open.protocol.begin(), open.protocol.end());
  return out;
}

std::vector<std::uint8_t> buildDcepAck() { return {static_cast<std::uint8_t>(DcepMessageType::Ack)}; }

}  // namespace huddle::rtc
