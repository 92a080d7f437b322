// Reconnection of a Room: against huddle-server in process (a TCP relay on 127.0.0.1 between the
// Room and the server cuts the signal connection, holds new ones, or stops listening) and against
// a scripted WebSocket server for the server's leave with RESUME or RECONNECT. Waits are on events
// with a bound; the printed timelines are for reading, never asserted.

// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "auth/access_token.h"
#include "client/room.h"
#include "client/room_internal.h"
#include "livekit_rtc.pb.h"
#include "server/server.h"
#include "signal/join_params.h"
#include "in_process_server.h"
#include "net_relay.h"

namespace huddle::client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kWait = 15s;

using huddle::testing::runOn;
using huddle::testing::TcpRelay;

// What a delegate saw, with when it saw it. Waits are bounded.
class Recorder : public RoomDelegate {
 public:
  struct Event {
    std::string what;
    std::string detail;
    Clock::time_point at;
  };

  void onConnectionStateChanged(ConnectionState state, DisconnectReason reason, std::string_view detail) override {
    add(std::string("state ") + toString(state) + " " + toString(reason), std::string(detail));
  }
  void onParticipantConnected(const RemoteParticipant& p) override { add("connected " + p.identity, p.sid); }
  void onParticipantDisconnected(const RemoteParticipant& p, DisconnectReason) override {
    add("disconnected " + p.identity, p.sid);
  }
  void onParticipantMetadataChanged(const ParticipantInfo& p, const std::string&) override {
    add("metadata " + p.identity + (p.isLocal ? " local" : ""), p.metadata);
  }

  // The detail of the n-th (1-based) event named `what`, once it arrived.
  std::optional<std::string> waitFor(const std::string& what, int n = 1, std::chrono::milliseconds bound = kWait) {
    std::unique_lock lock(mutex_);
    std::optional<std::string> found;
    cv_.wait_for(lock, bound, [&] {
      int seen = 0;
      for (const auto& e : events_) {
        if (e.what == what && ++seen == n) {
          found = e.detail;
          return true;
        }
      }
      return false;
    });
    return found;
  }
  std::optional<Clock::time_point> timeOf(const std::string& what, int n = 1) {
    std::lock_guard lock(mutex_);
    int seen = 0;
    for (const auto& e : events_) {
      if (e.what == what && ++seen == n) return e.at;
    }
    return std::nullopt;
  }
  int count(const std::string& what) {
    std::lock_guard lock(mutex_);
    int n = 0;
    for (const auto& e : events_) n += e.what == what ? 1 : 0;
    return n;
  }
  // The state events in order ("state <state> <reason>").
  std::vector<std::string> states() {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& e : events_) {
      if (e.what.rfind("state ", 0) == 0) out.push_back(e.what);
    }
    return out;
  }

 private:
  void add(std::string what, std::string detail) {
    {
      std::lock_guard lock(mutex_);
      events_.push_back(Event{std::move(what), std::move(detail), Clock::now()});
    }
    cv_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Event> events_;
};

long long msBetween(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count();
}

// Quick retries so a test does not wait on the default schedule's seconds.
RoomOptions quickRetries(unsigned maxAttempts = 6) {
  RoomOptions options;
  options.reconnectPolicy.baseDelays = {0ms, 50ms};
  options.reconnectPolicy.firstAttemptMaxJitter = 0ms;
  options.reconnectPolicy.maxAttempts = maxAttempts;
  return options;
}

ConnectResult await(std::future<ConnectResult> future) {
  if (future.wait_for(kWait) != std::future_status::ready) {
    return ConnectResult{false, DisconnectReason::Timeout, "test wait", 0, false};
  }
  return future.get();
}

class RoomReconnectTest : public ::testing::Test {
 protected:
  void startServer(std::uint16_t port = 0) { server_.start(testing::InProcessServerOptions{.port = port}); }
  void stopServer() { server_.stop(); }

  std::uint16_t port() const { return server_.port(); }
  std::string url() const { return server_.url(); }

  static std::string token(const std::string& identity) {
    return testing::joinToken(identity, "reconnect-room", [&](auth::ClaimGrants& grants) {
      grants.name = identity + " name";
      grants.video->canUpdateOwnMetadata = true;
    });
  }

  testing::InProcessServer server_;
};

