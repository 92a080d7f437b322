#include "client/stream/audio_receive_stream.h"

#include <algorithm>
#include <cstring>

namespace huddle::client {
namespace {

constexpr std::int64_t kSampleRate = media::kAudioSampleRate;
constexpr int kWindowPulls = 50;         // 500 ms between shrink decisions
constexpr std::int64_t kMarginUs = 5000;  // on top of the measured spread
constexpr std::int64_t kShrinkSlackUs = 20000;

std::int64_t samplesToUs(std::int64_t samples) { return samples * 1000000 / kSampleRate; }

}  // namespace

StreamResult<std::unique_ptr<AudioReceiveStream>> AudioReceiveStream::create(const AudioReceiveStreamConfig& config) {
  if (config.channels < 1 || config.channels > 2 || config.minDelay.count() < 0 ||
      config.maxDelay < config.minDelay) {
    return Error{StreamError::InvalidConfig, "AudioReceiveStream: 1-2 channels and minDelay <= maxDelay"};
  }
  auto decoder = media::OpusDecoder::create(config.channels);
  if (!decoder) {
    return Error{StreamError::Codec, "AudioReceiveStream: " + decoder.message()};
  }
  return std::unique_ptr<AudioReceiveStream>(new AudioReceiveStream(config, std::move(*decoder)));
}

AudioReceiveStream::AudioReceiveStream(const AudioReceiveStreamConfig& config,
                                       std::unique_ptr<media::OpusDecoder> decoder)
    : config_(config),
      incoming_{config.ssrc, std::nullopt, config.payloadType, 0},
      decoder_(std::move(decoder)),
      statistics_(static_cast<std::uint32_t>(kSampleRate)),
      bytes_(std::make_unique_for_overwrite<std::uint8_t[]>(kSlots * kMaxPayloadSize)),
      pcm_(static_cast<std::size_t>(media::kMaxAudioSamplesPerChannel * config.channels)),
      targetUs_(std::chrono::duration_cast<std::chrono::microseconds>(config.minDelay).count()),
      out_(config.channels, kSamplesPer10ms) {}

void AudioReceiveStream::onSenderReport(const rtc::RtcpSenderReport& report, StreamTime now) noexcept {
  if (report.ssrc == config_.ssrc) {
    statistics_.onSenderReport(report.ntpTimestamp, now);
  }
}

std::span<const std::uint8_t> AudioReceiveStream::payloadOf(const Slot& slot) const noexcept {
  return {bytes_.get() + (slot.seq % kSlots) * kMaxPayloadSize, slot.size};
}

void AudioReceiveStream::onRtp(std::span<std::uint8_t> packet, StreamTime now) {
  const IncomingRtp in = parseIncomingRtp(packet, incoming_);
  if (in.status == IncomingRtpStatus::Malformed || in.payload.size() > kMaxPayloadSize) {
    ++stats_.malformed;
    return;
  }
  if (in.status != IncomingRtpStatus::Media) {
    ++stats_.ignored;
    return;
  }
  const std::int64_t nowUs = toMicros(now);
  ++stats_.packets;
  stats_.bytes += packet.size();
  if (!started_) {
    started_ = true;
    playSeq_ = in.seq;
    playTs_ = in.timestamp;
    refTs_ = in.timestamp;
  }
  const auto ahead = static_cast<std::int16_t>(static_cast<std::uint16_t>(in.seq - playSeq_));
  if (ahead < 0) {
    ++stats_.latePackets;
    statistics_.onPacket(in.seq, in.timestamp, now, false);
    return;
  }
  if (static_cast<std::size_t>(ahead) >= kSlots) {
    // Far beyond the buffer: the sender jumped. Start over from this packet.
    for (Slot& s : slots_) {
      stats_.discardedPackets += s.present ? 1 : 0;
      s.present = false;
    }
    playSeq_ = in.seq;
    playTs_ = in.timestamp;
    haveNewest_ = false;
    playing_ = false;
  }
  Slot& slot = slotOf(in.seq);
  if (slot.present && slot.seq == in.seq) {
    ++stats_.duplicates;
    return;
  }
  slot.present = true;
  slot.seq = in.seq;
  slot.timestamp = in.timestamp;
  slot.size = in.payload.size();
  std::memcpy(bytes_.get() + (in.seq % kSlots) * kMaxPayloadSize, in.payload.data(), in.payload.size());
  if (!haveNewest_ || static_cast<std::int16_t>(static_cast<std::uint16_t>(in.seq - newestSeq_)) > 0) {
    haveNewest_ = true;
    newestSeq_ = in.seq;
    newestTs_ = in.timestamp;
  }
  statistics_.onPacket(in.seq, in.timestamp, now, false);
  measureTransit(in.timestamp, nowUs);
}

void AudioReceiveStream::measureTransit(std::uint32_t timestamp, std::int64_t nowUs) noexcept {
  const auto mediaTicks = static_cast<std::int32_t>(timestamp - static_cast<std::uint32_t>(refTs_));
  const std::int64_t transit = nowUs - samplesToUs(mediaTicks);
  transit_[transitNext_] = transit;
  transitNext_ = (transitNext_ + 1) % kTransitWindow;
  transitCount_ = std::min(transitCount_ + 1, kTransitWindow);
  std::int64_t lo = transit;
  std::int64_t hi = transit;
  for (std::size_t i = 0; i < transitCount_; ++i) {
    lo = std::min(lo, transit_[i]);
    hi = std::max(hi, transit_[i]);
  }
  const std::int64_t minUs = std::chrono::duration_cast<std::chrono::microseconds>(config_.minDelay).count();
  const std::int64_t maxUs = std::chrono::duration_cast<std::chrono::microseconds>(config_.maxDelay).count();
  targetUs_ = std::clamp(hi - lo + kMarginUs, minUs, maxUs);
}

std::int64_t AudioReceiveStream::bufferedSamples() const noexcept {
  std::int64_t samples = static_cast<std::int64_t>(pcmSize_ - pcmPos_);
  if (started_ && haveNewest_ && static_cast<std::int16_t>(static_cast<std::uint16_t>(newestSeq_ - playSeq_)) >= 0) {
    samples += std::int64_t{static_cast<std::int32_t>(newestTs_ - playTs_)} + packetSamples_;
  }
  // A forged timestamp must not claim hours of buffered audio (the shrink would follow it).
  return std::clamp<std::int64_t>(samples, 0, static_cast<std::int64_t>(kSlots) * media::kMaxAudioSamplesPerChannel);
}

std::chrono::milliseconds AudioReceiveStream::currentDelay() const noexcept {
  return std::chrono::milliseconds(currentUs_ / 1000);
}

std::chrono::milliseconds AudioReceiveStream::targetDelay() const noexcept {
  return std::chrono::milliseconds(targetUs_ / 1000);
}

void AudioReceiveStream::takePcm(const media::AudioFrame& frame) {
  const auto in = frame.samples();
  std::copy(in.begin(), in.end(), pcm_.begin());
  pcmPos_ = 0;
  pcmSize_ = static_cast<std::size_t>(frame.samplesPerChannel());
}

bool AudioReceiveStream::refill() {
  Slot& slot = slotOf(playSeq_);
  const bool present = slot.present && slot.seq == playSeq_;
  if (present) {
    slot.present = false;
    auto frame = decoder_->decode(payloadOf(slot));
    ++playSeq_;
    if (frame) {
      packetSamples_ = (*frame)->samplesPerChannel();
      // From the packet itself: after DTX or a long underrun the clock jumped ahead of us.
      playTs_ = slot.timestamp + static_cast<std::uint32_t>(packetSamples_);
      takePcm(**frame);
      return true;
    }
    ++stats_.discardedPackets;
    playTs_ += static_cast<std::uint32_t>(packetSamples_);
    auto concealed = decoder_->conceal(packetSamples_);
    if (!concealed) {
      return false;
    }
    stats_.concealedSamples += static_cast<std::uint64_t>((*concealed)->samplesPerChannel());
    takePcm(**concealed);
    return true;
  }
  const bool newer = haveNewest_ && static_cast<std::int16_t>(static_cast<std::uint16_t>(newestSeq_ - playSeq_)) > 0;
  const std::int64_t aheadUs = newer ? samplesToUs(static_cast<std::int32_t>(newestTs_ - playTs_)) : 0;
  if (newer && aheadUs >= targetUs_) {
    // Later packets came more than the target delay ago: this one is lost, not just late.
    const auto nextSeq = static_cast<std::uint16_t>(playSeq_ + 1);
    const Slot& next = slotOf(nextSeq);
    media::MediaResult<const media::AudioFrame*> frame = (next.present && next.seq == nextSeq)
                                                              ? decoder_->recoverFromFec(payloadOf(next), packetSamples_)
                                                              : decoder_->conceal(packetSamples_);
    if (next.present && next.seq == nextSeq && frame) {
      ++stats_.fecRecoveredPackets;
    }
    ++playSeq_;
    playTs_ += static_cast<std::uint32_t>(packetSamples_);
    if (!frame) {
      return false;
    }
    stats_.concealedSamples += static_cast<std::uint64_t>((*frame)->samplesPerChannel());
    takePcm(**frame);
    return true;
  }
  // Nothing to play yet: conceal 10 ms without moving on, which lets the delay grow by as
  // much as the network needs.
  auto frame = decoder_->conceal(kSamplesPer10ms);
  if (!frame) {
    return false;
  }
  stats_.concealedSamples += static_cast<std::uint64_t>((*frame)->samplesPerChannel());
  takePcm(**frame);
  return true;
}

const media::AudioFrame& AudioReceiveStream::pull10ms(StreamTime /*now*/) {
  out_.reset(config_.channels, kSamplesPer10ms);
  const auto out = out_.samples();
  const auto channels = static_cast<std::size_t>(config_.channels);
  const std::int64_t bufferedUs = samplesToUs(bufferedSamples());
  if (!started_ || (!playing_ && bufferedUs < targetUs_)) {
    std::fill(out.begin(), out.end(), std::int16_t{0});
    stats_.silentSamples += kSamplesPer10ms;
    return out_;
  }
  playing_ = true;

  windowMaxUs_ = std::max(windowMaxUs_, bufferedUs);
  if (++windowPulls_ >= kWindowPulls) {
    currentUs_ = windowMaxUs_;
    // The packet just arrived is part of what is buffered; only the wait beyond it counts
    // against the target.
    const std::int64_t waitUs = windowMaxUs_ - samplesToUs(packetSamples_);
    if (waitUs > targetUs_ + kShrinkSlackUs) {
      const std::int64_t maxUs = std::chrono::duration_cast<std::chrono::microseconds>(config_.maxDelay).count();
      removeUs_ = std::min(waitUs - targetUs_ - kShrinkSlackUs / 2, maxUs);
    }
    windowMaxUs_ = 0;
    windowPulls_ = 0;
  }

  std::size_t filled = 0;
  bool removed = false;
  // At most a 120 ms packet per refill: a handful of rounds always fills 10 ms.
  for (int round = 0; round < 8 && filled < kSamplesPer10ms; ++round) {
    if (pcmPos_ == pcmSize_ && !refill()) {
      break;
    }
    if (!removed && removeUs_ >= 10000 && pcmSize_ - pcmPos_ >= kSamplesPer10ms && filled == 0) {
      // Shrink: skip 10 ms of decoded audio (one step per pull keeps it inaudible).
      pcmPos_ += kSamplesPer10ms;
      removeUs_ -= 10000;
      stats_.removedSamples += kSamplesPer10ms;
      removed = true;
      continue;
    }
    const std::size_t n = std::min(kSamplesPer10ms - filled, pcmSize_ - pcmPos_);
    std::memcpy(out.data() + filled * channels, pcm_.data() + pcmPos_ * channels, n * channels * sizeof(std::int16_t));
    filled += n;
    pcmPos_ += n;
  }
  if (filled < kSamplesPer10ms) {
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(filled * channels), out.end(), std::int16_t{0});
  }
  stats_.samplesOut += kSamplesPer10ms;
  return out_;
}

}  // namespace huddle::client
