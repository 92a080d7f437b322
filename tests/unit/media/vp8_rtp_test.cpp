#include "media/vp8_rtp.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "media/synthetic_sources.h"
#include "media/vp8_decoder.h"
#include "media/vp8_encoder.h"

namespace huddle::media {
namespace {

// Bytes that look like a VP8 frame as far as RTP cares: bit 0 of the first byte is the P bit.
std::vector<std::uint8_t> fakeFrame(std::size_t size, bool keyframe, std::uint8_t seed) {
  std::vector<std::uint8_t> f(size);
  for (std::size_t i = 0; i < size; ++i) {
    f[i] = static_cast<std::uint8_t>(seed + i * 7);
  }
  f[0] = static_cast<std::uint8_t>(keyframe ? (f[0] & 0xFE) : (f[0] | 0x01));
  return f;
}

struct Packet {
  std::uint16_t seq;
  std::uint32_t ts;
  bool marker;
  std::vector<std::uint8_t> payload;
};

// Packetizes frames with consecutive sequence numbers, as a sender would.
class Sender {
 public:
  explicit Sender(std::size_t maxPayload, std::uint16_t firstSeq = 65530) : packetizer_(maxPayload), seq_(firstSeq) {}
  std::vector<Packet> send(const std::vector<std::uint8_t>& frame, std::uint32_t ts) {
    auto n = packetizer_.packetize(frame);
    EXPECT_TRUE(n) << n.message();
    std::vector<Packet> out;
    for (std::size_t i = 0; i < *n; ++i) {
      const auto p = packetizer_.payload(i);
      out.push_back({seq_++, ts, packetizer_.isLast(i), {p.begin(), p.end()}});
    }
    return out;
  }
  Vp8Packetizer& packetizer() { return packetizer_; }

 private:
  Vp8Packetizer packetizer_;
  std::uint16_t seq_;
};

Vp8PushResult push(Vp8Depacketizer& d, const Packet& p) { return d.push({p.seq, p.ts, p.marker, p.payload}); }

TEST(Vp8Packetizer, SplitsEvenlyUnderTheLimitWithMarkerOnLast) {
  Vp8Packetizer packetizer(1200, 0x7FFE);
  const auto frame = fakeFrame(5000, true, 1);
  auto n = packetizer.packetize(frame);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 5u);  // 1196 bytes of frame per packet after the 4-byte descriptor
  std::size_t total = 0;
  for (std::size_t i = 0; i < *n; ++i) {
    const auto p = packetizer.payload(i);
    EXPECT_LE(p.size(), 1200u);
    EXPECT_GE(p.size(), 1000u + 4);  // even split: 1000 bytes each
    EXPECT_EQ(packetizer.isLast(i), i + 1 == *n);
    // RFC 7741: X=1, S only on the first, PID 0; I=1; M=1 with the 15-bit picture id.
    EXPECT_EQ(p[0], i == 0 ? 0x90 : 0x80);
    EXPECT_EQ(p[1], 0x80);
    EXPECT_EQ(p[2], 0x80 | 0x7F);
    EXPECT_EQ(p[3], 0xFE);
    EXPECT_TRUE(std::equal(p.begin() + 4, p.end(), frame.begin() + static_cast<long>(total)));
    total += p.size() - 4;
  }
  EXPECT_EQ(total, frame.size());
  EXPECT_TRUE(Vp8Depacketizer::isKeyframePacket(packetizer.payload(0)));
  EXPECT_FALSE(Vp8Depacketizer::isKeyframePacket(packetizer.payload(1)));
  // The picture id wraps at 15 bits.
  ASSERT_TRUE(packetizer.packetize(frame));
  EXPECT_EQ(packetizer.pictureId(), 0x7FFF);
  ASSERT_TRUE(packetizer.packetize(frame));
  EXPECT_EQ(packetizer.pictureId(), 0);
}

TEST(Vp8Packetizer, RejectsEmptyFrameAndTinyLimit) {
  Vp8Packetizer packetizer(1200);
  EXPECT_EQ(packetizer.packetize({}).code(), MediaError::InvalidArgument);
  Vp8Packetizer tiny(4);
  const auto frame = fakeFrame(10, true, 1);
  EXPECT_EQ(tiny.packetize(frame).code(), MediaError::InvalidArgument);
  Vp8Packetizer five(5);
  auto n = five.packetize(frame);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 10u);
}

