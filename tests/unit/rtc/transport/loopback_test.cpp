// A Client-role transport (full ICE, DTLS client, own socket) and a Server-role transport
// (ICE-lite behind a UdpMux, DTLS server) talking over 127.0.0.1 in one io_context.

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <memory>
#include <set>
#include <vector>

#include "rtc/dtls/dtls_certificate.h"
#include "rtc/transport/udp_mux.h"
#include "rtc/transport/udp_socket.h"
#include "rtc/transport/webrtc_transport.h"
#include "transport_test_util.h"

namespace huddle::rtc {
namespace {

using test::buildRtp;
using test::RecordingListener;
using test::rtpPayload;

constexpr std::uint32_t kClientSsrc = 0x11223344;
constexpr std::uint32_t kServerSsrc = 0x55667788;
constexpr std::size_t kPayloadSize = 160;

class LoopbackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto mux = UdpMux::create(io_, "127.0.0.1");
    ASSERT_TRUE(mux) << mux.message();
    mux_ = std::move(mux).value();

    auto clientCert = DtlsCertificate::generate();
    auto serverCert = DtlsCertificate::generate();
    ASSERT_TRUE(clientCert && serverCert);

    WebRtcTransport::Options serverOptions;
    serverOptions.role = WebRtcTransportRole::Server;
    serverOptions.certificate = serverCert.value();
    serverOptions.mux = mux_.get();
    auto server = WebRtcTransport::create(io_, serverOptions, serverEvents_);
    ASSERT_TRUE(server) << server.message();
    server_ = std::move(server).value();

    WebRtcTransport::Options clientOptions;
    clientOptions.role = WebRtcTransportRole::Client;
    clientOptions.certificate = clientCert.value();
    auto client = WebRtcTransport::create(io_, clientOptions, clientEvents_);
    ASSERT_TRUE(client) << client.message();
    client_ = std::move(client).value();
  }

  bool run(const std::function<bool()>& done) { return test::runUntil(io_, done); }

  void connectBoth() {
    const TransportParameters serverParams = server_->localParameters();
    const TransportParameters clientParams = client_->localParameters();
    EXPECT_TRUE(serverParams.iceLite);
    EXPECT_FALSE(clientParams.iceLite);
    ASSERT_EQ(serverParams.candidates.size(), 1u);
    EXPECT_EQ(serverParams.candidates[0].address, mux_->localAddress());
    server_->connect(clientParams);
    client_->connect(serverParams);
    ASSERT_TRUE(run([&] {
      return server_->state() == TransportState::Connected &&
             client_->state() == TransportState::Connected;
    })) << "client="
        << toString(client_->state()) << " server=" << toString(server_->state());
    EXPECT_TRUE(client_->dataChannelsConnected());
    EXPECT_TRUE(server_->dataChannelsConnected());
  }

  // Sends `count` packets each way and checks every one arrives decrypted and byte-exact.
  void exchangeMedia(std::uint16_t firstSeq, std::uint16_t count) {
    const std::size_t clientBefore = clientEvents_.rtp.size();
    const std::size_t serverBefore = serverEvents_.rtp.size();
    for (std::uint16_t i = 0; i < count; ++i) {
      const auto seq = static_cast<std::uint16_t>(firstSeq + i);
      auto up = buildRtp(kClientSsrc, seq, kPayloadSize);
      ASSERT_TRUE(client_->sendRtp(up, 12 + kPayloadSize));
      auto down = buildRtp(kServerSsrc, seq, kPayloadSize);
      ASSERT_TRUE(server_->sendRtp(down, 12 + kPayloadSize));
    }
    ASSERT_TRUE(run([&] {
      return serverEvents_.rtp.size() >= serverBefore + count &&
             clientEvents_.rtp.size() >= clientBefore + count;
    })) << "server got "
        << serverEvents_.rtp.size() - serverBefore << " client got "
        << clientEvents_.rtp.size() - clientBefore;
    checkReceived(serverEvents_.rtp, serverBefore, kClientSsrc, firstSeq, count);
    checkReceived(clientEvents_.rtp, clientBefore, kServerSsrc, firstSeq, count);
  }

