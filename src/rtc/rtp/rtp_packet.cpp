#include "rtc/rtp/rtp_packet.h"

#include "rtc/rtp/byte_io.h"
#include "rtc/rtp/packet_class.h"

namespace huddle::rtc {

std::optional<RtpPacketView> RtpPacketView::parse(std::span<std::uint8_t> data) noexcept {
  if (data.size() < kRtpFixedHeaderSize || (data[0] >> 6) != 2) {
    return std::nullopt;
  }
  RtpPacketView view(data);
  std::size_t pos = kRtpFixedHeaderSize + 4 * std::size_t{view.csrcCount()};
  if (pos > data.size()) {
    return std::nullopt;
  }
  if (view.hasExtension()) {
    if (pos + 4 > data.size()) {
      return std::nullopt;
    }
    view.extensionProfile_ = byte_io::read16(&data[pos]);
    view.extensionSize_ = 4 * std::size_t{byte_io::read16(&data[pos + 2])};
    view.extensionOffset_ = pos + 4;
    pos += 4 + view.extensionSize_;
    if (pos > data.size()) {
      return std::nullopt;
    }
    if (view.extensionProfile_ == kOneByteExtensionProfile) {
      view.extensionForm_ = RtpExtensionForm::OneByte;
    } else if ((view.extensionProfile_ & 0xFFF0) == kTwoByteExtensionProfile) {
      view.extensionForm_ = RtpExtensionForm::TwoByte;
    } else {
      view.extensionForm_ = RtpExtensionForm::Other;
    }
  }
  view.headerSize_ = pos;
  if (view.hasPadding()) {
    // The count includes itself, so zero is malformed; it must not reach into the header.
    const std::size_t padding = data.back();
    if (padding == 0 || padding > data.size() - pos) {
      return std::nullopt;
    }
    view.paddingSize_ = padding;
  }
  return view;
}

std::uint16_t RtpPacketView::sequenceNumber() const noexcept { return byte_io::read16(&data_[2]); }
std::uint32_t RtpPacketView::timestamp() const noexcept { return byte_io::read32(&data_[4]); }
std::uint32_t RtpPacketView::ssrc() const noexcept { return byte_io::read32(&data_[8]); }
std::uint32_t RtpPacketView::csrc(std::size_t index) const noexcept {
  return byte_io::read32(&data_[kRtpFixedHeaderSize + 4 * index]);
}

void RtpPacketView::setMarker(bool marker) noexcept {
  data_[1] = static_cast<std::uint8_t>((data_[1] & 0x7F) | (marker ? 0x80 : 0x00));
}
void RtpPacketView::setPayloadType(std::uint8_t payloadType) noexcept {
  data_[1] = static_cast<std::uint8_t>((data_[1] & 0x80) | (payloadType & 0x7F));
}
void RtpPacketView::setSequenceNumber(std::uint16_t seq) noexcept { byte_io::write16(&data_[2], seq); }
void RtpPacketView::setTimestamp(std::uint32_t timestamp) noexcept {
  byte_io::write32(&data_[4], timestamp);
}
void RtpPacketView::setSsrc(std::uint32_t ssrc) noexcept { byte_io::write32(&data_[8], ssrc); }

std::optional<std::span<std::uint8_t>> RtpPacketView::findExtension(std::uint8_t id) const noexcept {
  std::optional<std::span<std::uint8_t>> found;
  if (id == 0) {
    return found;
  }
  forEachExtension([&](std::uint8_t elementId, std::span<std::uint8_t> value) {
    if (elementId == id) {
      found = value;
      return false;
    }
    return true;
  });
  return found;
}

bool RtpPacketView::rewriteExtensionId(std::uint8_t from, std::uint8_t to) noexcept {
  if (from == 0 || to == 0) {
    return false;
  }
  if (extensionForm_ == RtpExtensionForm::OneByte && (from > 14 || to > 14)) {
    return false;
  }
  if (extensionForm_ != RtpExtensionForm::OneByte && extensionForm_ != RtpExtensionForm::TwoByte) {
    return false;
  }
  bool rewritten = false;
  const bool oneByte = extensionForm_ == RtpExtensionForm::OneByte;
  forEachExtension([&](std::uint8_t elementId, std::span<std::uint8_t> value) {
    if (elementId == from) {
      // The id sits just before the data: one byte back (with the length nibble) or two back.
      if (oneByte) {
        std::uint8_t& idByte = *(value.data() - 1);
        idByte = static_cast<std::uint8_t>((to << 4) | (idByte & 0x0F));
      } else {
        *(value.data() - 2) = to;
      }
      rewritten = true;
    }
    return true;
  });
  return rewritten;
}

bool RtpPacketView::remapExtensionIds(std::span<const std::uint8_t, 256> map) noexcept {
  if (extensionForm_ != RtpExtensionForm::OneByte && extensionForm_ != RtpExtensionForm::TwoByte) {
    return false;
  }
  const bool oneByte = extensionForm_ == RtpExtensionForm::OneByte;
  bool fits = true;
  forEachExtension([&](std::uint8_t elementId, std::span<std::uint8_t>) {
    const std::uint8_t to = map[elementId];
    if (to != 0 && oneByte && to > 14) {
      fits = false;
    }
    return fits;
  });
  if (!fits) {
    return false;
  }
  forEachExtension([&](std::uint8_t elementId, std::span<std::uint8_t> value) {
    const std::uint8_t to = map[elementId];
    if (to != 0) {
      if (oneByte) {
        std::uint8_t& idByte = *(value.data() - 1);
        idByte = static_cast<std::uint8_t>((to << 4) | (idByte & 0x0F));
      } else {
        *(value.data() - 2) = to;
      }
    }
    return true;
  });
  return true;
}

}  // namespace huddle::rtc
