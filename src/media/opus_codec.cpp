#include "media/opus_codec.h"

#include <opus/opus.h>

#include <array>
#include <string>

namespace huddle::media {
namespace {

// libopus declares its own ::OpusEncoder/::OpusDecoder; ours live in huddle::media.
using LibEncoder = ::OpusEncoder;
using LibDecoder = ::OpusDecoder;

Error<MediaError> opusError(MediaError code, const std::string& what, int err) {
  return {code, what + ": " + opus_strerror(err)};
}

bool validFrameSize(int samplesPerChannel) {
  // 2.5, 5, 10, 20, 40, 60 ms at 48 kHz.
  switch (samplesPerChannel) {
    case 120: case 240: case 480: case 960: case 1920: case 2880: return true;
    default: return false;
  }
}

}  // namespace

struct OpusEncoder::Impl {
  OpusEncoderConfig config;
  LibEncoder* enc = nullptr;
  std::array<std::uint8_t, kMaxOpusPacketSize> packet{};
  ~Impl() {
    if (enc != nullptr) {
      opus_encoder_destroy(enc);
    }
  }
};

OpusEncoder::OpusEncoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OpusEncoder::~OpusEncoder() = default;

MediaResult<std::unique_ptr<OpusEncoder>> OpusEncoder::create(const OpusEncoderConfig& config) {
  if (config.channels < 1 || config.channels > 2 || config.bitrateBps < 6000 || config.bitrateBps > 510000 ||
      config.expectedLossPercent < 0 || config.expectedLossPercent > 100 || config.complexity < 0 ||
      config.complexity > 10) {
    return Error{MediaError::InvalidArgument, "OpusEncoder: bad config channels=" + std::to_string(config.channels) +
                                                  " bitrate=" + std::to_string(config.bitrateBps)};
  }
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  int err = OPUS_OK;
  impl->enc = opus_encoder_create(kAudioSampleRate, config.channels, OPUS_APPLICATION_VOIP, &err);
  if (err != OPUS_OK || impl->enc == nullptr) {
    impl->enc = nullptr;
    return opusError(MediaError::CodecInit, "OpusEncoder: opus_encoder_create", err);
  }
  const int settings[] = {
      opus_encoder_ctl(impl->enc, OPUS_SET_BITRATE(config.bitrateBps)),
      opus_encoder_ctl(impl->enc, OPUS_SET_INBAND_FEC(config.inbandFec ? 1 : 0)),
      opus_encoder_ctl(impl->enc, OPUS_SET_PACKET_LOSS_PERC(config.expectedLossPercent)),
      opus_encoder_ctl(impl->enc, OPUS_SET_DTX(config.dtx ? 1 : 0)),
      opus_encoder_ctl(impl->enc, OPUS_SET_COMPLEXITY(config.complexity)),
  };
  for (const int rc : settings) {
    if (rc != OPUS_OK) {
      return opusError(MediaError::CodecInit, "OpusEncoder: opus_encoder_ctl", rc);
    }
  }
  return std::unique_ptr<OpusEncoder>(new OpusEncoder(std::move(impl)));
}

MediaResult<std::span<const std::uint8_t>> OpusEncoder::encode(const AudioFrame& frame) {
  Impl& s = *impl_;
  if (frame.channels() != s.config.channels || !validFrameSize(frame.samplesPerChannel())) {
    return Error{MediaError::InvalidArgument, "OpusEncoder: frame of " + std::to_string(frame.channels()) + "ch x " +
                                                  std::to_string(frame.samplesPerChannel()) +
                                                  " samples (want " + std::to_string(s.config.channels) +
                                                  "ch x 2.5..60 ms)"};
  }
  const opus_int32 n = opus_encode(s.enc, frame.samples().data(), frame.samplesPerChannel(), s.packet.data(),
                                   static_cast<opus_int32>(s.packet.size()));
  if (n < 0) {
    return opusError(MediaError::EncodeFailed, "OpusEncoder: opus_encode", n);
  }
  return std::span<const std::uint8_t>(s.packet.data(), static_cast<std::size_t>(n));
}

MediaResult<Ok> OpusEncoder::setBitrate(int bps) {
  const int rc = opus_encoder_ctl(impl_->enc, OPUS_SET_BITRATE(bps));
  if (rc != OPUS_OK) {
    return opusError(MediaError::InvalidArgument, "OpusEncoder: bitrate " + std::to_string(bps), rc);
  }
  impl_->config.bitrateBps = bps;
  return Ok{};
}

MediaResult<Ok> OpusEncoder::setExpectedLossPercent(int percent) {
  const int rc = opus_encoder_ctl(impl_->enc, OPUS_SET_PACKET_LOSS_PERC(percent));
  if (rc != OPUS_OK) {
    return opusError(MediaError::InvalidArgument, "OpusEncoder: loss " + std::to_string(percent) + "%", rc);
  }
  impl_->config.expectedLossPercent = percent;
  return Ok{};
}

const OpusEncoderConfig& OpusEncoder::config() const noexcept { return impl_->config; }

struct OpusDecoder::Impl {
  int channels = 1;
  LibDecoder* dec = nullptr;
  AudioFrame frame;
  OpusDecoderStats stats;
  ~Impl() {
    if (dec != nullptr) {
      opus_decoder_destroy(dec);
    }
  }

