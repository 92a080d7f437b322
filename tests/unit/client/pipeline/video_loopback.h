#pragma once
// Test support: VideoSendPipeline -> in-memory hop (optionally lossy, seeded) -> one
// VideoReceivePipeline per layer, all receivers driven by a "network" thread that also feeds
// their RTCP (NACK, PLI) straight back to the sender. Waits are on a condition variable with
// bounded timeouts; decoded frames are recorded with the test pattern's counter and size.

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "client/pipeline/video_receive_pipeline.h"
#include "client/pipeline/video_send_pipeline.h"
#include "media/synthetic_sources.h"
#include "rtc/rtp/rtcp_packet.h"

namespace huddle::client::test {

struct DecodedFrame {
  std::optional<std::uint16_t> counter;
  int width = 0;
  int height = 0;
};

struct LoopbackOptions {
  int width = 640;
  int height = 360;
  int layers = 3;
  std::size_t sendQueue = 2;
  std::uint32_t seed = 1;
};

class VideoLoopback {
 public:
  explicit VideoLoopback(const LoopbackOptions& options) : options_(options), rng_(options.seed) {
    VideoSendPipelineConfig sc;
    sc.width = options.width;
    sc.height = options.height;
    sc.layers = options.layers;
    sc.bitratesKbps = {150, 400, 900};
    sc.speed = 8;  // fastest: the tests are about plumbing, not picture quality
    sc.queueFrames = options.sendQueue;
    for (int i = 0; i < options.layers; ++i) {
      RtpSendStreamConfig& stream = sc.streams[static_cast<std::size_t>(i)];
      stream.ssrc = ssrcOf(i);
      stream.rtxSsrc = rtxSsrcOf(i);
      stream.extensions.mid = 1;
      stream.extensions.transportCc = 3;
      stream.mid = "0";
      stream.historyAge = std::chrono::milliseconds(2000);
      stream.transportSequencer = &sequencer_;
    }
    auto sender = VideoSendPipeline::create(sc, [this](int layer, RtpOutgoingPacket& packet) {
      onSenderPacket(layer, packet);
    });
    EXPECT_TRUE(sender) << (sender ? "" : sender.message());
    if (sender) {
      sender_ = std::move(sender).value();
    }
    decoded_.resize(static_cast<std::size_t>(options.layers));
    for (int i = 0; i < options.layers; ++i) {
      VideoReceivePipelineConfig rc;
      rc.stream.ssrc = ssrcOf(i);
      rc.stream.rtxSsrc = rtxSsrcOf(i);
      rc.stream.localSsrc = 0x7000 + static_cast<std::uint32_t>(i);
      rc.stream.rtt = std::chrono::milliseconds(20);
      auto receiver = VideoReceivePipeline::create(
          rc, [this, i](const media::I420View& frame) { onDecoded(i, frame); },
          [this](std::span<const std::uint8_t> rtcp) { onReceiverRtcp(rtcp); },
          [this](std::function<void()> task) { post(std::move(task)); });
      EXPECT_TRUE(receiver);
      if (receiver) {
        receivers_.push_back(std::move(receiver).value());
      }
    }
    network_ = std::thread([this] { runNetwork(); });
  }

  ~VideoLoopback() { shutdown(); }

  // Stops the network thread first (it calls into both sides), then the pipelines.
  void shutdown() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    if (network_.joinable()) {
      network_.join();
    }
    sender_.reset();
    receivers_.clear();
  }

  static std::uint32_t ssrcOf(int layer) { return 0x100 + static_cast<std::uint32_t>(layer); }
  static std::uint32_t rtxSsrcOf(int layer) { return 0x200 + static_cast<std::uint32_t>(layer); }

  void setGate(int layer, bool closed) {
    {
      std::lock_guard lock(mutex_);
      gateClosed[static_cast<std::size_t>(layer)] = closed;
    }
    cv_.notify_all();
  }

  void setLoss(double loss) {
    std::lock_guard lock(mutex_);
    loss_ = loss;
  }

