// Known-answer tests. The RFCs give vectors for the pieces (RFC 3711 B.2/B.3: AES-CM keystream
// and key derivation; RFC 7714 16.1.1: one AEAD_AES_128_GCM packet from session keys), not for a
// whole packet from a master key, and both sessions only take master keys. So a small reference
// built on OpenSSL one-shot calls is first pinned to those vectors, then the output of our
// SrtpSession and of libsrtp (LibsrtpSession) is compared with it byte for byte.

#include "rtc/srtp/libsrtp_session.h"
#include "rtc/srtp/srtp_crypto.h"
#include "rtc/srtp/srtp_session.h"

#include "srtp_test_util.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace huddle::rtc {
namespace {

using test::fromHex;
using test::toHex;
using Bytes = std::vector<std::uint8_t>;

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

std::string hex(const Bytes& bytes) { return toHex(bytes.data(), bytes.size()); }

// AES-128 in counter mode: `data` XOR keystream starting at the 16-octet counter block `iv`.
Bytes aesCtr(const Bytes& key, const std::array<std::uint8_t, 16>& iv, const Bytes& data) {
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  Bytes out(data.size());
  int len = 0;
  EXPECT_EQ(EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ctr(), nullptr, key.data(), iv.data()), 1);
  EXPECT_EQ(EVP_EncryptUpdate(ctx.get(), out.data(), &len, data.data(),
                              static_cast<int>(data.size())),
            1);
  return out;
}

// RFC 3711 section 4.3.3 with key_derivation_rate 0: x = (label << 48) XOR master_salt, and the
// output is the AES-CM keystream for IV = x * 2^16. A 12-octet (GCM) salt is zero-padded to 14.
Bytes deriveSessionKey(const Bytes& masterKey, const Bytes& masterSalt, std::uint8_t label,
                       std::size_t length) {
  std::array<std::uint8_t, 16> iv{};
  std::copy(masterSalt.begin(), masterSalt.end(), iv.begin());
  iv[7] ^= label;
  return aesCtr(masterKey, iv, Bytes(length, 0));
}

// RFC 3711 section 4.1.1 / 4.2: AES-CM payload encryption + HMAC-SHA1 tag over the packet and ROC.
Bytes referenceSrtpAesCm(const Bytes& masterKey, const Bytes& masterSalt, const Bytes& rtp,
                         std::uint32_t roc, std::size_t tagLength) {
  const Bytes sessionKey = deriveSessionKey(masterKey, masterSalt, 0x00, 16);
  const Bytes authKey = deriveSessionKey(masterKey, masterSalt, 0x01, 20);
  const Bytes sessionSalt = deriveSessionKey(masterKey, masterSalt, 0x02, 14);

  std::array<std::uint8_t, 16> iv{};
  std::copy(sessionSalt.begin(), sessionSalt.end(), iv.begin());
  for (std::size_t i = 0; i < 4; ++i) iv[4 + i] ^= rtp[8 + i];  // SSRC
  const std::uint64_t index = (std::uint64_t{roc} << 16) | (std::uint64_t{rtp[2]} << 8) | rtp[3];
  for (int i = 0; i < 6; ++i) {
    iv[8 + static_cast<std::size_t>(i)] ^= static_cast<std::uint8_t>(index >> (40 - 8 * i));
  }
  const Bytes payload(rtp.begin() + 12, rtp.end());
  Bytes out(rtp.begin(), rtp.begin() + 12);
  const Bytes encrypted = aesCtr(sessionKey, iv, payload);
  out.insert(out.end(), encrypted.begin(), encrypted.end());

  Bytes authenticated = out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    authenticated.push_back(static_cast<std::uint8_t>(roc >> shift));
  }
  std::array<std::uint8_t, 20> mac{};
  unsigned int macLength = 0;
  HMAC(EVP_sha1(), authKey.data(), static_cast<int>(authKey.size()), authenticated.data(),
       authenticated.size(), mac.data(), &macLength);
  out.insert(out.end(), mac.begin(), mac.begin() + static_cast<long>(tagLength));
  return out;
}

