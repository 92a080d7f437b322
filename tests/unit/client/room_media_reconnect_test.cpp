// Reconnection with media: alice publishes a synthetic camera, bob watches it, both through a
// TCP relay (signal) and a UDP relay (media) in front of huddle-server in the same process. The
// signal is cut, then the media path goes silent, then the server restarts on the same ports;
// each time the Rooms come back (resume or rejoin) and bob sees alice's frame counter move on,
// with exactly one alice in his room.

// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
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
#include "media/synthetic_sources.h"
#include "common/log.h"
#include "in_process_server.h"
#include "net_relay.h"

namespace huddle::client {
namespace {

using namespace std::chrono_literals;
using huddle::testing::TcpRelay;
using huddle::testing::UdpRelay;

constexpr auto kWait = 30s;

// Frame counters bob decodes, states and subscriptions, each with a bounded wait.
class Watcher : public RoomDelegate {
 public:
  void onConnectionStateChanged(ConnectionState state, DisconnectReason, std::string_view) override {
    std::lock_guard lock(mutex_);
    states_.push_back(state);
    cv_.notify_all();
  }
  void onTrackSubscribed(const RemoteParticipant&, const TrackPublication&,
                         const std::shared_ptr<RemoteTrack>& track) override {
    auto video = std::dynamic_pointer_cast<RemoteVideoTrack>(track);
    if (!video) return;
    video->setFrameSink([this](const VideoFrameI420& frame) {
      media::I420View view{frame.y, frame.u, frame.v, frame.strideY, frame.strideU, frame.strideV,
                           frame.width, frame.height, 0, 0};
      const auto counter = media::readFrameCounter(view);
      if (!counter) return;
      std::lock_guard lock(mutex_);
      lastCounter_ = *counter;
      ++frames_;
      cv_.notify_all();
    });
    std::lock_guard lock(mutex_);
    ++subscriptions_;
    tracks_.push_back(video);  // kept so the sink outlives the callback
    cv_.notify_all();
  }

  // Frames whose counter is past `after` (the publisher's counter only grows).
  bool waitForFramesAfter(std::uint32_t after, int n) {
    std::unique_lock lock(mutex_);
    const int start = frames_;
    return cv_.wait_for(lock, kWait, [&] { return lastCounter_ > after && frames_ - start >= n; });
  }
  bool waitForAnyState(ConnectionState a, ConnectionState b, std::size_t from) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, kWait, [&] {
      for (std::size_t i = from; i < states_.size(); ++i) {
        if (states_[i] == a || states_[i] == b) return true;
      }
      return false;
    });
  }
  bool waitForState(ConnectionState state, std::size_t from) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, kWait, [&] {
      for (std::size_t i = from; i < states_.size(); ++i) {
        if (states_[i] == state) return true;
      }
      return false;
    });
  }
  // Back to Connected after leaving it, counting from `from`.
  bool waitForRecovery(std::size_t from) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, kWait, [&] {
      bool left = false;
      for (std::size_t i = from; i < states_.size(); ++i) {
        if (states_[i] == ConnectionState::Resuming || states_[i] == ConnectionState::Reconnecting) left = true;
        if (left && states_[i] == ConnectionState::Connected) return true;
      }
      return false;
    });
  }
  bool sawDisconnected() {
    std::lock_guard lock(mutex_);
    return std::find(states_.begin(), states_.end(), ConnectionState::Disconnected) != states_.end();
  }
  std::size_t stateCount() {
    std::lock_guard lock(mutex_);
    return states_.size();
  }
  std::string describe() {
    std::lock_guard lock(mutex_);
    std::string out;
    for (auto st : states_) out += std::string(toString(st)) + " ";
    return out + "| subscriptions " + std::to_string(subscriptions_) + " frames " + std::to_string(frames_);
  }
  std::uint32_t lastCounter() {
    std::lock_guard lock(mutex_);
    return lastCounter_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<ConnectionState> states_;
  std::vector<std::shared_ptr<RemoteVideoTrack>> tracks_;
  std::uint32_t lastCounter_ = 0;
  int frames_ = 0;
  int subscriptions_ = 0;
};

class RoomMediaReconnectTest : public ::testing::Test {
 protected:
  void startServer(std::uint16_t port, std::uint16_t udpPort, std::uint16_t advertisedUdpPort) {
    server_.start(testing::InProcessServerOptions{.port = port, .udpPort = udpPort,
                                                  .advertisedUdpPort = advertisedUdpPort});
    if (const char* level = std::getenv("HUDDLE_TEST_LOG")) (void)huddle::log::setLevel(level);
  }
  void stopServer() { server_.stop(); }

  static std::string token(const std::string& identity) { return testing::joinToken(identity, "media-reconnect"); }

