#pragma once
// Pure, single-threaded; no allocation (called once per media packet).
//
// Loss as the path did it: packets that did not arrive in order on their first transmission.
// RtpReceiveStats counts a packet recovered later by a retransmission as received, which is
// right for receiver reports but hides a lossy path from connection quality (the recovery costs
// latency and bandwidth and fails under heavier loss). Only the media SSRC's packets belong
// here: RTX has its own SSRC and sequence space. A late packet (reordered or retransmitted) is
// not counted again, so reordering on the path counts as loss, as it does for a jitter buffer
// that had to wait for it.

#include <cstdint>

namespace huddle::sfu::quality {

struct LossWindow {
  std::int64_t expected = 0;
  std::int64_t lost = 0;
  std::int64_t received = 0;  // in order, first time
};

class StreamLossCounter {
 public:
  // A jump larger than this is a restart of the sender's numbering, not loss.
  static constexpr std::uint16_t kMaxJump = 3000;

  void onPacket(std::uint16_t seq) noexcept;
  // What happened since the previous call.
  [[nodiscard]] LossWindow closeWindow() noexcept;
  [[nodiscard]] const LossWindow& current() const noexcept { return window_; }

 private:
  bool started_ = false;
  std::uint16_t highest_ = 0;
  LossWindow window_;
};

}  // namespace huddle::sfu::quality
