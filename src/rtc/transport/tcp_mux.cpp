#include "rtc/transport/tcp_mux.h"

#include <algorithm>

#include "common/log.h"
#include "rtc/ice/ice_lite_server.h"

namespace huddle::rtc {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// The sweep never runs less often than this, so a timeout fires at most this late.
constexpr std::chrono::milliseconds kMaxSweepInterval{1'000};

}  // namespace

TcpMux::TcpMux(asio::io_context& io, const Options& options)
    : io_(io),
      options_(options),
      acceptor_(io),
      sweepTimer_(io),
      alive_(std::make_shared<bool>(true)) {}

Result<std::unique_ptr<TcpMux>, TcpMuxError> TcpMux::create(asio::io_context& io,
                                                           std::string_view ip,
                                                           std::uint16_t port,
                                                           const Options& options) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(std::string(ip), ec);
  if (ec) return Error{TcpMuxError::InvalidAddress, "not an IP address: " + std::string(ip)};
  std::unique_ptr<TcpMux> mux(new TcpMux(io, options));
  const tcp::endpoint ep(address, port);
  mux->acceptor_.open(ep.protocol(), ec);
  if (!ec) mux->acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) mux->acceptor_.bind(ep, ec);
  if (!ec) mux->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error{TcpMuxError::Listen, "listen " + std::string(ip) + ": " + ec.message()};
  const auto local = mux->acceptor_.local_endpoint(ec);
  if (ec) return Error{TcpMuxError::Listen, "local_endpoint: " + ec.message()};
  mux->local_ = TcpConnection::toStunAddress(local);
  mux->startAccept();
  return mux;
}

Result<std::unique_ptr<TcpMux>, TcpMuxError> TcpMux::create(asio::io_context& io,
                                                           std::string_view ip,
                                                           std::uint16_t port) {
  return create(io, ip, port, Options{});
}

TcpMux::~TcpMux() {
  *alive_ = false;
  boost::system::error_code ec;
  acceptor_.close(ec);
  sweepTimer_.cancel();
  for (auto& [remote, entry] : connections_) entry.connection->close();
}

std::size_t TcpMux::pendingCount() const noexcept {
  return static_cast<std::size_t>(std::count_if(connections_.begin(), connections_.end(),
                                                [](const auto& kv) {
                                                  return kv.second.endpoint == nullptr;
                                                }));
}

void TcpMux::startAccept() {
  acceptor_.async_accept([this, alive = alive_](const boost::system::error_code& ec,
                                                tcp::socket socket) {
    if (!*alive || !acceptor_.is_open()) return;
    if (ec) {
      // Out of descriptors or an aborted handshake: keep listening.
      HUDDLE_LOG_DEBUG(transport, "tcp accept: {}", ec.message());
      startAccept();
      return;
    }
    if (pendingCount() >= options_.maxPendingConnections ||
        connections_.size() >= options_.maxConnections) {
      ++stats_.refused;
      boost::system::error_code e;
      socket.close(e);
      startAccept();
      return;
    }
    auto connection = TcpConnection::adopt(std::move(socket), *this, options_.maxFrameSize);
    const StunAddress remote = connection->remoteAddress();
    const auto now = std::chrono::steady_clock::now();
    const auto [it, inserted] = connections_.try_emplace(remote, Entry{connection, nullptr, now, now});
    if (!inserted) {
      // The kernel cannot hand out the same 4-tuple twice while one is open; be safe anyway.
      connection->close();
    } else {
      ++stats_.accepted;
      connection->start();
      armSweep();
    }
    startAccept();
  });
}

bool TcpMux::registerUfrag(const std::string& ufrag, Endpoint& endpoint) {
  const auto [it, inserted] = ufrags_.emplace(ufrag, &endpoint);
  return inserted || it->second == &endpoint;
}

void TcpMux::unregisterUfrag(const std::string& ufrag) { ufrags_.erase(ufrag); }

