// The per-packet path of our SrtpSession must not touch the heap. This binary replaces the global
// operator new with one that counts while a test has counting switched on, and (glibc, no
// sanitizer: ASan owns malloc there) malloc/calloc/realloc too, so allocations inside OpenSSL
// are seen as well. libsrtp2 (LibsrtpSession, the reference) is not held to this: Debian's is
// built on NSS, which mallocs 14 times per AES-CM packet and 5 per GCM packet (bench_srtp).

#include "rtc/srtp/srtp_session.h"

#include "counting_allocator.h"
#include "srtp_test_util.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <numeric>
#include <vector>

namespace huddle::rtc {
namespace {

using test::PacketBuffer;

// Counts operator new (and, where the shared counting allocator can, malloc) calls while alive.
class NewCounter {
 public:
  NewCounter() {
    huddle::test::resetAllocationCounts();
    huddle::test::setAllocationCounting(true);
  }
  ~NewCounter() { huddle::test::setAllocationCounting(false); }
  NewCounter(const NewCounter&) = delete;
  NewCounter& operator=(const NewCounter&) = delete;
  [[nodiscard]] long calls() const { return huddle::test::operatorNewCalls(); }
  // malloc() calls from anyone, OpenSSL included; -1 where they cannot be counted.
  [[nodiscard]] static long mallocs() {
    return huddle::test::countsMalloc() ? huddle::test::mallocCalls() : -1;
  }
};

TEST(SrtpAllocation, CounterSeesOperatorNew) {
  // Guards the test below against a counter that never fires.
  long calls = 0;
  long mallocs = 0;
  {
    NewCounter counter;
    auto p = std::make_unique<std::vector<int>>(16);
    calls = counter.calls();
    mallocs = NewCounter::mallocs();
  }
  EXPECT_GE(calls, 2);
  EXPECT_TRUE(mallocs == -1 || mallocs >= 2) << mallocs;
}

class SrtpAllocationProfiles : public ::testing::TestWithParam<SrtpProfile> {};

INSTANTIATE_TEST_SUITE_P(All, SrtpAllocationProfiles,
                         ::testing::Values(SrtpProfile::Aes128CmHmacSha1_80,
                                           SrtpProfile::Aes128CmHmacSha1_32,
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
  // The first packet of an SSRC makes its stream state: a per-stream cost, not per packet.
  std::size_t length = test::writeRtp(buffer, kSsrc, 1, 1200);
  ASSERT_TRUE(out->protectRtp(buffer, length));
  ASSERT_TRUE(in->unprotectRtp(buffer, length));
  length = test::writeRtcpReceiverReport(buffer, kSsrc, 1, 1);
  ASSERT_TRUE(out->protectRtcp(buffer, length));
  ASSERT_TRUE(in->unprotectRtcp(buffer, length));
  // One failure before counting: the first log call builds spdlog's registry, once per process.
  length = test::writeRtcpReceiverReport(buffer, kSsrc, 1, 2);
  ASSERT_TRUE(out->protectRtcp(buffer, length));
  buffer[20] ^= 1;
  ASSERT_FALSE(in->unprotectRtcp(buffer, length));

  long calls = -1;
  long mallocs = -1;
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
    mallocs = NewCounter::mallocs();
  }
  EXPECT_EQ(ok, 801);
  EXPECT_EQ(calls, 0);
  EXPECT_LE(mallocs, 0);  // 0 where counted, -1 under ASan
  EXPECT_EQ(in->counters().authFailures, 2u);
}

}  // namespace
}  // namespace huddle::rtc
