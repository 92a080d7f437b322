#pragma once
// StunAddress: a transport address as a plain value (family, port, IP bytes). Pure, any thread.
// It keeps the STUN codec free of any socket library; transports convert at their edge.

#include <netinet/in.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace huddle::rtc {

// Values are the STUN address-family codes (RFC 8489 section 14.1), not AF_INET/AF_INET6.
enum class StunAddressFamily : std::uint8_t { IPv4 = 0x01, IPv6 = 0x02 };

struct StunAddress {
  StunAddressFamily family = StunAddressFamily::IPv4;
  std::uint16_t port = 0;  // host byte order
  // Network byte order. IPv4 uses the first 4 bytes; the rest stay zero so that == is exact.
  std::array<std::uint8_t, 16> addr{};

  [[nodiscard]] static StunAddress ipv4(const std::array<std::uint8_t, 4>& bytes,
                                        std::uint16_t port) noexcept;
  [[nodiscard]] static StunAddress ipv6(const std::array<std::uint8_t, 16>& bytes,
                                        std::uint16_t port) noexcept;
  // Textual IPv4 or IPv6 (no brackets, no zone). Empty on anything inet_pton rejects.
  [[nodiscard]] static std::optional<StunAddress> fromString(std::string_view ip,
                                                             std::uint16_t port);
  [[nodiscard]] static StunAddress fromSockaddr(const sockaddr_in& sa) noexcept;
  [[nodiscard]] static StunAddress fromSockaddr(const sockaddr_in6& sa) noexcept;

  [[nodiscard]] sockaddr_in toSockaddrIn() const noexcept;    // meaningful for IPv4 only
  [[nodiscard]] sockaddr_in6 toSockaddrIn6() const noexcept;  // meaningful for IPv6 only

  [[nodiscard]] std::size_t addressSize() const noexcept {
    return family == StunAddressFamily::IPv4 ? 4 : 16;
  }
  // "192.0.2.1:32853" or "[2001:db8::1]:32853".
  [[nodiscard]] std::string toString() const;

  friend bool operator==(const StunAddress&, const StunAddress&) = default;
};

}  // namespace huddle::rtc