void TcpMux::unregisterEndpoint(Endpoint& endpoint) {
  std::erase_if(ufrags_, [&](const auto& kv) { return kv.second == &endpoint; });
  std::vector<StunAddress> gone;
  for (const auto& [remote, entry] : connections_) {
    if (entry.endpoint == &endpoint) gone.push_back(remote);
  }
  for (const auto& remote : gone) drop(remote, stats_.closedEndpointGone);
}

void TcpMux::bindConnection(const StunAddress& from, Endpoint& endpoint) {
  const auto it = connections_.find(from);
  if (it == connections_.end()) return;
  if (it->second.endpoint == nullptr) ++stats_.connectionsBound;
  it->second.endpoint = &endpoint;
}

bool TcpMux::send(std::span<const std::uint8_t> data, const StunAddress& to) {
  const auto it = connections_.find(to);
  if (it == connections_.end()) {
    ++stats_.sendNoConnection;
    return false;
  }
  if (!it->second.connection->send(data)) {
    ++stats_.sendDropped;
    return false;
  }
  return true;
}

void TcpMux::onTcpFrame(TcpConnection& connection, std::span<std::uint8_t> frame) {
  const StunAddress remote = connection.remoteAddress();
  const auto it = connections_.find(remote);
  if (it == connections_.end()) return;
  it->second.lastReceived = std::chrono::steady_clock::now();
  Endpoint* target = it->second.endpoint;
  if (classifyDatagram(frame) == DatagramClass::Stun) {
    // As on UDP, a ufrag wins over the binding (an ICE restart may move the connection).
    if (const auto ufrag = localUfragFromStunPacket(frame)) {
      const auto u = ufrags_.find(std::string(*ufrag));
      if (u != ufrags_.end()) {
        target = u->second;
      } else if (target == nullptr) {
        drop(remote, stats_.closedUnknownUfrag);
        return;
      }
    }
  }
  if (target == nullptr) {
    // Unbound and not a Binding request naming a ufrag: nothing legitimate starts this way.
    drop(remote, stats_.closedGarbage);
    return;
  }
  ++stats_.routed;
  target->onTcpMuxPacket(frame, remote);
}

void TcpMux::onTcpClosed(TcpConnection& connection, TcpCloseReason reason) {
  drop(connection.remoteAddress(),
       reason == TcpCloseReason::BadFraming ? stats_.closedBadFraming : stats_.closedByPeer);
}

void TcpMux::drop(const StunAddress& remote, std::uint64_t& counter) {
  const auto it = connections_.find(remote);
  if (it == connections_.end()) return;
  // The connection stays alive through the handler that may be running on it (it holds a
  // reference), so erasing here is safe even from inside its frame callback.
  const auto connection = std::move(it->second.connection);
  connections_.erase(it);
  connection->close();
  ++counter;
}

void TcpMux::armSweep() {
  if (sweepArmed_ || connections_.empty()) return;
  const auto interval =
      std::min({kMaxSweepInterval,
                std::max(std::chrono::milliseconds(1), options_.authTimeout / 4),
                std::max(std::chrono::milliseconds(1), options_.idleTimeout / 4)});
  sweepArmed_ = true;
  sweepTimer_.expires_after(interval);
  sweepTimer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (!*alive) return;
    sweepArmed_ = false;
    if (ec) return;
    sweep();
    armSweep();
  });
}

void TcpMux::sweep() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<StunAddress> unauthenticated;
  std::vector<StunAddress> idle;
  for (const auto& [remote, entry] : connections_) {
    if (entry.endpoint == nullptr && now - entry.acceptedAt >= options_.authTimeout) {
      unauthenticated.push_back(remote);
    } else if (now - entry.lastReceived >= options_.idleTimeout) {
      idle.push_back(remote);
    }
  }
  for (const auto& r : unauthenticated) drop(r, stats_.closedAuthTimeout);
  for (const auto& r : idle) drop(r, stats_.closedIdle);
}

}  // namespace huddle::rtc