TEST(Vp8Depacketizer, ReassemblesInOrderAndReordered) {
  Sender sender(1000);
  Vp8Depacketizer depacketizer;
  std::vector<std::vector<std::uint8_t>> frames = {fakeFrame(3500, true, 1), fakeFrame(800, false, 2),
                                                   fakeFrame(2100, false, 3), fakeFrame(4000, false, 4)};
  for (std::size_t f = 0; f < frames.size(); ++f) {
    auto packets = sender.send(frames[f], static_cast<std::uint32_t>(f * 3000));
    if (f % 2 == 1) {
      std::reverse(packets.begin(), packets.end());
    } else if (packets.size() > 2) {
      std::swap(packets[0], packets[2]);
    }
    int ready = 0;
    for (std::size_t i = 0; i < packets.size(); ++i) {
      const auto r = push(depacketizer, packets[i]);
      EXPECT_FALSE(r.rejected);
      EXPECT_EQ(r.framesDropped, 0);
      EXPECT_FALSE(r.keyframeNeeded);
      EXPECT_EQ(r.frameReady, i + 1 == packets.size()) << "frame " << f << " packet " << i;
      ready += r.frameReady;
    }
    ASSERT_EQ(ready, 1);
    const auto& out = depacketizer.frame();
    EXPECT_TRUE(std::equal(out.data.begin(), out.data.end(), frames[f].begin(), frames[f].end())) << "frame " << f;
    EXPECT_EQ(out.keyframe, f == 0);
    EXPECT_EQ(out.timestamp, f * 3000);
    EXPECT_EQ(out.pictureId, std::optional<std::uint16_t>(static_cast<std::uint16_t>(f)));
  }
  EXPECT_EQ(depacketizer.stats().framesAssembled, 4u);
  EXPECT_EQ(depacketizer.stats().framesDropped, 0u);
}

TEST(Vp8Depacketizer, LostPacketDropsFrameUntilKeyframe) {
  Sender sender(1000);
  Vp8Depacketizer depacketizer;
  const auto key = fakeFrame(3000, true, 1);
  const auto delta = fakeFrame(2500, false, 2);
  for (const auto& p : sender.send(key, 0)) {
    (void)push(depacketizer, p);
  }
  ASSERT_EQ(depacketizer.stats().framesAssembled, 1u);

  // Frame 2 loses its middle packet: nothing is delivered while it is incomplete ...
  auto lossy = sender.send(delta, 3000);
  ASSERT_EQ(lossy.size(), 3u);
  EXPECT_FALSE(push(depacketizer, lossy[0]).frameReady);
  const auto gap = push(depacketizer, lossy[2]);
  EXPECT_FALSE(gap.frameReady);
  // The skipped sequence number is named for a NACK.
  EXPECT_EQ(gap.firstMissing, lossy[1].seq);
  EXPECT_EQ(gap.missingCount, 1);
  // ... and the next frame's first packet gives it up and asks for a keyframe.
  auto next = sender.send(delta, 6000);
  auto r = push(depacketizer, next[0]);
  EXPECT_EQ(r.framesDropped, 1);
  EXPECT_TRUE(r.keyframeNeeded);
  EXPECT_TRUE(depacketizer.waitingForKeyframe());
  // The straggler of the dropped frame is late, not a new frame.
  EXPECT_TRUE(push(depacketizer, lossy[1]).rejected);
  EXPECT_EQ(depacketizer.stats().packetsLate, 1u);
  // The delta frame after the loss is complete but has no reference: dropped too.
  Vp8PushResult last;
  for (std::size_t i = 1; i < next.size(); ++i) {
    last = push(depacketizer, next[i]);
  }
  EXPECT_FALSE(last.frameReady);
  EXPECT_EQ(last.framesDropped, 1);
  EXPECT_TRUE(last.keyframeNeeded);
  // A keyframe repairs the stream.
  for (const auto& p : sender.send(key, 9000)) {
    last = push(depacketizer, p);
  }
  EXPECT_TRUE(last.frameReady);
  EXPECT_TRUE(depacketizer.frame().keyframe);
  EXPECT_FALSE(depacketizer.waitingForKeyframe());
  EXPECT_EQ(depacketizer.stats().framesDropped, 2u);
}

TEST(Vp8Depacketizer, WholeFrameLossIsSeenFromSequenceGap) {
  Sender sender(1000);
  Vp8Depacketizer depacketizer;
  for (const auto& p : sender.send(fakeFrame(1500, true, 1), 0)) {
    (void)push(depacketizer, p);
  }
  const auto lost = sender.send(fakeFrame(1500, false, 2), 3000);  // never arrives
  Vp8PushResult last;
  const auto after = sender.send(fakeFrame(1500, false, 3), 6000);
  for (std::size_t i = 0; i < after.size(); ++i) {
    last = push(depacketizer, after[i]);
    if (i == 0) {
      EXPECT_EQ(last.firstMissing, lost.front().seq);
      EXPECT_EQ(last.missingCount, lost.size());
    } else {
      EXPECT_EQ(last.missingCount, 0);
    }
  }
  EXPECT_FALSE(last.frameReady);
  EXPECT_TRUE(last.keyframeNeeded);
}

