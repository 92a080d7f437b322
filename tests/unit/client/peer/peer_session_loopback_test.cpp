// A PeerSession against a bare Server-role WebRtcTransport on 127.0.0.1 playing the SFU, with
// an answer written by the test: every receive demux path (announced SSRC, mid extension,
// payload type of the only section using it, learnt SSRC), every feedback route and every drop
// counter, driven by packets the test chooses.

// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/peer/peer_session.h"
#include "rtc/rtp/rtcp_nack.h"
#include "rtc/rtp/rtcp_packet.h"
#include "rtc/rtp/rtcp_pli.h"
#include "rtc/rtp/rtcp_remb.h"
#include "rtc/rtp/rtcp_report.h"
#include "rtc/transport/udp_mux.h"

namespace huddle::client {
namespace {

using namespace std::chrono_literals;

constexpr std::uint32_t kAnnouncedSsrc = 0xAAAA0001;

struct Delivery {
  std::string mid;
  std::string trackSid;
  std::uint32_t ssrc = 0;
};

class Recorder final : public PeerSession::Listener {
 public:
  void onRemoteTrackRtp(PeerSession&, std::string_view mid, std::string_view trackSid,
                        std::span<std::uint8_t> p) override {
    const std::uint32_t ssrc = (std::uint32_t{p[8]} << 24) | (std::uint32_t{p[9]} << 16) |
                               (std::uint32_t{p[10]} << 8) | p[11];
    rtp.push_back(Delivery{std::string(mid), std::string(trackSid), ssrc});
  }
  void onSendFeedback(PeerSession&, const SendFeedback& f) override {
    feedback.push_back(f);
    feedbackMids.emplace_back(f.mid);
    if (f.nack != nullptr) nackItems += f.nack->itemCount();
  }
  void onReport(PeerSession&, const rtc::RtcpSenderReport* sr, const rtc::RtcpReceiverReport* rr) override {
    if (sr != nullptr) ++senderReports;
    if (rr != nullptr) ++receiverReports;
  }
  void onDataMessage(PeerSession&, std::string_view label, std::span<const std::uint8_t> data) override {
    messages.emplace_back(std::string(label) + ":" + std::string(data.begin(), data.end()));
  }

  std::vector<Delivery> rtp;
  std::vector<SendFeedback> feedback;  // pointers inside are stale after the call
  std::vector<std::string> feedbackMids;
  std::size_t nackItems = 0;
  int senderReports = 0;
  int receiverReports = 0;
  std::vector<std::string> messages;
};

class SfuSide final : public rtc::WebRtcTransport::Listener {
 public:
  void onTransportStateChanged(rtc::WebRtcTransport&, rtc::TransportState s) override { state = s; }
  void onRtpPacket(rtc::WebRtcTransport&, std::span<std::uint8_t>) override { ++rtp; }
  void onRtcpPacket(rtc::WebRtcTransport&, std::span<std::uint8_t>) override {}
  void onDataChannelOpen(rtc::WebRtcTransport&, std::uint16_t id, std::string_view label) override {
    if (label == kReliableLabel) reliableId = id;
  }
  rtc::TransportState state = rtc::TransportState::New;
  int rtp = 0;
  std::optional<std::uint16_t> reliableId;
};

class PeerSessionLoopback : public ::testing::Test {
 protected:
  void SetUp() override {
    auto mux = rtc::UdpMux::create(io_, "127.0.0.1");
    ASSERT_TRUE(mux) << mux.message();
    mux_ = std::move(mux).value();
    auto serverCert = rtc::DtlsCertificate::generate();
    auto clientCert = rtc::DtlsCertificate::generate();
    ASSERT_TRUE(serverCert && clientCert);
    rtc::WebRtcTransport::Options so;
    so.role = rtc::WebRtcTransportRole::Server;
    so.certificate = serverCert.value();
    so.mux = mux_.get();
    so.setup = serverSetup();
    auto server = rtc::WebRtcTransport::create(io_, so, sfu_);
    ASSERT_TRUE(server) << server.message();
    server_ = std::move(server).value();
    PeerSession::Options po;
    po.certificate = clientCert.value();
    auto peer = PeerSession::create(io_, po, recorder_);
    ASSERT_TRUE(peer) << peer.message();
    peer_ = std::move(peer).value();
  }

  // Unset: the SFU is the DTLS server and answers setup:passive.
  [[nodiscard]] virtual std::optional<rtc::DtlsSetup> serverSetup() const { return std::nullopt; }

  void TearDown() override {
    if (peer_) peer_->close();
    if (server_) server_->close();
    run([] { return false; }, 50ms);  // lets the closes go out; not a synchronisation
  }

  bool run(const std::function<bool()>& done, std::chrono::milliseconds bound = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io_.restart();
      io_.run_for(5ms);
    }
    return true;
  }

