// PeerSession without a server: the RTP header it writes, the offers it makes as tracks come
// and go, and the answers it refuses.

#include "client/peer/peer_session.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "rtc/rtp/rtp_header_extensions.h"
#include "rtc/rtp/rtp_packet.h"

namespace huddle::client {
namespace {

TEST(WriteRtpHeader, WritesMidAndRidExtensions) {
  const std::string mid = "3";
  const std::string rid = "h";
  SendStreamParams p;
  p.ssrc = 0x01020304;
  p.payloadType = 96;
  p.midExtensionId = 4;
  p.ridExtensionId = 10;
  p.mid = mid;
  p.rid = rid;
  std::array<std::uint8_t, 64> b{};
  const std::size_t n = writeRtpHeader(p, SectionRtpHeader{513, 90000, true}, b);
  ASSERT_EQ(n, 20u);  // 12 + 4 + one word holding both elements (2 + 2 bytes)
  auto view = rtc::RtpPacketView::parse(std::span(b).first(n));
  ASSERT_TRUE(view);
  EXPECT_EQ(view->ssrc(), 0x01020304u);
  EXPECT_EQ(view->payloadType(), 96);
  EXPECT_EQ(view->sequenceNumber(), 513);
  EXPECT_EQ(view->timestamp(), 90000u);
  EXPECT_TRUE(view->marker());
  EXPECT_EQ(view->headerSize(), n);
  auto m = view->findExtension(4);
  ASSERT_TRUE(m);
  EXPECT_EQ(rtc::readMid(*m), "3");
  auto r = view->findExtension(10);
  ASSERT_TRUE(r);
  EXPECT_EQ(rtc::readRid(*r), "h");
}

TEST(WriteRtpHeader, PlainHeaderAndShortBuffer) {
  SendStreamParams p;
  p.ssrc = 7;
  p.payloadType = 111;
  std::array<std::uint8_t, 12> b{};
  EXPECT_EQ(writeRtpHeader(p, SectionRtpHeader{1, 2, false}, b), 12u);
  EXPECT_EQ(b[0], 0x80) << "no extension bit without extensions";
  const std::string mid = "0";
  p.mid = mid;
  p.midExtensionId = 4;
  EXPECT_EQ(writeRtpHeader(p, SectionRtpHeader{1, 2, false}, b), 0u) << "needs 20 bytes";
}

class Quiet final : public PeerSession::Listener {};

class PeerSessionOffline : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cert = rtc::DtlsCertificate::generate();
    ASSERT_TRUE(cert.ok());
    PeerSession::Options options;
    options.certificate = std::move(cert).value();
    auto created = PeerSession::create(io_, options, listener_);
    ASSERT_TRUE(created.ok()) << created.message();
    peer_ = std::move(created).value();
  }

  boost::asio::io_context io_;
  Quiet listener_;
  std::unique_ptr<PeerSession> peer_;
};

TEST_F(PeerSessionOffline, OffersKeepMidsAndBumpTheVersion) {
  peer_->addRecvTransceivers(1, 1);
  auto first = peer_->createOffer();
  ASSERT_TRUE(first.ok());
  auto mid = peer_->addSendTrack(SendTrackSpec{SectionKind::Video, "cid-1", "s", {"q", "h", "f"}, {}});
  ASSERT_TRUE(mid.ok());
  EXPECT_EQ(*mid, "3");
  auto second = peer_->createOffer();
  ASSERT_TRUE(second.ok());
  auto a = rtc::parseSdp(*first);
  auto b = rtc::parseSdp(*second);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->description.origin.sessionId, b->description.origin.sessionId);
  EXPECT_EQ(b->description.origin.sessionVersion, a->description.origin.sessionVersion + 1);
  ASSERT_EQ(a->description.media.size(), 3u);
  ASSERT_EQ(b->description.media.size(), 4u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(a->description.media[i].mid, b->description.media[i].mid);
  EXPECT_EQ(a->description.media[0].kind(), rtc::MediaKind::Application);
  const auto& video = b->description.media[3];
  EXPECT_EQ(video.direction, rtc::MediaDirection::SendOnly);
  EXPECT_EQ(video.simulcastSendLayers().size(), 3u);
  // Not negotiated yet: nothing may be sent.
  const SendStreamParams* p = peer_->sendParams(*mid, 2);
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(p->negotiated);
  EXPECT_EQ(p->rid, "f");
  EXPECT_NE(p->ssrc, 0u);
  EXPECT_NE(p->rtxSsrc, 0u);
  EXPECT_NE(p->ssrc, peer_->sendParams(*mid, 0)->ssrc);
  EXPECT_EQ(peer_->sendParams(*mid, 3), nullptr);
  std::array<std::uint8_t, 64> buffer{};
  const std::size_t n = writeRtpHeader(*p, SectionRtpHeader{}, buffer);
  EXPECT_FALSE(peer_->sendRtp(*mid, 2, buffer, n));
  EXPECT_EQ(peer_->stats().sendRefused, 1u);

  ASSERT_TRUE(peer_->removeSendTrack(*mid).ok());
  auto third = rtc::parseSdp(*peer_->createOffer());
  ASSERT_TRUE(third.ok());
  ASSERT_EQ(third->description.media.size(), 4u) << "a removed track keeps its section";
  EXPECT_EQ(third->description.media[3].direction, rtc::MediaDirection::Inactive);
  EXPECT_TRUE(third->description.media[3].ssrcs().empty());
  EXPECT_EQ(peer_->removeSendTrack("9").code(), PeerError::UnknownMid);
}

