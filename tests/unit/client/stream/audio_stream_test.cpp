// Opus through RtpSendStream -> simulated path -> AudioReceiveStream, pulled every 10 ms: a tone
// survives loss (PLC/FEC) at its pitch, and the jitter buffer's delay follows injected jitter
// up and back down.

#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "client/stream/audio_receive_stream.h"
#include "client/stream/rtp_send_stream.h"
#include "media/analysis.h"
#include "media/opus_codec.h"
#include "media/synthetic_sources.h"
#include "sim_network.h"

namespace huddle::client::test {
namespace {

using namespace std::chrono_literals;

class AudioLoop : public RtpSendStream::Listener {
 public:
  AudioLoop(PathConfig path, std::uint32_t seed) : path_(path, seed) {
    auto enc = media::OpusEncoder::create({.channels = 1, .bitrateBps = 32000, .inbandFec = true,
                                           .expectedLossPercent = 10});
    EXPECT_TRUE(enc);
    encoder_ = std::move(*enc);
    RtpSendStreamConfig sc;
    sc.kind = MediaKind::Audio;
    sc.ssrc = 0xA0D10;
    sc.payloadType = 111;
    sc.clockRate = 48000;
    sc.extensions = {.mid = 1, .audioLevel = 2};
    sc.mid = "1";
    auto s = RtpSendStream::create(sc, *this);
    EXPECT_TRUE(s);
    sender_ = std::move(*s);
    auto r = AudioReceiveStream::create({.ssrc = 0xA0D10, .payloadType = 111, .channels = 1});
    EXPECT_TRUE(r);
    receiver = std::move(*r);
  }

  void onRtpSendStreamPacket(RtpSendStream& /*stream*/, RtpOutgoingPacket& packet) override {
    path_.send(packet.bytes, now_);
  }

  void setPath(const PathConfig& path) { path_.setConfig(path); }

  // Runs `duration` in 1 ms steps: a 20 ms Opus packet every 20 ms, a pull every 10 ms. Pulled
  // audio is appended to `out` when given.
  void run(std::chrono::milliseconds duration, std::vector<std::int16_t>* out) {
    const StreamTime end = now_ + duration;
    for (int step = 0; step < 1000000 && now_ < end; ++step) {
      if (now_ >= nextSend_) {
        tone_.next(frame_);
        auto packet = encoder_->encode(frame_);
        ASSERT_TRUE(packet);
        ASSERT_TRUE(sender_->sendAudioFrame(*packet, frame_.rtpTimestamp(), 20, true, now_));
        nextSend_ += 20ms;
      }
      path_.deliver(now_, [&](std::span<std::uint8_t> p) { receiver->onRtp(p, now_); });
      if (now_ >= nextPull_) {
        const media::AudioFrame& pcm = receiver->pull10ms(now_);
        EXPECT_EQ(pcm.samplesPerChannel(), AudioReceiveStream::kSamplesPer10ms);
        if (out != nullptr) {
          out->insert(out->end(), pcm.samples().begin(), pcm.samples().end());
        }
        nextPull_ += 10ms;
      }
      now_ += 1ms;
    }
  }

  std::unique_ptr<AudioReceiveStream> receiver;

