// RtpSendStream on its own: headers and extensions as written, the history answering NACKs
// (RTX with OSN and repaired rid, or the original), the per-packet resend limit, keyframe
// requests, and the sender report's NTP/RTP mapping.

#include <array>
#include <vector>

#include <gtest/gtest.h>

#include "client/stream/rtp_send_stream.h"
#include "client/stream/video_receive_stream.h"
#include "rtc/rtp/byte_io.h"
#include "rtc/rtp/rtcp_fir.h"
#include "rtc/rtp/rtcp_nack.h"
#include "rtc/rtp/rtcp_pli.h"
#include "rtc/rtp/rtp_header_extensions.h"
#include "rtc/rtp/rtp_packet.h"
#include "rtc/rtp/rtx.h"

namespace huddle::client {
namespace {

using namespace std::chrono_literals;

struct Capture : RtpSendStream::Listener {
  void onRtpSendStreamPacket(RtpSendStream& /*stream*/, RtpOutgoingPacket& packet) override {
    packets.emplace_back(packet.bytes.begin(), packet.bytes.end());
    retransmission.push_back(packet.retransmission);
    tailroom.push_back(packet.tailroom);
  }
  void onRtpSendStreamKeyframeRequest(RtpSendStream& /*stream*/) override { ++keyframeRequests; }
  std::vector<std::vector<std::uint8_t>> packets;
  std::vector<bool> retransmission;
  std::vector<std::size_t> tailroom;
  int keyframeRequests = 0;
};

// A frame whose first byte says keyframe to the VP8 payload header check (P bit clear).
std::vector<std::uint8_t> fakeFrame(std::size_t size, bool keyframe) {
  std::vector<std::uint8_t> frame(size);
  for (std::size_t i = 0; i < size; ++i) {
    frame[i] = static_cast<std::uint8_t>(i * 7 + 3);
  }
  frame[0] = keyframe ? 0x10 : 0x11;
  return frame;
}

RtpSendStreamConfig videoConfig() {
  RtpSendStreamConfig c;
  c.ssrc = 0xAABBCCDD;
  c.rtxSsrc = 0x11223344;
  c.payloadType = 96;
  c.rtxPayloadType = 97;
  c.extensions = {.mid = 1, .rid = 10, .repairedRid = 11, .transportCc = 3, .absSendTime = 2, .audioLevel = 0};
  c.mid = "v0";
  c.rid = "f";
  c.maxPayloadSize = 500;
  c.firstSequence = 100;
  c.firstRtxSequence = 7000;
  return c;
}

const StreamTime kT0{std::chrono::seconds(50)};

TEST(RtpSendStream, WritesHeadersExtensionsAndMarker) {
  Capture capture;
  TransportSequencer twcc;
  auto config = videoConfig();
  config.transportSequencer = &twcc;
  auto stream = RtpSendStream::create(config, capture);
  ASSERT_TRUE(stream);
  const auto frame = fakeFrame(1200, true);
  ASSERT_TRUE((*stream)->sendVideoFrame(frame, true, 90000, kT0));
  ASSERT_EQ(capture.packets.size(), 3u);
  std::size_t payloadBytes = 0;
  for (std::size_t i = 0; i < capture.packets.size(); ++i) {
    auto view = rtc::RtpPacketView::parse(capture.packets[i]);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->ssrc(), 0xAABBCCDDu);
    EXPECT_EQ(view->payloadType(), 96);
    EXPECT_EQ(view->sequenceNumber(), 100 + i);
    EXPECT_EQ(view->timestamp(), 90000u);
    EXPECT_EQ(view->marker(), i == 2);
    EXPECT_EQ(view->extensionForm(), rtc::RtpExtensionForm::OneByte);
    EXPECT_EQ(rtc::readMid(*view->findExtension(1)), "v0");
    EXPECT_EQ(rtc::readRid(*view->findExtension(10)), "f");
    EXPECT_FALSE(view->findExtension(11));
    EXPECT_EQ(rtc::readTransportWideSeq(*view->findExtension(3)), 1 + i);
    EXPECT_EQ(rtc::readAbsSendTime(*view->findExtension(2)), absSendTime24(toMicros(kT0)));
    EXPECT_GE(capture.tailroom[i], RtpSendStream::kTailroom);
    EXPECT_FALSE(capture.retransmission[i]);
    payloadBytes += view->payload().size();
  }
  EXPECT_EQ((*stream)->stats().packets, 3u);
  EXPECT_EQ((*stream)->stats().payloadOctets, payloadBytes);
  EXPECT_EQ(twcc.next(), 4) << "the shared transport sequence advanced once per packet";
}

TEST(RtpSendStream, AudioCarriesLevelAndMarksFirstPacket) {
  Capture capture;
  RtpSendStreamConfig c;
  c.kind = MediaKind::Audio;
  c.ssrc = 5;
  c.payloadType = 111;
  c.clockRate = 48000;
  c.extensions = {.mid = 1, .audioLevel = 4};
  c.mid = "a";
  auto stream = RtpSendStream::create(c, capture);
  ASSERT_TRUE(stream);
  const std::vector<std::uint8_t> opus(80, 0x5A);
  ASSERT_TRUE((*stream)->sendAudioFrame(opus, 960, 30, true, kT0));
  ASSERT_TRUE((*stream)->sendAudioFrame(opus, 1920, 127, false, kT0 + 20ms));
  EXPECT_FALSE((*stream)->sendVideoFrame(opus, false, 0, kT0));
  ASSERT_EQ(capture.packets.size(), 2u);
  auto first = rtc::RtpPacketView::parse(capture.packets[0]);
  auto second = rtc::RtpPacketView::parse(capture.packets[1]);
  ASSERT_TRUE(first && second);
  EXPECT_TRUE(first->marker());
  EXPECT_FALSE(second->marker());
  EXPECT_EQ(rtc::readAudioLevel(*first->findExtension(4)), (rtc::AudioLevel{true, 30}));
  EXPECT_EQ(rtc::readAudioLevel(*second->findExtension(4)), (rtc::AudioLevel{false, 127}));
  EXPECT_EQ(first->payload().size(), 80u);
}

TEST(RtpSendStream, NackResendsAsRtxWithOsnAndRepairedRid) {
  Capture capture;
  auto stream = RtpSendStream::create(videoConfig(), capture);
  ASSERT_TRUE(stream);
  const auto frame = fakeFrame(1200, true);
  ASSERT_TRUE((*stream)->sendVideoFrame(frame, true, 1234, kT0));
  const std::vector<std::uint8_t> original = capture.packets[1];
  const std::uint16_t lost[] = {101};
  (*stream)->onNack(lost, kT0 + 30ms);
  ASSERT_EQ(capture.packets.size(), 4u);
  EXPECT_TRUE(capture.retransmission[3]);
  auto rtx = rtc::RtpPacketView::parse(capture.packets[3]);
  auto orig = rtc::RtpPacketView::parse(const_cast<std::vector<std::uint8_t>&>(original));
  ASSERT_TRUE(rtx && orig);
  EXPECT_EQ(rtx->ssrc(), 0x11223344u);
  EXPECT_EQ(rtx->payloadType(), 97);
  EXPECT_EQ(rtx->sequenceNumber(), 7000);
  EXPECT_EQ(rtx->timestamp(), 1234u);
  EXPECT_EQ(rtc::readRtxOriginalSeq(*rtx), 101);
  EXPECT_FALSE(rtx->findExtension(10)) << "RTX names its layer with repaired-rid only";
  EXPECT_EQ(rtc::readRepairedRid(*rtx->findExtension(11)), "f");
  const auto rtxPayload = rtx->payload().subspan(2);
  EXPECT_TRUE(std::equal(rtxPayload.begin(), rtxPayload.end(), orig->payload().begin(), orig->payload().end()));
  EXPECT_EQ((*stream)->stats().retransmittedPackets, 1u);
}

TEST(RtpSendStream, NackWithoutRtxResendsTheOriginalOncePerRtt) {
  Capture capture;
  auto config = videoConfig();
  config.rtxSsrc.reset();
  auto stream = RtpSendStream::create(config, capture);
  ASSERT_TRUE(stream);
  (*stream)->setRtt(100ms);
  ASSERT_TRUE((*stream)->sendVideoFrame(fakeFrame(1200, true), true, 1, kT0));
  const std::uint16_t lost[] = {102, 102, 9999};
  (*stream)->onNack(lost, kT0 + 10ms);
  ASSERT_EQ(capture.packets.size(), 4u) << "one resend: the repeat inside one NACK is limited";
  auto resent = rtc::RtpPacketView::parse(capture.packets[3]);
  auto first = rtc::RtpPacketView::parse(capture.packets[2]);
  ASSERT_TRUE(resent && first);
  EXPECT_EQ(resent->ssrc(), config.ssrc);
  EXPECT_EQ(resent->sequenceNumber(), 102);
  EXPECT_TRUE(resent->marker());
  EXPECT_TRUE(std::ranges::equal(resent->payload(), first->payload()));
  EXPECT_EQ((*stream)->stats().nackRateLimited, 1u);
  EXPECT_EQ((*stream)->stats().nackNotInHistory, 1u);
  const std::uint16_t again[] = {102};
  (*stream)->onNack(again, kT0 + 50ms);
  EXPECT_EQ(capture.packets.size(), 4u) << "within an RTT of the last resend";
  (*stream)->onNack(again, kT0 + 120ms);
  EXPECT_EQ(capture.packets.size(), 5u) << "an RTT later the retry is honoured";
  (*stream)->onNack(again, kT0 + 1500ms);
  EXPECT_EQ(capture.packets.size(), 5u) << "older than the history's age";
  EXPECT_EQ((*stream)->stats().nackNotInHistory, 2u);
}

TEST(RtpSendStream, HistoryForgetsPacketsOverwrittenByNewer) {
  Capture capture;
  auto config = videoConfig();
  config.historyPackets = 16;
  auto stream = RtpSendStream::create(config, capture);
  ASSERT_TRUE(stream);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE((*stream)->sendVideoFrame(fakeFrame(1200, i == 0), i == 0, static_cast<std::uint32_t>(i * 3000),
                                          kT0 + std::chrono::milliseconds(i)));
  }
  const std::size_t sent = capture.packets.size();
  ASSERT_EQ(sent, 30u);
  const std::uint16_t oldest[] = {100};
  const std::uint16_t newest[] = {static_cast<std::uint16_t>(100 + sent - 1)};
  (*stream)->onNack(oldest, kT0 + 20ms);
  EXPECT_EQ(capture.packets.size(), sent);
  (*stream)->onNack(newest, kT0 + 20ms);
  EXPECT_EQ(capture.packets.size(), sent + 1);
}

