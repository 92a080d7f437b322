// Proves our per-message code allocates nothing: operator new is counted by replacing it in this
// test binary. OpenSSL 3.0's EVP_MAC allocates inside every re-key (about five blocks per HMAC);
// that is counted apart through CRYPTO_set_mem_functions and reported, not asserted, because it
// belongs to the library and changes with its version.
#include <openssl/crypto.h>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <new>

#include "rtc/ice/stun_message.h"

namespace {

std::atomic<bool> gCounting{false};
std::atomic<int> gCppAllocations{0};
std::atomic<int> gOpenSslAllocations{0};

void noteAllocation(std::atomic<int>& counter) {
  if (gCounting.load(std::memory_order_relaxed)) {
    counter.fetch_add(1, std::memory_order_relaxed);
  }
}

void* countingMalloc(std::size_t size, const char*, int) {
  noteAllocation(gOpenSslAllocations);
  return std::malloc(size);
}
void* countingRealloc(void* p, std::size_t size, const char*, int) {
  noteAllocation(gOpenSslAllocations);
  return std::realloc(p, size);
}
void countingFree(void* p, const char*, int) { std::free(p); }

// Must run before OpenSSL allocates anything, hence a static initializer in this binary.
const bool gOpenSslHooked = CRYPTO_set_mem_functions(countingMalloc, countingRealloc, countingFree) == 1;

}  // namespace

// g++ sees malloc inside the replaced operator new and free inside the replaced delete, and
// calls the pair mismatched; here that pairing is the whole point.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t size) {
  noteAllocation(gCppAllocations);
  if (void* p = std::malloc(size == 0 ? 1 : size)) {
    return p;
  }
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
// The nothrow forms too (std::stable_sort's temporary buffer uses them): otherwise they come from
// the runtime (or ASan) while their delete comes from here, and ASan reports a mismatch.
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  noteAllocation(gCppAllocations);
  return std::malloc(size == 0 ? 1 : size);
}
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace huddle::rtc {
namespace {

constexpr StunTransactionId kId = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
constexpr std::string_view kPassword = "remotePassword";

bool checkAndAnswer(std::span<std::uint8_t> requestBuffer, std::span<std::uint8_t> replyBuffer) {
  StunMessageBuilder request(requestBuffer, StunClass::Request, StunMethod::Binding, kId);
  request.addUsername("local:remote");
  request.addPriority(1);
  request.addIceControlling(42);
  request.addUseCandidate();
  request.addMessageIntegrity(kPassword);
  request.addFingerprint();
  const auto msg = StunMessageView::parse(request.bytes());
  if (!msg || !msg->verifyFingerprint() || !msg->verifyMessageIntegrity(kPassword)) {
    return false;
  }
  StunMessageBuilder reply(replyBuffer, StunClass::SuccessResponse, StunMethod::Binding,
                           msg->transactionId());
  reply.addXorMappedAddress(StunAddress::ipv4({127, 0, 0, 1}, 5000));
  reply.addMessageIntegrity(kPassword);
  reply.addFingerprint();
  return reply.ok();
}

TEST(StunAllocation, ParseVerifyAndBuildDoNoCppAllocationOnceWarm) {
  std::array<std::uint8_t, 256> requestBuffer{};
  std::array<std::uint8_t, 256> replyBuffer{};
  ASSERT_TRUE(checkAndAnswer(requestBuffer, replyBuffer));  // warms the per-thread HMAC context

  constexpr int kRounds = 100;  // each: build request, parse, verify both, build reply
  gCppAllocations = 0;
  gOpenSslAllocations = 0;
  gCounting = true;
  bool ok = true;
  for (int i = 0; i < kRounds; ++i) {
    ok = checkAndAnswer(requestBuffer, replyBuffer) && ok;
  }
  gCounting = false;
  EXPECT_TRUE(ok);
  EXPECT_EQ(gCppAllocations.load(), 0);
  if (gOpenSslHooked) {
    // Three HMACs per round (request integrity, its verification, reply integrity).
    RecordProperty("openssl_allocations_per_hmac", gOpenSslAllocations.load() / (3 * kRounds));
  }
}

}  // namespace
}  // namespace huddle::rtc
