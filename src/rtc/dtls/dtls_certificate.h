#pragma once
// Immutable after creation: one DtlsCertificate may be shared by transports on any thread.
//
// The self-signed ECDSA P-256 identity a WebRTC endpoint presents in DTLS, and its SDP
// fingerprint (RFC 8122 a=fingerprint). Peers authenticate it by fingerprint, not by a CA.

#include "common/result.h"
#include "rtc/dtls/errors.h"
#include "rtc/dtls/openssl_library.h"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace huddle::rtc {

// A sha-256 certificate fingerprint as carried in SDP: "sha-256 AB:CD:...". Other hash
// functions are not accepted: every browser offers sha-256, and one algorithm keeps the
// comparison exact.
struct DtlsFingerprint {
  static constexpr std::string_view kAlgorithm = "sha-256";
  std::array<std::uint8_t, 32> digest{};

  // Accepts the SDP attribute value (algorithm, one space, hex pairs separated by ':'), with
  // the algorithm and hex in either case. Returns nullopt for anything else.
  [[nodiscard]] static std::optional<DtlsFingerprint> parse(std::string_view sdpValue);
  [[nodiscard]] static DtlsFingerprint ofDerCertificate(std::span<const std::uint8_t> der);

  // Uppercase colon-separated hex without the algorithm, e.g. "AB:CD:...".
  [[nodiscard]] std::string hex() const;
  // The full SDP attribute value, e.g. "sha-256 AB:CD:...".
  [[nodiscard]] std::string toSdp() const;

  friend bool operator==(const DtlsFingerprint&, const DtlsFingerprint&) = default;
};

class DtlsCertificate final {
 public:
  struct Options {
    std::string commonName = "huddle";
    // Back-dated so that peers with a skewed clock still accept it.
    int validDaysBefore = 30;
    int validDaysAfter = 365;
  };

  [[nodiscard]] static Result<std::shared_ptr<const DtlsCertificate>, DtlsError> generate(
      const Options& options);
  [[nodiscard]] static Result<std::shared_ptr<const DtlsCertificate>, DtlsError> generate() {
    return generate(Options{});
  }

  DtlsCertificate(const DtlsCertificate&) = delete;
  DtlsCertificate& operator=(const DtlsCertificate&) = delete;
  ~DtlsCertificate();

  [[nodiscard]] const DtlsFingerprint& fingerprint() const { return fingerprint_; }

  // Module-internal: borrowed handles for DtlsTransport's SSL_CTX (it takes its own references).
  [[nodiscard]] x509_st* x509() const { return cert_.get(); }
  [[nodiscard]] evp_pkey_st* privateKey() const { return key_.get(); }

 private:
  DtlsCertificate(detail::X509Ptr cert, detail::EvpPkeyPtr key, DtlsFingerprint fingerprint);

  detail::X509Ptr cert_;
  detail::EvpPkeyPtr key_;
  DtlsFingerprint fingerprint_;
};

}  // namespace huddle::rtc
