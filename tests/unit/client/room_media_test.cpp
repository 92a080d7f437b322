// Media through the SDK's public API against huddle-server in the same process on 127.0.0.1:
// one Room publishes a synthetic camera (test pattern with a frame counter) and a tone, another
// Room receives decoded frames and PCM; unpublish and mute reach the subscriber as events.

// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <array>
#include <atomic>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/local_track.h"
#include "client/remote_track.h"
#include "client/room.h"
#include "client/synthetic_source.h"
#include "media/analysis.h"
#include "in_process_server.h"
#include "media/synthetic_sources.h"

namespace huddle::client {
namespace {

using namespace std::chrono_literals;

constexpr auto kWait = 15s;

// What a subscriber got: decoded frame counters, the last second of audio, track events.
class MediaRecorder : public RoomDelegate {
 public:
  void onTrackSubscribed(const RemoteParticipant& participant, const TrackPublication& publication,
                         const std::shared_ptr<RemoteTrack>& track) override {
    std::lock_guard lock(mutex_);
    events_.push_back("subscribed " + participant.identity + " " + publication.name);
    if (auto video = std::dynamic_pointer_cast<RemoteVideoTrack>(track)) {
      video_ = video;
      video->setFrameSink([this](const VideoFrameI420& frame) { onFrame(frame); });
    } else if (auto audio = std::dynamic_pointer_cast<RemoteAudioTrack>(track)) {
      audio_ = audio;
      audio->setFrameSink([this](const AudioFrameView& frame) { onAudio(frame); });
    }
    cv_.notify_all();
  }
  void onTrackUnsubscribed(const RemoteParticipant& participant, const TrackPublication& publication,
                           const std::shared_ptr<RemoteTrack>& track) override {
    std::lock_guard lock(mutex_);
    events_.push_back("unsubscribed " + participant.identity + " " + publication.name +
                      (track->active() ? " active" : " inactive"));
    cv_.notify_all();
  }
  void onTrackMuted(const ParticipantInfo& participant, const TrackPublication& publication) override {
    record("muted " + participant.identity + " " + publication.name);
  }
  void onTrackUnmuted(const ParticipantInfo& participant, const TrackPublication& publication) override {
    record("unmuted " + participant.identity + " " + publication.name);
  }
  void onLocalTrackPublished(const TrackPublication& publication) override {
    record("published " + publication.name);
  }
  void onDataReceived(const DataReceived& data) override {
    record("data " + data.senderIdentity + " " + std::string(data.payload.begin(), data.payload.end()));
  }

  bool waitFor(const std::string& event, std::chrono::milliseconds bound = kWait) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, bound, [&] { return std::find(events_.begin(), events_.end(), event) != events_.end(); });
  }
  // Frames whose counter could be read, and the highest counter seen.
  bool waitForFrames(std::size_t n, std::chrono::milliseconds bound = kWait) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, bound, [&] { return counters_.size() >= n; });
  }
  bool waitForAudio(std::size_t samples, std::chrono::milliseconds bound = kWait) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, bound, [&] { return audioSamples_ >= samples; });
  }
  bool waitForAnyFrames(int n, std::chrono::milliseconds bound = kWait) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, bound, [&] { return frames_ >= n; });
  }
  std::array<int, 3> lastYuv() {
    std::lock_guard lock(mutex_);
    return yuv_;
  }
  bool waitForWidth(int width, std::chrono::milliseconds bound = kWait) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, bound, [&] { return width_ == width; });
  }
  std::vector<std::uint16_t> counters() {
    std::lock_guard lock(mutex_);
    return counters_;
  }
  std::vector<std::int16_t> lastAudio() {
    std::lock_guard lock(mutex_);
    return {pcm_.begin(), pcm_.end()};
  }
  std::pair<int, int> lastSize() {
    std::lock_guard lock(mutex_);
    return {width_, height_};
  }
  std::shared_ptr<RemoteVideoTrack> video() {
    std::lock_guard lock(mutex_);
    return video_;
  }
  std::shared_ptr<RemoteAudioTrack> audio() {
    std::lock_guard lock(mutex_);
    return audio_;
  }

 private:
  void record(std::string event) {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(event));
    cv_.notify_all();
  }
  void onFrame(const VideoFrameI420& frame) {
    media::I420View view;
    view.y = frame.y;
    view.u = frame.u;
    view.v = frame.v;
    view.strideY = frame.strideY;
    view.strideU = frame.strideU;
    view.strideV = frame.strideV;
    view.width = frame.width;
    view.height = frame.height;
    const auto counter = media::readFrameCounter(view);
    // Mean of each plane's centre sample row, enough to tell a solid colour.
    auto mean = [](const std::uint8_t* plane, int stride, int w, int h) {
      long sum = 0;
      const std::uint8_t* row = plane + static_cast<std::ptrdiff_t>(h / 2) * stride;
      for (int x = 0; x < w; ++x) sum += row[x];
      return w > 0 ? static_cast<int>(sum / w) : 0;
    };
    const int y = mean(frame.y, frame.strideY, frame.width, frame.height);
    const int u = mean(frame.u, frame.strideU, (frame.width + 1) / 2, (frame.height + 1) / 2);
    const int v = mean(frame.v, frame.strideV, (frame.width + 1) / 2, (frame.height + 1) / 2);
    std::lock_guard lock(mutex_);
    yuv_ = {y, u, v};
    ++frames_;
    width_ = frame.width;
    height_ = frame.height;
    if (counter) counters_.push_back(*counter);
    cv_.notify_all();
  }
  void onAudio(const AudioFrameView& frame) {
    std::lock_guard lock(mutex_);
    for (int i = 0; i < frame.samplesPerChannel; ++i) {
      pcm_.push_back(frame.samples[static_cast<std::size_t>(i * frame.channels)]);
      if (pcm_.size() > 48000) pcm_.pop_front();
    }
    audioSamples_ += static_cast<std::size_t>(frame.samplesPerChannel);
    cv_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::string> events_;
  std::vector<std::uint16_t> counters_;
  std::deque<std::int16_t> pcm_;
  std::size_t audioSamples_ = 0;
  int width_ = 0;
  int height_ = 0;
  int frames_ = 0;
  std::array<int, 3> yuv_{};
  std::shared_ptr<RemoteVideoTrack> video_;
  std::shared_ptr<RemoteAudioTrack> audio_;
};

