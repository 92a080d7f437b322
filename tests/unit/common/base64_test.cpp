#include "common/base64.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace huddle {
namespace {

std::span<const std::uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// RFC 4648 section 10 test vectors.
TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(encodeBase64(bytes("")), "");
  EXPECT_EQ(encodeBase64(bytes("f")), "Zg==");
  EXPECT_EQ(encodeBase64(bytes("fo")), "Zm8=");
  EXPECT_EQ(encodeBase64(bytes("foo")), "Zm9v");
  EXPECT_EQ(encodeBase64(bytes("foob")), "Zm9vYg==");
  EXPECT_EQ(encodeBase64(bytes("fooba")), "Zm9vYmE=");
  EXPECT_EQ(encodeBase64(bytes("foobar")), "Zm9vYmFy");
}

TEST(Base64, UrlAlphabetSwapsPlusAndSlash) {
  const std::string raw = "\xfb\xff\xbf";
  EXPECT_EQ(encodeBase64(bytes(raw)), "+/+/");
  EXPECT_EQ(encodeBase64Url(bytes(raw)), "-_-_");
  EXPECT_EQ(encodeBase64Url(bytes("f")), "Zg");
  EXPECT_EQ(encodeBase64Url(bytes("f"), Base64Padding::Keep), "Zg==");
}

TEST(Base64, RoundTripsEveryByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t len = 0; len <= all.size(); len += 37) {
    const std::string part = all.substr(0, len);
    EXPECT_EQ(decodeBase64(encodeBase64(bytes(part))), part);
    EXPECT_EQ(decodeBase64Url(encodeBase64Url(bytes(part))), part);
    EXPECT_EQ(decodeBase64Url(encodeBase64Url(bytes(part), Base64Padding::Keep)), part);
  }
}

TEST(Base64, RejectsForeignAlphabetAndBadPadding) {
  EXPECT_FALSE(decodeBase64Url("+/+/"));
  EXPECT_FALSE(decodeBase64("-_-_"));
  EXPECT_FALSE(decodeBase64("Zm9v YmFy"));
  EXPECT_FALSE(decodeBase64("Zg="));      // padding that does not complete a quantum
  EXPECT_FALSE(decodeBase64("Zg==="));    // three padding characters
  EXPECT_FALSE(decodeBase64("Z"));        // 4n+1 characters encode nothing
  EXPECT_FALSE(decodeBase64("Zh=="));     // non-zero trailing bits
  EXPECT_FALSE(decodeBase64Url("Zm=v"));  // padding in the middle
}

TEST(Base64, AcceptsMissingPadding) {
  EXPECT_EQ(decodeBase64("Zg"), "f");
  EXPECT_EQ(decodeBase64Url("Zm8="), "fo");
}

}  // namespace
}  // namespace huddle

namespace huddle {
namespace {

TEST(Base64, DecodesIntoCallerBufferWithoutOverrunning) {
  std::array<std::uint8_t, 6> out{};
  EXPECT_EQ(decodeBase64Url("Zm9vYmFy", out), 6u);
  EXPECT_EQ(std::string(out.begin(), out.end()), "foobar");
  std::array<std::uint8_t, 5> small{};
  EXPECT_FALSE(decodeBase64Url("Zm9vYmFy", small));  // needs six bytes
  EXPECT_EQ(decodeBase64Url("Zm9vYg==", small), 4u);
  EXPECT_FALSE(decodeBase64Url("Zm9v+mFy", out));  // standard alphabet is foreign here
}

}  // namespace
}  // namespace huddle
