#pragma once
// RTP of one remote Opus stream -> AudioReceiveStream (jitter buffer, PLC/FEC) -> 10 ms of PCM
// per pull10ms().
//
// The playout clock pulls: the application's audio device callback (or a test) calls
// pull10ms() every 10 ms. A built-in timer thread was left out on purpose: the device's clock
// is the one that must not drift against the jitter buffer, and a second clock pushing PCM
// would need its own resampling or buffering to meet it.
//
// Thread-safe: onRtp() on the network thread and pull10ms() on the playout thread, serialised
// by one mutex (held for one packet insert or one 10 ms decode); everything else from any
// thread.

#include <memory>
#include <mutex>
#include <span>

#include "client/stream/audio_receive_stream.h"
#include "media/audio_frame.h"

namespace huddle::client {

class AudioReceivePipeline final {
 public:
  [[nodiscard]] static StreamResult<std::unique_ptr<AudioReceivePipeline>> create(
      const AudioReceiveStreamConfig& config);

  void onRtp(std::span<std::uint8_t> packet, StreamTime now);
  // Copies the next 10 ms (480 samples per channel) into out, reusing its buffer.
  void pull10ms(StreamTime now, media::AudioFrame& out);

  void onSenderReport(const rtc::RtcpSenderReport& report, StreamTime now);
  [[nodiscard]] std::optional<rtc::ReportBlock> makeReportBlock(StreamTime now);
  [[nodiscard]] AudioReceiveStreamStats stats() const;
  [[nodiscard]] std::chrono::milliseconds currentDelay() const;

 private:
  explicit AudioReceivePipeline(std::unique_ptr<AudioReceiveStream> stream) : stream_(std::move(stream)) {}

  mutable std::mutex mutex_;
  std::unique_ptr<AudioReceiveStream> stream_;
};

}  // namespace huddle::client
