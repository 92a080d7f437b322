// After a warm-up, media through a connected WebRtcTransport pair allocates nothing.
//
// Path covered, both directions, RTP and RTCP, on a real Client/Server pair over 127.0.0.1:
//   send:    WebRtcTransport::sendRtp/sendRtcp -> SrtpBridge -> SrtpSession protect (OpenSSL)
//            -> UdpSocket send (the client's own socket; the server's goes through its UdpMux)
//   receive: UdpSocket receive (asio, the socket's preallocated buffer) -> UdpMux 5-tuple lookup
//            (server) -> WebRtcTransport packet handler (RFC 7983 demux) -> SrtpSession unprotect
//            -> Listener::onRtpPacket/onRtcpPacket -> RtpPacketView::parse / RtcpCompoundReader.
// Counting stays on while the io_context runs, so the transport's timer ticks in that time are
// held to the same rule. Not covered: ICE/DTLS handshakes and the first packet of each SSRC
// (warm-up, per-connection and per-SSRC costs) and data channels (disabled here: usrsctp
// allocates in C per message, outside this claim).
//
// This binary links tests/support/counting_allocator.cpp, which replaces the global operator new
// and (glibc, no sanitizer: ASan owns malloc) also malloc/calloc/realloc, so allocations inside
// OpenSSL and asio are seen as well.

#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <memory>

#include "counting_allocator.h"
#include "rtc/dtls/dtls_certificate.h"
#include "rtc/rtp/rtcp_packet.h"
#include "rtc/rtp/rtp_packet.h"
#include "rtc/transport/udp_mux.h"
#include "rtc/transport/webrtc_transport.h"
#include "transport_test_util.h"

namespace huddle::rtc {
namespace {

constexpr std::uint32_t kClientSsrc = 0x0a0b0c0d;
constexpr std::uint32_t kServerSsrc = 0x01020304;
constexpr std::size_t kPayloadSize = 1000;
constexpr std::size_t kRtcpSize = 32;
constexpr std::uint32_t kWarmUp = 20;
constexpr std::uint32_t kCounted = 600;
constexpr std::uint32_t kBatch = 50;  // well inside the loopback socket buffers
using Buffer = std::array<std::uint8_t, 1500>;

std::uint8_t payloadByte(std::uint16_t seq, std::size_t i) {
  return static_cast<std::uint8_t>(seq * 7u + i * 13u);
}

void putU32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

std::size_t writeRtp(Buffer& b, std::uint32_t ssrc, std::uint16_t seq) {
  b[0] = 0x80;
  b[1] = 96;
  b[2] = static_cast<std::uint8_t>(seq >> 8);
  b[3] = static_cast<std::uint8_t>(seq);
  putU32(&b[4], seq * 3000u);
  putU32(&b[8], ssrc);
  for (std::size_t i = 0; i < kPayloadSize; ++i) b[12 + i] = payloadByte(seq, i);
  return 12 + kPayloadSize;
}

std::size_t writeReceiverReport(Buffer& b, std::uint32_t sender, std::uint32_t media,
                                std::uint32_t highest) {
  b[0] = 0x81;
  b[1] = 201;
  b[2] = 0;
  b[3] = 7;
  putU32(&b[4], sender);
  putU32(&b[8], media);
  for (std::size_t i = 12; i < kRtcpSize; ++i) b[i] = 0;
  putU32(&b[16], highest);
  return kRtcpSize;
}

// Parses what arrives and checks it against what was sent, touching no heap.
struct MediaSink final : WebRtcTransport::Listener {
  explicit MediaSink(std::uint32_t ssrc) : expectedSsrc(ssrc) {}

  void onTransportStateChanged(WebRtcTransport& /*t*/, TransportState s) override { state = s; }
  void onRtpPacket(WebRtcTransport& /*t*/, std::span<std::uint8_t> packet) override {
    const auto view = RtpPacketView::parse(packet);
    if (!view || view->ssrc() != expectedSsrc || view->payload().size() != kPayloadSize) {
      ++bad;
      return;
    }
    const auto payload = view->payload();
    for (std::size_t i = 0; i < payload.size(); ++i) {
      if (payload[i] != payloadByte(view->sequenceNumber(), i)) {
        ++bad;
        return;
      }
    }
    ++rtp;
    if (echo != nullptr) {
      // Answer from inside the mux's dispatch, so the send goes through its batch.
      const std::size_t length = writeRtp(echoBuffer, echoSsrc, view->sequenceNumber());
      if (!echo->sendRtp(echoBuffer, length)) ++bad;
    }
  }
  void onRtcpPacket(WebRtcTransport& /*t*/, std::span<std::uint8_t> packet) override {
    RtcpCompoundReader reader(packet);
    std::size_t reports = 0;
    while (const auto p = reader.next()) {
      if (p->type == static_cast<std::uint8_t>(RtcpType::ReceiverReport)) ++reports;
    }
    if (reader.malformed() || reports != 1) {
      ++bad;
      return;
    }
    ++rtcp;
  }

