// The signal session against a scripted WebSocket server (Beast, 127.0.0.1): what the client does
// when the first message is not a join, when a leave comes first, when the server stays silent
// before the join or after it (ping timeout), and when it sends a leave later.

// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/room.h"
#include "livekit_rtc.pb.h"

namespace huddle::client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using namespace std::chrono_literals;

// Accepts one WebSocket, writes the scripted responses, then reads (and drops) until closed.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::vector<livekit::SignalResponse> script)
      : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}), script_(std::move(script)) {
    acceptor_.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket socket) {
      if (ec) return;
      ws_ = std::make_unique<websocket::stream<beast::tcp_stream>>(std::move(socket));
      ws_->binary(true);
      ws_->async_accept([this](boost::system::error_code ec2) {
        if (ec2) return;
        for (const auto& r : script_) frames_.push_back(r.SerializeAsString());
        writeNext();
        readNext();
      });
    });
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ScriptedServer() {
    io_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  void writeNext() {
    if (next_ >= frames_.size()) return;
    ws_->async_write(asio::buffer(frames_[next_]), [this](boost::system::error_code ec, std::size_t) {
      if (ec) return;
      ++next_;
      writeNext();
    });
  }
  void readNext() {
    ws_->async_read(buffer_, [this](boost::system::error_code ec, std::size_t) {
      if (ec) return;
      buffer_.consume(buffer_.size());
      readNext();
    });
  }

  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::vector<livekit::SignalResponse> script_;
  std::vector<std::string> frames_;
  std::size_t next_ = 0;
  std::unique_ptr<websocket::stream<beast::tcp_stream>> ws_;
  beast::flat_buffer buffer_;
  std::thread thread_;
};

livekit::SignalResponse joinResponse(int pingInterval, int pingTimeout) {
  livekit::SignalResponse r;
  auto* join = r.mutable_join();
  join->mutable_room()->set_name("scripted");
  join->mutable_room()->set_sid("RM_scripted");
  join->mutable_participant()->set_sid("PA_me");
  join->mutable_participant()->set_identity("me");
  join->mutable_server_info()->set_version("1.9.0");
  join->set_ping_interval(pingInterval);
  join->set_ping_timeout(pingTimeout);
  return r;
}

livekit::SignalResponse leave(livekit::DisconnectReason reason, livekit::LeaveRequest::Action action) {
  livekit::SignalResponse r;
  r.mutable_leave()->set_reason(reason);
  r.mutable_leave()->set_action(action);
  return r;
}

// The state changes a Room reports, waited on with a bound.
class States final : public RoomDelegate {
 public:
  void onConnectionStateChanged(ConnectionState state, DisconnectReason reason, std::string_view detail) override {
    {
      std::lock_guard lock(mutex_);
      seen_.push_back({state, reason, std::string(detail)});
    }
    cv_.notify_all();
  }
  struct Seen {
    ConnectionState state;
    DisconnectReason reason;
    std::string detail;
  };
  std::optional<Seen> waitDisconnected(std::chrono::milliseconds bound = 10s) {
    std::unique_lock lock(mutex_);
    std::optional<Seen> out;
    cv_.wait_for(lock, bound, [&] {
      for (const auto& s : seen_) {
        if (s.state == ConnectionState::Disconnected) {
          out = s;
          return true;
        }
      }
      return false;
    });
    return out;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Seen> seen_;
};

ConnectResult connectTo(Room& room, const ScriptedServer& server, RoomOptions options = {}) {
  auto future = room.connect("ws://127.0.0.1:" + std::to_string(server.port()), "token", std::move(options));
  if (future.wait_for(10s) != std::future_status::ready) return ConnectResult{false, DisconnectReason::None, "test wait", 0, false};
  return future.get();
}

TEST(SignalScript, LeaveInsteadOfJoinIsAJoinFailureWithTheReason) {
  ScriptedServer server({leave(livekit::ROOM_CLOSED, livekit::LeaveRequest::DISCONNECT)});
  Room room;
  auto result = connectTo(room, server);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.reason, DisconnectReason::JoinFailure);
  EXPECT_NE(result.message.find("ROOM_CLOSED"), std::string::npos) << result.message;
}

TEST(SignalScript, FirstMessageOtherThanJoinIsAProtocolError) {
  livekit::SignalResponse pong;
  pong.set_pong(1);
  ScriptedServer server({pong, joinResponse(5, 15)});
  Room room;
  auto result = connectTo(room, server);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.reason, DisconnectReason::ProtocolError) << result.message;
}

TEST(SignalScript, SilenceBeforeJoinTimesOut) {
  ScriptedServer server({});
  Room room;
  RoomOptions options;
  options.timeouts.firstMessage = 200ms;
  auto result = connectTo(room, server, options);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.reason, DisconnectReason::Timeout) << result.message;
}

TEST(SignalScript, SilenceAfterJoinIsASignalLost) {
  // Pings every second, timeout one second: the server never answers them.
  ScriptedServer server({joinResponse(1, 1)});
  States states;
  Room room;
  room.setDelegate(&states);
  RoomOptions options;
  options.reconnectPolicy.maxAttempts = 0;  // the lost signal itself, no resume (see room_reconnect_test)
  ASSERT_TRUE(connectTo(room, server, options).ok);
  auto ended = states.waitDisconnected();
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->reason, DisconnectReason::SignalLost);
  EXPECT_NE(ended->detail.find("ping timeout"), std::string::npos) << ended->detail;
  EXPECT_FALSE(room.signalRtt().has_value());
}

TEST(SignalScript, LeaveWithDisconnectCarriesTheServersReason) {
  ScriptedServer server({joinResponse(5, 15), leave(livekit::PARTICIPANT_REMOVED, livekit::LeaveRequest::DISCONNECT)});
  States states;
  Room room;
  room.setDelegate(&states);
  ASSERT_TRUE(connectTo(room, server).ok);
  auto ended = states.waitDisconnected();
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->reason, DisconnectReason::ParticipantRemoved);
}

TEST(SignalScript, LeaveAskingForResumeIsSurfaced) {
  ScriptedServer server({joinResponse(5, 15), leave(livekit::MIGRATION, livekit::LeaveRequest::RESUME)});
  States states;
  Room room;
  room.setDelegate(&states);
  RoomOptions options;
  options.reconnectPolicy.maxAttempts = 0;  // surfaced as the reason; the resume is room_reconnect_test's
  ASSERT_TRUE(connectTo(room, server, options).ok);
  auto ended = states.waitDisconnected();
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->reason, DisconnectReason::ReconnectRequested);
  EXPECT_NE(ended->detail.find("resume"), std::string::npos) << ended->detail;
}

}  // namespace
}  // namespace huddle::client