  // Sections: 0 data, 1 and 2 video slots, 3 audio slot, 4 our video. The SFU sends on 1 (SSRC
  // announced), 2 and 3 (msid only); section 4 it receives.
  void negotiate() {
    peer_->addRecvTransceivers(0, 2);
    peer_->addRecvTransceivers(1, 0);
    auto mid = peer_->addSendTrack(SendTrackSpec{SectionKind::Video, "cam", "s", {}, {}});
    ASSERT_TRUE(mid.ok());
    ASSERT_EQ(*mid, "4");
    auto offer = peer_->createOffer();
    ASSERT_TRUE(offer.ok());
    auto client = parseRemoteOffer(*offer);
    ASSERT_TRUE(client.ok()) << client.message();

    const rtc::TransportParameters local = server_->localParameters();
    AnswerParameters a;
    a.ice = local.ice;
    a.fingerprint = local.fingerprint;
    a.candidates = local.candidates;
    a.setup = local.setup == rtc::DtlsSetup::Active ? rtc::SdpSetup::Active : rtc::SdpSetup::Passive;
    auto parsedOffer = rtc::parseSdp(*offer);
    ASSERT_TRUE(parsedOffer.ok());
    auto answer = rtc::parseSdp(writeAnswer(parsedOffer->description, a));
    ASSERT_TRUE(answer.ok());
    auto& d = answer->description;
    d.iceLite = true;
    ASSERT_EQ(d.media.size(), 5u);
    auto sends = [&](std::size_t i, const std::string& trackSid) {
      auto& m = d.media[i];
      ASSERT_NE(m.port, 0) << i;
      m.direction = rtc::MediaDirection::SendOnly;
      m.msids.push_back(rtc::Msid{"PA_sfu|" + trackSid, trackSid});
    };
    sends(1, "TR_one");
    d.media[1].addSsrc(kAnnouncedSsrc, "sfu", rtc::Msid{"PA_sfu|TR_one", "TR_one"});
    sends(2, "TR_two");
    sends(3, "TR_three");
    EXPECT_EQ(d.media[4].direction, rtc::MediaDirection::RecvOnly);
    auto applied = peer_->applyAnswer(rtc::writeSdp(d), {{"2", "TR_two_mapped"}});
    ASSERT_TRUE(applied.ok()) << applied.message();

    server_->connect(client->transport);
    ASSERT_TRUE(run([&] {
      return peer_->state() == rtc::TransportState::Connected &&
             sfu_.state == rtc::TransportState::Connected && sfu_.reliableId.has_value();
    })) << "peer " << rtc::toString(peer_->state()) << " sfu " << rtc::toString(sfu_.state);
  }

  bool sfuRtp(std::uint32_t ssrc, std::uint8_t pt, std::optional<std::string> mid = {}, bool garbage = false) {
    std::array<std::uint8_t, 256> b{};
    std::size_t n = 0;
    b[n++] = mid ? 0x90 : 0x80;
    b[n++] = pt;
    b[n++] = 0;
    b[n++] = static_cast<std::uint8_t>(seq_++);
    for (int i = 0; i < 4; ++i) b[n++] = 0;
    for (int i = 3; i >= 0; --i) b[n++] = static_cast<std::uint8_t>(ssrc >> (8 * i));
    if (mid) {
      const std::size_t words = (1 + mid->size() + 3) / 4;
      for (std::uint8_t c : {std::uint8_t{0xBE}, std::uint8_t{0xDE}, std::uint8_t{0}, static_cast<std::uint8_t>(words)}) b[n++] = c;
      const std::size_t start = n;
      b[n++] = static_cast<std::uint8_t>((kExtIdMid << 4) | (mid->size() - 1));
      for (char c : *mid) b[n++] = static_cast<std::uint8_t>(c);
      while (n < start + words * 4) b[n++] = 0;
    }
    for (int i = 0; i < 20; ++i) b[n++] = 0x42;
    if (garbage) {
      b[0] |= 0x20;  // padding flag with a zero padding count: not RTP
      b[n - 1] = 0;
    }
    return server_->sendRtp(b, n);
  }

  bool sfuRtcp(std::span<const std::uint8_t> packet) {
    std::array<std::uint8_t, 256> b{};
    std::copy(packet.begin(), packet.end(), b.begin());
    return server_->sendRtcp(b, packet.size());
  }

  // Waits until `counter` moved past `before`.
  template <typename Counter>
  bool grows(Counter counter, std::uint64_t before) {
    return run([&] { return static_cast<std::uint64_t>(counter()) > before; });
  }

