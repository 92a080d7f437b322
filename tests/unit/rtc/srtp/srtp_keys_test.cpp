#include "rtc/srtp/srtp_keys.h"

#include "srtp_test_util.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

namespace huddle::rtc {
namespace {

using test::toHex;

std::vector<std::uint8_t> countingBlock(std::size_t length) {
  std::vector<std::uint8_t> block(length);
  std::iota(block.begin(), block.end(), std::uint8_t{1});
  return block;
}

TEST(SrtpProfile, LengthsFollowTheProfiles) {
  EXPECT_EQ(srtpKeyingMaterialLength(SrtpProfile::Aes128CmHmacSha1_80), 60u);
  EXPECT_EQ(srtpKeyingMaterialLength(SrtpProfile::Aes128CmHmacSha1_32), 60u);
  EXPECT_EQ(srtpKeyingMaterialLength(SrtpProfile::AeadAes128Gcm), 56u);
  EXPECT_EQ(srtpRtpOverhead(SrtpProfile::Aes128CmHmacSha1_80), 10u);
  EXPECT_EQ(srtpRtpOverhead(SrtpProfile::Aes128CmHmacSha1_32), 4u);
  EXPECT_EQ(srtpRtpOverhead(SrtpProfile::AeadAes128Gcm), 16u);
  EXPECT_EQ(srtpRtcpOverhead(SrtpProfile::Aes128CmHmacSha1_32), 14u);
  EXPECT_EQ(srtpRtcpOverhead(SrtpProfile::AeadAes128Gcm), 20u);
}

TEST(SrtpProfile, FromDtlsProfileId) {
  EXPECT_EQ(srtpProfileFromId(0x0001), SrtpProfile::Aes128CmHmacSha1_80);
  EXPECT_EQ(srtpProfileFromId(0x0002), SrtpProfile::Aes128CmHmacSha1_32);
  EXPECT_EQ(srtpProfileFromId(0x0007), SrtpProfile::AeadAes128Gcm);
  EXPECT_EQ(srtpProfileFromId(0x0008), std::nullopt);  // AES-256-GCM: not offered
  EXPECT_EQ(srtpProfileFromId(0x0000), std::nullopt);
}

TEST(SrtpKeySplit, ClientAndServerGetMirroredPairs) {
  for (const auto profile : {SrtpProfile::Aes128CmHmacSha1_80, SrtpProfile::AeadAes128Gcm}) {
    const auto block = countingBlock(srtpKeyingMaterialLength(profile));
    const auto client = splitSrtpKeyingMaterial(profile, SrtpKeyRole::Client, block);
    const auto server = splitSrtpKeyingMaterial(profile, SrtpKeyRole::Server, block);
    ASSERT_TRUE(client.has_value());
    ASSERT_TRUE(server.has_value());
    // What one side protects with, the other unprotects with.
    EXPECT_TRUE(client->local == server->remote);
    EXPECT_TRUE(client->remote == server->local);
    EXPECT_FALSE(client->local == client->remote);
  }
}

TEST(SrtpKeySplit, TakesKeysAndSaltsFromTheirRfc5764Offsets) {
  // AES-CM: 16-octet keys, 14-octet salts. Block = 01..3c.
  const auto block = countingBlock(60);
  const auto client = splitSrtpKeyingMaterial(SrtpProfile::Aes128CmHmacSha1_80, SrtpKeyRole::Client,
                                              block);
  ASSERT_TRUE(client.has_value());
  // client_write_key = octets 1..16, client salt = octets 33..46.
  EXPECT_EQ(toHex(client->local.key().data(), client->local.key().size()),
            "0102030405060708090a0b0c0d0e0f10");
  EXPECT_EQ(toHex(client->local.salt().data(), client->local.salt().size()),
            "2122232425262728292a2b2c2d2e");
  // server_write_key = octets 17..32, server salt = octets 47..60.
  EXPECT_EQ(toHex(client->remote.key().data(), client->remote.key().size()),
            "1112131415161718191a1b1c1d1e1f20");
  EXPECT_EQ(toHex(client->remote.salt().data(), client->remote.salt().size()),
            "2f303132333435363738393a3b3c");
  // libsrtp's layout: key immediately followed by salt.
  EXPECT_EQ(toHex(client->local.bytes().data(), client->local.bytes().size()),
            "0102030405060708090a0b0c0d0e0f10"
            "2122232425262728292a2b2c2d2e");
}

TEST(SrtpKeySplit, GcmUsesTwelveOctetSalts) {
  const auto block = countingBlock(56);
  const auto server =
      splitSrtpKeyingMaterial(SrtpProfile::AeadAes128Gcm, SrtpKeyRole::Server, block);
  ASSERT_TRUE(server.has_value());
  // Server sends with server_write_key (octets 17..32) and server salt (octets 45..56).
  EXPECT_EQ(toHex(server->local.key().data(), server->local.key().size()),
            "1112131415161718191a1b1c1d1e1f20");
  EXPECT_EQ(toHex(server->local.salt().data(), server->local.salt().size()),
            "2d2e2f303132333435363738");
  EXPECT_EQ(toHex(server->remote.salt().data(), server->remote.salt().size()),
            "2122232425262728292a2b2c");
}

TEST(SrtpKeySplit, RejectsWrongLengths) {
  const auto shortBlock = countingBlock(59);
  EXPECT_FALSE(
      splitSrtpKeyingMaterial(SrtpProfile::Aes128CmHmacSha1_80, SrtpKeyRole::Client, shortBlock));
  const auto cmBlock = countingBlock(60);
  EXPECT_FALSE(splitSrtpKeyingMaterial(SrtpProfile::AeadAes128Gcm, SrtpKeyRole::Client, cmBlock));
  EXPECT_FALSE(splitSrtpKeyingMaterial(SrtpProfile::AeadAes128Gcm, SrtpKeyRole::Client, {}));
}

TEST(SrtpMasterKey, FromPartsChecksLengths) {
  const auto key = countingBlock(16);
  const auto salt14 = countingBlock(14);
  EXPECT_TRUE(SrtpMasterKey::fromParts(SrtpProfile::Aes128CmHmacSha1_80, key, salt14));
  EXPECT_FALSE(SrtpMasterKey::fromParts(SrtpProfile::AeadAes128Gcm, key, salt14));
  EXPECT_FALSE(SrtpMasterKey::fromParts(SrtpProfile::Aes128CmHmacSha1_80, salt14, salt14));
}

}  // namespace
}  // namespace huddle::rtc
