#include "signal/ws_signal_client.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "signal/signal_codec.h"

namespace huddle::signal {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;

// Upper bound for one test's event loop; tests finish as soon as their work runs out.
constexpr auto kLoopBound = std::chrono::seconds(10);

// A one-connection server on 127.0.0.1 running a blocking script on its own thread. The script
// sees the raw socket and decides what to do with the upgrade request.
class ScriptedServer {
 public:
  using Script = std::function<void(tcp::socket&)>;

  explicit ScriptedServer(Script script)
      : acceptor_(io_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
    thread_ = std::thread([this, script = std::move(script)] {
      tcp::socket socket(io_);
      beast::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec) return;
      try {
        script(socket);
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex_);
        failure_ = e.what();
      }
    });
  }
  ~ScriptedServer() { join(); }

  [[nodiscard]] std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  // Waits for the script to end; only then may the test read what the script recorded. Returns
  // the exception text the script ended with, or "".
  std::string join() {
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mutex_);
    return failure_;
  }

 private:
  net::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::mutex mutex_;
  std::string failure_;
};

WsConnectOptions optionsFor(std::uint16_t port, std::string target = "/rtc?access_token=t") {
  WsConnectOptions options;
  options.host = "127.0.0.1";
  options.port = port;
  options.target = std::move(target);
  options.timeout = std::chrono::seconds(5);
  return options;
}

struct ConnectOutcome {
  bool called = false;
  bool ok = false;
  WsSignalError code{};
  std::string message;
  HttpRefusal refusal;
};

WsSignalClient::ConnectHandler record(ConnectOutcome& outcome,
                                      std::function<void()> onOpen = nullptr) {
  return [&outcome, onOpen = std::move(onOpen)](Result<Ok, WsSignalError> result,
                                                const HttpRefusal& refusal) {
    outcome.called = true;
    outcome.ok = result.ok();
    if (!result.ok()) {
      outcome.code = result.code();
      outcome.message = result.message();
    }
    outcome.refusal = refusal;
    if (result.ok() && onOpen) onOpen();
  };
}

livekit::SignalRequest pingRequest(std::int64_t timestamp) {
  livekit::SignalRequest request;
  request.mutable_ping_req()->set_timestamp(timestamp);
  return request;
}

TEST(WsSignalClient, ReportsRefusedUpgradeWithStatusAndBody) {
  std::string seenAuthorization;
  std::string seenTarget;
  ScriptedServer server([&](tcp::socket& socket) {
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::read(socket, buffer, request);
    seenAuthorization = std::string(request[http::field::authorization]);
    seenTarget = std::string(request.target());
    http::response<http::string_body> response{http::status::unauthorized, 11};
    response.set(http::field::content_type, "text/plain");
    response.body() = "invalid token: signature mismatch";
    response.prepare_payload();
    http::write(socket, response);
  });

  net::io_context io;
  WsSignalClient client(io);
  ConnectOutcome outcome;
  auto options = optionsFor(server.port(), "/rtc/v1?join_request=abc");
  options.headers.emplace_back("Authorization", "Bearer my.jwt.token");
  client.connect(options, record(outcome));
  io.run_for(kLoopBound);

  ASSERT_TRUE(outcome.called);
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.code, WsSignalError::UpgradeRefused);
  EXPECT_EQ(outcome.refusal.status, 401u);
  EXPECT_EQ(outcome.refusal.body, "invalid token: signature mismatch");
  EXPECT_FALSE(client.isOpen());
  EXPECT_EQ(server.join(), "");
  EXPECT_EQ(seenAuthorization, "Bearer my.jwt.token");
  EXPECT_EQ(seenTarget, "/rtc/v1?join_request=abc");
}

// Accepts the upgrade, answers every ping_req with a pong_resp and every offer with an answer,
// in binary, until the client closes. Records what it received.
struct EchoLog {
  std::vector<std::string> names;
  bool sawBinaryOnly = true;
  std::optional<std::uint16_t> closeCode;
};

void echoScript(tcp::socket& socket, EchoLog& log) {
  websocket::stream<tcp::socket> ws(std::move(socket));
  ws.accept();
  for (;;) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    ws.read(buffer, ec);
    if (ec == websocket::error::closed) {
      log.closeCode = static_cast<std::uint16_t>(ws.reason().code);
      return;
    }
    if (ec) throw beast::system_error(ec);
    if (!ws.got_binary()) log.sawBinaryOnly = false;
    const auto data = buffer.cdata();
    const auto request = decodeSignalRequest(
        {static_cast<const std::uint8_t*>(data.data()), data.size()}, !ws.got_binary());
    if (!request) throw std::runtime_error("server could not decode: " + request.message());
    log.names.emplace_back(signalRequestName(*request));
    livekit::SignalResponse response;
    if (request->has_ping_req()) {
      response.mutable_pong_resp()->set_last_ping_timestamp(request->ping_req().timestamp());
      response.mutable_pong_resp()->set_timestamp(request->ping_req().timestamp() + 1);
    } else if (request->has_offer()) {
      response.mutable_answer()->set_type("answer");
      response.mutable_answer()->set_id(request->offer().id());
    } else {
      continue;
    }
    ws.binary(true);
    ws.write(net::buffer(encodeSignalResponse(response, false)));
  }
}