  static void checkReceived(const std::vector<std::vector<std::uint8_t>>& got, std::size_t from,
                            std::uint32_t ssrc, std::uint16_t firstSeq, std::uint16_t count) {
    ASSERT_EQ(got.size(), from + count);
    std::set<std::uint16_t> seqs;
    for (std::size_t k = from; k < got.size(); ++k) {
      const auto& p = got[k];
      ASSERT_EQ(p.size(), 12 + kPayloadSize);
      const auto seq = static_cast<std::uint16_t>((p[2] << 8) | p[3]);
      const std::uint32_t gotSsrc = (std::uint32_t{p[8]} << 24) | (std::uint32_t{p[9]} << 16) |
                                    (std::uint32_t{p[10]} << 8) | std::uint32_t{p[11]};
      EXPECT_EQ(gotSsrc, ssrc);
      const auto expected = buildRtp(ssrc, seq, kPayloadSize);
      EXPECT_TRUE(std::equal(p.begin(), p.end(), expected.begin())) << "seq " << seq;
      seqs.insert(seq);
    }
    EXPECT_EQ(seqs.size(), count);
    EXPECT_EQ(*seqs.begin(), firstSeq);
  }

  void closeBoth() {
    client_->close();
    ASSERT_TRUE(run([&] {
      return client_->state() == TransportState::Closed &&
             server_->state() == TransportState::Closed;
    })) << "client="
        << toString(client_->state()) << " server=" << toString(server_->state());
    EXPECT_TRUE(clientEvents_.reached(TransportState::Closed));
    EXPECT_TRUE(serverEvents_.reached(TransportState::Closed));
    EXPECT_FALSE(clientEvents_.reached(TransportState::Failed));
    EXPECT_FALSE(serverEvents_.reached(TransportState::Failed));
    EXPECT_EQ(mux_->ufragCount(), 0u);
    EXPECT_EQ(mux_->tupleCount(), 0u);
  }

  boost::asio::io_context io_;
  std::unique_ptr<UdpMux> mux_;
  RecordingListener clientEvents_;
  RecordingListener serverEvents_;
  std::unique_ptr<WebRtcTransport> server_;
  std::unique_ptr<WebRtcTransport> client_;
};

std::vector<std::uint8_t> pattern(std::size_t size, std::uint8_t seed) {
  std::vector<std::uint8_t> v(size);
  for (std::size_t i = 0; i < size; ++i) {
    v[i] = static_cast<std::uint8_t>(seed + i * 31 + (i >> 8));
  }
  return v;
}