  boost::asio::io_context io_;
  std::unique_ptr<rtc::UdpMux> mux_;
  SfuSide sfu_;
  std::unique_ptr<rtc::WebRtcTransport> server_;
  Recorder recorder_;
  std::unique_ptr<PeerSession> peer_;
  std::uint16_t seq_ = 1;
};

TEST_F(PeerSessionLoopback, DemultiplexesByAnnouncedSsrcMidExtensionAndPayloadType) {
  ASSERT_NO_FATAL_FAILURE(negotiate());
  auto delivered = [&] { return recorder_.rtp.size(); };

  // Announced SSRC: section 1, track from the msid.
  ASSERT_TRUE(sfuRtp(kAnnouncedSsrc, 96));
  ASSERT_TRUE(grows(delivered, 0));
  EXPECT_EQ(recorder_.rtp.back().mid, "1");
  EXPECT_EQ(recorder_.rtp.back().trackSid, "TR_one");

  // Unannounced SSRC naming section 2 by the mid extension; mid_to_track_id wins over the msid.
  ASSERT_TRUE(sfuRtp(0xBBBB0002, 96, "2"));
  ASSERT_TRUE(grows(delivered, 1));
  EXPECT_EQ(recorder_.rtp.back().mid, "2");
  EXPECT_EQ(recorder_.rtp.back().trackSid, "TR_two_mapped");
  // Later packets of that SSRC need no extension: it was learnt.
  ASSERT_TRUE(sfuRtp(0xBBBB0002, 96));
  ASSERT_TRUE(grows(delivered, 2));
  EXPECT_EQ(recorder_.rtp.back().mid, "2");

  // Opus is only on section 3.
  ASSERT_TRUE(sfuRtp(0xCCCC0003, 111));
  ASSERT_TRUE(grows(delivered, 3));
  EXPECT_EQ(recorder_.rtp.back().mid, "3");
  EXPECT_EQ(recorder_.rtp.back().trackSid, "TR_three");

  // VP8 without a mid and an unknown SSRC: two sections could take it.
  const auto unknown = [&] { return peer_->stats().rtpUnknownStream; };
  ASSERT_TRUE(sfuRtp(0xDDDD0004, 96));
  ASSERT_TRUE(grows(unknown, 0));
  // A mid no section has, then a payload type nobody negotiated.
  ASSERT_TRUE(sfuRtp(0xDDDD0005, 96, "9"));
  ASSERT_TRUE(grows(unknown, 1));
  ASSERT_TRUE(sfuRtp(0xDDDD0006, 100));
  ASSERT_TRUE(grows(unknown, 2));
  // Our own send section is not a receiving one, even by mid.
  const auto inactive = [&] { return peer_->stats().rtpInactiveSection; };
  ASSERT_TRUE(sfuRtp(0xDDDD0007, 96, "4"));
  ASSERT_TRUE(grows(inactive, 0));
  // Decrypts but is not RTP.
  const auto unparsed = [&] { return peer_->stats().rtpUnparsed; };
  ASSERT_TRUE(sfuRtp(kAnnouncedSsrc, 96, std::nullopt, true));
  ASSERT_TRUE(grows(unparsed, 0));

  // Nothing bad was delivered, and good packets still are.
  ASSERT_TRUE(sfuRtp(kAnnouncedSsrc, 96));
  ASSERT_TRUE(grows(delivered, 4));
  EXPECT_EQ(recorder_.rtp.size(), 5u);
  EXPECT_EQ(peer_->stats().rtpDelivered, 5u);
  EXPECT_EQ(peer_->stats().rtpUnknownStream, 3u);
  EXPECT_EQ(peer_->stats().rtpInactiveSection, 1u);
  EXPECT_EQ(peer_->stats().rtpUnparsed, 1u);
}

TEST_F(PeerSessionLoopback, RoutesFeedbackAndReportsAndCountsBadRtcp) {
  ASSERT_NO_FATAL_FAILURE(negotiate());
  const SendStreamParams* p = peer_->sendParams("4");
  ASSERT_NE(p, nullptr);
  ASSERT_TRUE(p->negotiated);
  auto fed = [&] { return recorder_.feedback.size(); };
  std::array<std::uint8_t, 128> b{};

  std::size_t n = rtc::RtcpPli{1, p->ssrc}.build(b);
  ASSERT_TRUE(sfuRtcp(std::span(b).first(n)));
  ASSERT_TRUE(grows(fed, 0));
  EXPECT_EQ(recorder_.feedback.back().type, SendFeedbackType::Pli);
  EXPECT_EQ(recorder_.feedbackMids.back(), "4");
  EXPECT_EQ(recorder_.feedback.back().layer, 0);
  EXPECT_FALSE(recorder_.feedback.back().aboutRtx);

  const std::array<rtc::NackItem, 2> items{rtc::NackItem{10, 0}, rtc::NackItem{40, 1}};
  n = rtc::RtcpNack::build(1, p->rtxSsrc, items, b);
  ASSERT_GT(n, 0u);
  ASSERT_TRUE(sfuRtcp(std::span(b).first(n)));
  ASSERT_TRUE(grows(fed, 1));
  EXPECT_EQ(recorder_.feedback.back().type, SendFeedbackType::Nack);
  EXPECT_TRUE(recorder_.feedback.back().aboutRtx);
  EXPECT_EQ(recorder_.nackItems, 2u);

  const std::array<std::uint32_t, 1> ssrcs{p->ssrc};
  n = rtc::RtcpRemb::build(1, 750'000, ssrcs, b);
  ASSERT_GT(n, 0u);
  ASSERT_TRUE(sfuRtcp(std::span(b).first(n)));
  ASSERT_TRUE(grows(fed, 2));
  EXPECT_EQ(recorder_.feedback.back().type, SendFeedbackType::Remb);
  EXPECT_EQ(recorder_.feedbackMids.back(), "4");
  EXPECT_GT(recorder_.feedback.back().rembBitrateBps, 700'000u);
  EXPECT_LE(recorder_.feedback.back().rembBitrateBps, 750'000u);

  // A compound: receiver report then a PLI for an SSRC we do not send.
  rtc::RtcpReceiverReport rr;
  rr.ssrc = 1;
  rr.reports.push(rtc::ReportBlock{p->ssrc, 0, 0, 100, 0, 0, 0});
  std::size_t used = rr.build(b);
  ASSERT_GT(used, 0u);
  used += rtc::RtcpPli{1, 0x0badbeef}.build(std::span(b).subspan(used));
  ASSERT_TRUE(sfuRtcp(std::span(b).first(used)));
  const auto unknownSsrc = [&] { return peer_->stats().rtcpUnknownSsrc; };
  ASSERT_TRUE(grows(unknownSsrc, 0));
  EXPECT_EQ(recorder_.receiverReports, 1);
  EXPECT_EQ(recorder_.feedback.size(), 3u) << "the unknown PLI reached nobody";

  // A header whose length runs past the datagram.
  const std::array<std::uint8_t, 8> broken{0x81, 201, 0x00, 0x40, 0, 0, 0, 1};
  ASSERT_TRUE(sfuRtcp(broken));
  const auto malformed = [&] { return peer_->stats().rtcpMalformed; };
  ASSERT_TRUE(grows(malformed, 0));
  EXPECT_EQ(recorder_.feedback.size(), 3u);
}

TEST_F(PeerSessionLoopback, DataChannelsBothWays) {
  ASSERT_NO_FATAL_FAILURE(negotiate());
  ASSERT_TRUE(run([&] { return peer_->dataChannelOpen(kReliableLabel) && peer_->dataChannelOpen(kLossyLabel); }));
  const std::string text = "ping";
  ASSERT_TRUE(server_->sendData(*sfu_.reliableId,
                                std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())));
  ASSERT_TRUE(run([&] { return !recorder_.messages.empty(); }));
  EXPECT_EQ(recorder_.messages.back(), "_reliable:ping");
  EXPECT_FALSE(peer_->sendData("_nope", std::span(reinterpret_cast<const std::uint8_t*>(text.data()), 1)));
  EXPECT_TRUE(peer_->sendData(DataChannelKind::Lossy, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())));
}

// The SFU answers setup:active the way pion does: it is the DTLS client, so the peer's transport
// must become the DTLS server; the answer is accepted and media and data flow as before.
class PeerSessionLoopbackActiveAnswer : public PeerSessionLoopback {
 protected:
  [[nodiscard]] std::optional<rtc::DtlsSetup> serverSetup() const override {
    return rtc::DtlsSetup::Active;
  }
};

TEST_F(PeerSessionLoopbackActiveAnswer, ConnectsAsDtlsServerAndCarriesMediaAndData) {
  ASSERT_NO_FATAL_FAILURE(negotiate());
  EXPECT_EQ(peer_->stats().descriptionsRejected, 0u);
  ASSERT_TRUE(sfuRtp(kAnnouncedSsrc, 96));
  ASSERT_TRUE(run([&] { return !recorder_.rtp.empty(); }));
  EXPECT_EQ(recorder_.rtp.back().ssrc, kAnnouncedSsrc);
  ASSERT_TRUE(run([&] { return peer_->dataChannelOpen(kReliableLabel); }));
  const std::string text = "pong";
  ASSERT_TRUE(server_->sendData(*sfu_.reliableId,
                                std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())));
  ASSERT_TRUE(run([&] { return !recorder_.messages.empty(); }));
  EXPECT_EQ(recorder_.messages.back(), "_reliable:pong");
}

}  // namespace
}  // namespace huddle::client
