#include "rtc/ice/stun_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace huddle::rtc {

StunAddress StunAddress::ipv4(const std::array<std::uint8_t, 4>& bytes,
                              std::uint16_t port) noexcept {
  StunAddress a;
  a.family = StunAddressFamily::IPv4;
  a.port = port;
  std::copy(bytes.begin(), bytes.end(), a.addr.begin());
  return a;
}

StunAddress StunAddress::ipv6(const std::array<std::uint8_t, 16>& bytes,
                              std::uint16_t port) noexcept {
  StunAddress a;
  a.family = StunAddressFamily::IPv6;
  a.port = port;
  a.addr = bytes;
  return a;
}

std::optional<StunAddress> StunAddress::fromString(std::string_view ip, std::uint16_t port) {
  // inet_pton needs a terminated string; 45 characters is the longest IPv6 text form.
  char text[INET6_ADDRSTRLEN] = {};
  if (ip.empty() || ip.size() >= sizeof(text)) {
    return std::nullopt;
  }
  std::memcpy(text, ip.data(), ip.size());
  std::array<std::uint8_t, 16> bytes{};
  if (inet_pton(AF_INET, text, bytes.data()) == 1) {
    return ipv4({bytes[0], bytes[1], bytes[2], bytes[3]}, port);
  }
  if (inet_pton(AF_INET6, text, bytes.data()) == 1) {
    return ipv6(bytes, port);
  }
  return std::nullopt;
}

StunAddress StunAddress::fromSockaddr(const sockaddr_in& sa) noexcept {
  StunAddress a;
  a.family = StunAddressFamily::IPv4;
  a.port = ntohs(sa.sin_port);
  std::memcpy(a.addr.data(), &sa.sin_addr.s_addr, 4);
  return a;
}

StunAddress StunAddress::fromSockaddr(const sockaddr_in6& sa) noexcept {
  StunAddress a;
  a.family = StunAddressFamily::IPv6;
  a.port = ntohs(sa.sin6_port);
  std::memcpy(a.addr.data(), sa.sin6_addr.s6_addr, 16);
  return a;
}

sockaddr_in StunAddress::toSockaddrIn() const noexcept {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  std::memcpy(&sa.sin_addr.s_addr, addr.data(), 4);
  return sa;
}

sockaddr_in6 StunAddress::toSockaddrIn6() const noexcept {
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  sa.sin6_port = htons(port);
  std::memcpy(sa.sin6_addr.s6_addr, addr.data(), 16);
  return sa;
}

std::string StunAddress::toString() const {
  char text[INET6_ADDRSTRLEN] = {};
  const bool v4 = family == StunAddressFamily::IPv4;
  if (inet_ntop(v4 ? AF_INET : AF_INET6, addr.data(), text, sizeof(text)) == nullptr) {
    return {};
  }
  std::string out = v4 ? std::string(text) : "[" + std::string(text) + "]";
  out += ':';
  out += std::to_string(port);
  return out;
}

}  // namespace huddle::rtc