class RoomMediaTest : public ::testing::Test {
 protected:
  [[nodiscard]] virtual bool singlePeerConnection() const { return true; }
  void SetUp() override {
    testing::InProcessServerOptions options;
    options.singlePeerConnection = singlePeerConnection();
    server_.start(options);
  }

  static std::string token(const std::string& identity) { return testing::joinToken(identity, "media-room"); }

  friend void publishAndReceive(RoomMediaTest& fixture);
  ConnectResult join(Room& room, const std::string& identity, RoomOptions options = {}) {
    auto future = room.connect(server_.url(), token(identity), std::move(options));
    if (future.wait_for(kWait) != std::future_status::ready) {
      return ConnectResult{false, DisconnectReason::Timeout, "test wait", 0, false};
    }
    return future.get();
  }

  static PublishResult publish(Room& room, const std::shared_ptr<LocalTrack>& track) {
    auto future = room.localParticipant().publishTrack(track);
    if (future.wait_for(kWait) != std::future_status::ready) return PublishResult{false, "test wait", {}};
    return future.get();
  }

  testing::InProcessServer server_;
};

void publishAndReceive(RoomMediaTest& fixture);

// /rtc: a publisher and a subscriber connection, the server offering the latter.
class RoomMediaV0Test : public RoomMediaTest {
 protected:
  [[nodiscard]] bool singlePeerConnection() const override { return false; }
};

TEST_F(RoomMediaTest, PublishedCameraAndToneArriveDecoded) { publishAndReceive(*this); }
TEST_F(RoomMediaV0Test, PublishedCameraAndToneArriveDecodedOverTwoConnections) { publishAndReceive(*this); }

