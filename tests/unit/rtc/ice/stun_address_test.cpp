#include "rtc/ice/stun_address.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace huddle::rtc {
namespace {

TEST(StunAddress, ConvertsIpv4SockaddrBothWays) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(5004);
  ASSERT_EQ(inet_pton(AF_INET, "10.1.2.3", &sa.sin_addr), 1);
  const auto address = StunAddress::fromSockaddr(sa);
  EXPECT_EQ(address, StunAddress::ipv4({10, 1, 2, 3}, 5004));
  EXPECT_EQ(address.addressSize(), 4u);
  EXPECT_EQ(address.toString(), "10.1.2.3:5004");
  const sockaddr_in back = address.toSockaddrIn();
  EXPECT_EQ(back.sin_family, AF_INET);
  EXPECT_EQ(back.sin_port, sa.sin_port);
  EXPECT_EQ(back.sin_addr.s_addr, sa.sin_addr.s_addr);
}

TEST(StunAddress, ConvertsIpv6SockaddrBothWays) {
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  sa.sin6_port = htons(443);
  ASSERT_EQ(inet_pton(AF_INET6, "2001:db8::1", &sa.sin6_addr), 1);
  const auto address = StunAddress::fromSockaddr(sa);
  EXPECT_EQ(address.family, StunAddressFamily::IPv6);
  EXPECT_EQ(address.port, 443);
  EXPECT_EQ(address.toString(), "[2001:db8::1]:443");
  EXPECT_EQ(address, StunAddress::fromString("2001:db8::1", 443));
  const sockaddr_in6 back = address.toSockaddrIn6();
  EXPECT_EQ(back.sin6_family, AF_INET6);
  EXPECT_EQ(back.sin6_port, sa.sin6_port);
  EXPECT_EQ(0, std::memcmp(&back.sin6_addr, &sa.sin6_addr, sizeof(sa.sin6_addr)));
}

TEST(StunAddress, FromStringRejectsGarbage) {
  EXPECT_FALSE(StunAddress::fromString("", 1));
  EXPECT_FALSE(StunAddress::fromString("300.1.1.1", 1));
  EXPECT_FALSE(StunAddress::fromString("[::1]", 1));
  EXPECT_FALSE(StunAddress::fromString(std::string(100, '1'), 1));
  EXPECT_EQ(StunAddress::fromString("127.0.0.1", 7), StunAddress::ipv4({127, 0, 0, 1}, 7));
}

}  // namespace
}  // namespace huddle::rtc
