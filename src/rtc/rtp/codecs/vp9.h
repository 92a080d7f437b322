#pragma once
// VP9 RTP payload descriptor (RFC 9628 section 4.2), read-only: keyframes, spatial and temporal
// layer ids, and the scalability structure's resolutions. Pure, any thread.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace huddle::rtc {

struct Vp9Descriptor {
  static constexpr std::size_t kMaxSpatialLayers = 8;  // N_S is three bits
  static constexpr std::size_t kMaxReferences = 3;

  bool interPicturePredicted = false;  // P
  bool flexibleMode = false;           // F
  bool beginningOfFrame = false;       // B
  bool endOfFrame = false;             // E
  bool notReferenceForUpperSpatial = false;  // Z
  std::optional<std::uint16_t> pictureId;
  bool pictureId15Bit = false;
  std::optional<std::uint8_t> temporalId;  // present with L
  std::optional<std::uint8_t> spatialId;   // present with L
  bool switchingUpPoint = false;           // U
  bool interLayerDependency = false;       // D
  std::optional<std::uint8_t> tl0PicIdx;   // non-flexible mode with L
  std::array<std::uint8_t, kMaxReferences> referenceDiffs{};  // flexible mode P_DIFFs
  std::size_t referenceCount = 0;
  // Scalability structure (V): number of spatial layers and, when Y is set, their sizes.
  std::size_t ssSpatialLayers = 0;
  std::array<std::uint16_t, kMaxSpatialLayers> ssWidth{};
  std::array<std::uint16_t, kMaxSpatialLayers> ssHeight{};
  std::size_t size = 0;  // descriptor bytes before the VP9 payload
  // Start of a frame that needs no earlier picture: not inter predicted, B set, base spatial layer.
  bool keyframe = false;

  [[nodiscard]] static std::optional<Vp9Descriptor> parse(std::span<const std::uint8_t> payload) noexcept;
};

}  // namespace huddle::rtc
