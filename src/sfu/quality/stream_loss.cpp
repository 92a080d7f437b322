#include "sfu/quality/stream_loss.h"

namespace huddle::sfu::quality {

void StreamLossCounter::onPacket(std::uint16_t seq) noexcept {
  if (!started_) {
    started_ = true;
    highest_ = seq;
    ++window_.expected;
    ++window_.received;
    return;
  }
  const auto ahead = static_cast<std::uint16_t>(seq - highest_);
  if (ahead == 0 || ahead >= 0x8000) return;  // duplicate, late or retransmitted
  highest_ = seq;
  if (ahead > kMaxJump) {  // the sender restarted its numbering
    ++window_.expected;
    ++window_.received;
    return;
  }
  window_.expected += ahead;
  window_.lost += ahead - 1;
  ++window_.received;
}

LossWindow StreamLossCounter::closeWindow() noexcept {
  const LossWindow out = window_;
  window_ = LossWindow{};
  return out;
}

}  // namespace huddle::sfu::quality
