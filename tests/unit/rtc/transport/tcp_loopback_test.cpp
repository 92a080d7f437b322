// ICE-TCP on 127.0.0.1: a Client-role transport given only the server's passive TCP candidate
// connects actively; the Server-role transport sits behind a UdpMux and a TcpMux. ICE, DTLS,
// SRTP and SCTP all run over one RFC 4571-framed connection. Misbehaving connections to the
// TcpMux are closed and counted without disturbing the good one.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>
#include <set>
#include <vector>

#include "rtc/dtls/dtls_certificate.h"
#include "rtc/ice/stun_message.h"
#include "rtc/transport/tcp_connection.h"
#include "rtc/transport/tcp_mux.h"
#include "rtc/transport/udp_mux.h"
#include "rtc/transport/webrtc_transport.h"
#include "transport_test_util.h"

namespace huddle::rtc {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using test::buildRtp;
using test::RecordingListener;

constexpr std::uint32_t kClientSsrc = 0x0A0B0C0D;
constexpr std::uint32_t kServerSsrc = 0x01020304;
constexpr std::size_t kPayloadSize = 200;

std::vector<std::uint8_t> pattern(std::size_t size, std::uint8_t seed) {
  std::vector<std::uint8_t> v(size);
  for (std::size_t i = 0; i < size; ++i) v[i] = static_cast<std::uint8_t>(seed + i * 29);
  return v;
}

// A raw TCP client poking at the mux: writes bytes and notices when the server closes.
struct RawClient {
  explicit RawClient(asio::io_context& io) : socket(io) {}
  void connect(const StunAddress& to) {
    socket.async_connect(TcpConnection::toEndpoint(to), [this](const boost::system::error_code& ec) {
      connected = !ec;
      if (ec) {
        closedByServer = true;
        return;
      }
      if (!toWrite.empty()) asio::write(socket, asio::buffer(toWrite));
      read();
    });
  }
  void read() {
    socket.async_read_some(asio::buffer(buf), [this](const boost::system::error_code& ec,
                                                     std::size_t /*n*/) {
      if (ec) {
        closedByServer = true;
        return;
      }
      read();
    });
  }
  tcp::socket socket;
  std::vector<std::uint8_t> toWrite;
  std::array<std::uint8_t, 512> buf{};
  bool connected = false;
  bool closedByServer = false;
};

std::vector<std::uint8_t> framed(std::span<const std::uint8_t> payload) {
  std::vector<std::uint8_t> out(2 + payload.size());
  out[0] = static_cast<std::uint8_t>(payload.size() >> 8);
  out[1] = static_cast<std::uint8_t>(payload.size() & 0xFF);
  std::copy(payload.begin(), payload.end(), out.begin() + 2);
  return out;
}

std::vector<std::uint8_t> bindingRequest(std::string_view username, std::string_view pwd) {
  std::array<std::uint8_t, 256> buffer{};
  const StunTransactionId id = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  StunMessageBuilder b(buffer, StunClass::Request, StunMethod::Binding, id);
  b.addUsername(username);
  b.addPriority(0x6E7F1EFF);
  b.addIceControlling(42);
  b.addMessageIntegrity(pwd);
  b.addFingerprint();
  EXPECT_TRUE(b.ok());
  return {b.bytes().begin(), b.bytes().end()};
}

class TcpLoopbackTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(createAll(TcpMux::Options{})); }

  void createAll(const TcpMux::Options& tcpOptions) {
    auto mux = UdpMux::create(io_, "127.0.0.1");
    ASSERT_TRUE(mux) << mux.message();
    mux_ = std::move(mux).value();
    auto tcpMux = TcpMux::create(io_, "127.0.0.1", 0, tcpOptions);
    ASSERT_TRUE(tcpMux) << tcpMux.message();
    tcpMux_ = std::move(tcpMux).value();

    auto clientCert = DtlsCertificate::generate();
    auto serverCert = DtlsCertificate::generate();
    ASSERT_TRUE(clientCert && serverCert);

    WebRtcTransport::Options serverOptions;
    serverOptions.role = WebRtcTransportRole::Server;
    serverOptions.certificate = serverCert.value();
    serverOptions.mux = mux_.get();
    serverOptions.tcpMux = tcpMux_.get();
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

  // The client learns only the server's TCP candidate.
  void connectOverTcp() {
    TransportParameters serverParams = server_->localParameters();
    ASSERT_EQ(serverParams.candidates.size(), 2u);
    EXPECT_EQ(serverParams.candidates[0].protocol, IceCandidateProtocol::Udp);
    EXPECT_EQ(serverParams.candidates[0].address, mux_->localAddress());
    const IceCandidateInfo tcpCandidate = serverParams.candidates[1];
    EXPECT_EQ(tcpCandidate.protocol, IceCandidateProtocol::Tcp);
    EXPECT_EQ(tcpCandidate.address, tcpMux_->localAddress());
    // UDP stays preferred where both work.
    EXPECT_LT(tcpCandidate.priority, serverParams.candidates[0].priority);
    serverParams.candidates = {tcpCandidate};

    server_->connect(client_->localParameters());
    client_->connect(serverParams);
    ASSERT_TRUE(run([&] {
      return server_->state() == TransportState::Connected &&
             client_->state() == TransportState::Connected;
    })) << "client="
        << toString(client_->state()) << " server=" << toString(server_->state());
    ASSERT_TRUE(client_->selectedRemote());
    EXPECT_EQ(*client_->selectedRemote(), tcpMux_->localAddress());
    // Nothing went over UDP.
    EXPECT_EQ(mux_->tupleCount(), 0u);
    EXPECT_EQ(mux_->stats().routed, 0u);
    EXPECT_EQ(tcpMux_->stats().connectionsBound, 1u);
    EXPECT_TRUE(client_->dataChannelsConnected());
    EXPECT_TRUE(server_->dataChannelsConnected());
  }

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
    }));
    // TCP keeps order and loses nothing: exactly these packets, in sequence, byte-exact.
    ASSERT_EQ(serverEvents_.rtp.size(), serverBefore + count);
    ASSERT_EQ(clientEvents_.rtp.size(), clientBefore + count);
    for (std::uint16_t i = 0; i < count; ++i) {
      const auto seq = static_cast<std::uint16_t>(firstSeq + i);
      const auto up = buildRtp(kClientSsrc, seq, kPayloadSize);
      const auto down = buildRtp(kServerSsrc, seq, kPayloadSize);
      EXPECT_TRUE(std::equal(up.begin(), up.begin() + 12 + kPayloadSize,
                             serverEvents_.rtp[serverBefore + i].begin(),
                             serverEvents_.rtp[serverBefore + i].end()));
      EXPECT_TRUE(std::equal(down.begin(), down.begin() + 12 + kPayloadSize,
                             clientEvents_.rtp[clientBefore + i].begin(),
                             clientEvents_.rtp[clientBefore + i].end()));
    }
  }

  void closeBoth() {
    client_->close();
    ASSERT_TRUE(run([&] {
      return client_->state() == TransportState::Closed &&
             server_->state() == TransportState::Closed && tcpMux_->connectionCount() == 0;
    })) << "client="
        << toString(client_->state()) << " server=" << toString(server_->state())
        << " tcp connections=" << tcpMux_->connectionCount();
    EXPECT_FALSE(clientEvents_.reached(TransportState::Failed));
    EXPECT_FALSE(serverEvents_.reached(TransportState::Failed));
    EXPECT_EQ(tcpMux_->ufragCount(), 0u);
    EXPECT_EQ(mux_->ufragCount(), 0u);
  }

  asio::io_context io_;
  std::unique_ptr<UdpMux> mux_;
  std::unique_ptr<TcpMux> tcpMux_;
  RecordingListener clientEvents_;
  RecordingListener serverEvents_;
  std::unique_ptr<WebRtcTransport> server_;
  std::unique_ptr<WebRtcTransport> client_;
};

