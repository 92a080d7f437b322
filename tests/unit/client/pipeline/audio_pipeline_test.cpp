// AudioSendPipeline -> in-memory hop -> AudioReceivePipeline on an injected clock: a 440 Hz
// tone comes out at 440 Hz, the audio level matches the tone, and mute stops packets while
// the RTP clock runs on.

#include <vector>

#include <gtest/gtest.h>

#include "client/pipeline/audio_receive_pipeline.h"
#include "client/pipeline/audio_send_pipeline.h"
#include "media/analysis.h"
#include "media/synthetic_sources.h"

namespace huddle::client::test {
namespace {

using namespace std::chrono_literals;

constexpr std::uint32_t kSsrc = 0xA11;

std::uint32_t timestampOf(std::span<const std::uint8_t> rtp) {
  return static_cast<std::uint32_t>(rtp[4]) << 24 | static_cast<std::uint32_t>(rtp[5]) << 16 |
         static_cast<std::uint32_t>(rtp[6]) << 8 | rtp[7];
}

AudioSendPipelineConfig sendConfig(int channels) {
  AudioSendPipelineConfig config;
  config.channels = channels;
  config.stream.ssrc = kSsrc;
  config.stream.payloadType = 111;
  config.stream.extensions.mid = 1;
  config.stream.extensions.audioLevel = 2;
  config.stream.mid = "1";
  return config;
}

struct AudioLoop {
  explicit AudioLoop(int channels) : tone(440.0, 8000, channels, AudioSendPipeline::kSamplesPer10ms) {
    auto s = AudioSendPipeline::create(sendConfig(channels), [this](RtpOutgoingPacket& p) {
      packets.emplace_back(p.bytes.begin(), p.bytes.end());
    });
    EXPECT_TRUE(s);
    sender = std::move(s).value();
    AudioReceiveStreamConfig rc;
    rc.ssrc = kSsrc;
    rc.payloadType = 111;
    rc.channels = channels;
    auto r = AudioReceivePipeline::create(rc);
    EXPECT_TRUE(r);
    receiver = std::move(r).value();
  }

  // Every 10 ms: capture 10 ms, deliver what was sent, play 10 ms out.
  void run(int steps, std::vector<std::int16_t>* out) {
    for (int i = 0; i < steps; ++i) {
      tone.next(frame);
      ASSERT_TRUE(sender->push10ms(frame, now));
      for (std::size_t k = delivered; k < packets.size(); ++k) {
        receiver->onRtp(packets[k], now);
      }
      delivered = packets.size();
      receiver->pull10ms(now, pcm);
      EXPECT_EQ(pcm.samplesPerChannel(), 480);
      if (out != nullptr) {
        out->insert(out->end(), pcm.samples().begin(), pcm.samples().end());
      }
      now += 10ms;
    }
  }

  media::ToneSource tone;
  media::AudioFrame frame;
  media::AudioFrame pcm;
  std::unique_ptr<AudioSendPipeline> sender;
  std::unique_ptr<AudioReceivePipeline> receiver;
  std::vector<std::vector<std::uint8_t>> packets;
  std::size_t delivered = 0;
  StreamTime now{std::chrono::seconds(500)};
};

TEST(AudioPipelineLoopback, ToneComesOutAtItsPitch) {
  for (const int channels : {1, 2}) {
    AudioLoop loop(channels);
    std::vector<std::int16_t> out;
    loop.run(100, &out);
    ASSERT_EQ(out.size(), static_cast<std::size_t>(100 * 480 * channels));
    // The last half second: well past the jitter buffer's start-up silence.
    const std::span<const std::int16_t> tail(out.data() + out.size() / 2, out.size() / 2);
    EXPECT_NEAR(media::dominantFrequencyHz(tail, channels, 48000), 440.0, 3.0) << channels << " channels";
    const auto st = loop.sender->stats();
    EXPECT_EQ(st.packetsSent, 50u);
    // 8000 peak: RMS 5657 of 32768 is -15.3 dBov.
    EXPECT_EQ(st.lastLevel, 15);
    EXPECT_GT(loop.receiver->stats().packets, 45u);
  }
}

TEST(AudioPipelineLoopback, MuteStopsPacketsAndKeepsTheRtpClock) {
  AudioLoop loop(1);
  loop.run(10, nullptr);
  ASSERT_EQ(loop.packets.size(), 5u);
  loop.sender->setMuted(true);
  EXPECT_TRUE(loop.sender->muted());
  loop.run(10, nullptr);
  EXPECT_EQ(loop.packets.size(), 5u);
  EXPECT_EQ(loop.sender->stats().framesMuted, 10u);
  loop.sender->setMuted(false);
  loop.run(10, nullptr);
  ASSERT_EQ(loop.packets.size(), 10u);
  EXPECT_EQ(timestampOf(loop.packets[1]) - timestampOf(loop.packets[0]), 960u);
  // 100 ms muted: the next packet is 120 ms after the last one sent.
  EXPECT_EQ(timestampOf(loop.packets[5]) - timestampOf(loop.packets[4]), 5760u);
}

TEST(AudioPipeline, LevelOfSilenceAndFullScale) {
  std::vector<std::int16_t> silence(960, 0);
  EXPECT_EQ(audioLevelDbov(silence), 127);
  std::vector<std::int16_t> full(960, 32767);
  EXPECT_EQ(audioLevelDbov(full), 0);
}

TEST(AudioPipeline, MalformedRtpIsCountedAndPlayoutGoesOn) {
  AudioReceiveStreamConfig rc;
  rc.ssrc = kSsrc;
  auto r = AudioReceivePipeline::create(rc);
  ASSERT_TRUE(r);
  std::vector<std::uint8_t> truncated{0x80, 0x6f, 0x00, 0x01, 0, 0};
  const StreamTime now{std::chrono::seconds(1)};
  (*r)->onRtp(truncated, now);
  EXPECT_EQ((*r)->stats().malformed, 1u);
  media::AudioFrame out;
  (*r)->pull10ms(now, out);
  EXPECT_EQ(out.samplesPerChannel(), 480);
}

TEST(AudioPipeline, RejectsWrongFrames) {
  auto s = AudioSendPipeline::create(sendConfig(1), [](RtpOutgoingPacket&) {});
  ASSERT_TRUE(s);
  media::AudioFrame stereo(2, 480);
  media::AudioFrame tooLong(1, 960);
  const StreamTime now{};
  EXPECT_FALSE((*s)->push10ms(stereo, now));
  EXPECT_FALSE((*s)->push10ms(tooLong, now));
  EXPECT_EQ((*s)->stats().framesRejected, 2u);
  EXPECT_FALSE(AudioSendPipeline::create(sendConfig(3), [](RtpOutgoingPacket&) {}));
}

}  // namespace
}  // namespace huddle::client::test
