#include "rtc/rtp/rtcp_nack.h"

#include "rtc/rtp/byte_io.h"
#include "rtc/rtp/rtcp_feedback.h"

namespace huddle::rtc {

std::optional<RtcpNack> RtcpNack::parse(const RtcpPacket& packet) noexcept {
  const auto ssrcs = readFeedbackSsrcs(packet, RtcpType::RtpFeedback, kFmtNack);
  if (!ssrcs) {
    return std::nullopt;
  }
  const auto fci = packet.body.subspan(8);
  if (fci.empty() || fci.size() % 4 != 0) {
    return std::nullopt;
  }
  RtcpNack nack;
  nack.senderSsrc_ = ssrcs->sender;
  nack.mediaSsrc_ = ssrcs->media;
  nack.fci_ = fci;
  return nack;
}

NackItem RtcpNack::item(std::size_t index) const noexcept {
  const std::uint8_t* p = fci_.data() + 4 * index;
  return NackItem{byte_io::read16(p), byte_io::read16(p + 2)};
}

void RtcpNack::expand(std::vector<std::uint16_t>& out) const {
  for (std::size_t i = 0; i < itemCount(); ++i) {
    const NackItem it = item(i);
    out.push_back(it.pid);
    for (unsigned bit = 0; bit < 16; ++bit) {
      if (it.blp & (1u << bit)) {
        out.push_back(static_cast<std::uint16_t>(it.pid + bit + 1));
      }
    }
  }
}

std::size_t RtcpNack::expand(std::span<std::uint16_t> out) const noexcept {
  std::size_t n = 0;
  for (std::size_t i = 0; i < itemCount(); ++i) {
    const NackItem it = item(i);
    if (n == out.size()) {
      return n;
    }
    out[n++] = it.pid;
    for (unsigned bit = 0; bit < 16; ++bit) {
      if (it.blp & (1u << bit)) {
        if (n == out.size()) {
          return n;
        }
        out[n++] = static_cast<std::uint16_t>(it.pid + bit + 1);
      }
    }
  }
  return n;
}

std::size_t RtcpNack::build(std::uint32_t senderSsrc, std::uint32_t mediaSsrc, std::span<const NackItem> items,
                            std::span<std::uint8_t> out) noexcept {
  const std::size_t total = kFeedbackHeaderSize + 4 * items.size();
  if (items.empty() || out.size() < total || total / 4 - 1 > 0xFFFF) {
    return 0;
  }
  writeFeedbackHeader(out.data(), RtcpType::RtpFeedback, kFmtNack, total, senderSsrc, mediaSsrc);
  std::uint8_t* p = out.data() + kFeedbackHeaderSize;
  for (const NackItem& it : items) {
    byte_io::write16(p, it.pid);
    byte_io::write16(p + 2, it.blp);
    p += 4;
  }
  return total;
}

namespace {

// Calls emit(pid, blp) for each pair. Sequence numbers more than 16 after the current PID (in
// modular distance) start a new pair; duplicates fold into the pair they belong to.
template <typename Emit>
void packSeqs(std::span<const std::uint16_t> seqs, Emit&& emit) noexcept {
  std::size_t i = 0;
  while (i < seqs.size()) {
    const std::uint16_t pid = seqs[i];
    std::uint16_t blp = 0;
    ++i;
    while (i < seqs.size()) {
      const auto diff = static_cast<std::uint16_t>(seqs[i] - pid);
      if (diff > 16) {
        break;
      }
      if (diff > 0) {
        blp = static_cast<std::uint16_t>(blp | (1u << (diff - 1)));
      }
      ++i;
    }
    emit(pid, blp);
  }
}

}  // namespace

std::size_t RtcpNack::itemCountForSeqs(std::span<const std::uint16_t> sortedSeqs) noexcept {
  std::size_t n = 0;
  packSeqs(sortedSeqs, [&](std::uint16_t, std::uint16_t) { ++n; });
  return n;
}

std::size_t RtcpNack::buildFromSeqs(std::uint32_t senderSsrc, std::uint32_t mediaSsrc,
                                    std::span<const std::uint16_t> sortedSeqs, std::span<std::uint8_t> out) noexcept {
  const std::size_t items = itemCountForSeqs(sortedSeqs);
  const std::size_t total = kFeedbackHeaderSize + 4 * items;
  if (items == 0 || out.size() < total || total / 4 - 1 > 0xFFFF) {
    return 0;
  }
  writeFeedbackHeader(out.data(), RtcpType::RtpFeedback, kFmtNack, total, senderSsrc, mediaSsrc);
  std::uint8_t* p = out.data() + kFeedbackHeaderSize;
  packSeqs(sortedSeqs, [&](std::uint16_t pid, std::uint16_t blp) {
    byte_io::write16(p, pid);
    byte_io::write16(p + 2, blp);
    p += 4;
  });
  return total;
}

}  // namespace huddle::rtc