// RFC 7714 section 8: IV = (0x0000 || SSRC || ROC || SEQ) XOR salt, AAD = the RTP header.
Bytes referenceSrtpGcmFromSessionKeys(const Bytes& sessionKey, const Bytes& sessionSalt,
                                      const Bytes& rtp, std::uint32_t roc) {
  std::array<std::uint8_t, 12> iv{};
  for (std::size_t i = 0; i < 4; ++i) iv[2 + i] = rtp[8 + i];
  for (std::size_t i = 0; i < 4; ++i) iv[6 + i] = static_cast<std::uint8_t>(roc >> (24 - 8 * i));
  iv[10] = rtp[2];
  iv[11] = rtp[3];
  for (std::size_t i = 0; i < 12; ++i) iv[i] ^= sessionSalt[i];

  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  EXPECT_EQ(EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, sessionKey.data(),
                               iv.data()),
            1);
  EXPECT_EQ(EVP_EncryptUpdate(ctx.get(), nullptr, &len, rtp.data(), 12), 1);
  Bytes out(rtp.begin(), rtp.begin() + 12);
  out.resize(rtp.size());
  EXPECT_EQ(EVP_EncryptUpdate(ctx.get(), out.data() + 12, &len, rtp.data() + 12,
                              static_cast<int>(rtp.size() - 12)),
            1);
  EXPECT_EQ(EVP_EncryptFinal_ex(ctx.get(), out.data() + 12 + len, &len), 1);
  std::array<std::uint8_t, 16> tag{};
  EXPECT_EQ(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, tag.data()), 1);
  out.insert(out.end(), tag.begin(), tag.end());
  return out;
}

Bytes referenceSrtpGcm(const Bytes& masterKey, const Bytes& masterSalt, const Bytes& rtp,
                       std::uint32_t roc) {
  return referenceSrtpGcmFromSessionKeys(deriveSessionKey(masterKey, masterSalt, 0x00, 16),
                                         deriveSessionKey(masterKey, masterSalt, 0x02, 12), rtp,
                                         roc);
}

// RFC 3711 section 3.4: SRTCP with AES-CM. Keys use labels 3/4/5; everything after the first
// 8 octets is encrypted; E|index follows, and the tag covers the packet and E|index.
// encrypted = false: the E bit clear and the body left in clear, only authenticated.
Bytes referenceSrtcpAesCm(const Bytes& masterKey, const Bytes& masterSalt, const Bytes& rtcp,
                          std::uint32_t srtcpIndex, bool encrypted = true) {
  const Bytes sessionKey = deriveSessionKey(masterKey, masterSalt, 0x03, 16);
  const Bytes authKey = deriveSessionKey(masterKey, masterSalt, 0x04, 20);
  const Bytes sessionSalt = deriveSessionKey(masterKey, masterSalt, 0x05, 14);

  std::array<std::uint8_t, 16> iv{};
  std::copy(sessionSalt.begin(), sessionSalt.end(), iv.begin());
  for (std::size_t i = 0; i < 4; ++i) iv[4 + i] ^= rtcp[4 + i];  // sender SSRC
  for (std::size_t i = 0; i < 4; ++i) {
    iv[10 + i] ^= static_cast<std::uint8_t>(srtcpIndex >> (24 - 8 * i));
  }
  Bytes out(rtcp.begin(), rtcp.begin() + 8);
  const Bytes body(rtcp.begin() + 8, rtcp.end());
  const Bytes sealed = encrypted ? aesCtr(sessionKey, iv, body) : body;
  out.insert(out.end(), sealed.begin(), sealed.end());
  const std::uint32_t eIndex = (encrypted ? 0x80000000u : 0u) | srtcpIndex;
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>(eIndex >> shift));
  }

  std::array<std::uint8_t, 20> mac{};
  unsigned int macLength = 0;
  HMAC(EVP_sha1(), authKey.data(), static_cast<int>(authKey.size()), out.data(), out.size(),
       mac.data(), &macLength);
  out.insert(out.end(), mac.begin(), mac.begin() + 10);
  return out;
}

