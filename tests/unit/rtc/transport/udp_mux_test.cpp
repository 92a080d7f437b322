// UdpSocket and UdpMux over 127.0.0.1: receive, batch send, first-byte classification and the
// routing rules for unknown sources.

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "rtc/ice/stun_message.h"
#include "rtc/transport/udp_mux.h"
#include "rtc/transport/udp_socket.h"
#include "transport_test_util.h"

namespace huddle::rtc {
namespace {

struct Recorder final : UdpSocket::Listener, UdpMux::Endpoint {
  void onUdpPacket(UdpSocket& /*s*/, std::span<std::uint8_t> data,
                   const StunAddress& from) override {
    packets.emplace_back(data.begin(), data.end());
    sources.push_back(from);
  }
  void onMuxPacket(std::span<std::uint8_t> data, const StunAddress& from) override {
    packets.emplace_back(data.begin(), data.end());
    sources.push_back(from);
  }
  std::vector<std::vector<std::uint8_t>> packets;
  std::vector<StunAddress> sources;
};

TEST(ClassifyDatagram, FollowsRfc7983FirstByteRanges) {
  const auto cls = [](std::uint8_t b) {
    const std::array<std::uint8_t, 1> d = {b};
    return classifyDatagram(d);
  };
  EXPECT_EQ(cls(0), DatagramClass::Stun);
  EXPECT_EQ(cls(3), DatagramClass::Stun);
  EXPECT_EQ(cls(4), DatagramClass::Unknown);
  EXPECT_EQ(cls(19), DatagramClass::Unknown);
  EXPECT_EQ(cls(20), DatagramClass::Dtls);
  EXPECT_EQ(cls(63), DatagramClass::Dtls);
  EXPECT_EQ(cls(64), DatagramClass::Unknown);
  EXPECT_EQ(cls(127), DatagramClass::Unknown);
  EXPECT_EQ(cls(128), DatagramClass::RtpOrRtcp);
  EXPECT_EQ(cls(191), DatagramClass::RtpOrRtcp);
  EXPECT_EQ(cls(192), DatagramClass::Unknown);
  EXPECT_EQ(cls(255), DatagramClass::Unknown);
  EXPECT_EQ(classifyDatagram({}), DatagramClass::Unknown);
}

TEST(UdpSocket, SendsSingleAndBatchedDatagramsAndCountsThem) {
  boost::asio::io_context io;
  Recorder a;
  Recorder b;
  auto sa = UdpSocket::create(io, "127.0.0.1", 0, a);
  auto sb = UdpSocket::create(io, "127.0.0.1", 0, b);
  ASSERT_TRUE(sa && sb);
  EXPECT_NE((*sa)->localAddress().port, 0);

  const std::vector<std::uint8_t> one = {1, 2, 3};
  ASSERT_TRUE((*sa)->send(one, (*sb)->localAddress()));
  std::vector<std::vector<std::uint8_t>> bodies;
  for (std::uint8_t i = 0; i < 5; ++i) bodies.push_back(std::vector<std::uint8_t>(10 + i, i));
  std::vector<UdpSocket::Datagram> batch;
  for (const auto& body : bodies) batch.push_back({body, (*sb)->localAddress()});
  EXPECT_EQ((*sa)->sendBatch(batch), 5u);

  ASSERT_TRUE(test::runUntil(io, [&] { return b.packets.size() == 6; }));
  EXPECT_EQ(b.packets[0], one);
  for (std::size_t i = 0; i < bodies.size(); ++i) EXPECT_EQ(b.packets[i + 1], bodies[i]);
  EXPECT_EQ(b.sources[0], (*sa)->localAddress());
  EXPECT_EQ((*sa)->counters().packetsSent, 6u);
  EXPECT_EQ((*sa)->counters().bytesSent, 3u + 10 + 11 + 12 + 13 + 14);
  EXPECT_EQ((*sb)->counters().packetsReceived, 6u);
  EXPECT_EQ((*sb)->counters().bytesReceived, (*sa)->counters().bytesSent);
}

TEST(UdpSocket, RejectsAnInvalidAddressAndWorksOnIpv6Loopback) {
  boost::asio::io_context io;
  Recorder r;
  auto bad = UdpSocket::create(io, "not-an-ip", 0, r);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.code(), UdpSocketError::InvalidAddress);
  auto v6 = UdpSocket::create(io, "::1", 0, r);
  if (!v6) GTEST_SKIP() << "no IPv6 loopback here: " << v6.message();
  EXPECT_EQ((*v6)->localAddress().family, StunAddressFamily::IPv6);
  const std::vector<std::uint8_t> d = {7, 7};
  ASSERT_TRUE((*v6)->send(d, (*v6)->localAddress()));
  ASSERT_TRUE(test::runUntil(io, [&] { return r.packets.size() == 1; }));
  EXPECT_EQ(r.packets[0], d);
}

// A minimal STUN Binding request whose USERNAME is "<local>:<remote>" (no integrity: the mux
// only reads the ufrag, ICE does the authentication).
std::vector<std::uint8_t> bindingRequest(const std::string& username) {
  std::vector<std::uint8_t> m = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42, 1,  2,
                                 3,    4,    5,    6,    7,    8,    9,    10,   11, 12};
  const auto len = static_cast<std::uint16_t>(username.size());
  m.push_back(0x00);
  m.push_back(0x06);  // USERNAME
  m.push_back(static_cast<std::uint8_t>(len >> 8));
  m.push_back(static_cast<std::uint8_t>(len));
  m.insert(m.end(), username.begin(), username.end());
  while (m.size() % 4 != 0) m.push_back(0);
  const auto body = static_cast<std::uint16_t>(m.size() - 20);
  m[2] = static_cast<std::uint8_t>(body >> 8);
  m[3] = static_cast<std::uint8_t>(body);
  return m;
}

