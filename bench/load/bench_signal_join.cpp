// Signal join latency under concurrency: N clients open /rtc against an in-process huddle-server
// and time WebSocket open start -> first JoinResponse, then leave. The same client pattern
// against a bare Boost.Beast echo server (open, one small binary frame, echo back) gives this
// machine's floor for "TCP + upgrade + one round trip", so the ratio says what the join itself
// costs. Plain executable: the clients are concurrent, which Google Benchmark does not model.
//
//   bench_signal_join [--clients N] [--rounds R] [--rooms K]

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

// After <utility>: Boost 1.74's asio/awaitable.hpp uses std::exchange without including it.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "auth/access_token.h"
#include "auth/key_provider.h"
#include "server/server.h"
#include "signal/ws_signal_client.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A round that has not finished by then counts its stragglers as failures, so a stuck server
// cannot hang the benchmark (or CI).
constexpr auto kRoundBound = 15s;

struct Options {
  int clients = 50;
  int rounds = 10;
  int rooms = 5;
};

std::optional<Options> parseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) return std::nullopt;
    const int value = std::atoi(argv[++i]);
    if (value <= 0) return std::nullopt;
    if (flag == "--clients") {
      options.clients = value;
    } else if (flag == "--rounds") {
      options.rounds = value;
    } else if (flag == "--rooms") {
      options.rooms = value;
    } else {
      return std::nullopt;
    }
  }
  return options;
}

struct Stats {
  std::vector<double> ms;  // one entry per successful attempt
  int failures = 0;
  double wallSeconds = 0;

  [[nodiscard]] double percentile(double p) const {
    if (ms.empty()) return 0;
    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
  }
  [[nodiscard]] double max() const {
    return ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end());
  }
  [[nodiscard]] double perSecond() const {
    return wallSeconds > 0 ? static_cast<double>(ms.size()) / wallSeconds : 0;
  }
};

double millisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Runs io until done() holds or the bound passes; false on the bound.
bool runUntil(asio::io_context& io, const std::function<bool()>& done, Clock::duration bound) {
  const auto deadline = Clock::now() + bound;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    io.restart();
    io.run_for(5ms);
  }
  return true;
}

// ---- huddle-server joins ----

struct JoinAttempt {
  std::unique_ptr<huddle::signal::WsSignalClient> ws;
  Clock::time_point start;
  std::optional<double> joinMs;
  bool finished = false;  // closed, refused or failed: nothing more will happen
};

Stats runJoins(const Options& options, std::uint16_t port, const huddle::auth::KeyProvider& keys) {
  Stats stats;
  asio::io_context io;
  for (int round = 0; round < options.rounds; ++round) {
    // Mint before the clock starts: token cost is bench_token's business, not this one's.
    std::vector<std::string> tokens;
    for (int i = 0; i < options.clients; ++i) {
      huddle::auth::ClaimGrants grants;
      grants.identity = "r" + std::to_string(round) + "-c" + std::to_string(i);
      huddle::auth::VideoGrant video;
      video.roomJoin = true;
      video.room = "bench-" + std::to_string(i % options.rooms);
      grants.video = video;
      huddle::auth::MintOptions mint;
      mint.apiKey = "devkey";
      auto minted = huddle::auth::mintToken(grants, mint, *keys.find("devkey"));
      tokens.push_back(minted.ok() ? *minted : std::string());
    }

    std::vector<std::unique_ptr<JoinAttempt>> attempts;
    const auto roundStart = Clock::now();
    for (int i = 0; i < options.clients; ++i) {
      auto a = std::make_unique<JoinAttempt>();
      JoinAttempt* raw = a.get();
      a->ws = std::make_unique<huddle::signal::WsSignalClient>(io);
      a->ws->onResponse([raw](livekit::SignalResponse response) {
        if (raw->joinMs || response.message_case() != livekit::SignalResponse::kJoin) return;
        raw->joinMs = millisSince(raw->start);
        livekit::SignalRequest leave;
        leave.mutable_leave()->set_reason(livekit::CLIENT_INITIATED);
        (void)raw->ws->send(leave);
        raw->ws->close();
      });
      a->ws->onClose([raw](std::uint16_t, const std::string&) { raw->finished = true; });
      huddle::signal::WsConnectOptions connect;
      connect.host = "127.0.0.1";
      connect.port = port;
      connect.target =
          "/rtc?access_token=" + tokens[static_cast<std::size_t>(i)] + "&protocol=17&sdk=cpp";
      a->start = Clock::now();
      a->ws->connect(
          std::move(connect),
          [raw](huddle::Result<huddle::Ok, huddle::signal::WsSignalError> result,
                const huddle::signal::HttpRefusal&) {
            if (!result.ok()) raw->finished = true;
          });
      attempts.push_back(std::move(a));
    }
    const auto allJoined = [&] {
      return std::all_of(attempts.begin(), attempts.end(),
                         [](const auto& a) { return a->joinMs || a->finished; });
    };
    (void)runUntil(io, allJoined, kRoundBound);
    stats.wallSeconds += std::chrono::duration<double>(Clock::now() - roundStart).count();
    // Let the leaves and closes complete so the next round starts from an idle server.
    (void)runUntil(
        io,
        [&] {
          return std::all_of(attempts.begin(), attempts.end(),
                             [](const auto& a) { return a->finished; });
        },
        5s);
    for (const auto& a : attempts) {
      if (a->joinMs) {
        stats.ms.push_back(*a->joinMs);
      } else {
        ++stats.failures;
      }
    }
    attempts.clear();  // destroys the clients here, on the thread that runs io
    io.restart();
    io.poll();
  }
  return stats;
}

