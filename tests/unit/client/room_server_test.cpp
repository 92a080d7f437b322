// Rooms of the SDK against huddle-server in the same process on 127.0.0.1: joins, participant
// events, metadata, leave and rejoin, the v1 -> v0 fallback, refusals, ping RTT, the executor
// contract and destruction from inside callbacks. Media is not involved (NullMediaEngine).

// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "auth/access_token.h"
#include "client/event_thread.h"
#include "client/room.h"
#include "client/room_internal.h"
#include "livekit_models.pb.h"
#include "in_process_server.h"
#include "server/server.h"

namespace huddle::client {
namespace {

using namespace std::chrono_literals;

constexpr auto kWait = 10s;

// Everything a delegate saw, with the thread it saw it on. Waits are bounded.
class Recorder : public RoomDelegate {
 public:
  struct Event {
    std::string what;
    std::thread::id thread;
  };

  void onConnectionStateChanged(ConnectionState state, DisconnectReason reason, std::string_view detail) override {
    add(std::string("state ") + toString(state) + " " + toString(reason), std::string(detail));
  }
  void onParticipantConnected(const RemoteParticipant& p) override {
    add("connected " + p.identity, p.name + "|" + p.metadata);
  }
  void onParticipantDisconnected(const RemoteParticipant& p, DisconnectReason) override { add("disconnected " + p.identity); }
  void onDataReceived(const DataReceived& d) override {
    add("data " + d.senderIdentity + " " + d.topic + (d.kind == DataKind::Reliable ? " reliable" : " lossy"),
        std::string(d.payload.begin(), d.payload.end()));
  }
  void onParticipantMetadataChanged(const ParticipantInfo& p, const std::string&) override {
    add("metadata " + p.identity + (p.isLocal ? " local" : ""), p.metadata);
  }
  void onParticipantNameChanged(const ParticipantInfo& p, const std::string&) override {
    add("name " + p.identity + (p.isLocal ? " local" : ""), p.name);
  }
  void onParticipantAttributesChanged(const ParticipantInfo& p, const std::map<std::string, std::string>& changed) override {
    std::string s;
    for (const auto& [k, v] : changed) s += k + "=" + v + ";";
    add("attributes " + p.identity + (p.isLocal ? " local" : ""), s);
  }

  // The detail of the first event named `what`, once it arrived.
  std::optional<std::string> waitFor(const std::string& what, std::chrono::milliseconds bound = kWait) {
    std::unique_lock lock(mutex_);
    std::optional<std::string> found;
    cv_.wait_for(lock, bound, [&] {
      for (const auto& [name, detail] : details_) {
        if (name == what) {
          found = detail;
          return true;
        }
      }
      return false;
    });
    return found;
  }
  bool waitForCount(const std::string& what, int n, std::chrono::milliseconds bound = kWait) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, bound, [&] {
      int seen = 0;
      for (const auto& [name, detail] : details_) seen += name == what ? 1 : 0;
      return seen >= n;
    });
  }
  int count(const std::string& what) {
    std::lock_guard lock(mutex_);
    int n = 0;
    for (const auto& [name, detail] : details_) n += name == what ? 1 : 0;
    return n;
  }
  std::vector<Event> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }

 protected:
  void add(std::string what, std::string detail = {}) {
    {
      std::lock_guard lock(mutex_);
      events_.push_back(Event{what, std::this_thread::get_id()});
      details_.emplace_back(std::move(what), std::move(detail));
    }
    cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Event> events_;
  std::vector<std::pair<std::string, std::string>> details_;
};

class RoomServerTest : public ::testing::Test {
 protected:
  void startServer(bool v1 = true, bool autoCreate = true) {
    server_.start(testing::InProcessServerOptions{.singlePeerConnection = v1, .autoCreate = autoCreate});
  }

  std::string url() const { return server_.url(); }

  static std::string token(const std::string& identity, const std::string& secret = "secret") {
    return testing::joinToken(
        identity, "client-room",
        [&](auth::ClaimGrants& grants) {
          grants.name = identity + " name";
          grants.metadata = identity + " meta";
          grants.video->canUpdateOwnMetadata = true;
        },
        secret);
  }