TEST_F(RoomReconnectTest, DroppedSignalResumesWithTheSameSidAndOthersSeeNothing) {
  startServer();
  TcpRelay relay(port());
  Recorder aliceEvents;
  Recorder bobEvents;
  Room alice;
  Room bob;
  alice.setDelegate(&aliceEvents);
  bob.setDelegate(&bobEvents);
  ASSERT_TRUE(await(alice.connect(relay.url(), token("alice"), quickRetries())).ok);
  ASSERT_TRUE(await(bob.connect(url(), token("bob"))).ok);
  ASSERT_TRUE(aliceEvents.waitFor("connected bob"));
  ASSERT_TRUE(bob.remoteParticipant("alice"));  // in bob's join snapshot: no event
  const std::string sid = alice.localParticipant().sid();

  const auto cutAt = Clock::now();
  relay.cut();
  ASSERT_TRUE(aliceEvents.waitFor("state resuming signal_lost"));
  ASSERT_TRUE(aliceEvents.waitFor("state connected none", 2)) << "never resumed";
  EXPECT_EQ(alice.state(), ConnectionState::Connected);
  EXPECT_EQ(alice.localParticipant().sid(), sid);
  EXPECT_EQ(aliceEvents.states(), (std::vector<std::string>{"state connecting none", "state connected none",
                                                            "state resuming signal_lost",
                                                            "state connected none"}));
  // The resumed session carries requests again. Bob sees the change after anything the server
  // said about alice before it, so no leave or join of hers can still be on its way.
  ASSERT_TRUE(alice.localParticipant().setMetadata("after resume"));
  EXPECT_EQ(bobEvents.waitFor("metadata alice"), "after resume");
  EXPECT_EQ(bobEvents.count("disconnected alice"), 0);
  EXPECT_EQ(bobEvents.count("connected alice"), 0);
  ASSERT_TRUE(bob.remoteParticipant("alice"));
  EXPECT_EQ(bob.remoteParticipant("alice")->sid, sid);
  // Alice's model went through the resume untouched.
  EXPECT_EQ(aliceEvents.count("disconnected bob"), 0);
  EXPECT_EQ(aliceEvents.count("connected bob"), 1);
  ASSERT_TRUE(alice.remoteParticipant("bob"));
  std::printf("resume timeline: cut -> resuming %lld ms -> connected %lld ms\n",
              msBetween(cutAt, *aliceEvents.timeOf("state resuming signal_lost")),
              msBetween(cutAt, *aliceEvents.timeOf("state connected none", 2)));
}

TEST_F(RoomReconnectTest, RestartedServerRefusesTheResumeAndBothRoomsRejoin) {
  startServer();
  const std::uint16_t serverPort = port();
  TcpRelay relay(serverPort);
  Recorder aliceEvents;
  Recorder bobEvents;
  Room alice;
  Room bob;
  alice.setDelegate(&aliceEvents);
  bob.setDelegate(&bobEvents);
  ASSERT_TRUE(await(alice.connect(relay.url(), token("alice"), quickRetries())).ok);
  ASSERT_TRUE(await(bob.connect(relay.url(), token("bob"), quickRetries())).ok);
  ASSERT_TRUE(aliceEvents.waitFor("connected bob"));
  const std::string aliceSid = alice.localParticipant().sid();
  const std::string bobSid = bob.localParticipant().sid();

  // The resumes wait at the relay while the server restarts on the same port; its shutdown
  // leaves go nowhere (the connections are cut), as when a server process dies.
  relay.hold(true);
  const auto cutAt = Clock::now();
  relay.cut();
  ASSERT_TRUE(aliceEvents.waitFor("state resuming signal_lost"));
  ASSERT_TRUE(bobEvents.waitFor("state resuming signal_lost"));
  stopServer();
  startServer(serverPort);
  ASSERT_EQ(port(), serverPort);
  relay.hold(false);

  auto refused = aliceEvents.waitFor("state reconnecting join_failure");
  ASSERT_TRUE(refused) << "the resume was not refused";
  EXPECT_NE(refused->find("STATE_MISMATCH"), std::string::npos) << *refused;
  ASSERT_TRUE(aliceEvents.waitFor("state connected none", 2)) << "alice never rejoined";
  ASSERT_TRUE(bobEvents.waitFor("state connected none", 2)) << "bob never rejoined";
  EXPECT_NE(alice.localParticipant().sid(), aliceSid);
  EXPECT_NE(bob.localParticipant().sid(), bobSid);
  EXPECT_EQ(aliceEvents.states(), (std::vector<std::string>{"state connecting none", "state connected none",
                                                            "state resuming signal_lost",
                                                            "state reconnecting join_failure",
                                                            "state connected none"}));
  // Alice ends with one bob, the new one, whichever of them rejoined first.
  ASSERT_EQ(aliceEvents.waitFor("connected bob", 2), bob.localParticipant().sid());
  ASSERT_EQ(bobEvents.waitFor("connected alice"), alice.localParticipant().sid());
  int bobs = 0;
  for (const auto& p : alice.remoteParticipants()) bobs += p.identity == "bob" ? 1 : 0;
  EXPECT_EQ(bobs, 1);
  ASSERT_TRUE(alice.remoteParticipant("bob"));
  EXPECT_EQ(alice.remoteParticipant("bob")->sid, bob.localParticipant().sid());
  EXPECT_EQ(aliceEvents.count("connected bob") - aliceEvents.count("disconnected bob"), 1);
  // Bob had alice from his join snapshot (no event), so his events pair up.
  EXPECT_EQ(bobEvents.count("connected alice"), 1);
  EXPECT_EQ(bobEvents.count("disconnected alice"), 1);
  ASSERT_TRUE(bob.remoteParticipant("alice"));
  EXPECT_EQ(bob.remoteParticipant("alice")->sid, alice.localParticipant().sid());
  std::printf("rejoin timeline: cut -> resuming %lld ms -> reconnecting %lld ms -> connected %lld ms "
              "(includes the server restart)\n",
              msBetween(cutAt, *aliceEvents.timeOf("state resuming signal_lost")),
              msBetween(cutAt, *aliceEvents.timeOf("state reconnecting join_failure")),
              msBetween(cutAt, *aliceEvents.timeOf("state connected none", 2)));
}

