#pragma once
// Plain value types, any thread. A TrackPublication is a snapshot of what the server said about
// a published track (LiveKit's TrackInfo); it does not change after it is handed out.

#include <cstdint>
#include <string>
#include <vector>

namespace huddle::client {

enum class TrackKind : std::uint8_t { Audio, Video, Data, Unknown };
enum class TrackSource : std::uint8_t { Unknown, Camera, Microphone, ScreenShare, ScreenShareAudio };
enum class VideoQuality : std::uint8_t { Low, Medium, High, Off };

struct VideoLayerInfo {
  VideoQuality quality = VideoQuality::Low;
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::uint32_t bitrate = 0;  // bps, as announced by the publisher
};

struct TrackPublication {
  std::string sid;  // TR_...
  std::string name;
  TrackKind kind = TrackKind::Unknown;
  TrackSource source = TrackSource::Unknown;
  bool muted = false;
  bool simulcast = false;  // more than one layer announced
  std::vector<VideoLayerInfo> layers;  // lowest first
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::string mimeType;  // e.g. "video/VP8"; empty until the server has seen media
  std::string mid;
};

[[nodiscard]] const char* toString(TrackKind kind);
[[nodiscard]] const char* toString(TrackSource source);

}  // namespace huddle::client