// RFC 7714 section 9: SRTCP with AES-GCM. IV = (0x0000 || SSRC || 0x0000 || 0 || index) XOR salt,
// AAD = first 8 octets || E|index; the tag follows the ciphertext and E|index comes last.
Bytes referenceSrtcpGcm(const Bytes& masterKey, const Bytes& masterSalt, const Bytes& rtcp,
                        std::uint32_t srtcpIndex) {
  const Bytes sessionKey = deriveSessionKey(masterKey, masterSalt, 0x03, 16);
  const Bytes sessionSalt = deriveSessionKey(masterKey, masterSalt, 0x05, 12);
  std::array<std::uint8_t, 12> iv{};
  for (std::size_t i = 0; i < 4; ++i) iv[2 + i] = rtcp[4 + i];
  for (std::size_t i = 0; i < 4; ++i) {
    iv[8 + i] = static_cast<std::uint8_t>(srtcpIndex >> (24 - 8 * i));
  }
  for (std::size_t i = 0; i < 12; ++i) iv[i] ^= sessionSalt[i];
  const std::uint32_t eIndex = 0x80000000u | srtcpIndex;
  std::array<std::uint8_t, 4> eIndexBytes{};
  for (std::size_t i = 0; i < 4; ++i) {
    eIndexBytes[i] = static_cast<std::uint8_t>(eIndex >> (24 - 8 * i));
  }

  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  EXPECT_EQ(
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, sessionKey.data(), iv.data()), 1);
  EXPECT_EQ(EVP_EncryptUpdate(ctx.get(), nullptr, &len, rtcp.data(), 8), 1);
  EXPECT_EQ(EVP_EncryptUpdate(ctx.get(), nullptr, &len, eIndexBytes.data(), 4), 1);
  Bytes out(rtcp.begin(), rtcp.begin() + 8);
  out.resize(rtcp.size());
  EXPECT_EQ(EVP_EncryptUpdate(ctx.get(), out.data() + 8, &len, rtcp.data() + 8,
                              static_cast<int>(rtcp.size() - 8)),
            1);
  EXPECT_EQ(EVP_EncryptFinal_ex(ctx.get(), out.data() + 8 + len, &len), 1);
  std::array<std::uint8_t, 16> tag{};
  EXPECT_EQ(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, tag.data()), 1);
  out.insert(out.end(), tag.begin(), tag.end());
  out.insert(out.end(), eIndexBytes.begin(), eIndexBytes.end());
  return out;
}

// RFC 3711 appendix B.3.
const Bytes kRfc3711MasterKey = fromHex("E1F97A0D3E018BE0D64FA32C06DE4139");
const Bytes kRfc3711MasterSalt = fromHex("0EC675AD498AFEEBB6960B3AABE6");

// RFC 7714 section 16.1: the sample packet, SSRC 0x5501a0b2, SEQ 0xf17b, ROC 0.
const Bytes kRfc7714Rtp = fromHex(
    "8040f17b 8041f8d3 5501a0b2"                // V=2 M=0 PT=64 seq=f17b ts=8041f8d3 ssrc
    "47616c6c 69612065 7374206f 6d6e6973"      // "Gallia est omnis"
    "20646976 69736120 696e2070 61727465"      // " divisa in parte"
    "73207472 6573");                           // "s tres"

TEST(SrtpReference, KeyDerivationMatchesRfc3711AppendixB3) {
  EXPECT_EQ(hex(deriveSessionKey(kRfc3711MasterKey, kRfc3711MasterSalt, 0x00, 16)),
            "c61e7a93744f39ee10734afe3ff7a087");
  EXPECT_EQ(hex(deriveSessionKey(kRfc3711MasterKey, kRfc3711MasterSalt, 0x02, 14)),
            "30cbbc08863d8c85d49db34a9ae1");
  EXPECT_EQ(hex(deriveSessionKey(kRfc3711MasterKey, kRfc3711MasterSalt, 0x01, 20)),
            "cebe321f6ff7716b6fd4ab49af256a156d38baa4");
}

TEST(SrtpKeyDerivation, OursMatchesRfc3711AppendixB3) {
  const auto derive = [](std::uint8_t label, std::size_t length) {
    Bytes out(length);
    EXPECT_TRUE(srtp_detail::deriveSrtpKey(kRfc3711MasterKey, kRfc3711MasterSalt, label, out));
    return hex(out);
  };
  EXPECT_EQ(derive(0x00, 16), "c61e7a93744f39ee10734afe3ff7a087");
  EXPECT_EQ(derive(0x02, 14), "30cbbc08863d8c85d49db34a9ae1");
  EXPECT_EQ(derive(0x01, 20), "cebe321f6ff7716b6fd4ab49af256a156d38baa4");
  Bytes tooShortKey(15);
  EXPECT_FALSE(srtp_detail::deriveSrtpKey(Bytes(15), kRfc3711MasterSalt, 0, tooShortKey));
}