  std::uint32_t expectedSsrc;
  WebRtcTransport* echo = nullptr;
  std::uint32_t echoSsrc = 0;
  Buffer echoBuffer{};
  TransportState state = TransportState::New;
  std::uint32_t rtp = 0;
  std::uint32_t rtcp = 0;
  std::uint32_t bad = 0;
};

class TransportAllocationTest : public ::testing::Test {
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
    serverOptions.enableDataChannels = false;
    auto server = WebRtcTransport::create(io_, serverOptions, serverSink_);
    ASSERT_TRUE(server) << server.message();
    server_ = std::move(server).value();

    WebRtcTransport::Options clientOptions;
    clientOptions.role = WebRtcTransportRole::Client;
    clientOptions.certificate = clientCert.value();
    clientOptions.enableDataChannels = false;
    auto client = WebRtcTransport::create(io_, clientOptions, clientSink_);
    ASSERT_TRUE(client) << client.message();
    client_ = std::move(client).value();

    server_->connect(client_->localParameters());
    client_->connect(server_->localParameters());
    ASSERT_TRUE(test::runUntil(io_, [&] {
      return server_->state() == TransportState::Connected &&
             client_->state() == TransportState::Connected;
    }));
  }

  void TearDown() override {
    if (client_) client_->close();
    if (server_) server_->close();
    if (client_ && server_) {
      (void)test::runUntil(
          io_,
          [&] {
            return client_->state() == TransportState::Closed &&
                   server_->state() == TransportState::Closed;
          },
          std::chrono::seconds(3));
    }
  }

  // Sends `count` RTP packets each way (and an RTCP report every 10th), then runs the io_context
  // until all have arrived. Returns false on a refused send or a timeout; allocates nothing
  // itself (`arrived` is built by the caller).
  bool exchange(std::uint16_t& seq, std::uint32_t count, const std::function<bool()>& arrived,
                std::uint32_t& sendFailures) {
    for (std::uint32_t i = 0; i < count; ++i, ++seq) {
      std::size_t length = writeRtp(buffer_, kClientSsrc, seq);
      sendFailures += client_->sendRtp(buffer_, length) ? 0 : 1;
      length = writeRtp(buffer_, kServerSsrc, seq);
      sendFailures += server_->sendRtp(buffer_, length) ? 0 : 1;
      if (seq % 10 == 0) {
        length = writeReceiverReport(buffer_, kClientSsrc, kServerSsrc, seq);
        sendFailures += client_->sendRtcp(buffer_, length) ? 0 : 1;
        length = writeReceiverReport(buffer_, kServerSsrc, kClientSsrc, seq);
        sendFailures += server_->sendRtcp(buffer_, length) ? 0 : 1;
      }
    }
    return test::runUntil(io_, arrived);
  }

