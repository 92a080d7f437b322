#include "sfu/media/media_codec.h"

#include <cstddef>

#include "rtc/rtp/codecs/h264.h"
#include "rtc/rtp/codecs/vp8.h"
#include "rtc/rtp/codecs/vp9.h"

namespace huddle::sfu {
namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) {
      return false;
    }
  }
  return true;
}

// AV1 RTP (AV1 RTP spec 4.4): the aggregation header's N bit marks the first packet of a coded
// video sequence, which is where a decoder can start.
bool av1Keyframe(std::span<const std::uint8_t> payload) noexcept {
  return !payload.empty() && (payload[0] & 0x08) != 0;
}

// H.265 RTP (RFC 7798): IRAP pictures (NAL types 16..21) or a VPS/SPS start a decodable
// sequence. Aggregation packets (48) are checked on their first NAL, fragmentation units (49)
// only on the start fragment.
bool h265StartsDecoding(std::uint8_t nalType) noexcept {
  return (nalType >= 16 && nalType <= 21) || nalType == 32 || nalType == 33;
}

bool h265Keyframe(std::span<const std::uint8_t> payload) noexcept {
  if (payload.size() < 3) {
    return false;
  }
  const auto type = static_cast<std::uint8_t>((payload[0] >> 1) & 0x3F);
  if (type == 48) {
    // payload header (2) + first NALU size (2) + first NALU header
    return payload.size() >= 5 && h265StartsDecoding(static_cast<std::uint8_t>((payload[4] >> 1) & 0x3F));
  }
  if (type == 49) {
    const std::uint8_t fu = payload[2];
    return (fu & 0x80) != 0 && h265StartsDecoding(static_cast<std::uint8_t>(fu & 0x3F));
  }
  return h265StartsDecoding(type);
}

}  // namespace

CodecKind codecKindFromName(std::string_view name) noexcept {
  // Accept "video/VP8" as well as "VP8".
  if (const auto slash = name.find('/'); slash != std::string_view::npos) {
    name = name.substr(slash + 1);
  }
  if (equalsIgnoreCase(name, "opus")) return CodecKind::Opus;
  if (equalsIgnoreCase(name, "red")) return CodecKind::Red;
  if (equalsIgnoreCase(name, "vp8")) return CodecKind::Vp8;
  if (equalsIgnoreCase(name, "vp9")) return CodecKind::Vp9;
  if (equalsIgnoreCase(name, "h264")) return CodecKind::H264;
  if (equalsIgnoreCase(name, "av1") || equalsIgnoreCase(name, "av1x")) return CodecKind::Av1;
  if (equalsIgnoreCase(name, "h265") || equalsIgnoreCase(name, "hevc")) return CodecKind::H265;
  return CodecKind::Other;
}

std::string_view mimeTypeOf(CodecKind codec) noexcept {
  switch (codec) {
    case CodecKind::Opus: return "audio/opus";
    case CodecKind::Red: return "audio/red";
    case CodecKind::Vp8: return "video/VP8";
    case CodecKind::Vp9: return "video/VP9";
    case CodecKind::H264: return "video/H264";
    case CodecKind::Av1: return "video/AV1";
    case CodecKind::H265: return "video/H265";
    case CodecKind::Other: break;
  }
  return "";
}

bool isVideo(CodecKind codec) noexcept {
  switch (codec) {
    case CodecKind::Vp8:
    case CodecKind::Vp9:
    case CodecKind::H264:
    case CodecKind::Av1:
    case CodecKind::H265:
      return true;
    case CodecKind::Opus:
    case CodecKind::Red:
    case CodecKind::Other:
      break;
  }
  return false;
}

bool isKeyframe(CodecKind codec, std::span<const std::uint8_t> payload) noexcept {
  switch (codec) {
    case CodecKind::Opus:
    case CodecKind::Red:
      return true;
    case CodecKind::Vp8: {
      const auto d = rtc::Vp8Descriptor::parse(payload);
      return d && d->keyframe;
    }
    case CodecKind::Vp9: {
      const auto d = rtc::Vp9Descriptor::parse(payload);
      return d && d->keyframe;
    }
    case CodecKind::H264: {
      const auto info = rtc::H264PayloadInfo::parse(payload);
      return info && info->keyframe;
    }
    case CodecKind::Av1:
      return av1Keyframe(payload);
    case CodecKind::H265:
      return h265Keyframe(payload);
    case CodecKind::Other:
      break;
  }
  return false;
}

}  // namespace huddle::sfu
