#include "rtc/transport/tcp_connection.h"

#include <array>
#include <cstring>
#include <string>

namespace huddle::rtc {

namespace asio = boost::asio;
using asio::ip::tcp;

StunAddress TcpConnection::toStunAddress(const tcp::endpoint& ep) {
  const auto addr = ep.address();
  if (addr.is_v4()) return StunAddress::ipv4(addr.to_v4().to_bytes(), ep.port());
  return StunAddress::ipv6(addr.to_v6().to_bytes(), ep.port());
}

tcp::endpoint TcpConnection::toEndpoint(const StunAddress& address) {
  if (address.family == StunAddressFamily::IPv4) {
    asio::ip::address_v4::bytes_type b{};
    std::memcpy(b.data(), address.addr.data(), b.size());
    return {asio::ip::address_v4(b), address.port};
  }
  asio::ip::address_v6::bytes_type b{};
  std::memcpy(b.data(), address.addr.data(), b.size());
  return {asio::ip::address_v6(b), address.port};
}

TcpConnection::TcpConnection(Private, tcp::socket socket, Listener& listener,
                             std::size_t maxFrameSize)
    : socket_(std::move(socket)),
      listener_(&listener),
      framer_(maxFrameSize),
      readBuffer_(new std::uint8_t[kReadChunk]),
      flushTimer_(socket_.get_executor()) {}

TcpConnection::~TcpConnection() {
  boost::system::error_code ec;
  socket_.close(ec);
}

std::shared_ptr<TcpConnection> TcpConnection::adopt(tcp::socket socket, Listener& listener,
                                                    std::size_t maxFrameSize) {
  auto c = std::make_shared<TcpConnection>(Private{}, std::move(socket), listener, maxFrameSize);
  boost::system::error_code ec;
  c->socket_.set_option(tcp::no_delay(true), ec);
  const auto remote = c->socket_.remote_endpoint(ec);
  if (!ec) c->remote_ = toStunAddress(remote);
  const auto local = c->socket_.local_endpoint(ec);
  if (!ec) c->local_ = toStunAddress(local);
  c->connected_ = true;
  return c;
}

std::shared_ptr<TcpConnection> TcpConnection::connect(asio::io_context& io,
                                                      const StunAddress& remote,
                                                      std::string_view bindIp, Listener& listener,
                                                      std::size_t maxFrameSize) {
  boost::system::error_code ec;
  const auto bindAddress = asio::ip::make_address(std::string(bindIp), ec);
  if (ec) return nullptr;
  auto c = std::make_shared<TcpConnection>(Private{}, tcp::socket(io), listener, maxFrameSize);
  c->remote_ = remote;
  const tcp::endpoint target = toEndpoint(remote);
  // A bind failure (family mismatch, say) is reported like a refused connect, from the loop.
  c->socket_.open(target.protocol(), ec);
  if (!ec) c->socket_.bind(tcp::endpoint(bindAddress, 0), ec);
  if (ec) {
    asio::post(io, [c] {
      if (c->listener_ != nullptr) c->listener_->onTcpClosed(*c, TcpCloseReason::ConnectFailed);
    });
    return c;
  }
  c->socket_.async_connect(target, [c](const boost::system::error_code& error) {
    if (c->closing_) return;
    if (error) {
      c->fail(TcpCloseReason::ConnectFailed);
      return;
    }
    boost::system::error_code e;
    c->socket_.set_option(tcp::no_delay(true), e);
    const auto local = c->socket_.local_endpoint(e);
    if (!e) c->local_ = toStunAddress(local);
    c->connected_ = true;
    c->startRead();
    if (c->listener_ != nullptr) c->listener_->onTcpConnected(*c);
    // Frames queued before the handshake completed.
    if (!c->pending_.empty() && !c->writeInFlight_) c->startWrite();
  });
  return c;
}

void TcpConnection::start() {
  if (connected_ && !closing_) startRead();
}

void TcpConnection::startRead() {
  socket_.async_read_some(
      asio::buffer(readBuffer_.get(), kReadChunk),
      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
        if (self->closing_) return;
        if (ec) {
          self->fail(ec == asio::error::eof ? TcpCloseReason::PeerClosed : TcpCloseReason::Error);
          return;
        }
        self->counters_.bytesReceived += n;
        const auto status = self->framer_.feed(
            std::span<std::uint8_t>(self->readBuffer_.get(), n),
            [&self](std::span<std::uint8_t> frame) {
              ++self->counters_.framesReceived;
              if (self->listener_ != nullptr) self->listener_->onTcpFrame(*self, frame);
              return !self->closing_;
            });
        if (self->closing_) return;
        if (status == Rfc4571Framer::Status::Oversize) {
          self->fail(TcpCloseReason::BadFraming);
          return;
        }
        self->startRead();
      });
}

bool TcpConnection::send(std::span<const std::uint8_t> payload) {
  // Before the active open completes frames wait in the queue (ICE checks go out at once).
  if (closing_ || payload.size() > 0xFFFF ||
      queuedBytes() + Rfc4571Framer::kHeaderSize + payload.size() > kMaxQueuedBytes) {
    ++counters_.framesDropped;
    return false;
  }
  std::array<std::uint8_t, 2> header{};
  (void)Rfc4571Framer::writeHeader(payload.size(), header);
  pending_.insert(pending_.end(), header.begin(), header.end());
  pending_.insert(pending_.end(), payload.begin(), payload.end());
  ++counters_.framesSent;
  if (connected_ && !writeInFlight_) startWrite();
  return true;
}

void TcpConnection::startWrite() {
  writing_.swap(pending_);
  pending_.clear();
  writeInFlight_ = true;
  asio::async_write(
      socket_, asio::buffer(writing_),
      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t /*n*/) {
        self->writeInFlight_ = false;
        self->writing_.clear();
        if (ec) {
          if (self->closing_) {
            self->finish();
          } else {
            self->fail(TcpCloseReason::Error);
          }
          return;
        }
        if (!self->pending_.empty()) {
          self->startWrite();
          return;
        }
        if (self->closing_) self->finish();
      });
}

void TcpConnection::fail(TcpCloseReason reason) {
  if (closing_) return;
  Listener* listener = listener_;
  close();
  if (listener != nullptr) listener->onTcpClosed(*this, reason);
}

void TcpConnection::close() {
  if (closing_) return;
  closing_ = true;
  listener_ = nullptr;
  if (writeInFlight_ || (!pending_.empty() && connected_)) {
    if (!writeInFlight_) startWrite();
    // Stop reading now; the socket itself stays until the queue drained or the timer fires.
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_receive, ec);
    flushTimer_.expires_after(kFlushTimeout);
    flushTimer_.async_wait([self = shared_from_this()](const boost::system::error_code& e) {
      if (!e) self->finish();
    });
    return;
  }
  finish();
}

void TcpConnection::finish() {
  flushTimer_.cancel();
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  pending_.clear();
}

}  // namespace huddle::rtc
