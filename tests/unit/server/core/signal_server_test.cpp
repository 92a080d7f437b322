// huddle-server in one process on 127.0.0.1: joins, refusals, bad input and churn, observed
// through our WebSocket signal client and a raw Beast client (for frames no client would send).

#include <fstream>
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include "auth/access_token.h"
#include "server/server.h"
#include "signal/join_params.h"
#include "signal/signal_codec.h"
#include "signal/ws_signal_client.h"

namespace huddle::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using namespace std::chrono_literals;

// ASan keeps freed memory in quarantine, so RSS says nothing there; LeakSanitizer checks leaks.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kRssIsMeaningful = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kRssIsMeaningful = false;
#else
constexpr bool kRssIsMeaningful = true;
#endif
#else
constexpr bool kRssIsMeaningful = true;
#endif

long residentKiB() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0;
  long resident = 0;
  statm >> pages >> resident;
  return resident * 4;
}

class ServerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerConfig config;
    config.port = 0;
    config.rtc.udpPort = 0;  // an ephemeral media port: tests run in parallel
    config.bindAddresses = {"127.0.0.1"};
    config.development = true;
    config.logLevel = "warn";
    config.keys = {{"devkey", "secret"}};
    ASSERT_TRUE(config.keyProvider.add("devkey", "secret", auth::KeyPolicy{true}).ok());
    auto created = Server::create(std::move(config));
    ASSERT_TRUE(created.ok()) << created.message();
    server_ = std::move(*created);
    thread_ = std::thread([this] { server_->run(false); });
  }

  void TearDown() override {
    if (server_) server_->shutdown();
    if (thread_.joinable()) thread_.join();
  }

  std::string token(const std::string& identity, const std::string& room = "room-1",
                    bool roomJoin = true) {
    auth::ClaimGrants grants;
    grants.identity = identity;
    auth::VideoGrant video;
    video.roomJoin = roomJoin;
    video.room = room;
    video.canUpdateOwnMetadata = true;
    grants.video = video;
    auth::KeyProvider keys;
    EXPECT_TRUE(keys.add("devkey", "secret", auth::KeyPolicy{true}).ok());
    auto minted = auth::mintToken(grants, auth::MintOptions{.apiKey = "devkey"}, *keys.find("devkey"));
    return minted.ok() ? *minted : std::string();
  }

  // Runs the client io_context until `done` holds or the bound passes.
  bool runUntil(const std::function<bool()>& done, std::chrono::milliseconds bound = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io_.restart();
      io_.run_for(10ms);
    }
    return true;
  }

  struct Client {
    std::unique_ptr<signal::WsSignalClient> ws;
    std::vector<livekit::SignalResponse> responses;
    std::optional<Result<Ok, signal::WsSignalError>> connected;
    signal::HttpRefusal refusal;
    std::optional<std::uint16_t> closeCode;

    [[nodiscard]] int count(livekit::SignalResponse::MessageCase kind) const {
      int n = 0;
      for (const auto& r : responses) n += r.message_case() == kind ? 1 : 0;
      return n;
    }
  };

  std::unique_ptr<Client> connect(const std::string& tok, const std::string& path = "/rtc",
                                  std::string query = {}) {
    auto c = std::make_unique<Client>();
    c->ws = std::make_unique<signal::WsSignalClient>(io_);
    Client* raw = c.get();
    c->ws->onResponse([raw](livekit::SignalResponse r) { raw->responses.push_back(std::move(r)); });
    c->ws->onClose([raw](std::uint16_t code, const std::string&) { raw->closeCode = code; });
    if (query.empty()) query = "access_token=" + tok + "&protocol=17&sdk=cpp";
    signal::WsConnectOptions options{.host = "127.0.0.1",
                                     .port = server_->port(),
                                     .target = path + "?" + query};
    c->ws->connect(options, [raw](Result<Ok, signal::WsSignalError> r,
                                  const signal::HttpRefusal& refusal) {
      raw->connected = std::move(r);
      raw->refusal = refusal;
    });
    EXPECT_TRUE(runUntil([raw] { return raw->connected.has_value(); }));
    return c;
  }

  bool pingPong(Client& c) {
    livekit::SignalRequest ping;
    ping.mutable_ping_req()->set_timestamp(42);
    const int before = c.count(livekit::SignalResponse::kPongResp);
    if (!c.ws->send(ping)) return false;
    return runUntil([&] { return c.count(livekit::SignalResponse::kPongResp) > before; });
  }

  asio::io_context io_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

