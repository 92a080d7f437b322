#include "rtc/transport/tcp_framer.h"

namespace huddle::rtc {

Rfc4571Framer::Rfc4571Framer(std::size_t maxFrameSize)
    : maxFrameSize_(std::min<std::size_t>(maxFrameSize, 0xFFFF)) {
  pending_.reserve(kHeaderSize + maxFrameSize_);
}

bool Rfc4571Framer::writeHeader(std::size_t size, std::span<std::uint8_t, 2> out) noexcept {
  if (size > 0xFFFF) return false;
  out[0] = static_cast<std::uint8_t>(size >> 8);
  out[1] = static_cast<std::uint8_t>(size & 0xFF);
  return true;
}

}  // namespace huddle::rtc
