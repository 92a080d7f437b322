#pragma once
// Opus encoding and decoding with libopus at 48 kHz. Not thread-safe: one thread drives each
// encoder or decoder. One Opus packet is one RTP payload (RFC 7587).

#include <cstdint>
#include <memory>
#include <span>

#include "media/audio_frame.h"
#include "media/media_error.h"

namespace huddle::media {

inline constexpr std::size_t kMaxOpusPacketSize = 1275 * 3 + 7;  // RFC 6716 3.2.5, 120 ms

struct OpusEncoderConfig {
  int channels = 1;           // 1 or 2
  int bitrateBps = 32000;
  bool inbandFec = true;      // lets the receiver rebuild a lost packet from the next one
  int expectedLossPercent = 10;  // FEC is only spent when the encoder expects loss
  bool dtx = false;
  int complexity = 9;
};

class OpusEncoder final {
 public:
  [[nodiscard]] static MediaResult<std::unique_ptr<OpusEncoder>> create(const OpusEncoderConfig& config);
  ~OpusEncoder();
  OpusEncoder(const OpusEncoder&) = delete;
  OpusEncoder& operator=(const OpusEncoder&) = delete;

  // The frame must have the configured channels and a duration Opus accepts (2.5, 5, 10, 20, 40
  // or 60 ms; 20 ms is the WebRTC norm). Returns the packet, valid until the next encode().
  [[nodiscard]] MediaResult<std::span<const std::uint8_t>> encode(const AudioFrame& frame);
  [[nodiscard]] MediaResult<Ok> setBitrate(int bps);
  [[nodiscard]] MediaResult<Ok> setExpectedLossPercent(int percent);
  [[nodiscard]] const OpusEncoderConfig& config() const noexcept;

 private:
  struct Impl;
  explicit OpusEncoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct OpusDecoderStats {
  std::uint64_t packetsDecoded = 0;
  std::uint64_t packetsRejected = 0;
  std::uint64_t framesConcealed = 0;  // PLC frames
  std::uint64_t framesRecovered = 0;  // rebuilt from the next packet's FEC
};

class OpusDecoder final {
 public:
  [[nodiscard]] static MediaResult<std::unique_ptr<OpusDecoder>> create(int channels);
  ~OpusDecoder();
  OpusDecoder(const OpusDecoder&) = delete;
  OpusDecoder& operator=(const OpusDecoder&) = delete;

  // Decodes one packet; the frame is the decoder's own buffer, valid until the next call.
  [[nodiscard]] MediaResult<const AudioFrame*> decode(std::span<const std::uint8_t> packet);
  // Packet-loss concealment for one missing packet of samplesPerChannel (the duration the lost
  // packet would have had, from the RTP timestamps; 960 for 20 ms).
  [[nodiscard]] MediaResult<const AudioFrame*> conceal(int samplesPerChannel);
  // Rebuilds the missing packet from the in-band FEC of the packet after it; falls back to
  // concealment inside libopus when that packet carries no FEC. Decode nextPacket itself next.
  [[nodiscard]] MediaResult<const AudioFrame*> recoverFromFec(std::span<const std::uint8_t> nextPacket,
                                                              int samplesPerChannel);
  [[nodiscard]] const OpusDecoderStats& stats() const noexcept;

 private:
  struct Impl;
  explicit OpusDecoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace huddle::media