TEST_F(ServerFixture, JoinResponseFirstThenOthersSeeTheNewcomer) {
  auto alice = connect(token("alice"));
  ASSERT_TRUE(alice->connected->ok());
  ASSERT_TRUE(runUntil([&] { return !alice->responses.empty(); }));
  ASSERT_EQ(alice->responses.front().message_case(), livekit::SignalResponse::kJoin);
  const auto& join = alice->responses.front().join();
  EXPECT_EQ(join.participant().sid().rfind("PA_", 0), 0u);
  EXPECT_EQ(join.participant().identity(), "alice");
  EXPECT_EQ(join.room().name(), "room-1");
  EXPECT_EQ(join.room().sid().rfind("RM_", 0), 0u);
  EXPECT_GT(join.ping_interval(), 0);
  EXPECT_GT(join.ping_timeout(), 0);
  EXPECT_FALSE(join.server_info().version().empty());
  EXPECT_TRUE(join.subscriber_primary());
  ASSERT_TRUE(runUntil([&] { return alice->count(livekit::SignalResponse::kRefreshToken) == 1; }));

  auto bob = connect(token("bob"));
  ASSERT_TRUE(runUntil([&] {
    for (const auto& r : alice->responses) {
      if (r.has_update()) {
        for (const auto& p : r.update().participants()) {
          if (p.identity() == "bob") return true;
        }
      }
    }
    return false;
  }));
  ASSERT_TRUE(runUntil([&] { return !bob->responses.empty(); }));
  ASSERT_EQ(bob->responses.front().join().other_participants_size(), 1);
  EXPECT_EQ(bob->responses.front().join().other_participants(0).identity(), "alice");
  EXPECT_TRUE(pingPong(*bob));
}

TEST_F(ServerFixture, RefusedJoinsAreHttpStatusesWithReasons) {
  auto bad = connect("not.a.token");
  ASSERT_FALSE(bad->connected->ok());
  EXPECT_EQ(bad->refusal.status, 401u);
  EXPECT_NE(bad->refusal.body.find("invalid token"), std::string::npos) << bad->refusal.body;

  auto noGrant = connect(token("eve", "room-1", /*roomJoin=*/false));
  EXPECT_EQ(noGrant->refusal.status, 401u);

  auto noJoinRequest = connect("", "/rtc/v1", "access_token=" + token("v1"));
  EXPECT_EQ(noJoinRequest->refusal.status, 400u);

  auto garbageJoin = connect("", "/rtc/v1", "access_token=" + token("v1") + "&join_request=%%%");
  EXPECT_EQ(garbageJoin->refusal.status, 400u);
}

TEST_F(ServerFixture, V1JoinWithGzippedJoinRequestAndBearerToken) {
  signal::JoinParams params;
  params.clientInfo.set_sdk(livekit::ClientInfo::CPP);
  params.clientInfo.set_protocol(17);
  auto c = std::make_unique<Client>();
  c->ws = std::make_unique<signal::WsSignalClient>(io_);
  Client* raw = c.get();
  c->ws->onResponse([raw](livekit::SignalResponse r) { raw->responses.push_back(std::move(r)); });
  signal::WsConnectOptions options{
      .host = "127.0.0.1",
      .port = server_->port(),
      .target = "/rtc/v1?" + signal::buildV1Query(params, /*gzip=*/true),
      .headers = {{"Authorization", "Bearer " + token("v1-client")}}};
  c->ws->connect(options, [raw](Result<Ok, signal::WsSignalError> r, const signal::HttpRefusal&) {
    raw->connected = std::move(r);
  });
  ASSERT_TRUE(runUntil([&] { return !raw->responses.empty(); }));
  const auto& join = raw->responses.front().join();
  EXPECT_EQ(join.participant().identity(), "v1-client");
  EXPECT_FALSE(join.subscriber_primary());  // single peer connection
}

