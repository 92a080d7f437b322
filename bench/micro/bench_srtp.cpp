// SRTP protect/unprotect of a 1200-octet payload through our SrtpSession (OpenSSL EVP) and through
// LibsrtpSession (Debian's libsrtp2, the reference), beside the floor for the same work done
// straight on pre-initialised OpenSSL contexts:
//   AES_CM_SHA1_80: AES-128-CTR over the payload + HMAC-SHA1 over header|payload|ROC, 80-bit tag
//     (HMAC through EVP_MAC, re-initialised per packet, as plain OpenSSL 3 code would do it).
//   AES_CM_SHA1_80, SHA-1 states: the same with HMAC from two precomputed SHA-1 states, the
//     stricter floor (what our SrtpSession does, minus its SRTP bookkeeping).
//   AEAD_AES_128_GCM: AES-128-GCM over the payload with the header as AAD, 128-bit tag.
// main() prints "ratio ours/raw" and "ratio libsrtp/raw" for each pair, the figures this
// benchmark exists for.
// heap_allocs_per_pkt counts malloc() calls per packet (all callers, OpenSSL and libsrtp's crypto
// backend included) after the SSRC's first packet, in an untimed pass so the counting does not
// slow the timed loop.

#include "counting_allocator.h"
#include "cpu_time_reporter.h"
#include "rtc/srtp/libsrtp_session.h"
#include "rtc/srtp/srtp_library.h"
#include "rtc/srtp/srtp_session.h"

#include <benchmark/benchmark.h>
// SHA1_* (deprecated in OpenSSL 3) for the second AES-CM floor, as src/rtc/srtp does.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/sha.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <numeric>
#include <string>
#include <vector>