TEST(RtpSendStream, PliAndFirRaiseKeyframeRequest) {
  Capture capture;
  auto stream = RtpSendStream::create(videoConfig(), capture);
  ASSERT_TRUE(stream);
  EXPECT_FALSE((*stream)->takeKeyframeRequest());
  (*stream)->onPli();
  EXPECT_TRUE((*stream)->takeKeyframeRequest());
  EXPECT_FALSE((*stream)->takeKeyframeRequest());
  (*stream)->onFir();
  EXPECT_TRUE((*stream)->takeKeyframeRequest());
  EXPECT_EQ(capture.keyframeRequests, 2);
  EXPECT_EQ((*stream)->stats().keyframeRequests, 2u);
}

TEST(RtpSendStream, SenderReportMapsNtpToRtpTime) {
  Capture capture;
  auto config = videoConfig();
  config.ntpAnchor = {kT0, std::uint64_t{3900000000} << 32};
  auto stream = RtpSendStream::create(config, capture);
  ASSERT_TRUE(stream);
  ASSERT_TRUE((*stream)->sendVideoFrame(fakeFrame(700, true), true, 4000000000u, kT0 + 10ms));
  const auto sr = (*stream)->makeSenderReport(kT0 + 260ms);
  EXPECT_EQ(sr.ssrc, config.ssrc);
  // 260 ms after the anchor: 0.26 * 2^32 in the fraction.
  EXPECT_EQ(sr.ntpTimestamp, (std::uint64_t{3900000000} << 32) + (std::uint64_t{26} << 32) / 100);
  // 250 ms after the frame's timestamp at 90 kHz, wrapping past 2^32.
  EXPECT_EQ(sr.rtpTimestamp, static_cast<std::uint32_t>(4000000000u + 22500u));
  EXPECT_EQ(sr.packetCount, 2u);
  EXPECT_EQ(sr.octetCount, (*stream)->stats().payloadOctets);

  // The receiver echoes it: LSR is the middle 32 bits, DLSR the wait in 1/65536 s.
  struct Sink : VideoReceiveStream::Listener {
    void onVideoReceiveStreamFrame(VideoReceiveStream&, const media::Vp8AssembledFrame&) override {}
    void onVideoReceiveStreamRtcp(VideoReceiveStream&, std::span<const std::uint8_t>) override {}
  } sink;
  VideoReceiveStreamConfig rc;
  rc.ssrc = config.ssrc;
  rc.rtxSsrc = config.rtxSsrc;
  VideoReceiveStream receiver(rc, sink);
  EXPECT_FALSE(receiver.makeReportBlock(kT0)) << "nothing to report before a packet";
  receiver.onRtp(capture.packets[0], kT0 + 20ms);
  receiver.onSenderReport(sr, kT0 + 300ms);
  const auto block = receiver.makeReportBlock(kT0 + 800ms);
  ASSERT_TRUE(block);
  EXPECT_EQ(block->ssrc, config.ssrc);
  EXPECT_EQ(block->lastSr, static_cast<std::uint32_t>(sr.ntpTimestamp >> 16));
  EXPECT_EQ(block->delaySinceLastSr, 32768u);
  EXPECT_EQ(block->extendedHighestSeq, 100u);

  // Back at the sender 30 ms later: RTT = 830 - 260 - 500 = 70 ms.
  rtc::RtcpReceiverReport rr;
  rr.ssrc = 1;
  rr.reports.push(*block);
  std::array<std::uint8_t, 64> bytes{};
  const std::size_t n = rr.build(bytes);
  ASSERT_GT(n, 0u);
  const auto packet = rtc::parseRtcpPacket(std::span<const std::uint8_t>(bytes.data(), n));
  ASSERT_TRUE(packet);
  EXPECT_TRUE((*stream)->handleRtcp(*packet, kT0 + 830ms));
  ASSERT_TRUE((*stream)->measuredRtt());
  EXPECT_NEAR(static_cast<double>((*stream)->measuredRtt()->count()), 70000.0, 100.0);
  ASSERT_TRUE((*stream)->lastReportBlock());
  EXPECT_EQ((*stream)->lastReportBlock()->extendedHighestSeq, 100u);
}

