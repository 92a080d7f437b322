#include "rtc/rtp/codecs/vp9.h"

namespace huddle::rtc {

namespace {

// Bounds-checked cursor; every read reports whether the byte was there.
struct Reader {
  std::span<const std::uint8_t> data;
  std::size_t pos = 0;
  bool read(std::uint8_t& out) noexcept {
    if (pos >= data.size()) {
      return false;
    }
    out = data[pos++];
    return true;
  }
  bool skip(std::size_t n) noexcept {
    if (data.size() - pos < n) {
      return false;
    }
    pos += n;
    return true;
  }
};

bool readScalabilityStructure(Reader& r, Vp9Descriptor& d) noexcept {
  std::uint8_t b = 0;
  if (!r.read(b)) {
    return false;
  }
  d.ssSpatialLayers = std::size_t{static_cast<std::uint8_t>(b >> 5)} + 1;
  const bool hasResolution = (b & 0x10) != 0;
  const bool hasGroups = (b & 0x08) != 0;
  if (hasResolution) {
    for (std::size_t i = 0; i < d.ssSpatialLayers; ++i) {
      std::uint8_t w0 = 0;
      std::uint8_t w1 = 0;
      std::uint8_t h0 = 0;
      std::uint8_t h1 = 0;
      if (!r.read(w0) || !r.read(w1) || !r.read(h0) || !r.read(h1)) {
        return false;
      }
      d.ssWidth[i] = static_cast<std::uint16_t>((w0 << 8) | w1);
      d.ssHeight[i] = static_cast<std::uint16_t>((h0 << 8) | h1);
    }
  }
  if (hasGroups) {
    std::uint8_t groups = 0;
    if (!r.read(groups)) {
      return false;
    }
    for (std::size_t g = 0; g < groups; ++g) {
      std::uint8_t pg = 0;
      if (!r.read(pg) || !r.skip((pg >> 2) & 0x3)) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace

std::optional<Vp9Descriptor> Vp9Descriptor::parse(std::span<const std::uint8_t> payload) noexcept {
  Reader r{payload};
  std::uint8_t b0 = 0;
  if (!r.read(b0)) {
    return std::nullopt;
  }
  Vp9Descriptor d;
  const bool hasPictureId = (b0 & 0x80) != 0;
  d.interPicturePredicted = (b0 & 0x40) != 0;
  const bool hasLayers = (b0 & 0x20) != 0;
  d.flexibleMode = (b0 & 0x10) != 0;
  d.beginningOfFrame = (b0 & 0x08) != 0;
  d.endOfFrame = (b0 & 0x04) != 0;
  const bool hasSs = (b0 & 0x02) != 0;
  d.notReferenceForUpperSpatial = (b0 & 0x01) != 0;

  if (hasPictureId) {
    std::uint8_t p0 = 0;
    if (!r.read(p0)) {
      return std::nullopt;
    }
    if (p0 & 0x80) {
      std::uint8_t p1 = 0;
      if (!r.read(p1)) {
        return std::nullopt;
      }
      d.pictureId15Bit = true;
      d.pictureId = static_cast<std::uint16_t>(((p0 & 0x7F) << 8) | p1);
    } else {
      d.pictureId = p0;
    }
  }
  if (hasLayers) {
    std::uint8_t l = 0;
    if (!r.read(l)) {
      return std::nullopt;
    }
    d.temporalId = static_cast<std::uint8_t>(l >> 5);
    d.switchingUpPoint = (l & 0x10) != 0;
    d.spatialId = static_cast<std::uint8_t>((l >> 1) & 0x7);
    d.interLayerDependency = (l & 0x01) != 0;
    if (!d.flexibleMode) {
      std::uint8_t tl0 = 0;
      if (!r.read(tl0)) {
        return std::nullopt;
      }
      d.tl0PicIdx = tl0;
    }
  }
  if (d.flexibleMode && d.interPicturePredicted) {
    // Up to three P_DIFF bytes, each with N set when another follows.
    std::uint8_t ref = 0x01;
    while (ref & 0x01) {
      if (d.referenceCount == kMaxReferences || !r.read(ref)) {
        return std::nullopt;
      }
      d.referenceDiffs[d.referenceCount++] = static_cast<std::uint8_t>(ref >> 1);
    }
  }
  if (hasSs && !readScalabilityStructure(r, d)) {
    return std::nullopt;
  }
  if (r.pos >= payload.size()) {
    return std::nullopt;
  }
  d.size = r.pos;
  d.keyframe = !d.interPicturePredicted && d.beginningOfFrame && d.spatialId.value_or(0) == 0;
  return d;
}

}  // namespace huddle::rtc