TEST_F(ServerFixture, GarbageAndOutOfOrderMessagesCostOnlyThemselves) {
  auto bystander = connect(token("bystander"));
  ASSERT_TRUE(runUntil([&] { return !bystander->responses.empty(); }));

  // A raw client sends what no SDK would.
  asio::ip::tcp::resolver resolver(io_);
  websocket::stream<beast::tcp_stream> raw(io_);
  beast::get_lowest_layer(raw).connect(
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
  raw.handshake("127.0.0.1", "/rtc?access_token=" + token("mallory"));
  raw.binary(true);
  const std::string garbage = "\xff\x01\x02garbage that is not protobuf";
  raw.write(asio::buffer(garbage));
  // Out of order: an answer nobody asked for, a mute of a track that does not exist, an
  // add_track with an enum value from the future.
  livekit::SignalRequest answer;
  answer.mutable_answer()->set_type("answer");
  answer.mutable_answer()->set_sdp("v=0");
  raw.write(asio::buffer(signal::encodeSignalRequest(answer, false)));
  livekit::SignalRequest mute;
  mute.mutable_mute()->set_sid("TR_nope");
  mute.mutable_mute()->set_muted(true);
  raw.write(asio::buffer(signal::encodeSignalRequest(mute, false)));
  livekit::SignalRequest addTrack;
  addTrack.mutable_add_track()->set_cid("c1");
  addTrack.mutable_add_track()->set_type(static_cast<livekit::TrackType>(99));
  raw.write(asio::buffer(signal::encodeSignalRequest(addTrack, false)));
  livekit::SignalRequest ping;
  ping.mutable_ping_req()->set_timestamp(7);
  raw.write(asio::buffer(signal::encodeSignalRequest(ping, false)));
  // The session is still alive: read until the pong (join, refresh token, request_response...).
  bool gotPong = false;
  bool gotUnsupported = false;
  std::vector<std::string> seen;
  for (int i = 0; i < 20 && !(gotPong && gotUnsupported); ++i) {
    beast::flat_buffer buffer;
    beast::error_code readError;
    raw.read(buffer, readError);
    ASSERT_FALSE(readError) << readError.message() << " after " << ::testing::PrintToString(seen);
    auto r = signal::decodeSignalResponse(
        std::span(static_cast<const std::uint8_t*>(buffer.cdata().data()), buffer.size()), false);
    ASSERT_TRUE(r.ok());
    seen.emplace_back(signal::signalResponseName(*r));
    gotPong |= r->has_pong_resp() && r->pong_resp().last_ping_timestamp() == 7;
    gotUnsupported |= r->has_request_response() &&
                      r->request_response().reason() == livekit::RequestResponse::UNSUPPORTED_TYPE;
  }
  EXPECT_TRUE(gotPong);
  EXPECT_TRUE(gotUnsupported) << ::testing::PrintToString(seen);

  // An oversized frame closes only that connection (1009), and says so.
  std::string huge(3 * 1024 * 1024, 'x');
  beast::error_code ec;
  raw.write(asio::buffer(huge), ec);
  // Messages already on their way may arrive first; then the connection ends.
  for (int i = 0; i < 20 && !ec; ++i) {
    beast::flat_buffer buffer;
    raw.read(buffer, ec);
  }
  // The server may close before the whole frame is written: the writer then sees a broken pipe
  // or, when the reset arrived first, a socket that is no longer connected.
  EXPECT_TRUE(ec == websocket::error::closed || ec == asio::error::eof ||
              ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
              ec == asio::error::not_connected)
      << ec.message();
  if (ec == websocket::error::closed) {
    EXPECT_EQ(raw.reason().code, websocket::close_code::too_big);
  }

  // Everyone else carries on.
  EXPECT_TRUE(pingPong(*bystander));
  auto after = connect(token("late"));
  EXPECT_TRUE(after->connected->ok());
}

TEST_F(ServerFixture, RapidConnectDisconnectReturnsToBaseline) {
  constexpr int kRounds = 1000;
  auto keeper = connect(token("keeper"));
  ASSERT_TRUE(runUntil([&] { return !keeper->responses.empty(); }));
  const std::string tok = token("churn");
  const long before = residentKiB();
  int joined = 0;
  for (int i = 0; i < kRounds; ++i) {
    auto c = connect(tok);
    if (!c->connected->ok()) continue;
    if (!runUntil([&] { return !c->responses.empty(); }, 5s)) continue;
    joined += c->responses.front().has_join() ? 1 : 0;
    livekit::SignalRequest leave;
    leave.mutable_leave()->set_reason(livekit::CLIENT_INITIATED);
    c->ws->send(leave);
    c->ws->close();
    ASSERT_TRUE(runUntil([&] { return c->closeCode.has_value(); }, 5s)) << "round " << i;
  }
  const long after = residentKiB();
  std::printf("rapid connect/disconnect: %d/%d joined; RSS before %ld KiB, after %ld KiB\n",
              joined, kRounds, before, after);
  EXPECT_EQ(joined, kRounds);
  // Loose on purpose: the allocator keeps some freed memory; a leak per round would show as
  // tens of MiB over a thousand rounds.
  if (kRssIsMeaningful) {
    EXPECT_LT(after - before, 32 * 1024);
  }
  // The keeper saw the churn participant come and go, and is still served.
  EXPECT_TRUE(pingPong(*keeper));
  const livekit::ParticipantInfo* last = nullptr;
  for (const auto& r : keeper->responses) {
    for (const auto& p : r.update().participants()) {
      if (p.identity() == "churn") last = &p;
    }
  }
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(last->state(), livekit::ParticipantInfo::DISCONNECTED);
}

}  // namespace
}  // namespace huddle::server