TEST(WsSignalClient, BinaryFramesRoundTripInOrderThenCloses) {
  EchoLog log;
  ScriptedServer server([&](tcp::socket& socket) { echoScript(socket, log); });

  net::io_context io;
  WsSignalClient client(io);
  std::vector<livekit::SignalResponse> responses;
  std::optional<std::pair<std::uint16_t, std::string>> closed;
  client.onResponse([&](livekit::SignalResponse response) {
    responses.push_back(std::move(response));
    if (responses.size() == 6) client.close();
  });
  client.onClose(
      [&](std::uint16_t code, const std::string& reason) { closed.emplace(code, reason); });
  EXPECT_FALSE(client.send(pingRequest(1)));  // not open yet: nothing queued

  ConnectOutcome outcome;
  client.connect(optionsFor(server.port()), record(outcome, [&] {
                   EXPECT_TRUE(client.isOpen());
                   // Back to back, so all but the first wait in the queue behind a write in flight.
                   for (int i = 1; i <= 5; ++i) EXPECT_TRUE(client.send(pingRequest(1000 + i)));
                   livekit::SignalRequest offer;
                   offer.mutable_offer()->set_type("offer");
                   offer.mutable_offer()->set_sdp("v=0\r\n");
                   offer.mutable_offer()->set_id(42);
                   EXPECT_TRUE(client.send(offer));
                 }));
  io.run_for(kLoopBound);

  ASSERT_TRUE(outcome.called);
  ASSERT_TRUE(outcome.ok) << outcome.message;
  ASSERT_EQ(responses.size(), 6u);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(responses[i].has_pong_resp()) << i;
    EXPECT_EQ(responses[i].pong_resp().last_ping_timestamp(), 1001 + i);
    EXPECT_EQ(responses[i].pong_resp().timestamp(), 1002 + i);
  }
  ASSERT_TRUE(responses[5].has_answer());
  EXPECT_EQ(responses[5].answer().id(), 42u);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->first, 1000);
  EXPECT_FALSE(client.isOpen());
  EXPECT_FALSE(client.send(pingRequest(9)));
  EXPECT_EQ(client.droppedFrames(), 0u);

  EXPECT_EQ(server.join(), "");
  EXPECT_EQ(log.names, (std::vector<std::string>{"ping_req", "ping_req", "ping_req", "ping_req",
                                                 "ping_req", "offer"}));
  EXPECT_TRUE(log.sawBinaryOnly);
  EXPECT_EQ(log.closeCode, std::optional<std::uint16_t>(1000));
}

TEST(WsSignalClient, CloseWaitsForQueuedWrites) {
  EchoLog log;
  ScriptedServer server([&](tcp::socket& socket) { echoScript(socket, log); });

  net::io_context io;
  WsSignalClient client(io);
  bool closed = false;
  client.onClose([&](std::uint16_t, const std::string&) { closed = true; });
  ConnectOutcome outcome;
  client.connect(optionsFor(server.port()), record(outcome, [&] {
                   livekit::SignalRequest leave;
                   leave.mutable_leave()->set_reason(livekit::CLIENT_INITIATED);
                   EXPECT_TRUE(client.send(leave));
                   EXPECT_TRUE(client.send(leave));
                   client.close();
                   EXPECT_FALSE(client.send(leave));  // closing: refused
                 }));
  io.run_for(kLoopBound);

  ASSERT_TRUE(outcome.ok) << outcome.message;
  EXPECT_TRUE(closed);
  EXPECT_EQ(server.join(), "");
  EXPECT_EQ(log.names, (std::vector<std::string>{"leave", "leave"}));
  EXPECT_EQ(log.closeCode, std::optional<std::uint16_t>(1000));
}

