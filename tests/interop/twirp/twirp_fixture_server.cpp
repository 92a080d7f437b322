// Serves TwirpService over a minimal HTTP/1.1 server on 127.0.0.1 for the interop script, with
// an in-memory backend (rooms, each with one canned participant). Single-threaded: one
// io_context; the backend replies synchronously on it.
//
// Usage: twirp_fixture_server [--api-key K] [--api-secret S] [--lifetime-seconds N]
// Prints "PORT <n>" on stdout once listening; exits after the lifetime (a safety net: the
// script normally kills it first).

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "in_memory_room_backend.h"
#include "auth/key_provider.h"
#include "common/clock.h"
#include "server/twirp/twirp_service.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using huddle::server::TwirpHttpRequest;
using huddle::server::TwirpHttpResponse;
using huddle::server::TwirpService;

class Session final : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, TwirpService& service)
      : socket_(std::move(socket)), service_(service) {}

  void start() { read(); }

 private:
  void read() {
    request_ = {};
    http::async_read(socket_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) self->onRequest();
                     });
  }

  void onRequest() {
    TwirpHttpRequest twirp;
    twirp.method = std::string(request_.method_string());
    twirp.path = std::string(request_.target());
    twirp.contentType = std::string(request_[http::field::content_type]);
    twirp.authorization = std::string(request_[http::field::authorization]);
    twirp.body = std::move(request_.body());
    service_.handle(twirp, [self = shared_from_this()](TwirpHttpResponse response) {
      self->write(std::move(response));
    });
  }

  void write(TwirpHttpResponse twirp) {
    auto response = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(twirp.status), request_.version());
    response->set(http::field::content_type, twirp.contentType);
    for (const auto& [name, value] : twirp.headers) response->set(name, value);
    response->keep_alive(request_.keep_alive());
    response->body() = std::move(twirp.body);
    response->prepare_payload();
    http::async_write(socket_, *response,
                      [self = shared_from_this(), response](beast::error_code ec, std::size_t) {
                        if (ec) return;
                        if (response->keep_alive()) {
                          self->read();
                        } else {
                          beast::error_code ignored;
                          self->socket_.shutdown(tcp::socket::shutdown_send, ignored);
                        }
                      });
  }

  tcp::socket socket_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  TwirpService& service_;
};

void accept(tcp::acceptor& acceptor, TwirpService& service) {
  acceptor.async_accept([&acceptor, &service](beast::error_code ec, tcp::socket socket) {
    if (ec) return;
    std::make_shared<Session>(std::move(socket), service)->start();
    accept(acceptor, service);
  });
}

}  // namespace

int main(int argc, char** argv) {
  std::string apiKey = "APItwirpfixture";
  std::string apiSecret = "twirp-fixture-secret-0123456789abcdef";
  long lifetimeSeconds = 110;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--api-key") {
      apiKey = argv[i + 1];
    } else if (flag == "--api-secret") {
      apiSecret = argv[i + 1];
    } else if (flag == "--lifetime-seconds") {
      lifetimeSeconds = std::strtol(argv[i + 1], nullptr, 10);
    } else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }

  huddle::auth::KeyProvider keys;
  if (!keys.add(apiKey, apiSecret, {.allowShortSecrets = true}).ok()) {
    std::cerr << "bad api key or secret\n";
    return 2;
  }
  huddle::server::fakes::InMemoryRoomBackend backend;
  TwirpService service(keys, backend, huddle::SystemClock::instance());

  net::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  accept(acceptor, service);
  net::steady_timer lifetime(io, std::chrono::seconds(lifetimeSeconds));
  lifetime.async_wait([&io](beast::error_code) { io.stop(); });

  std::printf("PORT %u\n", static_cast<unsigned>(acceptor.local_endpoint().port()));
  std::fflush(stdout);
  io.run();
  return 0;
}