TEST_F(TcpLoopbackTest, IceDtlsSrtpAndDataOverTcpOnly) {
  ASSERT_NO_FATAL_FAILURE(connectOverTcp());
  ASSERT_NO_FATAL_FAILURE(exchangeMedia(100, 40));
  EXPECT_EQ(client_->stats().droppedSrtp, 0u);
  EXPECT_EQ(server_->stats().droppedSrtp, 0u);

  // RTCP up (a receiver report without blocks).
  {
    std::vector<std::uint8_t> rr = {0x80, 201, 0x00, 0x01, 0x0A, 0x0B, 0x0C, 0x0D};
    rr.resize(rr.size() + test::kRtpSpare);
    ASSERT_TRUE(client_->sendRtcp(rr, 8));
    ASSERT_TRUE(run([&] { return !serverEvents_.rtcp.empty(); }));
    EXPECT_EQ(serverEvents_.rtcp.back(),
              (std::vector<std::uint8_t>{0x80, 201, 0x00, 0x01, 0x0A, 0x0B, 0x0C, 0x0D}));
  }

  // A reliable channel each way, including a message many DTLS records long.
  const auto up = client_->createDataChannel("up", true);
  ASSERT_TRUE(up);
  ASSERT_TRUE(run([&] { return serverEvents_.channelByLabel("up").has_value(); }));
  const auto down = server_->createDataChannel("down", true);
  ASSERT_TRUE(down);
  ASSERT_TRUE(run([&] { return clientEvents_.channelByLabel("down").has_value(); }));
  const std::vector<std::vector<std::uint8_t>> messages = {pattern(1, 1), pattern(20'000, 2),
                                                           pattern(64 * 1024, 3)};
  for (const auto& m : messages) ASSERT_TRUE(client_->sendData(*up, m, true));
  for (const auto& m : messages) ASSERT_TRUE(server_->sendData(*down, m, true));
  ASSERT_TRUE(run([&] {
    return serverEvents_.messagesOn(*up) == messages.size() &&
           clientEvents_.messagesOn(*down) == messages.size();
  })) << "server got "
      << serverEvents_.messagesOn(*up) << " client got " << clientEvents_.messagesOn(*down);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    EXPECT_EQ(serverEvents_.messages[i].data, messages[i]);
    EXPECT_EQ(clientEvents_.messages[i].data, messages[i]);
  }

  ASSERT_NO_FATAL_FAILURE(closeBoth());
  EXPECT_EQ(tcpMux_->stats().closedBadFraming + tcpMux_->stats().closedGarbage +
                tcpMux_->stats().closedUnknownUfrag,
            0u);
}