  ConnectResult join(Room& room, const std::string& identity, RoomOptions options = {}) {
    auto future = room.connect(url(), token(identity), std::move(options));
    if (future.wait_for(kWait) != std::future_status::ready) return ConnectResult{false, DisconnectReason::Timeout, "test wait", 0, false};
    return future.get();
  }

  testing::InProcessServer server_;
};

TEST_F(RoomServerTest, TwoRoomsSeeEachOther) {
  startServer();
  Recorder aliceEvents;
  Room alice;
  alice.setDelegate(&aliceEvents);
  auto joined = join(alice, "alice");
  ASSERT_TRUE(joined.ok) << joined.message;
  EXPECT_TRUE(joined.usedV1);
  EXPECT_EQ(alice.state(), ConnectionState::Connected);
  EXPECT_EQ(alice.name(), "client-room");
  EXPECT_EQ(alice.sid().rfind("RM_", 0), 0u);
  EXPECT_FALSE(alice.serverVersion().empty());
  EXPECT_EQ(alice.localParticipant().identity(), "alice");
  EXPECT_EQ(alice.localParticipant().sid().rfind("PA_", 0), 0u);
  EXPECT_EQ(alice.localParticipant().metadata(), "alice meta");
  EXPECT_TRUE(aliceEvents.waitFor("state connected none"));

  Room bob;
  ASSERT_TRUE(join(bob, "bob").ok);
  auto seen = aliceEvents.waitFor("connected bob");
  ASSERT_TRUE(seen) << "alice never saw bob";
  EXPECT_EQ(*seen, "bob name|bob meta");
  // Bob finds alice in the snapshot taken at join.
  auto others = bob.remoteParticipants();
  ASSERT_EQ(others.size(), 1u);
  EXPECT_EQ(others[0].identity, "alice");
  EXPECT_EQ(others[0].name, "alice name");
  EXPECT_EQ(others[0].sid, alice.localParticipant().sid());
  ASSERT_TRUE(alice.remoteParticipant("bob").has_value());
}

TEST_F(RoomServerTest, MetadataNameAndAttributesReachTheOtherRoom) {
  startServer();
  Recorder aliceEvents;
  Recorder bobEvents;
  Room alice;
  Room bob;
  bob.setDelegate(&bobEvents);
  alice.setDelegate(&aliceEvents);
  ASSERT_TRUE(join(alice, "alice").ok);
  ASSERT_TRUE(join(bob, "bob").ok);
  ASSERT_TRUE(alice.localParticipant().setMetadata("hello from alice"));
  EXPECT_EQ(bobEvents.waitFor("metadata alice"), "hello from alice");
  EXPECT_EQ(aliceEvents.waitFor("metadata alice local"), "hello from alice");
  EXPECT_EQ(alice.localParticipant().metadata(), "hello from alice");
  ASSERT_TRUE(alice.localParticipant().setName("Alice A."));
  EXPECT_EQ(bobEvents.waitFor("name alice"), "Alice A.");
  ASSERT_TRUE(alice.localParticipant().setAttributes({{"role", "host"}}));
  EXPECT_EQ(bobEvents.waitFor("attributes alice"), "role=host;");
  ASSERT_TRUE(bob.remoteParticipant("alice"));
  EXPECT_EQ(bob.remoteParticipant("alice")->attributes.at("role"), "host");
  EXPECT_EQ(bob.remoteParticipant("alice")->metadata, "hello from alice");
}

