#pragma once
// One incoming Opus stream: RTP in, 10 ms of PCM out per pull. A sequence-indexed jitter buffer
// holds packets until their playout time; the target delay follows the measured spread of
// transit times (20-200 ms). Losses are concealed with Opus PLC, or rebuilt from the next
// packet's in-band FEC when it is already here. The buffer grows by concealing 10 ms without
// consuming a packet and shrinks by discarding 10 ms of decoded audio.
// Pure: time is passed in. Not thread-safe: one thread drives it (onRtp and pull10ms on the
// same thread, or the caller serialises them).

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "client/stream/incoming_rtp.h"
#include "client/stream/receive_statistics.h"
#include "client/stream/stream_clock.h"
#include "client/stream/stream_error.h"
#include "media/audio_frame.h"
#include "media/opus_codec.h"
#include "rtc/rtp/rtcp_report.h"

namespace huddle::client {

struct AudioReceiveStreamConfig {
  std::uint32_t ssrc = 0;
  std::uint8_t payloadType = 111;
  int channels = 1;
  std::chrono::milliseconds minDelay{20};
  std::chrono::milliseconds maxDelay{200};
};

struct AudioReceiveStreamStats {
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
  std::uint64_t malformed = 0;
  std::uint64_t ignored = 0;  // unknown SSRC or payload type, padding only
  std::uint64_t duplicates = 0;
  std::uint64_t latePackets = 0;       // arrived after their playout time: discarded
  std::uint64_t discardedPackets = 0;  // too far ahead of playout, or refused by the decoder
  std::uint64_t concealedSamples = 0;  // per channel, PLC and FEC both
  std::uint64_t fecRecoveredPackets = 0;
  std::uint64_t removedSamples = 0;    // per channel, dropped to shrink the delay
  std::uint64_t silentSamples = 0;     // per channel, before playout started
  std::uint64_t samplesOut = 0;        // per channel
};

class AudioReceiveStream final {
 public:
  static constexpr int kSamplesPer10ms = 480;
  static constexpr std::size_t kSlots = 64;  // 1.28 s of 20 ms packets
  static constexpr std::size_t kMaxPayloadSize = 1500;

  [[nodiscard]] static StreamResult<std::unique_ptr<AudioReceiveStream>> create(
      const AudioReceiveStreamConfig& config);

  void onRtp(std::span<std::uint8_t> packet, StreamTime now);
  // The next 10 ms (480 samples per channel at 48 kHz); valid until the next call.
  [[nodiscard]] const media::AudioFrame& pull10ms(StreamTime now);

  void onSenderReport(const rtc::RtcpSenderReport& report, StreamTime now) noexcept;
  [[nodiscard]] std::optional<rtc::ReportBlock> makeReportBlock(StreamTime now) noexcept {
    return statistics_.makeReportBlock(config_.ssrc, now);
  }

  // The most audio buffered ahead of playout (packets waiting plus decoded samples not yet
  // pulled) over the last 500 ms: what a packet that arrives early waits, its own length included.
  [[nodiscard]] std::chrono::milliseconds currentDelay() const noexcept;
  [[nodiscard]] std::chrono::milliseconds targetDelay() const noexcept;
  [[nodiscard]] const AudioReceiveStreamStats& stats() const noexcept { return stats_; }
  [[nodiscard]] const ReceiveStatistics& receiveStatistics() const noexcept { return statistics_; }
  [[nodiscard]] const media::OpusDecoderStats& decoderStats() const noexcept { return decoder_->stats(); }

 private:
  struct Slot {
    bool present = false;
    std::uint16_t seq = 0;
    std::uint32_t timestamp = 0;
    std::size_t size = 0;
  };
  static constexpr std::size_t kTransitWindow = 64;

  AudioReceiveStream(const AudioReceiveStreamConfig& config, std::unique_ptr<media::OpusDecoder> decoder);

  void measureTransit(std::uint32_t timestamp, std::int64_t nowUs) noexcept;
  [[nodiscard]] std::int64_t bufferedSamples() const noexcept;
  // Decodes (or conceals) the packet at playout into pcm_; false when nothing can be produced.
  bool refill();
  void takePcm(const media::AudioFrame& frame);
  [[nodiscard]] std::span<const std::uint8_t> payloadOf(const Slot& slot) const noexcept;
  [[nodiscard]] Slot& slotOf(std::uint16_t seq) noexcept { return slots_[seq % kSlots]; }

  AudioReceiveStreamConfig config_;
  IncomingRtpConfig incoming_;
  std::unique_ptr<media::OpusDecoder> decoder_;
  ReceiveStatistics statistics_;
  std::array<Slot, kSlots> slots_{};
  std::unique_ptr<std::uint8_t[]> bytes_;  // kSlots * kMaxPayloadSize

  bool started_ = false;   // a first packet fixed the playout position
  bool playing_ = false;   // the initial buffer filled up
  std::uint16_t playSeq_ = 0;  // the next packet to decode
  std::uint32_t playTs_ = 0;   // its timestamp
  bool haveNewest_ = false;
  std::uint16_t newestSeq_ = 0;
  std::uint32_t newestTs_ = 0;
  int packetSamples_ = 960;  // learned from decoded packets

  // Decoded samples not yet handed out (interleaved).
  std::vector<std::int16_t> pcm_;
  std::size_t pcmPos_ = 0;   // per channel
  std::size_t pcmSize_ = 0;  // per channel

  // Transit times (arrival - media time) in microseconds over the last packets.
  std::array<std::int64_t, kTransitWindow> transit_{};
  std::size_t transitCount_ = 0;
  std::size_t transitNext_ = 0;
  std::int64_t targetUs_;
  std::int64_t refTs_ = 0;  // first timestamp: transit is measured against it
  // The most audio buffered at any pull of the current window: the delay the earliest packets
  // wait. Once per window it is compared with the target to shrink the buffer.
  std::int64_t windowMaxUs_ = 0;
  int windowPulls_ = 0;
  std::int64_t currentUs_ = 0;
  std::int64_t removeUs_ = 0;  // still to discard, 10 ms per pull

  media::AudioFrame out_;
  AudioReceiveStreamStats stats_;
};

}  // namespace huddle::client
