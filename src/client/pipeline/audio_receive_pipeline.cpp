#include "client/pipeline/audio_receive_pipeline.h"

#include <utility>

namespace huddle::client {

StreamResult<std::unique_ptr<AudioReceivePipeline>> AudioReceivePipeline::create(
    const AudioReceiveStreamConfig& config) {
  auto stream = AudioReceiveStream::create(config);
  if (!stream) {
    return stream.error();
  }
  return std::unique_ptr<AudioReceivePipeline>(new AudioReceivePipeline(std::move(stream).value()));
}

void AudioReceivePipeline::onRtp(std::span<std::uint8_t> packet, StreamTime now) {
  std::lock_guard lock(mutex_);
  stream_->onRtp(packet, now);
}

void AudioReceivePipeline::pull10ms(StreamTime now, media::AudioFrame& out) {
  std::lock_guard lock(mutex_);
  out.copyFrom(stream_->pull10ms(now));
}

void AudioReceivePipeline::onSenderReport(const rtc::RtcpSenderReport& report, StreamTime now) {
  std::lock_guard lock(mutex_);
  stream_->onSenderReport(report, now);
}

std::optional<rtc::ReportBlock> AudioReceivePipeline::makeReportBlock(StreamTime now) {
  std::lock_guard lock(mutex_);
  return stream_->makeReportBlock(now);
}

AudioReceiveStreamStats AudioReceivePipeline::stats() const {
  std::lock_guard lock(mutex_);
  return stream_->stats();
}

std::chrono::milliseconds AudioReceivePipeline::currentDelay() const {
  std::lock_guard lock(mutex_);
  return stream_->currentDelay();
}

}  // namespace huddle::client