TEST_F(RoomReconnectTest, ServerGoneForGoodGivesUpAfterTheConfiguredAttempts) {
  startServer();
  TcpRelay relay(port());
  Recorder events;
  Room room;
  room.setDelegate(&events);
  ASSERT_TRUE(await(room.connect(relay.url(), token("alice"), quickRetries(3))).ok);
  relay.stopListening();
  relay.cut();
  auto ended = events.waitFor("state disconnected server_unreachable");
  ASSERT_TRUE(ended) << "did not give up";
  EXPECT_NE(ended->find("gave up after 3 attempts"), std::string::npos) << *ended;
  EXPECT_NE(ended->find(std::to_string(relay.port())), std::string::npos) << *ended;
  // Two resumes that found nobody, then one rejoin.
  EXPECT_EQ(events.states(), (std::vector<std::string>{"state connecting none", "state connected none",
                                                       "state resuming signal_lost",
                                                       "state reconnecting server_unreachable",
                                                       "state disconnected server_unreachable"}));
  EXPECT_EQ(room.state(), ConnectionState::Disconnected);
  EXPECT_FALSE(room.localParticipant().setMetadata("late").ok);
}

TEST_F(RoomReconnectTest, DisconnectWhileResumingStopsEverything) {
  startServer();
  TcpRelay relay(port());
  Recorder events;
  Room room;
  room.setDelegate(&events);
  RoomOptions options = quickRetries(20);
  options.timeouts.signalConnect = 1s;  // left running, the attempts would come quickly
  ASSERT_TRUE(await(room.connect(relay.url(), token("alice"), options)).ok);
  relay.hold(true);
  relay.cut();
  ASSERT_TRUE(events.waitFor("state resuming signal_lost"));
  ASSERT_TRUE(relay.waitAccepted(2));  // the first resume attempt is parked at the relay
  // Requests are refused while the signal is away.
  EXPECT_EQ(room.localParticipant().setMetadata("x").error, RequestError::NotConnected);
  const std::uint8_t bytes[] = {1};
  EXPECT_EQ(room.localParticipant().publishData(bytes).error, RequestError::NotConnected);
  room.disconnect();
  ASSERT_TRUE(events.waitFor("state disconnected client_initiated"));
  const int attemptsSeen = relay.accepted();
  relay.hold(false);
  // Connect again straight to the server: the events after the disconnect are this connect's
  // and nothing of the abandoned reconnection.
  ASSERT_TRUE(await(room.connect(url(), token("alice"), options)).ok);
  ASSERT_TRUE(events.waitFor("state connected none", 2));
  room.disconnect();
  ASSERT_TRUE(events.waitFor("state disconnected client_initiated", 2));
  // Before the disconnect: resuming (and, on a slow machine, maybe reconnecting after timeouts);
  // after it: only the new connection's states.
  auto states = events.states();
  const auto cut = std::find(states.begin(), states.end(), "state disconnected client_initiated");
  ASSERT_NE(cut, states.end());
  EXPECT_EQ(std::vector<std::string>(cut, states.end()),
            (std::vector<std::string>{"state disconnected client_initiated", "state connecting none",
                                      "state connected none", "state disconnected client_initiated"}));
  EXPECT_EQ(states[2], "state resuming signal_lost");
  EXPECT_EQ(relay.accepted(), attemptsSeen);
}

