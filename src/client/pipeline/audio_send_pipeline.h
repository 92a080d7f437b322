#pragma once
// 10 ms PCM at 48 kHz -> 20 ms Opus packets -> RtpSendStream (with the audio-level extension:
// the frame's dBov and a voice-activity flag) -> packets to a sink.
//
// Thread-safe: push10ms() from one capture thread at a time; it encodes inline (20 ms of Opus
// costs well under a millisecond, so a codec thread would only add a queue and a copy).
// onRtcp(), setMuted() and stats() from any thread. The stream is serialised by a mutex, so
// the sink is called on the capture thread (new packets) or the onRtcp() thread (resends),
// never concurrently, and must not call back into the pipeline.
// A TransportSequencer named in the stream config is advanced under this pipeline's own mutex:
// it must not be shared with another pipeline (it is not atomic).
//
// Mute stops sending: LiveKit signals mute separately (TrackMuted), so silence packets would
// only spend bandwidth, and subscribers' jitter buffers cope with the gap. Muted audio is not
// encoded, but it still advances the RTP timestamp, so the stream resumes on its real clock.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

#include "client/stream/rtp_send_stream.h"
#include "media/audio_frame.h"
#include "media/opus_codec.h"
#include "rtc/rtp/rtcp_packet.h"

namespace huddle::client {

struct AudioSendPipelineConfig {
  int channels = 1;  // 1 or 2
  int bitrateBps = 32000;
  bool inbandFec = true;
  bool dtx = false;
  // kind and clock are forced to audio/48 kHz; the audio-level extension id is taken from here.
  RtpSendStreamConfig stream{};
  std::uint32_t firstTimestamp = 0;  // RFC 3550 wants it random; the Room picks it
  // Frames at or above this level (dBov, negative) are flagged as voice.
  int voiceThresholdDbov = -50;
};

struct AudioSendPipelineStats {
  std::uint64_t framesPushed = 0;    // 10 ms frames
  std::uint64_t framesRejected = 0;  // wrong rate, layout or length
  std::uint64_t framesMuted = 0;     // 10 ms frames not sent while muted
  std::uint64_t packetsSent = 0;     // 20 ms Opus packets
  std::uint64_t encodeErrors = 0;
  std::uint8_t lastLevel = 127;      // -dBov of the last packet sent
};

class AudioSendPipeline final : private RtpSendStream::Listener {
 public:
  static constexpr int kSamplesPer10ms = 480;
  using PacketSink = std::function<void(RtpOutgoingPacket& packet)>;

  [[nodiscard]] static StreamResult<std::unique_ptr<AudioSendPipeline>> create(const AudioSendPipelineConfig& config,
                                                                               PacketSink sink);
  ~AudioSendPipeline() override = default;
  AudioSendPipeline(const AudioSendPipeline&) = delete;
  AudioSendPipeline& operator=(const AudioSendPipeline&) = delete;

  // 480 samples per channel with the configured channel count; false when rejected.
  bool push10ms(const media::AudioFrame& frame, StreamTime now);
  bool onRtcp(const rtc::RtcpPacket& packet, StreamTime now);
  void setMuted(bool muted) noexcept;
  [[nodiscard]] bool muted() const noexcept;

  [[nodiscard]] AudioSendPipelineStats stats() const;
  [[nodiscard]] RtpSendStreamStats streamStats() const;
  [[nodiscard]] rtc::RtcpSenderReport makeSenderReport(StreamTime now) const;

 private:
  AudioSendPipeline(const AudioSendPipelineConfig& config, PacketSink sink);
  void onRtpSendStreamPacket(RtpSendStream& stream, RtpOutgoingPacket& packet) override;

  AudioSendPipelineConfig config_;
  PacketSink sink_;
  std::unique_ptr<media::OpusEncoder> encoder_;  // capture thread only
  media::AudioFrame pending_;                    // 20 ms being filled; capture thread only
  int pendingSamples_ = 0;
  std::uint32_t nextTimestamp_ = 0;              // of the first sample of pending_

  mutable std::mutex mutex_;
  std::unique_ptr<RtpSendStream> stream_;
  bool muted_ = false;
  AudioSendPipelineStats stats_;
};

// -dBov of interleaved 16-bit PCM (RFC 6464): 0 for full-scale, 127 for digital silence.
[[nodiscard]] std::uint8_t audioLevelDbov(std::span<const std::int16_t> samples) noexcept;

}  // namespace huddle::client
