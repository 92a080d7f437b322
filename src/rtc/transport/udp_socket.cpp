#include "rtc/transport/udp_socket.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace huddle::rtc {

namespace asio = boost::asio;
using asio::ip::udp;

StunAddress UdpSocket::toStunAddress(const udp::endpoint& ep) {
  const auto addr = ep.address();
  if (addr.is_v4()) return StunAddress::ipv4(addr.to_v4().to_bytes(), ep.port());
  return StunAddress::ipv6(addr.to_v6().to_bytes(), ep.port());
}

udp::endpoint UdpSocket::toEndpoint(const StunAddress& address) {
  if (address.family == StunAddressFamily::IPv4) {
    asio::ip::address_v4::bytes_type b{};
    std::memcpy(b.data(), address.addr.data(), b.size());
    return {asio::ip::address_v4(b), address.port};
  }
  asio::ip::address_v6::bytes_type b{};
  std::memcpy(b.data(), address.addr.data(), b.size());
  return {asio::ip::address_v6(b), address.port};
}

UdpSocket::UdpSocket(asio::io_context& io, Listener& listener)
    : listener_(listener),
      socket_(io),
      buffer_(std::make_unique<std::array<std::uint8_t, kReceiveBufferSize>>()),
      alive_(std::make_shared<bool>(true)) {}

Result<std::unique_ptr<UdpSocket>, UdpSocketError> UdpSocket::create(asio::io_context& io,
                                                                     std::string_view ip,
                                                                     std::uint16_t port,
                                                                     Listener& listener) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(std::string(ip), ec);
  if (ec) return Error{UdpSocketError::InvalidAddress, "not an IP address: " + std::string(ip)};
  std::unique_ptr<UdpSocket> s(new UdpSocket(io, listener));
  const udp::endpoint ep(address, port);
  s->socket_.open(ep.protocol(), ec);
  if (!ec) s->socket_.non_blocking(true, ec);
  if (!ec) s->socket_.bind(ep, ec);
  if (ec) return Error{UdpSocketError::Bind, "bind " + std::string(ip) + ": " + ec.message()};
  const auto local = s->socket_.local_endpoint(ec);
  if (ec) return Error{UdpSocketError::Bind, "local_endpoint: " + ec.message()};
  s->local_ = toStunAddress(local);
  s->startReceive();
  return s;
}

UdpSocket::~UdpSocket() {
  *alive_ = false;
  close();
}

void UdpSocket::close() {
  if (!socket_.is_open()) return;
  boost::system::error_code ec;
  socket_.close(ec);
}

void UdpSocket::startReceive() {
  socket_.async_receive_from(
      asio::buffer(buffer_->data(), buffer_->size()), sender_,
      [this, alive = alive_](const boost::system::error_code& ec, std::size_t n) {
        if (!*alive) return;
        if (ec) {
          if (ec == asio::error::operation_aborted || !socket_.is_open()) return;
          // ICMP port unreachable from an earlier send surfaces here on Linux; keep going.
          ++counters_.receiveErrors;
        } else {
          ++counters_.packetsReceived;
          counters_.bytesReceived += n;
          const StunAddress from = toStunAddress(sender_);
          listener_.onUdpPacket(*this, std::span<std::uint8_t>(buffer_->data(), n), from);
          if (!*alive) return;
        }
        if (socket_.is_open()) startReceive();
      });
}

bool UdpSocket::send(std::span<const std::uint8_t> data, const StunAddress& to) {
  if (!socket_.is_open()) {
    ++counters_.sendErrors;
    return false;
  }
  boost::system::error_code ec;
  socket_.send_to(asio::buffer(data.data(), data.size()), toEndpoint(to), 0, ec);
  if (ec) {
    ++counters_.sendErrors;
    return false;
  }
  ++counters_.packetsSent;
  counters_.bytesSent += data.size();
  return true;
}

std::size_t UdpSocket::sendBatch(std::span<const Datagram> datagrams) {
  if (datagrams.empty()) return 0;
  if (!socket_.is_open()) {
    counters_.sendErrors += datagrams.size();
    return 0;
  }
  // Stack arrays, one chunk of kMaxBatch at a time: the media path must not allocate.
  std::array<sockaddr_in6, kMaxBatch> addrs;  // one sockaddr_in6 fits either family
  std::array<iovec, kMaxBatch> iov;
  std::array<mmsghdr, kMaxBatch> msgs;
  std::size_t accepted = 0;
  std::size_t done = 0;
  while (done < datagrams.size()) {
    const std::size_t chunk = std::min(kMaxBatch, datagrams.size() - done);
    for (std::size_t i = 0; i < chunk; ++i) {
      const auto& d = datagrams[done + i];
      socklen_t len = 0;
      if (d.to.family == StunAddressFamily::IPv4) {
        const sockaddr_in sa = d.to.toSockaddrIn();
        std::memcpy(&addrs[i], &sa, sizeof(sa));
        len = sizeof(sa);
      } else {
        addrs[i] = d.to.toSockaddrIn6();
        len = sizeof(sockaddr_in6);
      }
      iov[i].iov_base = const_cast<std::uint8_t*>(d.data.data());
      iov[i].iov_len = d.data.size();
      msgs[i] = mmsghdr{};
      msgs[i].msg_hdr.msg_name = &addrs[i];
      msgs[i].msg_hdr.msg_namelen = len;
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    std::size_t pos = 0;
    while (pos < chunk) {
      ++counters_.sendmmsgCalls;
      const int n = ::sendmmsg(socket_.native_handle(), msgs.data() + pos,
                               static_cast<unsigned int>(chunk - pos), 0);
      if (n > 0) {
        for (int i = 0; i < n; ++i) {
          ++counters_.packetsSent;
          counters_.bytesSent += datagrams[done + pos + static_cast<std::size_t>(i)].data.size();
        }
        pos += static_cast<std::size_t>(n);
        accepted += static_cast<std::size_t>(n);
        continue;
      }
      const int err = n < 0 ? errno : EAGAIN;
      if (err == EINTR) continue;
      if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) {
        // The socket buffer is full: the rest of the batch would fail the same way.
        counters_.sendErrors += datagrams.size() - done - pos;
        return accepted;
      }
      // This datagram's own problem (e.g. ICMP unreachable reported now): skip it only.
      ++counters_.sendErrors;
      ++pos;
    }
    done += chunk;
  }
  return accepted;
}

}  // namespace huddle::rtc