 private:
  SimPath path_;
  std::unique_ptr<media::OpusEncoder> encoder_;
  std::unique_ptr<RtpSendStream> sender_;
  media::ToneSource tone_{440.0, 8000, 1, 960};
  media::AudioFrame frame_;
  StreamTime now_{std::chrono::seconds(100)};
  StreamTime nextSend_ = now_;
  StreamTime nextPull_ = now_ + 3ms;
};

double rms(std::span<const std::int16_t> samples) {
  double sum = 0;
  for (const auto s : samples) {
    sum += static_cast<double>(s) * s;
  }
  return samples.empty() ? 0.0 : std::sqrt(sum / static_cast<double>(samples.size()));
}

TEST(AudioStreamLoop, ToneSurvivesTenPercentLossAt440Hz) {
  AudioLoop loop({.loss = 0.10, .delay = 30ms, .jitter = 10ms}, 5);
  loop.run(1000ms, nullptr);
  std::vector<std::int16_t> pcm;
  loop.run(3000ms, &pcm);
  ASSERT_EQ(pcm.size(), 300u * AudioReceiveStream::kSamplesPer10ms);
  EXPECT_NEAR(media::dominantFrequencyHz(pcm, 1, 48000, 100.0, 2000.0, 1.0), 440.0, 3.0);
  // The tone's RMS is 8000 / sqrt(2); concealment may soften it, silence would not pass.
  EXPECT_GT(rms(pcm), 3000.0);
  const auto& st = loop.receiver->stats();
  EXPECT_GT(st.concealedSamples, 0u);
  EXPECT_GT(st.fecRecoveredPackets + loop.receiver->decoderStats().framesConcealed, 0u);
  const auto block = loop.receiver->makeReportBlock(StreamTime{std::chrono::seconds(105)});
  ASSERT_TRUE(block);
  EXPECT_GT(block->cumulativeLost, 0);
  EXPECT_GT(block->fractionLost, 0);
}

TEST(AudioStreamLoop, DelayFollowsInjectedJitterUpAndDown) {
  AudioLoop loop({.delay = 20ms}, 9);
  loop.run(2000ms, nullptr);
  const auto calmTarget = loop.receiver->targetDelay();
  const auto calmCurrent = loop.receiver->currentDelay();
  EXPECT_LE(calmTarget, 30ms);
  EXPECT_LE(calmCurrent, 40ms);

  loop.setPath({.delay = 20ms, .jitter = 100ms});
  loop.run(4000ms, nullptr);
  const auto lateBefore = loop.receiver->stats().latePackets;
  const auto concealedBefore = loop.receiver->stats().concealedSamples;
  loop.run(2000ms, nullptr);
  EXPECT_GE(loop.receiver->targetDelay(), 80ms);
  EXPECT_GE(loop.receiver->currentDelay(), 70ms);
  // Adapted: in the last two seconds (100 packets) almost nothing is late or concealed.
  EXPECT_LE(loop.receiver->stats().latePackets - lateBefore, 3u);
  EXPECT_LE(loop.receiver->stats().concealedSamples - concealedBefore, 5u * 960u);

  loop.setPath({.delay = 20ms});
  loop.run(6000ms, nullptr);
  EXPECT_LE(loop.receiver->targetDelay(), 30ms);
  EXPECT_LE(loop.receiver->currentDelay(), 60ms);
  EXPECT_GT(loop.receiver->stats().removedSamples, 0u);
}

TEST(AudioReceiveStream, CountsMalformedAndForeignPackets) {
  auto r = AudioReceiveStream::create({.ssrc = 7, .payloadType = 111});
  ASSERT_TRUE(r);
  auto& stream = **r;
  const StreamTime t{std::chrono::seconds(1)};
  std::vector<std::uint8_t> shortPacket{0x80, 111, 0};
  stream.onRtp(shortPacket, t);
  // Valid header, extension length running past the end.
  std::vector<std::uint8_t> badExt{0x90, 111, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 0xBE, 0xDE, 0, 9, 0x10, 0x01};
  stream.onRtp(badExt, t);
  std::vector<std::uint8_t> otherSsrc{0x80, 111, 0, 1, 0, 0, 0, 0, 0, 0, 0, 8, 0xFC};
  stream.onRtp(otherSsrc, t);
  std::vector<std::uint8_t> otherPt{0x80, 100, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 0xFC};
  stream.onRtp(otherPt, t);
  EXPECT_EQ(stream.stats().malformed, 2u);
  EXPECT_EQ(stream.stats().ignored, 2u);
  EXPECT_EQ(stream.stats().packets, 0u);
  // Garbage Opus is refused by the decoder and concealed, never a crash.
  std::vector<std::uint8_t> garbage{0x80, 111, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 0xFF, 0xFF, 0xFF};
  stream.onRtp(garbage, t);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(stream.pull10ms(t).samplesPerChannel(), 480);
  }
  EXPECT_EQ(stream.stats().packets, 1u);
  EXPECT_FALSE(AudioReceiveStream::create({.ssrc = 7, .channels = 3}));
}

TEST(AudioReceiveStream, ForgedTimestampJumpIsBoundedAndPlayoutGoesOn) {
  // Found by fuzz_client_stream (UBSan): a timestamp near 2^31 ahead overflowed the buffered
  // length. The claim is clamped, and playout still hands out 10 ms per pull.
  auto r = AudioReceiveStream::create({.ssrc = 7, .payloadType = 111});
  ASSERT_TRUE(r);
  auto& stream = **r;
  StreamTime t{std::chrono::seconds(1)};
  std::vector<std::uint8_t> a{0x80, 111, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 0xFC, 0xFF, 0xFE};
  std::vector<std::uint8_t> b{0x80, 111, 0, 2, 0x7F, 0xFF, 0xF8, 0x00, 0, 0, 0, 7, 0xFC, 0xFF, 0xFE};
  stream.onRtp(a, t);
  stream.onRtp(b, t);
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(stream.pull10ms(t).samplesPerChannel(), 480);
    t += 10ms;
  }
  EXPECT_LE(stream.targetDelay(), 200ms);
  EXPECT_EQ(stream.stats().samplesOut + stream.stats().silentSamples, 200u * 480u);
}

}  // namespace
}  // namespace huddle::client::test