TEST_F(RoomServerTest, DisconnectIsSeenOnceAndRejoinMakesNoDuplicate) {
  startServer();
  Recorder aliceEvents;
  Room alice;
  alice.setDelegate(&aliceEvents);
  ASSERT_TRUE(join(alice, "alice").ok);
  {
    Recorder bobEvents;
    Room bob;
    bob.setDelegate(&bobEvents);
    ASSERT_TRUE(join(bob, "bob").ok);
    ASSERT_TRUE(aliceEvents.waitFor("connected bob"));
    bob.disconnect();
    EXPECT_TRUE(bobEvents.waitFor("state disconnected client_initiated"));
    ASSERT_TRUE(aliceEvents.waitFor("disconnected bob"));
    EXPECT_EQ(bob.state(), ConnectionState::Disconnected);
  }
  EXPECT_TRUE(alice.remoteParticipants().empty());
  // Same identity again, then once more without leaving first (the server drops the older one).
  Room bob2;
  ASSERT_TRUE(join(bob2, "bob").ok);
  Room bob3;
  ASSERT_TRUE(join(bob3, "bob").ok);
  // Alice's view settles on one bob with bob3's sid. A marker after it keeps the wait bounded:
  // carol's arrival is ordered after bob3's on alice's signal connection.
  Room carol;
  ASSERT_TRUE(join(carol, "carol").ok);
  ASSERT_TRUE(aliceEvents.waitFor("connected carol"));
  auto remotes = alice.remoteParticipants();
  int bobs = 0;
  for (const auto& p : remotes) bobs += p.identity == "bob" ? 1 : 0;
  EXPECT_EQ(bobs, 1);
  ASSERT_TRUE(alice.remoteParticipant("bob"));
  EXPECT_EQ(alice.remoteParticipant("bob")->sid, bob3.localParticipant().sid());
  // Connected and disconnected pair up: never two bobs at once.
  EXPECT_EQ(aliceEvents.count("connected bob") - aliceEvents.count("disconnected bob"), 1);
}

TEST_F(RoomServerTest, ADisconnectedRoomConnectsAgain) {
  startServer();
  Recorder aliceEvents;
  Room alice;
  alice.setDelegate(&aliceEvents);
  ASSERT_TRUE(join(alice, "alice").ok);
  Recorder bobEvents;
  Room bob;
  bob.setDelegate(&bobEvents);
  ASSERT_TRUE(join(bob, "bob").ok);
  const std::string firstSid = bob.localParticipant().sid();
  bob.disconnect();
  ASSERT_TRUE(aliceEvents.waitFor("disconnected bob"));
  ASSERT_TRUE(join(bob, "bob").ok);
  EXPECT_EQ(bob.state(), ConnectionState::Connected);
  EXPECT_NE(bob.localParticipant().sid(), firstSid);
  ASSERT_EQ(bob.remoteParticipants().size(), 1u);
  EXPECT_TRUE(aliceEvents.waitForCount("connected bob", 2));
  ASSERT_TRUE(alice.remoteParticipant("bob"));
  EXPECT_EQ(alice.remoteParticipant("bob")->sid, bob.localParticipant().sid());
}

TEST_F(RoomServerTest, FallsBackToV0WhenTheServerHasNoV1) {
  startServer(false);
  Recorder aliceEvents;
  Room alice;
  alice.setDelegate(&aliceEvents);
  auto joined = join(alice, "alice");
  ASSERT_TRUE(joined.ok) << joined.message;
  EXPECT_FALSE(joined.usedV1);
  Room bob;
  ASSERT_TRUE(join(bob, "bob").ok);
  EXPECT_TRUE(aliceEvents.waitFor("connected bob"));
}

TEST_F(RoomServerTest, PreferV1OffGoesStraightToV0) {
  startServer(true);
  Room alice;
  RoomOptions options;
  options.preferV1 = false;
  auto joined = join(alice, "alice", options);
  ASSERT_TRUE(joined.ok) << joined.message;
  EXPECT_FALSE(joined.usedV1);
}

TEST_F(RoomServerTest, BadTokenIsAClearDisconnect) {
  startServer();
  Recorder events;
  Room room;
  room.setDelegate(&events);
  auto future = room.connect(url(), token("mallory", "not-the-secret"));
  ASSERT_EQ(future.wait_for(kWait), std::future_status::ready);
  const ConnectResult result = future.get();
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.reason, DisconnectReason::NotAuthorized);
  EXPECT_EQ(result.httpStatus, 401u);
  EXPECT_NE(result.message.find("401"), std::string::npos) << result.message;
  auto detail = events.waitFor("state disconnected not_authorized");
  ASSERT_TRUE(detail);
  EXPECT_NE(detail->find("invalid token"), std::string::npos) << *detail;
  EXPECT_EQ(room.state(), ConnectionState::Disconnected);
}

