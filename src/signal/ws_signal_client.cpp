#include "signal/ws_signal_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>
#include <span>

#include "common/log.h"
#include "signal/signal_codec.h"

namespace huddle::signal {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace {
// Close code for "the connection went away without a close frame" (RFC 6455 section 7.4.1);
// never sent on the wire, only reported.
constexpr std::uint16_t kAbnormalClosure = 1006;
}  // namespace

std::string_view toString(WsSignalError error) {
  switch (error) {
    case WsSignalError::InvalidState:
      return "invalid_state";
    case WsSignalError::ResolveFailed:
      return "resolve_failed";
    case WsSignalError::ConnectFailed:
      return "connect_failed";
    case WsSignalError::Timeout:
      return "timeout";
    case WsSignalError::HandshakeFailed:
      return "handshake_failed";
    case WsSignalError::UpgradeRefused:
      return "upgrade_refused";
    case WsSignalError::Aborted:
      return "aborted";
  }
  return "unknown";
}

class WsSignalClient::Impl final : public std::enable_shared_from_this<Impl> {
 public:
  explicit Impl(net::io_context& io) : io_(io), resolver_(io), ws_(io), timer_(io) {}

  void connect(WsConnectOptions options, ConnectHandler handler) {
    if (state_ != State::Idle) {
      // Posted so the handler never runs inside connect(), whatever the state.
      net::post(io_, [handler = std::move(handler)] {
        handler(Error{WsSignalError::InvalidState, "connect() on a client that is not idle"},
                HttpRefusal{});
      });
      return;
    }
    state_ = State::Connecting;
    options_ = std::move(options);
    connectHandler_ = std::move(handler);
    armTimer([](Impl& self) {
      if (self.state_ == State::Connecting) {
        self.failConnect(WsSignalError::Timeout, "no WebSocket connection within the timeout");
      }
    });
    resolver_.async_resolve(
        options_.host, std::to_string(options_.port),
        [self = shared_from_this()](error_code ec, const tcp::resolver::results_type& results) {
          self->onResolved(ec, results);
        });
  }

  bool send(const livekit::SignalRequest& request) {
    if (state_ != State::Open) return false;
    writeQueue_.push_back(encodeSignalRequest(request, /*json=*/false));
    if (!writing_) writeNext();
    return true;
  }

  void close() {
    if (state_ == State::Connecting) {
      failConnect(WsSignalError::Aborted, "closed before the connection opened");
    } else if (state_ == State::Open) {
      state_ = State::Closing;
      armTimer([](Impl& self) {
        if (self.state_ == State::Closing) self.finish(kAbnormalClosure, "close timed out");
      });
      // A close frame counts as a write: it waits for the queue so it never overlaps one.
      if (!writing_) sendClose();
    } else if (state_ == State::Idle) {
      state_ = State::Closed;
    }
  }

  // The owner is going away: no callback may run from here on.
  void abort() {
    connectHandler_ = nullptr;
    responseHandler_ = nullptr;
    closeHandler_ = nullptr;
    shutdown();
  }

  void setResponseHandler(ResponseHandler handler) { responseHandler_ = std::move(handler); }
  void setCloseHandler(CloseHandler handler) { closeHandler_ = std::move(handler); }
  bool isOpen() const { return state_ == State::Open; }
  std::uint64_t droppedFrames() const { return dropped_; }

 private:
  enum class State { Idle, Connecting, Open, Closing, Closed };

  template <typename OnExpiry>
  void armTimer(OnExpiry onExpiry) {
    timer_.expires_after(options_.timeout);
    timer_.async_wait([self = shared_from_this(), onExpiry](error_code ec) {
      if (!ec) onExpiry(*self);
    });
  }

  void onResolved(error_code ec, const tcp::resolver::results_type& results) {
    if (state_ != State::Connecting) return;
    if (ec) return failConnect(WsSignalError::ResolveFailed, "resolve: " + ec.message());
    net::async_connect(ws_.next_layer(), results,
                       [self = shared_from_this()](error_code connectEc, const tcp::endpoint&) {
                         self->onConnected(connectEc);
                       });
  }

  void onConnected(error_code ec) {
    if (state_ != State::Connecting) return;
    if (ec) return failConnect(WsSignalError::ConnectFailed, "connect: " + ec.message());
    ws_.set_option(websocket::stream_base::decorator(
        [headers = options_.headers](websocket::request_type& request) {
          request.set(beast::http::field::user_agent, "huddle-signal");
          for (const auto& [name, value] : headers) request.set(name, value);
        }));
    ws_.async_handshake(
        upgradeResponse_, options_.host + ":" + std::to_string(options_.port), options_.target,
        [self = shared_from_this()](error_code handshakeEc) { self->onHandshake(handshakeEc); });
  }

