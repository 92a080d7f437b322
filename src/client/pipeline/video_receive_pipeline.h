#pragma once
// RTP of one remote VP8 stream -> VideoReceiveStream (reorder, NACK, PLI) -> complete frames
// to a decode thread -> Vp8Decoder -> I420 pictures to the application's sink.
//
// Thread-safe: onRtp(), tick(), requestKeyframe(), setRtt(), onSenderReport(),
// makeReportBlock() and streamStats() belong to one "network" thread (the stream is
// single-threaded). Decoding runs on the pipeline's own thread, which calls the frame sink.
// stats() from any thread. The RTCP sink is called on the network thread. A decode error asks
// for a keyframe through the poster (a task run later on the network thread; the task holds
// only a weak reference, so it is harmless after destruction); without a poster the request
// is picked up at the next tick(). The destructor joins the decode thread: no frame-sink call
// starts after it returns. Destroy it on the network thread, or after that thread stopped
// calling in.

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "client/stream/stream_error.h"
#include "client/stream/video_receive_stream.h"
#include "media/video_frame.h"
#include "media/vp8_decoder.h"

namespace huddle::client {

struct VideoReceivePipelineConfig {
  VideoReceiveStreamConfig stream;
  // Complete frames waiting for the decoder (1..32). A NACK repair releases every frame held
  // behind the gap at once, so the queue must absorb such a burst: a drop costs a keyframe.
  std::size_t queueFrames = 16;
  // Encoded frames larger than this are dropped (and a keyframe asked for). Queue buffers
  // grow to the largest frame seen and are reused, so a steady stream does not allocate.
  std::size_t maxFrameBytes = 1024 * 1024;
};

struct VideoReceivePipelineStats {
  std::uint64_t framesDecoded = 0;
  // Queue full or frame too large; frames after a drop wait for a keyframe and count here too.
  std::uint64_t framesDropped = 0;
  std::uint64_t decodeErrors = 0;
  std::uint64_t keyframesRequested = 0;  // by the decode side (errors, drops)
  int lastWidth = 0;
  int lastHeight = 0;
};

class VideoReceivePipeline final : private VideoReceiveStream::Listener {
 public:
  // On the decode thread; the picture is valid during the call (copy it to keep it).
  using FrameSink = std::function<void(const media::I420View& frame)>;
  // On the network thread; one RTCP feedback packet (NACK or PLI), valid during the call.
  using RtcpSink = std::function<void(std::span<const std::uint8_t> rtcp)>;
  // Runs a task on the network thread, later.
  using Poster = std::function<void(std::function<void()>)>;

  [[nodiscard]] static StreamResult<std::unique_ptr<VideoReceivePipeline>> create(
      const VideoReceivePipelineConfig& config, FrameSink frameSink, RtcpSink rtcpSink, Poster poster);
  ~VideoReceivePipeline() override;
  VideoReceivePipeline(const VideoReceivePipeline&) = delete;
  VideoReceivePipeline& operator=(const VideoReceivePipeline&) = delete;

  // Network thread.
  void onRtp(std::span<std::uint8_t> packet, StreamTime now);
  void tick(StreamTime now);
  void requestKeyframe() noexcept;
  void setRtt(std::chrono::microseconds rtt) noexcept;
  void onSenderReport(const rtc::RtcpSenderReport& report, StreamTime now) noexcept;
  [[nodiscard]] std::optional<rtc::ReportBlock> makeReportBlock(StreamTime now) noexcept;
  // Freezes, losses, NACKs: the stream's own counters.
  [[nodiscard]] const VideoReceiveStreamStats& streamStats() const noexcept;

  // Any thread.
  [[nodiscard]] VideoReceivePipelineStats stats() const;

 private:
  struct Core;  // the stream, shared with posted tasks through a weak reference
  struct Slot {
    std::vector<std::uint8_t> data;  // grows to the largest frame seen, then reused
    std::size_t size = 0;
    std::uint32_t timestamp = 0;
    bool keyframe = false;
  };

  VideoReceivePipeline(const VideoReceivePipelineConfig& config, FrameSink frameSink, RtcpSink rtcpSink,
                       Poster poster);
  void onVideoReceiveStreamFrame(VideoReceiveStream& stream, const media::Vp8AssembledFrame& frame) override;
  void onVideoReceiveStreamRtcp(VideoReceiveStream& stream, std::span<const std::uint8_t> rtcp) override;
  void run();
  void askKeyframeFromDecoder();

  VideoReceivePipelineConfig config_;
  FrameSink frameSink_;
  RtcpSink rtcpSink_;
  Poster poster_;
  std::shared_ptr<Core> core_;
  std::unique_ptr<media::Vp8Decoder> decoder_;  // decode thread only
  bool waitForKeyframe_ = false;  // network thread: a frame was dropped, deltas are useless

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Slot> queue_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  bool stop_ = false;
  VideoReceivePipelineStats stats_;

  std::thread thread_;
};

}  // namespace huddle::client
