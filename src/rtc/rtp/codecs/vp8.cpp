#include "rtc/rtp/codecs/vp8.h"

namespace huddle::rtc {

std::optional<Vp8Descriptor> Vp8Descriptor::parse(std::span<const std::uint8_t> payload) noexcept {
  if (payload.empty()) {
    return std::nullopt;
  }
  Vp8Descriptor d;
  const std::uint8_t b0 = payload[0];
  d.nonReference = (b0 & 0x20) != 0;
  d.startOfPartition = (b0 & 0x10) != 0;
  d.partitionId = b0 & 0x07;
  std::size_t pos = 1;
  if (b0 & 0x80) {
    if (pos >= payload.size()) {
      return std::nullopt;
    }
    const std::uint8_t x = payload[pos++];
    const bool hasI = (x & 0x80) != 0;
    const bool hasL = (x & 0x40) != 0;
    const bool hasT = (x & 0x20) != 0;
    const bool hasK = (x & 0x10) != 0;
    if (hasI) {
      if (pos >= payload.size()) {
        return std::nullopt;
      }
      if (payload[pos] & 0x80) {
        if (pos + 1 >= payload.size()) {
          return std::nullopt;
        }
        d.pictureId15Bit = true;
        d.pictureId = static_cast<std::uint16_t>(((payload[pos] & 0x7F) << 8) | payload[pos + 1]);
        pos += 2;
      } else {
        d.pictureId = payload[pos];
        pos += 1;
      }
    }
    if (hasL) {
      if (pos >= payload.size()) {
        return std::nullopt;
      }
      d.tl0PicIdx = payload[pos++];
    }
    if (hasT || hasK) {
      if (pos >= payload.size()) {
        return std::nullopt;
      }
      const std::uint8_t tk = payload[pos++];
      if (hasT) {
        d.temporalId = static_cast<std::uint8_t>(tk >> 6);
        d.layerSync = (tk & 0x20) != 0;
      }
      if (hasK) {
        d.keyIdx = static_cast<std::uint8_t>(tk & 0x1F);
      }
    }
  }
  // A descriptor with nothing after it carries no media: not a packet worth forwarding.
  if (pos >= payload.size()) {
    return std::nullopt;
  }
  d.size = pos;
  // The payload header exists only at the start of partition 0; its P bit is 0 on key frames.
  d.keyframe = d.startOfPartition && d.partitionId == 0 && (payload[pos] & 0x01) == 0;
  return d;
}

std::size_t Vp8Descriptor::serializedSize() const noexcept {
  const bool extended = pictureId || tl0PicIdx || temporalId || keyIdx;
  std::size_t n = 1;
  if (extended) {
    n += 1;
    if (pictureId) {
      n += pictureId15Bit ? 2 : 1;
    }
    if (tl0PicIdx) {
      n += 1;
    }
    if (temporalId || keyIdx) {
      n += 1;
    }
  }
  return n;
}

std::size_t Vp8Descriptor::serialize(std::span<std::uint8_t> out) const noexcept {
  const std::size_t n = serializedSize();
  if (out.size() < n || partitionId > 7 || (pictureId && !pictureId15Bit && *pictureId > 0x7F) ||
      (pictureId && *pictureId > 0x7FFF)) {
    return 0;
  }
  const bool extended = n > 1;
  out[0] = static_cast<std::uint8_t>((extended ? 0x80 : 0) | (nonReference ? 0x20 : 0) |
                                     (startOfPartition ? 0x10 : 0) | partitionId);
  if (!extended) {
    return n;
  }
  out[1] = static_cast<std::uint8_t>((pictureId ? 0x80 : 0) | (tl0PicIdx ? 0x40 : 0) | (temporalId ? 0x20 : 0) |
                                     (keyIdx ? 0x10 : 0));
  std::size_t pos = 2;
  if (pictureId) {
    if (pictureId15Bit) {
      out[pos++] = static_cast<std::uint8_t>(0x80 | (*pictureId >> 8));
      out[pos++] = static_cast<std::uint8_t>(*pictureId);
    } else {
      out[pos++] = static_cast<std::uint8_t>(*pictureId);
    }
  }
  if (tl0PicIdx) {
    out[pos++] = *tl0PicIdx;
  }
  if (temporalId || keyIdx) {
    out[pos++] = static_cast<std::uint8_t>(((temporalId.value_or(0) & 0x3) << 6) | (layerSync ? 0x20 : 0) |
                                           (keyIdx.value_or(0) & 0x1F));
  }
  return pos;
}

}  // namespace huddle::rtc
