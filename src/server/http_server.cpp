#include "server/http_server.h"

#include "common/log.h"

namespace huddle::server {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

HttpConnection::HttpConnection(tcp::socket socket, HttpRouter& router, HttpLimits limits)
    : stream_(std::move(socket)), router_(router), limits_(limits) {}

void HttpConnection::start() { readNext(); }

void HttpConnection::readNext() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(limits_.maxHeaderBytes));
  parser_->body_limit(limits_.maxBodyBytes);
  stream_.expires_after(limits_.idleTimeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                     self->onRead(ec);
                   });
}

void HttpConnection::onRead(const boost::system::error_code& ec) {
  if (ec == http::error::end_of_stream || ec == beast::error::timeout) {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    return;
  }
  if (ec) {
    // A request we cannot parse (or too large) gets a status, not silence, when we can tell.
    if (ec == http::error::header_limit || ec == http::error::body_limit) {
      HttpRequest dummy;
      dummy.version(11);
      HttpResponse response = makeResponse(dummy, 413, "request too large: " + ec.message());
      response.keep_alive(false);
      respond(std::move(response));
    } else if (ec != boost::asio::error::operation_aborted && ec != boost::asio::error::eof &&
               ec != boost::asio::error::connection_reset) {
      HttpRequest dummy;
      dummy.version(11);
      HttpResponse response = makeResponse(dummy, 400, "bad request: " + ec.message());
      response.keep_alive(false);
      respond(std::move(response));
    }
    return;
  }
  stream_.expires_never();
  router_.route(shared_from_this(), parser_->release());
}

void HttpConnection::respond(HttpResponse response) {
  auto shared = std::make_shared<HttpResponse>(std::move(response));
  stream_.expires_after(limits_.idleTimeout);
  http::async_write(stream_, *shared,
                    [self = shared_from_this(), shared](const boost::system::error_code& ec,
                                                        std::size_t) {
                      if (ec || !shared->keep_alive()) {
                        beast::error_code ignored;
                        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                        return;
                      }
                      self->readNext();
                    });
}

beast::tcp_stream HttpConnection::takeStream() { return std::move(stream_); }

HttpListener::HttpListener(boost::asio::io_context& io, HttpRouter& router, HttpLimits limits)
    : acceptor_(io), router_(router), limits_(limits) {}

Result<std::unique_ptr<HttpListener>, HttpServerError> HttpListener::create(
    boost::asio::io_context& io, const std::string& address, std::uint16_t port,
    HttpRouter& router, HttpLimits limits) {
  std::unique_ptr<HttpListener> listener(new HttpListener(io, router, limits));
  boost::system::error_code ec;
  const auto ip = boost::asio::ip::make_address(address, ec);
  if (ec) return Error{HttpServerError::Bind, "invalid bind address '" + address + "'"};
  const tcp::endpoint endpoint(ip, port);
  auto& a = listener->acceptor_;
  if (a.open(endpoint.protocol(), ec); !ec) a.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec && ip.is_v6()) a.set_option(boost::asio::ip::v6_only(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error{HttpServerError::Bind, "cannot listen on " + address + ":" +
                                            std::to_string(port) + ": " + ec.message()};
  }
  listener->port_ = a.local_endpoint().port();
  return listener;
}

void HttpListener::start() { acceptNext(); }

void HttpListener::stop() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

void HttpListener::acceptNext() {
  acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
    if (ec == boost::asio::error::operation_aborted) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true));
      std::make_shared<HttpConnection>(std::move(socket), router_, limits_)->start();
    }
    acceptNext();
  });
}

HttpResponse makeResponse(const HttpRequest& request, unsigned status, std::string body,
                          std::string_view contentType) {
  HttpResponse response(static_cast<http::status>(status), request.version());
  response.set(http::field::server, "huddle-server");
  response.set(http::field::content_type, std::string(contentType));
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

}  // namespace huddle::server
