#pragma once
// Pure, single-threaded per object: SRTP packet-index estimation and the replay window
// (RFC 3711 section 3.3 and appendix A). Internal to rtc/srtp; tests drive it directly.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace huddle::rtc::srtp_detail {

// The 48-bit SRTP index (ROC << 16 | SEQ) a packet with `seq` most likely has, given the highest
// index accepted so far (nullopt before the first packet: ROC 0). A guess below ROC 0 stays at
// ROC 0, as libsrtp does, so an early packet with a high sequence number is not misread.
// std::nullopt when the ROC would pass 2^32 - 1: the key must not be used any further.
[[nodiscard]] std::optional<std::uint64_t> estimateSrtpIndex(std::optional<std::uint64_t> highest,
                                                             std::uint16_t seq);

// Sliding window over packet indices: the highest index seen and which of the `size` indices
// at or below it were seen. The bitmap is a ring indexed by index mod size, so moving the
// window clears only the slots it passes over.
class ReplayWindow final {
 public:
  enum class Check { Fresh, Duplicate, TooOld };

  // `size` is rounded up to a multiple of 64; 0 makes a window that only tracks `highest`.
  explicit ReplayWindow(std::size_t size);

  [[nodiscard]] Check check(std::uint64_t index) const noexcept;
  // Records `index` as seen; call only after the packet authenticated.
  void add(std::uint64_t index) noexcept;
  [[nodiscard]] std::optional<std::uint64_t> highest() const noexcept { return highest_; }

 private:
  [[nodiscard]] bool test(std::uint64_t index) const noexcept;
  void set(std::uint64_t index) noexcept;
  void clear(std::uint64_t index) noexcept;

  std::vector<std::uint64_t> words_;
  std::uint64_t size_ = 0;
  std::optional<std::uint64_t> highest_;
};

}  // namespace huddle::rtc::srtp_detail
