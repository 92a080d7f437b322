#include "rtc/dtls/dtls_transport.h"

#include "common/log.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

namespace huddle::rtc {
namespace {

// What WebRTC peers use: ECDHE with AEAD first. The RSA suites only matter when the peer is the
// server and presents an RSA certificate (older Firefox did).
constexpr const char* kCipherList =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA";
constexpr const char* kGroups = "X25519:P-256:P-384";
constexpr std::string_view kSrtpExporterLabel = "EXTRACTOR-dtls_srtp";
// The largest plaintext a DTLS record carries.
constexpr std::size_t kMaxRecordPlaintext = 16384;
// OpenSSL reports a timer with under 15 ms left as expired; a shorter duration would make every
// read retransmit.
constexpr unsigned int kMinTimerUs = 16'000;

struct SrtpSizes {
  DtlsSrtpProfile profile;
  std::size_t keyLength;
  std::size_t saltLength;
};

std::optional<SrtpSizes> srtpSizes(unsigned long opensslProfileId) {
  switch (opensslProfileId) {
    case SRTP_AEAD_AES_128_GCM:
      return SrtpSizes{DtlsSrtpProfile::AeadAes128Gcm, 16, 12};
    case SRTP_AES128_CM_SHA1_80:
      return SrtpSizes{DtlsSrtpProfile::Aes128CmSha1_80, 16, 14};
    default:
      return std::nullopt;
  }
}

}  // namespace

std::string_view toString(DtlsState state) {
  switch (state) {
    case DtlsState::New:
      return "new";
    case DtlsState::Connecting:
      return "connecting";
    case DtlsState::Connected:
      return "connected";
    case DtlsState::Failed:
      return "failed";
    case DtlsState::Closed:
      return "closed";
  }
  return "unknown";
}

std::string_view toString(DtlsSrtpProfile profile) {
  switch (profile) {
    case DtlsSrtpProfile::AeadAes128Gcm:
      return "SRTP_AEAD_AES_128_GCM";
    case DtlsSrtpProfile::Aes128CmSha1_80:
      return "SRTP_AES128_CM_SHA1_80";
  }
  return "unknown";
}

// The C entry points OpenSSL calls back into. A struct (not free functions) so that it can be
// befriended through the nested declaration in the header.
struct DtlsTransport::Callbacks {
  static DtlsTransport* fromSsl(const SSL* ssl) {
    return static_cast<DtlsTransport*>(SSL_get_app_data(ssl));
  }

  // Outgoing BIO: each BIO_write from the DTLS record layer is one datagram.
  static int bioWrite(BIO* bio, const char* data, int length) {
    auto* self = static_cast<DtlsTransport*>(BIO_get_data(bio));
    if (self == nullptr || length < 0) return -1;
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(data);
    self->outgoing_.emplace_back(bytes, bytes + length);
    return length;
  }

  static long bioCtrl(BIO* /*bio*/, int cmd, long /*num*/, void* /*ptr*/) {
    // Flush must succeed or OpenSSL reports a write failure; everything else (MTU queries,
    // peer addresses) is deliberately unsupported: the MTU is set explicitly.
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
  }

  static int bioCreate(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
  }

  static const BIO_METHOD* outgoingMethod() {
    static BIO_METHOD* const method = [] {
      BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "huddle-dtls-out");
      if (m != nullptr) {
        BIO_meth_set_write(m, &Callbacks::bioWrite);
        BIO_meth_set_ctrl(m, &Callbacks::bioCtrl);
        BIO_meth_set_create(m, &Callbacks::bioCreate);
      }
      return m;
    }();
    return method;
  }

