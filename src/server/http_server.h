#pragma once
// Signaling thread only: the listener, its connections and the router all run on the
// signaling io_context.
//
// A small HTTP/1.1 server on Boost.Beast: keep-alive connections, bounded request sizes, and a
// router that may answer later (Twirp replies come back from a worker) or take the socket over
// (WebSocket upgrades).

#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"

namespace huddle::server {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

class HttpConnection;

class HttpRouter {
 public:
  virtual ~HttpRouter() = default;
  // Must end in exactly one of: connection->respond(), or connection->takeStream().
  virtual void route(const std::shared_ptr<HttpConnection>& connection, HttpRequest request) = 0;
};

struct HttpLimits {
  std::size_t maxHeaderBytes = 1024 * 1024;  // a v1 join_request travels in the query
  std::size_t maxBodyBytes = 10 * 1024 * 1024;
  std::chrono::seconds idleTimeout{60};
};

class HttpConnection final : public std::enable_shared_from_this<HttpConnection> {
 public:
  HttpConnection(boost::asio::ip::tcp::socket socket, HttpRouter& router, HttpLimits limits);
  void start();
  // Writes the response; reads the next request when both sides keep the connection alive.
  void respond(HttpResponse response);
  // For upgrades: the connection stops here and the caller owns the stream.
  [[nodiscard]] boost::beast::tcp_stream takeStream();

 private:
  void readNext();
  void onRead(const boost::system::error_code& ec);

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  HttpRouter& router_;
  HttpLimits limits_;
};

enum class HttpServerError { Bind };

class HttpListener final {
 public:
  // Binds address:port (port 0: ephemeral; port() tells which).
  [[nodiscard]] static Result<std::unique_ptr<HttpListener>, HttpServerError> create(
      boost::asio::io_context& io, const std::string& address, std::uint16_t port,
      HttpRouter& router, HttpLimits limits = {});
  void start();
  void stop();
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  HttpListener(boost::asio::io_context& io, HttpRouter& router, HttpLimits limits);
  void acceptNext();

  boost::asio::ip::tcp::acceptor acceptor_;
  HttpRouter& router_;
  HttpLimits limits_;
  std::uint16_t port_ = 0;
};

// A plain response with the usual headers.
[[nodiscard]] HttpResponse makeResponse(const HttpRequest& request, unsigned status,
                                        std::string body,
                                        std::string_view contentType = "text/plain; charset=utf-8");

}  // namespace huddle::server