  // Waits (bounded) until pred() holds; pred runs with the loopback's mutex held.
  bool waitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    std::unique_lock lock(mutex_);
    // Some counters (the sender's stats) change outside this mutex, so re-check periodically.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
      if (cv_.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(5))) ==
              std::cv_status::timeout &&
          std::chrono::steady_clock::now() >= deadline) {
        return pred();
      }
    }
    return true;
  }

  // Pushes the pattern's next frame and waits until the top layer has encoded it, so no frame
  // is dropped by the send queue. Capture times run at the pattern's 30 fps.
  void pushPaced(int count) {
    for (int i = 0; i < count; ++i) {
      pattern.next(picture);
      const auto before = sender_->stats().framesEncoded[static_cast<std::size_t>(options_.layers - 1)];
      ASSERT_TRUE(sender_->pushI420(picture));
      ++pushed;
      ASSERT_TRUE(waitFor([&] {
        return sender_->stats().framesEncoded[static_cast<std::size_t>(options_.layers - 1)] > before;
      }, std::chrono::seconds(10)));
    }
  }

  // Runs a task on the network thread.
  void post(std::function<void()> task) {
    {
      std::lock_guard lock(mutex_);
      tasks_.push_back(std::move(task));
    }
    cv_.notify_all();
  }

  [[nodiscard]] std::vector<DecodedFrame> decoded(int layer) {
    std::lock_guard lock(mutex_);
    return decoded_[static_cast<std::size_t>(layer)];
  }
  // With the mutex held (inside waitFor predicates).
  [[nodiscard]] const std::vector<DecodedFrame>& decodedLocked(int layer) const {
    return decoded_[static_cast<std::size_t>(layer)];
  }
  [[nodiscard]] bool lastDecodedIsLocked(int layer, std::uint16_t counter) const {
    const auto& d = decodedLocked(layer);
    return !d.empty() && d.back().counter == counter;
  }

  std::unique_ptr<VideoSendPipeline> sender_;
  std::vector<std::unique_ptr<VideoReceivePipeline>> receivers_;
  media::TestPatternSource pattern{640, 360, 30};
  media::VideoFrame picture;
  int pushed = 0;
  std::atomic<int> packetsDropped{0};
  std::atomic<int> nacksSeen{0};
  std::atomic<int> plisSeen{0};
  std::atomic<bool> sinksClosed{false};
  std::atomic<int> callsAfterClose{0};

 private:
  struct Packet {
    int layer = 0;
    std::vector<std::uint8_t> bytes;
  };

  void onSenderPacket(int layer, RtpOutgoingPacket& packet) {
    if (sinksClosed) {
      ++callsAfterClose;
    }
    {
      std::lock_guard lock(mutex_);
      if (loss_ > 0.0 && unit_(rng_) < loss_) {
        ++packetsDropped;
        return;
      }
      queue_.push_back({layer, {packet.bytes.begin(), packet.bytes.end()}});
    }
    cv_.notify_all();
  }

  void onDecoded(int layer, const media::I420View& frame) {
    if (sinksClosed) {
      ++callsAfterClose;
    }
    {
      std::unique_lock lock(mutex_);
      // A closed gate stalls this layer's decode thread, as a slow application would (bounded).
      cv_.wait_for(lock, std::chrono::seconds(10), [&] { return !gateClosed[static_cast<std::size_t>(layer)] || stop_; });
      decoded_[static_cast<std::size_t>(layer)].push_back({media::readFrameCounter(frame), frame.width, frame.height});
    }
    cv_.notify_all();
  }

  // On the network thread, from a receiver's tick or onRtp: the feedback hop is instant and
  // lossless.
  void onReceiverRtcp(std::span<const std::uint8_t> rtcp) {
    const auto now = std::chrono::steady_clock::now();
    for (const rtc::RtcpPacket& packet : rtc::RtcpCompound(rtcp)) {
      nacksSeen += packet.type == 205 && packet.count == 1 ? 1 : 0;
      plisSeen += packet.type == 206 && packet.count == 1 ? 1 : 0;
      sender_->onRtcp(packet, now);
    }
  }

  void runNetwork() {
    std::vector<Packet> batch;
    std::vector<std::function<void()>> tasks;
    auto nextTick = std::chrono::steady_clock::now();
    // Bounded: a test that forgets to stop still ends (two minutes of 5 ms ticks at most).
    for (int round = 0; round < 24000; ++round) {
      {
        std::unique_lock lock(mutex_);
        cv_.wait_until(lock, nextTick, [this] { return stop_ || !queue_.empty() || !tasks_.empty(); });
        if (stop_) {
          return;
        }
        batch.swap(queue_);
        tasks.swap(tasks_);
      }
      const auto now = std::chrono::steady_clock::now();
      for (Packet& p : batch) {
        receivers_[static_cast<std::size_t>(p.layer)]->onRtp(p.bytes, now);
      }
      batch.clear();
      for (auto& task : tasks) {
        task();
      }
      tasks.clear();
      if (now >= nextTick) {
        for (auto& r : receivers_) {
          r->tick(now);
        }
        nextTick = now + std::chrono::milliseconds(5);
      }
    }
  }

  LoopbackOptions options_;
  TransportSequencer sequencer_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::array<bool, kMaxVideoLayers> gateClosed{};
  double loss_ = 0.0;
  std::mt19937 rng_;
  std::uniform_real_distribution<double> unit_{0.0, 1.0};
  std::vector<Packet> queue_;
  std::vector<std::function<void()>> tasks_;
  std::vector<std::vector<DecodedFrame>> decoded_;
  std::thread network_;
};

}  // namespace huddle::client::test