  MediaResult<const AudioFrame*> run(const std::uint8_t* data, std::size_t size, int maxSamples, int fec,
                                     const char* what) {
    // The buffer is kept at the 120 ms maximum, so this reset never allocates after the first.
    frame.reset(channels, kMaxAudioSamplesPerChannel);
    const int n = opus_decode(dec, data, static_cast<opus_int32>(size), frame.samples().data(), maxSamples, fec);
    if (n < 0) {
      return opusError(MediaError::CorruptInput, std::string("OpusDecoder: ") + what, n);
    }
    frame.reset(channels, n);
    return &frame;
  }
};

OpusDecoder::OpusDecoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OpusDecoder::~OpusDecoder() = default;

MediaResult<std::unique_ptr<OpusDecoder>> OpusDecoder::create(int channels) {
  if (channels < 1 || channels > 2) {
    return Error{MediaError::InvalidArgument, "OpusDecoder: " + std::to_string(channels) + " channels (1 or 2)"};
  }
  auto impl = std::make_unique<Impl>();
  impl->channels = channels;
  int err = OPUS_OK;
  impl->dec = opus_decoder_create(kAudioSampleRate, channels, &err);
  if (err != OPUS_OK || impl->dec == nullptr) {
    impl->dec = nullptr;
    return opusError(MediaError::CodecInit, "OpusDecoder: opus_decoder_create", err);
  }
  impl->frame.reset(channels, kMaxAudioSamplesPerChannel);
  return std::unique_ptr<OpusDecoder>(new OpusDecoder(std::move(impl)));
}

MediaResult<const AudioFrame*> OpusDecoder::decode(std::span<const std::uint8_t> packet) {
  if (packet.empty() || packet.size() > kMaxOpusPacketSize) {
    ++impl_->stats.packetsRejected;
    return Error{MediaError::CorruptInput, "OpusDecoder: " + std::to_string(packet.size()) + "-byte packet"};
  }
  auto r = impl_->run(packet.data(), packet.size(), kMaxAudioSamplesPerChannel, 0, "opus_decode");
  ++(r ? impl_->stats.packetsDecoded : impl_->stats.packetsRejected);
  return r;
}

MediaResult<const AudioFrame*> OpusDecoder::conceal(int samplesPerChannel) {
  if (!validFrameSize(samplesPerChannel)) {
    return Error{MediaError::InvalidArgument,
                 "OpusDecoder: conceal " + std::to_string(samplesPerChannel) + " samples (2.5..60 ms)"};
  }
  auto r = impl_->run(nullptr, 0, samplesPerChannel, 0, "concealment");
  if (r) {
    ++impl_->stats.framesConcealed;
  }
  return r;
}

MediaResult<const AudioFrame*> OpusDecoder::recoverFromFec(std::span<const std::uint8_t> nextPacket,
                                                           int samplesPerChannel) {
  if (!validFrameSize(samplesPerChannel)) {
    return Error{MediaError::InvalidArgument,
                 "OpusDecoder: recover " + std::to_string(samplesPerChannel) + " samples (2.5..60 ms)"};
  }
  if (nextPacket.empty() || nextPacket.size() > kMaxOpusPacketSize) {
    return conceal(samplesPerChannel);
  }
  auto r = impl_->run(nextPacket.data(), nextPacket.size(), samplesPerChannel, 1, "FEC decode");
  if (r) {
    ++impl_->stats.framesRecovered;
  } else {
    ++impl_->stats.packetsRejected;
  }
  return r;
}

const OpusDecoderStats& OpusDecoder::stats() const noexcept { return impl_->stats; }

}  // namespace huddle::media