TEST_F(PeerSessionOffline, RefusesBadTracksAndAnswers) {
  EXPECT_EQ(peer_->addSendTrack(SendTrackSpec{SectionKind::Video, "", "s", {}, {}}).code(),
            PeerError::InvalidTrack);
  EXPECT_EQ(peer_->addSendTrack(SendTrackSpec{SectionKind::Video, "c", "s", {"q", "q"}, {}}).code(),
            PeerError::InvalidTrack);
  EXPECT_EQ(peer_->addSendTrack(SendTrackSpec{SectionKind::Audio, "c", "s", {"q", "h"}, {}}).code(),
            PeerError::InvalidTrack);
  // An answer before any offer.
  EXPECT_EQ(peer_->applyAnswer("v=0\r\n", {}).code(), PeerError::WrongState);
  ASSERT_TRUE(peer_->createOffer().ok());
  EXPECT_EQ(peer_->applyAnswer("not sdp", {}).code(), PeerError::BadDescription);
  EXPECT_EQ(peer_->stats().descriptionsRejected, 1u);
  // The offerer role takes no offers.
  EXPECT_EQ(peer_->applyRemoteOffer("v=0\r\n").code(), PeerError::WrongState);
  EXPECT_EQ(peer_->state(), rtc::TransportState::New);
}

// An answer written like a server's (recvonly for our send section, our payload types), with a
// candidate on a port nobody listens on: negotiation completes, ICE just never succeeds.
std::string answerTo(const std::string& offer, rtc::SdpSetup setup, bool withCandidate = true) {
  auto parsed = rtc::parseSdp(offer);
  EXPECT_TRUE(parsed.ok());
  AnswerParameters a;
  a.ice = rtc::IceCredentials{"srvufrag", "serverpasswordserverpassword"};
  for (std::size_t i = 0; i < a.fingerprint.digest.size(); ++i) a.fingerprint.digest[i] = static_cast<std::uint8_t>(i);
  if (withCandidate) {
    a.candidates.push_back({*rtc::StunAddress::fromString("127.0.0.1", 9), 2130706431, rtc::IceCandidateProtocol::Udp});
  }
  a.setup = setup;
  return writeAnswer(parsed->description, a);
}

TEST_F(PeerSessionOffline, AnswerNegotiatesSendParametersAndStartsTheTransport) {
  auto mid = peer_->addSendTrack(SendTrackSpec{SectionKind::Video, "cid-1", "s", {}, {}});
  ASSERT_TRUE(mid.ok());
  auto offer = peer_->createOffer();
  ASSERT_TRUE(offer.ok());

  // An answer with no candidate is refused.
  auto refused = peer_->applyAnswer(answerTo(*offer, rtc::SdpSetup::Passive, false), {});
  EXPECT_EQ(refused.code(), PeerError::Unsupported) << refused.message();
  EXPECT_EQ(peer_->stats().descriptionsRejected, 1u);
  EXPECT_EQ(peer_->state(), rtc::TransportState::New);

  ASSERT_TRUE(peer_->applyAnswer(answerTo(*offer, rtc::SdpSetup::Passive), {}).ok());
  EXPECT_EQ(peer_->state(), rtc::TransportState::Connecting);
  const SendStreamParams* p = peer_->sendParams(*mid);
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->negotiated);
  EXPECT_EQ(p->payloadType, kVp8PayloadType);
  EXPECT_EQ(p->rtxPayloadType, kVp8RtxPayloadType);
  EXPECT_EQ(p->clockRate, 90000u);
  EXPECT_EQ(p->midExtensionId, kExtIdMid);
  EXPECT_EQ(p->ridExtensionId, 0) << "one layer: no rid";
  EXPECT_EQ(p->mid, *mid);
  // A second answer to the same offer has nothing to answer.
  EXPECT_EQ(peer_->applyAnswer(answerTo(*offer, rtc::SdpSetup::Passive), {}).code(), PeerError::WrongState);
  // Sending before DTLS produced keys is refused by the transport and counted.
  std::array<std::uint8_t, 128> b{};
  const std::size_t n = writeRtpHeader(*p, SectionRtpHeader{1, 1, true}, b);
  EXPECT_FALSE(peer_->sendRtp(*mid, 0, b, n));
  EXPECT_EQ(peer_->stats().sendRefused, 1u);
  EXPECT_FALSE(peer_->sendData(DataChannelKind::Reliable, std::span<const std::uint8_t>(b.data(), 4)));
  peer_->close();
}

}  // namespace
}  // namespace huddle::client