TEST_F(LoopbackTest, ConnectsCarriesMediaAndDataRestartsIceAndCloses) {
  ASSERT_NO_FATAL_FAILURE(connectBoth());
  EXPECT_EQ(clientEvents_.states.front(), TransportState::Connecting);
  EXPECT_EQ(serverEvents_.states.front(), TransportState::Connecting);
  ASSERT_TRUE(client_->selectedRemote());
  EXPECT_EQ(*client_->selectedRemote(), mux_->localAddress());
  EXPECT_EQ(mux_->tupleCount(), 1u);

  // SRTP both ways.
  ASSERT_NO_FATAL_FAILURE(exchangeMedia(1000, 50));
  EXPECT_EQ(client_->stats().droppedSrtp, 0u);
  EXPECT_EQ(server_->stats().droppedSrtp, 0u);

  // RTCP both ways (a minimal receiver report without blocks: RC=0, PT=201, length 1).
  {
    const std::size_t before = serverEvents_.rtcp.size();
    std::vector<std::uint8_t> rr = {0x80, 201, 0x00, 0x01, 0x11, 0x22, 0x33, 0x44};
    rr.resize(rr.size() + test::kRtpSpare);
    ASSERT_TRUE(client_->sendRtcp(rr, 8));
    ASSERT_TRUE(run([&] { return serverEvents_.rtcp.size() > before; }));
    const std::vector<std::uint8_t> expected = {0x80, 201, 0x00, 0x01, 0x11, 0x22, 0x33, 0x44};
    EXPECT_EQ(serverEvents_.rtcp.back(), expected);
  }

  // Data channels: a reliable ordered one and a lossy unordered one with no retransmissions.
  const auto reliable = client_->createDataChannel("reliable", true);
  const auto lossy = client_->createDataChannel("lossy", false, 0);
  ASSERT_TRUE(reliable && lossy);
  EXPECT_NE(*reliable, *lossy);
  ASSERT_TRUE(
      run([&] { return clientEvents_.opened.size() == 2 && serverEvents_.opened.size() == 2; }));
  EXPECT_EQ(serverEvents_.opened.at(*reliable), "reliable");
  EXPECT_EQ(serverEvents_.opened.at(*lossy), "lossy");
  EXPECT_EQ(clientEvents_.opened.at(*reliable), "reliable");

  const std::vector<std::vector<std::uint8_t>> sizes = {pattern(1, 1), pattern(16 * 1024, 2),
                                                        pattern(64 * 1024, 3)};
  for (const auto& m : sizes) ASSERT_TRUE(client_->sendData(*reliable, m, true));
  for (const auto& m : sizes) ASSERT_TRUE(server_->sendData(*reliable, m, true));
  const std::vector<std::uint8_t> text = {'h', 'i'};
  ASSERT_TRUE(client_->sendData(*reliable, text, false));
  for (std::uint8_t i = 0; i < 3; ++i) {
    const std::vector<std::uint8_t> small = {0xA0, i};
    ASSERT_TRUE(client_->sendData(*lossy, small, true));
    ASSERT_TRUE(server_->sendData(*lossy, small, true));
  }
  ASSERT_TRUE(run([&] {
    return serverEvents_.messagesOn(*reliable) == 4 && clientEvents_.messagesOn(*reliable) == 3 &&
           serverEvents_.messagesOn(*lossy) == 3 && clientEvents_.messagesOn(*lossy) == 3;
  })) << "server reliable="
      << serverEvents_.messagesOn(*reliable)
      << " client reliable=" << clientEvents_.messagesOn(*reliable)
      << " server lossy=" << serverEvents_.messagesOn(*lossy)
      << " client lossy=" << clientEvents_.messagesOn(*lossy);
  // SCTP sizes its packets to what one DTLS record at the 1200-octet MTU carries.
  EXPECT_EQ(client_->stats().sctpPacketsDropped, 0u);
  EXPECT_EQ(server_->stats().sctpPacketsDropped, 0u);
  {
    std::vector<RecordingListener::Message> onReliable;
    for (const auto& m : serverEvents_.messages) {
      if (m.id == *reliable) onReliable.push_back(m);
    }
    ASSERT_EQ(onReliable.size(), 4u);
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(onReliable[i].data, sizes[i]) << "message " << i;
      EXPECT_TRUE(onReliable[i].binary);
    }
    EXPECT_EQ(onReliable[3].data, text);
    EXPECT_FALSE(onReliable[3].binary);
    std::size_t k = 0;
    for (const auto& m : clientEvents_.messages) {
      if (m.id != *reliable) continue;
      EXPECT_EQ(m.data, sizes[k]) << "message " << k;
      ++k;
    }
    std::set<std::uint8_t> lossySeen;
    for (const auto& m : serverEvents_.messages) {
      if (m.id != *lossy) continue;
      ASSERT_EQ(m.data.size(), 2u);
      EXPECT_EQ(m.data[0], 0xA0);
      lossySeen.insert(m.data[1]);
    }
    EXPECT_EQ(lossySeen, (std::set<std::uint8_t>{0, 1, 2}));
  }

  // Closing a channel from one side resets both directions; both sides hear about it.
  ASSERT_TRUE(server_->closeDataChannel(*lossy));
  ASSERT_TRUE(run([&] {
    return clientEvents_.closedChannels.size() == 1 && serverEvents_.closedChannels.size() == 1;
  }));
  EXPECT_EQ(clientEvents_.closedChannels[0], *lossy);
  EXPECT_EQ(serverEvents_.closedChannels[0], *lossy);

  // ICE restart: new credentials on both sides, a new selection, media flows again.
  const TransportParameters oldServer = server_->localParameters();
  const TransportParameters oldClient = client_->localParameters();

  const IceCredentials newServer = server_->restartIce();
  const IceCredentials newClient = client_->restartIce();
  EXPECT_NE(newServer, oldServer.ice);
  EXPECT_NE(newClient, oldClient.ice);
  EXPECT_TRUE(newServer.valid() && newClient.valid());
  EXPECT_EQ(server_->localParameters().ice, newServer);
  EXPECT_EQ(mux_->ufragCount(), 1u);
  server_->setRemoteIceCredentials(newClient);
  client_->setRemoteIceCredentials(newServer);
  EXPECT_EQ(client_->stats().iceRestartsCompleted, 0u);
  ASSERT_TRUE(run([&] {
    return client_->stats().iceRestartsCompleted == 1 && server_->stats().iceRestartsCompleted == 1;
  }));
  EXPECT_EQ(client_->state(), TransportState::Connected);
  EXPECT_EQ(server_->state(), TransportState::Connected);
  ASSERT_NO_FATAL_FAILURE(exchangeMedia(2000, 20));

  ASSERT_NO_FATAL_FAILURE(closeBoth());
  // Nothing goes out after Closed.
  auto late = buildRtp(kClientSsrc, 3000, kPayloadSize);
  EXPECT_FALSE(client_->sendRtp(late, 12 + kPayloadSize));
  EXPECT_FALSE(client_->sendData(*reliable, sizes[0], true));
}

