#pragma once
// Control-path errors of the dtls module. Pure, any thread.

namespace huddle::rtc {

enum class DtlsError {
  CertificateGeneration,  // key or X.509 creation failed inside OpenSSL
  ContextSetup,           // SSL_CTX/SSL configuration rejected by OpenSSL
  InvalidFingerprint,     // remote a=fingerprint is not "sha-256 XX:XX:..."
};

}  // namespace huddle::rtc