TEST_F(RoomReconnectTest, DestroyingTheRoomWhileReconnectingEndsAtOnce) {
  startServer();
  TcpRelay relay(port());
  Recorder events;
  auto room = std::make_unique<Room>();
  room->setDelegate(&events);
  ASSERT_TRUE(await(room->connect(relay.url(), token("alice"), quickRetries(20))).ok);
  relay.hold(true);
  relay.cut();
  ASSERT_TRUE(events.waitFor("state resuming signal_lost"));
  ASSERT_TRUE(relay.waitAccepted(2));  // an attempt is in flight, parked at the relay
  room.reset();  // joins both threads: the pending attempt and its timer must not hold them
  const int seen = static_cast<int>(events.states().size());
  relay.hold(false);
  // Nothing of the Room runs any more; a second Room in the same process works as usual.
  Room other;
  ASSERT_TRUE(await(other.connect(url(), token("bob"))).ok);
  EXPECT_EQ(static_cast<int>(events.states().size()), seen);
}

// A media engine that counts what the Room does with it; fail() reports a failed transport.
struct CountingEngine final : MediaEngine {
  struct Seen {
    std::mutex mutex;
    int made = 0;
    int closed = 0;
    int resumed = 0;
    std::function<void()> fail;  // of the latest engine
    std::condition_variable cv;
    // onResumed runs on the network thread right after the Connected event is queued.
    bool waitResumed(int n) {
      std::unique_lock lock(mutex);
      return cv.wait_for(lock, kWait, [&] { return resumed >= n; });
    }
  };
  CountingEngine(asio::io_context& io, MediaEngine::Listener& listener, std::shared_ptr<Seen> seen)
      : seen_(std::move(seen)) {
    std::lock_guard lock(seen_->mutex);
    ++seen_->made;
    seen_->fail = [&io, &listener] { asio::post(io, [&listener] { listener.onMediaFailed(); }); };
  }
  std::optional<livekit::SessionDescription> initialOffer() override { return std::nullopt; }
  void onJoined(const livekit::JoinResponse&, bool) override {}
  void onAnswer(const livekit::SessionDescription&) override {}
  void onOffer(const livekit::SessionDescription&) override {}
  void onTrickle(const livekit::TrickleRequest&) override {}
  void onMediaSectionsRequirement(const livekit::MediaSectionsRequirement&) override {}
  void restartIce() override {}
  void onResumed(const livekit::ReconnectResponse&) override {
    {
      std::lock_guard lock(seen_->mutex);
      ++seen_->resumed;
    }
    seen_->cv.notify_all();
  }
  bool sendData(bool, std::span<const std::uint8_t>) override { return false; }
  void close() override {
    std::lock_guard lock(seen_->mutex);
    ++seen_->closed;
  }
  std::shared_ptr<Seen> seen_;
};

MediaEngineFactory countingFactory(const std::shared_ptr<CountingEngine::Seen>& seen) {
  return [seen](asio::io_context& io, MediaEngine::Listener& listener) {
    return std::make_unique<CountingEngine>(io, listener, seen);
  };
}

TEST_F(RoomReconnectTest, MediaFailureResumesAndTheEngineRestartsIce) {
  startServer();
  auto seen = std::make_shared<CountingEngine::Seen>();
  Recorder events;
  Room room;
  room.setDelegate(&events);
  RoomInternals::setMediaEngineFactory(room, countingFactory(seen));
  ASSERT_TRUE(await(room.connect(url(), token("alice"), quickRetries())).ok);
  const std::string sid = room.localParticipant().sid();
  {
    std::lock_guard lock(seen->mutex);
    seen->fail();
  }
  ASSERT_TRUE(events.waitFor("state resuming media_failure"));
  ASSERT_TRUE(events.waitFor("state connected none", 2));
  EXPECT_EQ(room.localParticipant().sid(), sid);
  ASSERT_TRUE(seen->waitResumed(1));
  std::lock_guard lock(seen->mutex);
  EXPECT_EQ(seen->made, 1);  // a resume keeps the engine
  EXPECT_EQ(seen->closed, 0);
  EXPECT_EQ(seen->resumed, 1);
}