void publishAndReceive(RoomMediaTest& fixture) {
  MediaRecorder aliceEvents;
  MediaRecorder bobEvents;
  Room alice;
  Room bob;
  alice.setDelegate(&aliceEvents);
  bob.setDelegate(&bobEvents);
  ASSERT_TRUE(fixture.join(alice, "alice").ok);
  ASSERT_TRUE(fixture.join(bob, "bob").ok);

  VideoTrackOptions videoOptions;
  videoOptions.name = "cam";
  videoOptions.width = 640;
  videoOptions.height = 360;
  videoOptions.fps = 30;
  auto camera = LocalVideoTrack::create(videoOptions);
  AudioTrackOptions audioOptions;
  audioOptions.name = "mic";
  auto microphone = LocalAudioTrack::create(audioOptions);
  SyntheticVideoSource pattern(camera);
  SyntheticAudioSource tone(microphone, 440.0);

  const PublishResult videoPublished = RoomMediaTest::publish(alice, camera);
  ASSERT_TRUE(videoPublished.ok) << videoPublished.message;
  EXPECT_TRUE(videoPublished.publication.sid.starts_with("TR_")) << videoPublished.publication.sid;
  EXPECT_EQ(videoPublished.publication.kind, TrackKind::Video);
  EXPECT_EQ(camera->sid(), videoPublished.publication.sid);
  const PublishResult audioPublished = RoomMediaTest::publish(alice, microphone);
  ASSERT_TRUE(audioPublished.ok) << audioPublished.message;
  EXPECT_TRUE(aliceEvents.waitFor("published cam"));
  // Publishing twice is refused; the first publication stays.
  EXPECT_FALSE(RoomMediaTest::publish(alice, camera).ok);
  pattern.start();
  tone.start();

  ASSERT_TRUE(bobEvents.waitFor("subscribed alice cam")) << "bob never subscribed to alice's camera";
  ASSERT_TRUE(bobEvents.waitFor("subscribed alice mic")) << "bob never subscribed to alice's microphone";
  ASSERT_TRUE(bobEvents.waitForFrames(30)) << "decoded frames with a readable counter: " << bobEvents.counters().size()
                                           << ", alice sent " << camera->stats().packetsSent << " packets";
  const auto counters = bobEvents.counters();
  // The counter moves forward: frames are the publisher's, in order (a repeat is a duplicate
  // frame of a layer switch, never a step back).
  EXPECT_GT(counters.back(), counters.front());
  int backwards = 0;
  for (std::size_t i = 1; i < counters.size(); ++i) backwards += counters[i] < counters[i - 1] ? 1 : 0;
  EXPECT_EQ(backwards, 0);
  const auto [width, height] = bobEvents.lastSize();
  EXPECT_GT(width, 0);
  EXPECT_EQ(width * 9, height * 16) << width << "x" << height;

  // A second of audio after the jitter buffer settled carries the tone.
  ASSERT_TRUE(bobEvents.waitForAudio(3 * 48000)) << "bob's audio sink got too little";
  const auto pcm = bobEvents.lastAudio();
  ASSERT_GE(pcm.size(), 48000u);
  const double hz = media::dominantFrequencyHz(pcm, 1, 48000, 100.0, 2000.0, 1.0);
  EXPECT_NEAR(hz, 440.0, 5.0);

  const RemoteTrackStats videoStats = bobEvents.video()->stats();
  EXPECT_GT(videoStats.framesDecoded, 0u);
  EXPECT_GT(videoStats.packetsReceived, 0u);
  EXPECT_GT(videoStats.firstFrameUs, 0);
  EXPECT_EQ(bobEvents.video()->participantIdentity(), "alice");
  const LocalTrackStats sent = camera->stats();
  EXPECT_GT(sent.framesEncoded, 0u);
  EXPECT_GT(sent.packetsSent, 0u);

  // Adaptive stream by hand: asking for the low layer brings quarter-size frames (the server
  // switches at a keyframe of that layer), asking for high brings the full size back.
  bobEvents.video()->setVideoQuality(VideoQuality::Low);
  EXPECT_TRUE(bobEvents.waitForWidth(width / 4)) << "still " << bobEvents.lastSize().first;
  bobEvents.video()->setVideoQuality(VideoQuality::High);
  EXPECT_TRUE(bobEvents.waitForWidth(width)) << "still " << bobEvents.lastSize().first;

  // Connection figures come about once a second: wait for one that has seen the media.
  const auto statsDeadline = std::chrono::steady_clock::now() + kWait;
  ConnectionStats bobStats = bob.connectionStats();
  ConnectionStats aliceStats = alice.connectionStats();
  while ((bobStats.receiveBitrateBps <= 0 || aliceStats.sendBitrateBps <= 0) &&
         std::chrono::steady_clock::now() < statsDeadline) {
    std::this_thread::sleep_for(50ms);  // polling a figure with a bound
    bobStats = bob.connectionStats();
    aliceStats = alice.connectionStats();
  }
  EXPECT_GT(bobStats.receiveBitrateBps, 10'000.0);
  EXPECT_GT(bobStats.packetsReceived, 0u);
  EXPECT_LT(bobStats.receiveLossPercent, 2.0) << "loopback loses nothing";
  EXPECT_EQ(bobStats.localQuality, ConnectionQuality::Excellent);
  EXPECT_TRUE(bobStats.signalRtt.has_value());
  EXPECT_GT(aliceStats.sendBitrateBps, 10'000.0);
  EXPECT_GT(aliceStats.packetsSent, 0u);

  // Mute reaches bob as an event; unpublish ends his subscription.
  microphone->setMuted(true);
  EXPECT_TRUE(bobEvents.waitFor("muted alice mic"));
  microphone->setMuted(false);
  EXPECT_TRUE(bobEvents.waitFor("unmuted alice mic"));
  ASSERT_TRUE(alice.localParticipant().unpublishTrack(camera).ok);
  EXPECT_TRUE(bobEvents.waitFor("unsubscribed alice cam inactive"));
  EXPECT_FALSE(camera->published());
  pattern.stop();
  tone.stop();
}

// Frames pushed as NV12 (what V4L2 cameras give) keep their colour through the trip; a track
// that is not published refuses frames and counts them.
TEST_F(RoomMediaTest, Nv12FramesArriveWithTheirColour) {
  MediaRecorder bobEvents;
  Room alice;
  Room bob;
  bob.setDelegate(&bobEvents);
  ASSERT_TRUE(join(alice, "alice").ok);
  ASSERT_TRUE(join(bob, "bob").ok);
  VideoTrackOptions options;
  options.name = "nv12";
  options.width = 320;
  options.height = 240;
  options.simulcast = false;
  auto track = LocalVideoTrack::create(options);
  // A saturated red in BT.601 limited range: Y 81, U 90, V 240.
  std::vector<std::uint8_t> y(320 * 240, 81);
  std::vector<std::uint8_t> uv(320 * 120);
  for (std::size_t i = 0; i < uv.size(); i += 2) {
    uv[i] = 90;
    uv[i + 1] = 240;
  }
  const VideoFrameNv12 frame{y.data(), uv.data(), 320, 320, 320, 240, 0};
  EXPECT_FALSE(track->pushNv12(frame)) << "not published yet";
  EXPECT_EQ(track->stats().framesDropped, 1u);
  ASSERT_TRUE(publish(alice, track).ok);
  std::atomic<bool> stop{false};
  std::thread camera([&] {
    // Paced like a 30 fps camera; bounded by the test's own waits below.
    for (int i = 0; i < 30 * 30 && !stop; ++i) {
      track->pushNv12(frame);
      std::this_thread::sleep_for(33ms);
    }
  });
  const bool got = bobEvents.waitForAnyFrames(10);
  stop = true;
  camera.join();
  ASSERT_TRUE(got) << "bob decoded no NV12-fed frames";
  const auto yuv = bobEvents.lastYuv();
  EXPECT_NEAR(yuv[0], 81, 6);
  EXPECT_NEAR(yuv[1], 90, 6);
  EXPECT_NEAR(yuv[2], 240, 6);
  EXPECT_EQ(bobEvents.lastSize(), std::make_pair(320, 240));
}

TEST_F(RoomMediaTest, DataBothWaysOverTheDataChannels) {
  MediaRecorder aliceEvents;
  MediaRecorder bobEvents;
  Room alice;
  Room bob;
  alice.setDelegate(&aliceEvents);
  bob.setDelegate(&bobEvents);
  ASSERT_TRUE(join(alice, "alice").ok);
  ASSERT_TRUE(join(bob, "bob").ok);
  // The channels open shortly after the join. A probe addressed to nobody tells when a Room's
  // own channel takes messages (polling a condition with a bound, not synchronising).
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  auto ready = [&](Room& room, bool reliable) {
    const std::vector<std::uint8_t> probe{'p'};
    while (!room.localParticipant().publishData(probe, DataPublishOptions{reliable, "", {"nobody"}}).ok) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(20ms);
    }
    return true;
  };
  ASSERT_TRUE(ready(alice, true));
  ASSERT_TRUE(ready(bob, true));
  ASSERT_TRUE(ready(bob, false));
  const std::string hello = "hello bob";
  ASSERT_TRUE(alice.localParticipant().publishData(std::vector<std::uint8_t>(hello.begin(), hello.end())).ok);
  EXPECT_TRUE(bobEvents.waitFor("data alice hello bob"));
  const std::vector<std::uint8_t> reply{'h', 'i'};
  ASSERT_TRUE(bob.localParticipant().publishData(reply, DataPublishOptions{false, "t", {}}).ok);
  EXPECT_TRUE(aliceEvents.waitFor("data bob hi"));
}

}  // namespace
}  // namespace huddle::client