TEST(Vp8Depacketizer, StartsOnlyAtKeyframe) {
  Sender sender(1000);
  Vp8Depacketizer depacketizer;
  Vp8PushResult last;
  for (const auto& p : sender.send(fakeFrame(900, false, 1), 0)) {
    last = push(depacketizer, p);
  }
  EXPECT_FALSE(last.frameReady);
  EXPECT_TRUE(last.keyframeNeeded);
  for (const auto& p : sender.send(fakeFrame(900, true, 2), 3000)) {
    last = push(depacketizer, p);
  }
  EXPECT_TRUE(last.frameReady);
}

TEST(Vp8Depacketizer, IgnoresDuplicatesAndRejectsMalformed) {
  Sender sender(1000);
  Vp8Depacketizer depacketizer;
  auto packets = sender.send(fakeFrame(2500, true, 1), 0);
  EXPECT_FALSE(push(depacketizer, packets[0]).frameReady);
  EXPECT_FALSE(push(depacketizer, packets[0]).frameReady);
  EXPECT_EQ(depacketizer.stats().packetsDuplicate, 1u);
  EXPECT_TRUE(depacketizer.push({999, 0, false, {}}).rejected);
  const std::uint8_t descriptorOnly[] = {0x90, 0x80, 0x80};  // picture id cut short
  EXPECT_TRUE(depacketizer.push({998, 0, false, descriptorOnly}).rejected);
  EXPECT_EQ(depacketizer.stats().packetsRejected, 2u);
  Vp8PushResult last;
  for (std::size_t i = 1; i < packets.size(); ++i) {
    last = push(depacketizer, packets[i]);
  }
  EXPECT_TRUE(last.frameReady);
}

// Network input: random packets (valid and broken descriptors, wild sequence numbers and
// timestamps, oversized payloads) are counted and never crash or deliver garbage sizes.
TEST(Vp8Depacketizer, SurvivesRandomPackets) {
  Vp8Depacketizer depacketizer;
  std::mt19937 rng(4242);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(0, 1700);
  std::uniform_int_distribution<int> small(0, 3);
  std::uint16_t seq = 100;
  std::uint32_t ts = 1000;
  std::uint64_t pushed = 0;
  for (int i = 0; i < 3000; ++i) {
    std::vector<std::uint8_t> payload(static_cast<std::size_t>(length(rng)));
    for (auto& b : payload) {
      b = static_cast<std::uint8_t>(byte(rng));
    }
    // Mostly near the previous packet, sometimes anywhere, as a hostile or broken sender might.
    seq = small(rng) == 0 ? static_cast<std::uint16_t>(byte(rng) << 8) : static_cast<std::uint16_t>(seq + small(rng));
    ts = small(rng) == 0 ? static_cast<std::uint32_t>(rng()) : ts + static_cast<std::uint32_t>(small(rng)) * 3000;
    const auto r = depacketizer.push({seq, ts, small(rng) == 0, payload});
    ++pushed;
    if (r.frameReady) {
      EXPECT_LE(depacketizer.frame().data.size(), Vp8Depacketizer::kMaxPacketsPerFrame * Vp8Depacketizer::kMaxPayloadSize);
    }
  }
  const auto& st = depacketizer.stats();
  EXPECT_EQ(st.packets, pushed);
  EXPECT_GT(st.packetsRejected, 0u);
}

// Encoder -> packetizer -> shuffled within each frame -> depacketizer -> decoder.
TEST(Vp8Depacketizer, RealStreamSurvivesTheTrip) {
  auto enc = Vp8Encoder::create({.width = 640, .height = 360, .fps = 30, .targetBitrateKbps = 1500});
  auto dec = Vp8Decoder::create();
  ASSERT_TRUE(enc && dec);
  TestPatternSource pattern(640, 360);
  Sender sender(1100);
  Vp8Depacketizer depacketizer;
  VideoFrame source;
  for (int i = 0; i < 20; ++i) {
    pattern.next(source);
    auto encoded = (*enc)->encode(source);
    ASSERT_TRUE(encoded);
    auto packets = sender.send({encoded->data.begin(), encoded->data.end()}, encoded->rtpTimestamp);
    std::rotate(packets.begin(), packets.begin() + static_cast<long>(packets.size() / 2), packets.end());
    int ready = 0;
    for (const auto& p : packets) {
      const auto r = push(depacketizer, p);
      if (r.frameReady) {
        ++ready;
        EXPECT_EQ(depacketizer.frame().keyframe, i == 0);
        auto decoded = (*dec)->decode(depacketizer.frame().data, depacketizer.frame().timestamp);
        ASSERT_TRUE(decoded) << decoded.message();
        EXPECT_EQ(readFrameCounter(*decoded), std::optional<std::uint16_t>(i));
      }
    }
    EXPECT_EQ(ready, 1) << "frame " << i;
  }
}

}  // namespace
}  // namespace huddle::media