namespace {

using huddle::rtc::LibsrtpSession;
using huddle::rtc::SrtpDirection;
using huddle::rtc::SrtpMasterKey;
using huddle::rtc::SrtpProfile;
using huddle::rtc::SrtpSession;

constexpr std::size_t kHeaderLength = 12;
constexpr std::size_t kBufferSize = 1600;
constexpr std::uint32_t kSsrc = 0x1234abcd;
using Buffer = std::array<std::uint8_t, kBufferSize>;

// Calls `fn` n times with malloc counting on; returns mallocs per call (-1 where not measurable).
template <typename Fn>
double mallocsPerCall(int n, Fn&& fn) {
  if (!huddle::test::countsMalloc()) return -1;
  huddle::test::resetAllocationCounts();
  huddle::test::setAllocationCounting(true);
  for (int i = 0; i < n; ++i) fn();
  huddle::test::setAllocationCounting(false);
  return static_cast<double>(huddle::test::mallocCalls()) / n;
}

std::size_t writeRtp(Buffer& buffer, std::uint16_t seq, std::size_t payloadLength) {
  buffer[0] = 0x80;
  buffer[1] = 96;
  buffer[2] = static_cast<std::uint8_t>(seq >> 8);
  buffer[3] = static_cast<std::uint8_t>(seq);
  buffer[4] = buffer[5] = buffer[6] = buffer[7] = 0;
  buffer[8] = static_cast<std::uint8_t>(kSsrc >> 24);
  buffer[9] = static_cast<std::uint8_t>(kSsrc >> 16);
  buffer[10] = static_cast<std::uint8_t>(kSsrc >> 8);
  buffer[11] = static_cast<std::uint8_t>(kSsrc);
  for (std::size_t i = 0; i < payloadLength; ++i) {
    buffer[kHeaderLength + i] = static_cast<std::uint8_t>(i);
  }
  return kHeaderLength + payloadLength;
}

SrtpMasterKey benchKey(SrtpProfile profile) {
  const auto& info = huddle::rtc::srtpProfileInfo(profile);
  std::vector<std::uint8_t> key(info.keyLength);
  std::vector<std::uint8_t> salt(info.saltLength);
  std::iota(key.begin(), key.end(), std::uint8_t{0x21});
  std::iota(salt.begin(), salt.end(), std::uint8_t{0x71});
  return *SrtpMasterKey::fromParts(profile, key, salt);
}

template <typename Session>
Session makeSession(SrtpDirection direction, SrtpProfile profile) {
  auto session = Session::create(direction, benchKey(profile));
  if (!session) {
    std::fprintf(stderr, "session create failed: %s\n", session.message().c_str());
    std::abort();
  }
  return std::move(session).value();
}

template <typename Session>
void BM_Protect(benchmark::State& state, SrtpProfile profile) {
  const auto payload = static_cast<std::size_t>(state.range(0));
  auto out = makeSession<Session>(SrtpDirection::Outbound, profile);
  Buffer buffer{};
  std::uint16_t seq = 0;
  const std::size_t plainLength = writeRtp(buffer, seq, payload);
  // Re-protecting the same octets costs what protecting fresh ones does: only the header's
  // sequence number changes per packet, as it would in a real sender.
  auto protectOne = [&] {
    ++seq;
    buffer[2] = static_cast<std::uint8_t>(seq >> 8);
    buffer[3] = static_cast<std::uint8_t>(seq);
    std::size_t length = plainLength;
    if (!out.protectRtp(buffer, length)) state.SkipWithError("protectRtp failed");
  };
  protectOne();  // the first packet of an SSRC makes its stream: a per-SSRC cost, not counted
  const double mallocs = mallocsPerCall(1000, protectOne);
  for (auto _ : state) {
    protectOne();
    benchmark::DoNotOptimize(buffer.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(payload));
  state.counters["heap_allocs_per_pkt"] = mallocs;
}

template <typename Session>
void BM_Unprotect(benchmark::State& state, SrtpProfile profile) {
  const auto payload = static_cast<std::size_t>(state.range(0));
  auto out = makeSession<Session>(SrtpDirection::Outbound, profile);
  auto in = makeSession<Session>(SrtpDirection::Inbound, profile);
  // Unprotect consumes its input and rejects replays, so protected packets are made in batches
  // outside the timed region; one pause per batch keeps the timer overhead per packet small.
  constexpr std::size_t kBatch = 256;
  std::vector<Buffer> ring(kBatch);
  std::vector<std::size_t> lengths(kBatch);
  std::uint16_t seq = 0;
  auto refill = [&] {
    for (std::size_t i = 0; i < kBatch; ++i) {
      lengths[i] = writeRtp(ring[i], ++seq, payload);
      if (!out.protectRtp(ring[i], lengths[i])) state.SkipWithError("protectRtp failed");
    }
  };
  refill();
  std::size_t next = 1;
  std::size_t warmLength = lengths[0];  // makes the stream, outside the count
  if (!in.unprotectRtp(ring[0], warmLength)) state.SkipWithError("unprotectRtp failed");
  const double mallocs = mallocsPerCall(static_cast<int>(kBatch) - 1, [&] {
    std::size_t length = lengths[next];
    if (!in.unprotectRtp(ring[next], length)) state.SkipWithError("unprotectRtp failed");
    ++next;
  });
  refill();
  next = 0;
  for (auto _ : state) {
    if (next == kBatch) {
      state.PauseTiming();
      refill();
      next = 0;
      state.ResumeTiming();
    }
    std::size_t length = lengths[next];
    if (!in.unprotectRtp(ring[next], length)) state.SkipWithError("unprotectRtp failed");
    benchmark::DoNotOptimize(length);
    ++next;
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(payload));
  state.counters["heap_allocs_per_pkt"] = mallocs;
}

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
struct MacFree {
  void operator()(EVP_MAC* mac) const { EVP_MAC_free(mac); }
};
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};

// SRTP's per-packet IV: salt XOR (SSRC << 64) XOR (index << 16) for AES-CM (RFC 3711 4.1.1),
// salt XOR (0 || SSRC || ROC || SEQ) for GCM (RFC 7714 8.1). Kept in the raw loops so they do
// everything SRTP must do per packet apart from libsrtp's own bookkeeping.
void cmIv(std::array<std::uint8_t, 16>& iv, const std::array<std::uint8_t, 14>& salt,
          const Buffer& packet) {
  iv.fill(0);
  std::copy(salt.begin(), salt.end(), iv.begin());
  for (std::size_t i = 0; i < 4; ++i) iv[4 + i] ^= packet[8 + i];
  iv[12] ^= packet[2];
  iv[13] ^= packet[3];
}

void BM_RawAesCtrHmacSha1(benchmark::State& state) {
  const auto payload = static_cast<std::size_t>(state.range(0));
  std::array<std::uint8_t, 16> key{};
  std::array<std::uint8_t, 20> authKey{};
  std::array<std::uint8_t, 14> salt{};
  std::iota(key.begin(), key.end(), std::uint8_t{1});
  std::iota(authKey.begin(), authKey.end(), std::uint8_t{2});
  std::iota(salt.begin(), salt.end(), std::uint8_t{3});

  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> cipher(EVP_CIPHER_CTX_new());
  EVP_EncryptInit_ex(cipher.get(), EVP_aes_128_ctr(), nullptr, key.data(), nullptr);
  std::unique_ptr<EVP_MAC, MacFree> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  std::unique_ptr<EVP_MAC_CTX, MacCtxFree> hmac(EVP_MAC_CTX_new(mac.get()));
  char digest[] = "SHA1";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_END};
  EVP_MAC_init(hmac.get(), authKey.data(), authKey.size(), params);

