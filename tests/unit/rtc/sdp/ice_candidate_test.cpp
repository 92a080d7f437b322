#include "rtc/sdp/ice_candidate.h"

#include <gtest/gtest.h>

#include <sstream>

#include "sdp_test_util.h"

namespace huddle::rtc {
namespace {

TEST(IceCandidate, ParsesChromiumHostWithExtensions) {
  const auto c = IceCandidate::parse(
      "candidate:1467250027 1 udp 2122260223 192.168.1.23 54321 typ host generation 0 "
      "network-id 1 network-cost 10");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->foundation, "1467250027");
  EXPECT_EQ(c->component, 1);
  EXPECT_EQ(c->transport, CandidateTransport::Udp);
  EXPECT_EQ(c->priority, 2122260223u);
  EXPECT_EQ(c->address, "192.168.1.23");
  EXPECT_EQ(c->port, 54321);
  EXPECT_EQ(c->type, CandidateType::Host);
  EXPECT_FALSE(c->relatedAddress);
  EXPECT_FALSE(c->relatedPort);
  EXPECT_FALSE(c->tcpType);
  EXPECT_EQ(c->addressKind(), CandidateAddressKind::Ipv4);
  EXPECT_FALSE(c->isMdns());
  ASSERT_EQ(c->extensions.size(), 3u);
  EXPECT_EQ(c->extensions[0], (CandidateExtension{"generation", "0"}));
  EXPECT_EQ(c->extension("network-cost"), "10");
  EXPECT_FALSE(c->extension("ufrag"));
}

TEST(IceCandidate, ParsesMdnsHost) {
  const auto c = IceCandidate::parse(
      "candidate:2987265011 1 udp 2122194687 7c1e0a4e-1b2d-4a3c-9f8e-5d6c7b8a9e01.local 61234 "
      "typ host generation 0 ufrag Kp3x network-id 2");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->addressKind(), CandidateAddressKind::Hostname);
  EXPECT_TRUE(c->isMdns());
  EXPECT_EQ(c->extension("ufrag"), "Kp3x");
}

TEST(IceCandidate, ParsesIpv6Host) {
  const auto c = IceCandidate::parse(
      "candidate:3528925834 1 udp 2122129151 2001:db8:85a3::8a2e:370:7334 50123 typ host");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->address, "2001:db8:85a3::8a2e:370:7334");
  EXPECT_EQ(c->addressKind(), CandidateAddressKind::Ipv6);
  EXPECT_FALSE(c->isMdns());
}

TEST(IceCandidate, ParsesServerReflexiveWithRelatedAddress) {
  const auto c = IceCandidate::parse(
      "candidate:842163049 1 udp 1686052607 198.51.100.7 40123 typ srflx raddr 192.168.1.23 "
      "rport 54321 generation 0");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->type, CandidateType::ServerReflexive);
  EXPECT_EQ(c->relatedAddress, "192.168.1.23");
  EXPECT_EQ(c->relatedPort, 54321);
  ASSERT_EQ(c->extensions.size(), 1u);  // raddr/rport are fields, not extensions
}

TEST(IceCandidate, ParsesRelayAndPeerReflexive) {
  const auto relay = IceCandidate::parse(
      "candidate:2299847121 1 udp 41885439 192.0.2.44 3478 typ relay raddr 198.51.100.7 rport "
      "40123");
  ASSERT_TRUE(relay);
  EXPECT_EQ(relay->type, CandidateType::Relay);
  const auto prflx =
      IceCandidate::parse("candidate:1 1 UDP 1862270975 198.51.100.9 50999 typ prflx");
  ASSERT_TRUE(prflx);
  EXPECT_EQ(prflx->type, CandidateType::PeerReflexive);
  EXPECT_EQ(prflx->transport, CandidateTransport::Udp);
}

TEST(IceCandidate, ParsesTcpTypes) {
  const auto passive = IceCandidate::parse(
      "candidate:3 1 tcp 1694498815 203.0.113.10 7881 typ host tcptype passive");
  ASSERT_TRUE(passive);
  EXPECT_EQ(passive->transport, CandidateTransport::Tcp);
  EXPECT_EQ(passive->tcpType, TcpType::Passive);
  EXPECT_EQ(passive->port, 7881);
  const auto active =
      IceCandidate::parse("candidate:4 1 tcp 1518280447 192.168.1.23 9 typ host tcptype active");
  ASSERT_TRUE(active);
  EXPECT_EQ(active->tcpType, TcpType::Active);
  const auto so = IceCandidate::parse("candidate:5 1 TCP 2105524479 10.0.0.5 9 typ host tcptype so");
  ASSERT_TRUE(so);
  EXPECT_EQ(so->tcpType, TcpType::SimultaneousOpen);
}