  static int alices(Room& room) {
    int n = 0;
    for (const auto& p : room.remoteParticipants()) n += p.identity == "alice" ? 1 : 0;
    return n;
  }

  testing::InProcessServer server_;
};

TEST_F(RoomMediaReconnectTest, MediaComesBackAfterSignalCutSilentPathAndServerRestart) {
  const std::uint16_t udpPort = UdpRelay::freePort();
  UdpRelay udp(udpPort);
  startServer(0, udpPort, udp.port());
  const std::uint16_t serverPort = server_.port();
  TcpRelay signal(serverPort);

  Watcher aliceEvents;
  Watcher bobEvents;
  Room alice;
  Room bob;
  alice.setDelegate(&aliceEvents);
  bob.setDelegate(&bobEvents);
  RoomOptions options;
  // Short, fast retries: each outage here is repaired within one or two attempts.
  options.reconnectPolicy.baseDelays = {0ms, 100ms, 300ms, 1000ms};
  options.reconnectPolicy.firstAttemptMaxJitter = 50ms;
  options.reconnectPolicy.maxAttempts = 20;
  auto aliceJoin = alice.connect(signal.url(), token("alice"), options);
  ASSERT_EQ(aliceJoin.wait_for(kWait), std::future_status::ready);
  ASSERT_TRUE(aliceJoin.get().ok);
  auto bobJoin = bob.connect(signal.url(), token("bob"), options);
  ASSERT_EQ(bobJoin.wait_for(kWait), std::future_status::ready);
  ASSERT_TRUE(bobJoin.get().ok);

  VideoTrackOptions cameraOptions;
  cameraOptions.width = 320;
  cameraOptions.height = 180;
  cameraOptions.fps = 15;
  auto camera = LocalVideoTrack::create(cameraOptions);
  SyntheticVideoSource pattern(camera);
  pattern.start();
  auto published = alice.localParticipant().publishTrack(camera);
  ASSERT_EQ(published.wait_for(kWait), std::future_status::ready);
  ASSERT_TRUE(published.get().ok);
  ASSERT_TRUE(bobEvents.waitForFramesAfter(0, 10)) << "no frames before any outage";

  // 1. The signal connections drop (no leave): both resume, media goes on.
  std::size_t mark = aliceEvents.stateCount();
  signal.cut();
  ASSERT_TRUE(aliceEvents.waitForRecovery(mark)) << "alice did not come back after the signal cut";
  std::uint32_t before = bobEvents.lastCounter();
  EXPECT_TRUE(bobEvents.waitForFramesAfter(before, 10)) << "media did not come back after the signal cut";
  EXPECT_EQ(alices(bob), 1);

  // 2. The media path goes silent both ways while the signal stays up: the silence watchdog
  // reports a media failure, the Rooms recover with a new ICE path once the path is back.
  mark = aliceEvents.stateCount();
  const std::size_t bobMark = bobEvents.stateCount();
  udp.block(true);
  const bool aliceNoticed =
      aliceEvents.waitForAnyState(ConnectionState::Resuming, ConnectionState::Reconnecting, mark);
  udp.block(false);
  ASSERT_TRUE(aliceNoticed) << "the silent media path went unnoticed";
  EXPECT_GT(udp.dropped(), 0u);
  ASSERT_TRUE(aliceEvents.waitForRecovery(mark));
  before = bobEvents.lastCounter();
  EXPECT_TRUE(bobEvents.waitForFramesAfter(before, 10)) << "media did not come back after the silent path"
                                                        << " (bob recovered: " << bobEvents.waitForRecovery(bobMark) << ") alice: " << aliceEvents.describe()
      << " bob: " << bobEvents.describe();
  EXPECT_EQ(alices(bob), 1);

  // 3. The server restarts on the same ports (a crash and restart): resumes are refused, both rejoin, alice
  // publishes her camera again and bob subscribes to it anew.
  // The process dies: connections are cut first, so its shutdown leaves reach nobody.
  mark = aliceEvents.stateCount();
  signal.hold(true);
  signal.cut();
  stopServer();
  startServer(serverPort, udpPort, udp.port());
  signal.hold(false);
  ASSERT_TRUE(aliceEvents.waitForState(ConnectionState::Reconnecting, mark));
  ASSERT_TRUE(aliceEvents.waitForRecovery(mark));
  before = bobEvents.lastCounter();
  EXPECT_TRUE(bobEvents.waitForFramesAfter(before, 10)) << "media did not come back after the server restart";
  EXPECT_EQ(alices(bob), 1);
  EXPECT_TRUE(camera->published());

  EXPECT_FALSE(aliceEvents.sawDisconnected());
  EXPECT_FALSE(bobEvents.sawDisconnected());
  pattern.stop();
}

}  // namespace
}  // namespace huddle::client
