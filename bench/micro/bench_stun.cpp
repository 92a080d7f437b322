// STUN hot path on an ICE-lite server: every connectivity check is parsed, its USERNAME looked at,
// and its MESSAGE-INTEGRITY and FINGERPRINT verified before a response is built.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <string_view>

#include "rtc/ice/stun_message.h"

namespace {

using namespace huddle::rtc;

constexpr std::string_view kPassword = "VOkJxbRl1RmTxUk/WvJxBt";
constexpr StunTransactionId kId = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

// A Binding request shaped like Chrome's: USERNAME, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE.
std::span<const std::uint8_t> makeRequest(std::span<std::uint8_t> buffer) {
  StunMessageBuilder builder(buffer, StunClass::Request, StunMethod::Binding, kId);
  builder.addUsername("a1b2c3d4:e5f6g7h8");
  builder.addPriority(0x6e0001ff);
  builder.addIceControlling(0x932ff9b151263b36ull);
  builder.addUseCandidate();
  builder.addMessageIntegrity(kPassword);
  builder.addFingerprint();
  return builder.bytes();
}

void BM_StunParse(benchmark::State& state) {
  std::array<std::uint8_t, 256> buffer{};
  const auto request = makeRequest(buffer);
  for (auto _ : state) {
    auto msg = StunMessageView::parse(request);
    benchmark::DoNotOptimize(msg);
    benchmark::DoNotOptimize(msg->username());
  }
}
BENCHMARK(BM_StunParse);

void BM_StunParseAndVerify(benchmark::State& state) {
  std::array<std::uint8_t, 256> buffer{};
  const auto request = makeRequest(buffer);
  for (auto _ : state) {
    const auto msg = StunMessageView::parse(request);
    const bool ok = msg && msg->verifyFingerprint() && msg->verifyMessageIntegrity(kPassword);
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_StunParseAndVerify);

void BM_StunBuildSuccessResponse(benchmark::State& state) {
  std::array<std::uint8_t, 256> buffer{};
  const auto mapped = StunAddress::ipv4({192, 0, 2, 1}, 32853);
  for (auto _ : state) {
    StunMessageBuilder builder(buffer, StunClass::SuccessResponse, StunMethod::Binding, kId);
    builder.addXorMappedAddress(mapped);
    builder.addMessageIntegrity(kPassword);
    builder.addFingerprint();
    benchmark::DoNotOptimize(builder.bytes());
  }
}
BENCHMARK(BM_StunBuildSuccessResponse);

}  // namespace
