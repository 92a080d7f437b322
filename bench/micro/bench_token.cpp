// Access-token mint and verify per operation, printed beside livekit-server-sdk's figures
// measured on the same machine in the same run. Target: <= 5 us each.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <map>
#include <string>

#include "auth/access_token.h"
#include "cpu_time_reporter.h"

namespace {

using namespace huddle;

constexpr const char* kApiKey = "APIbench";
constexpr const char* kSecret = "bench-secret-0123456789abcdefghijklmn";
constexpr double kTargetMicros = 5.0;

auth::KeyProvider& keys() {
  static auth::KeyProvider provider = [] {
    auth::KeyProvider p;
    (void)p.add(kApiKey, kSecret, {});
    return p;
  }();
  return provider;
}

// The same grants the reference script mints.
auth::ClaimGrants grants() {
  auth::ClaimGrants g;
  g.identity = "alice";
  g.name = "Alice";
  auth::VideoGrant v;
  v.roomJoin = true;
  v.room = "standup";
  v.canPublish = true;
  v.canSubscribe = true;
  g.video = v;
  return g;
}

auth::MintOptions options() {
  auth::MintOptions o;
  o.apiKey = kApiKey;
  return o;
}

void BM_MintToken(benchmark::State& state) {
  const auto g = grants();
  const auto o = options();
  const auto& secret = *keys().find(kApiKey);
  for (auto _ : state) {
    auto token = auth::mintToken(g, o, secret);
    benchmark::DoNotOptimize(token);
  }
}
BENCHMARK(BM_MintToken);

void BM_VerifyToken(benchmark::State& state) {
  const std::string token = auth::mintToken(grants(), options(), *keys().find(kApiKey)).value();
  const auth::TokenVerifier verifier(keys(), SystemClock::instance());
  for (auto _ : state) {
    auto verified = verifier.verify(token);
    if (!verified) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(verified);
  }
}
BENCHMARK(BM_VerifyToken);

nlohmann::json runReference() {
  const std::string command = std::string(HUDDLE_NODE) + " " + HUDDLE_TOKEN_REFERENCE + " 2>&1";
  std::string output;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[512];
    while (fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
    pclose(pipe);
  }
  auto parsed = nlohmann::json::parse(output, nullptr, false);
  if (!parsed.is_object()) {
    std::cerr << "reference run failed: " << output << "\n";
    return nlohmann::json::object();
  }
  return parsed;
}

void printRow(const char* what, double ours, const nlohmann::json& reference, const char* key) {
  std::printf("%-8s %10.2f us   ", what, ours);
  if (reference.contains(key)) {
    const double theirs = reference[key].get<double>();
    std::printf("%12.2f us   %6.1fx faster", theirs, theirs / ours);
  } else {
    std::printf("%15s   %13s", "n/a", "");
  }
  std::printf("   target <= %.0f us: %s\n", kTargetMicros,
              ours <= kTargetMicros ? "met" : "MISSED");
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  huddle::bench::CpuTimeReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  const auto reference = runReference();
  std::printf(
      "\nCPU per operation   huddle        livekit-server-sdk (node, same machine, this run)\n");
  printRow("mint", reporter.meanCpuTime("BM_MintToken") / 1000.0, reference, "mint_us");
  printRow("verify", reporter.meanCpuTime("BM_VerifyToken") / 1000.0, reference, "verify_us");
  benchmark::Shutdown();
  return 0;
}
