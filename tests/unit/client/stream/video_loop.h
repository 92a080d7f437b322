#pragma once
// Test support: a VP8 sender and receiver joined by simulated paths, with NACK and PLI fed back
// from the receiver to the sender, real libvpx encode and decode, and the test pattern's frame
// counter read back from every decoded picture.

#include <memory>
#include <optional>
#include <vector>

#include <gtest/gtest.h>

#include "client/stream/rtp_send_stream.h"
#include "client/stream/video_receive_stream.h"
#include "media/synthetic_sources.h"
#include "media/vp8_decoder.h"
#include "media/vp8_encoder.h"
#include "rtc/rtp/rtcp_fir.h"
#include "rtc/rtp/rtcp_nack.h"
#include "rtc/rtp/rtcp_packet.h"
#include "rtc/rtp/rtcp_pli.h"
#include "sim_network.h"

namespace huddle::client::test {

struct VideoLoopOptions {
  PathConfig forward;
  PathConfig back;
  bool rtx = true;
  std::uint16_t firstSequence = 0;
  std::size_t maxPayloadSize = 120;  // several packets per frame: the pattern codes small
  std::uint32_t seed = 1;
};

class VideoLoop : public RtpSendStream::Listener, public VideoReceiveStream::Listener {
 public:
  static constexpr std::uint32_t kSsrc = 0x1111;
  static constexpr std::uint32_t kRtxSsrc = 0x2222;

  explicit VideoLoop(const VideoLoopOptions& options)
      : forward(options.forward, options.seed), back(options.back, options.seed + 1000) {
    auto enc = media::Vp8Encoder::create({.width = 320, .height = 180, .fps = 30, .targetBitrateKbps = 400});
    auto dec = media::Vp8Decoder::create();
    EXPECT_TRUE(enc && dec);
    encoder = std::move(*enc);
    decoder = std::move(*dec);
    RtpSendStreamConfig sc;
    sc.ssrc = kSsrc;
    if (options.rtx) {
      sc.rtxSsrc = kRtxSsrc;
    }
    sc.extensions = {.mid = 1, .rid = 0, .repairedRid = 0, .transportCc = 3, .absSendTime = 2, .audioLevel = 0};
    sc.mid = "0";
    sc.maxPayloadSize = options.maxPayloadSize;
    sc.firstSequence = options.firstSequence;
    sc.firstRtxSequence = static_cast<std::uint16_t>(options.firstSequence + 1000);
    auto s = RtpSendStream::create(sc, *this);
    EXPECT_TRUE(s);
    sender = std::move(*s);
    VideoReceiveStreamConfig rc;
    rc.ssrc = kSsrc;
    if (options.rtx) {
      rc.rtxSsrc = kRtxSsrc;
    }
    receiver = std::make_unique<VideoReceiveStream>(rc, *this);
    const auto rtt = options.forward.delay + options.forward.jitter + options.back.delay + options.back.jitter;
    sender->setRtt(rtt);
    receiver->setRtt(rtt);
  }

  void onRtpSendStreamPacket(RtpSendStream& /*stream*/, RtpOutgoingPacket& packet) override {
    EXPECT_GE(packet.tailroom, RtpSendStream::kTailroom);
    forward.send(packet.bytes, now);
  }
  void onRtpSendStreamKeyframeRequest(RtpSendStream& /*stream*/) override { encoder->requestKeyframe(); }

  void onVideoReceiveStreamFrame(VideoReceiveStream& stream, const media::Vp8AssembledFrame& frame) override {
    auto image = decoder->decode(frame.data, frame.timestamp);
    if (!image) {
      ++decodeErrors;
      stream.requestKeyframe();
      return;
    }
    if (const auto counter = media::readFrameCounter(*image)) {
      decoded.push_back(*counter);
      decodedAt.push_back(now);
    }
  }
  void onVideoReceiveStreamRtcp(VideoReceiveStream& /*stream*/, std::span<const std::uint8_t> rtcp) override {
    back.send(rtcp, now);
  }

  void feedback(std::span<const std::uint8_t> bytes) {
    for (const rtc::RtcpPacket& packet : rtc::RtcpCompound(bytes)) {
      nacksReceived += rtc::RtcpNack::parse(packet) ? 1 : 0;
      plisReceived += rtc::RtcpPli::parse(packet) ? 1 : 0;
      EXPECT_TRUE(sender->handleRtcp(packet, now));
    }
  }

  // Sends `frames` frames at 30 fps, then lets `tail` pass for repairs; 1 ms steps.
  void run(int frames, std::chrono::milliseconds tail) {
    const auto frameInterval = std::chrono::microseconds(1000000 / 30);
    const StreamTime end = now + frameInterval * frames + tail;
    int sentFrames = 0;
    StreamTime nextFrame = now;
    StreamTime nextTick = now;
    for (int step = 0; step < 100000 && now < end; ++step) {
      if (sentFrames < frames && now >= nextFrame) {
        pattern.next(picture);
        auto encoded = encoder->encode(picture);
        ASSERT_TRUE(encoded);
        if (!encoded->data.empty()) {
          ASSERT_TRUE(sender->sendVideoFrame(encoded->data, encoded->keyframe, picture.rtpTimestamp(), now));
          sent.push_back(static_cast<std::uint16_t>(pattern.framesProduced() - 1));
          keyframesSent += encoded->keyframe ? 1 : 0;
        }
        ++sentFrames;
        nextFrame += frameInterval;
      }
      forward.deliver(now, [&](std::span<std::uint8_t> p) { receiver->onRtp(p, now); });
      back.deliver(now, [&](std::span<std::uint8_t> p) { feedback(p); });
      if (now >= nextTick) {
        receiver->tick(now);
        nextTick += std::chrono::milliseconds(5);
      }
      now += std::chrono::milliseconds(1);
    }
  }

  [[nodiscard]] bool decodedMonotonic() const {
    for (std::size_t i = 1; i < decoded.size(); ++i) {
      if (decoded[i] <= decoded[i - 1]) {
        return false;
      }
    }
    return true;
  }

  StreamTime now{std::chrono::seconds(1000)};
  SimPath forward;
  SimPath back;
  std::unique_ptr<media::Vp8Encoder> encoder;
  std::unique_ptr<media::Vp8Decoder> decoder;
  std::unique_ptr<RtpSendStream> sender;
  std::unique_ptr<VideoReceiveStream> receiver;
  media::TestPatternSource pattern{320, 180, 30};
  media::VideoFrame picture;
  std::vector<std::uint16_t> sent;
  std::vector<std::uint16_t> decoded;
  std::vector<StreamTime> decodedAt;
  int decodeErrors = 0;
  int nacksReceived = 0;
  int plisReceived = 0;
  int keyframesSent = 0;
};

}  // namespace huddle::client::test