TEST_F(TcpLoopbackTest, BadConnectionsAreClosedAndCountedWhileAGoodOneProceeds) {
  const StunAddress listen = tcpMux_->localAddress();
  // An HTTP request: "GE" read as a length is 0x4745 = 18245, over the 8 KiB limit.
  RawClient http(io_);
  const std::string get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  http.toWrite.assign(get.begin(), get.end());
  // A well-framed first packet that is not STUN (an RTP-looking payload).
  RawClient rtpFirst(io_);
  const std::vector<std::uint8_t> rtpish = {0x80, 0x60, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1};
  rtpFirst.toWrite = framed(rtpish);
  // A STUN Binding request for a ufrag nobody registered.
  RawClient stranger(io_);
  stranger.toWrite = framed(bindingRequest("nobody:peer", "0123456789012345678901"));

  http.connect(listen);
  rtpFirst.connect(listen);
  stranger.connect(listen);
  ASSERT_NO_FATAL_FAILURE(connectOverTcp());
  ASSERT_TRUE(run([&] {
    return http.closedByServer && rtpFirst.closedByServer && stranger.closedByServer;
  }));
  EXPECT_TRUE(http.connected && rtpFirst.connected && stranger.connected);
  EXPECT_EQ(tcpMux_->stats().closedBadFraming, 1u);
  EXPECT_EQ(tcpMux_->stats().closedGarbage, 1u);
  EXPECT_EQ(tcpMux_->stats().closedUnknownUfrag, 1u);
  EXPECT_EQ(tcpMux_->stats().accepted, 4u);
  EXPECT_EQ(tcpMux_->connectionCount(), 1u);

  // The good connection is unaffected.
  ASSERT_NO_FATAL_FAILURE(exchangeMedia(7, 10));
  ASSERT_NO_FATAL_FAILURE(closeBoth());
}

TEST(TcpMuxLimits, PendingConnectionsAreBounded) {
  asio::io_context io;
  TcpMux::Options options;
  options.maxPendingConnections = 2;
  options.authTimeout = std::chrono::minutes(5);  // out of this test's way
  auto created = TcpMux::create(io, "127.0.0.1", 0, options);
  ASSERT_TRUE(created) << created.message();
  const auto mux = std::move(created).value();

  RawClient a(io);
  RawClient b(io);
  a.connect(mux->localAddress());
  b.connect(mux->localAddress());
  ASSERT_TRUE(test::runUntil(io, [&] { return mux->pendingCount() == 2; }));
  RawClient c(io);
  c.connect(mux->localAddress());
  ASSERT_TRUE(test::runUntil(io, [&] { return c.closedByServer; }));
  EXPECT_EQ(mux->stats().refused, 1u);
  EXPECT_FALSE(a.closedByServer || b.closedByServer);
  EXPECT_EQ(mux->pendingCount(), 2u);
}

TEST(TcpMuxLimits, UnauthenticatedConnectionsTimeOut) {
  asio::io_context io;
  TcpMux::Options options;
  options.authTimeout = std::chrono::milliseconds(50);
  auto created = TcpMux::create(io, "127.0.0.1", 0, options);
  ASSERT_TRUE(created) << created.message();
  const auto mux = std::move(created).value();

  RawClient a(io);
  RawClient b(io);
  a.connect(mux->localAddress());
  b.connect(mux->localAddress());
  ASSERT_TRUE(test::runUntil(io, [&] { return a.closedByServer && b.closedByServer; }));
  EXPECT_TRUE(a.connected && b.connected);
  EXPECT_EQ(mux->stats().accepted, 2u);
  EXPECT_EQ(mux->stats().closedAuthTimeout, 2u);
  EXPECT_EQ(mux->connectionCount(), 0u);
}

TEST(TcpMuxLimits, SilentConnectionsCloseAfterTheIdleTimeout) {
  asio::io_context io;
  TcpMux::Options options;
  options.authTimeout = std::chrono::minutes(5);
  options.idleTimeout = std::chrono::milliseconds(50);
  auto created = TcpMux::create(io, "127.0.0.1", 0, options);
  ASSERT_TRUE(created) << created.message();
  const auto mux = std::move(created).value();

  RawClient a(io);
  a.connect(mux->localAddress());
  ASSERT_TRUE(test::runUntil(io, [&] { return a.closedByServer; }));
  EXPECT_TRUE(a.connected);
  EXPECT_EQ(mux->stats().closedIdle, 1u);
  EXPECT_EQ(mux->stats().closedAuthTimeout, 0u);
  EXPECT_EQ(mux->connectionCount(), 0u);
}

}  // namespace
}  // namespace huddle::rtc
