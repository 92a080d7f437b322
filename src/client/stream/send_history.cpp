#include "client/stream/send_history.h"

#include <bit>
#include <cstring>

namespace huddle::client {

SendHistory::SendHistory(std::size_t capacity, std::size_t maxPayloadSize)
    : slots_(std::bit_ceil(capacity < 2 ? std::size_t{2} : capacity)),
      mask_(slots_.size() - 1),
      maxPayloadSize_(maxPayloadSize),
      bytes_(std::make_unique_for_overwrite<std::uint8_t[]>(slots_.size() * maxPayloadSize)) {}

void SendHistory::store(const SentPacket& header, std::span<const std::uint8_t> payload) noexcept {
  Slot& slot = slots_[header.sequenceNumber & mask_];
  if (payload.size() > maxPayloadSize_) {
    slot.used = false;
    return;
  }
  std::uint8_t* dst = bytes_.get() + (header.sequenceNumber & mask_) * maxPayloadSize_;
  if (!payload.empty()) {
    std::memcpy(dst, payload.data(), payload.size());
  }
  slot.used = true;
  slot.packet = header;
  slot.packet.payload = std::span<const std::uint8_t>(dst, payload.size());
}

SentPacket* SendHistory::find(std::uint16_t seq, std::int64_t nowUs, std::int64_t maxAgeUs) noexcept {
  Slot& slot = slots_[seq & mask_];
  if (!slot.used || slot.packet.sequenceNumber != seq || nowUs - slot.packet.sentUs > maxAgeUs) {
    return nullptr;
  }
  return &slot.packet;
}

}  // namespace huddle::client
