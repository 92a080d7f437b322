// The client's DTLS role follows the peer's a=setup (a peer answering setup:active makes the
// client the DTLS server), and remote candidates trickled after connect() still form a path.
// Client and server transports over 127.0.0.1 in one io_context.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <vector>

#include "rtc/dtls/dtls_certificate.h"
#include "rtc/transport/udp_mux.h"
#include "rtc/transport/webrtc_transport.h"
#include "transport_test_util.h"

namespace huddle::rtc {
namespace {

using test::buildRtp;
using test::RecordingListener;
using test::rtpPayload;

constexpr std::uint32_t kClientSsrc = 0x0A0B0C0D;
constexpr std::uint32_t kServerSsrc = 0x01020304;
constexpr std::size_t kPayloadSize = 100;

class DtlsRoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto mux = UdpMux::create(io_, "127.0.0.1");
    ASSERT_TRUE(mux) << mux.message();
    mux_ = std::move(mux).value();
    auto clientCert = DtlsCertificate::generate();
    auto serverCert = DtlsCertificate::generate();
    ASSERT_TRUE(clientCert && serverCert);
    clientCert_ = clientCert.value();
    serverCert_ = serverCert.value();
  }

  void createBoth(std::optional<DtlsSetup> serverSetup, std::optional<DtlsSetup> clientSetup) {
    WebRtcTransport::Options serverOptions;
    serverOptions.role = WebRtcTransportRole::Server;
    serverOptions.certificate = serverCert_;
    serverOptions.mux = mux_.get();
    serverOptions.setup = serverSetup;
    auto server = WebRtcTransport::create(io_, serverOptions, serverEvents_);
    ASSERT_TRUE(server) << server.message();
    server_ = std::move(server).value();

    WebRtcTransport::Options clientOptions;
    clientOptions.role = WebRtcTransportRole::Client;
    clientOptions.certificate = clientCert_;
    clientOptions.setup = clientSetup;
    auto client = WebRtcTransport::create(io_, clientOptions, clientEvents_);
    ASSERT_TRUE(client) << client.message();
    client_ = std::move(client).value();
  }

  bool run(const std::function<bool()>& done) { return test::runUntil(io_, done); }

  void waitConnected() {
    ASSERT_TRUE(run([&] {
      return server_->state() == TransportState::Connected &&
             client_->state() == TransportState::Connected;
    })) << "client="
        << toString(client_->state()) << " server=" << toString(server_->state());
    EXPECT_TRUE(client_->dataChannelsConnected());
    EXPECT_TRUE(server_->dataChannelsConnected());
  }

  // Every packet arrives decrypted and byte-exact, each way: the SRTP keys were derived with
  // the roles both sides agree on.
  void exchangeMedia(std::uint16_t count) {
    for (std::uint16_t seq = 1; seq <= count; ++seq) {
      auto up = buildRtp(kClientSsrc, seq, kPayloadSize);
      ASSERT_TRUE(client_->sendRtp(up, 12 + kPayloadSize));
      auto down = buildRtp(kServerSsrc, seq, kPayloadSize);
      ASSERT_TRUE(server_->sendRtp(down, 12 + kPayloadSize));
    }
    ASSERT_TRUE(run([&] {
      return serverEvents_.rtp.size() >= count && clientEvents_.rtp.size() >= count;
    })) << "server got "
        << serverEvents_.rtp.size() << " client got " << clientEvents_.rtp.size();
    ASSERT_EQ(serverEvents_.rtp.size(), count);
    ASSERT_EQ(clientEvents_.rtp.size(), count);
    for (std::uint16_t i = 0; i < count; ++i) {
      const auto seq = static_cast<std::uint16_t>(i + 1);
      const auto up = buildRtp(kClientSsrc, seq, kPayloadSize);
      const auto down = buildRtp(kServerSsrc, seq, kPayloadSize);
      EXPECT_TRUE(std::equal(serverEvents_.rtp[i].begin(), serverEvents_.rtp[i].end(), up.begin()));
      EXPECT_TRUE(
          std::equal(clientEvents_.rtp[i].begin(), clientEvents_.rtp[i].end(), down.begin()));
      EXPECT_EQ(serverEvents_.rtp[i].size(), 12 + kPayloadSize);
      EXPECT_EQ(clientEvents_.rtp[i].size(), 12 + kPayloadSize);
    }
  }