// ---- bare Beast WebSocket echo: the floor ----

class EchoSession : public std::enable_shared_from_this<EchoSession> {
 public:
  explicit EchoSession(tcp::socket socket) : ws_(std::move(socket)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

 private:
  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;  // closed by the client, or broken: either way this session is over
      self->ws_.binary(self->ws_.got_binary());
      self->ws_.async_write(self->buffer_.data(),
                            [self](beast::error_code writeEc, std::size_t) {
                              if (writeEc) return;
                              self->buffer_.consume(self->buffer_.size());
                              self->read();
                            });
    });
  }

  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;
};

class EchoServer {
 public:
  EchoServer() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~EchoServer() {
    asio::post(io_, [this] { acceptor_.close(); });
    io_.stop();
    thread_.join();
  }
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;

  [[nodiscard]] std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  void accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      std::make_shared<EchoSession>(std::move(socket))->start();
      accept();
    });
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

class EchoAttempt : public std::enable_shared_from_this<EchoAttempt> {
 public:
  EchoAttempt(asio::io_context& io, tcp::endpoint target) : ws_(io), target_(target) {}

  void start() {
    start_ = Clock::now();
    beast::get_lowest_layer(ws_).expires_after(5s);
    beast::get_lowest_layer(ws_).async_connect(
        target_, [self = shared_from_this()](beast::error_code ec) {
          if (ec) return self->fail();
          self->ws_.async_handshake("127.0.0.1", "/", [self](beast::error_code handshakeEc) {
            if (handshakeEc) return self->fail();
            self->ws_.binary(true);
            self->ws_.async_write(asio::buffer(kPayload), [self](beast::error_code writeEc,
                                                                 std::size_t) {
              if (writeEc) return self->fail();
              self->ws_.async_read(self->buffer_, [self](beast::error_code readEc, std::size_t) {
                if (readEc) return self->fail();
                self->echoMs_ = millisSince(self->start_);
                self->ws_.async_close(websocket::close_code::normal,
                                      [self](beast::error_code) { self->finished_ = true; });
              });
            });
          });
        });
  }

  // Ends whatever is still pending; the handlers then run with an error and finish.
  void abort() { beast::get_lowest_layer(ws_).close(); }

  [[nodiscard]] const std::optional<double>& echoMs() const { return echoMs_; }
  [[nodiscard]] bool finished() const { return finished_; }

 private:
  // The size of a small signal request (a leave or a ping), so only the framing work is compared.
  static constexpr std::array<unsigned char, 16> kPayload{};

  void fail() { finished_ = true; }

  websocket::stream<beast::tcp_stream> ws_;
  tcp::endpoint target_;
  beast::flat_buffer buffer_;
  Clock::time_point start_;
  std::optional<double> echoMs_;
  bool finished_ = false;
};