  // The peer's certificate is self-signed, so the chain check always "fails"; what identifies the
  // peer is the SDP fingerprint, checked here on the leaf so that a mismatch aborts the handshake
  // with a bad_certificate alert before any key is derived.
  static int verify(int /*preverifyOk*/, X509_STORE_CTX* store) {
    auto* ssl =
        static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    DtlsTransport* self = ssl != nullptr ? fromSsl(ssl) : nullptr;
    if (self == nullptr) return 0;
    if (X509_STORE_CTX_get_error_depth(store) != 0) return 1;
    X509* leaf = X509_STORE_CTX_get_current_cert(store);
    DtlsFingerprint actual;
    unsigned int length = 0;
    if (leaf == nullptr || X509_digest(leaf, EVP_sha256(), actual.digest.data(), &length) != 1) {
      self->verifyFailure_ = "peer certificate could not be hashed";
      return 0;
    }
    if (actual != self->config_.remoteFingerprint) {
      self->verifyFailure_ = "peer certificate fingerprint mismatch: expected " +
                             self->config_.remoteFingerprint.toSdp() + ", got " + actual.toSdp();
      return 0;
    }
    self->peerFingerprintVerified_ = true;
    return 1;
  }

  static unsigned int timer(SSL* ssl, unsigned int previousUs) {
    const DtlsTransport* self = fromSsl(ssl);
    return self != nullptr ? self->nextTimerDurationUs(previousUs) : 1'000'000;
  }

  static void info(const SSL* ssl, int where, int ret) {
    if ((where & SSL_CB_READ_ALERT) == 0) return;
    DtlsTransport* self = fromSsl(ssl);
    if (self == nullptr || (ret >> 8) != SSL3_AL_FATAL) return;
    self->peerAlert_ = std::string("peer sent fatal alert: ") + SSL_alert_desc_string_long(ret);
  }
};

Result<std::unique_ptr<DtlsTransport>, DtlsError> DtlsTransport::create(
    std::shared_ptr<const DtlsCertificate> certificate, const Config& config, Listener& listener) {
  OpenSslLibrary::init();
  if (!certificate) return Error{DtlsError::ContextSetup, std::string("no certificate")};
  std::unique_ptr<DtlsTransport> transport(
      new DtlsTransport(std::move(certificate), config, listener));
  if (auto problem = transport->setUp()) {
    return Error{DtlsError::ContextSetup, std::move(*problem)};
  }
  return transport;
}

DtlsTransport::DtlsTransport(std::shared_ptr<const DtlsCertificate> certificate,
                             const Config& config, Listener& listener)
    : config_(config), certificate_(std::move(certificate)), listener_(listener) {}

DtlsTransport::~DtlsTransport() = default;

std::optional<std::string> DtlsTransport::setUp() {
  ERR_clear_error();
  auto sslError = [](std::string_view step) {
    return std::string(step) + " failed: " + OpenSslLibrary::drainErrors();
  };

  ctx_.reset(SSL_CTX_new(DTLS_method()));
  if (!ctx_) return sslError("SSL_CTX_new");
  SSL_CTX* ctx = ctx_.get();
  if (SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION) != 1) {
    return sslError("DTLS 1.2 version pinning");
  }
  if (SSL_CTX_use_certificate(ctx, certificate_->x509()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx, certificate_->privateKey()) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    return sslError("loading the certificate");
  }
  if (SSL_CTX_set_cipher_list(ctx, kCipherList) != 1) return sslError("SSL_CTX_set_cipher_list");
  if (SSL_CTX_set1_groups_list(ctx, kGroups) != 1) return sslError("SSL_CTX_set1_groups_list");
  std::string profiles;
  for (const DtlsSrtpProfile profile : config_.srtpProfiles) {
    if (!profiles.empty()) profiles += ':';
    profiles += toString(profile);
  }
  // Unlike its neighbours this one returns 0 on success.
  if (profiles.empty() || SSL_CTX_set_tlsext_use_srtp(ctx, profiles.c_str()) != 0) {
    return sslError("SSL_CTX_set_tlsext_use_srtp");
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, &Callbacks::verify);
  SSL_CTX_set_verify_depth(ctx, 4);
  // NO_QUERY_MTU: there is no socket to ask; the MTU is the configured one.
  // NO_RENEGOTIATION: WebRTC never renegotiates, and it is an attack surface.
  SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_read_ahead(ctx, 1);

  ssl_.reset(SSL_new(ctx));
  if (!ssl_) return sslError("SSL_new");
  SSL* ssl = ssl_.get();
  SSL_set_app_data(ssl, this);

  const BIO_METHOD* method = Callbacks::outgoingMethod();
  if (method == nullptr) return sslError("BIO_meth_new");
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(method);
  if (in == nullptr || out == nullptr) {
    BIO_free(in);
    BIO_free(out);
    return sslError("BIO_new");
  }
  // An empty input BIO means "wait for the next datagram", not end of stream.
  BIO_set_mem_eof_return(in, -1);
  BIO_set_data(out, this);
  SSL_set_bio(ssl, in, out);  // ssl_ owns both from here
  inBio_ = in;

  // Returns the MTU it accepted, or 0 below the DTLS minimum.
  if (SSL_set_mtu(ssl, config_.mtu) <= 0) return sslError("SSL_set_mtu");
  DTLS_set_timer_cb(ssl, &Callbacks::timer);
  SSL_set_info_callback(ssl, &Callbacks::info);
  if (config_.role == DtlsRole::Client) {
    SSL_set_connect_state(ssl);
  } else {
    SSL_set_accept_state(ssl);
  }
  readBuffer_.resize(kMaxRecordPlaintext);
  return std::nullopt;
}