TEST(UdpMux, RoutesByUfragThenByBoundTupleAndDropsTheRest) {
  boost::asio::io_context io;
  auto mux = UdpMux::create(io, "127.0.0.1");
  ASSERT_TRUE(mux);
  Recorder alice;
  Recorder bob;
  Recorder peer;
  ASSERT_TRUE((*mux)->registerUfrag("aliceufr", alice));
  ASSERT_TRUE((*mux)->registerUfrag("bobufrag", bob));
  EXPECT_FALSE((*mux)->registerUfrag("aliceufr", bob));
  auto sender = UdpSocket::create(io, "127.0.0.1", 0, peer);
  ASSERT_TRUE(sender);
  const StunAddress to = (*mux)->localAddress();

  // Before any binding, media from the sender is an unknown source.
  const std::vector<std::uint8_t> rtp = {0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xAB};
  ASSERT_TRUE((*sender)->send(rtp, to));
  // A request naming bob reaches bob (but binds nothing by itself).
  const auto toBob = bindingRequest("bobufrag:peer");
  ASSERT_TRUE((*sender)->send(toBob, to));
  // A request naming nobody is dropped; so is garbage.
  ASSERT_TRUE((*sender)->send(bindingRequest("nobody00:peer"), to));
  const std::vector<std::uint8_t> junk = {0xC8, 0, 0};
  ASSERT_TRUE((*sender)->send(junk, to));
  ASSERT_TRUE(test::runUntil(io, [&] {
    const auto& s = (*mux)->stats();
    return s.droppedUnknownSource == 2 && s.droppedGarbage == 1 && bob.packets.size() == 1;
  }));
  EXPECT_EQ(bob.packets[0], toBob);
  EXPECT_TRUE(alice.packets.empty());
  EXPECT_EQ((*mux)->tupleCount(), 0u);

  // Once the owner of the tuple binds it (after ICE authenticated a check), media flows there.
  (*mux)->bindTuple((*sender)->localAddress(), alice);
  ASSERT_TRUE((*sender)->send(rtp, to));
  ASSERT_TRUE(test::runUntil(io, [&] { return alice.packets.size() == 1; }));
  EXPECT_EQ(alice.packets[0], rtp);

  // Unregistering removes ufrags and tuples: the same media is an unknown source again.
  (*mux)->unregisterEndpoint(alice);
  EXPECT_EQ((*mux)->tupleCount(), 0u);
  EXPECT_EQ((*mux)->ufragCount(), 1u);
  ASSERT_TRUE((*sender)->send(rtp, to));
  ASSERT_TRUE(test::runUntil(io, [&] { return (*mux)->stats().droppedUnknownSource == 3; }));
  EXPECT_EQ(alice.packets.size(), 1u);
}

}  // namespace
}  // namespace huddle::rtc