  Buffer buffer{};
  std::uint16_t seq = 0;
  const std::size_t plainLength = writeRtp(buffer, seq, payload);
  const std::array<std::uint8_t, 4> roc{};
  std::array<std::uint8_t, 16> iv{};
  std::array<std::uint8_t, 20> tag{};
  auto one = [&] {
    ++seq;
    buffer[2] = static_cast<std::uint8_t>(seq >> 8);
    buffer[3] = static_cast<std::uint8_t>(seq);
    cmIv(iv, salt, buffer);
    int outLength = 0;
    EVP_EncryptInit_ex(cipher.get(), nullptr, nullptr, nullptr, iv.data());
    EVP_EncryptUpdate(cipher.get(), buffer.data() + kHeaderLength, &outLength,
                      buffer.data() + kHeaderLength, static_cast<int>(payload));
    EVP_MAC_init(hmac.get(), nullptr, 0, nullptr);  // reuse the key: only the state resets
    EVP_MAC_update(hmac.get(), buffer.data(), plainLength);
    EVP_MAC_update(hmac.get(), roc.data(), roc.size());
    std::size_t tagLength = 0;
    EVP_MAC_final(hmac.get(), tag.data(), &tagLength, tag.size());
    std::copy(tag.begin(), tag.begin() + 10, buffer.begin() + static_cast<long>(plainLength));
  };
  const double mallocs = mallocsPerCall(1000, one);
  for (auto _ : state) {
    one();
    benchmark::DoNotOptimize(buffer.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(payload));
  state.counters["heap_allocs_per_pkt"] = mallocs;
}

void BM_RawAesCtrSha1States(benchmark::State& state) {
  const auto payload = static_cast<std::size_t>(state.range(0));
  std::array<std::uint8_t, 16> key{};
  std::array<std::uint8_t, 14> salt{};
  std::iota(key.begin(), key.end(), std::uint8_t{1});
  std::iota(salt.begin(), salt.end(), std::uint8_t{3});
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> cipher(EVP_CIPHER_CTX_new());
  EVP_EncryptInit_ex(cipher.get(), EVP_aes_128_ctr(), nullptr, key.data(), nullptr);
  // HMAC key (20 octets, zero-padded to the block) XOR ipad / opad, hashed once.
  std::array<std::uint8_t, SHA_CBLOCK> pad{};
  SHA_CTX inner;
  SHA_CTX outer;
  auto keyByte = [](std::size_t i) { return static_cast<std::uint8_t>(i < 20 ? i + 2 : 0); };
  for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = keyByte(i) ^ 0x36;
  SHA1_Init(&inner);
  SHA1_Update(&inner, pad.data(), pad.size());
  for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = keyByte(i) ^ 0x5c;
  SHA1_Init(&outer);
  SHA1_Update(&outer, pad.data(), pad.size());

  Buffer buffer{};
  std::uint16_t seq = 0;
  const std::size_t plainLength = writeRtp(buffer, seq, payload);
  const std::array<std::uint8_t, 4> roc{};
  std::array<std::uint8_t, 16> iv{};
  std::array<std::uint8_t, 20> digest{};
  auto one = [&] {
    ++seq;
    buffer[2] = static_cast<std::uint8_t>(seq >> 8);
    buffer[3] = static_cast<std::uint8_t>(seq);
    cmIv(iv, salt, buffer);
    int outLength = 0;
    EVP_EncryptInit_ex(cipher.get(), nullptr, nullptr, nullptr, iv.data());
    EVP_EncryptUpdate(cipher.get(), buffer.data() + kHeaderLength, &outLength,
                      buffer.data() + kHeaderLength, static_cast<int>(payload));
    SHA_CTX ctx = inner;
    SHA1_Update(&ctx, buffer.data(), plainLength);
    SHA1_Update(&ctx, roc.data(), roc.size());
    SHA1_Final(digest.data(), &ctx);
    ctx = outer;
    SHA1_Update(&ctx, digest.data(), digest.size());
    SHA1_Final(digest.data(), &ctx);
    std::copy(digest.begin(), digest.begin() + 10,
              buffer.begin() + static_cast<long>(plainLength));
  };
  const double mallocs = mallocsPerCall(1000, one);
  for (auto _ : state) {
    one();
    benchmark::DoNotOptimize(buffer.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(payload));
  state.counters["heap_allocs_per_pkt"] = mallocs;
}

void BM_RawAesGcm(benchmark::State& state) {
  const auto payload = static_cast<std::size_t>(state.range(0));
  std::array<std::uint8_t, 16> key{};
  std::array<std::uint8_t, 12> salt{};
  std::iota(key.begin(), key.end(), std::uint8_t{1});
  std::iota(salt.begin(), salt.end(), std::uint8_t{3});
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> cipher(EVP_CIPHER_CTX_new());
  EVP_EncryptInit_ex(cipher.get(), EVP_aes_128_gcm(), nullptr, key.data(), nullptr);

  Buffer buffer{};
  std::uint16_t seq = 0;
  const std::size_t plainLength = writeRtp(buffer, seq, payload);
  std::array<std::uint8_t, 12> iv{};
  auto one = [&] {
    ++seq;
    buffer[2] = static_cast<std::uint8_t>(seq >> 8);
    buffer[3] = static_cast<std::uint8_t>(seq);
    iv = salt;
    for (std::size_t i = 0; i < 4; ++i) iv[2 + i] ^= buffer[8 + i];
    iv[10] ^= buffer[2];
    iv[11] ^= buffer[3];
    int outLength = 0;
    EVP_EncryptInit_ex(cipher.get(), nullptr, nullptr, nullptr, iv.data());
    EVP_EncryptUpdate(cipher.get(), nullptr, &outLength, buffer.data(), kHeaderLength);
    EVP_EncryptUpdate(cipher.get(), buffer.data() + kHeaderLength, &outLength,
                      buffer.data() + kHeaderLength, static_cast<int>(payload));
    EVP_EncryptFinal_ex(cipher.get(), buffer.data() + plainLength, &outLength);
    EVP_CIPHER_CTX_ctrl(cipher.get(), EVP_CTRL_GCM_GET_TAG, 16, buffer.data() + plainLength);
  };
  const double mallocs = mallocsPerCall(1000, one);
  for (auto _ : state) {
    one();
    benchmark::DoNotOptimize(buffer.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(payload));
  state.counters["heap_allocs_per_pkt"] = mallocs;
}

void BM_OursProtect(benchmark::State& state, SrtpProfile profile) {
  BM_Protect<SrtpSession>(state, profile);
}
void BM_OursUnprotect(benchmark::State& state, SrtpProfile profile) {
  BM_Unprotect<SrtpSession>(state, profile);
}
void BM_LibsrtpProtect(benchmark::State& state, SrtpProfile profile) {
  BM_Protect<LibsrtpSession>(state, profile);
}
void BM_LibsrtpUnprotect(benchmark::State& state, SrtpProfile profile) {
  BM_Unprotect<LibsrtpSession>(state, profile);
}

BENCHMARK_CAPTURE(BM_OursProtect, AES_CM_SHA1_80, SrtpProfile::Aes128CmHmacSha1_80)->Arg(1200);
BENCHMARK_CAPTURE(BM_OursUnprotect, AES_CM_SHA1_80, SrtpProfile::Aes128CmHmacSha1_80)->Arg(1200);
BENCHMARK(BM_RawAesCtrHmacSha1)->Arg(1200);
BENCHMARK(BM_RawAesCtrSha1States)->Arg(1200);
BENCHMARK_CAPTURE(BM_LibsrtpProtect, AES_CM_SHA1_80, SrtpProfile::Aes128CmHmacSha1_80)->Arg(1200);
BENCHMARK_CAPTURE(BM_LibsrtpUnprotect, AES_CM_SHA1_80, SrtpProfile::Aes128CmHmacSha1_80)
    ->Arg(1200);
BENCHMARK_CAPTURE(BM_OursProtect, AEAD_AES_128_GCM, SrtpProfile::AeadAes128Gcm)->Arg(1200);
BENCHMARK_CAPTURE(BM_OursUnprotect, AEAD_AES_128_GCM, SrtpProfile::AeadAes128Gcm)->Arg(1200);
BENCHMARK(BM_RawAesGcm)->Arg(1200);
BENCHMARK_CAPTURE(BM_LibsrtpProtect, AEAD_AES_128_GCM, SrtpProfile::AeadAes128Gcm)->Arg(1200);
BENCHMARK_CAPTURE(BM_LibsrtpUnprotect, AEAD_AES_128_GCM, SrtpProfile::AeadAes128Gcm)->Arg(1200);

void printRatio(const huddle::bench::CpuTimeReporter& reporter, const char* label,
                const std::string& srtp, const std::string& raw) {
  const double a = reporter.meanCpuTime(srtp);
  const double b = reporter.meanCpuTime(raw);
  if (a <= 0 || b <= 0) return;  // filtered out
  std::printf("ratio %s = %.2f (target <= 1.3)  [cpu %.0f ns/pkt vs %.0f ns/pkt]\n", label,
              a / b, a, b);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // Keep libsrtp initialised across benchmarks so srtp_init()'s self-tests stay out of them.
  auto library = huddle::rtc::SrtpLibrary::acquire();
  if (!library) {
    std::fprintf(stderr, "libsrtp init failed: %s\n", library.message().c_str());
    return 1;
  }
  std::printf("%s, crypto backend: %s\n", std::string(huddle::rtc::SrtpLibrary::version()).c_str(),
              std::string(huddle::rtc::SrtpLibrary::cryptoBackend()).c_str());
  huddle::bench::CpuTimeReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  for (const char* impl : {"Ours", "Libsrtp"}) {
    for (const char* op : {"Protect", "Unprotect"}) {
      for (const auto& [profile, raw] :
           {std::pair{"AES_CM_SHA1_80", "BM_RawAesCtrHmacSha1/1200"},
            std::pair{"AEAD_AES_128_GCM", "BM_RawAesGcm/1200"}}) {
        const std::string label = std::string(impl) + "/raw " + op + " " + profile;
        char padded[64];
        std::snprintf(padded, sizeof padded, "%-36s", label.c_str());
        printRatio(reporter, padded,
                   std::string("BM_") + impl + op + "/" + profile + "/1200", raw);
      }
    }
  }
  for (const char* op : {"Protect", "Unprotect"}) {
    char padded[64];
    std::snprintf(padded, sizeof padded, "%-36s",
                  (std::string("Ours/raw-SHA1-states ") + op + " AES_CM").c_str());
    printRatio(reporter, padded, std::string("BM_Ours") + op + "/AES_CM_SHA1_80/1200",
               "BM_RawAesCtrSha1States/1200");
  }
  benchmark::Shutdown();
  return 0;
}