TEST(IceCandidate, AcceptsTheShapesTrickleStringsArriveIn) {
  const std::string fields = "1 1 udp 2130706431 10.1.2.3 5000 typ host";
  const auto bare = IceCandidate::parse(fields);
  ASSERT_TRUE(bare);
  EXPECT_EQ(IceCandidate::parse("candidate:" + fields), bare);
  EXPECT_EQ(IceCandidate::parse("a=candidate:" + fields + "\r\n"), bare);
  EXPECT_EQ(IceCandidate::parse("  candidate:" + fields + "  "), bare);
}

TEST(IceCandidate, FormatsLowerCaseTransportWithCandidatePrefix) {
  const auto c = IceCandidate::parse(
      "candidate:0 2 UDP 2122252542 fe80::1c2b:3aff:fe4d:5e6f 49170 typ host");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->component, 2);
  EXPECT_EQ(c->toString(), "candidate:0 2 udp 2122252542 fe80::1c2b:3aff:fe4d:5e6f 49170 typ host");
}

TEST(IceCandidate, EverySampleRoundTrips) {
  std::istringstream lines(test::readSdpSample("candidates.txt"));
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) {
      continue;
    }
    ++count;
    const auto c = IceCandidate::parse(line);
    ASSERT_TRUE(c) << line;
    const std::string text = c->toString();
    // Chromium-style lines (lower-case transport, tcptype before extensions) come back verbatim.
    if (line.find(" UDP ") == std::string::npos && line.find(" TCP ") == std::string::npos) {
      EXPECT_EQ(text, line);
    }
    EXPECT_EQ(IceCandidate::parse(text), c) << text;
  }
  EXPECT_EQ(count, 10);
}

TEST(IceCandidate, BuildsFromFieldsAndFormats) {
  IceCandidate c;
  c.foundation = "udpcand";
  c.priority = IceCandidate::computePriority(126, 65535, 1);
  c.address = "203.0.113.10";
  c.port = 7882;
  c.extensions.push_back({"generation", "0"});
  EXPECT_EQ(c.priority, 2130706431u);
  EXPECT_EQ(c.toString(), "candidate:udpcand 1 udp 2130706431 203.0.113.10 7882 typ host generation 0");
}

TEST(IceCandidate, RejectsMalformedLines) {
  const char* bad[] = {
      "",
      "candidate:",
      "candidate:1 1 udp 2130706431 10.1.2.3 5000",             // no typ
      "candidate:1 1 udp 2130706431 10.1.2.3 5000 type host",   // misspelt typ
      "candidate:1 1 udp 2130706431 10.1.2.3 5000 typ lan",     // unknown type
      "candidate:1 0 udp 2130706431 10.1.2.3 5000 typ host",    // component 0
      "candidate:1 257 udp 2130706431 10.1.2.3 5000 typ host",  // component > 256
      "candidate:1 1 udp 4294967296 10.1.2.3 5000 typ host",    // priority overflows 32 bits
      "candidate:1 1 udp -5 10.1.2.3 5000 typ host",
      "candidate:1 1 udp 2130706431 10.1.2.3 70000 typ host",   // port overflows 16 bits
      "candidate:1 1 udp 2130706431 10.1.2.3 5x typ host",
      "candidate:1 1 sctp 2130706431 10.1.2.3 5000 typ host",   // unknown transport
      "candidate:1 1 udp 2130706431 bad/addr 5000 typ host",
      "candidate:1 1 udp 2130706431 10.1.2.3 5000 typ host generation",  // dangling key
      "candidate:1 1 tcp 2130706431 10.1.2.3 9 typ host tcptype sideways",
      "candidate:1 1 udp 2130706431 10.1.2.3 5000 typ srflx raddr 1.1.1.1 raddr 2.2.2.2",
      "candidate:1 1 udp 2130706431 10.1.2.3 5000 typ srflx rport 99999",
      "candidate:f!o 1 udp 2130706431 10.1.2.3 5000 typ host",  // not an ice-char
  };
  for (const char* text : bad) {
    EXPECT_FALSE(IceCandidate::parse(text)) << text;
  }
  EXPECT_FALSE(IceCandidate::parse("candidate:" + std::string(65, 'a') +
                                   " 1 udp 1 10.1.2.3 5000 typ host"));
}

}  // namespace
}  // namespace huddle::rtc
