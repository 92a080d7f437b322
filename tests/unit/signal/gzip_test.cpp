#include "signal/gzip.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace huddle::signal {
namespace {

std::span<const std::uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

TEST(Gzip, InflatesAHandMadeStoredMember) {
  // RFC 1952 member holding "hi" in a stored (uncompressed) deflate block.
  const std::vector<std::uint8_t> member = {
      0x1f, 0x8b, 0x08, 0x00,        // magic, CM=deflate, FLG=0
      0x00, 0x00, 0x00, 0x00,        // MTIME
      0x00, 0x03,                    // XFL, OS=unix
      0x01, 0x02, 0x00, 0xfd, 0xff,  // final stored block, LEN=2, NLEN=~2
      'h',  'i',                     //
      0xac, 0x2a, 0x93, 0xd8,        // CRC32("hi") little-endian
      0x02, 0x00, 0x00, 0x00,        // ISIZE = 2
  };
  const auto out = gunzip(member, 1024);
  ASSERT_TRUE(out.ok()) << out.message();
  EXPECT_EQ(*out, "hi");
}

TEST(Gzip, RoundTrip) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "participant " + std::to_string(i) + ";";
  const std::string packed = gzip(bytes(text));
  EXPECT_LT(packed.size(), text.size());
  const auto out = gunzip(bytes(packed), text.size());
  ASSERT_TRUE(out.ok()) << out.message();
  EXPECT_EQ(*out, text);
}

TEST(Gzip, RefusesABombAtTheCap) {
  // 64 MiB of zeros compress to about 64 KiB; the cap must stop inflation long before the end.
  const std::string zeros(64 * 1024 * 1024, '\0');
  const std::string bomb = gzip(bytes(zeros));
  ASSERT_LT(bomb.size(), 200u * 1024);
  const auto out = gunzip(bytes(bomb), 1024 * 1024);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.code(), GzipError::TooLarge);
}

TEST(Gzip, OutputExactlyAtTheCapIsAccepted) {
  const std::string text(1000, 'x');
  const auto out = gunzip(bytes(gzip(bytes(text))), 1000);
  ASSERT_TRUE(out.ok()) << out.message();
  EXPECT_EQ(out->size(), 1000u);
  EXPECT_EQ(gunzip(bytes(gzip(bytes(text))), 999).code(), GzipError::TooLarge);
}

TEST(Gzip, RejectsTruncatedCorruptAndTrailingBytes) {
  const std::string packed = gzip(bytes(std::string(300, 'a')));
  EXPECT_EQ(gunzip(bytes(packed.substr(0, packed.size() - 3)), 4096).code(), GzipError::Corrupt);
  std::string badCrc = packed;
  badCrc[badCrc.size() - 6] ^= 0x01;
  EXPECT_EQ(gunzip(bytes(badCrc), 4096).code(), GzipError::Corrupt);
  EXPECT_EQ(gunzip(bytes(packed + "junk"), 4096).code(), GzipError::Corrupt);
  EXPECT_EQ(gunzip(bytes(std::string("plain text")), 4096).code(), GzipError::Corrupt);
  EXPECT_EQ(gunzip({}, 4096).code(), GzipError::Corrupt);
}

}  // namespace
}  // namespace huddle::signal
