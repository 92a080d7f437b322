// Once warm, the per-packet paths allocate nothing: send (packetize, header, history), the
// receive path (parse, reorder buffer, depacketizer, NACK/PLI building) with loss and
// retransmission, and audio receive (jitter buffer, Opus decode/PLC, pull). Its own binary: it
// links the counting allocator.

#include <array>
#include <memory>

#include <gtest/gtest.h>

#include "client/stream/audio_receive_stream.h"
#include "client/stream/rtp_send_stream.h"
#include "client/stream/video_receive_stream.h"
#include "counting_allocator.h"
#include "media/opus_codec.h"
#include "media/synthetic_sources.h"
#include "rtc/rtp/rtcp_nack.h"
#include "rtc/rtp/rtcp_packet.h"
#include "rtc/rtp/rtcp_pli.h"

namespace huddle::client {
namespace {

using namespace std::chrono_literals;

// A fixed ring of in-flight packets, delivered one step late with every 17th packet dropped
// and pairs swapped: loss and reordering without the heap.
class FixedPath {
 public:
  void send(std::span<const std::uint8_t> bytes) {
    if (++counter_ % 17 == 0 || bytes.size() > kSize) {
      return;
    }
    Item& item = items_[(head_ + count_) % kItems];
    std::copy(bytes.begin(), bytes.end(), item.bytes.begin());
    item.size = bytes.size();
    count_ = count_ < kItems ? count_ + 1 : count_;
  }
  template <typename F>
  void deliver(F&& f) {
    if (count_ >= 2 && counter_ % 5 == 0) {
      std::swap(items_[head_], items_[(head_ + 1) % kItems]);
    }
    while (count_ > 0) {
      Item& item = items_[head_];
      f(std::span<std::uint8_t>(item.bytes.data(), item.size));
      head_ = (head_ + 1) % kItems;
      --count_;
    }
  }

 private:
  static constexpr std::size_t kSize = 1600;
  static constexpr std::size_t kItems = 64;
  struct Item {
    std::array<std::uint8_t, kSize> bytes{};
    std::size_t size = 0;
  };
  std::array<Item, kItems> items_{};
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  std::uint64_t counter_ = 0;
};

struct VideoRig : RtpSendStream::Listener, VideoReceiveStream::Listener {
  void onRtpSendStreamPacket(RtpSendStream&, RtpOutgoingPacket& packet) override { forward.send(packet.bytes); }
  void onVideoReceiveStreamFrame(VideoReceiveStream&, const media::Vp8AssembledFrame&) override { ++frames; }
  void onVideoReceiveStreamRtcp(VideoReceiveStream&, std::span<const std::uint8_t> rtcp) override {
    for (const rtc::RtcpPacket& p : rtc::RtcpCompound(rtcp)) {
      if (const auto nack = rtc::RtcpNack::parse(p)) {
        const std::size_t n = nack->expand(seqs);
        sender->onNack(std::span<const std::uint16_t>(seqs.data(), n), now);
      } else if (rtc::RtcpPli::parse(p)) {
        sender->onPli();
      }
    }
  }
  FixedPath forward;
  std::unique_ptr<RtpSendStream> sender;
  std::unique_ptr<VideoReceiveStream> receiver;
  std::array<std::uint16_t, 512> seqs{};
  StreamTime now{std::chrono::seconds(5)};
  int frames = 0;
};

TEST(ClientStreamAllocation, VideoSendAndReceiveAllocateNothingPerPacket) {
  VideoRig rig;
  RtpSendStreamConfig sc;
  sc.ssrc = 1;
  sc.rtxSsrc = 2;
  sc.extensions = {.mid = 1, .transportCc = 2, .absSendTime = 3};
  sc.mid = "0";
  sc.maxPayloadSize = 400;
  auto s = RtpSendStream::create(sc, rig);
  ASSERT_TRUE(s);
  rig.sender = std::move(*s);
  VideoReceiveStreamConfig rc;
  rc.ssrc = 1;
  rc.rtxSsrc = 2;
  rc.rtt = 10ms;
  rig.receiver = std::make_unique<VideoReceiveStream>(rc, rig);
  std::array<std::uint8_t, 3000> frame{};
  std::uint32_t ts = 0;
  auto step = [&](int i) {
    frame[0] = i % 50 == 0 ? 0x10 : 0x11;  // VP8 payload header: key or delta
    ASSERT_TRUE(rig.sender->sendVideoFrame(frame, i % 50 == 0, ts, rig.now));
    ts += 3000;
    for (int ms = 0; ms < 33; ms += 3) {
      rig.forward.deliver([&](std::span<std::uint8_t> p) { rig.receiver->onRtp(p, rig.now); });
      rig.receiver->tick(rig.now);
      rig.now += 3ms;
    }
  };
  for (int i = 0; i < 100; ++i) {
    step(i);
  }
  const int warmFrames = rig.frames;
  test::AllocationScope scope;
  for (int i = 100; i < 300; ++i) {
    step(i);
  }
  scope.stop();
  EXPECT_EQ(test::operatorNewCalls(), 0);
  if (test::countsMalloc()) {
    EXPECT_EQ(test::mallocCalls(), 0);
  }
  EXPECT_GT(rig.frames - warmFrames, 150) << "the loop really moved frames";
  EXPECT_GT(rig.sender->stats().retransmittedPackets, 0u);
}

struct AudioRig : RtpSendStream::Listener {
  void onRtpSendStreamPacket(RtpSendStream&, RtpOutgoingPacket& packet) override { forward.send(packet.bytes); }
  FixedPath forward;
};

TEST(ClientStreamAllocation, AudioReceiveAllocatesNothingPerPacket) {
  AudioRig rig;
  RtpSendStreamConfig sc;
  sc.kind = MediaKind::Audio;
  sc.ssrc = 9;
  sc.payloadType = 111;
  sc.clockRate = 48000;
  sc.extensions = {.audioLevel = 1};
  auto sender = RtpSendStream::create(sc, rig);
  auto receiver = AudioReceiveStream::create({.ssrc = 9, .payloadType = 111});
  auto encoder = media::OpusEncoder::create({.channels = 1});
  ASSERT_TRUE(sender && receiver && encoder);
  media::ToneSource tone(440.0, 8000, 1, 960);
  media::AudioFrame pcm;
  StreamTime now{std::chrono::seconds(5)};
  auto step = [&] {
    tone.next(pcm);
    auto packet = (*encoder)->encode(pcm);
    ASSERT_TRUE(packet);
    ASSERT_TRUE((*sender)->sendAudioFrame(*packet, pcm.rtpTimestamp(), 20, true, now));
    rig.forward.deliver([&](std::span<std::uint8_t> p) { (*receiver)->onRtp(p, now); });
    for (int i = 0; i < 2; ++i) {
      ASSERT_EQ((*receiver)->pull10ms(now).samplesPerChannel(), 480);
      now += 10ms;
    }
  };
  for (int i = 0; i < 50; ++i) {
    step();
  }
  test::AllocationScope scope;
  for (int i = 0; i < 200; ++i) {
    step();
  }
  scope.stop();
  EXPECT_EQ(test::operatorNewCalls(), 0);
  if (test::countsMalloc()) {
    EXPECT_EQ(test::mallocCalls(), 0);
  }
  EXPECT_GT((*receiver)->stats().concealedSamples, 0u);
}

}  // namespace
}  // namespace huddle::client
