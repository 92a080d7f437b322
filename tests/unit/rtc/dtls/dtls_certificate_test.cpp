#include "rtc/dtls/dtls_certificate.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <regex>
#include <string>

namespace huddle::rtc {
namespace {

TEST(DtlsFingerprint, FormatsAsSdpAttributeAndParsesBack) {
  DtlsFingerprint fp;
  for (std::size_t i = 0; i < fp.digest.size(); ++i)
    fp.digest[i] = static_cast<std::uint8_t>(i * 7 + 0x0a);
  const std::string sdp = fp.toSdp();
  EXPECT_EQ(sdp.substr(0, 16), "sha-256 0A:11:18");
  EXPECT_EQ(sdp.size(), 8u + 95u);
  const auto parsed = DtlsFingerprint::parse(sdp);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, fp);
}

TEST(DtlsFingerprint, AcceptsLowercaseAndRejectsMalformed) {
  DtlsFingerprint fp;
  fp.digest.fill(0xab);
  std::string lower = fp.toSdp();
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  lower.replace(0, 7, "SHA-256");
  const auto parsed = DtlsFingerprint::parse(lower);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, fp);

  const std::string good = fp.toSdp();
  EXPECT_FALSE(DtlsFingerprint::parse("sha-1 " + good.substr(8)).has_value());
  EXPECT_FALSE(DtlsFingerprint::parse(good.substr(0, good.size() - 3)).has_value());  // 31 bytes
  EXPECT_FALSE(DtlsFingerprint::parse(good + ":AB").has_value());                     // 33 bytes
  std::string badSeparator = good;
  badSeparator[10] = '-';
  EXPECT_FALSE(DtlsFingerprint::parse(badSeparator).has_value());
  std::string badHex = good;
  badHex[8] = 'G';
  EXPECT_FALSE(DtlsFingerprint::parse(badHex).has_value());
  EXPECT_FALSE(DtlsFingerprint::parse("").has_value());
  EXPECT_FALSE(DtlsFingerprint::parse("sha-256").has_value());
}

TEST(DtlsCertificate, GeneratesSelfSignedP256WithSdpFingerprint) {
  const auto generated = DtlsCertificate::generate();
  ASSERT_TRUE(generated.ok()) << generated.message();
  const auto& cert = *generated.value();

  const std::string sdp = cert.fingerprint().toSdp();
  EXPECT_TRUE(std::regex_match(sdp, std::regex("sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}"))) << sdp;

  // The fingerprint is the sha-256 of the DER encoding.
  unsigned char* der = nullptr;
  const int derLength = i2d_X509(cert.x509(), &der);
  ASSERT_GT(derLength, 0);
  const auto recomputed = DtlsFingerprint::ofDerCertificate(
      std::span<const std::uint8_t>(der, static_cast<std::size_t>(derLength)));
  OPENSSL_free(der);
  EXPECT_EQ(recomputed, cert.fingerprint());

  X509* x509 = cert.x509();
  EXPECT_EQ(X509_check_issued(x509, x509), X509_V_OK);  // self-issued
  EVP_PKEY* pub = X509_get0_pubkey(x509);
  ASSERT_NE(pub, nullptr);
  EXPECT_TRUE(EVP_PKEY_is_a(pub, "EC"));
  EXPECT_EQ(X509_verify(x509, pub), 1);
  char curve[32] = {};
  size_t curveLength = 0;
  ASSERT_EQ(EVP_PKEY_get_utf8_string_param(pub, "group", curve, sizeof(curve), &curveLength), 1);
  EXPECT_STREQ(curve, "prime256v1");

  char cn[64] = {};
  ASSERT_GT(X509_NAME_get_text_by_NID(X509_get_subject_name(x509), NID_commonName, cn, sizeof(cn)),
            0);
  EXPECT_STREQ(cn, "huddle");

  // Valid now, back-dated by about 30 days, expiring in about a year.
  std::time_t now = std::time(nullptr);
  EXPECT_LT(X509_cmp_time(X509_get0_notBefore(x509), &now), 0);
  EXPECT_GT(X509_cmp_time(X509_get0_notAfter(x509), &now), 0);
  std::time_t in29Days = now - 29 * 86400;
  std::time_t in31Days = now - 31 * 86400;
  EXPECT_LT(X509_cmp_time(X509_get0_notBefore(x509), &in29Days), 0);
  EXPECT_GT(X509_cmp_time(X509_get0_notBefore(x509), &in31Days), 0);
}

TEST(DtlsCertificate, EachGenerationHasItsOwnKeyAndSerial) {
  const auto a = DtlsCertificate::generate();
  const auto b = DtlsCertificate::generate();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a.value()->fingerprint(), b.value()->fingerprint());
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(a.value()->x509()),
                             X509_get0_serialNumber(b.value()->x509())),
            0);
}

}  // namespace
}  // namespace huddle::rtc
