#pragma once
// Single-threaded: owned by a TrackReceiver (one per layer) or a test; no locks.
//
// The last kCapacity packets of one publisher stream, exactly as they arrived, so a subscriber's
// NACK can be answered without asking the publisher. Storage is one block allocated at
// construction; a packet is copied into the slot its sequence number maps to, overwriting
// whatever was there. No allocation per packet.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace huddle::sfu {

class PacketCache {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  // About 2 s of a 2.5 Mbit/s layer; a power of two so the slot is seq & mask.
  static constexpr std::size_t kCapacity = 512;
  static constexpr std::size_t kMaxPacketSize = 1500;
  // Older entries are not served: past this a 16-bit sequence number could name another packet.
  static constexpr std::chrono::milliseconds kMaxAge{3000};

  PacketCache();

  // False (and nothing stored) when the packet is larger than a slot.
  bool insert(std::uint16_t seq, std::span<const std::uint8_t> packet, TimePoint now) noexcept;
  // The stored bytes of `seq`; empty when it was never stored, was overwritten or is too old.
  [[nodiscard]] std::span<const std::uint8_t> find(std::uint16_t seq, TimePoint now) const noexcept;

 private:
  struct Slot {
    TimePoint at{};
    std::uint16_t seq = 0;
    std::uint16_t length = 0;  // 0: empty
  };
  std::array<Slot, kCapacity> slots_{};
  std::unique_ptr<std::uint8_t[]> data_;  // kCapacity * kMaxPacketSize
};

// Where a downtrack finds the publisher packet behind a sequence number it sent: the track's
// receiver, by layer and publisher sequence number.
class PacketSource {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~PacketSource() = default;
  [[nodiscard]] virtual std::span<const std::uint8_t> cachedPacket(int layer, std::uint16_t seq,
                                                                   TimePoint now) const noexcept = 0;
};

}  // namespace huddle::sfu