  // A channel each side opens reaches the other, and a message crosses each.
  void exchangeData() {
    const auto fromClient = client_->createDataChannel("from-client");
    const auto fromServer = server_->createDataChannel("from-server");
    ASSERT_TRUE(fromClient && fromServer);
    EXPECT_NE(*fromClient, *fromServer) << "SCTP roles must give the sides distinct stream ids";
    ASSERT_TRUE(run([&] {
      return clientEvents_.opened.size() == 2 && serverEvents_.opened.size() == 2;
    }));
    EXPECT_EQ(serverEvents_.opened.at(*fromClient), "from-client");
    EXPECT_EQ(clientEvents_.opened.at(*fromServer), "from-server");
    const std::vector<std::uint8_t> up = rtpPayload(1, 2, 300);
    const std::vector<std::uint8_t> down = rtpPayload(3, 4, 500);
    ASSERT_TRUE(client_->sendData(*fromClient, up));
    ASSERT_TRUE(server_->sendData(*fromServer, down));
    ASSERT_TRUE(run([&] {
      return serverEvents_.messagesOn(*fromClient) == 1 &&
             clientEvents_.messagesOn(*fromServer) == 1;
    }));
    EXPECT_EQ(serverEvents_.messages.at(0).data, up);
    EXPECT_EQ(clientEvents_.messages.at(0).data, down);
  }

  void closeBoth() {
    client_->close();
    ASSERT_TRUE(run([&] {
      return client_->state() == TransportState::Closed &&
             server_->state() == TransportState::Closed;
    }));
    EXPECT_FALSE(clientEvents_.reached(TransportState::Failed));
    EXPECT_FALSE(serverEvents_.reached(TransportState::Failed));
  }

  boost::asio::io_context io_;
  std::unique_ptr<UdpMux> mux_;
  std::shared_ptr<const DtlsCertificate> clientCert_;
  std::shared_ptr<const DtlsCertificate> serverCert_;
  RecordingListener clientEvents_;
  RecordingListener serverEvents_;
  std::unique_ptr<WebRtcTransport> server_;
  std::unique_ptr<WebRtcTransport> client_;
};

TEST_F(DtlsRoleTest, ClientBecomesDtlsServerWhenPeerIsActive) {
  createBoth(DtlsSetup::Active, std::nullopt);
  const TransportParameters serverParams = server_->localParameters();
  EXPECT_EQ(serverParams.setup, DtlsSetup::Active);
  // Before connect the client reports what it would take itself.
  EXPECT_EQ(client_->localParameters().setup, DtlsSetup::Active);

  server_->connect(client_->localParameters());
  client_->connect(serverParams);
  EXPECT_EQ(client_->localParameters().setup, DtlsSetup::Passive);
  waitConnected();
  exchangeMedia(20);
  exchangeData();
  closeBoth();
}

TEST_F(DtlsRoleTest, ClientStaysDtlsClientWhenPeerIsPassive) {
  createBoth(std::nullopt, std::nullopt);
  const TransportParameters serverParams = server_->localParameters();
  EXPECT_EQ(serverParams.setup, DtlsSetup::Passive);
  server_->connect(client_->localParameters());
  client_->connect(serverParams);
  EXPECT_EQ(client_->localParameters().setup, DtlsSetup::Active);
  waitConnected();
  exchangeMedia(5);
  exchangeData();
  closeBoth();
}

TEST_F(DtlsRoleTest, ForcedSetupIgnoresThePeer) {
  createBoth(DtlsSetup::Active, DtlsSetup::Active);
  client_->connect(server_->localParameters());
  EXPECT_EQ(client_->localParameters().setup, DtlsSetup::Active);
  client_->close();
}

TEST_F(DtlsRoleTest, CandidateTrickledAfterConnectFormsThePath) {
  createBoth(DtlsSetup::Active, std::nullopt);
  TransportParameters serverParams = server_->localParameters();
  ASSERT_EQ(serverParams.candidates.size(), 1u);
  const IceCandidateInfo candidate = serverParams.candidates.front();
  serverParams.candidates.clear();

  // Before connect there is no agent state to add it to; the server learns addresses from checks.
  EXPECT_FALSE(client_->addRemoteCandidate(candidate));
  server_->connect(client_->localParameters());
  EXPECT_FALSE(server_->addRemoteCandidate(client_->localParameters().candidates.front()));
  client_->connect(serverParams);
  // No candidate is not a failure: the client waits for trickle.
  EXPECT_EQ(client_->state(), TransportState::Connecting);
  EXPECT_FALSE(client_->selectedRemote().has_value());

  IceCandidateInfo tcp = candidate;
  tcp.protocol = IceCandidateProtocol::Tcp;
  EXPECT_FALSE(client_->addRemoteCandidate(tcp));
  ASSERT_TRUE(client_->addRemoteCandidate(candidate));
  EXPECT_FALSE(client_->addRemoteCandidate(candidate)) << "duplicate";
  waitConnected();
  ASSERT_TRUE(client_->selectedRemote().has_value());
  EXPECT_EQ(*client_->selectedRemote(), candidate.address);
  exchangeMedia(5);
  closeBoth();
  EXPECT_FALSE(client_->addRemoteCandidate(candidate)) << "closed";
}

}  // namespace
}  // namespace huddle::rtc
