#include "sfu/media/nack_generator.h"

#include <algorithm>

namespace huddle::sfu {

void NackGenerator::add(std::uint16_t seq, TimePoint now) noexcept {
  if (count_ == entries_.size()) {
    return;
  }
  entries_[count_++] = Entry{now, TimePoint{}, seq, 0};
  ++stats_.missing;
}

void NackGenerator::removeAt(std::size_t index) noexcept {
  entries_[index] = entries_[count_ - 1];
  --count_;
}

bool NackGenerator::onPacket(std::uint16_t seq, TimePoint now) noexcept {
  if (!started_) {
    started_ = true;
    highest_ = seq;
    return false;
  }
  const auto ahead = static_cast<std::uint16_t>(seq - highest_);
  if (ahead != 0 && ahead < 0x8000) {
    const std::uint16_t gap = static_cast<std::uint16_t>(ahead - 1);
    if (gap > kMaxMissing) {
      // A long outage or a restart: what is missing now is too old to be worth asking for.
      ++stats_.gapsTooLarge;
      count_ = 0;
    } else {
      for (std::uint16_t i = 1; i <= gap; ++i) {
        add(static_cast<std::uint16_t>(highest_ + i), now);
      }
    }
    highest_ = seq;
    return false;
  }
  for (std::size_t i = 0; i < count_; ++i) {
    if (entries_[i].seq == seq) {
      removeAt(i);
      ++stats_.recovered;
      return true;
    }
  }
  return false;  // a duplicate, or too late to have been waited for
}

std::size_t NackGenerator::collect(TimePoint now, std::span<std::uint16_t> out) noexcept {
  const auto retry = std::max(config_.retryInterval, rtt_);
  std::size_t n = 0;
  for (std::size_t i = 0; i < count_;) {
    Entry& e = entries_[i];
    if (e.attempts >= config_.maxAttempts || now - e.detected >= config_.giveUpAfter) {
      ++stats_.givenUp;
      removeAt(i);
      continue;
    }
    const bool due = e.attempts == 0 ? now - e.detected >= config_.reorderWait
                                     : now - e.lastAsked >= retry;
    if (due && n < out.size()) {
      out[n++] = e.seq;
      e.lastAsked = now;
      ++e.attempts;
    }
    ++i;
  }
  // RTP order relative to the newest packet: the oldest (furthest behind) first.
  const std::uint16_t highest = highest_;
  std::sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n),
            [highest](std::uint16_t a, std::uint16_t b) {
              return static_cast<std::uint16_t>(highest - a) > static_cast<std::uint16_t>(highest - b);
            });
  stats_.requested += n;
  return n;
}

}  // namespace huddle::sfu
