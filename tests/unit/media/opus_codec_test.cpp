#include "media/opus_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "media/analysis.h"
#include "media/synthetic_sources.h"

namespace huddle::media {
namespace {

std::unique_ptr<OpusEncoder> makeEncoder(int channels) {
  auto enc = OpusEncoder::create({.channels = channels, .bitrateBps = 48000});
  EXPECT_TRUE(enc) << enc.message();
  return std::move(enc).value();
}

std::unique_ptr<OpusDecoder> makeDecoder(int channels) {
  auto dec = OpusDecoder::create(channels);
  EXPECT_TRUE(dec) << dec.message();
  return std::move(dec).value();
}

double rms(std::span<const std::int16_t> s) {
  double sum = 0;
  for (const auto v : s) {
    sum += static_cast<double>(v) * v;
  }
  return s.empty() ? 0.0 : std::sqrt(sum / static_cast<double>(s.size()));
}

class OpusTone : public ::testing::TestWithParam<int> {};

TEST_P(OpusTone, FrequencySurvivesRoundTrip) {
  const int channels = GetParam();
  auto enc = makeEncoder(channels);
  auto dec = makeDecoder(channels);
  ToneSource tone(440.0, 10000, channels, 960);
  AudioFrame frame;
  std::vector<std::int16_t> decoded;
  for (int i = 0; i < 50; ++i) {  // one second
    tone.next(frame);
    auto packet = enc->encode(frame);
    ASSERT_TRUE(packet) << packet.message();
    ASSERT_FALSE(packet->empty());
    auto out = dec->decode(*packet);
    ASSERT_TRUE(out) << out.message();
    ASSERT_EQ((*out)->samplesPerChannel(), 960);
    ASSERT_EQ((*out)->channels(), channels);
    const auto s = (*out)->samples();
    decoded.insert(decoded.end(), s.begin(), s.end());
  }
  // Skip the codec's start-up; measure the rest.
  const std::span<const std::int16_t> steady(decoded.data() + 9600 * channels, decoded.size() - 9600 * channels);
  const double f = dominantFrequencyHz(steady, channels, 48000, 100.0, 1000.0, 1.0);
  EXPECT_NEAR(f, 440.0, 3.0);
  // About the level that went in (10000 peak is 7071 RMS).
  EXPECT_NEAR(rms(steady), 7071.0, 1500.0);
}

INSTANTIATE_TEST_SUITE_P(MonoAndStereo, OpusTone, ::testing::Values(1, 2));

TEST(Opus, ConcealsAndRecoversLostPacket) {
  auto enc = makeEncoder(1);
  auto dec = makeDecoder(1);
  ToneSource tone(440.0, 10000, 1, 960);
  AudioFrame frame;
  std::vector<std::vector<std::uint8_t>> packets;
  for (int i = 0; i < 30; ++i) {
    tone.next(frame);
    auto packet = enc->encode(frame);
    ASSERT_TRUE(packet);
    packets.emplace_back(packet->begin(), packet->end());
  }
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(dec->decode(packets[static_cast<std::size_t>(i)]));
  }
  // Packet 20 is lost: concealment fills its 20 ms with sound, not silence.
  auto concealed = dec->conceal(960);
  ASSERT_TRUE(concealed) << concealed.message();
  EXPECT_EQ((*concealed)->samplesPerChannel(), 960);
  EXPECT_GT(rms((*concealed)->samples()), 1000.0);
  ASSERT_TRUE(dec->decode(packets[21]));
  // Packet 22 is lost too, but packet 23 carries its FEC.
  auto recovered = dec->recoverFromFec(packets[23], 960);
  ASSERT_TRUE(recovered) << recovered.message();
  EXPECT_EQ((*recovered)->samplesPerChannel(), 960);
  EXPECT_GT(rms((*recovered)->samples()), 1000.0);
  EXPECT_NEAR(dominantFrequencyHz((*recovered)->samples(), 1, 48000, 300.0, 600.0, 2.0), 440.0, 20.0);
  ASSERT_TRUE(dec->decode(packets[23]));
  EXPECT_EQ(dec->stats().framesConcealed, 1u);
  EXPECT_EQ(dec->stats().framesRecovered, 1u);
  EXPECT_EQ(dec->stats().packetsDecoded, 22u);
}

TEST(Opus, RejectsBadFramesAndPackets) {
  auto enc = makeEncoder(1);
  AudioFrame stereo(2, 960);
  EXPECT_EQ(enc->encode(stereo).code(), MediaError::InvalidArgument);
  AudioFrame odd(1, 1000);
  EXPECT_EQ(enc->encode(odd).code(), MediaError::InvalidArgument);
  EXPECT_EQ(OpusEncoder::create({.channels = 3}).code(), MediaError::InvalidArgument);
  EXPECT_EQ(OpusDecoder::create(0).code(), MediaError::InvalidArgument);

  auto dec = makeDecoder(1);
  EXPECT_EQ(dec->decode({}).code(), MediaError::CorruptInput);
  EXPECT_EQ(dec->conceal(1000).code(), MediaError::InvalidArgument);
  // Random bytes: some parse as Opus, some do not; none may crash or overflow the frame.
  std::mt19937 rng(99);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(1, 1500);
  for (int r = 0; r < 300; ++r) {
    std::vector<std::uint8_t> junk(static_cast<std::size_t>(length(rng)));
    for (auto& b : junk) {
      b = static_cast<std::uint8_t>(byte(rng));
    }
    auto out = dec->decode(junk);
    if (out) {
      EXPECT_LE((*out)->samplesPerChannel(), kMaxAudioSamplesPerChannel);
    }
  }
  EXPECT_EQ(dec->stats().packetsDecoded + dec->stats().packetsRejected, 301u);
}

}  // namespace
}  // namespace huddle::media
