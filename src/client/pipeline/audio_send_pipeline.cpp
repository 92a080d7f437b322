#include "client/pipeline/audio_send_pipeline.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

namespace huddle::client {

namespace {
constexpr int kSamplesPer20ms = 960;
}  // namespace

std::uint8_t audioLevelDbov(std::span<const std::int16_t> samples) noexcept {
  if (samples.empty()) {
    return 127;
  }
  double energy = 0.0;
  for (const std::int16_t s : samples) {
    energy += static_cast<double>(s) * static_cast<double>(s);
  }
  const double rms = std::sqrt(energy / static_cast<double>(samples.size())) / 32768.0;
  if (rms <= 0.0) {
    return 127;
  }
  const double dbov = 20.0 * std::log10(rms);
  return static_cast<std::uint8_t>(std::clamp(-dbov, 0.0, 127.0));
}

StreamResult<std::unique_ptr<AudioSendPipeline>> AudioSendPipeline::create(const AudioSendPipelineConfig& config,
                                                                           PacketSink sink) {
  if ((config.channels != 1 && config.channels != 2) || !sink) {
    return Error{StreamError::InvalidConfig, "AudioSendPipeline: 1 or 2 channels and a sink"};
  }
  std::unique_ptr<AudioSendPipeline> p(new AudioSendPipeline(config, std::move(sink)));
  media::OpusEncoderConfig ec;
  ec.channels = config.channels;
  ec.bitrateBps = config.bitrateBps;
  ec.inbandFec = config.inbandFec;
  ec.dtx = config.dtx;
  auto encoder = media::OpusEncoder::create(ec);
  if (!encoder) {
    return Error{StreamError::Codec, "AudioSendPipeline: " + encoder.message()};
  }
  p->encoder_ = std::move(encoder).value();
  RtpSendStreamConfig sc = config.stream;
  sc.kind = MediaKind::Audio;
  sc.clockRate = media::kAudioSampleRate;
  auto stream = RtpSendStream::create(sc, *p);
  if (!stream) {
    return Error{stream.code(), "AudioSendPipeline: " + stream.message()};
  }
  p->stream_ = std::move(stream).value();
  p->nextTimestamp_ = config.firstTimestamp;
  return p;
}

AudioSendPipeline::AudioSendPipeline(const AudioSendPipelineConfig& config, PacketSink sink)
    : config_(config), sink_(std::move(sink)), pending_(config.channels, kSamplesPer20ms) {}

void AudioSendPipeline::onRtpSendStreamPacket(RtpSendStream& /*stream*/, RtpOutgoingPacket& packet) { sink_(packet); }

bool AudioSendPipeline::push10ms(const media::AudioFrame& frame, StreamTime now) {
  if (frame.channels() != config_.channels || frame.samplesPerChannel() != kSamplesPer10ms) {
    std::lock_guard lock(mutex_);
    ++stats_.framesRejected;
    return false;
  }
  bool muted = false;
  {
    std::lock_guard lock(mutex_);
    ++stats_.framesPushed;
    muted = muted_;
    stats_.framesMuted += muted ? 1 : 0;
  }
  if (muted) {
    // Half a packet already collected is thrown away with the rest of the muted audio.
    nextTimestamp_ += static_cast<std::uint32_t>(pendingSamples_ + kSamplesPer10ms);
    pendingSamples_ = 0;
    return true;
  }
  const auto in = frame.samples();
  std::memcpy(pending_.samples().data() + pendingSamples_ * config_.channels, in.data(), in.size_bytes());
  pendingSamples_ += kSamplesPer10ms;
  if (pendingSamples_ < kSamplesPer20ms) {
    return true;
  }
  pendingSamples_ = 0;
  const std::uint32_t timestamp = nextTimestamp_;
  nextTimestamp_ += kSamplesPer20ms;
  const std::uint8_t level = audioLevelDbov(pending_.samples());
  const bool voice = -static_cast<int>(level) >= config_.voiceThresholdDbov;
  auto packet = encoder_->encode(pending_);
  std::lock_guard lock(mutex_);
  if (!packet) {
    ++stats_.encodeErrors;
    return true;
  }
  if (stream_->sendAudioFrame(*packet, timestamp, level, voice, now)) {
    ++stats_.packetsSent;
    stats_.lastLevel = level;
  } else {
    ++stats_.encodeErrors;
  }
  return true;
}

bool AudioSendPipeline::onRtcp(const rtc::RtcpPacket& packet, StreamTime now) {
  std::lock_guard lock(mutex_);
  return stream_->handleRtcp(packet, now);
}

void AudioSendPipeline::setMuted(bool muted) noexcept {
  std::lock_guard lock(mutex_);
  muted_ = muted;
}

bool AudioSendPipeline::muted() const noexcept {
  std::lock_guard lock(mutex_);
  return muted_;
}

AudioSendPipelineStats AudioSendPipeline::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

RtpSendStreamStats AudioSendPipeline::streamStats() const {
  std::lock_guard lock(mutex_);
  return stream_->stats();
}

rtc::RtcpSenderReport AudioSendPipeline::makeSenderReport(StreamTime now) const {
  std::lock_guard lock(mutex_);
  return stream_->makeSenderReport(now);
}

}  // namespace huddle::client
