#include "client/pipeline/video_send_pipeline.h"

#include <algorithm>
#include <string>
#include <utility>

namespace huddle::client {

namespace {

// RTP video timestamps run on a 90 kHz clock, rounded to the nearest tick (capture times of
// 30 fps sources are whole microseconds, not whole ticks); 32-bit wrap is intended.
std::uint32_t rtpTimestampOf(std::int64_t captureTimeUs) noexcept {
  return static_cast<std::uint32_t>((static_cast<std::uint64_t>(captureTimeUs) * 9 + 50) / 100);
}

}  // namespace

StreamResult<std::unique_ptr<VideoSendPipeline>> VideoSendPipeline::create(const VideoSendPipelineConfig& config,
                                                                           PacketSink sink) {
  if (config.layers < 1 || config.layers > kMaxVideoLayers || config.width < 16 || config.height < 16 ||
      config.fps < 1 || config.queueFrames < 1 || config.queueFrames > kMaxQueue || !sink) {
    return Error{StreamError::InvalidConfig, "VideoSendPipeline: layers 1..3, size >= 16, queue 1..2, a sink"};
  }
  std::unique_ptr<VideoSendPipeline> p(new VideoSendPipeline(config, std::move(sink)));
  // Same layer sizes as SimulcastVp8Encoder: the smallest kept layers are dropped first, and
  // sizes stay even so chroma is exactly half of luma.
  const int first = kMaxVideoLayers - config.layers;
  for (int i = 0; i < config.layers; ++i) {
    Layer& layer = p->layer_[static_cast<std::size_t>(i)];
    const int divisor = 1 << (kMaxVideoLayers - 1 - (first + i));
    layer.width = std::max(16, config.width / divisor / 2 * 2);
    layer.height = std::max(16, config.height / divisor / 2 * 2);
    const int kbps = config.bitratesKbps[static_cast<std::size_t>(i)];
    media::Vp8EncoderConfig ec;
    ec.width = layer.width;
    ec.height = layer.height;
    ec.fps = config.fps;
    ec.targetBitrateKbps = kbps;
    ec.speed = config.speed;
    auto encoder = media::Vp8Encoder::create(ec);
    if (!encoder) {
      return Error{StreamError::InvalidConfig, "VideoSendPipeline layer " + std::to_string(i) + ": " + encoder.message()};
    }
    layer.encoder = std::move(encoder).value();
    layer.bitrateKbps = kbps;
    layer.appliedKbps = kbps;
    layer.listener.owner = p.get();
    layer.listener.layer = i;
    RtpSendStreamConfig sc = config.streams[static_cast<std::size_t>(i)];
    sc.kind = MediaKind::Video;
    sc.clockRate = media::kVideoClockRate;
    auto stream = RtpSendStream::create(sc, layer.listener);
    if (!stream) {
      return Error{stream.code(), "VideoSendPipeline layer " + std::to_string(i) + ": " + stream.message()};
    }
    layer.stream = std::move(stream).value();
    layer.scaled.reset(layer.width, layer.height);
  }
  // Buffers sized once here, so a steady input size never allocates per frame.
  for (auto& slot : p->queue_) {
    slot.reset(config.width, config.height);
  }
  p->thread_ = std::thread([raw = p.get()] { raw->run(); });
  return p;
}

VideoSendPipeline::VideoSendPipeline(const VideoSendPipelineConfig& config, PacketSink sink)
    : config_(config), sink_(std::move(sink)), layers_(config.layers), queueCapacity_(config.queueFrames) {}

VideoSendPipeline::~VideoSendPipeline() {
  {
    std::lock_guard lock(queueMutex_);
    stop_ = true;
  }
  queueCv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

media::VideoFrame& VideoSendPipeline::claimSlotLocked() {
  if (queueCount_ == queueCapacity_) {
    // The encoder is behind: the newest picture matters more than the oldest.
    queueHead_ = (queueHead_ + 1) % queueCapacity_;
    --queueCount_;
    ++stats_.framesDropped;
  }
  return queue_[(queueHead_ + queueCount_) % queueCapacity_];
}

void VideoSendPipeline::commitSlotLocked() {
  ++queueCount_;
  ++stats_.framesPushed;
}

bool VideoSendPipeline::pushI420(const media::I420View& frame) {
  {
    std::lock_guard lock(queueMutex_);
    if (frame.empty() || stop_) {
      ++stats_.framesRejected;
      return false;
    }
    media::VideoFrame& slot = claimSlotLocked();
    if (frame.width == config_.width && frame.height == config_.height) {
      slot.copyFrom(frame);
    } else if (!media::scaleI420(frame, slot, config_.width, config_.height)) {
      ++stats_.framesRejected;
      return false;
    }
    slot.setCaptureTimeUs(frame.captureTimeUs);
    slot.setRtpTimestamp(rtpTimestampOf(frame.captureTimeUs));
    commitSlotLocked();
  }
  queueCv_.notify_one();
  return true;
}

bool VideoSendPipeline::pushPacked(const media::PackedImage& image, std::int64_t captureTimeUs) {
  {
    std::lock_guard lock(queueMutex_);
    if (image.data == nullptr || image.width <= 0 || image.height <= 0 || stop_) {
      ++stats_.framesRejected;
      return false;
    }
    media::VideoFrame& slot = claimSlotLocked();
    if (image.width == config_.width && image.height == config_.height) {
      if (!media::packedToI420(image, slot)) {
        ++stats_.framesRejected;
        return false;
      }
    } else if (!media::packedToI420(image, convertScratch_) ||
               !media::scaleI420(convertScratch_.view(), slot, config_.width, config_.height)) {
      ++stats_.framesRejected;
      return false;
    }
    slot.setCaptureTimeUs(captureTimeUs);
    slot.setRtpTimestamp(rtpTimestampOf(captureTimeUs));
    commitSlotLocked();
  }
  queueCv_.notify_one();
  return true;
}

void VideoSendPipeline::run() {
  media::VideoFrame working(config_.width, config_.height);
  for (;;) {
    {
      std::unique_lock lock(queueMutex_);
      queueCv_.wait(lock, [this] { return stop_ || queueCount_ > 0; });
      if (stop_) {
        return;
      }
      // Swapping moves buffers, not pixels: the slot gets the previous working buffer back.
      std::swap(working, queue_[queueHead_]);
      queueHead_ = (queueHead_ + 1) % queueCapacity_;
      --queueCount_;
    }
    encodeAndSend(working);
  }
}

void VideoSendPipeline::encodeAndSend(const media::VideoFrame& frame) {
  for (int i = 0; i < layers_; ++i) {
    Layer& layer = layer_[static_cast<std::size_t>(i)];
    if (!layer.active.load(std::memory_order_relaxed)) {
      std::lock_guard lock(queueMutex_);
      ++stats_.framesSkipped[static_cast<std::size_t>(i)];
      continue;
    }
    const int kbps = layer.bitrateKbps.load(std::memory_order_relaxed);
    if (kbps != layer.appliedKbps && layer.encoder->setTargetBitrate(kbps)) {
      layer.appliedKbps = kbps;
    }
    media::I420View input = frame.view();
    if (frame.width() != layer.width || frame.height() != layer.height) {
      if (!media::scaleI420(frame.view(), layer.scaled, layer.width, layer.height)) {
        std::lock_guard lock(queueMutex_);
        ++stats_.encodeErrors;
        continue;
      }
      input = layer.scaled.view();
    }
    const bool force = layer.keyframeWanted.exchange(false, std::memory_order_relaxed);
    auto encoded = layer.encoder->encode(input, force);
    if (!encoded || encoded->data.empty()) {
      std::lock_guard lock(queueMutex_);
      stats_.encodeErrors += encoded ? 0 : 1;
      continue;
    }
    bool sent = false;
    {
      std::lock_guard lock(streamMutex_);
      sent = layer.stream->sendVideoFrame(encoded->data, encoded->keyframe, frame.rtpTimestamp(),
                                          std::chrono::steady_clock::now())
                 .ok();
    }
    std::lock_guard lock(queueMutex_);
    if (sent) {
      ++stats_.framesEncoded[static_cast<std::size_t>(i)];
      stats_.keyframesEncoded[static_cast<std::size_t>(i)] += encoded->keyframe ? 1 : 0;
    } else {
      ++stats_.encodeErrors;
    }
  }
}

void VideoSendPipeline::LayerListener::onRtpSendStreamPacket(RtpSendStream& /*stream*/, RtpOutgoingPacket& packet) {
  owner->sink_(layer, packet);
}

void VideoSendPipeline::LayerListener::onRtpSendStreamKeyframeRequest(RtpSendStream& /*stream*/) {
  owner->requestKeyframe(layer);
}

bool VideoSendPipeline::onRtcp(const rtc::RtcpPacket& packet, StreamTime now) {
  std::lock_guard lock(streamMutex_);
  bool handled = false;
  for (int i = 0; i < layers_; ++i) {
    handled = layer_[static_cast<std::size_t>(i)].stream->handleRtcp(packet, now) || handled;
  }
  return handled;
}

void VideoSendPipeline::requestKeyframe(int layer) noexcept {
  if (layer >= 0 && layer < layers_) {
    layer_[static_cast<std::size_t>(layer)].keyframeWanted.store(true, std::memory_order_relaxed);
  }
}

void VideoSendPipeline::setLayerActive(int layer, bool active) noexcept {
  if (layer < 0 || layer >= layers_) {
    return;
  }
  Layer& l = layer_[static_cast<std::size_t>(layer)];
  const bool was = l.active.exchange(active, std::memory_order_relaxed);
  if (active && !was) {
    // Receivers of a resumed layer have no reference to decode deltas against.
    l.keyframeWanted.store(true, std::memory_order_relaxed);
  }
}

bool VideoSendPipeline::layerActive(int layer) const noexcept {
  return layer >= 0 && layer < layers_ && layer_[static_cast<std::size_t>(layer)].active.load(std::memory_order_relaxed);
}

bool VideoSendPipeline::setTargetBitrate(int layer, int kbps) noexcept {
  if (layer < 0 || layer >= layers_ || kbps <= 0) {
    return false;
  }
  layer_[static_cast<std::size_t>(layer)].bitrateKbps.store(kbps, std::memory_order_relaxed);
  return true;
}

VideoSendPipelineStats VideoSendPipeline::stats() const {
  std::lock_guard lock(queueMutex_);
  return stats_;
}

RtpSendStreamStats VideoSendPipeline::streamStats(int layer) const {
  if (layer < 0 || layer >= layers_) {
    return {};
  }
  std::lock_guard lock(streamMutex_);
  return layer_[static_cast<std::size_t>(layer)].stream->stats();
}

std::optional<rtc::RtcpSenderReport> VideoSendPipeline::makeSenderReport(int layer, StreamTime now) const {
  if (layer < 0 || layer >= layers_) {
    return std::nullopt;
  }
  std::lock_guard lock(streamMutex_);
  return layer_[static_cast<std::size_t>(layer)].stream->makeSenderReport(now);
}

int VideoSendPipeline::layerWidth(int layer) const noexcept {
  return layer >= 0 && layer < layers_ ? layer_[static_cast<std::size_t>(layer)].width : 0;
}

int VideoSendPipeline::layerHeight(int layer) const noexcept {
  return layer >= 0 && layer < layers_ ? layer_[static_cast<std::size_t>(layer)].height : 0;
}

}  // namespace huddle::client
