#include "rtc/rtp/rtcp_transport_cc.h"

#include <cstring>

#include "rtc/rtp/byte_io.h"
#include "rtc/rtp/rtcp_feedback.h"

namespace huddle::rtc {

namespace {

// Symbols of the packet status chunks.
constexpr std::uint8_t kNotReceived = 0;
constexpr std::uint8_t kSmallDelta = 1;
constexpr std::uint8_t kLargeDelta = 2;
constexpr std::uint8_t kReserved = 3;

constexpr std::size_t kMaxRunLength = 0x1FFF;
constexpr std::size_t kOneBitCapacity = 14;
constexpr std::size_t kTwoBitCapacity = 7;

// Calls onSymbol(symbol) for each status in `chunk`, at most `limit` times; returns how many.
template <typename OnSymbol>
std::size_t forEachSymbol(std::uint16_t chunk, std::size_t limit, OnSymbol&& onSymbol) noexcept {
  std::size_t n = 0;
  if ((chunk & 0x8000) == 0) {
    const auto symbol = static_cast<std::uint8_t>((chunk >> 13) & 0x3);
    const std::size_t run = chunk & 0x1FFF;
    for (; n < run && n < limit; ++n) {
      onSymbol(symbol);
    }
  } else if ((chunk & 0x4000) == 0) {
    for (; n < kOneBitCapacity && n < limit; ++n) {
      onSymbol(static_cast<std::uint8_t>((chunk >> (13 - n)) & 0x1));
    }
  } else {
    for (; n < kTwoBitCapacity && n < limit; ++n) {
      onSymbol(static_cast<std::uint8_t>((chunk >> (12 - 2 * n)) & 0x3));
    }
  }
  return n;
}

std::uint8_t symbolFor(const TwccPacketStatus& p) noexcept {
  if (!p.received) {
    return kNotReceived;
  }
  return (p.deltaTicks >= 0 && p.deltaTicks <= 255) ? kSmallDelta : kLargeDelta;
}

// Chooses chunk kinds: long runs as run-length, otherwise the densest status vector that can
// hold the next symbols. Calls emit(chunk) for each 16-bit chunk.
template <typename Emit>
void encodeChunks(std::span<const TwccPacketStatus> packets, Emit&& emit) noexcept {
  const std::size_t n = packets.size();
  std::size_t i = 0;
  while (i < n) {
    const std::uint8_t first = symbolFor(packets[i]);
    std::size_t run = 1;
    while (i + run < n && run < kMaxRunLength && symbolFor(packets[i + run]) == first) {
      ++run;
    }
    const std::size_t remaining = n - i;
    bool fitsOneBit = true;
    for (std::size_t k = 0; k < kOneBitCapacity && k < remaining; ++k) {
      if (symbolFor(packets[i + k]) == kLargeDelta) {
        fitsOneBit = false;
        break;
      }
    }
    if (run >= kOneBitCapacity || run == remaining || (!fitsOneBit && run >= kTwoBitCapacity)) {
      emit(static_cast<std::uint16_t>((first << 13) | run));
      i += run;
    } else if (fitsOneBit) {
      std::uint16_t chunk = 0x8000;
      for (std::size_t k = 0; k < kOneBitCapacity && i + k < n; ++k) {
        chunk = static_cast<std::uint16_t>(chunk | (symbolFor(packets[i + k]) << (13 - k)));
      }
      emit(chunk);
      i += kOneBitCapacity < remaining ? kOneBitCapacity : remaining;
    } else {
      std::uint16_t chunk = 0xC000;
      for (std::size_t k = 0; k < kTwoBitCapacity && i + k < n; ++k) {
        chunk = static_cast<std::uint16_t>(chunk | (symbolFor(packets[i + k]) << (12 - 2 * k)));
      }
      emit(chunk);
      i += kTwoBitCapacity < remaining ? kTwoBitCapacity : remaining;
    }
  }
}

}  // namespace

std::optional<RtcpTransportCc> RtcpTransportCc::parse(const RtcpPacket& packet) noexcept {
  const auto ssrcs = readFeedbackSsrcs(packet, RtcpType::RtpFeedback, kFmtTransportCc);
  if (!ssrcs) {
    return std::nullopt;
  }
  const auto fci = packet.body.subspan(8);
  if (fci.size() < 8) {
    return std::nullopt;
  }
  RtcpTransportCc fb;
  fb.senderSsrc_ = ssrcs->sender;
  fb.mediaSsrc_ = ssrcs->media;
  fb.baseSeq_ = byte_io::read16(fci.data());
  fb.statusCount_ = byte_io::read16(fci.data() + 2);
  fb.referenceTime_ = byte_io::readSigned24(fci.data() + 4);
  fb.fbCount_ = fci[7];
  if (fb.statusCount_ == 0) {
    return std::nullopt;
  }
  fb.chunks_ = fci.subspan(8);
  // Find where the chunks end; the deltas start there.
  std::size_t covered = 0;
  std::size_t pos = 0;
  while (covered < fb.statusCount_) {
    if (pos + 2 > fb.chunks_.size()) {
      return std::nullopt;
    }
    bool reserved = false;
    covered += forEachSymbol(byte_io::read16(&fb.chunks_[pos]), fb.statusCount_ - covered,
                             [&](std::uint8_t s) { reserved |= (s == kReserved); });
    if (reserved) {
      return std::nullopt;
    }
    pos += 2;
  }
  fb.chunkBytes_ = pos;
  if (fb.walk(nullptr, 0) != fb.statusCount_) {
    return std::nullopt;
  }
  return fb;
}

std::size_t RtcpTransportCc::walk(TwccPacketStatus* out, std::size_t outSize) const noexcept {
  std::size_t index = 0;
  std::size_t deltaPos = chunkBytes_;
  bool ok = true;
  for (std::size_t pos = 0; pos < chunkBytes_ && ok; pos += 2) {
    forEachSymbol(byte_io::read16(&chunks_[pos]), statusCount_ - index, [&](std::uint8_t s) {
      if (!ok) {
        return;
      }
      TwccPacketStatus status;
      status.seq = static_cast<std::uint16_t>(baseSeq_ + index);
      if (s == kSmallDelta) {
        if (deltaPos + 1 > chunks_.size()) {
          ok = false;
          return;
        }
        status.received = true;
        status.deltaTicks = chunks_[deltaPos];
        deltaPos += 1;
      } else if (s == kLargeDelta) {
        if (deltaPos + 2 > chunks_.size()) {
          ok = false;
          return;
        }
        status.received = true;
        status.deltaTicks = static_cast<std::int16_t>(byte_io::read16(&chunks_[deltaPos]));
        deltaPos += 2;
      }
      if (out != nullptr && index < outSize) {
        out[index] = status;
      }
      ++index;
    });
  }
  return ok ? index : 0;
}

std::size_t RtcpTransportCc::decode(std::span<TwccPacketStatus> out) const noexcept {
  walk(out.data(), out.size());
  return out.size() < statusCount_ ? out.size() : statusCount_;
}

void RtcpTransportCc::decode(std::vector<TwccPacketStatus>& out) const {
  out.resize(statusCount_);
  walk(out.data(), out.size());
}

std::size_t RtcpTransportCc::build(std::uint32_t senderSsrc, std::uint32_t mediaSsrc, std::int32_t referenceTime,
                                   std::uint8_t feedbackPacketCount, std::span<const TwccPacketStatus> packets,
                                   std::span<std::uint8_t> out) noexcept {
  if (packets.empty() || packets.size() > 0xFFFF || referenceTime < -(1 << 23) || referenceTime >= (1 << 23)) {
    return 0;
  }
  const std::uint16_t base = packets[0].seq;
  std::size_t deltaBytes = 0;
  for (std::size_t i = 0; i < packets.size(); ++i) {
    const auto& p = packets[i];
    if (p.seq != static_cast<std::uint16_t>(base + i)) {
      return 0;
    }
    if (p.received) {
      if (p.deltaTicks < -32768 || p.deltaTicks > 32767) {
        return 0;
      }
      deltaBytes += symbolFor(p) == kSmallDelta ? 1 : 2;
    }
  }
  std::size_t chunkCount = 0;
  encodeChunks(packets, [&](std::uint16_t) { ++chunkCount; });
  const std::size_t unpadded = kFeedbackHeaderSize + 8 + 2 * chunkCount + deltaBytes;
  const std::size_t total = byte_io::padTo4(unpadded);
  if (out.size() < total || total / 4 - 1 > 0xFFFF) {
    return 0;
  }
  const std::size_t padding = total - unpadded;
  std::uint8_t* p = out.data();
  writeFeedbackHeader(p, RtcpType::RtpFeedback, kFmtTransportCc, total, senderSsrc, mediaSsrc, padding > 0);
  std::uint8_t* w = p + kFeedbackHeaderSize;
  byte_io::write16(w, base);
  byte_io::write16(w + 2, static_cast<std::uint16_t>(packets.size()));
  byte_io::write24(w + 4, static_cast<std::uint32_t>(referenceTime) & 0xFFFFFF);
  w[7] = feedbackPacketCount;
  w += 8;
  encodeChunks(packets, [&](std::uint16_t chunk) {
    byte_io::write16(w, chunk);
    w += 2;
  });
  for (const auto& pkt : packets) {
    const std::uint8_t s = symbolFor(pkt);
    if (s == kSmallDelta) {
      *w++ = static_cast<std::uint8_t>(pkt.deltaTicks);
    } else if (s == kLargeDelta) {
      byte_io::write16(w, static_cast<std::uint16_t>(pkt.deltaTicks));
      w += 2;
    }
  }
  if (padding > 0) {
    std::memset(w, 0, padding);
    p[total - 1] = static_cast<std::uint8_t>(padding);
  }
  return total;
}

}  // namespace huddle::rtc