unsigned int DtlsTransport::nextTimerDurationUs(unsigned int previousUs) const {
  const auto toUs = [](std::chrono::milliseconds ms) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(ms).count();
    return static_cast<unsigned int>(std::clamp<std::int64_t>(us, kMinTimerUs, 60'000'000));
  };
  const unsigned int initial = toUs(config_.initialRetransmitTimeout);
  const unsigned int maximum = std::max(initial, toUs(config_.maxRetransmitTimeout));
  if (previousUs == 0) return initial;
  return std::min(maximum, previousUs > maximum / 2 ? maximum : previousUs * 2);
}

void DtlsTransport::start() {
  if (state_ != DtlsState::New) return;
  state_ = DtlsState::Connecting;
  HUDDLE_LOG_DEBUG(dtls, "start role={}", config_.role == DtlsRole::Client ? "client" : "server");
  if (config_.role == DtlsRole::Client) continueHandshake();
}

void DtlsTransport::onIncomingData(std::span<const std::uint8_t> datagram) {
  ++stats_.datagramsReceived;
  if (!isDtlsRecord(datagram)) {
    ++stats_.datagramsDroppedNotDtls;
    return;
  }
  if (!DtlsRecordView::countRecords(datagram)) {
    ++stats_.datagramsDroppedMalformed;
    return;
  }
  // A ClientHello may beat the owner's start() (the answer's ICE check raced the SDP).
  if (state_ == DtlsState::New && config_.role == DtlsRole::Server) start();
  if (state_ != DtlsState::Connecting && state_ != DtlsState::Connected) {
    ++stats_.datagramsDroppedState;
    return;
  }

  if (BIO_write(inBio_, datagram.data(), static_cast<int>(datagram.size())) !=
      static_cast<int>(datagram.size())) {
    ++stats_.datagramsDroppedMalformed;
    (void)BIO_reset(inBio_);
    return;
  }
  if (state_ == DtlsState::Connecting) {
    continueHandshake();
  } else {
    readApplicationData();
  }
  // Whatever OpenSSL left unread belongs to this datagram only; never let it prefix the next.
  if (ssl_) (void)BIO_reset(inBio_);
}

void DtlsTransport::continueHandshake() {
  ERR_clear_error();
  const int ret = SSL_do_handshake(ssl_.get());
  const int error = ret == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl_.get(), ret);
  std::string reason;
  if (ret != 1 && error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
    reason = describeSslError(error, "handshake");
  }
  ERR_clear_error();
  // Flush first: a failure still owes the peer its alert.
  flushOutgoing();
  if (state_ != DtlsState::Connecting) return;
  if (ret == 1) {
    onHandshakeComplete();
  } else if (!reason.empty()) {
    fail(std::move(reason));
  }
}

