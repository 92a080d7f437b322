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

// recvmmsg's arguments for one batch, prepared once.
struct UdpSocket::ReceiveSlots {
  std::array<std::array<std::uint8_t, kReceiveSlotSize>, kReceiveBatch> data;
  std::array<sockaddr_in6, kReceiveBatch> from;  // one sockaddr_in6 fits either family
  std::array<iovec, kReceiveBatch> iov;
  std::array<mmsghdr, kReceiveBatch> msgs;
};

namespace {

StunAddress fromSockaddr(const sockaddr_in6& storage) {
  if (storage.sin6_family == AF_INET) {
    sockaddr_in v4{};
    std::memcpy(&v4, &storage, sizeof(v4));
    std::array<std::uint8_t, 4> bytes{};
    std::memcpy(bytes.data(), &v4.sin_addr, bytes.size());
    return StunAddress::ipv4(bytes, ntohs(v4.sin_port));
  }
  std::array<std::uint8_t, 16> bytes{};
  std::memcpy(bytes.data(), &storage.sin6_addr, bytes.size());
  return StunAddress::ipv6(bytes, ntohs(storage.sin6_port));
}

}  // namespace

UdpSocket::UdpSocket(asio::io_context& io, Listener& listener)
    : listener_(listener),
      socket_(io),
      slots_(std::make_unique<ReceiveSlots>()),
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
  socket_.async_wait(udp::socket::wait_read,
                     [this, alive = alive_](const boost::system::error_code& ec) {
                       if (!*alive) return;
                       if (ec) {
                         if (ec == asio::error::operation_aborted || !socket_.is_open()) return;
                         ++counters_.receiveErrors;
                       } else {
                         receiveReady(alive);
                         if (!*alive) return;
                       }
                       if (socket_.is_open()) startReceive();
                     });
}

// `alive` is the pending handler's copy of alive_: it outlives this object, so it tells whether
// a listener callback closed the socket's owner down.
void UdpSocket::receiveReady(const std::shared_ptr<bool>& alive) {
  auto& s = *slots_;
  std::size_t handled = 0;
  while (handled < kMaxReceivesPerWakeup && socket_.is_open()) {
    for (std::size_t i = 0; i < kReceiveBatch; ++i) {
      s.iov[i] = iovec{s.data[i].data(), s.data[i].size()};
      s.msgs[i] = mmsghdr{};
      s.msgs[i].msg_hdr.msg_name = &s.from[i];
      s.msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_in6);
      s.msgs[i].msg_hdr.msg_iov = &s.iov[i];
      s.msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const int n = ::recvmmsg(socket_.native_handle(), s.msgs.data(),
                             static_cast<unsigned int>(kReceiveBatch), MSG_DONTWAIT, nullptr);
    if (n <= 0) {
      const int err = n < 0 ? errno : EAGAIN;
      if (err == EAGAIN || err == EWOULDBLOCK) break;
      if (err == EINTR) continue;
      // ICMP port unreachable from an earlier send surfaces here on Linux; it is consumed, so
      // the next call reads on.
      ++counters_.receiveErrors;
      ++handled;
      continue;
    }
    ++counters_.recvmmsgCalls;
    for (int i = 0; i < n; ++i) {
      const auto& msg = s.msgs[static_cast<std::size_t>(i)];
      if ((msg.msg_hdr.msg_flags & MSG_TRUNC) != 0) {
        ++counters_.receiveTruncated;
        continue;
      }
      ++counters_.packetsReceived;
      counters_.bytesReceived += msg.msg_len;
      listener_.onUdpPacket(
          *this, std::span<std::uint8_t>(s.data[static_cast<std::size_t>(i)].data(), msg.msg_len),
          fromSockaddr(s.from[static_cast<std::size_t>(i)]));
      // The listener may have closed or destroyed the socket.
      if (!*alive || !socket_.is_open()) break;
    }
    if (!*alive) return;
    listener_.onUdpBatchEnd(*this);
    if (!*alive) return;
    handled += static_cast<std::size_t>(n);
    if (static_cast<std::size_t>(n) < kReceiveBatch) break;  // drained
  }
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