Stats runEchoes(const Options& options, std::uint16_t port) {
  Stats stats;
  asio::io_context io;
  const tcp::endpoint target(asio::ip::make_address("127.0.0.1"), port);
  for (int round = 0; round < options.rounds; ++round) {
    std::vector<std::shared_ptr<EchoAttempt>> attempts;
    const auto roundStart = Clock::now();
    for (int i = 0; i < options.clients; ++i) {
      attempts.push_back(std::make_shared<EchoAttempt>(io, target));
      attempts.back()->start();
    }
    (void)runUntil(
        io,
        [&] {
          return std::all_of(attempts.begin(), attempts.end(),
                             [](const auto& a) { return a->echoMs() || a->finished(); });
        },
        kRoundBound);
    stats.wallSeconds += std::chrono::duration<double>(Clock::now() - roundStart).count();
    (void)runUntil(
        io,
        [&] {
          return std::all_of(attempts.begin(), attempts.end(),
                             [](const auto& a) { return a->finished(); });
        },
        5s);
    for (const auto& a : attempts) {
      if (a->echoMs()) {
        stats.ms.push_back(*a->echoMs());
      } else {
        ++stats.failures;
      }
      a->abort();
    }
    attempts.clear();
    io.restart();
    io.poll();
  }
  return stats;
}

void printStats(const char* name, const Stats& s) {
  std::printf("%-16s ok %5zu  failures %3d  %8.1f /s  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms\n",
              name, s.ms.size(), s.failures, s.perSecond(), s.percentile(0.50),
              s.percentile(0.99), s.max());
}

double ratio(double ours, double floor) { return floor > 0 ? ours / floor : 0; }

}  // namespace

int main(int argc, char** argv) {
  const auto options = parseOptions(argc, argv);
  if (!options) {
    std::fprintf(stderr, "usage: %s [--clients N] [--rounds R] [--rooms K]  (all > 0)\n", argv[0]);
    return 2;
  }

  huddle::server::ServerConfig config;
  config.port = 0;
  config.rtc.udpPort = 0;  // an ephemeral media port: tests run in parallel
  config.bindAddresses = {"127.0.0.1"};
  config.development = true;
  config.logLevel = "warn";
  config.keys = {{"devkey", "secret"}};
  if (!config.keyProvider.add("devkey", "secret", huddle::auth::KeyPolicy{true}).ok()) return 1;
  huddle::auth::KeyProvider keys;
  if (!keys.add("devkey", "secret", huddle::auth::KeyPolicy{true}).ok()) return 1;
  auto created = huddle::server::Server::create(std::move(config));
  if (!created.ok()) {
    std::fprintf(stderr, "huddle-server did not start: %s\n", created.message().c_str());
    return 1;
  }
  std::unique_ptr<huddle::server::Server> server = std::move(*created);
  std::thread serverThread([&server] { server->run(false); });

  std::printf("bench_signal_join: %d clients x %d rounds over %d rooms, 127.0.0.1\n",
              options->clients, options->rounds, options->rooms);
  const Stats joins = runJoins(*options, server->port(), keys);
  server->shutdown();
  serverThread.join();

  Stats echoes;
  {
    EchoServer echo;
    echoes = runEchoes(*options, echo.port());
  }

  printStats("signal join", joins);
  printStats("bare ws echo", echoes);
  std::printf("join p50 %.2f ms (bare ws echo %.2f ms, %.1fx)\n", joins.percentile(0.50),
              echoes.percentile(0.50), ratio(joins.percentile(0.50), echoes.percentile(0.50)));
  std::printf("join p99 %.2f ms (bare ws echo %.2f ms, %.1fx)\n", joins.percentile(0.99),
              echoes.percentile(0.99), ratio(joins.percentile(0.99), echoes.percentile(0.99)));
  std::printf("joins/s %.0f (bare ws echo %.0f /s, %.2fx)\n", joins.perSecond(),
              echoes.perSecond(), ratio(joins.perSecond(), echoes.perSecond()));
  return joins.failures == 0 && echoes.failures == 0 ? 0 : 1;
}