void DtlsTransport::onHandshakeComplete() {
  SSL* ssl = ssl_.get();
  // The verify callback has run (SSL_VERIFY_FAIL_IF_NO_PEER_CERT), but check again on the final
  // certificate rather than trust a flag alone.
  X509* peer = SSL_get0_peer_certificate(ssl);
  DtlsFingerprint actual;
  unsigned int length = 0;
  if (!peerFingerprintVerified_ || peer == nullptr ||
      X509_digest(peer, EVP_sha256(), actual.digest.data(), &length) != 1 ||
      actual != config_.remoteFingerprint) {
    fail("peer certificate was not verified against the remote fingerprint");
    return;
  }

  const SRTP_PROTECTION_PROFILE* selected = SSL_get_selected_srtp_profile(ssl);
  const auto sizes = selected != nullptr ? srtpSizes(selected->id) : std::nullopt;
  if (!sizes) {
    fail("no SRTP profile negotiated (peer did not offer use_srtp with a profile we support)");
    return;
  }

  const std::size_t keyLen = sizes->keyLength;
  const std::size_t saltLen = sizes->saltLength;
  std::vector<std::uint8_t> material(2 * (keyLen + saltLen));
  if (SSL_export_keying_material(ssl, material.data(), material.size(), kSrtpExporterLabel.data(),
                                 kSrtpExporterLabel.size(), nullptr, 0, 0) != 1) {
    fail("SRTP keying material export failed: " + OpenSslLibrary::drainErrors());
    return;
  }
  // RFC 5764 section 4.2: client key | server key | client salt | server salt.
  const auto slice = [&](std::size_t offset, std::size_t size) {
    return std::vector<std::uint8_t>(material.begin() + static_cast<std::ptrdiff_t>(offset),
                                     material.begin() + static_cast<std::ptrdiff_t>(offset + size));
  };
  auto clientKey = slice(0, keyLen);
  auto serverKey = slice(keyLen, keyLen);
  auto clientSalt = slice(2 * keyLen, saltLen);
  auto serverSalt = slice(2 * keyLen + saltLen, saltLen);
  OPENSSL_cleanse(material.data(), material.size());

  SrtpKeyingMaterial keys;
  if (config_.role == DtlsRole::Client) {
    keys = {std::move(clientKey), std::move(clientSalt), std::move(serverKey),
            std::move(serverSalt)};
  } else {
    keys = {std::move(serverKey), std::move(serverSalt), std::move(clientKey),
            std::move(clientSalt)};
  }

  state_ = DtlsState::Connected;
  HUDDLE_LOG_DEBUG(dtls, "connected role={} profile={} cipher={}",
                   config_.role == DtlsRole::Client ? "client" : "server", toString(sizes->profile),
                   SSL_get_cipher_name(ssl));
  listener_.onDtlsConnected(*this, config_.role, sizes->profile, keys);
  for (auto* v : {&keys.localKey, &keys.localSalt, &keys.remoteKey, &keys.remoteSalt}) {
    OPENSSL_cleanse(v->data(), v->size());
  }
  // Application data may have ridden in the same datagram as the peer's Finished.
  readApplicationData();
}

void DtlsTransport::readApplicationData() {
  while (state_ == DtlsState::Connected) {
    ERR_clear_error();
    const int ret = SSL_read(ssl_.get(), readBuffer_.data(), static_cast<int>(readBuffer_.size()));
    if (ret > 0) {
      flushOutgoing();
      listener_.onDtlsApplicationData(
          *this, std::span<const std::uint8_t>(readBuffer_.data(), static_cast<std::size_t>(ret)));
      continue;
    }
    const int error = SSL_get_error(ssl_.get(), ret);
    std::string reason;
    if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE &&
        error != SSL_ERROR_ZERO_RETURN) {
      reason = describeSslError(error, "read");
    }
    ERR_clear_error();
    // SSL_read answers a retransmitted final flight of the peer by resending ours.
    flushOutgoing();
    if (state_ != DtlsState::Connected) return;
    if (error == SSL_ERROR_ZERO_RETURN) {
      HUDDLE_LOG_DEBUG(dtls, "close_notify received");
      state_ = DtlsState::Closed;
      listener_.onDtlsClosed(*this);
    } else if (!reason.empty()) {
      fail(std::move(reason));
    }
    return;
  }
}

