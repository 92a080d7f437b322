#pragma once
// Thread-safe: push() from any thread (codec and capture threads); drain() on the network thread.
//
// Hands RTP packets from the media threads to the network thread, which alone may touch the
// peer connection (SRTP contexts and sockets are single-threaded). A fixed ring of MTU-sized
// slots, so the hot path copies but never allocates; a full ring drops the new packet and counts
// it (NACK and keyframe requests repair what matters). The first push after a drain asks the
// owner to schedule one drain, so a burst of packets costs one wake-up.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <vector>

namespace huddle::client {

class OutgoingQueue final {
 public:
  static constexpr std::size_t kSlotBytes = 1500;
  static constexpr std::size_t kTailroom = 16;  // SRTP auth tag

  struct Packet {
    std::uint32_t stream = 0;  // the publication's id
    std::uint16_t layer = 0;
    bool rtx = false;
    std::size_t size = 0;
    std::array<std::uint8_t, kSlotBytes + kTailroom> bytes{};
  };

  // `wake` is called (from the pushing thread) when a drain should be scheduled.
  OutgoingQueue(std::size_t slots, std::function<void()> wake);

  bool push(std::uint32_t stream, std::uint16_t layer, bool rtx, std::span<const std::uint8_t> bytes);
  // Calls `send` for every queued packet in order; packets pushed meanwhile wait for the next
  // drain (which their push already scheduled).
  template <typename Send>
  void drain(Send&& send) {
    std::size_t taken = 0;
    {
      std::lock_guard lock(mutex_);
      scheduled_ = false;
      taken = count_;
    }
    for (std::size_t i = 0; i < taken; ++i) {
      Packet& p = slots_[(head_ + i) % slots_.size()];
      send(p);
    }
    std::lock_guard lock(mutex_);
    head_ = (head_ + taken) % slots_.size();
    count_ -= taken;
  }

  [[nodiscard]] std::uint64_t dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t oversized() const noexcept { return oversized_.load(std::memory_order_relaxed); }

 private:
  std::function<void()> wake_;
  std::vector<Packet> slots_;
  std::mutex mutex_;
  std::size_t head_ = 0;   // first queued; only drain() moves it
  std::size_t count_ = 0;  // queued
  bool scheduled_ = false;
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> oversized_{0};
};

}  // namespace huddle::client