  void onHandshake(error_code ec) {
    if (state_ != State::Connecting) return;
    if (ec) {
      const unsigned status = upgradeResponse_.result_int();
      // Beast has read the whole HTTP reply by now, body included, whenever a status arrived.
      if (status != 0 && status != 101) {
        HttpRefusal refusal{status, upgradeResponse_.body()};
        return failConnect(WsSignalError::UpgradeRefused,
                           "upgrade refused with HTTP " + std::to_string(status), refusal);
      }
      return failConnect(WsSignalError::HandshakeFailed, "handshake: " + ec.message());
    }
    timer_.cancel();
    state_ = State::Open;
    ws_.binary(true);
    ws_.read_message_max(kMaxSignalResponseBytes);
    upgradeResponse_ = {};
    if (auto handler = std::exchange(connectHandler_, nullptr)) handler(Ok{}, HttpRefusal{});
    if (state_ == State::Open) readNext();
  }

  void failConnect(WsSignalError code, std::string message, HttpRefusal refusal = {}) {
    shutdown();
    if (auto handler = std::exchange(connectHandler_, nullptr)) {
      handler(Error{code, std::move(message)}, refusal);
    }
  }

  void readNext() {
    ws_.async_read(readBuffer_,
                   [self = shared_from_this()](error_code ec, std::size_t) { self->onRead(ec); });
  }

  void onRead(error_code ec) {
    if (state_ == State::Closed) return;
    // While our close is in flight, the close operation owns the ending and reports it.
    if (ec && state_ == State::Closing) return;
    if (ec) {
      if (ec == websocket::error::closed) {
        const auto& reason = ws_.reason();
        return finish(static_cast<std::uint16_t>(reason.code),
                      std::string(reason.reason.data(), reason.reason.size()));
      }
      return finish(kAbnormalClosure, ec.message());
    }
    const auto data = readBuffer_.cdata();
    const std::span<const std::uint8_t> frame(static_cast<const std::uint8_t*>(data.data()),
                                              data.size());
    auto response = decodeSignalResponse(frame, ws_.got_text());
    readBuffer_.consume(readBuffer_.size());
    if (response) {
      if (responseHandler_) responseHandler_(std::move(response).value());
    } else {
      ++dropped_;
      HUDDLE_LOG_DEBUG(signal, "drop server frame reason={} detail={}", toString(response.code()),
                       response.message());
    }
    // After close() the close operation reads (and discards) until the server's close frame.
    if (state_ == State::Open) readNext();
  }

  void writeNext() {
    writing_ = true;
    ws_.async_write(
        net::buffer(writeQueue_.front()),
        [self = shared_from_this()](error_code ec, std::size_t) { self->onWritten(ec); });
  }

  void onWritten(error_code ec) {
    writing_ = false;
    if (state_ == State::Closed) return;
    if (ec) return finish(kAbnormalClosure, "write: " + ec.message());
    writeQueue_.pop_front();
    if (!writeQueue_.empty()) return writeNext();
    if (state_ == State::Closing) sendClose();
  }

  void sendClose() {
    writing_ = true;
    ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](error_code ec) {
      self->writing_ = false;
      if (ec) return self->finish(kAbnormalClosure, "close: " + ec.message());
      // Success means the server's close frame arrived; report its code and reason.
      const auto& reason = self->ws_.reason();
      self->finish(static_cast<std::uint16_t>(reason.code),
                   std::string(reason.reason.data(), reason.reason.size()));
    });
  }

  void finish(std::uint16_t code, std::string reason) {
    if (state_ == State::Closed) return;
    shutdown();
    if (auto handler = std::exchange(closeHandler_, nullptr)) handler(code, reason);
  }

  void shutdown() {
    state_ = State::Closed;
    timer_.cancel();
    resolver_.cancel();
    error_code ignored;
    ws_.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
    // The queue stays: an aborted write may still hold a view of its front.
    ws_.next_layer().close(ignored);
  }

  net::io_context& io_;
  tcp::resolver resolver_;
  websocket::stream<tcp::socket> ws_;
  net::steady_timer timer_;
  WsConnectOptions options_;
  State state_ = State::Idle;
  ConnectHandler connectHandler_;
  ResponseHandler responseHandler_;
  CloseHandler closeHandler_;
  websocket::response_type upgradeResponse_;
  beast::flat_buffer readBuffer_;
  std::deque<std::string> writeQueue_;  // front() is in flight while writing_
  bool writing_ = false;
  std::uint64_t dropped_ = 0;
};

WsSignalClient::WsSignalClient(boost::asio::io_context& io) : impl_(std::make_shared<Impl>(io)) {}

WsSignalClient::~WsSignalClient() { impl_->abort(); }

void WsSignalClient::onResponse(ResponseHandler handler) {
  impl_->setResponseHandler(std::move(handler));
}

void WsSignalClient::onClose(CloseHandler handler) { impl_->setCloseHandler(std::move(handler)); }

void WsSignalClient::connect(WsConnectOptions options, ConnectHandler handler) {
  impl_->connect(std::move(options), std::move(handler));
}

bool WsSignalClient::send(const livekit::SignalRequest& request) { return impl_->send(request); }

void WsSignalClient::close() { impl_->close(); }

bool WsSignalClient::isOpen() const { return impl_->isOpen(); }

std::uint64_t WsSignalClient::droppedFrames() const { return impl_->droppedFrames(); }

}  // namespace huddle::signal
