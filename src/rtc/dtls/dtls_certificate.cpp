#include "rtc/dtls/dtls_certificate.h"

#include "common/random.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cctype>
#include <utility>
#include <vector>

namespace huddle::rtc {
namespace {

constexpr long kSecondsPerDay = 24L * 60 * 60;

std::optional<std::uint8_t> hexNibble(char c) {
  if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<std::uint8_t>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<std::uint8_t>(c - 'A' + 10);
  return std::nullopt;
}

Error<DtlsError> generationError(std::string_view step) {
  return Error{DtlsError::CertificateGeneration,
               std::string(step) + " failed: " + OpenSslLibrary::drainErrors()};
}

}  // namespace

std::optional<DtlsFingerprint> DtlsFingerprint::parse(std::string_view sdpValue) {
  const auto space = sdpValue.find(' ');
  if (space == std::string_view::npos || space != kAlgorithm.size()) return std::nullopt;
  for (std::size_t i = 0; i < kAlgorithm.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(sdpValue[i])) != kAlgorithm[i]) return std::nullopt;
  }
  const std::string_view hexPart = sdpValue.substr(space + 1);
  // 32 pairs and 31 separators.
  if (hexPart.size() != 32 * 3 - 1) return std::nullopt;
  DtlsFingerprint out;
  for (std::size_t i = 0; i < out.digest.size(); ++i) {
    const std::size_t at = i * 3;
    if (i > 0 && hexPart[at - 1] != ':') return std::nullopt;
    const auto hi = hexNibble(hexPart[at]);
    const auto lo = hexNibble(hexPart[at + 1]);
    if (!hi || !lo) return std::nullopt;
    out.digest[i] = static_cast<std::uint8_t>((*hi << 4) | *lo);
  }
  return out;
}

DtlsFingerprint DtlsFingerprint::ofDerCertificate(std::span<const std::uint8_t> der) {
  DtlsFingerprint out;
  unsigned int length = 0;
  EVP_Digest(der.data(), der.size(), out.digest.data(), &length, EVP_sha256(), nullptr);
  return out;
}

std::string DtlsFingerprint::hex() const {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(digest.size() * 3);
  for (const std::uint8_t b : digest) {
    if (!out.empty()) out += ':';
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0f];
  }
  return out;
}

std::string DtlsFingerprint::toSdp() const {
  return std::string(kAlgorithm) + " " + hex();
}

DtlsCertificate::DtlsCertificate(detail::X509Ptr cert, detail::EvpPkeyPtr key,
                                 DtlsFingerprint fingerprint)
    : cert_(std::move(cert)), key_(std::move(key)), fingerprint_(fingerprint) {}

DtlsCertificate::~DtlsCertificate() = default;

Result<std::shared_ptr<const DtlsCertificate>, DtlsError> DtlsCertificate::generate(
    const Options& options) {
  OpenSslLibrary::init();

  detail::EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return generationError("EVP_EC_gen(P-256)");

  detail::X509Ptr cert(X509_new());
  if (!cert) return generationError("X509_new");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) return generationError("X509_set_version");

  // A random positive 63-bit serial: browsers cache certificates by issuer+serial, so two
  // endpoints must not collide.
  std::array<std::uint8_t, 8> serialBytes{};
  fillRandom(serialBytes);
  serialBytes[0] &= 0x7f;
  std::uint64_t serial = 0;
  for (const std::uint8_t b : serialBytes) serial = (serial << 8) | b;
  if (ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial) != 1) {
    return generationError("ASN1_INTEGER_set_uint64");
  }

  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -options.validDaysBefore * kSecondsPerDay) ==
          nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), options.validDaysAfter * kSecondsPerDay) ==
          nullptr) {
    return generationError("X509_gmtime_adj");
  }

  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(options.commonName.c_str()),
                                 -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1) {
    return generationError("X509 name");
  }
  if (X509_set_pubkey(cert.get(), key.get()) != 1) return generationError("X509_set_pubkey");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) return generationError("X509_sign");

  DtlsFingerprint fingerprint;
  unsigned int length = 0;
  if (X509_digest(cert.get(), EVP_sha256(), fingerprint.digest.data(), &length) != 1 ||
      length != fingerprint.digest.size()) {
    return generationError("X509_digest");
  }

  return std::shared_ptr<const DtlsCertificate>(
      new DtlsCertificate(std::move(cert), std::move(key), fingerprint));
}

}  // namespace huddle::rtc
