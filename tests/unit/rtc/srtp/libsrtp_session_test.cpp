// The libsrtp2 reference (LibsrtpSession) and the library handle it holds. Our SrtpSession's
// behaviour is compared with it packet by packet in srtp_cross_check_test.cpp.

#include "rtc/srtp/libsrtp_session.h"

#include "srtp_test_util.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

namespace huddle::rtc {
namespace {

using test::PacketBuffer;
using test::writeRtp;

constexpr std::uint32_t kSsrc = 0x11223344;

SrtpMasterKey makeKey(SrtpProfile profile, std::uint8_t seed) {
  const auto& info = srtpProfileInfo(profile);
  std::vector<std::uint8_t> key(info.keyLength);
  std::vector<std::uint8_t> salt(info.saltLength);
  std::iota(key.begin(), key.end(), seed);
  std::iota(salt.begin(), salt.end(), static_cast<std::uint8_t>(seed + 0x40));
  return *SrtpMasterKey::fromParts(profile, key, salt);
}

struct Pair {
  LibsrtpSession out;
  LibsrtpSession in;
};

Pair makePair(SrtpProfile profile) {
  const auto key = makeKey(profile, 0x10);
  auto out = LibsrtpSession::create(SrtpDirection::Outbound, key);
  auto in = LibsrtpSession::create(SrtpDirection::Inbound, key);
  EXPECT_TRUE(out.ok());
  EXPECT_TRUE(in.ok());
  return Pair{std::move(out).value(), std::move(in).value()};
}

TEST(LibsrtpSession, ReplayAndTamperAreCountedByReason) {
  auto [out, in] = makePair(SrtpProfile::Aes128CmHmacSha1_80);
  PacketBuffer buffer{};
  std::size_t length = writeRtp(buffer, kSsrc, 9, 100);
  ASSERT_TRUE(out.protectRtp(buffer, length));
  PacketBuffer tampered = buffer;
  tampered[40] ^= 1;
  std::size_t tamperedLength = length;
  EXPECT_FALSE(in.unprotectRtp(tampered, tamperedLength));
  const PacketBuffer wire = buffer;
  const std::size_t wireLength = length;
  ASSERT_TRUE(in.unprotectRtp(buffer, length));
  buffer = wire;
  length = wireLength;
  EXPECT_FALSE(in.unprotectRtp(buffer, length));
  EXPECT_EQ(in.counters().authFailures, 1u);
  EXPECT_EQ(in.counters().replayFailures, 1u);
}

TEST(LibsrtpSession, MovedSessionKeepsWorkingAndLibraryStaysUp) {
  const int before = SrtpLibrary::users();
  {
    auto [out, in] = makePair(SrtpProfile::Aes128CmHmacSha1_80);
    EXPECT_EQ(SrtpLibrary::users(), before + 2);
    LibsrtpSession moved = std::move(out);
    PacketBuffer buffer{};
    std::size_t length = writeRtp(buffer, kSsrc, 1, 100);
    ASSERT_TRUE(moved.protectRtp(buffer, length));
    ASSERT_TRUE(in.unprotectRtp(buffer, length));
    EXPECT_EQ(SrtpLibrary::users(), before + 2);
  }
  EXPECT_EQ(SrtpLibrary::users(), before);
}

TEST(SrtpLibrary, NamesStatusesAndVersion) {
  EXPECT_EQ(SrtpLibrary::statusName(0), "ok");
  EXPECT_EQ(SrtpLibrary::statusName(7), "auth_fail");
  EXPECT_EQ(SrtpLibrary::statusName(9), "replay_fail");
  EXPECT_EQ(SrtpLibrary::statusName(1000), "unknown");
  EXPECT_NE(SrtpLibrary::version().find("2."), std::string_view::npos);
}

TEST(SrtpLibrary, ReportsItsCryptoBackend) {
  const int before = SrtpLibrary::users();
  const auto backend = SrtpLibrary::cryptoBackend();
  EXPECT_TRUE(backend == "openssl" || backend == "nss" || backend == "mbedtls" ||
              backend == "builtin")
      << backend;
  EXPECT_EQ(SrtpLibrary::users(), before);  // the probe released what it took
}

TEST(SrtpLibrary, HandlesAreCountedAndReinitialiseAfterShutdown) {
  const int before = SrtpLibrary::users();
  {
    auto a = SrtpLibrary::acquire();
    ASSERT_TRUE(a.ok());
    auto b = SrtpLibrary::acquire();
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(SrtpLibrary::users(), before + 2);
  }
  EXPECT_EQ(SrtpLibrary::users(), before);
  // A session made after a full shutdown still works.
  auto [out, in] = makePair(SrtpProfile::AeadAes128Gcm);
  PacketBuffer buffer{};
  std::size_t length = writeRtp(buffer, kSsrc, 1, 100);
  ASSERT_TRUE(out.protectRtp(buffer, length));
  EXPECT_TRUE(in.unprotectRtp(buffer, length));
}

}  // namespace
}  // namespace huddle::rtc
