#include "client/pipeline/video_receive_pipeline.h"

#include <utility>

namespace huddle::client {

namespace {
// Enough for delta frames of most streams; keyframes grow a slot once.
constexpr std::size_t kInitialSlotBytes = 64 * 1024;
}  // namespace

struct VideoReceivePipeline::Core {
  Core(const VideoReceiveStreamConfig& config, VideoReceiveStream::Listener& listener)
      : stream(config, listener) {}
  VideoReceiveStream stream;
  // Set by the decode thread, taken on the network thread.
  std::atomic<bool> decoderWantsKeyframe{false};
};

StreamResult<std::unique_ptr<VideoReceivePipeline>> VideoReceivePipeline::create(
    const VideoReceivePipelineConfig& config, FrameSink frameSink, RtcpSink rtcpSink, Poster poster) {
  if (config.queueFrames < 1 || config.queueFrames > 32 || config.maxFrameBytes == 0 || !frameSink || !rtcpSink) {
    return Error{StreamError::InvalidConfig, "VideoReceivePipeline: queue 1..32, maxFrameBytes > 0, both sinks"};
  }
  auto decoder = media::Vp8Decoder::create();
  if (!decoder) {
    return Error{StreamError::Codec, "VideoReceivePipeline: " + decoder.message()};
  }
  std::unique_ptr<VideoReceivePipeline> p(
      new VideoReceivePipeline(config, std::move(frameSink), std::move(rtcpSink), std::move(poster)));
  p->decoder_ = std::move(decoder).value();
  p->thread_ = std::thread([raw = p.get()] { raw->run(); });
  return p;
}

VideoReceivePipeline::VideoReceivePipeline(const VideoReceivePipelineConfig& config, FrameSink frameSink,
                                           RtcpSink rtcpSink, Poster poster)
    : config_(config),
      frameSink_(std::move(frameSink)),
      rtcpSink_(std::move(rtcpSink)),
      poster_(std::move(poster)),
      core_(std::make_shared<Core>(config.stream, static_cast<VideoReceiveStream::Listener&>(*this))),
      queue_(config.queueFrames) {
  for (Slot& slot : queue_) {
    slot.data.reserve(kInitialSlotBytes);
  }
}

VideoReceivePipeline::~VideoReceivePipeline() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
  // Posted tasks still queued on the network thread find the core gone.
  core_.reset();
}

void VideoReceivePipeline::onRtp(std::span<std::uint8_t> packet, StreamTime now) { core_->stream.onRtp(packet, now); }

void VideoReceivePipeline::tick(StreamTime now) {
  if (!poster_ && core_->decoderWantsKeyframe.exchange(false, std::memory_order_relaxed)) {
    core_->stream.requestKeyframe();
  }
  core_->stream.tick(now);
}

void VideoReceivePipeline::requestKeyframe() noexcept { core_->stream.requestKeyframe(); }

void VideoReceivePipeline::setRtt(std::chrono::microseconds rtt) noexcept { core_->stream.setRtt(rtt); }

void VideoReceivePipeline::onSenderReport(const rtc::RtcpSenderReport& report, StreamTime now) noexcept {
  core_->stream.onSenderReport(report, now);
}

std::optional<rtc::ReportBlock> VideoReceivePipeline::makeReportBlock(StreamTime now) noexcept {
  return core_->stream.makeReportBlock(now);
}

const VideoReceiveStreamStats& VideoReceivePipeline::streamStats() const noexcept { return core_->stream.stats(); }

VideoReceivePipelineStats VideoReceivePipeline::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void VideoReceivePipeline::onVideoReceiveStreamRtcp(VideoReceiveStream& /*stream*/,
                                                    std::span<const std::uint8_t> rtcp) {
  rtcpSink_(rtcp);
}

void VideoReceivePipeline::onVideoReceiveStreamFrame(VideoReceiveStream& stream,
                                                     const media::Vp8AssembledFrame& frame) {
  bool dropped = false;
  {
    std::lock_guard lock(mutex_);
    if (frame.keyframe) {
      waitForKeyframe_ = false;
    }
    if (waitForKeyframe_ || frame.data.size() > config_.maxFrameBytes) {
      dropped = true;
    } else if (count_ == queue_.size()) {
      if (frame.keyframe) {
        // Nothing queued is needed once a keyframe is here: start over from it.
        stats_.framesDropped += count_;
        count_ = 0;
      } else {
        dropped = true;
      }
    }
    if (dropped) {
      ++stats_.framesDropped;
      if (!waitForKeyframe_) {
        // Later deltas reference the dropped frame: decoding them would show garbage.
        waitForKeyframe_ = true;
        ++stats_.keyframesRequested;
        stream.requestKeyframe();
      }
    } else {
      Slot& slot = queue_[(head_ + count_) % queue_.size()];
      // Allocates only when this frame is the largest this slot has held.
      slot.data.assign(frame.data.begin(), frame.data.end());
      slot.size = frame.data.size();
      slot.timestamp = frame.timestamp;
      slot.keyframe = frame.keyframe;
      ++count_;
    }
  }
  if (!dropped) {
    cv_.notify_one();
  }
}

void VideoReceivePipeline::askKeyframeFromDecoder() {
  {
    std::lock_guard lock(mutex_);
    ++stats_.keyframesRequested;
  }
  // One request in flight at a time; the stream rate-limits PLIs anyway.
  if (core_->decoderWantsKeyframe.exchange(true, std::memory_order_relaxed) || !poster_) {
    return;
  }
  poster_([weak = std::weak_ptr<Core>(core_)] {
    if (auto core = weak.lock()) {
      core->decoderWantsKeyframe.store(false, std::memory_order_relaxed);
      core->stream.requestKeyframe();
    }
  });
}

void VideoReceivePipeline::run() {
  Slot working;
  working.data.reserve(kInitialSlotBytes);
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return stop_ || count_ > 0; });
      if (stop_) {
        return;
      }
      std::swap(working, queue_[head_]);
      head_ = (head_ + 1) % queue_.size();
      --count_;
    }
    auto picture = decoder_->decode(std::span<const std::uint8_t>(working.data.data(), working.size),
                                    working.timestamp);
    if (!picture) {
      {
        std::lock_guard lock(mutex_);
        ++stats_.decodeErrors;
      }
      askKeyframeFromDecoder();
      continue;
    }
    {
      std::lock_guard lock(mutex_);
      ++stats_.framesDecoded;
      stats_.lastWidth = picture->width;
      stats_.lastHeight = picture->height;
    }
    frameSink_(*picture);
  }
}

}  // namespace huddle::client