TEST(SrtpCrypto, HmacSha1MatchesOneShotHmac) {
  // RFC 2202 test case 2: key "Jefe", "what do ya want for nothing?".
  const std::string key = "Jefe";
  const std::string data = "what do ya want for nothing?";
  const srtp_detail::HmacSha1 mac(
      std::span(reinterpret_cast<const std::uint8_t*>(key.data()), key.size()));
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(data.data());
  const auto digest = mac.sign(std::span(bytes, 10), std::span(bytes + 10, data.size() - 10));
  EXPECT_EQ(toHex(digest.data(), digest.size()), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

TEST(SrtpReference, AesCmKeystreamMatchesRfc3711AppendixB2) {
  // Session key 2B7E..., salt F0F1...FD, SSRC/ROC/SEQ zero: the first keystream blocks.
  std::array<std::uint8_t, 16> iv{};
  const Bytes salt = fromHex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD");
  std::copy(salt.begin(), salt.end(), iv.begin());
  const Bytes keystream =
      aesCtr(fromHex("2B7E151628AED2A6ABF7158809CF4F3C"), iv, Bytes(48, 0));
  EXPECT_EQ(hex(keystream), "e03ead0935c95e80e166b16dd92b4eb4"
                            "d23513162b02d0f72a43a2fe4a5f97ab"
                            "41e95b3bb0a2e8dd477901e4fca894c0");
}

TEST(SrtpReference, GcmMatchesRfc7714Section16_1_1) {
  const Bytes expected = fromHex(
      "8040f17b 8041f8d3 5501a0b2"
      "f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5 0d294e6f 42a5f47a 51c7d19b 36de3adf 8833"
      "899d7f27 beb16a91 52cf765e e4390cce");  // 16-octet tag
  EXPECT_EQ(hex(referenceSrtpGcmFromSessionKeys(fromHex("000102030405060708090a0b0c0d0e0f"),
                                                fromHex("517569642070726f2071756f"),
                                                kRfc7714Rtp, 0)),
            hex(expected));
}

// Every known-answer check runs against our session and against libsrtp.
template <typename Session>
class SrtpKnownAnswer : public ::testing::Test {};
using SessionTypes = ::testing::Types<SrtpSession, LibsrtpSession>;
class SessionNames {
 public:
  template <typename T>
  static std::string GetName(int /*index*/) {
    return std::is_same_v<T, SrtpSession> ? "Ours" : "Libsrtp";
  }
};
TYPED_TEST_SUITE(SrtpKnownAnswer, SessionTypes, SessionNames);

template <typename Session>
Bytes protectWith(SrtpProfile profile, const Bytes& key, const Bytes& salt, const Bytes& rtp) {
  const auto master = SrtpMasterKey::fromParts(profile, key, salt);
  EXPECT_TRUE(master.has_value());
  auto session = Session::create(SrtpDirection::Outbound, *master);
  EXPECT_TRUE(session.ok());
  test::PacketBuffer buffer{};
  std::copy(rtp.begin(), rtp.end(), buffer.begin());
  std::size_t length = rtp.size();
  EXPECT_TRUE(session->protectRtp(buffer, length));
  return Bytes(buffer.begin(), buffer.begin() + static_cast<long>(length));
}

TYPED_TEST(SrtpKnownAnswer, AesCm80PacketMatchesReference) {
  const Bytes wire = protectWith<TypeParam>(SrtpProfile::Aes128CmHmacSha1_80, kRfc3711MasterKey,
                                            kRfc3711MasterSalt, kRfc7714Rtp);
  EXPECT_EQ(hex(wire), hex(referenceSrtpAesCm(kRfc3711MasterKey, kRfc3711MasterSalt,
                                              kRfc7714Rtp, 0, 10)));
}

TYPED_TEST(SrtpKnownAnswer, AesCm32PacketMatchesReference) {
  const Bytes wire = protectWith<TypeParam>(SrtpProfile::Aes128CmHmacSha1_32, kRfc3711MasterKey,
                                            kRfc3711MasterSalt, kRfc7714Rtp);
  EXPECT_EQ(hex(wire), hex(referenceSrtpAesCm(kRfc3711MasterKey, kRfc3711MasterSalt,
                                              kRfc7714Rtp, 0, 4)));
}

TYPED_TEST(SrtpKnownAnswer, GcmPacketMatchesReference) {
  const Bytes salt12(kRfc3711MasterSalt.begin(), kRfc3711MasterSalt.begin() + 12);
  const Bytes wire =
      protectWith<TypeParam>(SrtpProfile::AeadAes128Gcm, kRfc3711MasterKey, salt12, kRfc7714Rtp);
  EXPECT_EQ(hex(wire), hex(referenceSrtpGcm(kRfc3711MasterKey, salt12, kRfc7714Rtp, 0)));
}

template <typename Session>
Bytes protectRtcpWith(SrtpProfile profile, const Bytes& key, const Bytes& salt,
                      const Bytes& rtcp) {
  const auto master = SrtpMasterKey::fromParts(profile, key, salt);
  EXPECT_TRUE(master.has_value());
  auto session = Session::create(SrtpDirection::Outbound, *master);
  EXPECT_TRUE(session.ok());
  test::PacketBuffer buffer{};
  std::copy(rtcp.begin(), rtcp.end(), buffer.begin());
  std::size_t length = rtcp.size();
  EXPECT_TRUE(session->protectRtcp(buffer, length));
  return Bytes(buffer.begin(), buffer.begin() + static_cast<long>(length));
}

// A Receiver Report with one block, sender SSRC 0x4d617273 ("Mars").
const Bytes kReceiverReport = fromHex(
    "81c90007 4d617273"                    // V=2 RC=1 PT=201 length=7, sender SSRC
    "0000042a 00000000 0000e930"          // media SSRC, lost, highest seq
    "00000005 00000000 00000000");        // jitter, LSR, DLSR

// libsrtp numbers SRTCP packets from 1 (index 0 is never sent).
constexpr std::uint32_t kFirstSrtcpIndex = 1;

TYPED_TEST(SrtpKnownAnswer, AesCm80RtcpMatchesReference) {
  const Bytes wire = protectRtcpWith<TypeParam>(SrtpProfile::Aes128CmHmacSha1_80,
                                                kRfc3711MasterKey, kRfc3711MasterSalt,
                                                kReceiverReport);
  EXPECT_EQ(hex(wire), hex(referenceSrtcpAesCm(kRfc3711MasterKey, kRfc3711MasterSalt,
                                               kReceiverReport, kFirstSrtcpIndex)));
}

TYPED_TEST(SrtpKnownAnswer, GcmRtcpMatchesReference) {
  const Bytes salt12(kRfc3711MasterSalt.begin(), kRfc3711MasterSalt.begin() + 12);
  const Bytes wire = protectRtcpWith<TypeParam>(SrtpProfile::AeadAes128Gcm, kRfc3711MasterKey,
                                                salt12, kReceiverReport);
  EXPECT_EQ(hex(wire), hex(referenceSrtcpGcm(kRfc3711MasterKey, salt12, kReceiverReport,
                                             kFirstSrtcpIndex)));
}

TYPED_TEST(SrtpKnownAnswer, ReferencePacketUnprotects) {
  // The other direction: a packet built only by the reference is accepted.
  const Bytes wire = referenceSrtpAesCm(kRfc3711MasterKey, kRfc3711MasterSalt, kRfc7714Rtp, 0, 10);
  const auto master = SrtpMasterKey::fromParts(SrtpProfile::Aes128CmHmacSha1_80,
                                               kRfc3711MasterKey, kRfc3711MasterSalt);
  ASSERT_TRUE(master.has_value());
  auto session = TypeParam::create(SrtpDirection::Inbound, *master);
  ASSERT_TRUE(session.ok());
  test::PacketBuffer buffer{};
  std::copy(wire.begin(), wire.end(), buffer.begin());
  std::size_t length = wire.size();
  ASSERT_TRUE(session->unprotectRtp(buffer, length));
  EXPECT_EQ(toHex(buffer.data(), length), hex(kRfc7714Rtp));
}

TYPED_TEST(SrtpKnownAnswer, UnencryptedSrtcpIsRefused) {
  // E = 0 (RFC 3711 3.4) with a valid tag: every profile we negotiate encrypts SRTCP, so both
  // implementations refuse a packet that claims it was sent in clear.
  const auto master = SrtpMasterKey::fromParts(SrtpProfile::Aes128CmHmacSha1_80,
                                               kRfc3711MasterKey, kRfc3711MasterSalt);
  ASSERT_TRUE(master.has_value());
  auto session = TypeParam::create(SrtpDirection::Inbound, *master);
  ASSERT_TRUE(session.ok());
  const Bytes wire =
      referenceSrtcpAesCm(kRfc3711MasterKey, kRfc3711MasterSalt, kReceiverReport, 5, false);
  test::PacketBuffer buffer{};
  std::copy(wire.begin(), wire.end(), buffer.begin());
  std::size_t length = wire.size();
  EXPECT_FALSE(session->unprotectRtcp(buffer, length));
  EXPECT_EQ(session->counters().otherFailures, 1u);
  // The same packet with E = 1 and an encrypted body is accepted: the reference is right.
  const Bytes sealed =
      referenceSrtcpAesCm(kRfc3711MasterKey, kRfc3711MasterSalt, kReceiverReport, 5, true);
  std::copy(sealed.begin(), sealed.end(), buffer.begin());
  length = sealed.size();
  ASSERT_TRUE(session->unprotectRtcp(buffer, length));
  EXPECT_EQ(toHex(buffer.data(), length), hex(kReceiverReport));
}

}  // namespace
}  // namespace huddle::rtc