// ---- the server's leave with RESUME or RECONNECT, from a scripted WebSocket server -------------

livekit::SignalResponse joinResponse(const std::string& sid, const std::vector<std::pair<std::string, std::string>>& others) {
  livekit::SignalResponse r;
  auto* join = r.mutable_join();
  join->mutable_room()->set_name("scripted");
  join->mutable_room()->set_sid("RM_scripted");
  join->mutable_participant()->set_sid(sid);
  join->mutable_participant()->set_identity("me");
  join->set_ping_interval(5);
  join->set_ping_timeout(15);
  for (const auto& [otherSid, identity] : others) {
    auto* p = join->add_other_participants();
    p->set_sid(otherSid);
    p->set_identity(identity);
    p->set_state(livekit::ParticipantInfo::ACTIVE);
  }
  return r;
}

livekit::SignalResponse leave(livekit::LeaveRequest::Action action) {
  livekit::SignalResponse r;
  r.mutable_leave()->set_reason(livekit::MIGRATION);
  r.mutable_leave()->set_action(action);
  return r;
}

livekit::SignalResponse reconnectResponse() {
  livekit::SignalResponse r;
  r.mutable_reconnect()->mutable_server_info()->set_version("9.9.9");
  return r;
}

// Accepts WebSockets one after another; connection i gets script i (and nothing past the last
// script). Records the upgrade targets.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::vector<std::vector<livekit::SignalResponse>> scripts)
      : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}), scripts_(std::move(scripts)) {
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ScriptedServer() {
    io_.stop();
    thread_.join();
  }
  std::string url() const { return "ws://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }
  std::vector<std::string> targets() {
    std::lock_guard lock(mutex_);
    return targets_;
  }

 private:
  struct Connection {
    explicit Connection(tcp::socket s) : ws(std::move(s)) {}
    websocket::stream<beast::tcp_stream> ws;
    beast::flat_buffer buffer;
    http::request<http::string_body> upgrade;
    std::vector<std::string> frames;
    std::size_t next = 0;
  };

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;
      auto c = std::make_shared<Connection>(std::move(socket));
      http::async_read(c->ws.next_layer(), c->buffer, c->upgrade, [this, c](boost::system::error_code ec2, std::size_t) {
        if (ec2) return;
        std::size_t index = 0;
        {
          std::lock_guard lock(mutex_);
          targets_.emplace_back(c->upgrade.target());
          index = targets_.size() - 1;
        }
        if (index < scripts_.size()) {
          for (const auto& r : scripts_[index]) c->frames.push_back(r.SerializeAsString());
        }
        c->ws.binary(true);
        c->ws.async_accept(c->upgrade, [this, c](boost::system::error_code ec3) {
          if (ec3) return;
          live_.push_back(c);
          writeNext(c);
          readNext(c);
        });
      });
      accept();
    });
  }
  void writeNext(const std::shared_ptr<Connection>& c) {
    if (c->next >= c->frames.size()) return;
    c->ws.async_write(asio::buffer(c->frames[c->next]), [this, c](boost::system::error_code ec, std::size_t) {
      if (ec) return;
      ++c->next;
      writeNext(c);
    });
  }
  void readNext(const std::shared_ptr<Connection>& c) {
    c->ws.async_read(c->buffer, [this, c](boost::system::error_code ec, std::size_t) {
      if (ec) return;
      c->buffer.consume(c->buffer.size());
      readNext(c);
    });
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::vector<std::vector<livekit::SignalResponse>> scripts_;
  std::vector<std::shared_ptr<Connection>> live_;  // server thread only
  std::mutex mutex_;
  std::vector<std::string> targets_;
  std::thread thread_;
};

// The JoinRequest a /rtc/v1 upgrade target carries.
std::optional<signal::JoinParams> joinParamsOf(const std::string& target) {
  const auto query = target.find('?');
  if (target.find("/rtc/v1?") == std::string::npos || query == std::string::npos) return std::nullopt;
  auto parsed = signal::parseV1Query(std::string_view(target).substr(query + 1));
  if (!parsed.ok()) return std::nullopt;
  return std::move(*parsed);
}

