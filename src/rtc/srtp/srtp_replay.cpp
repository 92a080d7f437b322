#include "rtc/srtp/srtp_replay.h"

#include <algorithm>

namespace huddle::rtc::srtp_detail {

std::optional<std::uint64_t> estimateSrtpIndex(std::optional<std::uint64_t> highest,
                                               std::uint16_t seq) {
  if (!highest) return seq;
  constexpr std::uint32_t kHalf = 0x8000;
  const std::uint64_t roc = *highest >> 16;
  const std::uint32_t last = static_cast<std::uint32_t>(*highest & 0xffff);
  std::uint64_t guess = roc;
  if (last < kHalf) {
    // seq far above the last one: a late packet from before the last wrap.
    if (seq > last + kHalf && roc > 0) guess = roc - 1;
  } else if (last - kHalf > seq) {
    // seq far below the last one: the sequence number wrapped.
    if (roc == 0xffffffffu) return std::nullopt;
    guess = roc + 1;
  }
  return (guess << 16) | seq;
}

ReplayWindow::ReplayWindow(std::size_t size)
    : words_((size + 63) / 64, 0), size_(static_cast<std::uint64_t>(words_.size()) * 64) {}

ReplayWindow::Check ReplayWindow::check(std::uint64_t index) const noexcept {
  if (!highest_ || index > *highest_) return Check::Fresh;
  if (*highest_ - index >= size_) return Check::TooOld;
  return test(index) ? Check::Duplicate : Check::Fresh;
}

void ReplayWindow::add(std::uint64_t index) noexcept {
  if (!highest_) {
    highest_ = index;
    if (size_ > 0) set(index);
    return;
  }
  if (index > *highest_) {
    const std::uint64_t advance = index - *highest_;
    if (advance >= size_) {
      std::fill(words_.begin(), words_.end(), std::uint64_t{0});
    } else {
      // Slots for the indices skipped over held entries a whole window older.
      for (std::uint64_t i = *highest_ + 1; i < index; ++i) clear(i);
    }
    highest_ = index;
  } else if (*highest_ - index >= size_) {
    return;
  }
  if (size_ > 0) set(index);
}

bool ReplayWindow::test(std::uint64_t index) const noexcept {
  const std::uint64_t slot = index % size_;
  return ((words_[slot / 64] >> (slot % 64)) & 1u) != 0;
}

void ReplayWindow::set(std::uint64_t index) noexcept {
  const std::uint64_t slot = index % size_;
  words_[slot / 64] |= std::uint64_t{1} << (slot % 64);
}

void ReplayWindow::clear(std::uint64_t index) noexcept {
  const std::uint64_t slot = index % size_;
  words_[slot / 64] &= ~(std::uint64_t{1} << (slot % 64));
}

}  // namespace huddle::rtc::srtp_detail
