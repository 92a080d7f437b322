#include "sfu/media/packet_cache.h"

#include <cstring>

namespace huddle::sfu {

PacketCache::PacketCache() : data_(std::make_unique<std::uint8_t[]>(kCapacity * kMaxPacketSize)) {}

bool PacketCache::insert(std::uint16_t seq, std::span<const std::uint8_t> packet,
                         TimePoint now) noexcept {
  if (packet.empty() || packet.size() > kMaxPacketSize) {
    return false;
  }
  const std::size_t index = seq & (kCapacity - 1);
  Slot& slot = slots_[index];
  std::memcpy(data_.get() + index * kMaxPacketSize, packet.data(), packet.size());
  slot.at = now;
  slot.seq = seq;
  slot.length = static_cast<std::uint16_t>(packet.size());
  return true;
}

std::span<const std::uint8_t> PacketCache::find(std::uint16_t seq, TimePoint now) const noexcept {
  const std::size_t index = seq & (kCapacity - 1);
  const Slot& slot = slots_[index];
  if (slot.length == 0 || slot.seq != seq || now - slot.at > kMaxAge) {
    return {};
  }
  return {data_.get() + index * kMaxPacketSize, slot.length};
}

}  // namespace huddle::sfu