  boost::asio::io_context io_;
  std::unique_ptr<UdpMux> mux_;
  MediaSink serverSink_{kClientSsrc};
  MediaSink clientSink_{kServerSsrc};
  std::unique_ptr<WebRtcTransport> server_;
  std::unique_ptr<WebRtcTransport> client_;
  Buffer buffer_{};
};

TEST_F(TransportAllocationTest, CounterSeesAllocations) {
  long news = 0;
  long mallocs = 0;
  huddle::test::resetAllocationCounts();
  huddle::test::setAllocationCounting(true);
  auto p = std::make_unique<std::array<char, 64>>();
  huddle::test::setAllocationCounting(false);
  news = huddle::test::operatorNewCalls();
  mallocs = huddle::test::mallocCalls();
  EXPECT_EQ(news, 1);
  if (huddle::test::countsMalloc()) {
    EXPECT_EQ(mallocs, 1);
  }
}

TEST_F(TransportAllocationTest, MediaBothWaysAllocatesNothingAfterWarmUp) {
  ASSERT_EQ(server_->state(), TransportState::Connected);
  std::uint16_t seq = 1;
  std::uint32_t expectedRtp = 0;
  std::uint32_t expectedRtcp = 0;
  const std::function<bool()> arrived = [&] {
    return serverSink_.rtp + serverSink_.bad >= expectedRtp &&
           clientSink_.rtp + clientSink_.bad >= expectedRtp &&
           serverSink_.rtcp + serverSink_.bad >= expectedRtcp &&
           clientSink_.rtcp + clientSink_.bad >= expectedRtcp;
  };
  std::uint32_t sendFailures = 0;

  // Warm-up: the first packet of each SSRC makes its SRTP stream state; asio fills its handler
  // memory caches.
  expectedRtp = kWarmUp;
  expectedRtcp = kWarmUp / 10;
  ASSERT_TRUE(exchange(seq, kWarmUp, arrived, sendFailures));

  bool allArrived = true;
  huddle::test::resetAllocationCounts();
  huddle::test::setAllocationCounting(true);
  for (std::uint32_t sent = 0; sent < kCounted; sent += kBatch) {
    expectedRtp += kBatch;
    expectedRtcp += kBatch / 10;
    allArrived = exchange(seq, kBatch, arrived, sendFailures) && allArrived;
  }
  huddle::test::setAllocationCounting(false);
  const long news = huddle::test::operatorNewCalls();
  const long mallocs = huddle::test::mallocCalls();

  EXPECT_TRUE(allArrived);
  EXPECT_EQ(sendFailures, 0u);
  EXPECT_EQ(serverSink_.bad + clientSink_.bad, 0u);
  EXPECT_EQ(serverSink_.rtp, kWarmUp + kCounted);
  EXPECT_EQ(clientSink_.rtp, kWarmUp + kCounted);
  EXPECT_EQ(serverSink_.rtcp, (kWarmUp + kCounted) / 10);
  EXPECT_EQ(clientSink_.rtcp, (kWarmUp + kCounted) / 10);
  EXPECT_EQ(server_->stats().droppedSrtp + client_->stats().droppedSrtp, 0u);
  EXPECT_EQ(news, 0) << "operator new calls during " << kCounted << " packets each way";
  if (huddle::test::countsMalloc()) {
    EXPECT_EQ(mallocs, 0) << "malloc calls during " << kCounted << " packets each way";
  }
}

// The server answers each client packet from inside the mux's dispatch: its sends are queued
// in the mux's preallocated batch and leave through sendmmsg, still without allocating.
TEST_F(TransportAllocationTest, SendsBatchedInsideTheMuxDispatchAllocateNothing) {
  serverSink_.echo = server_.get();
  serverSink_.echoSsrc = kServerSsrc;
  std::uint16_t seq = 1;
  std::uint32_t sendFailures = 0;
  auto run = [&](std::uint32_t count) {
    const std::uint32_t target = clientSink_.rtp + count;
    for (std::uint32_t i = 0; i < count; ++i, ++seq) {
      const std::size_t length = writeRtp(buffer_, kClientSsrc, seq);
      sendFailures += client_->sendRtp(buffer_, length) ? 0 : 1;
    }
    return test::runUntil(io_, [&] { return clientSink_.rtp + clientSink_.bad >= target; });
  };
  ASSERT_TRUE(run(kWarmUp));
  const auto batchedBefore = mux_->stats().sendsBatched;

  huddle::test::resetAllocationCounts();
  huddle::test::setAllocationCounting(true);
  bool allArrived = true;
  for (std::uint32_t sent = 0; sent < kCounted; sent += kBatch) allArrived = run(kBatch) && allArrived;
  huddle::test::setAllocationCounting(false);
  const long news = huddle::test::operatorNewCalls();
  const long mallocs = huddle::test::mallocCalls();

  EXPECT_TRUE(allArrived);
  EXPECT_EQ(sendFailures, 0u);
  EXPECT_EQ(serverSink_.bad + clientSink_.bad, 0u);
  EXPECT_EQ(mux_->stats().sendsBatched - batchedBefore, kCounted);
  EXPECT_EQ(news, 0);
  if (huddle::test::countsMalloc()) {
    EXPECT_EQ(mallocs, 0);
  }
}

}  // namespace
}  // namespace huddle::rtc
