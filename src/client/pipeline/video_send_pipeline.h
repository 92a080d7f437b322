#pragma once
// Application video frames -> scaling -> one VP8 encoder per simulcast layer -> one
// RtpSendStream per layer -> packets to a sink. No networking: the sink is where the peer
// connection (or a test) takes the packets.
//
// Thread-safe: push*() from any thread (they convert/scale into a bounded queue and never wait
// for the encoder: when it is behind, the oldest queued frame is dropped and counted). Encoding
// runs on the pipeline's own codec thread. onRtcp(), requestKeyframe(), setLayerActive(),
// setTargetBitrate() and stats() from any thread. The RtpSendStreams are serialised by one
// mutex, so the packet sink is called on the codec thread (new frames) or on the thread that
// called onRtcp() (NACK resends), never concurrently, and must not call back into the pipeline.
// The destructor joins the codec thread: no sink call starts after it returns. Destroy it once
// the network thread no longer calls onRtcp().
// A TransportSequencer named in the stream config is advanced under this pipeline's own mutex:
// it must not be shared with another pipeline (it is not atomic).

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "client/stream/rtp_send_stream.h"
#include "media/convert.h"
#include "media/video_frame.h"
#include "media/vp8_encoder.h"
#include "rtc/rtp/rtcp_packet.h"

namespace huddle::client {

inline constexpr int kMaxVideoLayers = 3;

struct VideoSendPipelineConfig {
  // The full-size (top) layer. Frames of any other size are scaled to it (stretching when the
  // aspect ratio differs: the app picks the capture format).
  int width = 1280;
  int height = 720;
  int fps = 30;
  int layers = 3;  // 1..3; layer 0 is the smallest (q, h, f as in SimulcastVp8Encoder)
  // Per layer, smallest first; only the first `layers` entries are used.
  std::array<int, kMaxVideoLayers> bitratesKbps{150, 500, 1700};
  int speed = -6;
  // One RTP stream per layer, smallest first (SSRC, rid, extensions, ...); kind and clock are
  // forced to video/90 kHz.
  std::array<RtpSendStreamConfig, kMaxVideoLayers> streams{};
  std::size_t queueFrames = 2;  // 1..2 frames waiting for the codec thread
};

struct VideoSendPipelineStats {
  std::uint64_t framesPushed = 0;
  std::uint64_t framesDropped = 0;   // queue full: the oldest waiting frame was replaced
  std::uint64_t framesRejected = 0;  // empty or unconvertible input
  std::uint64_t encodeErrors = 0;
  std::array<std::uint64_t, kMaxVideoLayers> framesEncoded{};
  std::array<std::uint64_t, kMaxVideoLayers> keyframesEncoded{};
  std::array<std::uint64_t, kMaxVideoLayers> framesSkipped{};  // layer paused
};

class VideoSendPipeline final {
 public:
  // Called with the layer index; the packet is valid only during the call (see RtpSendStream).
  using PacketSink = std::function<void(int layer, RtpOutgoingPacket& packet)>;

  [[nodiscard]] static StreamResult<std::unique_ptr<VideoSendPipeline>> create(const VideoSendPipelineConfig& config,
                                                                               PacketSink sink);
  ~VideoSendPipeline();
  VideoSendPipeline(const VideoSendPipeline&) = delete;
  VideoSendPipeline& operator=(const VideoSendPipeline&) = delete;

  // The frame is copied (or scaled) before returning. The RTP timestamp comes from its
  // captureTimeUs on the 90 kHz clock. False when the input was rejected.
  bool pushI420(const media::I420View& frame);
  bool pushPacked(const media::PackedImage& image, std::int64_t captureTimeUs);

  // RTCP from the peer (NACK, PLI, FIR, report blocks) for any of the layers' SSRCs.
  bool onRtcp(const rtc::RtcpPacket& packet, StreamTime now);
  // The layer's next encoded frame is a keyframe.
  void requestKeyframe(int layer) noexcept;
  // Dynacast: a paused layer is neither encoded nor sent; it restarts with a keyframe.
  void setLayerActive(int layer, bool active) noexcept;
  [[nodiscard]] bool layerActive(int layer) const noexcept;
  // Applied by the codec thread before its next frame; false for a bad layer or rate.
  bool setTargetBitrate(int layer, int kbps) noexcept;

  [[nodiscard]] VideoSendPipelineStats stats() const;
  [[nodiscard]] RtpSendStreamStats streamStats(int layer) const;
  [[nodiscard]] std::optional<rtc::RtcpSenderReport> makeSenderReport(int layer, StreamTime now) const;
  [[nodiscard]] int layerCount() const noexcept { return layers_; }
  [[nodiscard]] int layerWidth(int layer) const noexcept;
  [[nodiscard]] int layerHeight(int layer) const noexcept;

 private:
  // Routes one stream's callbacks to the sink with its layer index.
  struct LayerListener final : RtpSendStream::Listener {
    VideoSendPipeline* owner = nullptr;
    int layer = 0;
    void onRtpSendStreamPacket(RtpSendStream& stream, RtpOutgoingPacket& packet) override;
    void onRtpSendStreamKeyframeRequest(RtpSendStream& stream) override;
  };
  struct Layer {
    std::unique_ptr<media::Vp8Encoder> encoder;
    std::unique_ptr<RtpSendStream> stream;  // guarded by streamMutex_
    LayerListener listener;
    media::VideoFrame scaled;  // codec thread only
    std::atomic<bool> active{true};
    std::atomic<bool> keyframeWanted{false};
    std::atomic<int> bitrateKbps{0};  // wanted; applied by the codec thread
    int appliedKbps = 0;              // codec thread only
    int width = 0;
    int height = 0;
  };
  static constexpr std::size_t kMaxQueue = 2;

  VideoSendPipeline(const VideoSendPipelineConfig& config, PacketSink sink);
  // Takes a free slot (dropping the oldest waiting frame when full); queueMutex_ held.
  media::VideoFrame& claimSlotLocked();
  void commitSlotLocked();
  void run();
  void encodeAndSend(const media::VideoFrame& frame);

  VideoSendPipelineConfig config_;
  PacketSink sink_;
  int layers_ = 1;
  std::array<Layer, kMaxVideoLayers> layer_;

  mutable std::mutex queueMutex_;
  std::condition_variable queueCv_;
  std::array<media::VideoFrame, kMaxQueue> queue_;
  std::size_t queueHead_ = 0;
  std::size_t queueCount_ = 0;
  std::size_t queueCapacity_ = 2;
  media::VideoFrame convertScratch_;  // packed input before scaling; queueMutex_ held
  bool stop_ = false;
  VideoSendPipelineStats stats_;  // queueMutex_ for the queue counters, codec thread writes the rest under it too

  mutable std::mutex streamMutex_;
  std::thread thread_;
};

}  // namespace huddle::client