TEST_F(RoomServerTest, UnreachablePortFailsWithinTheTimeout) {
  // A port nobody listens on: bind one, note it, close it.
  std::uint16_t port = 0;
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }
  Room room;
  RoomOptions options;
  options.timeouts.signalConnect = 2s;
  auto future = room.connect("ws://127.0.0.1:" + std::to_string(port), token("alice"), options);
  // Both attempts (v1, then nothing: no fallback on a refused TCP connect) end well before this.
  ASSERT_EQ(future.wait_for(kWait), std::future_status::ready);
  const ConnectResult result = future.get();
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.reason, DisconnectReason::ServerUnreachable) << result.message;
  EXPECT_NE(result.message.find(std::to_string(port)), std::string::npos) << result.message;
}

TEST_F(RoomServerTest, InvalidUrlIsRefused) {
  Room room;
  auto future = room.connect("wss://example.invalid", "token");
  ASSERT_EQ(future.wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(future.get().reason, DisconnectReason::InvalidUrl);
}

TEST_F(RoomServerTest, SecondConnectWhileConnectedIsRefused) {
  startServer();
  Room room;
  ASSERT_TRUE(join(room, "alice").ok);
  auto again = join(room, "alice");
  EXPECT_FALSE(again.ok);
  EXPECT_EQ(again.reason, DisconnectReason::ProtocolError);
  EXPECT_EQ(room.state(), ConnectionState::Connected);
}

TEST_F(RoomServerTest, PingRoundTripIsMeasured) {
  startServer();
  Recorder events;
  Room room;
  room.setDelegate(&events);
  ASSERT_TRUE(join(room, "alice").ok);
  // The first ping goes out with the join and the server answers it from its WebSocket loop,
  // so its pong is on the wire before the echo of a metadata update sent afterwards.
  ASSERT_TRUE(room.localParticipant().setMetadata("x"));
  ASSERT_TRUE(events.waitFor("metadata alice local"));
  auto rtt = room.signalRtt();
  ASSERT_TRUE(rtt.has_value());
  EXPECT_GE(rtt->count(), 0);
}

TEST_F(RoomServerTest, EventsRunOnTheApplicationsExecutor) {
  startServer();
  EventThread appThread;  // stands in for an application's GUI loop
  const auto appId = appThread.id();
  Recorder events;
  Room room;
  room.setDelegate(&events);
  RoomOptions options;
  options.executor = appThread.executor();
  std::promise<std::thread::id> doneThread;
  room.connect(url(), token("alice"), options,
               [&](const ConnectResult&) { doneThread.set_value(std::this_thread::get_id()); });
  auto doneFuture = doneThread.get_future();
  ASSERT_EQ(doneFuture.wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(doneFuture.get(), appId);
  Room bob;
  ASSERT_TRUE(join(bob, "bob").ok);
  ASSERT_TRUE(events.waitFor("connected bob"));
  const auto seen = events.events();
  ASSERT_GE(seen.size(), 3u);  // connecting, connected, bob
  for (const auto& e : seen) EXPECT_EQ(e.thread, appId) << e.what;
}

TEST_F(RoomServerTest, DefaultExecutorIsOneThreadThatIsNotTheCaller) {
  startServer();
  Recorder events;
  Room room;
  room.setDelegate(&events);
  ASSERT_TRUE(join(room, "alice").ok);
  Room bob;
  ASSERT_TRUE(join(bob, "bob").ok);
  ASSERT_TRUE(events.waitFor("connected bob"));
  const auto seen = events.events();
  ASSERT_GE(seen.size(), 3u);
  for (const auto& e : seen) {
    EXPECT_NE(e.thread, std::this_thread::get_id()) << e.what;
    EXPECT_EQ(e.thread, seen.front().thread) << e.what;
  }
}

// Destroys its own Room from inside a callback, then reports.
class SelfDestroyer final : public Recorder {
 public:
  std::unique_ptr<Room> room;
  std::promise<void> destroyed;
  std::string trigger;
  void onParticipantConnected(const RemoteParticipant& p) override {
    Recorder::onParticipantConnected(p);
    if (trigger == "connected" && room) {
      room.reset();
      destroyed.set_value();
    }
  }
  void onParticipantMetadataChanged(const ParticipantInfo& p, const std::string& old) override {
    Recorder::onParticipantMetadataChanged(p, old);
    if (trigger == "disconnect" && room) room->disconnect();
  }
};

TEST_F(RoomServerTest, DestroyingTheRoomInsideACallbackIsSafe) {
  startServer();
  for (bool inlineExecutor : {false, true}) {
    SelfDestroyer victim;
    victim.trigger = "connected";
    victim.room = std::make_unique<Room>();
    victim.room->setDelegate(&victim);
    RoomOptions options;
    if (inlineExecutor) options.executor = [](std::function<void()> task) { task(); };  // network thread
    ASSERT_TRUE(join(*victim.room, "victim", options).ok);
    Room other;
    ASSERT_TRUE(join(other, "other").ok);
    auto destroyed = victim.destroyed.get_future();
    ASSERT_EQ(destroyed.wait_for(kWait), std::future_status::ready) << "inline=" << inlineExecutor;
    other.disconnect();
  }
}

TEST_F(RoomServerTest, DisconnectInsideACallbackIsSafe) {
  startServer();
  SelfDestroyer events;
  events.trigger = "disconnect";
  events.room = std::make_unique<Room>();
  events.room->setDelegate(&events);
  ASSERT_TRUE(join(*events.room, "alice").ok);
  ASSERT_TRUE(events.room->localParticipant().setMetadata("bye"));
  EXPECT_TRUE(events.waitFor("state disconnected client_initiated"));
  EXPECT_EQ(events.room->state(), ConnectionState::Disconnected);
}

TEST_F(RoomServerTest, ServerShutdownEndsTheSessionWithAReason) {
  startServer();
  Recorder events;
  Room room;
  room.setDelegate(&events);
  RoomOptions options;
  options.reconnectPolicy.maxAttempts = 0;  // a lost signal ends here instead of resuming
  ASSERT_TRUE(join(room, "alice", options).ok);
  server_.stop();
  // Either the server's leave (SERVER_SHUTDOWN) or, if the socket closed first, a lost signal.
  bool ended = false;
  for (const char* what : {"state disconnected server_shutdown", "state disconnected signal_lost"}) {
    if (events.waitFor(what, 5s)) ended = true;
    if (ended) break;
  }
  EXPECT_TRUE(ended);
  EXPECT_EQ(room.state(), ConnectionState::Disconnected);
  EXPECT_TRUE(room.localParticipant().setMetadata("late").ok == false);
}

TEST_F(RoomServerTest, PublishDataWithoutAPeerConnectionSaysNotConnected) {
  startServer();
  Room room;
  ASSERT_TRUE(join(room, "alice").ok);
  const std::uint8_t bytes[] = {1, 2, 3};
  auto sent = room.localParticipant().publishData(bytes);
  EXPECT_FALSE(sent.ok);
  EXPECT_EQ(sent.error, RequestError::NotConnected);
  std::vector<std::uint8_t> big(64 * 1024);
  EXPECT_EQ(room.localParticipant().publishData(big).error, RequestError::TooLarge);
}

TEST_F(RoomServerTest, MissingRoomIsNotAFallback) {
  startServer(true, false);  // rooms must exist; the token's room does not
  Room room;
  auto joined = join(room, "alice");
  EXPECT_FALSE(joined.ok);
  EXPECT_EQ(joined.reason, DisconnectReason::RoomNotFound) << joined.message;
  EXPECT_EQ(joined.httpStatus, 404u);
  EXPECT_FALSE(joined.usedV1);
}

// A media engine that records what the Room hands it and offers two open data channels.
struct FakeEngine final : MediaEngine {
  struct Seen {
    std::mutex mutex;
    bool joined = false;
    bool singlePc = false;
    std::vector<std::pair<bool, std::string>> sent;  // (reliable, bytes)
  };
  FakeEngine(MediaEngine::Listener& l, std::shared_ptr<Seen> s) : listener(l), seen(std::move(s)) {}
  std::optional<livekit::SessionDescription> initialOffer() override { return std::nullopt; }
  void onJoined(const livekit::JoinResponse&, bool singlePeerConnection) override {
    {
      std::lock_guard lock(seen->mutex);
      seen->joined = true;
      seen->singlePc = singlePeerConnection;
    }
    listener.onMediaDataChannel(true, true);
    listener.onMediaDataChannel(false, true);
  }
  void onAnswer(const livekit::SessionDescription&) override {}
  void onOffer(const livekit::SessionDescription&) override {}
  void onTrickle(const livekit::TrickleRequest&) override {}
  void onMediaSectionsRequirement(const livekit::MediaSectionsRequirement&) override {}
  void restartIce() override {}
  bool sendData(bool reliable, std::span<const std::uint8_t> packet) override {
    std::string bytes(packet.begin(), packet.end());
    {
      std::lock_guard lock(seen->mutex);
      seen->sent.emplace_back(reliable, bytes);
    }
    // Loop it back as if a peer had sent it, stamped the way the server forwards packets.
    livekit::DataPacket in;
    if (!in.ParseFromString(bytes)) return false;
    in.set_participant_identity("echo");
    in.set_participant_sid("PA_echo");
    const std::string echoed = in.SerializeAsString();
    listener.onMediaData(reliable, {reinterpret_cast<const std::uint8_t*>(echoed.data()), echoed.size()});
    return true;
  }
  void close() override {}
  MediaEngine::Listener& listener;
  std::shared_ptr<Seen> seen;
};

TEST_F(RoomServerTest, DataGoesThroughTheMediaEngineSeam) {
  startServer();
  auto seen = std::make_shared<FakeEngine::Seen>();
  Recorder events;
  Room room;
  room.setDelegate(&events);
  RoomInternals::setMediaEngineFactory(room, [seen](boost::asio::io_context&, MediaEngine::Listener& l) {
    return std::make_unique<FakeEngine>(l, seen);
  });
  ASSERT_TRUE(join(room, "alice").ok);
  {
    std::lock_guard lock(seen->mutex);
    EXPECT_TRUE(seen->joined);
    EXPECT_TRUE(seen->singlePc);
  }
  const std::string text = "hello";
  DataPublishOptions options;
  options.topic = "chat";
  options.destinationIdentities = {"bob"};
  ASSERT_TRUE(room.localParticipant().publishData(
      {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, options));
  options.reliable = false;
  ASSERT_TRUE(room.localParticipant().publishData(
      {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, options));
  EXPECT_EQ(events.waitFor("data echo chat reliable"), "hello");
  EXPECT_EQ(events.waitFor("data echo chat lossy"), "hello");
  std::lock_guard lock(seen->mutex);
  ASSERT_EQ(seen->sent.size(), 2u);
  livekit::DataPacket first;
  ASSERT_TRUE(first.ParseFromString(seen->sent[0].second));
  EXPECT_TRUE(seen->sent[0].first);
  EXPECT_EQ(first.kind(), livekit::DataPacket::RELIABLE);
  EXPECT_EQ(first.sequence(), 1u);  // reliable packets are numbered from 1
  EXPECT_EQ(first.user().topic(), "chat");
  ASSERT_EQ(first.destination_identities_size(), 1);
  EXPECT_EQ(first.destination_identities(0), "bob");
  livekit::DataPacket second;
  ASSERT_TRUE(second.ParseFromString(seen->sent[1].second));
  EXPECT_FALSE(seen->sent[1].first);
  EXPECT_EQ(second.kind(), livekit::DataPacket::LOSSY);
  EXPECT_EQ(second.sequence(), 0u);
}

}  // namespace
}  // namespace huddle::client