TEST(RoomReconnectScripted, LeaveWithResumeResumesTheSameParticipant) {
  ScriptedServer server({{joinResponse("PA_me", {{"PA_bob", "bob"}}), leave(livekit::LeaveRequest::RESUME)},
                         {reconnectResponse()}});
  auto seen = std::make_shared<CountingEngine::Seen>();
  Recorder events;
  Room room;
  room.setDelegate(&events);
  RoomInternals::setMediaEngineFactory(room, countingFactory(seen));
  ASSERT_TRUE(await(room.connect(server.url(), "token", quickRetries())).ok);
  auto asked = events.waitFor("state resuming reconnect_requested");
  ASSERT_TRUE(asked);
  EXPECT_NE(asked->find("resume"), std::string::npos) << *asked;
  EXPECT_NE(asked->find("MIGRATION"), std::string::npos) << *asked;
  ASSERT_TRUE(events.waitFor("state connected none", 2));
  EXPECT_EQ(room.localParticipant().sid(), "PA_me");
  EXPECT_EQ(room.serverVersion(), "9.9.9");
  ASSERT_TRUE(room.remoteParticipant("bob"));
  EXPECT_EQ(events.count("connected bob"), 0);  // in the join's snapshot, and kept
  const auto targets = server.targets();
  ASSERT_EQ(targets.size(), 2u);
  auto first = joinParamsOf(targets[0]);
  auto resume = joinParamsOf(targets[1]);
  ASSERT_TRUE(first && resume) << targets[0] << " " << targets[1];
  EXPECT_FALSE(first->reconnect);
  EXPECT_TRUE(resume->reconnect);
  EXPECT_EQ(resume->participantSid, "PA_me");
  EXPECT_FALSE(resume->publisherOffer.has_value());
  ASSERT_TRUE(seen->waitResumed(1));
  std::lock_guard lock(seen->mutex);
  EXPECT_EQ(seen->made, 1);
  EXPECT_EQ(seen->resumed, 1);
}

TEST(RoomReconnectScripted, LeaveWithReconnectRejoinsAndReportsTheDifference) {
  // Before: bob and dave. After the rejoin: bob under a new sid, carol; dave is gone.
  ScriptedServer server({{joinResponse("PA_me", {{"PA_bob", "bob"}, {"PA_dave", "dave"}}),
                          leave(livekit::LeaveRequest::RECONNECT)},
                         {joinResponse("PA_me2", {{"PA_bob2", "bob"}, {"PA_carol", "carol"}})}});
  auto seen = std::make_shared<CountingEngine::Seen>();
  Recorder events;
  Room room;
  room.setDelegate(&events);
  RoomInternals::setMediaEngineFactory(room, countingFactory(seen));
  ASSERT_TRUE(await(room.connect(server.url(), "token", quickRetries())).ok);
  ASSERT_TRUE(events.waitFor("state reconnecting reconnect_requested"));
  ASSERT_TRUE(events.waitFor("state connected none", 2));
  EXPECT_EQ(room.localParticipant().sid(), "PA_me2");
  // The difference comes right after Connected; carol's arrival is among the last of it.
  ASSERT_EQ(events.waitFor("connected carol"), "PA_carol");
  EXPECT_EQ(events.waitFor("disconnected dave"), "PA_dave");
  EXPECT_EQ(events.waitFor("disconnected bob"), "PA_bob");
  EXPECT_EQ(events.waitFor("connected bob"), "PA_bob2");
  EXPECT_EQ(events.count("connected bob"), 1);
  EXPECT_EQ(events.count("disconnected bob"), 1);
  EXPECT_EQ(room.remoteParticipants().size(), 2u);
  ASSERT_TRUE(room.remoteParticipant("bob"));
  EXPECT_EQ(room.remoteParticipant("bob")->sid, "PA_bob2");
  EXPECT_FALSE(room.remoteParticipant("dave"));
  const auto targets = server.targets();
  ASSERT_EQ(targets.size(), 2u);
  auto rejoin = joinParamsOf(targets[1]);
  ASSERT_TRUE(rejoin) << targets[1];
  EXPECT_FALSE(rejoin->reconnect);  // a fresh join, not a resume
  std::lock_guard lock(seen->mutex);
  EXPECT_EQ(seen->made, 2);  // a new engine for the new session
  EXPECT_EQ(seen->closed, 1);
  EXPECT_EQ(seen->resumed, 0);
}

}  // namespace
}  // namespace huddle::client