TEST(RtpSendStream, HandleRtcpDispatchesFeedbackForItsSsrcOnly) {
  Capture capture;
  auto config = videoConfig();
  config.rtxSsrc.reset();
  auto stream = RtpSendStream::create(config, capture);
  ASSERT_TRUE(stream);
  ASSERT_TRUE((*stream)->sendVideoFrame(fakeFrame(1200, true), true, 1, kT0));
  std::array<std::uint8_t, 64> bytes{};
  auto dispatch = [&](std::size_t n) {
    const auto packet = rtc::parseRtcpPacket(std::span<const std::uint8_t>(bytes.data(), n));
    EXPECT_TRUE(packet);
    return packet && (*stream)->handleRtcp(*packet, kT0 + 10ms);
  };
  const std::uint16_t seqs[] = {101};
  EXPECT_FALSE(dispatch(rtc::RtcpNack::buildFromSeqs(1, 0x999, seqs, bytes)));
  EXPECT_EQ(capture.packets.size(), 3u);
  EXPECT_TRUE(dispatch(rtc::RtcpNack::buildFromSeqs(1, config.ssrc, seqs, bytes)));
  EXPECT_EQ(capture.packets.size(), 4u);
  EXPECT_FALSE(dispatch(rtc::RtcpPli{1, 0x999}.build(bytes)));
  EXPECT_TRUE(dispatch(rtc::RtcpPli{1, config.ssrc}.build(bytes)));
  const rtc::FirEntry other[] = {{0x999, 1}};
  const rtc::FirEntry ours[] = {{0x999, 1}, {config.ssrc, 2}};
  EXPECT_FALSE(dispatch(rtc::RtcpFir::build(1, other, bytes)));
  EXPECT_TRUE(dispatch(rtc::RtcpFir::build(1, ours, bytes)));
  EXPECT_EQ(capture.keyframeRequests, 2);
  // Plain resends count in the sender report: they went out on the media SSRC.
  EXPECT_EQ((*stream)->makeSenderReport(kT0 + 20ms).packetCount, 4u);
}

TEST(RtpSendStream, RejectsBadConfigAndFrames) {
  Capture capture;
  auto c = videoConfig();
  c.extensions.mid = 15;
  EXPECT_FALSE(RtpSendStream::create(c, capture));
  c = videoConfig();
  c.mid = std::string(17, 'm');
  EXPECT_FALSE(RtpSendStream::create(c, capture));
  c = videoConfig();
  c.rtxSsrc = c.ssrc;
  EXPECT_FALSE(RtpSendStream::create(c, capture));
  c = videoConfig();
  c.maxPayloadSize = 1490;
  EXPECT_FALSE(RtpSendStream::create(c, capture));
  auto stream = RtpSendStream::create(videoConfig(), capture);
  ASSERT_TRUE(stream);
  EXPECT_FALSE((*stream)->sendVideoFrame({}, false, 0, kT0));
  EXPECT_FALSE((*stream)->sendAudioFrame(std::vector<std::uint8_t>(10), 0, 0, false, kT0));
  EXPECT_TRUE(capture.packets.empty());
}

}  // namespace
}  // namespace huddle::client
