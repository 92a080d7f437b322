// The per-packet path must not touch the C++ heap. This binary replaces the global operator new
// with one that counts while a test has counting switched on.
//
// Scope: this sees allocations made by our code and by anything C++ it calls. It does not see
// malloc() inside libsrtp's crypto backend: Debian's libsrtp2 2.5.0-3 is built against NSS, which
// mallocs on every packet (14 per AES-CM packet, 5 per GCM packet when measured; bench_srtp
// reports it as heap_allocs_per_pkt).

#include "rtc/srtp/srtp_session.h"

#include "srtp_test_util.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <numeric>
#include <vector>

namespace {

std::atomic<bool> countingOn{false};
std::atomic<long> newCalls{0};

void* countedAllocate(std::size_t size) {
  if (countingOn.load(std::memory_order_relaxed)) newCalls.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t size) { return countedAllocate(size); }
void* operator new[](std::size_t size) { return countedAllocate(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace huddle::rtc {
namespace {

using test::PacketBuffer;

// Counts operator new calls while alive.
class NewCounter {
 public:
  NewCounter() {
    newCalls.store(0);
    countingOn.store(true);
  }
  ~NewCounter() { countingOn.store(false); }
  NewCounter(const NewCounter&) = delete;
  NewCounter& operator=(const NewCounter&) = delete;
  [[nodiscard]] long calls() const { return newCalls.load(); }
};

TEST(SrtpAllocation, CounterSeesOperatorNew) {
  // Guards the test below against a counter that never fires.
  long calls = 0;
  {
    NewCounter counter;
    auto p = std::make_unique<std::vector<int>>(16);
    calls = counter.calls();
  }
  EXPECT_GE(calls, 2);
}

class SrtpAllocationProfiles : public ::testing::TestWithParam<SrtpProfile> {};

INSTANTIATE_TEST_SUITE_P(All, SrtpAllocationProfiles,
                         ::testing::Values(SrtpProfile::Aes128CmHmacSha1_80,
                                           SrtpProfile::AeadAes128Gcm),
                         [](const auto& param) {
                           return std::string(srtpProfileInfo(param.param).name);
                         });

TEST_P(SrtpAllocationProfiles, InPlaceProtectAndUnprotectUseNoOperatorNew) {
  const auto& info = srtpProfileInfo(GetParam());
  std::vector<std::uint8_t> key(info.keyLength);
  std::vector<std::uint8_t> salt(info.saltLength);
  std::iota(key.begin(), key.end(), std::uint8_t{3});
  std::iota(salt.begin(), salt.end(), std::uint8_t{9});
  const auto master = SrtpMasterKey::fromParts(GetParam(), key, salt);
  ASSERT_TRUE(master.has_value());
  auto out = SrtpSession::create(SrtpDirection::Outbound, *master);
  auto in = SrtpSession::create(SrtpDirection::Inbound, *master);
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE(in.ok());

  constexpr std::uint32_t kSsrc = 0xcafe0001;
  PacketBuffer buffer{};
  // The first packet of an SSRC makes its stream inside libsrtp: a per-stream cost, not per packet.
  std::size_t length = test::writeRtp(buffer, kSsrc, 1, 1200);
  ASSERT_TRUE(out->protectRtp(buffer, length));
  ASSERT_TRUE(in->unprotectRtp(buffer, length));
  length = test::writeRtcpReceiverReport(buffer, kSsrc, 1, 1);
  ASSERT_TRUE(out->protectRtcp(buffer, length));
  ASSERT_TRUE(in->unprotectRtcp(buffer, length));

  long calls = -1;
  int ok = 0;
  {
    NewCounter counter;
    for (std::uint16_t seq = 2; seq < 202; ++seq) {
      length = test::writeRtp(buffer, kSsrc, seq, 1200);
      ok += out->protectRtp(buffer, length) ? 1 : 0;
      ok += in->unprotectRtp(buffer, length) ? 1 : 0;
      length = test::writeRtcpReceiverReport(buffer, kSsrc, 1, seq);
      ok += out->protectRtcp(buffer, length) ? 1 : 0;
      ok += in->unprotectRtcp(buffer, length) ? 1 : 0;
    }
    // Failures take the counting and logging path; it must not allocate either.
    length = test::writeRtcpReceiverReport(buffer, kSsrc, 1, 999);
    ok += out->protectRtcp(buffer, length) ? 1 : 0;
    buffer[20] ^= 1;
    ok += in->unprotectRtcp(buffer, length) ? 1 : 0;
    calls = counter.calls();
  }
  EXPECT_EQ(ok, 801);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(in->counters().authFailures, 1u);
}

}  // namespace
}  // namespace huddle::rtc