TEST_F(LoopbackTest, GarbageToTheMuxIsDroppedAndCountedWhileTheConnectionCarriesOn) {
  ASSERT_NO_FATAL_FAILURE(connectBoth());
  ASSERT_NO_FATAL_FAILURE(exchangeMedia(1, 5));

  namespace asio = boost::asio;
  asio::ip::udp::socket stranger(io_,
                                 asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto target = UdpSocket::toEndpoint(mux_->localAddress());
  const auto garbageBefore = mux_->stats().droppedGarbage;
  const auto unknownBefore = mux_->stats().droppedUnknownSource;
  // Outside every RFC 7983 range.
  const std::array<std::uint8_t, 4> junk = {0xFF, 0x00, 0x01, 0x02};
  const std::array<std::uint8_t, 1> junk2 = {0x70};
  // RTP- and DTLS-looking datagrams from a source ICE never validated.
  auto fakeRtp = buildRtp(0xDEADBEEF, 1, 20);
  const std::array<std::uint8_t, 13> fakeDtls = {22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  // STUN-looking but no USERNAME naming a registered ufrag.
  const std::array<std::uint8_t, 20> fakeStun = {
      0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  stranger.send_to(asio::buffer(junk), target);
  stranger.send_to(asio::buffer(junk2), target);
  stranger.send_to(asio::buffer(fakeRtp.data(), 32), target);
  stranger.send_to(asio::buffer(fakeDtls), target);
  stranger.send_to(asio::buffer(fakeStun), target);
  ASSERT_TRUE(run([&] {
    return mux_->stats().droppedGarbage >= garbageBefore + 2 &&
           mux_->stats().droppedUnknownSource >= unknownBefore + 3;
  }));
  EXPECT_EQ(mux_->stats().droppedGarbage, garbageBefore + 2);
  EXPECT_EQ(mux_->stats().droppedUnknownSource, unknownBefore + 3);
  EXPECT_EQ(mux_->tupleCount(), 1u);

  ASSERT_NO_FATAL_FAILURE(exchangeMedia(100, 10));
  EXPECT_EQ(server_->state(), TransportState::Connected);
  EXPECT_EQ(client_->state(), TransportState::Connected);
  ASSERT_NO_FATAL_FAILURE(closeBoth());
}

TEST(WebRtcTransportCreate, RejectsMissingCertificateOrMux) {
  boost::asio::io_context io;
  RecordingListener events;
  WebRtcTransport::Options options;
  options.role = WebRtcTransportRole::Client;
  auto noCert = WebRtcTransport::create(io, options, events);
  ASSERT_FALSE(noCert);
  EXPECT_EQ(noCert.code(), WebRtcTransportError::InvalidOptions);

  auto cert = DtlsCertificate::generate();
  ASSERT_TRUE(cert);
  options.certificate = cert.value();
  options.role = WebRtcTransportRole::Server;
  auto noMux = WebRtcTransport::create(io, options, events);
  ASSERT_FALSE(noMux);
  EXPECT_EQ(noMux.code(), WebRtcTransportError::InvalidOptions);

  options.role = WebRtcTransportRole::Client;
  options.bindAddress = "256.0.0.1";
  auto badBind = WebRtcTransport::create(io, options, events);
  ASSERT_FALSE(badBind);
  EXPECT_EQ(badBind.code(), WebRtcTransportError::Socket);
  EXPECT_TRUE(events.states.empty());
}

}  // namespace
}  // namespace huddle::rtc