TEST(WsSignalClient, ServerCloseAndTextFramesAndGarbage) {
  ScriptedServer server([](tcp::socket& socket) {
    websocket::stream<tcp::socket> ws(std::move(socket));
    ws.accept();
    livekit::SignalResponse refresh;
    refresh.set_refresh_token("new.token.here");
    ws.text(true);  // proto3 JSON, as the reference server answers a JSON client
    ws.write(net::buffer(encodeSignalResponse(refresh, true)));
    ws.binary(true);
    const std::string garbage = "\x0a\xff";  // truncated field: undecodable, dropped
    ws.write(net::buffer(garbage));
    ws.close(websocket::close_reason(websocket::close_code::going_away, "bye"));
    beast::flat_buffer buffer;
    beast::error_code ec;
    while (!ec) ws.read(buffer, ec);  // drain until the client's close reply
  });

  net::io_context io;
  WsSignalClient client(io);
  std::vector<std::string> tokens;
  std::optional<std::pair<std::uint16_t, std::string>> closed;
  client.onResponse([&](livekit::SignalResponse r) { tokens.push_back(r.refresh_token()); });
  client.onClose(
      [&](std::uint16_t code, const std::string& reason) { closed.emplace(code, reason); });
  ConnectOutcome outcome;
  client.connect(optionsFor(server.port()), record(outcome));
  io.run_for(kLoopBound);

  ASSERT_TRUE(outcome.ok) << outcome.message;
  EXPECT_EQ(tokens, std::vector<std::string>{"new.token.here"});
  EXPECT_EQ(client.droppedFrames(), 1u);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->first, 1001);
  EXPECT_EQ(closed->second, "bye");
  EXPECT_EQ(server.join(), "");
}

TEST(WsSignalClient, AbruptDisconnectReports1006) {
  ScriptedServer server([](tcp::socket& socket) {
    websocket::stream<tcp::socket> ws(std::move(socket));
    ws.accept();
    ws.next_layer().close();  // no close frame
  });
  net::io_context io;
  WsSignalClient client(io);
  std::optional<std::uint16_t> code;
  client.onClose([&](std::uint16_t c, const std::string&) { code = c; });
  ConnectOutcome outcome;
  client.connect(optionsFor(server.port()), record(outcome));
  io.run_for(kLoopBound);
  ASSERT_TRUE(outcome.ok) << outcome.message;
  EXPECT_EQ(code, std::optional<std::uint16_t>(1006));
}

TEST(WsSignalClient, TimesOutWhenTheServerNeverAnswers) {
  ScriptedServer server([](tcp::socket& socket) {
    // Read the upgrade request and say nothing until the client gives up and hangs up.
    std::array<char, 1024> sink{};
    beast::error_code ec;
    while (!ec) socket.read_some(net::buffer(sink), ec);
  });
  net::io_context io;
  WsSignalClient client(io);
  ConnectOutcome outcome;
  auto options = optionsFor(server.port());
  options.timeout = std::chrono::milliseconds(200);
  client.connect(options, record(outcome));
  io.run_for(kLoopBound);
  ASSERT_TRUE(outcome.called);
  EXPECT_EQ(outcome.code, WsSignalError::Timeout);
  EXPECT_EQ(outcome.refusal.status, 0u);
}

TEST(WsSignalClient, ConnectRefusedWhenNobodyListens) {
  std::uint16_t port = 0;
  {
    net::io_context probe;
    tcp::acceptor acceptor(probe, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    port = acceptor.local_endpoint().port();
  }  // closed again: the port now refuses connections
  net::io_context io;
  WsSignalClient client(io);
  ConnectOutcome outcome;
  client.connect(optionsFor(port), record(outcome));
  io.run_for(kLoopBound);
  ASSERT_TRUE(outcome.called);
  EXPECT_EQ(outcome.code, WsSignalError::ConnectFailed);
}

TEST(WsSignalClient, SecondConnectAndCloseDuringConnect) {
  ScriptedServer server([](tcp::socket& socket) {
    // The client aborts before the upgrade completes; the read below then ends with an error.
    std::array<char, 1024> sink{};
    beast::error_code ec;
    while (!ec) socket.read_some(net::buffer(sink), ec);
  });
  net::io_context io;
  WsSignalClient client(io);
  ConnectOutcome first;
  ConnectOutcome second;
  client.connect(optionsFor(server.port()), record(first));
  client.connect(optionsFor(server.port()), record(second));
  client.close();
  io.run_for(kLoopBound);
  ASSERT_TRUE(first.called);
  EXPECT_EQ(first.code, WsSignalError::Aborted);
  ASSERT_TRUE(second.called);
  EXPECT_EQ(second.code, WsSignalError::InvalidState);
  // The server's accept still needs a peer to return, and close() came before any connect
  // attempt finished; connect a throwaway socket so the script thread can end.
  net::io_context unblock;
  tcp::socket socket(unblock);
  beast::error_code ec;
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()), ec);
}

}  // namespace
}  // namespace huddle::signal