bool DtlsTransport::sendApplicationData(std::span<const std::uint8_t> data) {
  if (state_ != DtlsState::Connected || data.empty() || data.size() > maxApplicationDataSize()) {
    return false;
  }
  ERR_clear_error();
  const int ret = SSL_write(ssl_.get(), data.data(), static_cast<int>(data.size()));
  ERR_clear_error();
  flushOutgoing();
  return ret == static_cast<int>(data.size());
}

void DtlsTransport::handleTimeout() {
  if (state_ != DtlsState::Connecting && state_ != DtlsState::Connected) return;
  ERR_clear_error();
  const int ret = DTLSv1_handle_timeout(ssl_.get());
  std::string reason;
  if (ret < 0) {
    const std::string details = OpenSslLibrary::drainErrors();
    reason = "DTLS retransmission limit reached" + (details.empty() ? "" : ": " + details);
  } else if (ret > 0) {
    ++stats_.retransmitTimeouts;
  }
  ERR_clear_error();
  flushOutgoing();
  if (!reason.empty()) fail(std::move(reason));
}

std::optional<std::chrono::microseconds> DtlsTransport::nextTimeout() const {
  if (state_ != DtlsState::Connecting && state_ != DtlsState::Connected) return std::nullopt;
  timeval left{};
  if (DTLSv1_get_timeout(ssl_.get(), &left) != 1) return std::nullopt;
  return std::chrono::seconds(left.tv_sec) + std::chrono::microseconds(left.tv_usec);
}

void DtlsTransport::close() {
  if (state_ == DtlsState::Connected) {
    ERR_clear_error();
    (void)SSL_shutdown(ssl_.get());
    ERR_clear_error();
    state_ = DtlsState::Closed;
    flushOutgoing();
    return;
  }
  if (state_ == DtlsState::New || state_ == DtlsState::Connecting) state_ = DtlsState::Closed;
}

std::size_t DtlsTransport::maxApplicationDataSize() const {
  if (state_ != DtlsState::Connected) return 0;
  return DTLS_get_data_mtu(ssl_.get());
}

void DtlsTransport::flushOutgoing() {
  if (outgoing_.empty()) return;
  // Swap out first: the listener may call sendApplicationData(), which appends again.
  std::vector<std::vector<std::uint8_t>> batch;
  batch.swap(outgoing_);
  for (const auto& datagram : batch) {
    ++stats_.datagramsSent;
    listener_.onDtlsSendData(*this, datagram);
  }
  if (outgoing_.empty()) {
    batch.clear();
    outgoing_.swap(batch);  // keep the capacity for the next flight
  }
}

void DtlsTransport::fail(std::string reason) {
  if (state_ == DtlsState::Failed || state_ == DtlsState::Closed) return;
  state_ = DtlsState::Failed;
  failureReason_ = std::move(reason);
  HUDDLE_LOG_WARN(dtls, "failed role={} reason={}",
                  config_.role == DtlsRole::Client ? "client" : "server", failureReason_);
  listener_.onDtlsFailed(*this, failureReason_);
}

std::string DtlsTransport::describeSslError(int error, std::string_view during) {
  // The most specific reason wins: our own verdict on the certificate, then the peer's alert.
  if (!verifyFailure_.empty()) return verifyFailure_;
  if (!peerAlert_.empty()) return peerAlert_;
  std::string details = OpenSslLibrary::drainErrors();
  if (details.empty()) {
    details = error == SSL_ERROR_SYSCALL ? "I/O error" : "SSL error " + std::to_string(error);
  }
  return std::string(during) + " failed: " + details;
}

}  // namespace huddle::rtc
