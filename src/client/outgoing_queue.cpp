#include "client/outgoing_queue.h"

#include <algorithm>
#include <cstring>

namespace huddle::client {

OutgoingQueue::OutgoingQueue(std::size_t slots, std::function<void()> wake)
    : wake_(std::move(wake)), slots_(std::max<std::size_t>(slots, 1)) {}

bool OutgoingQueue::push(std::uint32_t stream, std::uint16_t layer, bool rtx, std::span<const std::uint8_t> bytes) {
  if (bytes.size() > kSlotBytes) {
    oversized_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  bool wake = false;
  {
    // The copy happens under the lock: producers are few and a packet is one short memcpy, and
    // drain() reads only slots it counted, never the one being written.
    std::lock_guard lock(mutex_);
    if (count_ == slots_.size()) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    Packet& p = slots_[(head_ + count_) % slots_.size()];
    p.stream = stream;
    p.layer = layer;
    p.rtx = rtx;
    p.size = bytes.size();
    std::memcpy(p.bytes.data(), bytes.data(), bytes.size());
    ++count_;
    if (!scheduled_) {
      scheduled_ = true;
      wake = true;
    }
  }
  if (wake && wake_) wake_();
  return true;
}

}  // namespace huddle::client
